"""Human confirmation (elicitation) and dry run, through the official ``mcp`` client in both eras.

The person at the client is ``Person``: the client's elicitation callback, answering each question
with the action it was given and remembering the questions. The modern era discovers the server
(``server/discover``, 2026-07-28: the question comes back in an ``InputRequiredResult`` and the
client calls again with the answer); the legacy one shakes hands (``initialize``: the server sends
``elicitation/create`` in the middle of the call). What reached ConnectWise is counted at the stand-in.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest
from anyio.from_thread import start_blocking_portal
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from conftest import PRIVATE_KEY, PUBLIC_KEY, connectwise_env, isolated_env, launch
from inprocess import Ambient, _quiet_keyring
from mcp_client import InProcessSession, ToolCall, Wire, shared_portal

ERAS = {"modern": ("auto", "2026-07-28"), "legacy": ("legacy", "2025-11-25")}
TICKETS = "/service/tickets"


class Person:
    """The person at the client: answers every question with ``action``; ``questions`` are those shown."""

    def __init__(self, *actions: str) -> None:
        self.actions = list(actions)
        self.questions: list[str] = []
        self.schemas: list[dict[str, Any]] = []

    async def __call__(self, context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        self.questions.append(params.message)
        self.schemas.append(params.requested_schema)
        action = self.actions.pop(0) if len(self.actions) > 1 else self.actions[0]
        return types.ElicitResult(action=action, content={} if action == "accept" else None)


class StdioSession:
    """``mcp.Client`` over stdio to the pyz, with the ``call`` of the other test sessions."""

    def __init__(self, client: Client, portal: Any) -> None:
        self._client = client
        self._portal = portal

    def call(self, tool: str, timeout: float = 60, **arguments: Any) -> ToolCall:
        return ToolCall(
            self._portal.call(lambda: self._client.call_tool(tool, arguments, read_timeout_seconds=timeout))
        )


@contextmanager
def connected(
    home: Path, catalog: Path, env: dict[str, str], era: str, person: Any, kind: str = "inprocess"
) -> Iterator[Any]:
    """The gateway and the official client in ``era``; the client can elicit only when given a person
    (an elicitation callback such as ``Person``)."""
    mode, version = ERAS[era]
    full = isolated_env(home, CWM_CATALOG=str(catalog), **env)
    options: dict[str, Any] = {"mode": mode, "elicitation_callback": person}
    with ExitStack() as stack:
        if kind == "inprocess":
            session: Any = stack.enter_context(_inprocess(home, full, options))
            client = session._client
        else:
            command, args, full = launch("pyz", full)
            errlog = stack.enter_context(open(home / f"stderr-{era}.log", "w"))
            params = StdioServerParameters(command=command, args=args, env=full)
            client = Client(stdio_client(params, errlog), **options)
            portal = stack.enter_context(start_blocking_portal())
            stack.enter_context(portal.wrap_async_context_manager(client))
            session = StdioSession(client, portal)
        assert client.protocol_version == version
        yield session


@contextmanager
def _inprocess(home: Path, env: dict[str, str], options: dict[str, Any]) -> Iterator[InProcessSession]:
    from cwm_gateway.runtime import Runtime
    from cwm_gateway.server import build_server

    _quiet_keyring()
    ambient = Ambient(home, env)
    portal = shared_portal()
    with ambient.active():
        server = build_server(Runtime())
    wire = Wire(server)
    client = Client(wire, **options)
    with ambient.active():
        entered = portal.wrap_async_context_manager(client)
        entered.__enter__()
    try:
        yield InProcessSession(client, wire, portal, ambient)
    finally:
        with ambient.active():
            entered.__exit__(None, None, None)
        ambient.close()


@pytest.fixture(autouse=True)
def fresh(standin) -> None:
    standin.reset()


def sent(standin, method: str | None = None) -> list[tuple[str, str]]:
    """The API requests that reached the stand-in: (method, path under the API root)."""
    root = standin.api_root
    return [
        (r.method, r.path.split("?")[0][len(root) :])
        for r in standin.requests
        if r.path.startswith(root) and (method is None or r.method == method)
    ]


def ticket(standin, ticket_id: int) -> dict[str, Any]:
    return next(t for t in standin.records(TICKETS) if t["id"] == ticket_id)


def writes(standin) -> list[tuple[str, str]]:
    return [request for request in sent(standin) if request[0] != "GET"]


@pytest.fixture(params=sorted(ERAS))
def era(request: pytest.FixtureRequest) -> str:
    return request.param


# -- a DELETE asks the person ----------------------------------------------------------------------


def test_the_person_accepts_a_delete_and_it_is_sent_once(
    standin, built_catalog: Path, tmp_path: Path, era: str
) -> None:
    before = ticket(standin, 1003)
    person = Person("accept")
    with connected(tmp_path, built_catalog, connectwise_env(standin), era, person) as session:
        done = session.call("execute_api_call", path=f"{TICKETS}/1003", method="DELETE")
    assert not done.is_error, done.text
    expected = f"Delete service ticket #1003 {before['summary']!r} ({before['company']['name']})?"
    assert person.questions == [expected]  # asked once, in either era
    assert person.schemas[0]["properties"] == {}  # a yes or no: nothing to type, never a secret
    assert writes(standin) == [("DELETE", f"{TICKETS}/1003")]
    assert all(t["id"] != 1003 for t in standin.records(TICKETS))


@pytest.mark.parametrize(("action", "words"), [("decline", "declined"), ("cancel", "dismissed")])
def test_a_person_who_says_no_stops_the_delete_and_the_result_says_so(
    standin, built_catalog: Path, tmp_path: Path, era: str, action: str, words: str
) -> None:
    person = Person(action)
    with connected(tmp_path, built_catalog, connectwise_env(standin), era, person) as session:
        refused = session.call("execute_api_call", path=f"{TICKETS}/1003", method="DELETE", confirm=True)
    assert len(person.questions) == 1  # confirm=true from the model does not stand in for the person
    assert writes(standin) == []
    assert ticket(standin, 1003)
    assert not refused.is_error  # not a failure to retry: the person said no
    assert refused.data["sent"] is False and refused.data["confirmation"] == action
    assert f"the person {words}" in refused.text and "Nothing was sent" in refused.text
    assert "Do not call again (not even with confirm=true)" in refused.text
    assert person.questions[0] in refused.text


def test_a_record_that_changes_before_the_answer_is_asked_about_again(
    standin, built_catalog: Path, tmp_path: Path
) -> None:
    """Modern era: the answer comes back in a second request, for which the record is read again."""
    person = Person("accept")
    ask = person.__call__

    async def someone_edits_it_meanwhile(context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        if not person.questions:
            edit = [{"op": "replace", "path": "summary", "value": "Changed meanwhile"}]
            request = urllib.request.Request(
                f"{standin.base_url}{TICKETS}/1003", json.dumps(edit).encode(), standin.headers, method="PATCH"
            )
            request.add_header("Content-Type", "application/json")
            urllib.request.urlopen(request, timeout=5).close()
        return await ask(context, params)

    env = connectwise_env(standin)
    with connected(tmp_path, built_catalog, env, "modern", someone_edits_it_meanwhile) as session:
        done = session.call("execute_api_call", path=f"{TICKETS}/1003", method="DELETE")
    assert not done.is_error, done.text
    assert len(person.questions) == 2 and "'Changed meanwhile'" in person.questions[1]
    assert sent(standin, "DELETE") == [("DELETE", f"{TICKETS}/1003")]


def test_a_client_that_cannot_ask_keeps_the_confirm_rule(
    standin, built_catalog: Path, tmp_path: Path, era: str
) -> None:
    with connected(tmp_path, built_catalog, connectwise_env(standin), era, None) as session:
        unconfirmed = session.call("execute_api_call", path=f"{TICKETS}/1003", method="DELETE")
        assert unconfirmed.is_error and "confirm=true" in unconfirmed.text
        assert sent(standin) == []  # not even the record was read
        done = session.call("execute_api_call", path=f"{TICKETS}/1003", method="DELETE", confirm=True)
    assert not done.is_error, done.text
    assert writes(standin) == [("DELETE", f"{TICKETS}/1003")]


def test_a_refused_call_asks_nobody(standin, built_catalog: Path, tmp_path: Path) -> None:
    person = Person("accept")
    env = connectwise_env(standin, CWM_READ_ONLY="1")
    with connected(tmp_path, built_catalog, env, "modern", person) as session:
        refused = session.call("send_raw_api_request", raw_request=f"DELETE {TICKETS}/1003")
    assert refused.is_error and "read-only" in refused.text
    assert person.questions == [] and sent(standin) == []


def test_each_writing_tool_asks_before_a_delete(standin, built_catalog: Path, tmp_path: Path) -> None:
    person = Person("decline")
    with connected(tmp_path, built_catalog, connectwise_env(standin), "legacy", person) as session:
        raw = session.call("send_raw_api_request", raw_request=f"DELETE {TICKETS}/1004")
        saved = session.call("save_to_fast_memory", path=f"{TICKETS}/1005", method="DELETE", description="drop 1005")
        run = session.call("run_saved_query", query_id=saved.data["id"])
    assert raw.data["confirmation"] == run.data["confirmation"] == "decline"
    asked = [q.split(" '")[0] for q in person.questions]
    assert asked == ["Delete service ticket #1004", "Delete service ticket #1005"]
    assert writes(standin) == []


# -- CWM_CONFIRM_WRITES: every write asks ----------------------------------------------------------------


def test_confirm_writes_makes_a_post_ask(standin, built_catalog: Path, tmp_path: Path, era: str) -> None:
    person = Person("accept")
    env = connectwise_env(standin, CWM_CONFIRM_WRITES="1")
    body = {"summary": "Printer jam on floor 2", "board": {"id": 1}, "company": {"id": 250}}
    with connected(tmp_path, built_catalog, env, era, person) as session:
        created = session.call("execute_api_call", path=TICKETS, method="POST", data=body)
        read = session.call("execute_api_call", path=f"{TICKETS}/1003", params={})  # reads never ask
    assert not created.is_error and not read.is_error, created.text
    (question,) = person.questions
    assert question.startswith("Create service ticket (/service/tickets)?")
    assert "summary: 'Printer jam on floor 2'" in question and "board: id 1" in question
    assert writes(standin) == [("POST", TICKETS)]


def test_without_confirm_writes_only_a_delete_asks(standin, built_catalog: Path, tmp_path: Path) -> None:
    person = Person("accept")
    with connected(tmp_path, built_catalog, connectwise_env(standin), "modern", person) as session:
        changed = session.call("execute_api_call", path=f"{TICKETS}/1003", method="PATCH", data={"summary": "x"})
    assert not changed.is_error and person.questions == []
    assert writes(standin) == [("PATCH", f"{TICKETS}/1003")]


def test_a_patch_question_shows_current_and_new_values(standin, built_catalog: Path, tmp_path: Path, era: str) -> None:
    before = ticket(standin, 1004)
    person = Person("decline")
    env = connectwise_env(standin, CWM_CONFIRM_WRITES="1")
    patch = [
        {"op": "replace", "path": "summary", "value": "VPN fixed"},
        {"op": "replace", "path": "status/id", "value": 5},
    ]
    with connected(tmp_path, built_catalog, env, era, person) as session:
        session.call("execute_api_call", path=f"{TICKETS}/1004", method="PATCH", data=patch)
    (question,) = person.questions
    lines = question.splitlines()
    assert lines[0] == f"Change service ticket #1004 {before['summary']!r} ({before['company']['name']})?"
    assert f"  summary: {before['summary']!r} -> 'VPN fixed'" in lines
    assert f"  status/id: {before['status']['id']} -> 5" in lines
    assert writes(standin) == []


def test_a_client_that_cannot_ask_needs_confirm_for_every_write_under_confirm_writes(
    standin, built_catalog: Path, tmp_path: Path
) -> None:
    env = connectwise_env(standin, CWM_CONFIRM_WRITES="1")
    with connected(tmp_path, built_catalog, env, "modern", None) as session:
        refused = session.call("execute_api_call", path=f"{TICKETS}/1003", method="PATCH", data={"summary": "x"})
        assert refused.is_error and "CWM_CONFIRM_WRITES" in refused.text and "confirm=true" in refused.text
        assert sent(standin) == []
        done = session.call(
            "execute_api_call", path=f"{TICKETS}/1003", method="PATCH", data={"summary": "x"}, confirm=True
        )
    assert not done.is_error
    assert writes(standin) == [("PATCH", f"{TICKETS}/1003")]


# -- dry run ------------------------------------------------------------------------------------------------


def test_a_dry_run_patch_sends_nothing_and_shows_the_request_and_current_values(
    standin, built_catalog: Path, tmp_path: Path, era: str
) -> None:
    before = ticket(standin, 1004)
    person = Person("accept")
    env = connectwise_env(standin, CWM_CONFIRM_WRITES="1")
    with connected(tmp_path, built_catalog, env, era, person) as session:
        shown = session.call(
            "execute_api_call", path=f"{TICKETS}/1004", method="PATCH", data={"summary": "VPN fixed"}, dry_run=True
        )
    assert not shown.is_error, shown.text
    assert sent(standin) == [("GET", f"{TICKETS}/1004")]  # the current record, nothing that writes
    assert person.questions == []  # nothing is sent, so nobody is asked
    data = shown.data
    assert data["dry_run"] is True and data["sent"] is False
    assert data["request"]["method"] == "PATCH"
    assert data["request"]["url"] == f"{standin.base_url}{TICKETS}/1004"
    assert data["request"]["body"] == [{"op": "replace", "path": "summary", "value": "VPN fixed"}]
    assert data["request"]["headers"]["clientId"] == "(present)"
    assert data["changes"] == [{"field": "summary", "current": before["summary"], "new": "VPN fixed"}]
    assert "confirm" in data["confirmation"]
    # The text says the same.
    assert "Dry run: nothing was sent." in shown.text
    assert f"PATCH {standin.base_url}{TICKETS}/1004" in shown.text
    assert '"value":"VPN fixed"' in shown.text
    assert f"summary: {before['summary']!r} -> 'VPN fixed'" in shown.text
    for secret in (PRIVATE_KEY, PUBLIC_KEY, standin.authorization.split()[1]):
        assert secret not in shown.text and secret not in json.dumps(data)


def test_a_dry_run_delete_needs_no_confirmation_and_sends_nothing(standin, built_catalog: Path, tmp_path: Path) -> None:
    with connected(tmp_path, built_catalog, connectwise_env(standin), "legacy", None) as session:
        shown = session.call("send_raw_api_request", raw_request=f"DELETE {TICKETS}/1003", dry_run=True)
    assert not shown.is_error, shown.text
    assert writes(standin) == []
    assert shown.data["request"]["body"] is None and shown.data["record"].startswith("#1003 ")
    assert "confirm=true" in shown.data["confirmation"]


def test_a_dry_run_reports_a_record_it_cannot_read(standin, built_catalog: Path, tmp_path: Path) -> None:
    with connected(tmp_path, built_catalog, connectwise_env(standin), "modern", None) as session:
        shown = session.call(
            "execute_api_call", path=f"{TICKETS}/999999", method="PUT", data={"summary": "x"}, dry_run=True
        )
    assert not shown.is_error, shown.text
    assert "404" in shown.data["current_error"] and "could not be read" in shown.text
    assert shown.data["changes"] == [{"field": "summary", "new": "x"}]
    assert writes(standin) == []


def test_a_dry_run_of_a_saved_post_shows_its_body(standin, built_catalog: Path, tmp_path: Path) -> None:
    body = {"summary": "Weekly check", "board": {"id": 1}, "company": {"id": 250}}
    with connected(tmp_path, built_catalog, connectwise_env(standin), "modern", None) as session:
        saved = session.call("save_to_fast_memory", path=TICKETS, method="POST", description="weekly", data=body)
        shown = session.call("run_saved_query", query_id=saved.data["id"], dry_run=True)
    assert shown.data["request"]["body"] == body and "Body: " in shown.text
    assert sent(standin) == []
    assert "confirmation" not in shown.data  # a POST asks only under CWM_CONFIRM_WRITES


def test_a_dry_run_still_runs_every_check(standin, built_catalog: Path, tmp_path: Path) -> None:
    with connected(tmp_path, built_catalog, connectwise_env(standin), "modern", None) as session:
        shown = session.call("execute_api_call", path=TICKETS, method="POST", data={"board": {"id": 1}}, dry_run=True)
    assert shown.is_error and "summary" in shown.text
    assert sent(standin) == []


# -- over stdio, through the pyz users run ------------------------------------------------------------------


def test_over_stdio_the_person_decides_and_a_dry_run_sends_nothing(
    standin, built_catalog: Path, tmp_path: Path, era: str
) -> None:
    person = Person("decline", "accept")
    env = connectwise_env(standin)
    with connected(tmp_path, built_catalog, env, era, person, kind="pyz") as session:
        declined = session.call("execute_api_call", path=f"{TICKETS}/1003", method="DELETE")
        assert declined.data["confirmation"] == "decline" and writes(standin) == []
        accepted = session.call("execute_api_call", path=f"{TICKETS}/1003", method="DELETE")
        assert not accepted.is_error and writes(standin) == [("DELETE", f"{TICKETS}/1003")]
        standin.clear_requests()
        shown = session.call(
            "execute_api_call", path=f"{TICKETS}/1004", method="PATCH", data={"summary": "y"}, dry_run=True
        )
    assert shown.data["changes"][0]["new"] == "y" and writes(standin) == []
    assert len(person.questions) == 2 and person.questions[0].startswith("Delete service ticket #1003 ")


def test_over_stdio_a_client_that_cannot_ask_needs_confirm(
    standin, built_catalog: Path, tmp_path: Path, era: str
) -> None:
    with connected(tmp_path, built_catalog, connectwise_env(standin), era, None, kind="pyz") as session:
        refused = session.call("execute_api_call", path=f"{TICKETS}/1003", method="DELETE")
        assert refused.is_error and "confirm=true" in refused.text and sent(standin) == []
        done = session.call("execute_api_call", path=f"{TICKETS}/1003", method="DELETE", confirm=True)
    assert not done.is_error and writes(standin) == [("DELETE", f"{TICKETS}/1003")]


# -- the words of a question ----------------------------------------------------------------------------


def _request(catalog, method: str, path: str, body: Any = None) -> Any:
    from dataclasses import replace

    from cwm_gateway.execution.request import Request

    op = catalog.resolve(path).method(method)
    return replace(Request(method, path, body=body, has_body=body is not None), op=op)


def test_a_question_names_the_record_by_what_it_has(catalog) -> None:
    from cwm_gateway.execution.confirm import question
    from cwm_gateway.execution.current import Current

    contact = {"id": 12, "firstName": "Ada", "lastName": "Lovelace", "company": {"identifier": "Contoso"}}
    assert question(_request(catalog, "DELETE", "/company/contacts/12"), Current(contact)) == (
        "Delete company contact #12 'Ada Lovelace' (Contoso)?"
    )
    company = {"id": 250, "identifier": "LabTech", "name": "Lab Tech Demo"}
    assert question(_request(catalog, "DELETE", "/company/companies/250"), Current(company)) == (
        "Delete company #250 'Lab Tech Demo'?"
    )
    note = _request(catalog, "DELETE", "/service/tickets/5/notes/9")
    assert question(note, Current(problem="ConnectWise returned 404: not found")) == (
        "Delete service ticket note /service/tickets/5/notes/9 "
        "(it could not be read first: ConnectWise returned 404: not found)?"
    )


def test_a_question_never_shows_a_secret_value(catalog) -> None:
    from cwm_gateway.execution.confirm import question
    from cwm_gateway.execution.current import Current

    patch = [{"op": "replace", "path": "password", "value": "hunter2-new"}]
    member = {"id": 7, "identifier": "jdoe", "password": "hunter2-old"}
    asked = question(_request(catalog, "PATCH", "/system/members/7", patch), Current(member))
    assert "hunter2" not in asked and "password: (hidden) -> (hidden)" in asked
    created = question(_request(catalog, "POST", "/system/members", {"identifier": "x", "password": "s3cret"}), None)
    assert "s3cret" not in created and "password: (hidden)" in created


def test_a_put_question_lists_only_the_fields_that_change(catalog) -> None:
    from cwm_gateway.execution.confirm import question
    from cwm_gateway.execution.current import Current

    record = {"id": 5, "summary": "Old", "board": {"id": 1, "name": "Service Desk"}, "budgetHours": 2}
    body = {"summary": "New", "board": {"id": 1}, "budgetHours": 3}
    lines = question(_request(catalog, "PUT", "/service/tickets/5", body), Current(record)).splitlines()
    assert lines == ["Replace service ticket #5 'Old'?", "  summary: 'Old' -> 'New'", "  budgetHours: 2 -> 3"]


def test_the_writing_tools_take_dry_run_and_the_answer_is_no_argument(
    standin, built_catalog: Path, tmp_path: Path, era: str
) -> None:
    with connected(tmp_path, built_catalog, connectwise_env(standin), era, Person("accept")) as session:
        tools = {tool.name: tool.input_schema["properties"] for tool in session.list_tools()}
    for name in ("execute_api_call", "send_raw_api_request", "run_saved_query"):
        assert "dry_run" in tools[name] and "confirm" in tools[name]
        assert not {"person", "person_question"} & set(tools[name]), name
