"""The seam between cwm-gateway and the MCP Python SDK; the rest of the code never imports ``mcp``.

Both SDK majors work: 2.x (``MCPServer``, the current SDK) and 1.x (``FastMCP``), whose
import is about twice as fast. The pyz ships with 1.x because Claude Desktop starts the
server for every session (see the README for the numbers); ``pip install`` takes 2.x.
Results are built from camelCase dicts, which both majors' models accept.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import anyio.to_thread

try:  # mcp 2.x
    from mcp.server.mcpserver import MCPServer as _Server
    from mcp_types import CallToolResult, ToolAnnotations

    SDK_MAJOR = 2
except ImportError:  # mcp 1.x
    from mcp.server.fastmcp import FastMCP as _Server  # type: ignore[no-redef]
    from mcp.types import CallToolResult, ToolAnnotations  # type: ignore[no-redef]

    SDK_MAJOR = 1

__all__ = ["SDK_MAJOR", "CallToolResult", "annotations", "new_server", "register", "run_stdio", "tool_result"]


def new_server(name: str, version: str, instructions: str) -> Any:
    if SDK_MAJOR == 2:
        return _Server(name=name, version=version, instructions=instructions)
    server = _Server(name=name, instructions=instructions)
    server._mcp_server.version = version  # FastMCP takes no version; its low-level server reports it
    return server


def annotations(read_only: bool, destructive: bool, open_world: bool, idempotent: bool = False) -> Any:
    return ToolAnnotations.model_validate(
        {
            "readOnlyHint": read_only,
            "destructiveHint": destructive,
            "idempotentHint": idempotent,
            "openWorldHint": open_world,
        }
    )


def tool_result(text: str, data: dict[str, Any], is_error: bool) -> Any:
    return CallToolResult.model_validate(
        {"content": [{"type": "text", "text": text}], "structuredContent": data, "isError": is_error}
    )


def register(server: Any, fn: Callable[..., Any], description: str, hints: Any) -> None:
    if SDK_MAJOR == 1 and not inspect.iscoroutinefunction(fn):
        fn = _in_worker_thread(fn)
    server.add_tool(fn, description=description, annotations=hints)


def _in_worker_thread(fn: Callable[..., Any]) -> Callable[..., Any]:
    """mcp 1.x runs sync tools on the event loop: one slow ConnectWise call would stall every
    other request. Run them in a worker thread, as mcp 2.x does; the signature (and so the
    tool's schema) is the wrapped function's."""

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))

    return wrapper


def run_stdio(server: Any) -> None:
    server.run("stdio")
