"""The tools as clients see them: titles, described and bounded arguments, output schemas that real
results meet (errors included), one result contract for text and structured content, the read-only
get_api_data, and progress while paging. In both protocol eras, in-process and through the pyz."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import urllib3

from conftest import CLIENT_ID, COMPANY, PRIVATE_KEY, PUBLIC_KEY, connectwise_env, gateway
from mcp_client import ToolCall

MODERN = "2026-07-28"


@pytest.fixture(scope="module", params=["legacy", MODERN])
def era(request: pytest.FixtureRequest, standin, built_catalog: Path, tmp_path_factory: pytest.TempPathFactory):
    """An in-process gateway on the stand-in, on the legacy handshake and on the stateless 2026-07-28 era."""
    home = tmp_path_factory.mktemp(f"surface-{request.param}")
    with gateway(home, built_catalog, connectwise_env(standin), mode=request.param) as session:
        yield session


@pytest.fixture(scope="module", params=["legacy", MODERN])
def pyz_session(
    standin, built_catalog: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Any]:
    home, env = tmp_path_factory.mktemp("surface-pyz"), connectwise_env(standin)
    with gateway(home, built_catalog, env, kind="pyz", mode=request.param) as s:
        yield s


@pytest.fixture(autouse=True)
def fresh(standin) -> None:
    standin.reset()


def api_requests(standin) -> list:
    return [r for r in standin.requests if "/apis/3.0" in r.path]


def schemas(session: Any) -> dict[str, dict[str, Any]]:
    return {tool.name: tool.output_schema for tool in session.list_tools()}


def meets(result: ToolCall, schema: dict[str, Any]) -> None:
    """The result's structured content is there and meets the tool's output schema (errors too)."""
    assert result.data is not None, result.text[:300]
    jsonschema.validate(result.data, schema)


# -- tools/list ---------------------------------------------------------------------------------------


def check_listing(tools: dict[str, Any]) -> None:
    for tool in tools.values():
        assert tool.title, tool.name
        assert tool.output_schema and tool.output_schema["type"] == "object", tool.name
        jsonschema.Draft202012Validator.check_schema(tool.output_schema)
        for name, argument in tool.input_schema["properties"].items():
            assert argument.get("description"), f"{tool.name}.{name} has no description"
    for name in ("execute_api_call", "get_api_endpoint_details", "save_to_fast_memory"):
        assert tools[name].input_schema["properties"]["method"]["enum"] == ["GET", "POST", "PUT", "PATCH", "DELETE"]
    for name, argument, high in (
        ("search_api_endpoints", "max_results", 50),
        ("get_category_endpoints", "max_results", 500),
        ("get_api_data", "max_items", 100_000),
        ("execute_api_call", "max_items", 100_000),
    ):
        bounds = tools[name].input_schema["properties"][argument]
        assert (bounds["minimum"], bounds["maximum"]) == (1, high), name
    reading = tools["get_api_data"].annotations
    assert (reading.read_only_hint, reading.destructive_hint, reading.open_world_hint) == (True, False, True)
    for name in ("execute_api_call", "send_raw_api_request", "run_saved_query"):
        assert tools[name].annotations.read_only_hint is False and tools[name].annotations.destructive_hint is True
    described = tools["execute_api_call"].input_schema["properties"]
    assert '{"conditions":"closedFlag=false","pageSize":25}' in described["params"]["description"]
    assert '[{"op":"replace","path":"status/id","value":5}]' in described["data"]["description"]


def test_every_tool_has_a_title_described_arguments_bounds_and_an_output_schema(era) -> None:
    check_listing({tool.name: tool for tool in era.list_tools()})


def test_the_pyz_lists_the_same_over_stdio(pyz_session, request: pytest.FixtureRequest) -> None:
    era = request.node.callspec.params["pyz_session"]
    assert (pyz_session.protocol_version == MODERN) == (era == MODERN), pyz_session.protocol_version
    check_listing({tool.name: tool for tool in pyz_session.list_tools()})


# -- output schemas, met by real results ------------------------------------------------------------------


CALLS: list[tuple[str, dict[str, Any]]] = [
    ("search_api_endpoints", {"query": "ticket notes"}),
    ("search_api_endpoints", {"query": "   "}),
    ("natural_language_api_search", {"query": "close ticket 12", "max_results": 3}),
    ("natural_language_api_search", {"query": "tickets", "max_results": 0}),
    ("list_api_categories", {}),
    ("list_api_categories", {"group": "service"}),
    ("list_api_categories", {"group": "nowhere"}),
    ("get_category_endpoints", {"category": "Tickets", "max_results": 3}),
    ("get_category_endpoints", {"category": "Tikets"}),
    ("get_api_endpoint_details", {"path": "/service/tickets", "method": "post"}),
    ("get_api_endpoint_details", {"path": "/service/tikets/5"}),
    ("get_api_data", {"path": "/service/tickets", "params": {"pageSize": 3}, "fields": "id,summary"}),
    ("get_api_data", {"path": "/service/tickets/1004"}),
    ("get_api_data", {"path": "/service/tickets", "data": {"summary": "x"}}),
    ("get_api_data", {"path": "/service/tickets/999999"}),
    ("execute_api_call", {"path": "/service/tickets/1004", "method": "patch", "data": {"summary": "Schema"}}),
    ("execute_api_call", {"path": "/service/tickets/1003", "method": "DELETE"}),
    ("execute_api_call", {"path": "/service/tickets", "max_items": 0, "all_pages": True}),
    ("send_raw_api_request", {"raw_request": "GET /service/boards?pageSize=2"}),
    ("send_raw_api_request", {"raw_request": "FETCH nothing"}),
    ("save_to_fast_memory", {"path": "/service/boards", "method": "get", "description": "schema boards"}),
    ("save_to_fast_memory", {"path": "/nowhere", "method": "GET", "description": "x"}),
    ("list_fast_memory", {}),
    ("list_fast_memory", {"search_term": "nothing saved like this"}),
    ("run_saved_query", {"query_id": 987654}),
    ("delete_from_fast_memory", {"query_id": 0}),
]


def test_real_results_meet_their_output_schemas_errors_included(era) -> None:
    declared = schemas(era)
    outcomes = set()
    for tool, arguments in CALLS:
        result = era.call(tool, **arguments)
        meets(result, declared[tool])
        outcomes.add((tool, result.is_error))
    saved = era.call("save_to_fast_memory", path="/service/boards", method="GET", description="schema run")
    for tool, arguments in (
        ("run_saved_query", {"query_id": saved.data["id"]}),
        ("delete_from_fast_memory", {"query_id": saved.data["id"]}),
        ("clear_fast_memory", {}),
    ):
        result = era.call(tool, **arguments)
        assert not result.is_error, result.text
        meets(result, declared[tool])
        outcomes.add((tool, False))
    assert {name for name, _ in outcomes} == set(declared)  # every tool, once at least
    assert {name for name, failed in outcomes if failed} >= {"get_api_data", "execute_api_call", "list_api_categories"}


def test_results_through_the_pyz_meet_their_output_schemas(pyz_session) -> None:
    declared = schemas(pyz_session)
    for tool, arguments in CALLS[::3]:
        meets(pyz_session.call(tool, **arguments), declared[tool])


# -- one result contract ------------------------------------------------------------------------------------


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def words_are_in_the_data(result: ToolCall) -> None:
    """Every sentence of a call's text between the headline and the records is a string of its data."""
    said = set(strings_in(result.data))
    lines = result.text.splitlines()
    assert json.loads(lines[-1]) == result.data["data"]
    for line in lines[1:-1]:
        for prefix in ("Warning: ", "To keep this query: "):
            line = line.removeprefix(prefix)
        assert line in said, f"{line!r} is in the text only"


def test_notes_warnings_paging_and_the_save_hint_are_in_the_structured_content(era) -> None:
    patched = era.call("execute_api_call", path="/service/tickets/1004", method="PATCH", data={"summary": "Noted"})
    assert "data was an object; sent as JSON Patch replace operations for: summary" in patched.data["notes"]
    assert patched.data["save_hint"].startswith("save_to_fast_memory(")
    words_are_in_the_data(patched)
    unknown = era.call(
        "execute_api_call",
        path="/service/tickets",
        method="POST",
        data={"summary": "x", "board": {"id": 1}, "company": {"id": 251}, "someNewerField": 1},
    )
    assert any("someNewerField" in w for w in unknown.data["warnings"]), unknown.text
    words_are_in_the_data(unknown)
    paged = era.call("get_api_data", path="/service/tickets", params={"pageSize": 5, "orderBy": "id"})
    assert paged.data["next_page"] == {"pageSize": 5, "orderBy": "id", "page": 2}
    assert paged.data["next_step"].startswith("More records: call again with params")
    words_are_in_the_data(paged)
    capped = era.call("get_api_data", path="/service/tickets", params={"pageSize": 10}, all_pages=True, max_items=15)
    assert "Stopped at max_items=15; more records exist." in capped.data["notes"]
    words_are_in_the_data(capped)


def test_a_reused_saved_query_is_said_in_the_structured_content(era) -> None:
    saved = era.call(
        "save_to_fast_memory", path="/service/boards", method="GET", description="two boards", params={"pageSize": 2}
    )
    try:
        reused = era.call("get_api_data", path="/service/boards")
        assert reused.data["item_count"] == 2
        assert any(
            n.startswith(f"Reused the parameters of saved query #{saved.data['id']}") for n in reused.data["notes"]
        )
        words_are_in_the_data(reused)
    finally:
        era.call("delete_from_fast_memory", query_id=saved.data["id"])


def test_an_error_says_in_its_data_what_its_text_says(era) -> None:
    error = era.call("get_api_endpoint_details", path="/service/tikets/5")
    assert error.is_error
    assert error.text.splitlines() == [
        error.data["error"],
        "Did you mean: " + "; ".join(error.data["suggestions"]),
        error.data["hint"],
    ]


def test_a_25_ticket_page_is_at_most_half_the_raw_json_in_either_client(era, standin) -> None:
    token = base64.b64encode(f"{COMPANY}+{PUBLIC_KEY}:{PRIVATE_KEY}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "clientId": CLIENT_ID}
    raw = urllib3.request("GET", f"{standin.base_url}/service/tickets?pageSize=25", headers=headers).data
    page = era.call("get_api_data", path="/service/tickets", params={"pageSize": 25})
    assert page.data["item_count"] == 25
    structured = json.dumps(page.data, separators=(",", ":")).encode()
    assert len(page.text.encode()) <= 0.5 * len(raw)  # Claude Desktop reads the text
    assert len(structured) <= 0.5 * len(raw)  # Claude Code reads the structured content


# -- arguments ---------------------------------------------------------------------------------------------


def test_methods_are_taken_in_any_case(era) -> None:
    lower = era.call("execute_api_call", path="/service/boards", method="get")
    assert not lower.is_error and lower.data["operation"] == "GET /service/boards"
    spaced = era.call("get_api_endpoint_details", path="/service/tickets/5", method=" Patch ")
    assert spaced.data["method"] == "PATCH"
    unknown = era.call("execute_api_call", path="/service/boards", method="FETCH")
    assert unknown.is_error and "GET" in unknown.text and "DELETE" in unknown.text


@pytest.mark.parametrize("max_items", [0, 100_001])
def test_max_items_out_of_bounds_is_a_clear_error_and_sends_nothing(era, standin, max_items: int) -> None:
    for tool in ("get_api_data", "execute_api_call"):
        result = era.call(tool, path="/service/tickets", all_pages=True, max_items=max_items)
        assert result.is_error and f"max_items must be from 1 to 100,000 (got {max_items})" in result.text
        assert result.data["allowed_range"] == [1, 100_000]
    assert api_requests(standin) == []


# -- get_api_data ------------------------------------------------------------------------------------------


def test_get_api_data_reads_with_get_and_with_search_queries(era, standin) -> None:
    listed = era.call("get_api_data", path="/service/tickets", params={"conditions": "closedFlag=false"}, fields="id")
    assert not listed.is_error and all(set(row) == {"id"} for row in listed.data["data"])
    assert api_requests(standin)[-1].query["fields"] == "id"
    searched = era.call("get_api_data", path="/service/tickets/search", data={"conditions": "id=1001"})
    assert not searched.is_error, searched.text
    assert [row["id"] for row in searched.data["data"]] == [1001]
    assert api_requests(standin)[-1].method == "POST"
    counted = era.call("get_api_data", path="/service/tickets/count")
    assert not counted.is_error and counted.data["data"]["count"] >= 1


@pytest.mark.parametrize(
    ("arguments", "operation"),
    [
        ({"path": "/service/tickets", "data": {"summary": "x", "board": {"id": 1}}}, "POST /service/tickets"),
        ({"path": "/service/tickets/1004", "data": [{"op": "replace", "path": "summary", "value": "x"}]}, None),
        ({"path": "/procurement/invoicegrouping/count", "data": {"conditions": "id=1"}}, None),
        ({"path": "/expense/reports/7/approve"}, "POST /expense/reports/{id}/approve"),
    ],
)
def test_get_api_data_refuses_anything_that_writes(era, standin, arguments: dict, operation: str | None) -> None:
    refused = era.call("get_api_data", **arguments)
    assert refused.is_error, refused.text
    assert "execute_api_call" in refused.text
    if operation:
        assert refused.data["operation"] == operation
    assert api_requests(standin) == []


# -- progress ------------------------------------------------------------------------------------------------


def test_all_pages_reports_progress_per_page(era) -> None:
    events: list[tuple[float, float | None, str | None]] = []
    result = era.call(
        "get_api_data",
        path="/service/tickets",
        params={"pageSize": 10},
        all_pages=True,
        max_items=40,
        progress=lambda *event: events.append(event),
    )
    assert not result.is_error, result.text
    assert [e[0] for e in events] == list(range(1, result.data["pages_fetched"] + 1))
    assert events[-1][2] == f"page {result.data['pages_fetched']}: 40 records so far"
    quiet = era.call("get_api_data", path="/service/tickets", params={"pageSize": 10}, all_pages=True, max_items=20)
    assert quiet.data["pages_fetched"] == 2  # without a progress token nothing is sent, and nothing breaks


def test_progress_arrives_over_stdio_from_the_pyz(pyz_session) -> None:
    events: list[tuple[Any, ...]] = []
    result = pyz_session.call(
        "execute_api_call",
        path="/service/tickets",
        params={"pageSize": 25},
        all_pages=True,
        max_items=100,
        progress=lambda *event: events.append(event),
    )
    assert not result.is_error, result.text
    assert len(events) == result.data["pages_fetched"] == 4
    assert [e[0] for e in events] == [1, 2, 3, 4] and "100 records so far" in str(events[-1][2])
