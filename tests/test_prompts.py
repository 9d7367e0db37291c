"""Prompts: listed with described arguments, rendered with them, refused clearly without them; every
operation and tool a prompt names exists; the reads a prompt steers to return data from the stand-in.

Through the official client on both protocol eras: in-process (the SDK's direct modern path and the
legacy handshake) and over stdio against the pyz (``server/discover`` and ``initialize``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest
from anyio.from_thread import start_blocking_portal
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPError
from mcp_types.version import LATEST_HANDSHAKE_VERSION, LATEST_MODERN_VERSION

from conftest import gateway, isolated_env, launch
from cwm_gateway import prompts
from cwm_gateway.prompts import PromptError, render

TODAY = date(2026, 12, 4)
# Arguments that render every prompt; the sandbox tests use values from the stand-in's data.
ARGUMENTS = {
    "my_open_tickets": {"member": "jsmith"},
    "log_time": {"ticket_id": "4521", "hours": "1.5", "note": "Replaced the PSU", "member": "jsmith"},
    "close_ticket": {"ticket_id": "4521", "resolution": "Replaced the switch; all ports up"},
    "company_overview": {"company": "O'Brien & Sons"},
    "agreements_renewing": {"month": "2027-01"},
    "my_schedule": {"member": "jsmith", "day": "2026-12-07"},
    "find_configuration": {"search": "SRV01"},
}
OPERATION = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE) (/[\w/{}<> ]*?)(?=[\s:,)]|$)")
TOOL_CALL = re.compile(r"\b(get_api_data|execute_api_call)\(\"([^\"]+)\"(?:, \"([A-Z]+)\")?")
READ = re.compile(r"\b(?:get_api_data|execute_api_call)\(\"([^\"]+)\", params=")


def every_rendering(tools: frozenset[str] = frozenset()) -> Iterator[tuple[str, str]]:
    assert set(ARGUMENTS) == set(prompts.BY_NAME), "give every prompt arguments here"
    for name, arguments in ARGUMENTS.items():
        yield name, render(name, arguments, tools, today=TODAY)
        optional = {arg.name for arg in prompts.BY_NAME[name].arguments if not arg.required}
        yield name, render(name, {k: v for k, v in arguments.items() if k not in optional}, tools, today=TODAY)


def named_operations(text: str) -> set[tuple[str, str]]:
    found = {(method, path.strip()) for method, path in OPERATION.findall(text)}
    found |= {(method or "GET", path) for _, path, method in TOOL_CALL.findall(text)}
    return found


def steered_reads(text: str, fill: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """The reads a rendered prompt spells out, as (path, params), placeholders filled from ``fill``."""
    reads = []
    for found in READ.finditer(text):
        params, _ = json.JSONDecoder().raw_decode(text, found.end())
        encoded = json.dumps([found[1], params])
        for placeholder, value in fill.items():
            encoded = encoded.replace(placeholder, value)
        assert not re.search(r"<[a-z][a-z ]*>", encoded), f"fill the placeholder in {encoded}"
        path, params = json.loads(encoded)
        reads.append((path, params))
    return reads


# -- the prompts as plain functions ---------------------------------------------------------------------------------


def test_every_operation_a_prompt_names_is_in_the_catalog(catalog) -> None:
    """A definition update that drops or renames an operation breaks this test, not a technician's prompt."""
    for name, text in every_rendering():
        operations = named_operations(text)
        assert operations, name
        for method, path in operations:
            concrete = re.sub(r"<[^>]+>", "1", path)
            match = catalog.resolve(concrete)
            assert match is not None, f"{name}: {method} {path} is no catalog path"
            assert method in {op.method for op in match.operations}, f"{name}: no {method} {match.template}"


def test_every_tool_a_prompt_names_is_served(catalog) -> None:
    from cwm_gateway.runtime import Runtime
    from cwm_gateway.server import build_server

    served = {tool.name for tool in build_server(Runtime())._tool_manager.list_tools()}
    for name, text in every_rendering(frozenset(served)):
        named = set(re.findall(r"\b([a-z]+(?:_[a-z]+)+)\(", text))
        assert named and named <= served, f"{name} names {sorted(named - served)}"
        assert {"list_fast_memory", "save_to_fast_memory"} <= named or name in ("log_time", "close_ticket"), name


def test_reads_go_to_the_read_only_tool_when_the_server_has_it() -> None:
    with_it = render("my_open_tickets", {"member": "jsmith"}, {"get_api_data", "execute_api_call"})
    assert 'get_api_data("/service/tickets", params=' in with_it
    without = render("my_open_tickets", {"member": "jsmith"}, {"execute_api_call"})
    assert 'execute_api_call("/service/tickets", params=' in without


def test_conditions_quote_what_the_user_typed() -> None:
    text = render("company_overview", {"company": "O'Brien"}, today=TODAY)
    (path, params), *_ = steered_reads(text, {"<id>": "1"})
    assert path == "/company/companies"
    assert params["conditions"] == 'identifier="O\'Brien" or name like "%O\'Brien%"'


def test_dates_default_to_next_month_and_today() -> None:
    renewing = render("agreements_renewing", {}, today=date(2026, 12, 4))
    assert "endDate >= [2027-01-01T00:00:00Z] and endDate < [2027-02-01T00:00:00Z]" in renewing
    schedule = render("my_schedule", {"member": "jkim"}, today=date(2026, 12, 31))
    assert "dateStart >= [2026-12-31T00:00:00Z] and dateStart < [2027-01-01T00:00:00Z]" in schedule


@pytest.mark.parametrize(
    ("name", "arguments", "says"),
    [
        ("log_time", {"ticket_id": "4521", "note": "x"}, "log_time needs hours (hours: Hours worked"),
        ("log_time", {"ticket_id": "4521", "hours": "two", "note": "x"}, "hours must be a number of hours"),
        ("log_time", {"ticket_id": "4521", "hours": "30", "note": "x"}, "at most 24"),
        ("close_ticket", {"ticket_id": "abc", "resolution": "x"}, "ticket_id must be a record number"),
        ("close_ticket", {"ticket_id": "7", "resolution": "  "}, "close_ticket needs resolution"),
        ("my_open_tickets", {"member": "j smith'"}, "member must be a ConnectWise member identifier"),
        ("my_open_tickets", {"member": "jsmith", "board": "x"}, "takes no argument board"),
        ("agreements_renewing", {"month": "January"}, "month must be written YYYY-MM"),
        ("my_schedule", {"member": "jsmith", "day": "12/07"}, "day must be written YYYY-MM-DD"),
        ("no_such_prompt", {}, "no prompt named 'no_such_prompt'"),
    ],
)
def test_bad_arguments_are_refused_with_what_to_send(name: str, arguments: dict[str, str], says: str) -> None:
    with pytest.raises(PromptError, match=re.escape(says)):
        render(name, arguments, today=TODAY)


# -- over MCP ------------------------------------------------------------------------------------------------------


@contextmanager
def connected(target: Any, mode: str) -> Iterator[Any]:
    """The official client on ``target`` (a server or stdio parameters); yields a call(fn) helper."""
    with start_blocking_portal() as portal:
        client = Client(target, mode=mode)
        with portal.wrap_async_context_manager(client):

            def call(fn: Any) -> Any:
                return portal.call(fn, client)

            call.client = client  # type: ignore[attr-defined]
            yield call


def check_prompts_over(call: Any) -> None:
    listed = call(lambda c: c.list_prompts(cache_mode="bypass")).prompts
    by_name = {prompt.name: prompt for prompt in listed}
    assert set(by_name) == set(prompts.BY_NAME)
    for prompt in listed:
        assert prompt.title and prompt.description and prompt.arguments, prompt.name
        assert all(arg.description and "e.g." in arg.description for arg in prompt.arguments), prompt.name
    log_time = {arg.name: arg.required for arg in by_name["log_time"].arguments}
    assert log_time == {"ticket_id": True, "hours": True, "note": True, "member": False}

    got = call(lambda c: c.get_prompt("log_time", {"ticket_id": "4521", "hours": "1.5", "note": "Reseated RAM"}))
    (message,) = got.messages
    assert message.role == "user" and isinstance(message.content, types.TextContent)
    assert "Log 1.5 hours on service ticket #4521" in message.content.text
    assert '"chargeToId": 4521' in message.content.text and "POST /time/entries" in message.content.text

    with pytest.raises(MCPError) as missing:
        call(lambda c: c.get_prompt("close_ticket", {"ticket_id": "4521"}))
    assert missing.value.code == types.INVALID_PARAMS
    assert "close_ticket needs resolution" in missing.value.message

    with pytest.raises(MCPError) as unknown:
        call(lambda c: c.get_prompt("close_tickets", {"ticket_id": "4521"}))
    assert unknown.value.code == types.INVALID_PARAMS
    assert "no prompt named 'close_tickets'; the prompts are my_open_tickets, log_time" in unknown.value.message

    with pytest.raises(MCPError) as malformed:
        call(lambda c: c.get_prompt("log_time", {"ticket_id": "4521", "hours": "lots", "note": "x"}))
    assert malformed.value.code == types.INVALID_PARAMS and "hours must be a number" in malformed.value.message


@pytest.mark.parametrize("mode", ["legacy", "auto"])
def test_prompts_in_process_on_both_eras(mode: str, tmp_path: Path) -> None:
    from cwm_gateway.runtime import Runtime
    from cwm_gateway.server import build_server

    with connected(build_server(Runtime()), mode) as call:
        check_prompts_over(call)


@pytest.mark.parametrize("mode", ["legacy", "auto"])
def test_prompts_over_stdio_from_the_pyz(mode: str, built_catalog: Path, tmp_path: Path) -> None:
    command, args, env = launch("pyz", isolated_env(tmp_path, CWM_CATALOG=str(built_catalog)))
    with connected(StdioServerParameters(command=command, args=args, env=env), mode) as call:
        version = call.client.session.protocol_version  # type: ignore[attr-defined]
        assert version == (LATEST_MODERN_VERSION if mode == "auto" else LATEST_HANDSHAKE_VERSION)
        check_prompts_over(call)


# -- following a prompt against the stand-in ---------------------------------------------------------------------------


def follow_reads(session: Any, text: str, fill: dict[str, str]) -> list[Any]:
    """Send every read the prompt spells out; each must be accepted as written (no unknown field) and answer."""
    results = []
    for path, params in steered_reads(text, fill):
        result = session.call("execute_api_call", path=path, params=params)
        assert not result.is_error, result.text
        assert "not in the API definition" not in result.text + json.dumps(result.data), result.text
        results.append(result)
    assert results
    return results


@pytest.fixture(scope="module")
def sandbox(standin, built_catalog: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from conftest import connectwise_env

    with gateway(tmp_path_factory.mktemp("prompts"), built_catalog, connectwise_env(standin)) as session:
        yield session


def test_my_open_tickets_reads_that_members_open_tickets_most_urgent_first(sandbox, standin) -> None:
    standin.reset()
    records = standin.records("/service/tickets")
    who = next(t["owner"]["identifier"] for t in records if not t["closedFlag"] and t.get("owner"))
    (listed,) = follow_reads(sandbox, render("my_open_tickets", {"member": who}), {})
    theirs = [
        t
        for t in records
        if not t["closedFlag"] and (t.get("owner", {}).get("identifier") == who or who in t.get("resources", ""))
    ]
    assert sorted(t["id"] for t in listed.data["data"]) == sorted(t["id"] for t in theirs)
    urgency = {t["id"]: t["priority"]["sort"] for t in theirs}
    order = [urgency[t["id"]] for t in listed.data["data"]]
    assert order == sorted(order) and len(set(order)) > 1


def test_company_overview_reads_the_company_its_tickets_agreements_and_configurations(sandbox, standin) -> None:
    standin.reset()
    company = next(a["company"] for a in standin.records("/finance/agreements"))
    text = render("company_overview", {"company": company["identifier"]})
    found, count, tickets, agreements, configurations = follow_reads(sandbox, text, {"<id>": str(company["id"])})
    assert [c["id"] for c in found.data["data"]] == [company["id"]]
    assert count.data["data"]["count"] >= len(tickets.data["data"])
    assert agreements.data["data"] and configurations.data["data"]


def test_agreements_renewing_reads_the_agreements_ending_next_month(sandbox, standin) -> None:
    standin.reset()
    today = date.today()
    (listed,) = follow_reads(sandbox, render("agreements_renewing", {}, today=today), {})
    following = (today.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    expected = sorted(
        a["id"]
        for a in standin.records("/finance/agreements")
        if a.get("endDate", "").startswith(following) and not a["cancelledFlag"]
    )
    assert expected, "the stand-in has agreements ending next month"
    assert sorted(a["id"] for a in listed.data["data"]) == expected


def test_my_schedule_and_find_configuration_read_data(sandbox, standin) -> None:
    standin.reset()
    entry = standin.records("/schedule/entries")[0]
    arguments = {"member": entry["member"]["identifier"], "day": entry["dateStart"][:10]}
    (schedule,) = follow_reads(sandbox, render("my_schedule", arguments), {})
    assert entry["id"] in [e["id"] for e in schedule.data["data"]]
    device = standin.records("/company/configurations")[0]
    text = render("find_configuration", {"search": device["serialNumber"]})
    found, tickets = follow_reads(sandbox, text, {"<its company id>": str(device["company"]["id"])})
    assert [d["id"] for d in found.data["data"]] == [device["id"]]
    open_there = [
        t["id"]
        for t in standin.records("/service/tickets")
        if t["company"]["id"] == device["company"]["id"] and not t["closedFlag"]
    ]
    assert sorted(t["id"] for t in tickets.data["data"]) == sorted(open_there)


def test_close_ticket_as_steered_closes_it_with_the_resolution(sandbox, standin) -> None:
    standin.reset()
    ticket = next(t for t in standin.records("/service/tickets") if not t["closedFlag"])
    text = render("close_ticket", {"ticket_id": str(ticket["id"]), "resolution": "Replaced the switch"})
    read, statuses = follow_reads(sandbox, text, {"<board id>": str(ticket["board"]["id"])})
    assert read.data["data"]["board"]["id"] == ticket["board"]["id"]
    closing = statuses.data["data"][0]["id"]
    note = sandbox.call(
        "execute_api_call",
        path=f"/service/tickets/{ticket['id']}/notes",
        method="POST",
        data={"text": "Replaced the switch", "resolutionFlag": True},
    )
    assert not note.is_error, note.text
    patched = sandbox.call(
        "execute_api_call",
        path=f"/service/tickets/{ticket['id']}",
        method="PATCH",
        data=[{"op": "replace", "path": "status/id", "value": closing}],
    )
    assert not patched.is_error, patched.text
    after = next(t for t in standin.records("/service/tickets") if t["id"] == ticket["id"])
    assert after["status"]["id"] == closing
    notes = standin.records("/service/tickets/{parentId}/notes", ticket["id"])
    assert any(n["resolutionFlag"] and n["text"] == "Replaced the switch" for n in notes)
