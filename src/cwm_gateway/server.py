"""The MCP server: the tools of ``tools.ALL`` registered, each call run with its runtime, every outcome a result."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import __version__, protocol, tools
from .protocol import CallToolResult
from .results import Result, ToolError, error, render

if TYPE_CHECKING:
    from .execution import Progress
    from .person import Answer
    from .runtime import Runtime

log = logging.getLogger(__name__)

# Catalog and saved-query tools answer in milliseconds; ConnectWise calls can take the whole
# CWM_TIMEOUT. Separate pools keep a search fast while slow calls are in flight. REMOTE_POOL
# matches the HTTP client's connection pool, so no thread waits for or drops a connection.
LOCAL_POOL = protocol.Pool("local", 8)
REMOTE_POOL = protocol.Pool("remote", 16)

INSTRUCTIONS = """\
Gateway to the ConnectWise Manage (PSA) REST API: about 3,000 operations.
Typical flow: natural_language_api_search("what the user wants") -> get_api_endpoint_details(path, method)
-> get_api_data(path, params) to read, execute_api_call(path, method, params, data) to write.
Saved queries: list_fast_memory / run_saved_query. Results carry notes, warnings and next_step: read them.
"""


def build_server(runtime: Runtime | None = None, runtime_of: Callable[[], Runtime] | None = None) -> Any:
    """The MCP server with every tool of ``tools.ALL``.

    Each call gets its runtime from ``runtime_of()`` (by default the one ``runtime``), so a server
    that serves several users can hand each request its own.
    """
    if runtime_of is None:
        runtime_of = _the(runtime)
    server = protocol.new_server(
        "cwm-gateway", __version__, INSTRUCTIONS, [listed(spec, runtime_of) for spec in tools.ALL]
    )
    _add_prompts(server)
    return server


def _add_prompts(server: Any) -> None:
    from . import prompts

    served = protocol.tool_names(server)
    for p in prompts.PROMPTS:
        arguments = [(arg.name, arg.description, arg.required) for arg in p.arguments]
        render = functools.partial(prompts.render, p.name, tools=served)
        protocol.add_prompt(server, p.name, p.title, p.description, arguments, render)


def _the(runtime: Runtime | None) -> Callable[[], Runtime]:
    """One runtime for every call, made on the first: the modules behind the tools load then, not
    at start, so a client listing tools does not wait for the catalog, the HTTP stack or the keyring."""
    made: list[Runtime] = [runtime] if runtime is not None else []

    def runtime_of() -> Runtime:
        if not made:
            from .runtime import Runtime

            made.append(Runtime())
        return made[0]

    return runtime_of


def listed(spec: tools.Spec, runtime_of: Callable[[], Runtime]) -> protocol.Tool:
    hints = spec.hints
    return protocol.tool(
        spec.name,
        spec.title,
        spec.description,
        spec.parameters(),
        protocol.annotations(hints.read_only, hints.destructive, hints.open_world, hints.idempotent),
        spec.output,
        REMOTE_POOL if hints.open_world else LOCAL_POOL,
        functools.partial(call_tool, spec, runtime_of),
        None if spec.ask is None else functools.partial(question, spec, runtime_of),
    )


def call_tool(
    spec: tools.Spec,
    runtime_of: Callable[[], Runtime],
    arguments: dict[str, Any],
    progress: Progress | None = None,
    person: Answer | None = None,
) -> CallToolResult:
    """One tool call, in a worker thread: the body with this call's runtime, its result or error made a result."""
    try:
        runtime = runtime_of()
    except Exception as exc:  # a runtime that cannot be had (a ToolError, or a bug) is this call's result
        return run_tool(spec.name, functools.partial(_reraise, exc))
    call = tools.Call(runtime, progress, person)
    return run_tool(spec.name, lambda: spec.fn(call, **arguments), runtime.data_note)


def question(spec: tools.Spec, runtime_of: Callable[[], Runtime], arguments: dict[str, Any]) -> str | None:
    """What to ask the person before the call (None: nothing), in a worker thread, before the body runs."""
    assert spec.ask is not None
    return spec.ask(tools.Call(runtime_of()), **arguments)


def _reraise(exc: Exception) -> Result:
    raise exc


def to_call_result(result: Result, banner: str | None = None) -> CallToolResult:
    """The MCP result: the data as structured content, and the text rendered from that same data."""
    data = result.data
    if banner:  # sandbox mode: no result may be mistaken for real ConnectWise data
        data = {**data, "data_source": banner}
    data = _encodable(data)
    return protocol.tool_result(render(data, result.lines, result.last), data, result.is_error)


def _encodable(data: dict[str, Any]) -> dict[str, Any]:
    """Data that UTF-8 can carry: a lone surrogate (which JSON allows ConnectWise to send as
    ``\\ud800``) would make the answer unwritable and stall the session."""
    text = json.dumps(data, ensure_ascii=False)
    try:
        text.encode("utf-8")
        return data
    except UnicodeEncodeError:
        return json.loads(text.encode("utf-8", "replace").decode("utf-8"))


def run_tool(tool: str, action: Callable[[], Result], banner: str | None = None) -> CallToolResult:
    """Run a tool body; whatever goes wrong becomes an isError result, never a crash.

    This is the one place a ToolError becomes a result. Any other exception is a bug: it is
    logged with its traceback and reported as such.
    """
    try:
        return to_call_result(_result_of(action), banner)
    except Exception as exc:
        log.exception("tool %s failed", tool)
        return to_call_result(error(f"{tool} failed unexpectedly: {type(exc).__name__}: {exc}"), banner)


def _result_of(action: Callable[[], Result]) -> Result:
    try:
        return action()
    except ToolError as exc:
        return exc.result()


def _report_write_allow() -> None:
    """Warn (on stderr) about CWM_WRITE_ALLOW entries that name no operation, without delaying start."""
    import threading

    from . import settings

    if not settings.is_set("CWM_WRITE_ALLOW"):
        return

    def check() -> None:
        try:
            from .execution import write_allow_report
            from .locations import open_catalog

            catalog = open_catalog()
            write_allow_report(catalog)
            catalog.close()
        except Exception as exc:  # a report must never stop the server
            log.warning("CWM_WRITE_ALLOW could not be checked: %s", exc)

    threading.Thread(target=check, name="write-allow-check", daemon=True).start()


def serve(profile: str | None = None, runtime: Runtime | None = None) -> None:
    _report_write_allow()
    if runtime is None:
        from .runtime import Runtime

        runtime = Runtime(profile=profile)
    from . import stdio

    stdio.run(build_server(runtime))
