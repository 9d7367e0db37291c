"""Synchronous wrappers around the real ``mcp`` client, for tests: over stdio, or in-process.

``McpSession`` starts a server process and speaks to it over stdio. ``InProcessSession`` connects
``mcp.Client`` to a server built in this process, through a wire that writes every message as
JSON text in UTF-8 and reads it back, as stdio does; both have the same ``call``/``list_tools``.
Each session lives on an event loop in a background thread (an anyio blocking portal), so a
fixture can keep one server open across many tests.
"""

from __future__ import annotations

import atexit
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any

import mcp_types as types
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import Client
from mcp.client._memory import InMemoryTransport
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.shared.message import SessionMessage


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
    def __init__(self, session: ClientSession | Client, portal: Any, stderr_path: Path) -> None:
        self._session = session
        self._portal = portal
        self.stderr_path = stderr_path
        self.initialize_result: types.InitializeResult | None = None

    @classmethod
    @contextmanager
    def start(
        cls, command: str, args: list[str], env: dict[str, str], cwd: str | None = None, mode: str = "legacy"
    ) -> Iterator[McpSession]:
        """A server process over stdio. ``mode="legacy"``: the initialize handshake; a modern version
        (``"2026-07-28"``): the SDK's ``Client`` opens with ``server/discover``, no handshake."""
        params = StdioServerParameters(command=command, args=args, env=env, cwd=cwd)
        stderr_path = Path(env.get("HOME", ".")) / f"server-stderr-{id(params)}.log"
        stderr_path.parent.mkdir(parents=True, exist_ok=True)
        with ExitStack() as stack:
            errlog = stack.enter_context(open(stderr_path, "w"))
            portal = stack.enter_context(start_blocking_portal())
            if mode != "legacy":
                client = Client(stdio_client(params, errlog), mode=mode)
                yield cls(stack.enter_context(portal.wrap_async_context_manager(client)), portal, stderr_path)
                return
            read, write = stack.enter_context(portal.wrap_async_context_manager(stdio_client(params, errlog)))
            session = stack.enter_context(portal.wrap_async_context_manager(ClientSession(read, write)))
            wrapper = cls(session, portal, stderr_path)
            wrapper.initialize_result = portal.call(session.initialize)
            yield wrapper

    @property
    def protocol_version(self) -> str | None:
        """The protocol version the session speaks (the handshake's, or the one discovery chose)."""
        if self.initialize_result is not None:
            return str(self.initialize_result.protocol_version)
        return getattr(self._session, "protocol_version", None)

    def list_tools(self) -> list[types.Tool]:
        return self._portal.call(self._session.list_tools).tools

    def list_prompts(self) -> list[types.Prompt]:
        return self._portal.call(self._session.list_prompts).prompts

    def call(self, tool: str, timeout: float = 120, progress: Progress | None = None, **arguments: Any) -> ToolCall:
        """Call a tool; a server that does not answer in ``timeout`` seconds fails the test, not hangs it.
        ``progress`` (progress, total, message) is called for each progress notification."""
        result = self._portal.call(
            lambda: self._session.call_tool(
                tool, arguments, read_timeout_seconds=timeout, progress_callback=_async(progress)
            )
        )
        return ToolCall(result)

    def stderr(self) -> str:
        return self.stderr_path.read_text()


Progress = Callable[[float, float | None, str | None], None]


def _async(progress: Progress | None) -> Any:
    if progress is None:
        return None

    async def heard(value: float, total: float | None, message: str | None) -> None:
        progress(value, total, message)

    return heard


# -- in-process ------------------------------------------------------------------------------


def _over_the_wire(item: Any) -> Any:
    """``item`` as the other end of a stdio pipe reads it: JSON text, encoded in UTF-8, parsed again.

    A message that UTF-8 cannot carry (a lone surrogate) raises here, where stdio would stall.
    """
    if not isinstance(item, SessionMessage):
        return item
    line = item.message.model_dump_json(by_alias=True, exclude_unset=True).encode("utf-8")
    return SessionMessage(types.jsonrpc_message_adapter.validate_json(line, by_name=False))


class _WireWriter:
    """The client's write stream, each message sent over the wire."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def send(self, item: Any) -> None:
        await self._inner.send(_over_the_wire(item))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> _WireWriter:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class _WireReader:
    """The client's read stream, each message received over the wire.

    A message the wire cannot carry ends the stream, as a dead stdio server would: every call
    waiting for an answer fails with "Connection closed", and ``broken`` says why.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.broken: str | None = None

    @property
    def last_context(self) -> Any:  # the SDK's dispatcher restores the sender's context from it
        return getattr(self._inner, "last_context", None)

    async def receive(self) -> Any:
        item = await self._inner.receive()
        try:
            return _over_the_wire(item)
        except (UnicodeEncodeError, ValueError) as exc:
            self.broken = f"the server sent a message stdio cannot carry: {type(exc).__name__}: {exc}"
            await self._inner.aclose()
            raise StopAsyncIteration from None

    def __aiter__(self) -> _WireReader:
        return self

    async def __anext__(self) -> Any:
        try:
            return await self.receive()
        except Exception as exc:
            if type(exc).__name__ in ("EndOfStream", "ClosedResourceError"):
                raise StopAsyncIteration from None
            raise

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> _WireReader:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class Wire:
    """An ``mcp`` client transport to an in-process server: the SDK's in-memory transport, with every
    message in both directions serialised as stdio would serialise it."""

    def __init__(self, server: Any) -> None:
        self._memory = InMemoryTransport(server)
        self.reader: _WireReader | None = None

    async def __aenter__(self) -> tuple[_WireReader, _WireWriter]:
        read, write = await self._memory.__aenter__()
        self.reader = _WireReader(read)
        return self.reader, _WireWriter(write)

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._memory.__aexit__(*exc_info)


_shared: tuple[ExitStack, BlockingPortal] | None = None
_shared_lock = threading.Lock()


def shared_portal() -> BlockingPortal:
    """One event loop for every in-process server of the test run.

    The servers' worker-thread pools are module globals bound to the loop that first uses them,
    as in a server process, where there is one loop.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            stack = ExitStack()
            _shared = stack, stack.enter_context(start_blocking_portal())
            atexit.register(stack.close)
        return _shared[1]


class InProcessSession:
    """``McpSession``'s interface for a server built in this process.

    ``ambient`` is entered around building the server and around every request, so that what the
    server reads while it works (the environment, where its files go, the clock of its retries)
    is this session's, as it would be in a process of its own; ``stderr()`` is what it logged.
    """

    def __init__(self, client: Client, wire: Wire, portal: BlockingPortal, ambient: Any) -> None:
        self._client = client
        self._wire = wire
        self._portal = portal
        self.ambient = ambient

    @classmethod
    @contextmanager
    def start(cls, build: Callable[[], Any], ambient: Any, mode: str = "legacy") -> Iterator[InProcessSession]:
        """``build()`` returns the MCP server; it runs inside ``ambient``, as do all requests.

        ``mode="legacy"``: the initialize handshake over the JSON wire, as a stdio client does; a
        modern version (``"2026-07-28"``): the SDK's stateless in-process path (no handshake).
        """
        portal = shared_portal()
        with ambient.active():
            server = build()
        wire = Wire(server)
        client = Client(wire, mode="legacy") if mode == "legacy" else Client(server, mode=mode)
        with ambient.active():
            entered: AbstractContextManager[Client] = portal.wrap_async_context_manager(client)
            entered.__enter__()
        try:
            yield cls(client, wire, portal, ambient)
        finally:
            with ambient.active():
                entered.__exit__(None, None, None)

    @property
    def clock(self) -> Any:
        return self.ambient.clock

    def list_tools(self) -> list[types.Tool]:
        with self.ambient.active():
            return self._portal.call(lambda: self._client.list_tools(cache_mode="bypass")).tools

    def call(self, tool: str, timeout: float = 120, progress: Progress | None = None, **arguments: Any) -> ToolCall:
        """Call a tool; a server that does not answer in ``timeout`` seconds fails the test, not hangs it."""
        with self.ambient.active():
            try:
                result = self._portal.call(
                    lambda: self._client.call_tool(
                        tool, arguments, read_timeout_seconds=timeout, progress_callback=_async(progress)
                    )
                )
            except Exception as exc:
                broken = self._wire.reader.broken if self._wire.reader else None
                if broken:
                    raise AssertionError(broken) from exc
                raise
        return ToolCall(result)

    def stderr(self) -> str:
        return self.ambient.stderr()


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
