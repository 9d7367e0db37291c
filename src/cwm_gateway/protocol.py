"""The seam between cwm-gateway and the MCP Python SDK (2.x); the rest of the code never imports ``mcp``.

Tool bodies are plain synchronous functions (they call SQLite and urllib3). Each runs in a
worker thread drawn from its own pool, never from anyio's default one: the stdio transport
reads and writes through that default pool, so forty slow ConnectWise calls must not stop
the server from reading a ping or a cancel (see ``stdio.py``).

A tool that may need a person's confirmation (``tool(..., ask=...)``) asks before its body
runs, with the SDK's resolver pattern: on 2026-07-28 connections the question travels in an
``InputRequiredResult`` (Multi Round-Trip Requests) and the client calls again with the answer;
on older ones it is an ``elicitation/create`` request in the middle of the call. The body then
receives the answer as a plain ``person.Answer``.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib.util
import inspect
import logging
import sys
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from .person import Answer


def _sdk_root_on_first_use() -> None:
    """Let ``mcp.server...`` load without running the package root ``mcp/__init__.py`` first.

    That root imports the SDK's client (Client, ClientSession, session groups, the stdio and
    HTTP client transports), which a server never uses. Python runs a package's ``__init__``
    before any of its submodules, so ``mcp`` is registered as the package itself (same spec,
    same ``__path__``) without running it; the first lookup of a name on it (``from mcp import
    Client``) runs the real ``__init__`` then, so every use of the SDK still works. The SDK's
    files are untouched. Start-up only: see the README's start-up section for what it saves.
    """
    if "mcp" in sys.modules:
        return
    spec = importlib.util.find_spec("mcp")
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return
    root = importlib.util.module_from_spec(spec)

    def load_whole(name: str) -> Any:
        del root.__dict__["__getattr__"]
        spec.loader.exec_module(root)  # type: ignore[union-attr]
        return getattr(root, name)

    root.__getattr__ = load_whole  # type: ignore[method-assign]
    sys.modules["mcp"] = root


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the SDK loads, and none over what it loaded afterwards.

    Its import builds some 560 pydantic models; their allocations set off collections that find
    nothing to free, and the first full one after would walk all of them again. Freezing what
    is loaded (module-level objects that live as long as the process) skips both: about a tenth
    of start-up.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_on:
            gc.enable()


with _collector_paused():
    _sdk_root_on_first_use()
    import anyio
    import anyio.from_thread
    import anyio.to_thread
    from mcp.server.elicitation import AcceptedElicitation, ElicitationResult
    from mcp.server.mcpserver import Context, MCPServer
    from mcp.server.mcpserver.prompts.base import Message, Prompt, PromptArgument, UserMessage
    from mcp.server.mcpserver.resolve import Elicit, Resolve
    from mcp.server.mcpserver.tools import Tool
    from mcp.shared.exceptions import MCPError
    from mcp_types import INVALID_PARAMS, CallToolResult, ToolAnnotations
    from mcp_types.version import is_version_at_least
    from pydantic import BaseModel

__all__ = [
    "CallToolResult",
    "Pool",
    "Tool",
    "add_prompt",
    "annotations",
    "new_server",
    "tool",
    "tool_names",
    "tool_result",
]

log = logging.getLogger(__name__)

PERSON = "person"  # the entry's parameter that receives the person's answer to the confirmation
_QUESTION = "person_question"  # the resolved parameter that carries the question asked
_INPUT_REQUIRED_VERSION = "2026-07-28"  # from this revision on, questions travel in InputRequiredResult


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


class _Server(MCPServer):
    async def get_prompt(self, name: str, arguments: dict[str, Any] | None = None, context: Any = None) -> Any:
        """An unknown prompt name is Invalid params naming the prompts (the SDK's own error reads
        "Internal server error" on a 2026-07-28 connection)."""
        if self._prompt_manager.get_prompt(name) is None:
            known = ", ".join(prompt.name for prompt in self._prompt_manager.list_prompts())
            raise MCPError(INVALID_PARAMS, f"no prompt named {name!r}; the prompts are {known}")
        return await super().get_prompt(name, arguments, context)


def new_server(name: str, version: str, instructions: str, tools: list[Tool] | None = None) -> MCPServer:
    return _Server(name=name, version=version, instructions=instructions, tools=tools)


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
Invoke = Callable[[dict[str, Any], Progress, "Answer | None"], CallToolResult]
Ask = Callable[[dict[str, Any]], "str | None"]


def tool(
    name: str,
    title: str,
    description: str,
    parameters: list[inspect.Parameter],
    hints: ToolAnnotations,
    output_schema: dict[str, Any],
    pool: Pool,
    invoke: Invoke,
    ask: Ask | None = None,
) -> Tool:
    """A tool whose arguments are ``parameters`` (``Annotated`` types: the SDK makes the input schema),
    run as ``invoke(arguments, progress)`` in a worker thread of ``pool``.

    ``progress(pages, message)`` sends a progress notification when the client gave a progress
    token (the SDK drops it otherwise). The output schema is published as given: results are
    checked against it by the tests, never by the server, so a schema slip cannot fail a user's call.
    With ``ask(arguments)``, the person may be asked first (see ``_asking_entry``).
    """
    if ask is None:
        entry = _entry(name, parameters, pool, invoke)
    else:
        entry = _asking_entry(name, parameters, pool, invoke, ask)
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
        call = functools.partial(invoke, arguments, _progress(ctx), None)
        return await anyio.to_thread.run_sync(call, limiter=pool.limiter(), abandon_on_cancel=True)

    _declare(entry, name, [*parameters, _keyword("ctx", Context)])
    return entry


class Confirmation(BaseModel):
    """Accept sends the request to ConnectWise; decline sends nothing."""

    # No fields: the person only accepts or declines. Nothing is typed in, so never a secret.


def can_elicit(ctx: Context) -> bool:  # type: ignore[type-arg]
    """Whether this client can show the person a form question now (form mode, as the SDK counts it)."""
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    if elicitation is None or (elicitation.form is None and elicitation.url is not None):
        return False
    version = ctx.protocol_version
    if version is not None and is_version_at_least(version, _INPUT_REQUIRED_VERSION):
        return True  # the question rides the result; the client asks and calls again
    return bool(ctx.session.can_send_request)


def _asking_entry(
    name: str, parameters: list[inspect.Parameter], pool: Pool, invoke: Invoke, ask: Ask
) -> Callable[..., Any]:
    """The entry of a tool whose call may first ask the person ``ask(arguments)`` (None: nothing to ask).

    Two resolvers (the SDK's pattern, ``mcp.server.mcpserver.resolve``) run before the body:
    ``question`` words the question in a worker thread (it may read the record from ConnectWise)
    when the client can elicit, and ``confirmation`` turns it into an ``Elicit``. On 2026-07-28
    connections both run again when the client returns with the answer; a question worded
    differently then (the record changed) is asked again. The body gets the ``Answer`` (None:
    nobody was asked); the resolved parameters stay out of the tool's input schema.
    """

    async def question(ctx: Context, **arguments: Any) -> str | None:  # type: ignore[type-arg]
        if not can_elicit(ctx):
            return None
        try:
            call = functools.partial(ask, arguments)
            return await anyio.to_thread.run_sync(call, limiter=pool.limiter(), abandon_on_cancel=True)
        except Exception:  # a bug in wording a question: the body's own rules (confirm=true) still hold
            log.exception("could not word the confirmation question")
            return None

    _declare(question, "question", [_keyword("ctx", Context), *(_keyword(p.name) for p in parameters)], str | None)

    async def confirmation(message: str | None) -> Elicit[Confirmation] | None:
        return None if message is None else Elicit(message, Confirmation)

    asked = Annotated[str | None, Resolve(question)]
    _declare(confirmation, "confirmation", [_keyword("message", asked)], Elicit[Confirmation] | None)

    async def entry(ctx: Context, **arguments: Any) -> CallToolResult:  # type: ignore[type-arg]
        answer = _answer(arguments.pop(PERSON), arguments.pop(_QUESTION))
        call = functools.partial(invoke, arguments, _progress(ctx), answer)
        return await anyio.to_thread.run_sync(call, limiter=pool.limiter(), abandon_on_cancel=True)

    said = Annotated[ElicitationResult[Confirmation], Resolve(confirmation)]
    _declare(entry, name, [*parameters, _keyword(PERSON, said), _keyword(_QUESTION, asked), _keyword("ctx", Context)])
    return entry


def _answer(outcome: Any, message: str | None) -> Answer | None:
    if message is None or (isinstance(outcome, AcceptedElicitation) and outcome.data is None):
        return None  # nobody was asked
    return Answer(outcome.action, message)


def _keyword(name: str, annotation: Any = inspect.Parameter.empty) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)


def _declare(
    fn: Callable[..., Any], name: str, parameters: list[inspect.Parameter], returns: Any = CallToolResult
) -> None:
    """Give a made-up function the signature the SDK reads (its annotations as objects, not strings)."""
    fn.__signature__ = inspect.Signature(parameters, return_annotation=returns)  # type: ignore[attr-defined]
    annotated = {p.name: p.annotation for p in parameters if p.annotation is not inspect.Parameter.empty}
    fn.__annotations__ = annotated | {"return": returns}
    fn.__name__ = fn.__qualname__ = name


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


def tool_names(server: MCPServer) -> frozenset[str]:
    return frozenset(tool.name for tool in server._tool_manager.list_tools())


class _TextPrompt(Prompt):
    """A prompt whose ``fn(arguments)`` returns its text and raises ValueError for bad arguments.

    The SDK's own checks raise a plain ValueError, which a 2026-07-28 connection reports only as
    "Internal server error"; here every argument problem is an Invalid params error whose message
    says what to send, on both protocol eras.
    """

    async def render(self, arguments: dict[str, Any] | None, context: Any) -> list[Message]:
        try:
            text = self.fn(dict(arguments or {}))
        except ValueError as exc:
            raise MCPError(INVALID_PARAMS, str(exc)) from None
        return [UserMessage(text)]


def add_prompt(
    server: MCPServer,
    name: str,
    title: str,
    description: str,
    arguments: list[tuple[str, str, bool]],
    render: Callable[[dict[str, str]], str],
) -> None:
    """Register a prompt; ``arguments`` are (name, description, required)."""
    listed = [PromptArgument(name=arg, description=text, required=required) for arg, text, required in arguments]
    server.add_prompt(_TextPrompt(name=name, title=title, description=description, arguments=listed, fn=render))
