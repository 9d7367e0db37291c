"""Every tool once, through the pyz users run, over stdio, against the ConnectWise stand-in.

Most tool tests build the server in the test process (``inprocess.py``); these few make sure the
same calls work end to end: the zipapp's own dependencies, the stdio transport, the environment
read at start, real logging to stderr and the log file, and a real retry wait.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import CLIENT_ID, COMPANY, PRIVATE_KEY, PUBLIC_KEY, connectwise_env, gateway
from mcp_client import McpSession

TOOLS = {
    "search_api_endpoints",
    "natural_language_api_search",
    "list_api_categories",
    "get_category_endpoints",
    "get_api_endpoint_details",
    "get_api_data",
    "execute_api_call",
    "send_raw_api_request",
    "save_to_fast_memory",
    "list_fast_memory",
    "run_saved_query",
    "delete_from_fast_memory",
    "clear_fast_memory",
}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def pyz_cw(standin, built_catalog: Path, home: Path) -> Iterator[McpSession]:
    with gateway(home, built_catalog, connectwise_env(standin), kind="pyz") as session:
        yield session


@pytest.fixture(autouse=True)
def fresh(standin) -> None:
    standin.reset()


def api_requests(standin) -> list:
    return [r for r in standin.requests if "/apis/3.0" in r.path]


def test_the_tools_are_listed_with_their_hints(pyz_cw: McpSession) -> None:
    tools = {tool.name: tool for tool in pyz_cw.list_tools()}
    assert set(tools) == TOOLS
    assert tools["list_api_categories"].annotations.read_only_hint is True
    assert tools["execute_api_call"].annotations.open_world_hint is True
    assert tools["execute_api_call"].annotations.destructive_hint is True
    assert tools["get_api_data"].annotations.read_only_hint is True
    assert tools["clear_fast_memory"].annotations.destructive_hint is True


def test_discovery_tools(pyz_cw: McpSession) -> None:
    keyword = pyz_cw.call("search_api_endpoints", query="ticket notes")
    assert ("GET", "/service/tickets/{parentId}/notes") in [(r["method"], r["path"]) for r in keyword.data["results"]]
    plain = pyz_cw.call("natural_language_api_search", query="add a note to ticket 5", max_results=3)
    assert (plain.data["results"][0]["method"], plain.data["results"][0]["path"]) == (
        "POST",
        "/service/tickets/{parentId}/notes",
    )
    assert {"name": "Tickets", "endpoint_count": 28} in pyz_cw.call("list_api_categories", group="service").data[
        "categories"
    ]
    category = pyz_cw.call("get_category_endpoints", category="tickets", max_results=5)
    assert category.data["category"] == "Tickets" and len(category.data["results"]) == 5
    details = pyz_cw.call("get_api_endpoint_details", path="/service/tickets", method="POST")
    assert details.data["request_body"]["required_fields"] == ["summary"]
    unknown = pyz_cw.call("get_api_endpoint_details", path="/service/tikets/5")
    assert unknown.is_error and "/service/tickets/{id}" in unknown.data["suggestions"]


def test_execute_reads_and_writes(pyz_cw: McpSession, standin) -> None:
    listed = pyz_cw.call(
        "execute_api_call", path="/service/tickets", params={"conditions": "closedFlag=false", "pageSize": 5}
    )
    assert not listed.is_error, listed.text
    assert listed.data["item_count"] == 5 and all(not t["closedFlag"] for t in listed.data["data"])
    sent = api_requests(standin)[-1]
    token = base64.b64encode(f"{COMPANY}+{PUBLIC_KEY}:{PRIVATE_KEY}".encode()).decode()
    assert standin.authorization == f"Basic {token}" and sent.headers["clientid"] == CLIENT_ID
    patched = pyz_cw.call("execute_api_call", path="/service/tickets/1004", method="PATCH", data={"summary": "E2E"})
    assert not patched.is_error and patched.data["data"]["summary"] == "E2E"
    refused = pyz_cw.call("execute_api_call", path="/service/tickets/1003", method="DELETE")
    assert refused.is_error and "confirm=true" in refused.text


def test_get_api_data_reads_and_refuses_writes(pyz_cw: McpSession, standin) -> None:
    read = pyz_cw.call("get_api_data", path="/service/tickets", params={"pageSize": 3}, fields="id,summary")
    assert not read.is_error and read.data["item_count"] == 3, read.text
    refused = pyz_cw.call("get_api_data", path="/service/tickets", data={"summary": "x", "board": {"id": 1}})
    assert refused.is_error and "execute_api_call" in refused.text
    assert [r.method for r in api_requests(standin)] == ["GET"]


def test_raw_request(pyz_cw: McpSession, standin) -> None:
    raw = "GET /service/tickets?conditions=status/name='New' and closedFlag=false&pageSize=3"
    result = pyz_cw.call("send_raw_api_request", raw_request=raw)
    assert not result.is_error, result.text
    assert api_requests(standin)[-1].query == {"conditions": "status/name='New' and closedFlag=false", "pageSize": "3"}


def test_fast_memory_round_trip(pyz_cw: McpSession, home: Path) -> None:
    saved = pyz_cw.call(
        "save_to_fast_memory",
        path="/service/boards",
        method="GET",
        description="e2e boards",
        params={"pageSize": 2},
    )
    assert not saved.is_error, saved.text
    listed = pyz_cw.call("list_fast_memory", search_term="e2e")
    assert [q["description"] for q in listed.data["queries"]] == ["e2e boards"]
    ran = pyz_cw.call("run_saved_query", query_id=saved.data["id"])
    assert not ran.is_error and ran.data["item_count"] == 2
    assert not pyz_cw.call("delete_from_fast_memory", query_id=saved.data["id"]).is_error
    assert not pyz_cw.call("clear_fast_memory").is_error
    assert (home / "data" / "cwm-gateway" / "fast_memory.db").is_file()


def test_a_real_retry_after_wait(pyz_cw: McpSession, standin) -> None:
    """In-process tests move a virtual clock; here urllib3 really sleeps the second asked for."""
    standin.inject("status", code=429, headers={"Retry-After": "1"})
    started = time.monotonic()
    result = pyz_cw.call("execute_api_call", path="/service/boards")
    assert not result.is_error and len(api_requests(standin)) == 2
    assert time.monotonic() - started >= 1


def test_writes_are_audited_and_no_secret_reaches_a_file(pyz_cw: McpSession, standin, home: Path) -> None:
    body = {"summary": "Audited e2e-summary", "board": {"id": 1}, "company": {"id": 251}}
    created = pyz_cw.call("execute_api_call", path="/service/tickets", method="POST", data=body)
    assert created.data["status"] == 201, created.text
    audit = (home / "state" / "cwm-gateway" / "log" / "audit.jsonl").read_text()
    assert json.loads(audit.splitlines()[-1])["operation"] == "POST /service/tickets"
    assert (home / "state" / "cwm-gateway" / "log" / "cwm-gateway.log").is_file()  # logging set up as in use
    token = standin.authorization.split()[1]
    for file in home.rglob("*"):
        if file.is_file():
            text = file.read_text(errors="ignore")
            assert PRIVATE_KEY not in text and token not in text and "e2e-summary" not in text, file
