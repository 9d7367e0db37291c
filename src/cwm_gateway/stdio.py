"""Serving MCP on stdin/stdout: the SDK's stdio transport, plus what it leaves to the application.

- A line that is not a JSON-RPC message (truncated JSON, a batch, an object as id, nesting
  the SDK's parser refuses, a line over ``MAX_LINE``) gets a JSON-RPC error naming the
  request's id when it can be read, never silence: a client waiting on that id would hang.
- Lines are read on a thread of their own, so tool calls filling every worker thread
  cannot stop the server from reading a ping or a cancel.
- SIGINT and SIGTERM end serving at once (no traceback); so does stdin closing. Calls
  still running in worker threads are abandoned, not awaited.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
from typing import Any, BinaryIO

import anyio
import anyio.to_thread
import mcp_types as types
from anyio.abc import CancelScope
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage

from . import shutdown

log = logging.getLogger(__name__)

MAX_LINE = 16 * 1024 * 1024  # one JSON-RPC message; tool arguments are far smaller
PARSE_ERROR, INVALID_REQUEST = -32700, -32600
_OVERSIZED = b"<oversized>"


def reply_to_malformed(line: bytes) -> SessionMessage | None:
    """The error reply for a line that is not one JSON-RPC message, or None when the line is fine.

    Notifications (a method and no id) get no reply even when malformed, as JSON-RPC says.
    """
    try:
        message = types.jsonrpc_message_adapter.validate_json(line.decode("utf-8"), by_name=False)
    except Exception as exc:  # the SDK's own validator decides what is a message
        return _reply_for(line, _first_reason(exc))
    if isinstance(message, types.JSONRPCNotification) and b'"id"' in line:
        # An id that is neither a string nor an integer makes the SDK read a request as a notification.
        parsed = json.loads(line)
        if isinstance(parsed, dict) and "id" in parsed:
            return _error(None, INVALID_REQUEST, "Invalid request: id must be a string or an integer")
    return None


def _reply_for(line: bytes, reason: str) -> SessionMessage | None:
    try:
        parsed: Any = json.loads(line)
    except (ValueError, RecursionError):
        return _error(None, PARSE_ERROR, f"Parse error: not one JSON object on one line ({reason[:200]})")
    if isinstance(parsed, dict) and "method" in parsed and "id" not in parsed:
        log.warning("dropped a malformed notification: %s", reason[:200])
        return None
    request_id = parsed.get("id") if isinstance(parsed, dict) else None
    if isinstance(request_id, bool) or not isinstance(request_id, (int, str)):
        request_id = None
    what = "a batch (JSON array); send one message per line" if isinstance(parsed, list) else reason[:200]
    return _error(request_id, INVALID_REQUEST, f"Invalid request: {what}")


def _first_reason(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            first = errors()[0]
            where = ".".join(str(part) for part in first.get("loc", ()))
            return f"{first['msg']}" + (f" at {where}" if where else "")
        except Exception:
            pass
    return type(exc).__name__


def _error(request_id: int | str | None, code: int, message: str) -> SessionMessage:
    error = types.JSONRPCError(jsonrpc="2.0", id=request_id, error=types.ErrorData(code=code, message=message))
    return SessionMessage(error)


class _CheckedLines:
    """The lines of stdin that are JSON-RPC messages; the others are answered on ``reply``."""

    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        self._reader = anyio.CapacityLimiter(1)  # its own thread, outside the pools tools use
        self.reply: Any = None  # the SDK's write stream, set once the transport is open

    def __aiter__(self) -> _CheckedLines:
        return self

    async def __anext__(self) -> str:
        while True:
            line = await anyio.to_thread.run_sync(self._read, limiter=self._reader, abandon_on_cancel=True)
            if line is None:
                raise StopAsyncIteration
            if not line.strip():
                continue
            if line is _OVERSIZED:
                problem = _error(None, INVALID_REQUEST, f"Invalid request: a message over {MAX_LINE} bytes")
            else:
                problem = reply_to_malformed(line)
                if problem is None:
                    return line.decode("utf-8")
            if problem is not None:
                await self.reply.send(problem)

    def _read(self) -> bytes | None:
        line = self._source.readline(MAX_LINE + 1)
        if not line:
            return None
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while True:  # skip the rest of the oversized line
                rest = self._source.readline(1024 * 1024)
                if not rest or rest.endswith(b"\n"):
                    break
            return _OVERSIZED
        return line


async def _stop_on_signal(scope: CancelScope) -> None:
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        if shutdown.stop_asked():  # a signal came while the server was starting
            scope.cancel()
            return
        async for signum in signals:
            log.info("stopping on %s", signal.Signals(signum).name)
            scope.cancel()
            return


async def serve(server: MCPServer) -> None:
    """Serve ``server`` until stdin closes or a signal arrives."""
    lines = _CheckedLines(sys.stdin.buffer)
    lowlevel = server._lowlevel_server  # MCPServer.run_stdio_async takes no streams of ours
    async with anyio.create_task_group() as group:  # outside the transport, so a signal cancels all of it
        if sys.platform != "win32":  # no asyncio signal handlers there; Ctrl-C still interrupts
            group.start_soon(_stop_on_signal, group.cancel_scope)
        async with stdio_server(stdin=lines) as (read_stream, write_stream):  # type: ignore[arg-type]
            lines.reply = write_stream
            await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())
        group.cancel_scope.cancel()


def run(server: MCPServer) -> None:
    anyio.run(serve, server)
