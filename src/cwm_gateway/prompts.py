"""MCP prompts: the work technicians do most, written as steps the assistant can follow.

Each prompt names the exact operations (method + path), sensible ``conditions``/``fields``/
``orderBy`` in ConnectWise's syntax, and the saved-query loop (``list_fast_memory`` first,
``run_saved_query`` when one fits, ``save_to_fast_memory`` once a new query worked). Plain data
and functions, no ``mcp``: ``protocol.add_prompt`` registers them; a test checks that every
operation a rendered prompt names exists in the catalog.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any


class PromptError(ValueError):
    """Arguments a prompt cannot be rendered with; the message says what to send instead."""


@dataclass(frozen=True)
class Argument:
    name: str
    description: str
    required: bool = True


@dataclass(frozen=True)
class Prompt:
    name: str
    title: str
    description: str
    arguments: tuple[Argument, ...]
    body: Callable[[Mapping[str, str], Steps], str]  # the text, from checked arguments


@dataclass(frozen=True)
class Steps:
    """What the text depends on besides the arguments: the tool that reads, and today's date."""

    read_tool: str
    today: date


# -- checking arguments ---------------------------------------------------------------------------------------------

_IDENTIFIER = re.compile(r"[A-Za-z0-9._@-]{1,60}")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def member(value: str) -> str:
    text = value.strip()
    if not _IDENTIFIER.fullmatch(text):
        raise PromptError(
            f"member must be a ConnectWise member identifier (letters, digits, . _ @ -), not {value!r}; e.g. jsmith"
        )
    return text


def record_id(name: str, value: str) -> int:
    text = value.strip().lstrip("#")
    if not text.isdigit() or int(text) < 1:
        raise PromptError(f"{name} must be a record number, not {value!r}; e.g. 4521")
    return int(text)


def hours(value: str) -> float:
    try:
        number = float(value.strip().removesuffix("h"))
    except ValueError:
        raise PromptError(f"hours must be a number of hours, not {value!r}; e.g. 1.5") from None
    if not 0 < number <= 24:
        raise PromptError(f"hours must be more than 0 and at most 24, not {value!r}; e.g. 1.5")
    return number


def text(name: str, value: str, limit: int = 2000) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise PromptError(f"{name} must not be empty")
    if len(cleaned) > limit:
        raise PromptError(f"{name} is {len(cleaned)} characters; keep it to {limit}")
    return cleaned


def month(value: str | None, today: date) -> date:
    """The first day of ``value`` (YYYY-MM), or of next month when not given."""
    if not value or not value.strip():
        return (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    found = _MONTH.fullmatch(value.strip())
    if not found or not 1 <= int(found[2]) <= 12:
        raise PromptError(f"month must be written YYYY-MM, not {value!r}; e.g. {today:%Y-%m}")
    return date(int(found[1]), int(found[2]), 1)


def day(value: str | None, today: date) -> date:
    if not value or not value.strip():
        return today
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PromptError(f"day must be written YYYY-MM-DD, not {value!r}; e.g. {today.isoformat()}") from None


def quoted(value: str) -> str:
    """A conditions string literal: double quotes when the value has a single one (O'Brien)."""
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', '""') + '"'


def stamp(moment: date) -> str:
    """A conditions date: ``[2027-01-01T00:00:00Z]``."""
    return f"[{moment.isoformat()}T00:00:00Z]"


# -- shared steps -----------------------------------------------------------------------------------------------------


def saved_first(search: str) -> str:
    return (
        f'1. list_fast_memory("{search}"). If a saved query fits, run it with run_saved_query(id, params={{...}}) '
        "(params override the saved ones by name) and skip to the answer."
    )


def call(steps: Steps, path: str, params: Mapping[str, Any], *more: str) -> str:
    """A read the assistant can send as written: the params are JSON (quotes inside conditions escaped)."""
    extra = "".join(f", {arg}" for arg in more)
    return f'{steps.read_tool}("{path}", params={json.dumps(params)}{extra})'


def save_after(path: str, description: str) -> str:
    return (
        f'If the query worked and no saved query fitted, save it: save_to_fast_memory("{path}", "GET", '
        f'"{description}", params) with the params that worked.'
    )


# -- the prompts ------------------------------------------------------------------------------------------------------


def _my_open_tickets(args: Mapping[str, str], steps: Steps) -> str:
    who = member(args["member"])
    params = {
        "conditions": f"closedFlag=false and (owner/identifier={quoted(who)} or resources contains {quoted(who)})",
        "orderBy": "priority/sort asc, id asc",
        "fields": "id,summary,company/name,status/name,priority/name,board/name",
        "pageSize": 50,
    }
    return "\n".join(
        [
            f"Show the open service tickets of ConnectWise member {who}, most urgent first.",
            saved_first("open tickets"),
            f"2. Otherwise GET /service/tickets: {call(steps, '/service/tickets', params)}. "
            "Owner or assigned resource both count as theirs.",
            "3. Answer one line per ticket: #id, priority, status, company, summary; grouped by priority "
            "(priority/sort 1 is the most urgent). Say how many there are; if the result says more pages follow, "
            "say so rather than guess a total.",
            f"4. {save_after('/service/tickets', f'open tickets of {who} by priority')}",
        ]
    )


def _log_time(args: Mapping[str, str], steps: Steps) -> str:
    ticket = record_id("ticket_id", args["ticket_id"])
    spent = hours(args["hours"])
    note = text("note", args["note"])
    who = member(args["member"]) if args.get("member", "").strip() else None
    whose = f'"member": {{"identifier": "{who}"}}, ' if who else '"member": {"identifier": <ask the user>}, '
    fields = {"fields": "id,summary,company/name,status/name,closedFlag"}
    return "\n".join(
        [
            f"Log {spent:g} hours on service ticket #{ticket} with this note: {note}",
            f"1. Check the ticket: GET /service/tickets/{ticket} with "
            f"{call(steps, f'/service/tickets/{ticket}', fields)}. If it is closed or missing, stop and tell the user.",
            '2. list_fast_memory("time entry"): a saved POST /time/entries shows the fields this company '
            "fills (workType, workRole, billableOption); reuse them.",
            '3. POST /time/entries with execute_api_call("/time/entries", "POST", data={'
            f'"chargeToType": "ServiceTicket", "chargeToId": {ticket}, {whose}'
            f'"timeStart": <now minus {spent:g} h, UTC, YYYY-MM-DDTHH:MM:SSZ>, "timeEnd": <now, same format>, '
            f'"actualHours": {spent:g}, "notes": <the note>, "addToDetailDescriptionFlag": true}}).',
            "4. Confirm in one line: the entry's id, hours and ticket. On a 400, read the error's field names, "
            'fix them (get_api_endpoint_details("/time/entries", "POST") lists the fields) and try once more.',
        ]
    )


def _close_ticket(args: Mapping[str, str], steps: Steps) -> str:
    ticket = record_id("ticket_id", args["ticket_id"])
    resolution = text("resolution", args["resolution"])
    fields = {"fields": "id,summary,company/name,board/id,board/name,status/name,closedFlag"}
    statuses = {"conditions": "closedStatus=true and inactive=false", "fields": "id,name,sortOrder"}
    return "\n".join(
        [
            f"Close service ticket #{ticket} with this resolution: {resolution}",
            f"1. Read it: GET /service/tickets/{ticket} with "
            f"{call(steps, f'/service/tickets/{ticket}', fields)}. If it is already closed, stop and say so.",
            "2. Find its board's closing statuses: GET /service/boards/{boardId}/statuses with "
            f"{call(steps, '/service/boards/<board id>/statuses', statuses)}. "
            "Prefer one named like Closed or Resolved; if several fit, ask the user which.",
            "3. Tell the user the ticket, its company and the status you will set; go on when they agree.",
            f"4. Add the resolution: POST /service/tickets/{ticket}/notes with execute_api_call("
            f'"/service/tickets/{ticket}/notes", "POST", data={{"text": <the resolution>, "resolutionFlag": true}}).',
            f'5. Close it: PATCH /service/tickets/{ticket} with execute_api_call("/service/tickets/{ticket}", "PATCH", '
            'data=[{"op": "replace", "path": "status/id", "value": <the status id>}]).',
            "6. Confirm: the note's id and the ticket's new status (from the PATCH answer).",
        ]
    )


def _company_overview(args: Mapping[str, str], steps: Steps) -> str:
    company = text("company", args["company"], limit=100)
    find = {
        "conditions": f"identifier={quoted(company)} or name like {quoted('%' + company + '%')}",
        "fields": "id,identifier,name,status/name,phoneNumber,city",
        "pageSize": 10,
    }
    open_tickets = "company/id=<id> and closedFlag=false"
    tickets = {
        "conditions": open_tickets,
        "orderBy": "priority/sort asc, id desc",
        "fields": "id,summary,status/name,priority/name,owner/identifier",
        "pageSize": 10,
    }
    agreements = {
        "conditions": "company/id=<id> and cancelledFlag=false",
        "orderBy": "endDate asc",
        "fields": "id,name,type/name,agreementStatus,startDate,endDate,billAmount",
    }
    configurations = {
        "conditions": "company/id=<id> and activeFlag=true",
        "orderBy": "type/name asc, name asc",
        "fields": "id,name,type/name,serialNumber,ipAddress,osType,warrantyExpirationDate",
        "pageSize": 50,
    }
    return "\n".join(
        [
            f"Give an overview of the company {company}: open tickets, agreements and configurations.",
            saved_first("company") + " (A saved query for one company's tickets takes company/id in params.)",
            f"2. Find the company: GET /company/companies with {call(steps, '/company/companies', find)}. "
            "If several match, ask which one; use its id as <id> below.",
            "3. Open tickets: GET /service/tickets/count with "
            f"{call(steps, '/service/tickets/count', {'conditions': open_tickets})} for the total, "
            f"then GET /service/tickets with {call(steps, '/service/tickets', tickets)}.",
            f"4. Agreements: GET /finance/agreements with {call(steps, '/finance/agreements', agreements)}.",
            "5. Configurations: GET /company/configurations with "
            f"{call(steps, '/company/configurations', configurations)}.",
            "6. Answer in four short sections (company; open tickets by priority; agreements with end dates; "
            "configurations by type); flag agreements ending within 60 days and warranties already expired.",
            f"7. {save_after('/service/tickets', 'open tickets of one company (company/id)')}",
        ]
    )


def _agreements_renewing(args: Mapping[str, str], steps: Steps) -> str:
    start = month(args.get("month"), steps.today)
    end = (start + timedelta(days=32)).replace(day=1)
    params = {
        "conditions": f"endDate >= {stamp(start)} and endDate < {stamp(end)} and cancelledFlag=false "
        "and noEndingDateFlag=false",
        "orderBy": "endDate asc",
        "fields": "id,name,company/name,type/name,agreementStatus,endDate,billAmount",
    }
    return "\n".join(
        [
            f"List the agreements that end in {start:%B %Y} (due for renewal).",
            saved_first("agreements ending") + " (Put this month's endDate range in params.)",
            f"2. Otherwise GET /finance/agreements: {call(steps, '/finance/agreements', params, 'all_pages=true')}.",
            "3. Answer as a table: end date, company, agreement, type, bill amount; total the amounts.",
            f"4. {save_after('/finance/agreements', 'agreements ending in a month (endDate range)')}",
        ]
    )


def _my_schedule(args: Mapping[str, str], steps: Steps) -> str:
    who = member(args["member"])
    start = day(args.get("day"), steps.today)
    params = {
        "conditions": f"member/identifier={quoted(who)} and dateStart >= {stamp(start)} "
        f"and dateStart < {stamp(start + timedelta(days=1))}",
        "orderBy": "dateStart asc",
        "fields": "id,name,objectId,type/identifier,dateStart,dateEnd,where/name,status/name,doneFlag",
    }
    return "\n".join(
        [
            f"Show the schedule of ConnectWise member {who} for {start.isoformat()}.",
            saved_first("schedule") + " (Put this member and day's dateStart range in params.)",
            f"2. Otherwise GET /schedule/entries: {call(steps, '/schedule/entries', params)}. "
            "Times are UTC: shift the range by the user's offset from UTC when it matters.",
            "3. Answer in time order: start-end, what (name), where, done or not. Entries of type S are "
            "service tickets: objectId is the ticket number (GET /service/tickets/{id} for details when asked).",
            f"4. {save_after('/schedule/entries', f'schedule of {who} for one day')}",
        ]
    )


def _find_configuration(args: Mapping[str, str], steps: Steps) -> str:
    wanted = text("search", args["search"], limit=100)
    exact = quoted(wanted)
    params = {
        "conditions": f"name like {quoted('%' + wanted + '%')} or serialNumber={exact} or tagNumber={exact} "
        f"or ipAddress={exact}",
        "fields": "id,name,type/name,status/name,company/id,company/name,serialNumber,tagNumber,ipAddress,osType,"
        "lastLoginName,warrantyExpirationDate",
        "pageSize": 25,
    }
    tickets = {"conditions": "closedFlag=false and company/id=<its company id>", "fields": "id,summary,status/name"}
    return "\n".join(
        [
            f"Find the device matching {wanted!r} (configuration name, serial number, asset tag or IP address).",
            saved_first("configuration") + " (Put this search in the saved conditions.)",
            f"2. Otherwise GET /company/configurations: {call(steps, '/company/configurations', params)}.",
            "3. Answer one line per match: name, type, company, serial, IP, OS, last login, warranty end. For a "
            f"single match, also list its company's open tickets: GET /service/tickets with "
            f"{call(steps, '/service/tickets', tickets)}, and point out those whose summary names the device.",
            f"4. {save_after('/company/configurations', 'find a configuration by name, serial, tag or IP')}",
        ]
    )


_MEMBER = Argument("member", "Your ConnectWise member identifier (the login name), e.g. jsmith")
_TICKET = Argument("ticket_id", "The service ticket number, e.g. 4521")

PROMPTS: tuple[Prompt, ...] = (
    Prompt(
        "my_open_tickets",
        "My open tickets by priority",
        "The open service tickets you own or are assigned to, most urgent first.",
        (_MEMBER,),
        _my_open_tickets,
    ),
    Prompt(
        "log_time",
        "Log time on a ticket",
        "Add a time entry to a service ticket: hours and a note.",
        (
            _TICKET,
            Argument("hours", "Hours worked, more than 0 and at most 24, e.g. 1.5"),
            Argument("note", "What was done; it goes on the ticket, e.g. Replaced the failed PSU"),
            Argument("member", "Whose time it is (member identifier, e.g. jsmith); asked for if left out", False),
        ),
        _log_time,
    ),
    Prompt(
        "close_ticket",
        "Close a ticket with a resolution",
        "Add a resolution note to a service ticket and set its board's closed status.",
        (_TICKET, Argument("resolution", "The resolution note, e.g. Replaced the switch; all ports up")),
        _close_ticket,
    ),
    Prompt(
        "company_overview",
        "Company overview",
        "One company at a glance: open tickets, agreements and configurations.",
        (Argument("company", "The company's identifier or part of its name, e.g. AcmeDental or Acme"),),
        _company_overview,
    ),
    Prompt(
        "agreements_renewing",
        "Agreements due for renewal",
        "The agreements whose end date falls in one month (next month unless given).",
        (Argument("month", "The month, YYYY-MM, e.g. 2027-01; next month when left out", False),),
        _agreements_renewing,
    ),
    Prompt(
        "my_schedule",
        "My schedule for a day",
        "Your schedule entries (tickets, meetings) for one day, in time order.",
        (_MEMBER, Argument("day", "The day, YYYY-MM-DD, e.g. 2026-12-07; today when left out", False)),
        _my_schedule,
    ),
    Prompt(
        "find_configuration",
        "Find a device",
        "Look up a configuration (device) by name, serial number, asset tag or IP address.",
        (Argument("search", "A device name or part of it, a serial number, asset tag or IP, e.g. SRV01"),),
        _find_configuration,
    ),
)

BY_NAME = {prompt.name: prompt for prompt in PROMPTS}

# The read-only call tool when the server has it (users can allow it once), else the general one.
READ_TOOLS = ("get_api_data", "execute_api_call")


def read_tool(tools: Collection[str]) -> str:
    return next((name for name in READ_TOOLS if name in tools), READ_TOOLS[-1])


def render(
    name: str, arguments: Mapping[str, str] | None, tools: Collection[str] = (), today: date | None = None
) -> str:
    """The prompt's text; a PromptError names a missing, unknown or malformed argument and what to send."""
    prompt = BY_NAME.get(name)
    if prompt is None:
        raise PromptError(f"no prompt named {name!r}; the prompts are {', '.join(BY_NAME)}")
    given = {key: value for key, value in (arguments or {}).items() if value is not None}
    missing = [arg for arg in prompt.arguments if arg.required and not str(given.get(arg.name, "")).strip()]
    if missing:
        needed = "; ".join(f"{arg.name}: {arg.description}" for arg in missing)
        raise PromptError(f"prompt {name} needs {', '.join(arg.name for arg in missing)} ({needed})")
    unknown = sorted(set(given) - {arg.name for arg in prompt.arguments})
    if unknown:
        known = ", ".join(arg.name for arg in prompt.arguments)
        raise PromptError(f"prompt {name} takes no argument {', '.join(unknown)}; its arguments are {known}")
    steps = Steps(read_tool(tools), today or datetime.now(timezone.utc).date())
    return prompt.body({key: str(value) for key, value in given.items()}, steps)
