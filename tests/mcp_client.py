"""A synchronous wrapper around the real ``mcp`` client over stdio, for tests.

The session lives on an event loop in a background thread (an anyio blocking
portal), so a fixture can keep one server process open across many tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import mcp_types as types
from anyio.from_thread import start_blocking_portal
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client


class ToolCall:
    """A tools/call result with the parts tests look at."""

    def __init__(self, result: types.CallToolResult) -> None:
        self.raw = result
        self.is_error = bool(result.is_error)
        self.data: Any = result.structured_content
        self.text = "\n".join(block.text for block in result.content if isinstance(block, types.TextContent))

    def __repr__(self) -> str:
        return f"ToolCall(is_error={self.is_error}, text={self.text[:300]!r})"


class McpSession:
    def __init__(self, session: ClientSession, portal: Any, stderr_path: Path) -> None:
        self._session = session
        self._portal = portal
        self.stderr_path = stderr_path
        self.initialize_result: types.InitializeResult | None = None

    @classmethod
    @contextmanager
    def start(cls, command: str, args: list[str], env: dict[str, str], cwd: str | None = None) -> Iterator[McpSession]:
        params = StdioServerParameters(command=command, args=args, env=env, cwd=cwd)
        stderr_path = Path(env.get("HOME", ".")) / f"server-stderr-{id(params)}.log"
        stderr_path.parent.mkdir(parents=True, exist_ok=True)
        with ExitStack() as stack:
            errlog = stack.enter_context(open(stderr_path, "w"))
            portal = stack.enter_context(start_blocking_portal())
            read, write = stack.enter_context(portal.wrap_async_context_manager(stdio_client(params, errlog)))
            session = stack.enter_context(portal.wrap_async_context_manager(ClientSession(read, write)))
            wrapper = cls(session, portal, stderr_path)
            wrapper.initialize_result = portal.call(session.initialize)
            yield wrapper

    def list_tools(self) -> list[types.Tool]:
        return self._portal.call(self._session.list_tools).tools

    def call(self, tool: str, timeout: float = 120, **arguments: Any) -> ToolCall:
        """Call a tool; a server that does not answer in ``timeout`` seconds fails the test, not hangs it."""
        result = self._portal.call(lambda: self._session.call_tool(tool, arguments, read_timeout_seconds=timeout))
        return ToolCall(result)

    def stderr(self) -> str:
        return self.stderr_path.read_text()


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
