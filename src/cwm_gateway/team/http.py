"""``cwm-gateway serve --http``: the team server, MCP over streamable HTTP at ``/mcp``.

Stateless: no MCP session lives in a process, so any replica (or worker) answers any request, for
2026-07-28 clients and for the older ones that still send ``initialize``. Everything HTTP comes from
the MCP SDK: its streamable-HTTP session manager (stateless), its Host/Origin checks
(``TransportSecuritySettings``), its bearer-token middleware and RFC 9728 metadata route; this module
only assembles them, adds ``/healthz`` and the settings.

``create_app`` is an ASGI app factory: ``uvicorn --factory cwm_gateway.team.http:create_app`` or
gunicorn with uvicorn workers run it as ``--workers N`` does.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from .. import __version__, settings
from ..results import ToolError

log = logging.getLogger(__name__)

MCP_PATH = "/mcp"
HEALTH_PATH = "/healthz"
LOCAL_THREADS = 16  # catalog searches and saved queries: fast, CPU-bound, never behind ConnectWise calls
DB_CONNECTIONS = 20  # per process; PostgreSQL's default max_connections (100) fits a few replicas


class ServerConfigError(ToolError):
    """The team server cannot start as configured; the message names the setting to fix."""


def public_resource(public_url: str) -> str:
    """``CWM_PUBLIC_URL`` as the MCP endpoint's URL (``/mcp`` added to a bare origin)."""
    if not public_url:
        raise ServerConfigError(
            "CWM_PUBLIC_URL is not set: it is the address clients use, e.g. https://cwm.example.com/mcp."
        )
    parts = urlsplit(public_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ServerConfigError(
            f"CWM_PUBLIC_URL must be an https:// URL like https://cwm.example.com/mcp (got {public_url!r})."
        )
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path or MCP_PATH}"


def transport_security(team: settings.Team, resource: str) -> Any:
    """Host and Origin checks (DNS rebinding): ``CWM_ALLOWED_HOSTS``, else the public URL's host."""
    from mcp.server.transport_security import TransportSecuritySettings

    hosts = list(team.allowed_hosts) or [urlsplit(resource).netloc]
    if "*" in hosts:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    allowed_hosts: list[str] = []
    origins: list[str] = []
    for host in hosts:
        with_any_port = [host] if ":" in host.rsplit("]", 1)[-1] else [host, f"{host}:*"]
        allowed_hosts += with_any_port
        origins += [f"{scheme}://{name}" for scheme in ("https", "http") for name in with_any_port]
    return TransportSecuritySettings(allowed_hosts=allowed_hosts, allowed_origins=origins)


def create_app(env: Any = None, json_response: bool = False) -> Any:
    """The team server's ASGI app (one per process); reads its settings from the environment."""
    from mcp.server.auth.middleware.auth_context import AuthContextMiddleware
    from mcp.server.auth.middleware.bearer_auth import BearerAuthBackend, RequireAuthMiddleware
    from mcp.server.auth.routes import build_resource_metadata_url, create_protected_resource_routes
    from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
    from pydantic import AnyHttpUrl
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.authentication import AuthenticationMiddleware
    from starlette.routing import Route

    from .. import server
    from . import runtime
    from .oauth import READ_SCOPE, SCOPES, JwtVerifier, OAuthSettings

    logging.getLogger("mcp.server.streamable_http").setLevel(logging.WARNING)  # a line per stateless request
    team = settings.team(env)
    resource = public_resource(team.public_url)
    oauth = OAuthSettings.checked(team.oauth_issuer, team.oauth_audience, team.oauth_jwks)
    state = _team_state(team)
    runtime.install(state)
    size_pools(team.remote_threads)

    mcp = server.build_server(runtime.RequestRuntime())
    mcp.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        json_response=json_response,
        transport_security=transport_security(team, resource),
    )
    endpoint = StreamableHTTPASGIApp(mcp.session_manager)
    metadata_url = build_resource_metadata_url(AnyHttpUrl(resource))

    async def health(request: Any) -> Any:
        return await _health(state)

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        async with mcp.session_manager.run():
            yield
        state.db.close()

    routes = [
        Route(MCP_PATH, endpoint=RequireAuthMiddleware(endpoint, [READ_SCOPE], metadata_url)),
        Route(HEALTH_PATH, endpoint=health, methods=["GET"]),
        *create_protected_resource_routes(
            resource_url=AnyHttpUrl(resource),
            authorization_servers=[AnyHttpUrl(oauth.issuer)],
            scopes_supported=list(SCOPES),
            resource_name="cwm-gateway (ConnectWise Manage)",
        ),
    ]
    middleware = [
        Middleware(AuthenticationMiddleware, backend=BearerAuthBackend(JwtVerifier(oauth))),
        Middleware(AuthContextMiddleware),
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


def create_json_app() -> Any:
    """``create_app`` answering with plain JSON instead of SSE streams (``serve --http --json-response``)."""
    return create_app(json_response=True)


def _team_state(team: settings.Team) -> Any:
    from .database import Database
    from .runtime import TeamState
    from .vault import KeyVault

    db = Database(team.database_url, max_size=DB_CONNECTIONS)
    db.migrate()
    vault = None if team.shared_keys else KeyVault(db, team.secret_key)
    return TeamState(team, db, vault)


def size_pools(remote_threads: int) -> None:
    """Threads for ConnectWise calls and, apart, for local tools, so slow calls never hold up a search."""
    from .. import server

    server.REMOTE_POOL.size = remote_threads
    server.LOCAL_POOL.size = LOCAL_THREADS


async def _health(state: Any) -> Any:
    import anyio.to_thread
    from starlette.responses import JSONResponse

    from .database import DatabaseError

    body: dict[str, Any] = {"status": "ok", "version": __version__, "database": "ok"}
    try:
        await anyio.to_thread.run_sync(state.db.ping)
    except DatabaseError as exc:
        # The route answers anyone: where the database is and why it failed go to the log only.
        log.warning("health check: %s", exc)
        body.update(status="unavailable", database="unreachable")
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)


def check(env: Any = None) -> None:
    """The settings every worker needs, checked before any starts (a ToolError saying what to set)."""
    from .oauth import OAuthSettings
    from .vault import cipher

    team = settings.team(env)
    public_resource(team.public_url)
    OAuthSettings.checked(team.oauth_issuer, team.oauth_audience, team.oauth_jwks)
    from .database import check_url

    check_url(team.database_url)
    if not team.shared_keys:
        cipher(team.secret_key)


def serve(host: str, port: int, workers: int = 1, json_response: bool = False) -> None:
    """Run the team server with uvicorn; ``workers`` > 1 starts that many processes on one port."""
    import uvicorn

    check()
    options: dict[str, Any] = {"host": host, "port": port, "proxy_headers": True, "timeout_graceful_shutdown": 10}
    if workers <= 1:
        uvicorn.run(create_app(json_response=json_response), **options)
        return
    factory = "cwm_gateway.team.http:create_json_app" if json_response else "cwm_gateway.team.http:create_app"
    uvicorn.run(factory, factory=True, workers=workers, **options)
