"""The seam between cwm-gateway and the MCP Python SDK (2.x); the rest of the code never imports ``mcp``.

Tool bodies are plain synchronous functions (they call SQLite and urllib3). Each runs in a
worker thread drawn from its own pool, never from anyio's default one: the stdio transport
reads and writes through that default pool, so forty slow ConnectWise calls must not stop
the server from reading a ping or a cancel (see ``stdio.py``).
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult, ToolAnnotations

__all__ = ["CallToolResult", "Pool", "Tool", "annotations", "new_server", "tool", "tool_result"]

log = logging.getLogger(__name__)


class Pool:
    """A named worker-thread pool (an anyio capacity limiter, created in the event loop on first use).

    ``local`` tools (catalog, saved queries) and ``remote`` ones (ConnectWise calls) get
    separate pools, so slow upstream calls never make a search wait for a thread.
    """

    def __init__(self, name: str, size: int) -> None:
        self.name = name
        self.size = size
        self._limiter: anyio.CapacityLimiter | None = None

    def limiter(self) -> anyio.CapacityLimiter:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.size)
        return self._limiter


def new_server(name: str, version: str, instructions: str, tools: list[Tool] | None = None) -> MCPServer:
    return MCPServer(name=name, version=version, instructions=instructions, tools=tools)


def annotations(read_only: bool, destructive: bool, open_world: bool, idempotent: bool = False) -> ToolAnnotations:
    """The hints that mean something, said outright: the specification reads destructiveHint and
    idempotentHint only when readOnlyHint is false, so a local read-only tool carries neither. A tool
    that reaches ConnectWise says destructiveHint either way: clients decide "allow always" on it."""
    hints: dict[str, bool] = {"readOnlyHint": read_only}
    if not read_only or open_world:
        hints["destructiveHint"] = destructive
    if idempotent and not read_only:
        hints["idempotentHint"] = True
    return ToolAnnotations.model_validate({**hints, "openWorldHint": open_world})


def tool_result(text: str, data: dict[str, Any], is_error: bool) -> CallToolResult:
    return CallToolResult.model_validate(
        {"content": [{"type": "text", "text": text}], "structuredContent": data, "isError": is_error}
    )


Progress = Callable[[int, str], None]
Invoke = Callable[[dict[str, Any], Progress], CallToolResult]


def tool(
    name: str,
    title: str,
    description: str,
    parameters: list[inspect.Parameter],
    hints: ToolAnnotations,
    output_schema: dict[str, Any],
    pool: Pool,
    invoke: Invoke,
) -> Tool:
    """A tool whose arguments are ``parameters`` (``Annotated`` types: the SDK makes the input schema),
    run as ``invoke(arguments, progress)`` in a worker thread of ``pool``.

    ``progress(pages, message)`` sends a progress notification when the client gave a progress
    token (the SDK drops it otherwise). The output schema is published as given: results are
    checked against it by the tests, never by the server, so a schema slip cannot fail a user's call.
    """
    entry = _entry(name, parameters, pool, invoke)
    registered = Tool.from_function(entry, name=name, title=title, description=description, annotations=hints)
    registered.parameters = _lean(registered.parameters)
    registered.fn_metadata.output_schema = output_schema
    return registered


def _entry(name: str, parameters: list[inspect.Parameter], pool: Pool, invoke: Invoke) -> Callable[..., Any]:
    """The coroutine the SDK calls: the context is taken for progress, the arguments handed on by name.

    A cancelled call (``notifications/cancelled``) is abandoned at once: its thread finishes
    on its own and the result is dropped, so the client gets no answer for it, as the
    protocol asks, and the server goes on serving.
    """

    async def entry(ctx: Context, **arguments: Any) -> CallToolResult:  # type: ignore[type-arg]
        call = functools.partial(invoke, arguments, _progress(ctx))
        return await anyio.to_thread.run_sync(call, limiter=pool.limiter(), abandon_on_cancel=True)

    context = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)
    entry.__signature__ = inspect.Signature([*parameters, context], return_annotation=CallToolResult)  # type: ignore[attr-defined]
    entry.__annotations__ = {p.name: p.annotation for p in [*parameters, context]} | {"return": CallToolResult}
    entry.__name__ = entry.__qualname__ = name
    return entry


def _progress(ctx: Context) -> Progress:  # type: ignore[type-arg]
    """``progress(pages, message)`` for a worker thread: sent from the event loop, never raising."""

    def report(pages: int, message: str) -> None:
        try:
            anyio.from_thread.run(ctx.report_progress, pages, None, message)
        except Exception as exc:  # a lost notification must not fail the call it reports on
            log.debug("progress notification not sent: %s", exc)

    return report


def _lean(schema: Any) -> Any:
    """The input schema without pydantic's generated titles ("Max Items") and the defaults that say
    nothing (null, false: an argument left out is off): the name and ``required`` say as much, and
    every character of tools/list is read by the model in every conversation."""
    if isinstance(schema, dict):
        return {
            k: _lean(v)
            for k, v in schema.items()
            if not (k == "title" and isinstance(v, str)) and not (k == "default" and (v is None or v is False))
        }
    if isinstance(schema, list):
        return [_lean(v) for v in schema]
    return schema
