"""The ConnectWise stand-in (cwm_gateway.sandbox), driven over real HTTP with http.client."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.message import Message
from typing import Any
from urllib.parse import quote

import pytest

from cwm_gateway.sandbox import Listener, StandIn
from cwm_gateway.sandbox.data import generate


@dataclass
class Result:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    cw: StandIn,
    method: str,
    path: str,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    auth: bool = True,
    api: bool = True,
) -> Result:
    """One request on a fresh connection; ``path`` is under the API root unless ``api`` is False."""
    sent = dict(cw.headers) if auth else {}
    sent.update(headers or {})
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent.setdefault("Content-Type", "application/json")
    connection = http.client.HTTPConnection("127.0.0.1", cw.port, timeout=5)
    try:
        connection.request(method, (cw.api_root if api else "") + path, body=data, headers=sent)
        response = connection.getresponse()
        return Result(response.status, response.headers, response.read())
    finally:
        connection.close()


def links(result: Result) -> dict[str, str]:
    """rel -> URL from a Link header."""
    found = {}
    for part in (result.headers.get("Link") or "").split(", "):
        if part:
            url, rel = part.split("; ")
            found[rel.removeprefix('rel="').removesuffix('"')] = url.strip("<>")
    return found


def error_fields(result: Result) -> set[str]:
    return {error["field"] for error in result.json()["errors"]}


def q(text: str) -> str:
    return quote(text, safe="")


@pytest.fixture(scope="module")
def running() -> Iterator[StandIn]:
    with StandIn() as cw:
        yield cw


@pytest.fixture
def cw(running: StandIn) -> StandIn:
    running.reset()
    return running


# -- identity and authentication ------------------------------------------------------------------------------------


def test_company_info_needs_no_auth(cw: StandIn) -> None:
    found = call(cw, "GET", "/login/companyinfo/LabTech", auth=False, api=False)
    assert found.status == 200
    assert found.json() == {
        "CompanyName": "Lab Tech Demo",
        "Codebase": "v4_6_release/",
        "VersionCode": "v2025.1",
        "VersionNumber": "v4.6",
        "CompanyID": "labtech",
        "IsCloud": False,
        "SiteUrl": cw.site,
    }
    missing = call(cw, "GET", "/login/companyinfo/nobody", auth=False, api=False)
    assert (missing.status, missing.body) == (404, b"null")


def test_bad_credentials_are_401_without_echo(cw: StandIn) -> None:
    wrong = base64.b64encode(b"labtech+pubkey123:wrong-secret").decode()
    for headers in (
        {},
        {"Authorization": f"Basic {wrong}"},
        {"Authorization": "Basic !!!"},
        {"Authorization": "Bearer x"},
    ):
        result = call(cw, "GET", "/system/info", auth=False, headers={"clientId": cw.client_id, **headers})
        assert result.status == 401
        assert result.json() == {"code": "Unauthorized", "message": "Authentication failed."}
        assert b"wrong-secret" not in result.body
    assert [r.authorized for r in cw.requests] == [False] * 4


def test_company_id_in_credentials_ignores_case(cw: StandIn) -> None:
    token = base64.b64encode(b"LABTECH+pubkey123:privkey456").decode()
    result = call(cw, "GET", "/system/info", headers={"Authorization": f"Basic {token}"})
    assert result.status == 200


def test_client_id_is_required(cw: StandIn) -> None:
    for client in (None, "not-the-client"):
        headers = {"Authorization": cw.authorization} | ({"clientId": client} if client else {})
        result = call(cw, "GET", "/system/info", auth=False, headers=headers)
        assert result.status == 400
        assert result.json() == {
            "code": "InvalidClientId",
            "message": "clientId header is missing or invalid.",
            "errors": None,
        }


def test_auth_can_be_turned_off() -> None:
    with StandIn(require_auth=False, ticket_count=3) as open_cw:
        assert call(open_cw, "GET", "/service/tickets/count", auth=False).json() == {"count": 3}


def test_system_info_and_headers(cw: StandIn) -> None:
    result = call(cw, "GET", "/system/info")
    assert result.status == 200
    assert result.json()["version"] == "v2025.1.12345"
    assert result.json()["cloudRegion"] == "NA"
    assert result.headers["Content-Type"] == "application/json; charset=utf-8"
    assert result.headers["Content-Length"] == str(len(result.body))


def test_unknown_paths_and_methods(cw: StandIn) -> None:
    outside = call(cw, "GET", "/v2099_release/apis/3.0/service/tickets", api=False)
    assert outside.status == 404 and b"<html>" in outside.body.lower()
    unknown = call(cw, "GET", "/service/nothing")
    assert unknown.status == 404
    assert unknown.json() == {"code": "NotFound", "message": "The requested resource was not found.", "errors": None}
    wrong = call(cw, "PUT", "/service/tickets", [])
    assert wrong.status == 405 and "PUT" in wrong.json()["message"]
    assert wrong.headers["Allow"] == "GET, POST"


# -- reading --------------------------------------------------------------------------------------------------------


def test_list_pages_with_link_headers(cw: StandIn) -> None:
    first = call(cw, "GET", "/service/tickets")
    assert first.status == 200
    assert [t["id"] for t in first.json()] == list(range(1001, 1026))
    assert links(first) == {
        "next": f"{cw.base_url}/service/tickets?page=2&pageSize=25",
        "last": f"{cw.base_url}/service/tickets?page=5&pageSize=25",
    }
    middle = call(cw, "GET", "/service/tickets?page=3&pageSize=25")
    assert set(links(middle)) == {"first", "prev", "next", "last"}
    assert links(middle)["prev"].endswith("page=2&pageSize=25")
    last = call(cw, "GET", "/service/tickets?page=5")
    assert len(last.json()) == 20 and set(links(last)) == {"first", "prev"}


def test_link_header_keeps_other_parameters(cw: StandIn) -> None:
    result = call(cw, "GET", f"/service/tickets?conditions={q('closedFlag = false')}&pageSize=10&fields=id")
    following = links(result)["next"]
    assert following.startswith(f"{cw.origin}/v4_6_release/apis/3.0/service/tickets?page=2&pageSize=10&conditions=")
    with urllib.request.urlopen(urllib.request.Request(following, headers=cw.headers)) as response:
        page = json.loads(response.read())
    assert len(page) == 10 and all(set(ticket) == {"id"} for ticket in page)


def test_conditions_filter(cw: StandIn) -> None:
    closed_only = q("status/name = 'Closed'")
    closed = call(cw, "GET", f"/service/tickets?pageSize=1000&conditions={closed_only}").json()
    assert closed and all(t["closedFlag"] and t["status"]["name"] == "Closed" for t in closed)
    everything = call(cw, "GET", "/service/tickets?pageSize=1000").json()
    assert len(closed) == sum(t["closedFlag"] for t in everything)

    company = everything[0]["company"]["identifier"]
    by_company = q(f'company/identifier = "{company}"')
    mine = call(cw, "GET", f"/service/tickets?pageSize=1000&conditions={by_company}").json()
    assert {t["company"]["identifier"] for t in mine} == {company}

    since = (datetime.now(timezone.utc) - timedelta(days=30)).strftime("%Y-%m-%dT00:00:00Z")
    recent = call(
        cw, "GET", f"/service/tickets?pageSize=1000&conditions={q(f'dateEntered >= [{since}] and closedFlag = false')}"
    )
    assert recent.json() and all(t["dateEntered"] >= since and not t["closedFlag"] for t in recent.json())
    older = [t for t in everything if t["dateEntered"] < since or t["closedFlag"]]
    assert older and len(recent.json()) == len(everything) - len(older)
    like_vpn = q('summary like "%VPN%"')
    vpn = call(cw, "GET", f"/service/tickets?pageSize=1000&conditions={like_vpn}").json()
    assert all("vpn" in t["summary"].lower() for t in vpn)


def test_conditions_errors(cw: StandIn) -> None:
    broken = call(cw, "GET", f"/service/tickets?conditions={q('status/name = Open')}")
    assert broken.status == 400
    assert broken.json()["code"] == "InvalidObject" and broken.json()["errors"] is None
    assert broken.json()["message"].startswith("conditions") and "quoted" in broken.json()["message"]
    typo = q("status/nam = 'New'")
    unknown = call(cw, "GET", f"/service/tickets?conditions={typo}")
    assert unknown.status == 400
    assert unknown.json() == {"code": "InvalidObject", "message": "Cannot filter on field 'status/nam'"}


def test_order_by(cw: StandIn) -> None:
    rows = call(cw, "GET", f"/service/tickets?pageSize=1000&orderBy={q('company/name asc, id desc')}").json()
    keys = [(t["company"]["name"], -t["id"]) for t in rows]
    assert keys == sorted(keys)
    newest = call(cw, "GET", f"/service/tickets?pageSize=5&orderBy={q('dateEntered desc')}").json()
    assert [t["dateEntered"] for t in newest] == sorted((t["dateEntered"] for t in newest), reverse=True)
    assert call(cw, "GET", f"/service/tickets?orderBy={q('summary sideways')}").status == 400
    assert call(cw, "GET", f"/service/tickets?orderBy={q('nosuchfield')}").status == 400


def test_fields_projection(cw: StandIn) -> None:
    rows = call(cw, "GET", "/service/tickets?fields=id,summary,status/name&pageSize=3").json()
    assert [set(t) for t in rows] == [{"id", "summary", "status"}] * 3
    assert all(set(t["status"]) == {"name"} for t in rows)
    one = call(cw, "GET", "/company/contacts/1400?fields=id,communicationItems/value").json()
    assert set(one) == {"id", "communicationItems"}
    assert all(set(item) == {"value"} for item in one["communicationItems"])


def test_page_size_limits(cw: StandIn) -> None:
    assert len(call(cw, "GET", "/service/tickets?pageSize=5000").json()) == 120
    assert len(call(cw, "GET", "/service/tickets?page=99").json()) == 0
    bad = call(cw, "GET", "/service/tickets?pageSize=lots")
    assert bad.status == 400 and bad.json()["code"] == "InvalidObject"


def test_child_criteria_are_accepted_and_ignored(cw: StandIn) -> None:
    params = f"childConditions={q('x=1')}&customFieldConditions={q('caption=1')}&pageSize=1000"
    assert len(call(cw, "GET", f"/service/tickets?{params}").json()) == 120


def test_forward_only_pagination(cw: StandIn) -> None:
    headers = {"pagination-type": "forward-only"}
    seen, path, pages = [], "/service/tickets?pageSize=50&page=3&orderBy=summary", 0
    while path:
        result = call(cw, "GET", path, headers=headers)
        seen += [t["id"] for t in result.json()]
        pages += 1
        following = links(result)
        assert set(following) <= {"next"}
        path = following["next"].removeprefix(cw.base_url) if following else ""
        if path:
            assert f"pageId={seen[-1]}&pageSize=50" in path
    assert pages == 3 and seen == list(range(1001, 1121))


def test_count(cw: StandIn) -> None:
    assert call(cw, "GET", "/service/tickets/count").json() == {"count": 120}
    closed = call(cw, "GET", f"/service/tickets/count?conditions={q('closedFlag = true')}").json()["count"]
    listed = call(cw, "GET", f"/service/tickets?pageSize=1000&conditions={q('closedFlag=true')}").json()
    assert closed == len(listed) > 0
    assert call(cw, "GET", "/company/companies/count").json() == {"count": 25}


def test_get_by_id_and_not_found(cw: StandIn) -> None:
    ticket = call(cw, "GET", "/service/tickets/1001")
    assert ticket.status == 200 and ticket.json()["id"] == 1001
    missing = call(cw, "GET", "/service/tickets/99999")
    assert missing.status == 404
    assert missing.json() == {"code": "NotFound", "message": "Ticket 99999 not found", "errors": None}


def test_child_collections(cw: StandIn) -> None:
    notes = call(cw, "GET", "/service/tickets/1001/notes").json()
    assert notes and all(note["ticketId"] == 1001 for note in notes)
    assert call(cw, "GET", f"/service/tickets/1001/notes/{notes[0]['id']}").json() == notes[0]
    assert call(cw, "GET", f"/service/tickets/1002/notes/{notes[0]['id']}").status == 404
    assert call(cw, "GET", "/service/tickets/99999/notes").json()["message"] == "Ticket 99999 not found"
    statuses = call(cw, "GET", "/service/boards/1/statuses").json()
    assert {"New", "In Progress", "Waiting on Client", "Closed"} <= {s["name"] for s in statuses}


def test_records_look_like_connectwise(cw: StandIn) -> None:
    tickets = cw.records("/service/tickets")
    assert len(tickets) == 120
    for ticket in tickets:
        assert ticket["recordType"] == "ServiceTicket"
        assert 8 <= len(ticket["_info"]) <= 14
        assert all(ticket[ref]["_info"] for ref in ("board", "status", "company", "priority"))
        assert ticket["closedFlag"] == (ticket["status"]["name"] == "Closed")
        assert len(ticket["dateEntered"]) == 20 and ticket["dateEntered"].endswith("Z")
    statuses = {t["status"]["name"] for t in tickets}
    assert {"New", "In Progress", "Closed"} <= statuses
    counts = {path: len(cw.records(path)) for path in ("/company/contacts", "/system/members", "/service/priorities")}
    assert counts == {"/company/contacts": 60, "/system/members": 12, "/service/priorities": 5}


def test_data_is_deterministic_per_seed_and_day() -> None:
    def tickets(seed: int, today: date = date(2031, 3, 14)) -> list[dict[str, Any]]:
        return list(generate(seed, 30, "http://x/apis/3.0", today)["/service/tickets"].records.values())

    assert tickets(7) == tickets(7)
    assert tickets(7) != tickets(8)
    assert tickets(7) != tickets(7, date(2031, 3, 15))


# The questions technicians ask first, against data generated for a known day (a Friday).
TODAY = date(2031, 3, 14)


def rows(template: str, today: date = TODAY) -> list[dict[str, Any]]:
    return list(generate(7, 120, "http://x/apis/3.0", today)[template].records.values())


def on(day: date, stamp: str) -> bool:
    return stamp.startswith(day.isoformat())


def test_sample_dates_are_relative_to_today() -> None:
    for today in (TODAY, date(2035, 12, 31)):
        entered = sorted(t["dateEntered"] for t in rows("/service/tickets", today))
        assert today - timedelta(days=123) <= date.fromisoformat(entered[0][:10])
        assert today - timedelta(days=7) <= date.fromisoformat(entered[-1][:10]) < today  # recent, none today
        assert max(e["timeEnd"] for e in rows("/time/entries", today)) < today.isoformat()


@pytest.mark.parametrize("today", [TODAY, date(2031, 12, 1), date(2032, 2, 29)])
def test_some_agreements_renew_next_month(today: date) -> None:
    following = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    agreements = rows("/finance/agreements", today)
    renewing = [a for a in agreements if a.get("endDate", "").startswith(following.isoformat()[:7])]
    assert len(renewing) >= 2
    assert all(a["startDate"] < today.isoformat() < a["endDate"] and not a["noEndingDateFlag"] for a in renewing)
    assert any(a["noEndingDateFlag"] and "endDate" not in a for a in agreements)  # and a month-to-month one


def test_every_technician_logs_time_each_working_day() -> None:
    entries = rows("/time/entries")
    technicians = {e["member"]["identifier"] for e in entries}
    working_days = [
        TODAY - timedelta(days=back) for back in range(1, 15) if (TODAY - timedelta(days=back)).weekday() < 5
    ]
    assert len(working_days) == 10
    for day in working_days:
        hours: dict[str, float] = {}
        for entry in entries:
            if on(day, entry["timeStart"]):
                hours[entry["member"]["identifier"]] = (
                    hours.get(entry["member"]["identifier"], 0) + entry["actualHours"]
                )
        assert set(hours) == technicians and min(hours.values()) >= 1, day
    by_ticket = {t["id"]: t for t in rows("/service/tickets")}
    assert all(e["chargeToId"] in by_ticket and e["ticket"]["id"] == e["chargeToId"] for e in entries)


def test_schedules_run_from_last_week_to_two_weeks_ahead() -> None:
    schedule = rows("/schedule/entries")
    monday = TODAY + timedelta(days=3)
    booked = [s for s in schedule if on(monday, s["dateStart"])]
    assert len({s["member"]["identifier"] for s in booked}) >= 5
    assert all(not s["doneFlag"] and s["dateStart"] < s["dateEnd"] for s in booked)
    assert all(s["doneFlag"] for s in schedule if s["dateEnd"] < TODAY.isoformat())
    open_tickets = {t["id"] for t in rows("/service/tickets") if not t["closedFlag"]}
    assert {s["objectId"] for s in schedule} <= open_tickets


def test_invoices_are_paid_sent_and_overdue() -> None:
    invoices = rows("/finance/invoices")
    today = TODAY.isoformat()
    overdue = [i for i in invoices if i["balance"] > 0 and i["dueDate"] < today]
    assert overdue and any(i["balance"] == 0 and i["payments"] == i["total"] for i in invoices)
    assert any(i["balance"] > 0 and i["dueDate"] > today for i in invoices)
    assert {i["applyToType"] for i in invoices} == {"Agreement", "Project"}
    agreements = {a["id"]: a for a in rows("/finance/agreements")}
    for invoice in invoices:
        if invoice["applyToType"] == "Agreement":
            assert invoice["total"] == agreements[invoice["applyToId"]]["billAmount"]


# -- writing --------------------------------------------------------------------------------------------------------

NEW_TICKET = {"summary": "Printer jammed", "board": {"id": 1}, "company": {"identifier": "AcmeDental"}}


def test_post_validates_tickets(cw: StandIn) -> None:
    missing = call(cw, "POST", "/service/tickets", {"board": {"id": 1}, "company": {"id": 251}})
    assert missing.status == 400
    assert missing.json() == {
        "code": "InvalidObject",
        "message": "ticket object is invalid",
        "errors": [{"code": "NullFields", "message": "summary is required.", "resource": "ticket", "field": "summary"}],
    }
    assert error_fields(call(cw, "POST", "/service/tickets", {"summary": "x"})) == {"board", "company"}
    assert error_fields(call(cw, "POST", "/service/tickets", {**NEW_TICKET, "summary": "x" * 101})) == {"summary"}
    assert error_fields(call(cw, "POST", "/service/tickets", {**NEW_TICKET, "board": {"id": 999}})) == {"board"}
    assert call(cw, "POST", "/service/tickets", [NEW_TICKET]).status == 400
    malformed = call(cw, "POST", "/service/tickets", b'{"summary": ')
    assert malformed.status == 400 and malformed.json()["code"] == "InvalidObject"
    assert call(cw, "GET", "/service/tickets/count").json() == {"count": 120}


def test_post_creates_a_ticket(cw: StandIn) -> None:
    created = call(cw, "POST", "/service/tickets", NEW_TICKET)
    assert created.status == 201
    ticket = created.json()
    assert ticket["id"] == 1121
    assert ticket["status"]["name"] == "New" and ticket["closedFlag"] is False
    assert ticket["company"]["id"] == 251 and ticket["company"]["_info"]["company_href"].startswith(cw.base_url)
    assert ticket["board"]["name"] == "Service Desk"
    assert ticket["_info"]["enteredBy"] == "APIMember" and "notes_href" in ticket["_info"]
    assert call(cw, "GET", "/service/tickets/1121").json() == ticket
    note = call(cw, "POST", "/service/tickets/1121/notes", {"text": "Called user", "internalAnalysisFlag": True})
    assert note.status == 201 and note.json()["ticketId"] == 1121


def test_patch_applies_operations(cw: StandIn) -> None:
    closed = next(s for s in cw.records("/service/boards/{parentId}/statuses", 1) if s["name"] == "Closed")
    ticket = next(t for t in cw.records("/service/tickets") if t["board"]["id"] == 1 and not t["closedFlag"])
    operations = [
        {"op": "replace", "path": "summary", "value": "Renamed"},
        {"op": "replace", "path": "/status/id", "value": closed["id"]},
    ]
    patched = call(cw, "PATCH", f"/service/tickets/{ticket['id']}", operations)
    assert patched.status == 200
    body = patched.json()
    assert body["summary"] == "Renamed" and body["status"]["name"] == "Closed" and body["closedFlag"] is True
    assert body["_info"]["updatedBy"] == "APIMember"
    assert body["_info"]["dateEntered"] == ticket["_info"]["dateEntered"]
    reopened = call(
        cw, "PATCH", f"/service/tickets/{ticket['id']}", [{"op": "replace", "path": "status", "value": {"name": "New"}}]
    )
    assert reopened.json()["closedFlag"] is False


def test_patch_rejects_bad_operations(cw: StandIn) -> None:
    not_list = call(cw, "PATCH", "/service/tickets/1001", {"op": "replace", "path": "summary", "value": "x"})
    assert not_list.status == 400
    assert not_list.json() == {"code": "InvalidObject", "message": "Patch operations must be an array"}
    for operation in (
        {"op": "replace", "path": "nosuchfield", "value": 1},
        {"op": "replace", "path": "id", "value": 5},
        {"op": "move", "path": "summary", "value": "x"},
        {"op": "remove", "path": "summary"},
        {"op": "replace", "path": "status/id", "value": 999999},
    ):
        assert call(cw, "PATCH", "/service/tickets/1001", [operation]).status == 400, operation
    assert call(cw, "PATCH", "/service/tickets/99999", []).status == 404


def test_put_and_delete(cw: StandIn) -> None:
    replaced = call(cw, "PUT", "/service/tickets/1001", {**NEW_TICKET, "summary": "Replaced"})
    assert replaced.status == 200 and replaced.json()["summary"] == "Replaced" and replaced.json()["id"] == 1001
    assert call(cw, "PUT", "/service/tickets/1001", {"summary": "no board"}).status == 400
    deleted = call(cw, "DELETE", "/service/tickets/1001")
    assert (deleted.status, deleted.body) == (204, b"")
    assert call(cw, "GET", "/service/tickets/1001").status == 404
    assert call(cw, "GET", "/service/tickets/1001/notes").status == 404
    assert call(cw, "GET", "/service/tickets/count").json() == {"count": 119}


def test_schedule_entries_invoices_and_agreements_can_be_written(cw: StandIn) -> None:
    assert error_fields(call(cw, "POST", "/schedule/entries", {"objectId": 1001})) == {"member"}
    booking = {"objectId": 1001, "member": {"identifier": "spatel"}, "dateStart": "2031-03-17T09:00:00Z"}
    entry = call(cw, "POST", "/schedule/entries", {**booking, "dateEnd": "2031-03-17T10:30:00Z"})
    assert entry.status == 201
    assert entry.json()["hours"] == 1.5 and entry.json()["member"]["name"] == "Sam Patel"
    assert entry.json()["doneFlag"] is False
    backwards = call(cw, "POST", "/schedule/entries", {**booking, "dateEnd": "2031-03-17T08:00:00Z"})
    assert error_fields(backwards) == {"dateEnd"}
    invoice = call(cw, "POST", "/finance/invoices", {"type": "Standard", "company": {"id": 251}, "total": 300.0})
    assert invoice.status == 201 and invoice.json()["balance"] == 300.0
    paid = call(
        cw, "PATCH", f"/finance/invoices/{invoice.json()['id']}", [{"op": "replace", "path": "payments", "value": 300}]
    )
    assert paid.json()["balance"] == 0
    agreement = {"name": "New MSA", "type": {"id": 1}, "company": {"id": 251}, "endDate": "2032-01-31T00:00:00Z"}
    assert call(cw, "POST", "/finance/agreements", agreement).json()["noEndingDateFlag"] is False


def test_search_is_a_list_with_a_body(cw: StandIn) -> None:
    body = {"conditions": "closedFlag = false", "orderBy": "id desc", "fields": "id,closedFlag"}
    found = call(cw, "POST", "/service/tickets/search?pageSize=10&page=2", body)
    assert found.status == 200
    rows = found.json()
    assert len(rows) == 10 and all(set(r) == {"id", "closedFlag"} and not r["closedFlag"] for r in rows)
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)
    assert links(found)["prev"].startswith(f"{cw.base_url}/service/tickets/search?page=1&pageSize=10")
    assert call(cw, "GET", "/service/tickets/search").status == 405


def test_reset_restores_data(cw: StandIn) -> None:
    call(cw, "DELETE", "/service/tickets/1001")
    cw.reset()
    assert call(cw, "GET", "/service/tickets/1001").status == 200
    assert len(cw.requests) == 1


def test_concurrent_creates_get_distinct_ids(cw: StandIn) -> None:
    ids: list[int] = []

    def create() -> None:
        ids.append(call(cw, "POST", "/service/tickets", NEW_TICKET).json()["id"])

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(ids) == list(range(1121, 1129))


# -- faults ---------------------------------------------------------------------------------------------------------


def test_status_faults_are_fifo(cw: StandIn) -> None:
    cw.inject("status", code=429, headers={"Retry-After": "1"})
    cw.inject("status", count=2, code=503, body={"code": "ServiceUnavailable", "message": "down"})
    limited = call(cw, "GET", "/service/tickets/count")
    assert limited.status == 429 and limited.headers["Retry-After"] == "1"
    assert limited.json()["code"] == "TooManyRequests"
    for _ in range(2):
        down = call(cw, "GET", "/service/tickets/count")
        assert down.status == 503 and down.json() == {"code": "ServiceUnavailable", "message": "down"}
    assert call(cw, "GET", "/service/tickets/count").status == 200
    assert [r.fault for r in cw.requests] == ["status", "status", "status", None]


def test_faults_skip_company_info(cw: StandIn) -> None:
    cw.inject("status", code=500)
    assert call(cw, "GET", "/login/companyinfo/labtech", auth=False, api=False).status == 200
    assert call(cw, "GET", "/system/info").status == 500


def test_html_fault(cw: StandIn) -> None:
    cw.inject("html")
    result = call(cw, "GET", "/service/tickets")
    assert result.status == 502 and result.headers["Content-Type"] == "text/html"
    assert b"<title>502 Bad Gateway</title>" in result.body and b"nginx" in result.body


def test_truncated_json_fault(cw: StandIn) -> None:
    cw.inject("truncated_json")
    result = call(cw, "GET", "/service/tickets")
    assert result.status == 200 and result.headers["Content-Length"] == str(len(result.body))
    assert result.body.startswith(b"[{")
    with pytest.raises(json.JSONDecodeError):
        result.json()


def test_reset_fault_drops_the_connection(cw: StandIn) -> None:
    cw.inject("reset")
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
        call(cw, "GET", "/service/tickets")
    assert call(cw, "GET", "/service/tickets/count").status == 200


def test_slow_fault(cw: StandIn) -> None:
    cw.inject("slow", delay=0.3)
    started = time.monotonic()
    assert call(cw, "GET", "/service/tickets/count").json() == {"count": 120}
    assert time.monotonic() - started >= 0.3


def test_redirect_fault_points_elsewhere() -> None:
    with StandIn(ticket_count=5) as cw, Listener() as listener:
        cw.inject("redirect", location=f"{listener.url}/stolen")
        result = call(cw, "GET", "/service/tickets")
        assert result.status == 302 and result.headers["Location"] == f"{listener.url}/stolen"
        assert result.body == b""
        # A client that follows redirects lands on the other origin: what the gateway must never do.
        cw.inject("redirect", code=307, location=f"{listener.url}/stolen")
        with urllib.request.urlopen(urllib.request.Request(f"{cw.base_url}/service/tickets", headers=cw.headers)):
            pass
        (followed,) = listener.requests
        assert (followed.method, followed.path) == ("GET", "/stolen")
        assert [r.fault for r in cw.requests] == ["redirect", "redirect"]


def test_huge_fault(cw: StandIn) -> None:
    cw.inject("huge", records=3000)
    rows = call(cw, "GET", "/service/tickets?pageSize=5").json()
    assert len(rows) == 3000 and rows[0]["recordType"] == "ServiceTicket"


def test_inject_rejects_mistakes(cw: StandIn) -> None:
    with pytest.raises(ValueError):
        cw.inject("meltdown")
    with pytest.raises(ValueError):
        cw.inject("status")
    with pytest.raises(ValueError):
        cw.inject("slow", dely=1)
    assert cw.pending_faults == 0


# -- recording and robustness --------------------------------------------------------------------------------------


def test_requests_are_recorded_with_auth_redacted(cw: StandIn) -> None:
    conditions = q("summary contains 'a b'")
    call(cw, "POST", f"/service/tickets/search?page=2&conditions={conditions}", {"x": 1})
    call(cw, "GET", "/system/info", auth=False)
    first, second = cw.requests
    assert first.method == "POST"
    assert first.path == "/v4_6_release/apis/3.0/service/tickets/search"
    assert first.raw_path.endswith(f"?page=2&conditions={conditions}")
    assert first.query == {"page": "2", "conditions": "summary contains 'a b'"}
    assert first.headers["authorization"] == "<redacted>" and first.headers["clientid"] == cw.client_id
    assert first.body == b'{"x": 1}' and first.authorized is True
    assert "authorization" not in second.headers and second.authorized is False
    assert cw.private_key not in repr(cw.requests)


def test_listener_answers_and_records() -> None:
    with Listener() as listener:
        request = urllib.request.Request(f"{listener.url}/anything?a=1", data=b"hi", method="PUT")
        request.add_header("Authorization", "Basic c2VjcmV0")
        with urllib.request.urlopen(request) as response:
            assert (response.status, response.read()) == (200, b"{}")
        (seen,) = listener.requests
        assert (seen.method, seen.path, seen.query, seen.body) == ("PUT", "/anything", {"a": "1"}, b"hi")
        assert seen.headers["authorization"] == "<redacted>" and seen.authorized is True


def read_all(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(4096):
        received += chunk
    return received


def test_garbage_does_not_break_the_server(cw: StandIn) -> None:
    for garbage, answer in (
        # Not even a request line: an HTTP/0.9-style error page (no status line, no headers), then close.
        (b"\x00\xff not http at all\r\n\r\n", b"<!DOCTYPE HTML>"),
        (b"FROB /x HTTP/1.1\r\n\r\n", b"HTTP/1.1 501"),
        (b"POST /x HTTP/1.1\r\nContent-Length: 50\r\n\r\nshort", b"HTTP/1.1 400"),
    ):
        with socket.create_connection(("127.0.0.1", cw.port), timeout=5) as sock:
            sock.sendall(garbage)
            sock.shutdown(socket.SHUT_WR)
            received = read_all(sock)
            assert received.startswith(answer), received[:200]
            if not answer.startswith(b"HTTP"):
                assert b"Error code: 400" in received and b"HTTP/" not in received
    bad_length = call(cw, "POST", "/service/tickets", headers={"Content-Length": "-5"})
    assert bad_length.status == 400
    assert call(cw, "GET", "/service/tickets/count").status == 200


def test_keep_alive_connection_serves_many_requests(cw: StandIn) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", cw.port, timeout=5)
    try:
        for _ in range(3):
            connection.request("GET", f"{cw.api_root}/service/priorities", headers=cw.headers)
            response = connection.getresponse()
            assert response.status == 200 and len(json.loads(response.read())) == 5
    finally:
        connection.close()
