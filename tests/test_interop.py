"""Other people's software: the MCP Inspector CLI as a client of the pyz, and Stoplight Prism
checking that what the gateway sends matches the ConnectWise definition (npm packages that
scripts/test installs under build/node)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PYZ, REPO, SHARED_SPEC, gateway
from mcp_client import McpSession

NODE_BIN = REPO / "build" / "node" / "node_modules" / ".bin"


def node_tool(name: str) -> Path:
    tool = NODE_BIN / name
    assert tool.exists(), f"{tool} is missing: scripts/test installs it (npm install --prefix build/node ...)"
    return tool


def inspector(shiv_root: Path, *args: str) -> dict:
    result = subprocess.run(
        [str(node_tool("mcp-inspector")), "--cli", "-e", f"SHIV_ROOT={shiv_root}", sys.executable, str(PYZ), *args],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_the_mcp_inspector_lists_and_calls_our_tools(shiv_root: Path) -> None:
    tools = inspector(shiv_root, "--method", "tools/list")["tools"]
    names = {tool["name"] for tool in tools}
    assert {"search_api_endpoints", "execute_api_call", "run_saved_query", "clear_fast_memory"} <= names
    assert all(tool["description"] and tool["inputSchema"]["type"] == "object" for tool in tools)
    called = inspector(
        shiv_root,
        "--method",
        "tools/call",
        "--tool-name",
        "natural_language_api_search",
        "--tool-arg",
        "query=close ticket 123",
    )
    first = called["structuredContent"]["results"][0]
    assert (first["method"], first["path"]) == ("PATCH", "/service/tickets/{id}")
    assert called["content"][0]["type"] == "text"


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Prism mock-serving the shared definition; requests that do not match it get a 422."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    with open(log, "w") as output:
        server = subprocess.Popen(
            [str(node_tool("prism")), "mock", "-h", "127.0.0.1", "-p", str(port), "--errors", str(SHARED_SPEC)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 180
        while "Prism is listening" not in log.read_text():
            assert server.poll() is None, log.read_text()[-2000:]
            assert time.monotonic() < deadline, "Prism did not start"
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def validated(prism: str, built_catalog: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[McpSession]:
    env = {
        "CONNECTWISE_API_URL": prism,  # Prism serves the paths at its root
        "CONNECTWISE_COMPANY_ID": "labtech",
        "CONNECTWISE_PUBLIC_KEY": "public",
        "CONNECTWISE_PRIVATE_KEY": "private",
        "CONNECTWISE_CLIENT_ID": "00000000-0000-4000-8000-000000000001",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    with gateway(tmp_path_factory.mktemp("prismhome"), built_catalog, env, kind="pyz") as session:
        yield session


@pytest.mark.parametrize(
    ("arguments", "status"),
    [
        (
            {
                "path": "/service/tickets",
                "params": {"conditions": "closedFlag=false", "orderBy": "id desc", "pageSize": 5, "page": 2},
            },
            200,
        ),
        ({"path": "/company/companies/17", "params": {"fields": "id,name"}}, 200),
        ({"path": "/service/tickets/{parentId}/notes", "params": {"parentId": 4521}}, 200),
        ({"path": "/service/tickets/count", "params": {"conditions": "priority/id in (1, 2)"}}, 200),
        (
            {
                "path": "/service/tickets",
                "method": "POST",
                "data": {"summary": "Printer jam", "board": {"id": 1}, "company": {"id": 2}},
            },
            201,
        ),
        (
            {
                "path": "/service/tickets/search",
                "method": "POST",
                "params": {"pageSize": 3},
                "data": {"conditions": "closedFlag=false"},
            },
            200,
        ),
        (
            {
                "path": "/service/tickets/4521",
                "method": "PATCH",
                "data": [{"op": "replace", "path": "board", "value": {"id": 2}}],
            },
            200,
        ),
        ({"path": "/service/tickets/4521", "method": "DELETE", "confirm": True}, 204),
    ],
)
def test_requests_match_the_connectwise_definition(validated: McpSession, arguments: dict, status: int) -> None:
    result = validated.call("execute_api_call", **arguments)
    assert not result.is_error, result.text[:1000]
    assert result.data["status"] == status


def test_raw_requests_match_the_definition_too(validated: McpSession) -> None:
    raw = "GET /service/tickets?conditions=status/name='New' and closedFlag=false&pageSize=3"
    assert not validated.call("send_raw_api_request", raw_request=raw).is_error


def test_a_body_that_breaks_the_definition_comes_back_as_a_clear_error(validated: McpSession) -> None:
    result = validated.call("execute_api_call", path="/service/tickets", method="POST", data={"summary": 5})
    assert result.is_error and result.data["status"] == 422
    assert "summary" in result.text
