"""The five discovery tools, driven over stdio by the real MCP client, on the shared definition."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import gateway, isolated_env, launch
from mcp_client import McpSession

SEED_TOOLS = {
    "search_api_endpoints",
    "natural_language_api_search",
    "list_api_categories",
    "get_category_endpoints",
    "get_api_endpoint_details",
    "execute_api_call",
    "send_raw_api_request",
    "save_to_fast_memory",
    "list_fast_memory",
    "delete_from_fast_memory",
    "clear_fast_memory",
}


def test_all_seed_tool_names_are_listed_with_their_parameters(server: McpSession) -> None:
    tools = {tool.name: tool for tool in server.list_tools()}
    assert set(tools) >= SEED_TOOLS
    assert set(tools["search_api_endpoints"].input_schema["properties"]) == {"query", "max_results"}
    assert set(tools["get_api_endpoint_details"].input_schema["properties"]) == {"path", "method"}
    assert set(tools["get_category_endpoints"].input_schema["properties"]) == {"category", "max_results"}
    for name in ("search_api_endpoints", "list_api_categories", "get_api_endpoint_details"):
        assert tools[name].annotations.read_only_hint is True
        assert "Example" in tools[name].description


def test_keyword_search_finds_ticket_notes(server: McpSession) -> None:
    result = server.call("search_api_endpoints", query="ticket notes")
    assert not result.is_error
    found = [(r["method"], r["path"]) for r in result.data["results"]]
    assert ("GET", "/service/tickets/{parentId}/notes") in found
    assert result.data["total"] >= len(found)
    first = result.data["results"][0]
    assert {"method", "path", "summary", "category", "score"} <= set(first)
    assert "GET /service/tickets/{parentId}/notes" in result.text


def test_search_respects_max_results(server: McpSession) -> None:
    result = server.call("natural_language_api_search", query="company", max_results=3)
    assert len(result.data["results"]) == 3


def test_empty_query_is_an_error(server: McpSession) -> None:
    result = server.call("search_api_endpoints", query="   ")
    assert result.is_error and "empty" in result.text


def test_list_categories_groups_them_and_lists_one_group(server: McpSession) -> None:
    result = server.call("list_api_categories")
    groups = {g["group"]: g for g in result.data["groups"]}
    assert {"service", "company", "finance", "system"} <= set(groups)
    assert result.data["total_categories"] >= 500 and result.data["total_operations"] >= 3000
    assert sum(g["operations"] for g in groups.values()) == result.data["total_operations"]
    assert max(len(line) for line in result.text.splitlines()) < 400  # not one 11,000-character line
    assert 'list_api_categories(group="service")' in result.data["next_step"]
    service = server.call("list_api_categories", group="Service")
    assert {"name": "Tickets", "endpoint_count": 28} in service.data["categories"]
    assert service.data["total"] == groups["service"]["categories"]
    assert max(len(line) for line in service.text.splitlines()) < 400
    every = [server.call("list_api_categories", group=g).data["categories"] for g in groups]
    assert len({c["name"] for listing in every for c in listing}) == result.data["total_categories"]


def test_an_unknown_group_names_the_groups(server: McpSession) -> None:
    result = server.call("list_api_categories", group="servce")
    assert result.is_error and "service" in result.data["suggestions"]
    assert "the groups are company, configurations" in result.text


def test_category_endpoints_match_case_insensitively(server: McpSession) -> None:
    result = server.call("get_category_endpoints", category="tickets", max_results=5)
    assert not result.is_error
    assert result.data["category"] == "Tickets"
    assert result.data["total"] == 28 and len(result.data["results"]) == 5
    assert ("GET", "/service/tickets") in [(r["method"], r["path"]) for r in result.data["results"]]


def test_unknown_category_suggests_close_names(server: McpSession) -> None:
    result = server.call("get_category_endpoints", category="ticket")
    assert result.is_error
    assert "Tickets" in result.data["suggestions"]


def test_details_of_ticket_creation_show_body_fields(server: McpSession) -> None:
    result = server.call("get_api_endpoint_details", path="/service/tickets", method="POST")
    assert not result.is_error
    body = result.data["request_body"]
    names = {field["name"] for field in body["fields"]}
    assert {"summary", "board", "company", "initialDescription"} <= names
    assert body["required_fields"] == ["summary"]
    summary = next(f for f in body["fields"] if f["name"] == "summary")
    assert summary["maxLength"] == 100
    # clientId is the gateway's business, not a parameter the assistant must supply.
    assert all(p["name"] != "clientId" for p in result.data["query_parameters"])
    assert "initialDescription" in result.text


def test_concrete_path_maps_to_its_template(server: McpSession) -> None:
    result = server.call("get_api_endpoint_details", path="/service/tickets/4521", method="patch")
    assert result.data["path"] == "/service/tickets/{id}"
    assert result.data["method"] == "PATCH"
    assert result.data["path_parameters"][0]["value"] == "4521"
    count = server.call("get_api_endpoint_details", path="/service/tickets/count")
    assert count.data["path"] == "/service/tickets/count"


def test_list_details_name_the_fields_usable_in_conditions(server: McpSession) -> None:
    result = server.call("get_api_endpoint_details", path="/service/tickets")
    query = result.data["list_query"]
    assert "status/name" in query["conditions_fields"]["string"]
    assert "closedFlag" in query["conditions_fields"]["boolean"]
    assert "summary" in query["fields"]


def test_unknown_path_and_method_are_errors_with_suggestions(server: McpSession) -> None:
    typo = server.call("get_api_endpoint_details", path="/service/tikets/5")
    assert typo.is_error
    assert "/service/tickets/{id}" in typo.data["suggestions"]
    wrong = server.call("get_api_endpoint_details", path="/service/tickets/5", method="POST")
    assert wrong.is_error
    assert wrong.data["available_methods"] == ["GET", "PUT", "PATCH", "DELETE"]


def test_server_survives_bad_arguments(server: McpSession) -> None:
    bad = server.call("get_category_endpoints", category="Tickets", max_results="many")
    assert bad.is_error
    assert not server.call("list_api_categories").is_error


def test_missing_catalog_is_an_actionable_error(tmp_path: Path) -> None:
    with gateway(tmp_path, tmp_path / "absent.db", {}) as session:
        result = session.call("search_api_endpoints", query="tickets")
        assert result.is_error
        assert "build-db" in result.text


def test_stdout_carries_only_protocol(built_catalog: Path, tmp_path: Path) -> None:
    """Every byte the server writes to stdout is a JSON-RPC message; logs go to stderr."""
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "get_api_endpoint_details", "arguments": {"path": "/nowhere"}},
        },
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "no_such_tool", "arguments": {}}},
    ]
    command, args, env = launch("pyz", isolated_env(tmp_path, CWM_CATALOG=str(built_catalog)))
    process = subprocess.Popen(
        [command, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        for message in messages:
            process.stdin.write(json.dumps(message) + "\n")
        process.stdin.flush()
        replies = []
        while len(replies) < 3:
            line = process.stdout.readline()
            assert line, f"server closed stdout early; stderr: {process.stderr.read()}"
            replies.append(json.loads(line))  # a non-JSON line fails here
    finally:
        process.stdin.close()
        process.wait(timeout=30)
    assert sorted(r["id"] for r in replies) == [1, 2, 3]
    by_id = {r["id"]: r for r in replies}
    assert by_id[2]["result"]["isError"] is True
    assert process.stdout.read() == ""  # nothing else after the replies either
