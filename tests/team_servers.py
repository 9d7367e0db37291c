"""Team-server replicas for tests and the bench: real ``cwm-gateway serve --http`` processes on 127.0.0.1.

``Team`` starts a throwaway PostgreSQL database, two ConnectWise stand-ins (one per user, each with
its own keys), stores each user's keys in the vault, and runs N replicas against the one database.
``McpHttp`` calls a replica with the official ``mcp`` client over streamable HTTP, as a remote
connector would, in either protocol era.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mcp_types as types
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from conftest import isolated_env
from postgres import free_port
from tokens import AUDIENCE, ISSUER, IdentityProvider

LEGACY, MODERN = "legacy", "2026-07-28"


@dataclass(frozen=True)
class User:
    subject: str
    company: str
    public_key: str
    private_key: str
    client_id: str

    def keys(self, api_url: str) -> dict[str, str]:
        return {
            "api_url": api_url,
            "company_id": self.company,
            "public_key": self.public_key,
            "private_key": self.private_key,
            "client_id": self.client_id,
        }


ALICE = User("alice-0001", "acme", "alicepub", "alice-private-key-1", "00000000-0000-4000-8000-00000000000a")
BOB = User("bob-0002", "globex", "bobpub", "bob-private-key-2", "00000000-0000-4000-8000-00000000000b")


@dataclass
class Replica:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.origin}/mcp"


@dataclass
class Team:
    """What ``start_team`` started: the database URL, the stand-ins by user, the replicas, the IdP."""

    database_url: str
    secret_key: str
    idp: IdentityProvider
    standins: dict[str, Any]
    replicas: list[Replica] = field(default_factory=list)


def standin_for(user: User):
    from cwm_gateway.sandbox import StandIn

    return StandIn(
        company_id=user.company, public_key=user.public_key, private_key=user.private_key, client_id=user.client_id
    )


def replica_env(team: Team, home: Path, catalog: Path, port: int, **extra: str) -> dict[str, str]:
    """A replica's environment: a server process's own home (``isolated_env``) and the team settings."""
    settings = {
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "CWM_CATALOG": str(catalog),
        "CWM_DATABASE_URL": team.database_url,
        "CWM_SECRET_KEY": team.secret_key,
        "CWM_OAUTH_ISSUER": ISSUER,
        "CWM_OAUTH_AUDIENCE": AUDIENCE,
        "CWM_OAUTH_JWKS": team.idp.jwks_url,
        "CWM_PUBLIC_URL": f"http://127.0.0.1:{port}/mcp",
        "CWM_ALLOWED_HOSTS": "127.0.0.1",
        "CWM_TIMEOUT": "30",
    }
    return isolated_env(home, **(settings | extra))  # the caller's settings win


def start_replica(env: dict[str, str], port: int, log: Path, *options: str) -> Replica:
    command = [sys.executable, "-m", "cwm_gateway", "serve", "--http", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen([*command, *options], env=env, stdout=out, stderr=subprocess.STDOUT)
    replica = Replica(port, process, log)
    wait_healthy(replica)
    return replica


def wait_healthy(replica: Replica, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if replica.process.poll() is not None:
            raise RuntimeError(f"replica on {replica.port} exited:\n{replica.log.read_text(errors='replace')}")
        with contextlib.suppress(OSError):
            if http_get(f"{replica.origin}/healthz")[0] == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"replica on {replica.port} did not become healthy:\n{replica.log.read_text(errors='replace')}")


def stop_replica(replica: Replica) -> None:
    replica.process.terminate()
    try:
        replica.process.wait(15)
    except subprocess.TimeoutExpired:
        replica.process.kill()
        replica.process.wait(5)


@contextlib.contextmanager
def start_team(postgres_server: Any, directory: Path, catalog: Path, replicas: int = 2, **env: str) -> Iterator[Team]:
    """A database, the stand-ins of ALICE and BOB with their keys in the vault, and ``replicas`` servers."""
    from cwm_gateway.team.database import Database
    from cwm_gateway.team.vault import KeyVault, new_secret_key

    url = postgres_server.create_database(f"team_{directory.name.lower().replace('-', '_')}")
    secret = new_secret_key()
    with contextlib.ExitStack() as stack:
        standins = {user.subject: stack.enter_context(standin_for(user)) for user in (ALICE, BOB)}
        with Database(url) as db:
            db.migrate()
            vault = KeyVault(db, secret)
            for user in (ALICE, BOB):
                vault.set_keys(user.subject, user.keys(standins[user.subject].base_url))
        team = Team(url, secret, IdentityProvider(directory), standins)
        for number in range(replicas):
            port = free_port()
            home = directory / f"replica{number + 1}"
            home.mkdir()
            # One answers with SSE streams from one process, the other with JSON from two worker processes.
            options = ("--json-response", "--workers", "2") if number % 2 else ()
            replica = start_replica(replica_env(team, home, catalog, port, **env), port, home / "log", *options)
            stack.callback(stop_replica, replica)
            team.replicas.append(replica)
        yield team


# -- calling a replica ------------------------------------------------------------------------------------------------


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    return http("GET", url, headers=headers)


def http(
    method: str, url: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """A plain HTTP request (status, lower-case headers, body), errors included."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
MCP_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


class ToolResult:
    def __init__(self, result: types.CallToolResult) -> None:
        self.is_error = bool(result.is_error)
        self.data: Any = result.structured_content
        self.text = "\n".join(block.text for block in result.content if isinstance(block, types.TextContent))

    def __repr__(self) -> str:
        return f"ToolResult(is_error={self.is_error}, text={self.text[:300]!r})"


async def call_tool(url: str, token: str, tool: str, arguments: dict[str, Any], mode: str = LEGACY) -> ToolResult:
    """One tool call through the official client over streamable HTTP (a fresh connection, as stateless allows)."""
    async with (
        create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http_client,
        Client(streamable_http_client(url, http_client=http_client), mode=mode) as client,
    ):
        return ToolResult(await client.call_tool(tool, arguments))


async def list_tool_names(url: str, token: str, mode: str = LEGACY) -> list[str]:
    async with (
        create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http_client,
        Client(streamable_http_client(url, http_client=http_client), mode=mode) as client,
    ):
        return [tool.name for tool in (await client.list_tools()).tools]
