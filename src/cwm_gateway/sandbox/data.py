"""Sample ConnectWise Manage data for the stand-in server, and the rules for changing it.

Everything is generated from a seed and a day ("today"), so two stand-ins with the same seed serve
the same records on the same day. Dates are relative to that day, so questions like "agreements
ending next month", "Sam's time entries yesterday" or "my schedule tomorrow" always find some.
Records have ConnectWise's shapes on purpose: nested references carry their own ``_info``, every
record carries a bulky ``_info`` block of hrefs (real responses do, and the gateway is expected to
strip them), and empty fields are left out rather than sent as null.
"""

from __future__ import annotations

import copy
import functools
import json
import random
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

Record = dict[str, Any]

API_MEMBER = "APIMember"  # the name ConnectWise puts in enteredBy/updatedBy for writes made with API keys

COMPANIES = "/company/companies"
CONTACTS = "/company/contacts"
CONFIGURATIONS = "/company/configurations"
BOARDS = "/service/boards"
STATUSES = "/service/boards/{parentId}/statuses"
PRIORITIES = "/service/priorities"
MEMBERS = "/system/members"
TICKETS = "/service/tickets"
NOTES = "/service/tickets/{parentId}/notes"
TIME_ENTRIES = "/time/entries"
AGREEMENTS = "/finance/agreements"
PROJECTS = "/project/projects"
OPPORTUNITIES = "/sales/opportunities"
SCHEDULE_ENTRIES = "/schedule/entries"
INVOICES = "/finance/invoices"

READ_ONLY = frozenset({"id", "_info"})


# -- errors -------------------------------------------------------------------------------------------------------


class ApiError(Exception):
    """An answer other than success, already in ConnectWise's JSON error shape."""

    def __init__(self, status: int, payload: Any, headers: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(f"{status}: {payload}")
        self.status = status
        self.payload = payload
        self.headers = list(headers)


def not_found(noun: str, record_id: Any) -> ApiError:
    return ApiError(404, {"code": "NotFound", "message": f"{noun} {record_id} not found", "errors": None})


def field_error(resource: str, name: str, message: str, code: str = "InvalidField") -> Record:
    return {"code": code, "message": message, "resource": resource, "field": name}


def invalid(resource: str, errors: list[Record]) -> ApiError:
    return ApiError(400, {"code": "InvalidObject", "message": f"{resource} object is invalid", "errors": errors})


# -- time -----------------------------------------------------------------------------------------------------------


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))  # 3.10 does not read "Z"
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def utc_now() -> str:
    return iso(datetime.now(timezone.utc))


# -- references and _info ------------------------------------------------------------------------------------------


def _full_name(record: Mapping[str, Any]) -> str:
    return f"{record.get('firstName', '')} {record.get('lastName', '')}".strip()


def company_ref(record: Mapping[str, Any], base: str) -> Record:
    info = {"company_href": f"{base}{COMPANIES}/{record['id']}"}
    if record.get("mobileGuid"):
        info["mobileGuid"] = record["mobileGuid"]
    return {"id": record["id"], "identifier": record.get("identifier"), "name": record.get("name"), "_info": info}


def contact_ref(record: Mapping[str, Any], base: str) -> Record:
    info = {"contact_href": f"{base}{CONTACTS}/{record['id']}"}
    if record.get("mobileGuid"):
        info["mobileGuid"] = record["mobileGuid"]
    return {"id": record["id"], "name": _full_name(record), "_info": info}


def member_ref(record: Mapping[str, Any], base: str) -> Record:
    href = f"{base}{MEMBERS}/{record['id']}"
    return {
        "id": record["id"],
        "identifier": record.get("identifier"),
        "name": _full_name(record),
        "_info": {"member_href": href, "image_href": f"{href}/image?lm=2025-06-02T15:04:11Z"},
    }


def board_ref(record: Mapping[str, Any], base: str) -> Record:
    return {"id": record["id"], "name": record.get("name"), "_info": {"board_href": f"{base}{BOARDS}/{record['id']}"}}


def status_ref(record: Mapping[str, Any], base: str) -> Record:
    board_id = (record.get("board") or {}).get("id")
    href = f"{base}{BOARDS}/{board_id}/statuses/{record['id']}"
    return {
        "id": record["id"],
        "name": record.get("name"),
        "Sort": record.get("sortOrder", 0),
        "_info": {"status_href": href},
    }


def priority_ref(record: Mapping[str, Any], base: str) -> Record:
    href = f"{base}{PRIORITIES}/{record['id']}"
    return {
        "id": record["id"],
        "name": record.get("name"),
        "sort": record.get("sortOrder"),
        "_info": {"priority_href": href, "image_href": f"{href}/image?lm=2025-06-02T15:04:11Z"},
    }


def ticket_ref(record: Mapping[str, Any], base: str) -> Record:
    return {
        "id": record["id"],
        "summary": record.get("summary"),
        "_info": {"ticket_href": f"{base}{TICKETS}/{record['id']}"},
    }


def _named_ref(template: str, key: str) -> Callable[[Mapping[str, Any], str], Record]:
    def build(record: Mapping[str, Any], base: str) -> Record:
        return {"id": record["id"], "name": record.get("name"), "_info": {key: f"{base}{template}/{record['id']}"}}

    return build


REF_SHAPES: dict[str, Callable[[Mapping[str, Any], str], Record]] = {
    COMPANIES: company_ref,
    CONTACTS: contact_ref,
    MEMBERS: member_ref,
    BOARDS: board_ref,
    STATUSES: status_ref,
    PRIORITIES: priority_ref,
    TICKETS: ticket_ref,
    CONFIGURATIONS: _named_ref(CONFIGURATIONS, "configuration_href"),
    AGREEMENTS: _named_ref(AGREEMENTS, "agreement_href"),
    PROJECTS: _named_ref(PROJECTS, "project_href"),
    OPPORTUNITIES: _named_ref(OPPORTUNITIES, "opportunity_href"),
}


def _ref(base: str, template: str, ref_id: int, name: str, key: str) -> Record:
    """A reference to something the stand-in does not serve (territories, types, ...): shape only."""
    return {"id": ref_id, "name": name, "_info": {key: f"{base}{template}/{ref_id}"}}


def _company_links(base: str, record: Mapping[str, Any]) -> Record:
    i = record["id"]
    by_company = f"conditions=company/id={i}"
    return {
        "contacts_href": f"{base}{CONTACTS}?{by_company}",
        "agreements_href": f"{base}{AGREEMENTS}?{by_company}",
        "tickets_href": f"{base}{TICKETS}?{by_company}",
        "opportunities_href": f"{base}{OPPORTUNITIES}?{by_company}",
        "activities_href": f"{base}/sales/activities?{by_company}",
        "projects_href": f"{base}{PROJECTS}?{by_company}",
        "configurations_href": f"{base}{CONFIGURATIONS}?{by_company}",
        "orders_href": f"{base}/sales/orders?{by_company}",
        "documents_href": f"{base}/system/documents?recordType=Company&recordId={i}",
        "sites_href": f"{base}{COMPANIES}/{i}/sites",
        "teams_href": f"{base}{COMPANIES}/{i}/teams",
        "notes_href": f"{base}{COMPANIES}/{i}/notes",
    }


def _contact_links(base: str, record: Mapping[str, Any]) -> Record:
    href = f"{base}{CONTACTS}/{record['id']}"
    return {
        "image_href": f"{href}/image",
        "portal_security_href": f"{href}/portalSecurity",
        "activities_href": f"{base}/sales/activities?conditions=contact/id={record['id']}",
        "notes_href": f"{href}/notes",
        "communications_href": f"{href}/communications",
        "tracks_href": f"{href}/tracks",
        "portals_href": f"{href}/portals",
        "documents_href": f"{base}/system/documents?recordType=Contact&recordId={record['id']}",
    }


def _configuration_links(base: str, record: Mapping[str, Any]) -> Record:
    href = f"{base}{CONFIGURATIONS}/{record['id']}"
    return {
        "changes_href": f"{href}/changes",
        "documents_href": f"{base}/system/documents?recordType=Configuration&recordId={record['id']}",
        "tickets_href": f"{base}{TICKETS}?conditions=configurations/id={record['id']}",
        "image_href": f"{href}/image",
    }


def _board_links(base: str, record: Mapping[str, Any]) -> Record:
    href = f"{base}{BOARDS}/{record['id']}"
    parts = ("statuses", "types", "subtypes", "items", "teams", "notifications", "autoTemplates")
    return {f"{part}_href": f"{href}/{part}" for part in parts}


def _status_links(base: str, record: Mapping[str, Any]) -> Record:
    board_id = (record.get("board") or {}).get("id")
    href = f"{base}{BOARDS}/{board_id}/statuses/{record['id']}"
    return {"notifications_href": f"{href}/notifications", "board_href": f"{base}{BOARDS}/{board_id}"}


def _priority_links(base: str, record: Mapping[str, Any]) -> Record:
    return {"image_href": f"{base}{PRIORITIES}/{record['id']}/image?lm=2025-06-02T15:04:11Z"}


def _member_links(base: str, record: Mapping[str, Any]) -> Record:
    href = f"{base}{MEMBERS}/{record['id']}"
    parts = ("image", "skills", "certifications", "delegations", "usefulLinks", "notifications")
    return {f"{part}_href": f"{href}/{part}" for part in parts}


def _ticket_links(base: str, record: Mapping[str, Any]) -> Record:
    i = record["id"]
    charged = f"conditions=(chargeToType='ServiceTicket' OR chargeToType='ProjectTicket') AND chargeToId={i}"
    return {
        "activities_href": f"{base}/sales/activities?conditions=ticket/id={i}",
        "timeentries_href": f"{base}{TIME_ENTRIES}?{charged}",
        "expenseEntries_href": f"{base}/expense/entries?{charged}",
        "notes_href": f"{base}{TICKETS}/{i}/notes",
        "tasks_href": f"{base}{TICKETS}/{i}/tasks",
        "configurations_href": f"{base}{TICKETS}/{i}/configurations",
        "documents_href": f"{base}/system/documents?recordType=Ticket&recordId={i}",
        "products_href": f"{base}/procurement/products?conditions=chargeToType='Ticket' AND chargeToId={i}",
    }


def _note_links(base: str, record: Mapping[str, Any]) -> Record:
    return {"ticket_href": f"{base}{TICKETS}/{record.get('ticketId')}"}


def _time_links(base: str, record: Mapping[str, Any]) -> Record:
    links = {"timeSheet_href": f"{base}/time/sheets?conditions=member/id={(record.get('member') or {}).get('id')}"}
    if record.get("chargeToType") == "ServiceTicket":
        links["chargeTo_href"] = f"{base}{TICKETS}/{record.get('chargeToId')}"
    return links


def _agreement_links(base: str, record: Mapping[str, Any]) -> Record:
    href = f"{base}{AGREEMENTS}/{record['id']}"
    parts = ("additions", "adjustments", "boards", "configurations", "sites", "workroles", "worktypes")
    return {f"{part}_href": f"{href}/{part}" for part in parts}


def _project_links(base: str, record: Mapping[str, Any]) -> Record:
    href = f"{base}{PROJECTS}/{record['id']}"
    return {
        "phases_href": f"{href}/phases",
        "tickets_href": f"{base}/project/tickets?conditions=project/id={record['id']}",
        "teammembers_href": f"{href}/teamMembers",
        "notes_href": f"{href}/notes",
        "contacts_href": f"{href}/contacts",
    }


def _opportunity_links(base: str, record: Mapping[str, Any]) -> Record:
    href = f"{base}{OPPORTUNITIES}/{record['id']}"
    return {
        "notes_href": f"{href}/notes",
        "contacts_href": f"{href}/contacts",
        "forecast_href": f"{href}/forecast",
        "team_href": f"{href}/team",
        "activities_href": f"{base}/sales/activities?conditions=opportunity/id={record['id']}",
        "documents_href": f"{base}/system/documents?recordType=Opportunity&recordId={record['id']}",
    }


def _schedule_links(base: str, record: Mapping[str, Any]) -> Record:
    return {"objectMobileGuid": record.get("mobileGuid") or ""}


def _invoice_links(base: str, record: Mapping[str, Any]) -> Record:
    href = f"{base}{INVOICES}/{record['id']}"
    return {"pdf_href": f"{href}/pdf", "payments_href": f"{href}/payments", "products_href": f"{href}/products"}


LINKS: dict[str, Callable[[str, Mapping[str, Any]], Record]] = {
    COMPANIES: _company_links,
    CONTACTS: _contact_links,
    CONFIGURATIONS: _configuration_links,
    BOARDS: _board_links,
    STATUSES: _status_links,
    PRIORITIES: _priority_links,
    MEMBERS: _member_links,
    TICKETS: _ticket_links,
    NOTES: _note_links,
    TIME_ENTRIES: _time_links,
    AGREEMENTS: _agreement_links,
    PROJECTS: _project_links,
    OPPORTUNITIES: _opportunity_links,
    SCHEDULE_ENTRIES: _schedule_links,
    INVOICES: _invoice_links,
}


def make_info(
    template: str, base: str, record: Mapping[str, Any], entered: str, updated: str, entered_by: str, updated_by: str
) -> Record:
    return {
        "lastUpdated": updated,
        "updatedBy": updated_by,
        "dateEntered": entered,
        "enteredBy": entered_by,
        **LINKS[template](base, record),
    }


def _compact(record: Record) -> Record:
    """ConnectWise leaves empty fields out of its answers instead of sending null."""
    return {key: value for key, value in record.items() if value is not None}


# -- the collections ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefRule:
    """A field that references a record of another collection; writes resolve it to the full reference."""

    target: str
    parent_field: str | None = None  # for board statuses: the field of this record naming the board


@dataclass(frozen=True)
class Resource:
    template: str
    noun: str  # as in "Ticket 99999 not found"
    name: str  # as in "ticket object is invalid"
    required: tuple[str, ...] = ()
    limits: Mapping[str, int] = field(default_factory=dict)  # longest allowed text per field
    refs: Mapping[str, RefRule] = field(default_factory=dict)

    @property
    def parent(self) -> str | None:
        """The collection whose records own this one's (``/service/tickets`` for notes)."""
        head, marker, _ = self.template.partition("/{parentId}")
        return head if marker else None


_COMPANY = RefRule(COMPANIES)
_CONTACT = RefRule(CONTACTS)
_MEMBER = RefRule(MEMBERS)

RESOURCES: dict[str, Resource] = {
    resource.template: resource
    for resource in (
        Resource(COMPANIES, "Company", "company", ("identifier", "name"), {"identifier": 25, "name": 50}),
        Resource(
            CONTACTS, "Contact", "contact", ("firstName",), {"firstName": 30, "lastName": 30}, {"company": _COMPANY}
        ),
        Resource(
            CONFIGURATIONS,
            "Configuration",
            "configuration",
            ("name", "type", "company"),
            {"name": 100},
            {"company": _COMPANY, "contact": _CONTACT},
        ),
        Resource(BOARDS, "Board", "board", ("name",), {"name": 50}),
        Resource(STATUSES, "Status", "boardStatus", ("name",), {"name": 50}),
        Resource(PRIORITIES, "Priority", "priority", ("name",), {"name": 50}),
        Resource(MEMBERS, "Member", "member", ("identifier", "firstName", "lastName"), {"identifier": 15}),
        Resource(
            TICKETS,
            "Ticket",
            "ticket",
            ("summary", "board", "company"),
            {"summary": 100},
            {
                "board": RefRule(BOARDS),
                "status": RefRule(STATUSES, parent_field="board"),
                "company": _COMPANY,
                "contact": _CONTACT,
                "priority": RefRule(PRIORITIES),
                "owner": _MEMBER,
            },
        ),
        Resource(NOTES, "ServiceNote", "ticketNote", ("text",), {}, {"member": _MEMBER, "contact": _CONTACT}),
        Resource(
            TIME_ENTRIES,
            "TimeEntry",
            "timeEntry",
            ("chargeToId", "timeStart"),
            {"notes": 4000},
            {"member": _MEMBER, "company": _COMPANY, "agreement": RefRule(AGREEMENTS)},
        ),
        Resource(
            AGREEMENTS,
            "Agreement",
            "agreement",
            ("name", "type", "company"),
            {"name": 100},
            {"company": _COMPANY, "contact": _CONTACT},
        ),
        Resource(
            PROJECTS,
            "Project",
            "project",
            ("name", "board", "company"),
            {"name": 100},
            {"board": RefRule(BOARDS), "company": _COMPANY, "contact": _CONTACT, "manager": _MEMBER},
        ),
        Resource(
            OPPORTUNITIES,
            "Opportunity",
            "opportunity",
            ("name", "company"),
            {"name": 100},
            {"company": _COMPANY, "contact": _CONTACT, "primarySalesRep": _MEMBER},
        ),
        Resource(
            SCHEDULE_ENTRIES,
            "ScheduleEntry",
            "scheduleEntry",
            ("objectId", "member"),
            {"name": 250},
            {"member": _MEMBER},
        ),
        Resource(
            INVOICES,
            "Invoice",
            "invoice",
            ("type", "company"),
            {"reference": 50, "customerPO": 50},
            {"company": _COMPANY, "billToCompany": _COMPANY, "agreement": RefRule(AGREEMENTS)},
        ),
    )
}


@dataclass
class Table:
    records: dict[int, Record] = field(default_factory=dict)
    parents: dict[int, int] = field(default_factory=dict)  # child record id -> parent record id
    next_id: int = 1

    def put(self, record: Record, parent_id: int | None = None) -> None:
        self.records[record["id"]] = record
        if parent_id is not None:
            self.parents[record["id"]] = parent_id
        self.next_id = max(self.next_id, record["id"] + 1)

    def rows(self, parent_id: int | None = None) -> list[Record]:
        if parent_id is None:
            return list(self.records.values())
        return [record for key, record in self.records.items() if self.parents.get(key) == parent_id]

    def remove(self, record_id: int) -> None:
        self.records.pop(record_id, None)
        self.parents.pop(record_id, None)


# -- sample data ---------------------------------------------------------------------------------------------------

_MEMBERS = (
    ("Alex", "Rivera", "Service Manager"),
    ("Jordan", "Kim", "Senior Network Engineer"),
    ("Sam", "Patel", "Help Desk Technician"),
    ("Taylor", "Brooks", "Help Desk Technician"),
    ("Morgan", "Chen", "Systems Engineer"),
    ("Casey", "Nguyen", "NOC Technician"),
    ("Riley", "Thompson", "Project Manager"),
    ("Jamie", "Ortiz", "Account Manager"),
    ("Drew", "Walker", "Field Technician"),
    ("Avery", "Scott", "Dispatcher"),
    ("Quinn", "Foster", "Security Analyst"),
    ("Robin", "Hayes", "Systems Engineer"),  # left the company: inactive
)
_TECHS = (1, 2, 3, 4, 5, 8, 10)  # members who work tickets

_CLIENTS = (
    ("Acme Dental Group", "Columbus", "OH", "Healthcare"),
    ("Brightwater Logistics", "Tampa", "FL", "Transportation"),
    ("Cedar Ridge Law", "Denver", "CO", "Legal"),
    ("Dunmore Manufacturing", "Erie", "PA", "Manufacturing"),
    ("Evergreen Family Practice", "Portland", "OR", "Healthcare"),
    ("Fairview Credit Union", "Madison", "WI", "Finance"),
    ("Granite Peak Construction", "Boise", "ID", "Construction"),
    ("Harborview Realty", "Charleston", "SC", "Real Estate"),
    ("Ironwood Accounting", "Tulsa", "OK", "Finance"),
    ("Juniper Veterinary Clinic", "Austin", "TX", "Healthcare"),
    ("Keystone Insurance Partners", "Harrisburg", "PA", "Finance"),
    ("Lakeside Montessori School", "Minneapolis", "MN", "Education"),
    ("Meridian Engineering", "Raleigh", "NC", "Engineering"),
    ("Northgate Auto Group", "Omaha", "NE", "Retail"),
    ("Oakmont Senior Living", "Louisville", "KY", "Healthcare"),
    ("Pinnacle Wealth Advisors", "Scottsdale", "AZ", "Finance"),
    ("Quarry Lane Brewing", "Asheville", "NC", "Hospitality"),
    ("Riverbend Orthopedics", "Chattanooga", "TN", "Healthcare"),
    ("Summit Architecture", "Salt Lake City", "UT", "Engineering"),
    ("Tidewater Marine Supply", "Norfolk", "VA", "Retail"),
    ("Union Street Bakery", "Savannah", "GA", "Hospitality"),  # inactive
    ("Valley Home Health", "Fresno", "CA", "Healthcare"),
    ("Westbrook Property Management", "Indianapolis", "IN", "Real Estate"),
    ("Yellowstone Outfitters", "Bozeman", "MT", "Retail"),  # prospect, not approved
)
_COMPANY_STATUS = {20: (2, "Inactive"), 23: (3, "Not-Approved")}
_STREETS = ("Main St", "Oak Ave", "Market St", "Commerce Dr", "Park Blvd", "Industrial Pkwy", "Lakeview Rd", "Elm St")
_FIRST = (
    "James Maria Robert Linda Michael Patricia David Jennifer William Elizabeth Richard Susan Joseph Jessica "
    "Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra Steven Ashley Paul Emily"
).split()
_LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Taylor Moore Jackson Martin Lee Perez White Harris Sanchez Clark Ramirez Lewis Robinson"
).split()
_TITLES = (
    "Office Manager",
    "Owner",
    "Practice Manager",
    "IT Coordinator",
    "Controller",
    "Operations Director",
    "Receptionist",
    "CFO",
    "HR Manager",
)

# (type id, type, name code, manufacturer, model, operating system)
_CONFIG_TYPES = (
    (1, "Server", "SRV", "Dell", "PowerEdge R650", "Windows Server 2022 Standard"),
    (2, "Workstation", "WS", "HP", "EliteDesk 800 G9", "Windows 11 Pro"),
    (3, "Laptop", "LT", "Lenovo", "ThinkPad T14 Gen 4", "Windows 11 Pro"),
    (4, "Firewall", "FW", "Fortinet", "FortiGate 60F", "FortiOS 7.4"),
    (5, "Switch", "SW", "Ubiquiti", "USW-Pro-24-PoE", "UniFi OS"),
    (6, "Printer", "PRN", "Brother", "MFC-L8900CDW", None),
    (7, "Wireless Access Point", "AP", "Ubiquiti", "U6-Pro", "UniFi OS"),
)

_BOARDS = ("Service Desk", "Network Operations", "Onboarding", "Alerts", "Escalations", "Professional Services")
_BOARD_WEIGHTS = (50, 15, 10, 20, 5)  # tickets per service board; the last board is for projects
# (name, escalation status, closed, default); every board gets these, like a fresh ConnectWise board
_STATUSES = (
    ("New", "NotResponded", False, True),
    ("In Progress", "Responded", False, False),
    ("Waiting on Client", "Responded", False, False),
    ("Scheduled", "ResolutionPlan", False, False),
    ("Resolved", "Resolved", False, False),
    ("Closed", "NoEscalation", True, False),
)
_STATUS_WEIGHTS = (20, 25, 15, 10, 10, 20)
_PRIORITIES = (
    (4, "Priority 1 - Critical", "Red"),
    (5, "Priority 2 - High", "Orange"),
    (6, "Priority 3 - Medium", "Yellow"),
    (7, "Priority 4 - Low", "Green"),
    (8, "Priority 5 - Planning", "Blue"),
)
_DEFAULT_PRIORITY = 6

_SUMMARIES = {
    "Service Desk": (
        "Outlook keeps prompting for password",
        "Cannot print to the front office printer",
        "Password reset for {contact}",
        "VPN disconnects every few minutes",
        "Shared drive S: not mapping at login",
        "Teams calls dropping for {contact}",
        "Laptop will not boot past the logo",
        "Phishing email reported by {contact}",
        "Install Adobe Acrobat Pro for {contact}",
        "Scanner not sending to email",
        "QuickBooks cannot open the company file",
        "MFA enrollment help for {contact}",
        "Monitor flickering on reception PC",
    ),
    "Network Operations": (
        "Firewall firmware update on {device}",
        "Wi-Fi slow in the conference room",
        "SSL certificate expiring for {domain}",
        "ISP outage at the main office",
        "Switch port flapping on {device}",
        "Configure site-to-site VPN to the branch office",
    ),
    "Onboarding": (
        "New user setup: {newcomer}",
        "Offboard user {contact}",
        "New laptop deployment for {newcomer}",
    ),
    "Alerts": (
        "[RMM] Disk space below 10% on {device}",
        "[RMM] CPU above 90% for 15 minutes on {device}",
        "[Backup] Nightly backup failed on {device}",
        "[RMM] {device} is offline",
        "[AV] Threat quarantined on {device}",
        "[RMM] Pending reboot for more than 7 days on {device}",
    ),
    "Escalations": (
        "Recurring email delivery delays",
        "Line-of-business app crashes after update",
        "Server slowdowns during month-end close",
    ),
}
_DETAILS = (
    "User says this started after the last Windows update.",
    "Happens on every machine in the office.",
    "Only affects one user so far.",
    "Client needs this resolved before end of day.",
    "Issue is intermittent, roughly twice an hour.",
)
_INTERNAL = (
    "Checked event logs; nothing obvious yet.",
    "Escalated to Tier 2 for review.",
    "Waiting on vendor callback.",
    "Remote session scheduled with the user.",
    "Applied a fix; monitoring.",
)
_RESOLUTIONS = (
    "Resolved: reinstalled the driver and confirmed with the user.",
    "Resolved: password reset and MFA re-registered.",
    "Resolved: replaced the faulty hardware.",
    "Resolved: issue cleared after the firmware update.",
    "Resolved: user confirmed everything works.",
)
_WORK = (
    "Remoted in and reviewed the event logs.",
    "Reset the password and verified login.",
    "Cleared the print queue and reinstalled the driver.",
    "Called the client to confirm the issue is resolved.",
    "Applied the firmware update and rebooted the device.",
    "Reviewed backup job logs; re-ran the job successfully.",
    "Worked with vendor support on the escalation.",
)
_AGREEMENT_TYPES = (
    (1, "Managed Services - Gold", 4500.0),
    (2, "Managed Services - Silver", 2800.0),
    (3, "Block Time", 1500.0),
    (4, "Backup as a Service", 600.0),
)
_PROJECTS = (
    "Microsoft 365 Migration",
    "Firewall Replacement",
    "Server Refresh 2026",
    "Network Cabling - New Office",
    "Windows 11 Upgrades",
    "Backup Modernization",
    "Intune Rollout",
    "VoIP Migration",
)
_PROJECT_STATUSES = ((1, "Open"), (2, "In Progress"), (3, "On-Hold"), (4, "Closed"))
_OPPORTUNITIES = (
    "Managed Services Upgrade",
    "Firewall Refresh",
    "Microsoft 365 E3 Licenses",
    "Laptop Refresh (10 units)",
    "Security Awareness Training",
    "Backup Appliance",
    "Wi-Fi Redesign",
    "Dark Web Monitoring",
    "Server Virtualization",
    "Copier Lease Integration",
    "Co-managed IT Agreement",
    "Email Security Add-on",
    "Phone System Replacement",
    "Disaster Recovery Plan",
    "Cabling for Warehouse",
)
_STAGES = ((1, "1.Prospect"), (2, "2.Qualification"), (3, "3.Proposal"), (4, "4.Negotiation"), (5, "5.Closed"))

_TICKET_DAYS = 123  # tickets were entered over the 123 days before today
# When each agreement ends, in months from this one (0: at the end of this month); None: no end date.
# Several end next month, so "agreements up for renewal next month" always finds some.
_AGREEMENT_ENDS = (1, 3, 1, 6, 2, 1, 9, 4, 11, 0, 7, 2, 5, 10, None)
_BILLING_STATUSES = {"Sent": 2, "Paid": 3}


def today_utc() -> date:
    return datetime.now(timezone.utc).date()


def month_start(moment: datetime, months: int = 0) -> datetime:
    """Midnight on the first of the month ``months`` after ``moment``'s month."""
    index = moment.year * 12 + moment.month - 1 + months
    return moment.replace(year=index // 12, month=index % 12 + 1, day=1, hour=0, minute=0, second=0, microsecond=0)


class _Generator:
    """Builds every collection in a fixed order from one random stream, so a seed always gives the same data."""

    def __init__(self, seed: int, ticket_count: int, base: str, today: date) -> None:
        self.rng = random.Random(seed)
        self.base = base
        self.ticket_count = ticket_count
        self.today = datetime(today.year, today.month, today.day, tzinfo=timezone.utc)  # midnight, UTC
        self.tickets_from = self.today - timedelta(days=_TICKET_DAYS)
        self.time_ids = [400001]  # the next time entry id, shared by ticket work and daily timesheets
        self.tables: dict[str, Table] = {template: Table() for template in RESOURCES}
        self.members: list[Record] = []
        self.companies: list[Record] = []
        self.contacts: dict[int, list[Record]] = {}  # company id -> its contacts
        self.devices: dict[int, list[str]] = {}  # company id -> configuration names
        self.boards: list[Record] = []
        self.statuses: dict[int, list[Record]] = {}  # board id -> its statuses
        self.priorities: list[Record] = []

    def run(self) -> dict[str, Table]:
        self.make_members()
        self.make_companies()
        self.make_contacts()
        self.make_configurations()
        self.make_boards()
        self.make_priorities()
        self.make_agreements()
        self.make_tickets()
        self.make_timesheets()
        self.make_projects()
        self.make_opportunities()
        self.make_schedule()
        self.make_invoices()
        return self.tables

    # -- helpers --

    def guid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def ago(self, days: int, hour: int = 12) -> str:
        """``days`` before today at ``hour`` UTC, as ConnectWise writes dates."""
        return iso((self.today - timedelta(days=days)).replace(hour=hour))

    def working_days(self, first: int, last: int) -> list[datetime]:
        """Monday to Friday from ``first`` to ``last`` days after today (negative: before), at midnight."""
        days = (self.today + timedelta(days=offset) for offset in range(first, last + 1))
        return [day for day in days if day.weekday() < 5]

    def moment(self, start: datetime, days: int) -> datetime:
        """A working-hours moment within ``days`` after ``start``, to the minute."""
        day = start + timedelta(days=self.rng.randrange(days))
        return day.replace(hour=self.rng.randint(7, 17), minute=self.rng.randrange(60), second=0)

    def add(
        self, template: str, record: Record, entered: str, updated: str, by: str, parent: int | None = None
    ) -> Record:
        record = _compact(record)
        updated_by = self.rng.choice(self.members)["identifier"] if self.members else by
        record["_info"] = make_info(template, self.base, record, entered, updated, by, updated_by)
        self.tables[template].put(record, parent)
        return record

    def ref(self, template: str, record: Mapping[str, Any]) -> Record:
        return REF_SHAPES[template](record, self.base)

    def tech(self) -> Record:
        return self.members[self.rng.choice(_TECHS)]

    def active_clients(self) -> list[Record]:
        return [c for c in self.companies[1:] if c["status"]["name"] == "Active"]

    # -- collections --

    def make_members(self) -> None:
        for index, (first, last, title) in enumerate(_MEMBERS):
            member_id = 140 + index
            email = f"{first.lower()}.{last.lower()}@labtechdemo.com"
            record = {
                "id": member_id,
                "identifier": f"{first[0]}{last}".lower(),
                "firstName": first,
                "lastName": last,
                "title": title,
                "officeEmail": email,
                "primaryEmail": email,
                "officePhone": f"614555{member_id:04d}",
                "defaultEmail": "Office",
                "licenseClass": "F",
                "inactiveFlag": index == len(_MEMBERS) - 1,
                "adminFlag": index == 0,
                "dailyCapacity": 8.0,
                "timeZone": _ref(self.base, "/system/timeZoneSetups", 1, "US Eastern", "timeZone_href"),
                "securityRole": _ref(self.base, "/security/roles", 6, "Technician", "role_href"),
            }
            entered = self.ago(2500 - 90 * index, hour=9)
            self.members.append(self.add(MEMBERS, record, entered, self.ago(80), "admin1"))

    def make_companies(self) -> None:
        owner = ("Lab Tech Demo", "Columbus", "OH", "Technology")
        for index, (name, city, state, market) in enumerate((owner, *_CLIENTS)):
            self.companies.append(self.make_company(250 + index, index - 1, name, city, state, market))

    def make_company(self, company_id: int, client: int, name: str, city: str, state: str, market: str) -> Record:
        rng = self.rng
        words = name.replace("-", " ").split()
        slug = "".join(words).lower()
        status_id, status = _COMPANY_STATUS.get(client, (1, "Active"))
        kind = (5, "Owner") if client < 0 else (3, "Prospect") if status_id == 3 else (1, "Client")
        acquired = self.today - timedelta(days=400 + rng.randrange(3400))
        record = {
            "id": company_id,
            "identifier": "".join(words[:2])[:25],
            "name": name,
            "status": _ref(self.base, "/company/companies/statuses", status_id, status, "status_href"),
            "types": [_ref(self.base, "/company/companies/types", kind[0], kind[1], "type_href")],
            "addressLine1": f"{rng.randint(100, 9899)} {rng.choice(_STREETS)}",
            "addressLine2": f"Suite {rng.randint(100, 450)}" if rng.random() < 0.3 else None,
            "city": city,
            "state": state,
            "zip": f"{rng.randint(10000, 99999)}",
            "country": _ref(self.base, "/company/countries", 1, "United States", "country_href"),
            "phoneNumber": f"{rng.randint(201, 989)}555{rng.randint(1000, 9999)}",
            "website": f"www.{slug}.com",
            "territory": _ref(self.base, "/system/locations", 1, "Main", "location_href"),
            "market": _ref(self.base, "/company/marketDescriptions", 1 + len(market) % 9, market, "market_href"),
            "numberOfEmployees": rng.choice((8, 12, 25, 40, 75, 120)),
            "timeZoneSetup": _ref(self.base, "/system/timeZoneSetups", 1, "US Eastern", "timeZoneSetup_href"),
            "billingTerms": _ref(self.base, "/finance/billingTerms", 1, "Net 30", "billingTerms_href"),
            "taxCode": _ref(self.base, "/finance/taxCodes", 11, "State", "taxCode_href"),
            "leadFlag": False,
            "unsubscribeFlag": False,
            "deletedFlag": False,
            "dateAcquired": iso(acquired.replace(hour=0, minute=0)),
            "mobileGuid": self.guid(),
        }
        updated = iso(self.moment(self.today - timedelta(days=200), 190))
        record = self.add(COMPANIES, record, record["dateAcquired"], updated, "admin1")
        record["billToCompany"] = self.ref(COMPANIES, record)
        return record

    def make_contacts(self) -> None:
        contact_id = 1400
        for index, company in enumerate(self.companies[1:]):
            people = []
            for _ in range(3 if index < 12 else 2):
                people.append(self.make_contact(contact_id, company, first=not people))
                contact_id += 1
            self.contacts[company["id"]] = people
            company["defaultContact"] = self.ref(CONTACTS, people[0])

    def make_contact(self, contact_id: int, company: Record, *, first: bool) -> Record:
        rng = self.rng
        given, family = rng.choice(_FIRST), rng.choice(_LAST)
        domain = company["website"].removeprefix("www.")
        phone = f"{company['phoneNumber'][:6]}{rng.randint(1000, 9999)}"
        items = [
            self.communication(1, "Email", f"{given.lower()}.{family.lower()}@{domain}", "Email"),
            self.communication(2, "Direct", phone, "Phone"),
        ]
        if rng.random() < 0.5:
            items.append(
                self.communication(4, "Mobile", f"{rng.randint(201, 989)}555{rng.randint(1000, 9999)}", "Phone")
            )
        record = {
            "id": contact_id,
            "firstName": given,
            "lastName": family,
            "company": self.ref(COMPANIES, company),
            "site": _ref(self.base, f"{COMPANIES}/{company['id']}/sites", company["id"] + 1000, "Main", "site_href"),
            "addressLine1": company["addressLine1"],
            "city": company["city"],
            "state": company["state"],
            "zip": company["zip"],
            "title": rng.choice(_TITLES),
            "inactiveFlag": rng.random() < 0.05,
            "defaultFlag": first,
            "defaultPhoneType": "Direct",
            "defaultPhoneNbr": phone,
            "marriedFlag": False,
            "childrenFlag": False,
            "disablePortalLoginFlag": False,
            "unsubscribeFlag": False,
            "communicationItems": items,
            "types": [_ref(self.base, "/company/contacts/types", 2, "End User", "type_href")],
            "mobileGuid": self.guid(),
        }
        entered = iso(self.moment(self.today - timedelta(days=1500), 1400))
        return self.add(CONTACTS, record, entered, self.ago(30), self.rng.choice(self.members)["identifier"])

    def communication(self, type_id: int, name: str, value: str, kind: str) -> Record:
        return {
            "id": self.rng.randint(10000, 99999),
            "type": _ref(self.base, "/company/communicationTypes", type_id, name, "type_href"),
            "value": value,
            "defaultFlag": type_id in (1, 2),
            "communicationType": kind,
        }

    def make_configurations(self) -> None:
        clients = self.active_clients()
        counts: dict[tuple[int, str], int] = {}
        for index in range(40):
            company = clients[index % len(clients)]
            spec = _CONFIG_TYPES[(index // len(clients) + index) % len(_CONFIG_TYPES)]
            number = counts[(company["id"], spec[2])] = counts.get((company["id"], spec[2]), 0) + 1
            name = f"{company['identifier'][:6].upper()}-{spec[2]}{number:02d}"
            self.devices.setdefault(company["id"], []).append(name)
            self.make_configuration(3001 + index, company, spec, name)

    def make_configuration(self, config_id: int, company: Record, spec: tuple[Any, ...], name: str) -> Record:
        rng = self.rng
        type_id, kind, _, maker, model, system = spec
        bought = self.today - timedelta(days=200 + rng.randrange(1500))
        contact = rng.choice(self.contacts[company["id"]]) if kind in ("Workstation", "Laptop") else None
        record = {
            "id": config_id,
            "name": name,
            "type": _ref(self.base, "/company/configurations/types", type_id, kind, "type_href"),
            "status": _ref(self.base, "/company/configurations/statuses", 1, "Active", "status_href"),
            "company": self.ref(COMPANIES, company),
            "contact": self.ref(CONTACTS, contact) if contact else None,
            "manufacturer": _ref(self.base, "/procurement/manufacturers", 10 + type_id, maker, "manufacturer_href"),
            "modelNumber": model,
            "serialNumber": "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(10)),
            "tagNumber": f"AT-{config_id}",
            "osType": system,
            "ipAddress": f"10.{rng.randint(0, 40)}.{rng.randint(0, 9)}.{rng.randint(2, 250)}",
            "macAddress": ":".join(f"{rng.randrange(256):02X}" for _ in range(6)),
            "lastLoginName": f"{contact['firstName'][0]}{contact['lastName']}".lower() if contact else None,
            "purchaseDate": iso(bought),
            "installationDate": iso(bought + timedelta(days=rng.randint(3, 20))),
            "warrantyExpirationDate": iso(bought + timedelta(days=3 * 365)),
            "installedBy": self.ref(MEMBERS, self.tech()),
            "billFlag": False,
            "activeFlag": True,
            "mobileGuid": self.guid(),
        }
        return self.add(CONFIGURATIONS, record, iso(bought), self.ago(3, hour=9), "jkim")

    def make_boards(self) -> None:
        for index, name in enumerate(_BOARDS):
            board_id = index + 1
            record = {
                "id": board_id,
                "name": name,
                "location": _ref(self.base, "/system/locations", 1, "Main", "location_href"),
                "department": _ref(self.base, "/system/departments", 2, "Services", "department_href"),
                "inactiveFlag": False,
                "projectFlag": name == "Professional Services",
                "billTime": "Billable",
                "showDependenciesFlag": False,
                "timeEntryLockedFlag": False,
            }
            board = self.add(BOARDS, record, self.ago(2500, hour=9), self.ago(100, hour=10), "admin1")
            self.boards.append(board)
            self.statuses[board_id] = [
                self.add(STATUSES, record, self.ago(2500, hour=9), self.ago(100, hour=10), "admin1", board_id)
                for record in default_statuses(self.ref(BOARDS, board), board_id * 10 + 1)
            ]

    def make_priorities(self) -> None:
        for sort, (priority_id, name, color) in enumerate(_PRIORITIES, start=1):
            record = {
                "id": priority_id,
                "name": name,
                "color": color,
                "sortOrder": sort,
                "defaultFlag": priority_id == _DEFAULT_PRIORITY,
            }
            self.priorities.append(
                self.add(PRIORITIES, record, self.ago(2500, hour=9), self.ago(300, hour=10), "admin1")
            )

    def make_agreements(self) -> None:
        this_month = month_start(self.today)
        for index, company in enumerate(self.active_clients()[: len(_AGREEMENT_ENDS)]):
            type_id, kind, amount = _AGREEMENT_TYPES[index % len(_AGREEMENT_TYPES)]
            ends = _AGREEMENT_ENDS[index]
            if ends is None:  # month to month
                start, end = month_start(this_month, -self.rng.randrange(6, 30)), None
            else:  # a 12-month term (36 for Gold) ending on the last day of its month
                end = month_start(this_month, ends + 1) - timedelta(days=1)
                start = month_start(this_month, ends + 1 - (36 if kind.endswith("Gold") else 12))
            record = {
                "id": 71 + index,
                "name": f"{company['identifier']} {kind}",
                "type": _ref(self.base, "/finance/agreements/types", type_id, kind, "type_href"),
                "company": self.ref(COMPANIES, company),
                "contact": self.ref(CONTACTS, self.contacts[company["id"]][0]),
                "agreementStatus": "Active",
                "startDate": iso(start),
                "endDate": iso(end) if end else None,
                "noEndingDateFlag": end is None,
                "billStartDate": iso(start),
                "nextInvoiceDate": iso(month_start(this_month, 1)),
                "cancelledFlag": False,
                "billAmount": amount,
                "applicationUnits": "Hours" if kind == "Block Time" else "Amount",
                "applicationLimit": 20.0 if kind == "Block Time" else 0.0,
                "periodType": "Monthly",
                "billingCycle": _ref(self.base, "/finance/billingCycles", 2, "Monthly", "billingCycle_href"),
                "billTime": "Billable" if kind == "Block Time" else "NoCharge",
                "taxable": False,
                "prorateFlag": True,
                "invoicingCycle": "ContractYear",
            }
            self.add(AGREEMENTS, record, iso(start - timedelta(days=10)), self.ago(20, hour=11), "jortiz")

    def make_tickets(self) -> None:
        moments = sorted(self.moment(self.tickets_from, _TICKET_DAYS) for _ in range(self.ticket_count))
        notes, entries = [200001], self.time_ids  # next ids, shared by every ticket
        clients = self.active_clients()
        for index, entered in enumerate(moments):
            self.make_ticket(1001 + index, entered, self.rng.choice(clients), notes, entries)

    def make_ticket(
        self, ticket_id: int, entered: datetime, company: Record, notes: list[int], entries: list[int]
    ) -> None:
        rng = self.rng
        board = rng.choices(self.boards[:5], _BOARD_WEIGHTS)[0]
        status = rng.choices(self.statuses[board["id"]], _STATUS_WEIGHTS)[0]
        alert = board["name"] == "Alerts"
        contact = None if alert else rng.choice(self.contacts[company["id"]])
        owner = None if status["name"] == "New" else self.tech()
        summary = self.summary(board["name"], company, contact)
        work = self.time_entries(ticket_id, summary, company, owner, entered, entries) if owner else []
        hours = round(sum(entry["actualHours"] for entry in work), 2)
        finished = parse_iso(work[-1]["timeEnd"]) if work else entered + timedelta(minutes=rng.randint(20, 600))
        closed = status["closedStatus"]
        talk = self.ticket_notes(ticket_id, summary, entered, contact, owner, work, closed, notes)
        updated = max([entered, finished if owner else entered] + [parse_iso(n["dateCreated"]) for n in talk])
        priority = rng.choices(self.priorities, (10, 25, 45, 15, 5) if not alert else (20, 40, 40, 0, 0))[0]
        record = {
            "id": ticket_id,
            "summary": summary,
            "recordType": "ServiceTicket",
            "board": self.ref(BOARDS, board),
            "status": self.ref(STATUSES, status),
            "company": self.ref(COMPANIES, company),
            "site": _ref(self.base, f"{COMPANIES}/{company['id']}/sites", company["id"] + 1000, "Main", "site_href"),
            "siteName": "Main",
            "addressLine1": company["addressLine1"],
            "city": company["city"],
            "stateIdentifier": company["state"],
            "zip": company["zip"],
            "contact": self.ref(CONTACTS, contact) if contact else None,
            "contactName": _full_name(contact) if contact else None,
            "contactPhoneNumber": contact["defaultPhoneNbr"] if contact else None,
            "contactEmailAddress": contact["communicationItems"][0]["value"] if contact else None,
            "team": _ref(
                self.base, f"{BOARDS}/{board['id']}/teams", 1 + int(alert), "NOC" if alert else "Tier 1", "team_href"
            ),
            "priority": self.ref(PRIORITIES, priority),
            "serviceLocation": _ref(self.base, "/service/locations", 2, "Remote", "location_href"),
            "source": _ref(
                self.base, "/service/sources", 3 if alert else 2, "RMM" if alert else "Email", "source_href"
            ),
            "severity": rng.choice(("Low", "Medium", "Medium", "High")),
            "impact": rng.choice(("Low", "Medium", "Medium", "High")),
            "owner": self.ref(MEMBERS, owner) if owner else None,
            "resources": owner["identifier"] if owner else None,
            "closedFlag": closed,
            "closedDate": iso(finished) if closed else None,
            "closedBy": owner["identifier"] if closed and owner else None,
            "dateEntered": iso(entered),
            "requiredDate": iso(entered + timedelta(days=rng.randint(1, 5))) if rng.random() < 0.6 else None,
            "budgetHours": rng.choice((0.5, 1.0, 2.0, 4.0, 8.0)),
            "actualHours": hours,
            "approved": True,
            "allowAllClientsPortalView": False,
            "customerUpdatedFlag": False,
            "automaticEmailContactFlag": not alert,
            "automaticEmailResourceFlag": True,
            "automaticEmailCcFlag": False,
            "billTime": "Billable",
            "billExpenses": "Billable",
            "billProducts": "Billable",
            "isInSla": rng.random() < 0.85,
            "hasChildTicket": False,
            "hasMergedChildTicketFlag": False,
            "mobileGuid": self.guid(),
            "currency": self.currency(),
        }
        by = "RMMAgent" if alert else rng.choice(self.members[:4])["identifier"]
        self.add(TICKETS, record, iso(entered), iso(updated), by)

    def currency(self) -> Record:
        return {
            "id": 7,
            "symbol": "$",
            "currencyCode": "USD",
            "decimalSeparator": ".",
            "numberOfDecimals": 2,
            "thousandsSeparator": ",",
            "negativeParenthesesFlag": False,
            "displaySymbolFlag": False,
            "currencyIdentifier": "USD",
            "displayIdFlag": False,
            "rightAlign": False,
            "name": "US Dollars",
            "_info": {"currency_href": f"{self.base}/finance/currencies/7"},
        }

    def summary(self, board: str, company: Record, contact: Record | None) -> str:
        template = self.rng.choice(_SUMMARIES[board])
        devices = self.devices.get(company["id"]) or [f"{company['identifier'][:6].upper()}-SRV01"]
        newcomer = f"{self.rng.choice(_FIRST)} {self.rng.choice(_LAST)}"
        name = _full_name(contact) if contact else newcomer
        domain = company["website"].removeprefix("www.")
        return template.format(contact=name, device=self.rng.choice(devices), domain=domain, newcomer=newcomer)

    def time_entries(
        self, ticket_id: int, summary: str, company: Record, owner: Record, entered: datetime, ids: list[int]
    ) -> list[Record]:
        rng = self.rng
        start = entered + timedelta(minutes=rng.randint(10, 240))
        made = []
        for _ in range(rng.randint(1, 3)):
            hours = rng.choice((0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0))
            if start + timedelta(hours=hours) > self.today:
                break  # work happens in the past: nothing logged for later today
            ticket = {"id": ticket_id, "summary": summary}
            made.append(self.time_entry(ids, ticket, self.ref(COMPANIES, company), owner, start, hours))
            start += timedelta(hours=hours, minutes=rng.randint(30, 2880))
        return made

    def time_entry(
        self, ids: list[int], ticket: Mapping[str, Any], company: Record, member: Record, start: datetime, hours: float
    ) -> Record:
        rng = self.rng
        end = start + timedelta(hours=hours)
        record = {
            "id": ids[0],
            "company": company,
            "companyType": "Client",
            "chargeToId": ticket["id"],
            "chargeToType": "ServiceTicket",
            "ticket": ticket_ref(ticket, self.base),
            "member": self.ref(MEMBERS, member),
            "locationId": 1,
            "businessUnitId": 10,
            "workType": _ref(self.base, "/time/workTypes", 1, "Remote Support", "workType_href"),
            "workRole": _ref(self.base, "/time/workRoles", 3, "Technician", "workRole_href"),
            "timeStart": iso(start),
            "timeEnd": iso(end),
            "hoursDeduct": 0.0,
            "actualHours": hours,
            "billableOption": rng.choice(("Billable", "Billable", "DoNotBill", "NoCharge")),
            "notes": rng.choice(_WORK),
            "addToDetailDescriptionFlag": False,
            "addToInternalAnalysisFlag": True,
            "addToResolutionFlag": False,
            "hoursBilled": 0.0,
            "status": "Open",
            "enteredBy": member["identifier"],
            "dateEntered": iso(end),
            "mobileGuid": self.guid(),
        }
        ids[0] += 1
        return self.add(TIME_ENTRIES, record, iso(end), iso(end), member["identifier"])

    def make_timesheets(self) -> None:
        """Every technician's working days over the last two weeks, ticket by ticket ("Sam's time yesterday")."""
        rng = self.rng
        tickets = sorted(self.tables[TICKETS].records.values(), key=lambda ticket: ticket["dateEntered"])
        for day in self.working_days(-14, -1):
            when = iso(day)
            open_then = [t for t in tickets if t["dateEntered"] < when and t.get("closedDate", when) >= when]
            for index in _TECHS:
                member = self.members[index]
                start = day.replace(hour=8, minute=rng.choice((0, 15, 30)))
                for _ in range(rng.randint(2, 4)):
                    ticket = rng.choice(open_then or tickets)
                    hours = rng.choice((0.5, 0.75, 1.0, 1.5, 2.0))
                    self.time_entry(self.time_ids, ticket, copy.deepcopy(ticket["company"]), member, start, hours)
                    start += timedelta(hours=hours, minutes=rng.choice((0, 15, 30, 60)))

    def ticket_notes(
        self,
        ticket_id: int,
        summary: str,
        entered: datetime,
        contact: Record | None,
        owner: Record | None,
        work: list[Record],
        closed: bool,
        ids: list[int],
    ) -> list[Record]:
        rng = self.rng
        author = owner or self.members[9]
        first = f"{summary}. {rng.choice(_DETAILS)}"
        made = [
            self.note(ticket_id, ids, first, entered, detail=True, contact=contact, member=None if contact else author)
        ]
        for entry in work[:-1] if closed else work:
            if rng.random() < 0.6:
                made.append(
                    self.note(ticket_id, ids, rng.choice(_INTERNAL), parse_iso(entry["timeEnd"]), member=author)
                )
        if closed and work:
            text = rng.choice(_RESOLUTIONS)
            made.append(self.note(ticket_id, ids, text, parse_iso(work[-1]["timeEnd"]), resolution=True, member=author))
        return made

    def note(
        self,
        ticket_id: int,
        ids: list[int],
        text: str,
        when: datetime | None,
        *,
        detail: bool = False,
        resolution: bool = False,
        contact: Record | None = None,
        member: Record | None = None,
    ) -> Record:
        created = iso(when or self.tickets_from)
        record = {
            "id": ids[0],
            "ticketId": ticket_id,
            "text": text,
            "detailDescriptionFlag": detail or resolution,
            "internalAnalysisFlag": not (detail or resolution),
            "resolutionFlag": resolution,
            "issueFlag": False,
            "member": self.ref(MEMBERS, member) if member else None,
            "contact": self.ref(CONTACTS, contact) if contact else None,
            "customerUpdatedFlag": contact is not None,
            "processNotifications": False,
            "dateCreated": created,
            "createdBy": member["identifier"] if member else "Portal",
            "internalFlag": not (detail or resolution),
            "externalFlag": detail or resolution,
        }
        ids[0] += 1
        return self.add(NOTES, record, created, created, record["createdBy"], parent=ticket_id)

    def make_schedule(self) -> None:
        """Technicians' calendars from a week ago to two weeks ahead ("what is on my schedule tomorrow")."""
        rng = self.rng
        open_tickets = [t for t in self.tables[TICKETS].records.values() if not t["closedFlag"]]
        entry_id = 7001
        for day in self.working_days(-7, 14):
            for index in _TECHS:
                for hour in sorted(rng.sample((9, 11, 13, 15), rng.randint(1, 2))):
                    ticket = rng.choice(open_tickets)
                    start = day.replace(hour=hour)
                    self.schedule_entry(entry_id, ticket, self.members[index], start, rng.choice((1.0, 1.5, 2.0)))
                    entry_id += 1

    def schedule_entry(self, entry_id: int, ticket: Record, member: Record, start: datetime, hours: float) -> None:
        end = start + timedelta(hours=hours)
        done = end <= self.today
        on_site = self.rng.random() < 0.3
        record = {
            "id": entry_id,
            "objectId": ticket["id"],
            "name": f"{ticket['company']['name']} / {ticket['summary']}",
            "member": self.ref(MEMBERS, member),
            "where": _ref(
                self.base, "/service/locations", 1 if on_site else 2, "On-Site" if on_site else "Remote", "where_href"
            ),
            "dateStart": iso(start),
            "dateEnd": iso(end),
            "reminder": _ref(self.base, "/schedule/reminders", 3, "15 minutes", "reminder_href"),
            "status": _ref(self.base, "/schedule/statuses", 2, "Firm", "status_href"),
            "type": {"id": 4, "identifier": "S", "_info": {"type_href": f"{self.base}/schedule/types/4"}},
            "doneFlag": done,
            "acknowledgedFlag": start < self.today + timedelta(days=2),
            "ownerFlag": False,
            "meetingFlag": False,
            "allowScheduleConflictsFlag": False,
            "addMemberToProjectFlag": False,
            "closeDate": iso(end) if done else None,
            "hours": hours,
            "mobileGuid": self.guid(),
        }
        booked = iso((min(start, self.today) - timedelta(days=self.rng.randint(1, 5))).replace(hour=8))
        self.add(SCHEDULE_ENTRIES, record, booked, booked, self.members[9]["identifier"])  # the dispatcher

    def make_invoices(self) -> None:
        """Each agreement's monthly invoice for the last three months, and one per project under way."""
        this_month = month_start(self.today)
        invoice_id = 3501
        for agreement in self.tables[AGREEMENTS].records.values():
            for back in (2, 1, 0):
                issued = month_start(this_month, -back)
                if iso(issued) < agreement["startDate"]:
                    continue  # not billed before it began
                # Two months back: paid but for a few (overdue whatever today is); last month: mostly paid;
                # this month: sent, not yet due.
                paid = agreement["id"] % 5 != 0 if back == 2 else back == 1 and agreement["id"] % 3 != 0
                lines = {"agreementAmount": agreement["billAmount"]}
                self.invoice(invoice_id, "Agreement", agreement["company"], issued, paid, lines, agreement=agreement)
                invoice_id += 1
        for project in self.tables[PROJECTS].records.values():
            if project["status"]["name"] == "Open":
                continue
            issued = self.today - timedelta(days=self.rng.randint(3, 50))
            lines = {"serviceTotal": round(project["actualHours"] * 150, 2)}
            paid = project["closedFlag"]
            self.invoice(invoice_id, "Standard", project["company"], issued, paid, lines, project=project)
            invoice_id += 1

    def invoice(
        self,
        invoice_id: int,
        kind: str,
        company_ref: Record,
        issued: datetime,
        paid: bool,
        lines: Mapping[str, float],
        *,
        agreement: Record | None = None,
        project: Record | None = None,
    ) -> None:
        company = self.tables[COMPANIES].records[company_ref["id"]]
        total = round(sum(lines.values()), 2)
        status = "Paid" if paid else "Sent"
        target = agreement or project or {}
        record = {
            "id": invoice_id,
            "invoiceNumber": str(20000 + invoice_id),
            "type": kind,
            "status": _ref(self.base, "/finance/billingStatuses", _BILLING_STATUSES[status], status, "status_href"),
            "company": self.ref(COMPANIES, company),
            "billToCompany": self.ref(COMPANIES, company),
            "shipToCompany": self.ref(COMPANIES, company),
            "applyToType": "Agreement" if agreement else "Project",
            "applyToId": target.get("id"),
            "agreement": self.ref(AGREEMENTS, agreement) if agreement else None,
            "project": self.ref(PROJECTS, project) if project else None,
            "attention": (company.get("defaultContact") or {}).get("name"),
            "billingSiteCity": company["city"],
            "billingSiteState": company["state"],
            "billingSiteZip": company["zip"],
            "billingTerms": _ref(self.base, "/finance/billingTerms", 1, "Net 30", "billingTerms_href"),
            "reference": target.get("name"),
            "date": iso(issued),
            "dueDate": iso(issued + timedelta(days=30)),
            "taxableFlag": False,
            "locationId": 1,
            "departmentId": 2,
            "territoryId": 1,
            "serviceTotal": 0.0,
            "productTotal": 0.0,
            "expenseTotal": 0.0,
            "agreementAmount": 0.0,
            **lines,
            "subtotal": total,
            "salesTax": 0.0,
            "total": total,
            "payments": total if paid else 0.0,
            "credits": 0.0,
            "balance": 0.0 if paid else total,
            "specialInvoiceFlag": False,
            "addToBatchEmailList": True,
            "currency": self.currency(),
        }
        self.add(INVOICES, record, iso(issued.replace(hour=9)), iso(issued.replace(hour=9)), "jortiz")

    def make_projects(self) -> None:
        clients = self.active_clients()
        for index, name in enumerate(_PROJECTS):
            rng = self.rng
            company = clients[(index * 3) % len(clients)]
            status_id, status = rng.choice(_PROJECT_STATUSES)
            start = self.moment(self.today - timedelta(days=170), 150).replace(hour=0, minute=0)
            budget = float(rng.choice((24, 40, 80, 120, 200)))
            done = 100 if status == "Closed" else rng.choice((0, 10, 25, 40, 60, 80))
            record = {
                "id": 11 + index,
                "name": name,
                "board": self.ref(BOARDS, self.boards[5]),
                "status": _ref(self.base, "/project/statuses", status_id, status, "status_href"),
                "company": self.ref(COMPANIES, company),
                "contact": self.ref(CONTACTS, self.contacts[company["id"]][0]),
                "manager": self.ref(MEMBERS, self.members[6]),
                "type": _ref(self.base, "/project/projectTypes", 1 + index % 3, "Infrastructure", "type_href"),
                "estimatedStart": iso(start),
                "estimatedEnd": iso(start + timedelta(days=rng.randint(30, 120))),
                "actualStart": iso(start) if status != "Open" else None,
                "budgetHours": budget,
                "actualHours": round(budget * done / 100 * rng.uniform(0.8, 1.2), 2),
                "percentComplete": float(done),
                "billingMethod": rng.choice(("FixedFee", "ActualRates")),
                "billingAmount": budget * 150,
                "description": f"{name} for {company['name']}.",
                "closedFlag": status == "Closed",
                "restrictDownPaymentFlag": False,
                "mobileGuid": self.guid(),
            }
            self.add(PROJECTS, record, iso(start - timedelta(days=14)), self.ago(5, hour=15), "rthompson")

    def make_opportunities(self) -> None:
        for index, name in enumerate(_OPPORTUNITIES):
            rng = self.rng
            company = rng.choice(self.companies[1:])
            stage_id, stage = rng.choice(_STAGES)
            status = "Won" if stage_id == 5 and rng.random() < 0.6 else "Lost" if stage_id == 5 else "Open"
            close = self.moment(self.today - timedelta(days=30), 120).replace(hour=0, minute=0)
            if stage_id == 5:  # won or lost: decided already
                close = min(close, self.today - timedelta(days=rng.randint(1, 20)))
            record = {
                "id": 501 + index,
                "name": name,
                "type": _ref(self.base, "/sales/opportunities/types", 1, "New Business", "type_href"),
                "stage": _ref(self.base, "/sales/stages", stage_id, stage, "stage_href"),
                "status": _ref(
                    self.base,
                    "/sales/opportunities/statuses",
                    {"Open": 1, "Won": 2, "Lost": 3}[status],
                    status,
                    "status_href",
                ),
                "priority": _ref(
                    self.base,
                    "/sales/opportunities/priorities",
                    2,
                    rng.choice(("Hot", "Warm", "Cold")),
                    "priority_href",
                ),
                "probability": _ref(
                    self.base, "/sales/probabilities", stage_id, f"{stage_id * 20}%", "probability_href"
                ),
                "source": rng.choice(("Referral", "Website", "Existing Client", "Trade Show")),
                "notes": f"{name} discussed with {company['name']}.",
                "expectedCloseDate": iso(close),
                "closedFlag": status != "Open",
                "closedDate": iso(close) if status != "Open" else None,
                "primarySalesRep": self.ref(MEMBERS, self.members[7]),
                "company": self.ref(COMPANIES, company),
                "contact": self.ref(CONTACTS, self.contacts[company["id"]][0]),
                "totalSalesTax": 0.0,
            }
            self.add(OPPORTUNITIES, record, iso(close - timedelta(days=60)), self.ago(3, hour=10), "jortiz")


def default_statuses(board: Record, first_id: int) -> list[Record]:
    """The statuses every board starts with (also given to boards created through the API)."""
    return [
        {
            "id": first_id + index,
            "name": name,
            "board": board,
            "sortOrder": index,
            "displayOnBoard": True,
            "inactive": False,
            "closedStatus": closed,
            "timeEntryNotAllowed": closed,
            "defaultFlag": default,
            "escalationStatus": escalation,
            "customerPortalFlag": True,
        }
        for index, (name, escalation, closed, default) in enumerate(_STATUSES)
    ]


def generate(seed: int, ticket_count: int, base: str, today: date | None = None) -> dict[str, Table]:
    """Every collection, generated from ``seed`` with dates around ``today`` (default: the current UTC
    date); hrefs point at ``base`` (the API root URL)."""
    tables = {}
    for template, saved in json.loads(_generated(seed, ticket_count, base, today or today_utc())).items():
        table = tables[template] = Table()
        parents = dict(saved["parents"])
        for record in saved["records"]:
            table.put(record, parents.get(record["id"]))
    return tables


@functools.lru_cache(maxsize=4)
def _generated(seed: int, ticket_count: int, base: str, today: date) -> bytes:
    # Generated once per arguments and kept as JSON: loading a copy is several times faster than
    # generating again, and tests reset() the stand-in before every test.
    tables = _Generator(seed, ticket_count, base, today).run()
    saved = {
        t: {"records": list(table.records.values()), "parents": list(table.parents.items())}
        for t, table in tables.items()
    }
    return json.dumps(saved).encode()


def huge_records(count: int, base: str) -> list[Record]:
    """Many ticket-like records, cheaply: the nested parts are shared between records."""
    board = {"id": 1, "name": "Service Desk", "_info": {"board_href": f"{base}{BOARDS}/1"}}
    status = {"id": 11, "name": "New", "Sort": 0, "_info": {"status_href": f"{base}{BOARDS}/1/statuses/11"}}
    company = {
        "id": 251,
        "identifier": "AcmeDental",
        "name": "Acme Dental Group",
        "_info": {"company_href": f"{base}{COMPANIES}/251"},
    }
    return [
        {
            "id": 900000 + index,
            "summary": f"Generated ticket {index + 1} of {count}",
            "recordType": "ServiceTicket",
            "board": board,
            "status": status,
            "company": company,
            "closedFlag": False,
            "dateEntered": "2026-01-05T14:03:00Z",
            "_info": make_info(
                TICKETS,
                base,
                {"id": 900000 + index},
                "2026-01-05T14:03:00Z",
                "2026-01-05T14:03:00Z",
                "RMMAgent",
                "RMMAgent",
            ),
        }
        for index in range(count)
    ]


# -- changes ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    parent_id: int | None
    previous: Record | None  # the stored record for PUT and PATCH, None for POST
    changed: frozenset[str] | None  # top-level fields a PATCH touched; None when the whole record was sent
    now: str

    def touched(self, name: str) -> bool:
        return self.changed is None or name in self.changed


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _record_paths(value: Mapping[str, Any], prefix: str, into: dict[str, str]) -> None:
    for key, inner in value.items():
        path = f"{prefix}{key}"
        into.setdefault(path.lower(), path)
        if isinstance(inner, Mapping):
            _record_paths(inner, f"{path}/", into)


class Store:
    """The stand-in's records; every method that reads or writes them takes ``lock``."""

    def __init__(self, seed: int, ticket_count: int, base: str, today: date | None = None) -> None:
        self.lock = threading.RLock()
        self.base = base
        self.tables = generate(seed, ticket_count, base, today)
        self._paths: dict[str, dict[str, str]] = {}

    # -- reading --

    def rows(self, template: str, parent_id: int | None) -> list[Record]:
        with self.lock:
            self.require_parent(template, parent_id)
            return self.tables[template].rows(parent_id)

    def get(self, template: str, parent_id: int | None, record_id: int) -> Record:
        with self.lock:
            self.require_parent(template, parent_id)
            table = self.tables[template]
            record = table.records.get(record_id)
            if record is None or table.parents.get(record_id) != parent_id:
                raise not_found(RESOURCES[template].noun, record_id)
            return record

    def require_parent(self, template: str, parent_id: int | None) -> None:
        parent = RESOURCES[template].parent
        if parent is not None and parent_id not in self.tables[parent].records:
            raise not_found(RESOURCES[parent].noun, parent_id)

    def known_paths(self, template: str) -> dict[str, str]:
        """Every field path some record of the collection has, lower-cased -> as spelled; what conditions may use."""
        with self.lock:
            paths = self._paths.get(template)
            if paths is None:
                paths = {}
                for record in self.tables[template].records.values():
                    _record_paths(record, "", paths)
                resource = RESOURCES[template]
                for name in (*resource.required, *resource.refs):
                    paths.setdefault(name.lower(), name)
                self._paths[template] = paths
            return paths

    def sample(self, template: str, count: int) -> list[Record]:
        with self.lock:
            return copy.deepcopy(self.tables[template].rows()[:count])

    # -- writing --

    def create(self, template: str, parent_id: int | None, body: Any) -> Record:
        resource = RESOURCES[template]
        with self.lock:
            self.require_parent(template, parent_id)
            record = self._body(resource, body)
            change = Change(parent_id, None, None, utc_now())
            self._validate(resource, record, change)
            table = self.tables[template]
            record = {"id": table.next_id, **record}
            self._finish(resource, record, change)
            table.put(record, parent_id)
            self._after_create(template, record)
            self._paths.pop(template, None)
            return copy.deepcopy(record)

    def replace(self, template: str, parent_id: int | None, record_id: int, body: Any) -> Record:
        resource = RESOURCES[template]
        with self.lock:
            current = self.get(template, parent_id, record_id)
            record = {"id": record_id, **self._body(resource, body)}
            change = Change(parent_id, current, None, utc_now())
            self._validate(resource, record, change)
            self._finish(resource, record, change)
            return self._store(template, record, parent_id)

    def patch(self, template: str, parent_id: int | None, record_id: int, operations: Any) -> Record:
        resource = RESOURCES[template]
        if not isinstance(operations, list):
            raise ApiError(400, {"code": "InvalidObject", "message": "Patch operations must be an array"})
        with self.lock:
            current = self.get(template, parent_id, record_id)
            record = copy.deepcopy(current)
            fields = {path: name for path, name in self.known_paths(template).items() if "/" not in path}
            changed = frozenset(self._apply(resource, record, op, fields) for op in operations)
            change = Change(parent_id, current, changed, utc_now())
            self._validate(resource, record, change)
            self._finish(resource, record, change)
            return self._store(template, record, parent_id)

    def delete(self, template: str, parent_id: int | None, record_id: int) -> None:
        with self.lock:
            self.get(template, parent_id, record_id)
            self.tables[template].remove(record_id)
            for child in RESOURCES.values():
                if child.parent == template:  # a ticket's notes go with it, a board's statuses with the board
                    table = self.tables[child.template]
                    for key in [key for key, parent in table.parents.items() if parent == record_id]:
                        table.remove(key)
                    self._paths.pop(child.template, None)
            self._paths.pop(template, None)

    def _store(self, template: str, record: Record, parent_id: int | None) -> Record:
        self.tables[template].put(record, parent_id)
        self._paths.pop(template, None)
        return copy.deepcopy(record)

    @staticmethod
    def _body(resource: Resource, body: Any) -> Record:
        if not isinstance(body, dict):
            raise ApiError(
                400, {"code": "InvalidObject", "message": f"{resource.name} must be a JSON object", "errors": None}
            )
        return {key: copy.deepcopy(value) for key, value in body.items() if key not in READ_ONLY}

    # -- patch operations --

    def _apply(self, resource: Resource, record: Record, operation: Any, fields: Mapping[str, str]) -> str:
        """Apply one ``{"op", "path", "value"}`` operation; returns the top-level field it touched."""

        def fail(message: str, name: str) -> ApiError:
            return invalid(resource.name, [field_error(resource.name, name, message)])

        if not isinstance(operation, dict):
            raise fail("Each patch operation must be an object with op, path and value.", "")
        kind = str(operation.get("op", "")).lower()
        path = operation.get("path")
        if kind not in ("add", "replace", "remove"):
            raise fail(f"op '{operation.get('op')}' is not supported; use add, replace or remove.", str(path))
        if not isinstance(path, str) or not path.strip("/"):
            raise fail("path is required.", "")
        if kind != "remove" and "value" not in operation:
            raise fail("value is required.", path)
        parts = path.strip("/").split("/")
        name = fields.get(parts[0].lower())
        if name is None or name in READ_ONLY:
            reason = "is read-only" if name in READ_ONLY else "is not a field of this object"
            raise fail(f"{path} {reason}.", path)
        value = None if kind == "remove" else copy.deepcopy(operation["value"])
        if len(parts) == 1:
            record[name] = value
        elif name in resource.refs and len(parts) == 2:
            record[name] = None if value is None else {parts[1]: value}  # resolved to a full reference later
        else:
            self._set_nested(record, [name, *parts[1:]], value, fail, path)
        return name

    @staticmethod
    def _set_nested(
        record: Record, parts: list[str], value: Any, fail: Callable[[str, str], ApiError], path: str
    ) -> None:
        target = record
        for part in parts[:-1]:
            key = next((k for k in target if k.lower() == part.lower()), part)
            inner = target.get(key)
            if inner is None:
                inner = target[key] = {}
            if not isinstance(inner, dict):
                raise fail(f"{path} does not lead into an object.", path)
            target = inner
        key = next((k for k in target if k.lower() == parts[-1].lower()), parts[-1])
        target[key] = value

    # -- validation and derived fields --

    def _validate(self, resource: Resource, record: Record, change: Change) -> None:
        errors = [
            field_error(resource.name, name, f"{name} is required.", "NullFields")
            for name in resource.required
            if _blank(record.get(name))
        ]
        for name, limit in resource.limits.items():
            value = record.get(name)
            if value is not None and not isinstance(value, str):
                errors.append(field_error(resource.name, name, f"{name} must be text."))
            elif value is not None and len(value) > limit:
                errors.append(field_error(resource.name, name, f"{name} cannot be longer than {limit} characters."))
        for name, rule in resource.refs.items():
            if record.get(name) is None or not change.touched(name):
                continue
            resolved = self._resolve(rule, record[name], record)
            if resolved is None:
                errors.append(field_error(resource.name, name, f"{name} {json.dumps(record[name])} was not found."))
            else:
                record[name] = resolved
        if errors:
            raise invalid(resource.name, errors)

    def _resolve(self, rule: RefRule, value: Any, record: Record) -> Record | None:
        """The full reference for ``{"id": ..}`` (or identifier, or name), like ConnectWise looks them up."""
        if not isinstance(value, dict):
            return None
        parent_id = None
        if rule.parent_field:
            parent = record.get(rule.parent_field)
            parent_id = parent.get("id") if isinstance(parent, dict) else None
            if parent_id is None:
                return None
        found = _find_ref(self.tables[rule.target].rows(parent_id), value)
        return None if found is None else REF_SHAPES[rule.target](found, self.base)

    def _finish(self, resource: Resource, record: Record, change: Change) -> None:
        finisher = _FINISHERS.get(resource.template)
        if finisher is not None:
            finisher(self, record, change)
        for key in [key for key, value in record.items() if value is None]:
            del record[key]
        previous = (change.previous or {}).get("_info") or {}
        entered = previous.get("dateEntered", change.now)
        entered_by = previous.get("enteredBy", API_MEMBER)
        record["_info"] = make_info(resource.template, self.base, record, entered, change.now, entered_by, API_MEMBER)

    def _after_create(self, template: str, record: Record) -> None:
        if template == BOARDS:  # ConnectWise gives a new board its statuses; tickets on it need a default one
            table = self.tables[STATUSES]
            for status in default_statuses(board_ref(record, self.base), table.next_id):
                self._finish(RESOURCES[STATUSES], status, Change(record["id"], None, None, utc_now()))
                table.put(status, record["id"])
            self._paths.pop(STATUSES, None)

    def ref_of(self, template: str, record: Mapping[str, Any]) -> Record:
        return REF_SHAPES[template](record, self.base)

    def status(self, board_id: int, *, closed: bool) -> Record | None:
        """The board's default open status, or its first closed one."""
        rows = self.tables[STATUSES].rows(board_id)
        if closed:
            return next((row for row in rows if row.get("closedStatus")), None)
        return next((row for row in rows if row.get("defaultFlag")), rows[0] if rows else None)


def _find_ref(rows: list[Record], value: Mapping[str, Any]) -> Record | None:
    if value.get("id") is not None:
        try:
            wanted = int(value["id"])
        except (TypeError, ValueError):
            return None
        return next((row for row in rows if row["id"] == wanted), None)
    for key in ("identifier", "name"):
        wanted = value.get(key)
        if isinstance(wanted, str):
            return next((row for row in rows if _label(row, key).lower() == wanted.strip().lower()), None)
    return None


def _label(row: Mapping[str, Any], key: str) -> str:
    if key == "name" and "name" not in row:
        return _full_name(row)  # contacts and members are referenced by "First Last"
    return str(row.get(key) or "")


# -- per-collection defaults, applied on every write -----------------------------------------------------------------


def _finish_ticket(store: Store, record: Record, change: Change) -> None:
    board_id = record["board"]["id"]
    previous = change.previous or {}
    status = record.get("status")
    if change.changed is not None and "status" not in change.changed:
        if "board" in change.changed and previous.get("board", {}).get("id") != board_id:
            # moved to another board: keep the status name when the new board has it
            named = _find_ref(store.tables[STATUSES].rows(board_id), {"name": (status or {}).get("name", "")})
            status = store.ref_of(STATUSES, named) if named else None
        if "closedFlag" in change.changed:  # closing through the flag moves the status, as in ConnectWise
            wanted = store.status(board_id, closed=bool(record.get("closedFlag")))
            if wanted is not None and bool(_status_closed(store, status)) != bool(record.get("closedFlag")):
                status = store.ref_of(STATUSES, wanted)
    if status is None:
        default = store.status(board_id, closed=False)
        status = store.ref_of(STATUSES, default) if default else None
    record["status"] = status
    closed = _status_closed(store, status)
    was_closed = bool(previous.get("closedFlag"))
    record["closedFlag"] = closed
    if closed and not was_closed:
        record["closedDate"], record["closedBy"] = change.now, API_MEMBER
    elif not closed:
        record["closedDate"] = record["closedBy"] = None
    record.setdefault("recordType", "ServiceTicket")
    record["dateEntered"] = previous.get("dateEntered") or record.get("dateEntered") or change.now
    record.setdefault("severity", "Medium")
    record.setdefault("impact", "Medium")
    record.setdefault("actualHours", 0.0)
    if record.get("priority") is None:
        default = store.tables[PRIORITIES].records.get(_DEFAULT_PRIORITY)
        record["priority"] = store.ref_of(PRIORITIES, default) if default else None
    contact = record.get("contact")
    if contact and change.touched("contact"):
        record["contactName"] = contact.get("name")


def _status_closed(store: Store, status: Mapping[str, Any] | None) -> bool:
    row = store.tables[STATUSES].records.get((status or {}).get("id"))
    return bool(row and row.get("closedStatus"))


def _finish_note(store: Store, record: Record, change: Change) -> None:
    record["ticketId"] = change.parent_id
    flags = ("detailDescriptionFlag", "internalAnalysisFlag", "resolutionFlag")
    for flag in flags:
        record[flag] = bool(record.get(flag))
    if not any(record[flag] for flag in flags):
        message = "At least one of detailDescriptionFlag, internalAnalysisFlag or resolutionFlag must be true."
        raise invalid("ticketNote", [field_error("ticketNote", "detailDescriptionFlag", message)])
    record["internalFlag"] = record["internalAnalysisFlag"]
    record["externalFlag"] = record["detailDescriptionFlag"] or record["resolutionFlag"]
    record.setdefault("issueFlag", False)
    record["dateCreated"] = (change.previous or {}).get("dateCreated") or change.now
    record["createdBy"] = (change.previous or {}).get("createdBy") or API_MEMBER


def _finish_time_entry(store: Store, record: Record, change: Change) -> None:
    record.setdefault("chargeToType", "ServiceTicket")
    start, end = parse_iso(record.get("timeStart")), parse_iso(record.get("timeEnd"))
    problems = []
    if start is None:
        problems.append(field_error("timeEntry", "timeStart", "timeStart must be a date like 2026-01-05T14:03:00Z."))
    if record.get("timeEnd") is not None and (end is None or (start and end < start)):
        problems.append(field_error("timeEntry", "timeEnd", "timeEnd must be a date after timeStart."))
    ticket = None
    if record["chargeToType"] == "ServiceTicket":
        ticket = store.tables[TICKETS].records.get(record.get("chargeToId"))
        if ticket is None:
            problems.append(field_error("timeEntry", "chargeToId", f"Ticket {record.get('chargeToId')} not found."))
    if problems:
        raise invalid("timeEntry", problems)
    if ticket is not None:
        record["ticket"] = ticket_ref(ticket, store.base)
        record.setdefault("company", ticket["company"])
    if start and end:
        record["actualHours"] = round((end - start).total_seconds() / 3600, 2)
    record.setdefault("billableOption", "Billable")
    record.setdefault("status", "Open")
    record["dateEntered"] = (change.previous or {}).get("dateEntered") or change.now
    record["enteredBy"] = (change.previous or {}).get("enteredBy") or API_MEMBER


def _defaults(**values: Any) -> Callable[[Store, Record, Change], None]:
    def finish(store: Store, record: Record, change: Change) -> None:
        for key, value in values.items():
            if record.get(key) is None:
                record[key] = value(store, change) if callable(value) else copy.deepcopy(value)

    return finish


def _company_status(store: Store, change: Change) -> Record:
    return _ref(store.base, "/company/companies/statuses", 1, "Active", "status_href")


def _finish_status(store: Store, record: Record, change: Change) -> None:
    board = store.tables[BOARDS].records[change.parent_id]
    record["board"] = board_ref(board, store.base)
    for key, value in {"sortOrder": 0, "displayOnBoard": True, "inactive": False, "closedStatus": False}.items():
        record.setdefault(key, value)
    record.setdefault("defaultFlag", False)


def _finish_agreement(store: Store, record: Record, change: Change) -> None:
    _defaults(agreementStatus="Active", cancelledFlag=False, startDate=lambda s, c: c.now)(store, record, change)
    if record.get("noEndingDateFlag") is None:
        record["noEndingDateFlag"] = record.get("endDate") is None


def _finish_schedule_entry(store: Store, record: Record, change: Change) -> None:
    flags = ("doneFlag", "acknowledgedFlag", "ownerFlag", "meetingFlag", "allowScheduleConflictsFlag")
    _defaults(**dict.fromkeys(flags, False))(store, record, change)
    start, end = parse_iso(record.get("dateStart")), parse_iso(record.get("dateEnd"))
    if start and end:
        if end < start:
            message = "dateEnd must be after dateStart."
            raise invalid("scheduleEntry", [field_error("scheduleEntry", "dateEnd", message)])
        record["hours"] = round((end - start).total_seconds() / 3600, 2)


def _finish_invoice(store: Store, record: Record, change: Change) -> None:
    _defaults(applyToType="All", date=lambda s, c: c.now, payments=0.0, credits=0.0)(store, record, change)
    amounts = [record.get(name, 0.0) for name in ("total", "payments", "credits")]
    if all(isinstance(amount, (int, float)) and not isinstance(amount, bool) for amount in amounts):
        record["balance"] = round(amounts[0] - amounts[1] - amounts[2], 2)


def _finish_project(store: Store, record: Record, change: Change) -> None:
    _defaults(percentComplete=0.0, actualHours=0.0, billingMethod="ActualRates")(store, record, change)
    if record.get("status") is None:
        record["status"] = _ref(store.base, "/project/statuses", 1, "Open", "status_href")
    record["closedFlag"] = str(record["status"].get("name", "")).lower() == "closed"


def _finish_opportunity(store: Store, record: Record, change: Change) -> None:
    if record.get("status") is None:
        record["status"] = _ref(store.base, "/sales/opportunities/statuses", 1, "Open", "status_href")
    if record.get("stage") is None:
        record["stage"] = _ref(store.base, "/sales/stages", 1, "1.Prospect", "stage_href")
    record["closedFlag"] = str(record["status"].get("name", "")).lower() in ("won", "lost")


_FINISHERS: dict[str, Callable[[Store, Record, Change], None]] = {
    COMPANIES: _defaults(
        status=_company_status, types=[], deletedFlag=False, leadFlag=False, dateAcquired=lambda s, c: c.now
    ),
    CONTACTS: _defaults(inactiveFlag=False, communicationItems=[], defaultFlag=False),
    CONFIGURATIONS: _defaults(activeFlag=True, billFlag=False),
    BOARDS: _defaults(inactiveFlag=False, projectFlag=False, billTime="Billable"),
    STATUSES: _finish_status,
    PRIORITIES: _defaults(color="Green", sortOrder=6, defaultFlag=False),
    MEMBERS: _defaults(inactiveFlag=False, licenseClass="F", dailyCapacity=8.0),
    TICKETS: _finish_ticket,
    NOTES: _finish_note,
    TIME_ENTRIES: _finish_time_entry,
    AGREEMENTS: _finish_agreement,
    PROJECTS: _finish_project,
    OPPORTUNITIES: _finish_opportunity,
    SCHEDULE_ENTRIES: _finish_schedule_entry,
    INVOICES: _finish_invoice,
}
