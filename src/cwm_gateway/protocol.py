"""The seam between cwm-gateway and the MCP Python SDK (2.x); the rest of the code never imports ``mcp``.

Tool bodies are plain synchronous functions (they call SQLite and urllib3). Each runs in a
worker thread drawn from its own pool, never from anyio's default one: the stdio transport
reads and writes through that default pool, so forty slow ConnectWise calls must not stop
the server from reading a ping or a cancel (see ``stdio.py``).

A tool that may need a person's confirmation (``register(..., ask=...)``) asks before its body
runs, with the SDK's resolver pattern: on 2026-07-28 connections the question travels in an
``InputRequiredResult`` (Multi Round-Trip Requests) and the client calls again with the answer;
on older ones it is an ``elicitation/create`` request in the middle of the call. The body then
receives the answer as a plain ``person.Answer``.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Annotated, Any

import anyio
import anyio.to_thread
from mcp.server.elicitation import AcceptedElicitation, ElicitationResult
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.resolve import Elicit, Resolve
from mcp_types import CallToolResult, ToolAnnotations
from mcp_types.version import is_version_at_least
from pydantic import BaseModel

from .person import Answer

log = logging.getLogger(__name__)

PERSON = "person"  # the tool body's parameter that receives the person's Answer (None: nobody was asked)
_QUESTION = "person_question"  # the resolved parameter that carries the question asked
_INPUT_REQUIRED_VERSION = "2026-07-28"  # from this revision on, questions travel in InputRequiredResult

__all__ = ["CallToolResult", "Pool", "annotations", "new_server", "register", "tool_result"]


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


def new_server(name: str, version: str, instructions: str) -> MCPServer:
    return MCPServer(name=name, version=version, instructions=instructions)


def annotations(read_only: bool, destructive: bool, open_world: bool, idempotent: bool = False) -> ToolAnnotations:
    return ToolAnnotations.model_validate(
        {
            "readOnlyHint": read_only,
            "destructiveHint": destructive,
            "idempotentHint": idempotent,
            "openWorldHint": open_world,
        }
    )


def tool_result(text: str, data: dict[str, Any], is_error: bool) -> CallToolResult:
    return CallToolResult.model_validate(
        {"content": [{"type": "text", "text": text}], "structuredContent": data, "isError": is_error}
    )


def register(
    server: MCPServer,
    fn: Callable[..., Any],
    description: str,
    hints: ToolAnnotations,
    pool: Pool,
    ask: Callable[..., str | None] | None = None,
) -> None:
    """Add ``fn`` as a tool. With ``ask``, the person may be asked first (see ``_asking_first``)."""
    tool = _in_worker_thread(fn, pool) if ask is None else _asking_first(fn, pool, ask)
    server.add_tool(tool, description=description, annotations=hints)


def _in_worker_thread(fn: Callable[..., Any], pool: Pool) -> Callable[..., Any]:
    """Run ``fn`` in ``pool``; the signature (and so the tool's input schema) stays ``fn``'s.

    A cancelled call (``notifications/cancelled``) is abandoned at once: its thread finishes
    on its own and the result is dropped, so the client gets no answer for it, as the
    protocol asks, and the server goes on serving.
    """

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        call = functools.partial(fn, *args, **kwargs)
        return await anyio.to_thread.run_sync(call, limiter=pool.limiter(), abandon_on_cancel=True)

    return wrapper


class Confirmation(BaseModel):
    """Accept sends the request to ConnectWise; decline sends nothing."""

    # No fields: the person only accepts or declines. Nothing is typed in, so never a secret.


def can_elicit(ctx: Context) -> bool:
    """Whether this client can show the person a form question now (form mode, as the SDK counts it)."""
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    if elicitation is None or (elicitation.form is None and elicitation.url is not None):
        return False
    version = ctx.protocol_version
    if version is not None and is_version_at_least(version, _INPUT_REQUIRED_VERSION):
        return True  # the question rides the result; the client asks and calls again
    return bool(ctx.session.can_send_request)


def _asking_first(fn: Callable[..., Any], pool: Pool, ask: Callable[..., str | None]) -> Callable[..., Any]:
    """``fn`` as a tool whose call may first ask the person ``ask(**arguments)`` (None: nothing to ask).

    Two resolvers (the SDK's pattern, ``mcp.server.mcpserver.resolve``) run before the body:
    ``question`` words the question in a worker thread (it may read the record from ConnectWise)
    when the client can elicit, and ``confirmation`` turns it into an ``Elicit``. On 2026-07-28
    connections both run again when the client returns with the answer; a question worded
    differently then (the record changed) is asked again. ``fn`` gets ``person=Answer | None``;
    its other parameters stay the tool's input schema, and ``PERSON`` is left out of it.
    """
    signature = inspect.signature(fn, eval_str=True)
    arguments = [p for p in signature.parameters.values() if p.name != PERSON]
    names = [p.name for p in arguments]

    async def question(ctx: Context, **tool_arguments: Any) -> str | None:
        if not can_elicit(ctx):
            return None
        call = functools.partial(ask, **tool_arguments)
        try:
            return await anyio.to_thread.run_sync(call, limiter=pool.limiter(), abandon_on_cancel=True)
        except Exception:  # a bug in wording a question: the body's own rules (confirm=true) still hold
            log.exception("could not word the confirmation question")
            return None

    _declare(question, {"ctx": Context}, [_keyword("ctx", Context), *(_keyword(n) for n in names)])

    async def confirmation(message: str | None) -> Elicit[Confirmation] | None:
        return None if message is None else Elicit(message, Confirmation)

    asked = Annotated[str | None, Resolve(question)]
    _declare(confirmation, {"message": asked}, [_keyword("message", asked)])

    @functools.wraps(fn)
    async def wrapper(**kwargs: Any) -> Any:
        outcome, message = kwargs.pop(PERSON), kwargs.pop(_QUESTION)
        kwargs[PERSON] = _answer(outcome, message)
        call = functools.partial(fn, **kwargs)
        return await anyio.to_thread.run_sync(call, limiter=pool.limiter(), abandon_on_cancel=True)

    said = Annotated[ElicitationResult[Confirmation], Resolve(confirmation)]
    resolved = [_keyword(PERSON, said), _keyword(_QUESTION, asked)]
    hints = {p.name: p.annotation for p in arguments if p.annotation is not inspect.Parameter.empty}
    hints |= {PERSON: said, _QUESTION: asked}
    if signature.return_annotation is not inspect.Signature.empty:  # the tool's output schema reads it
        hints["return"] = signature.return_annotation
    _declare(wrapper, hints, [*arguments, *resolved], signature.return_annotation)
    return wrapper


def _answer(outcome: Any, message: str | None) -> Answer | None:
    if message is None or (isinstance(outcome, AcceptedElicitation) and outcome.data is None):
        return None  # nobody was asked
    return Answer(outcome.action, message)


def _keyword(name: str, annotation: Any = inspect.Parameter.empty) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)


def _declare(
    fn: Callable[..., Any],
    hints: dict[str, Any],
    parameters: list[inspect.Parameter],
    returns: Any = inspect.Signature.empty,
) -> None:
    """Give a made-up function the signature the SDK reads (its annotations as objects, not strings)."""
    fn.__signature__ = inspect.Signature(parameters, return_annotation=returns)  # type: ignore[attr-defined]
    fn.__annotations__ = dict(hints)
