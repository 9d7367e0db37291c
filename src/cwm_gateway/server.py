"""The MCP server: tool names, their descriptions, and the wiring to the modules that do the work."""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import __version__, protocol
from .person import Answer
from .protocol import CallToolResult
from .results import Result, ToolError, error

if TYPE_CHECKING:
    from .runtime import Runtime

log = logging.getLogger(__name__)

READ_ONLY = protocol.annotations(read_only=True, destructive=False, open_world=False, idempotent=True)
LOCAL_WRITE = protocol.annotations(read_only=False, destructive=False, open_world=False)
LOCAL_DESTRUCTIVE = protocol.annotations(read_only=False, destructive=True, open_world=False)
REMOTE_CALL = protocol.annotations(read_only=False, destructive=True, open_world=True)

# Catalog and saved-query tools answer in milliseconds; ConnectWise calls can take the whole
# CWM_TIMEOUT. Separate pools keep a search fast while slow calls are in flight. REMOTE_POOL
# matches the HTTP client's connection pool, so no thread waits for or drops a connection.
LOCAL_POOL = protocol.Pool("local", 8)
REMOTE_POOL = protocol.Pool("remote", 16)

INSTRUCTIONS = """\
Gateway to the ConnectWise Manage (PSA) REST API: about 3,000 operations.
Typical flow: natural_language_api_search("what the user wants") -> get_api_endpoint_details(path, method)
-> execute_api_call(path, method, params, data). Saved queries: list_fast_memory / run_saved_query.
"""


def to_call_result(result: Result, banner: str | None = None) -> CallToolResult:
    text, data = result.text, result.data
    if banner:  # sandbox mode: no result may be mistaken for real ConnectWise data
        text = f"[{banner}]\n{text}"
        data = {**data, "data_source": banner}
    return protocol.tool_result(*_encodable(text, data), result.is_error)


def _encodable(text: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Text and data that UTF-8 can carry: a lone surrogate (which JSON allows ConnectWise to
    send as ``\\ud800``) would make the answer unwritable and stall the session."""
    try:
        text.encode("utf-8")
        json.dumps(data, ensure_ascii=False).encode("utf-8")
        return text, data
    except UnicodeEncodeError:
        clean = json.dumps(data, ensure_ascii=False).encode("utf-8", "replace").decode("utf-8")
        return text.encode("utf-8", "replace").decode("utf-8"), json.loads(clean)


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


def _registrar(server: Any) -> Callable[[Any], Callable[[Callable[..., Any]], Any]]:
    """``@tool(annotations, ask)``: registers with the docstring dedented, as the assistant reads it.

    ``ask(**arguments)`` words what to ask the person before the call (None: nothing); the tool
    body then gets their answer as ``person`` (see ``protocol.register``).
    """

    def tool(hints: Any, ask: Callable[..., str | None] | None = None) -> Callable[[Callable[..., Any]], Any]:
        pool = REMOTE_POOL if hints.open_world_hint else LOCAL_POOL

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            protocol.register(server, fn, inspect.cleandoc(fn.__doc__ or ""), hints, pool, ask)
            return fn

        return register

    return tool


def build_server(runtime: Runtime | None = None) -> Any:
    # The modules behind the tools load on the first call, not at start: a client
    # listing tools should not wait for the catalog, the HTTP stack or the keyring.
    if runtime is None:
        from .runtime import Runtime

        runtime = Runtime()
    rt = runtime
    mcp = protocol.new_server("cwm-gateway", __version__, INSTRUCTIONS)
    tool = _registrar(mcp)

    def run(name: str, action: Callable[[], Result]) -> CallToolResult:
        return run_tool(name, action, rt.data_note)

    @tool(READ_ONLY)
    def search_api_endpoints(query: str, max_results: int = 10) -> CallToolResult:
        """Keyword search over ConnectWise Manage operations (paths, summaries, categories, fields).

        Precise: best when you know the API's own words. Returns ranked operations with
        method, path, summary, category and score.
        Example: search_api_endpoints("ticket notes") -> GET /service/tickets/{parentId}/notes
        """
        return run("search_api_endpoints", lambda: _discovery().search_endpoints(rt.searcher(), query, max_results))

    @tool(READ_ONLY)
    def natural_language_api_search(query: str, max_results: int = 5) -> CallToolResult:
        """Find the operation for a request in plain words; forgiving of synonyms and typos.

        Understands intent: "create ..." ranks POST, "close ticket 12" PATCH/PUT, "how many ..." /count.
        Start here when unsure which endpoint fits.
        Example: natural_language_api_search("log 1.5 hours on ticket 4521")
        """
        return run(
            "natural_language_api_search",
            lambda: _discovery().natural_language_search(rt.searcher(), query, max_results),
        )

    @tool(READ_ONLY)
    def list_api_categories() -> CallToolResult:
        """List every API category (the definition's tags) with its number of operations.

        Example: list_api_categories() -> {"categories": [{"name": "Tickets", "endpoint_count": 28}, ...]}
        """
        return run("list_api_categories", lambda: _discovery().list_categories(rt.catalog()))

    @tool(READ_ONLY)
    def get_category_endpoints(category: str, max_results: int = 20) -> CallToolResult:
        """List the operations in one category; the name matches case-insensitively.

        Example: get_category_endpoints("tickets") -> the 28 operations of category Tickets
        """
        return run(
            "get_category_endpoints",
            lambda: _discovery().category_endpoints(rt.catalog(), category, max_results),
        )

    @tool(READ_ONLY)
    def get_api_endpoint_details(path: str, method: str = "GET") -> CallToolResult:
        """Parameters, body fields (types, required, maxLength, enums) and response of one operation.

        Accepts a template or a concrete path; for lists it also names the fields usable in
        conditions, orderBy and fields.
        Example: get_api_endpoint_details("/service/tickets/4521", "PATCH")
        """
        return run("get_api_endpoint_details", lambda: _discovery().endpoint_details(rt.catalog(), path, method))

    @tool(REMOTE_CALL, ask=lambda **args: rt.executor().question_execute(**args))
    def execute_api_call(
        path: str,
        method: str = "GET",
        params: dict[str, Any] | str | None = None,
        data: dict[str, Any] | list[Any] | str | None = None,
        confirm: bool = False,
        all_pages: bool = False,
        max_items: int = 1000,
        include_info: bool = False,
        dry_run: bool = False,
        person: Answer | None = None,  # what the user said when asked to confirm; not an argument
    ) -> CallToolResult:
        """Call one ConnectWise Manage operation and return its data.

        path: concrete (/service/tickets/4521) or a template whose {placeholders} are given in params.
        params: query parameters (conditions, orderBy, fields, page, pageSize). data: the JSON body;
        for PATCH a list like [{"op": "replace", "path": "status/id", "value": 5}] (an object is turned
        into replace operations). DELETE asks the user to confirm (confirm=true where the client cannot ask).
        all_pages follows pagination up to max_items. _info metadata is removed unless include_info. A GET
        without params reuses the endpoint's most used saved query (the result says which); params={} asks
        for no filters. dry_run=true shows what would be sent (URL, body, current values) and sends nothing.
        Example: execute_api_call("/service/tickets", params={"conditions": "closedFlag=false", "pageSize": 10})
        """
        return run(
            "execute_api_call",
            lambda: rt.executor().execute(
                path, method, params, data, confirm, all_pages, max_items, include_info, dry_run, person
            ),
        )

    @tool(REMOTE_CALL, ask=lambda **args: rt.executor().question_raw(**args))
    def send_raw_api_request(
        raw_request: str, confirm: bool = False, dry_run: bool = False, person: Answer | None = None
    ) -> CallToolResult:
        """Send a request written as "METHOD /path?query [JSON body]", checked like execute_api_call.

        Conditions may contain spaces and quotes; the body is the JSON at the end. DELETE asks the user
        (confirm=true where the client cannot ask). dry_run=true shows what would be sent, sends nothing.
        Example: send_raw_api_request("GET /service/tickets?conditions=status/name='Open'&pageSize=5")
        """
        return run("send_raw_api_request", lambda: rt.executor().execute_raw(raw_request, confirm, dry_run, person))

    @tool(LOCAL_WRITE)
    def save_to_fast_memory(
        path: str,
        method: str,
        description: str,
        params: dict[str, Any] | str | None = None,
        data: dict[str, Any] | list[Any] | str | None = None,
    ) -> CallToolResult:
        """Save a query that worked, to find and run it again later; returns its id.

        Several queries may share an endpoint (different filters). Saved on this computer only.
        Example: save_to_fast_memory("/service/tickets", "GET", "open tickets", {"conditions": "closedFlag=false"})
        """
        return run(
            "save_to_fast_memory",
            lambda: _saved().save(rt.memory(), rt.catalog(), path, method, description, params, data),
        )

    @tool(READ_ONLY)
    def list_fast_memory(search_term: str | None = None) -> CallToolResult:
        """List saved queries, most used first, with their full params and body.

        search_term filters on description and path.
        Example: list_fast_memory("tickets")
        """
        return run("list_fast_memory", lambda: _saved().listing(rt.memory(), search_term))

    def ask_saved(query_id: int, params: Any = None, data: Any = None, dry_run: bool = False, **_: Any) -> str | None:
        return _saved().question(rt.memory(), rt.executor(), query_id, params, data, dry_run)

    @tool(REMOTE_CALL, ask=ask_saved)
    def run_saved_query(
        query_id: int,
        params: dict[str, Any] | str | None = None,
        data: dict[str, Any] | list[Any] | str | None = None,
        confirm: bool = False,
        dry_run: bool = False,
        person: Answer | None = None,  # what the user said when asked to confirm; not an argument
    ) -> CallToolResult:
        """Run a saved query by id; params override saved ones by name, data replaces the saved body.

        Goes through every check of execute_api_call (a DELETE asks the user) and counts the use;
        dry_run=true shows what would be sent and sends nothing.
        Example: run_saved_query(3, params={"pageSize": 50})
        """
        return run(
            "run_saved_query",
            lambda: _saved().run(rt.memory(), rt.executor(), query_id, params, data, confirm, dry_run, person),
        )

    @tool(LOCAL_DESTRUCTIVE)
    def delete_from_fast_memory(query_id: int) -> CallToolResult:
        """Delete one saved query by id (see list_fast_memory).

        Example: delete_from_fast_memory(3)
        """
        return run("delete_from_fast_memory", lambda: _saved().delete(rt.memory(), query_id))

    @tool(LOCAL_DESTRUCTIVE)
    def clear_fast_memory() -> CallToolResult:
        """Delete every saved query. Ask the user first: this cannot be undone.

        Example: clear_fast_memory()
        """
        return run("clear_fast_memory", lambda: _saved().clear(rt.memory()))

    return mcp


def _discovery() -> Any:
    from . import discovery

    return discovery


def _saved() -> Any:
    from . import saved_queries

    return saved_queries


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
