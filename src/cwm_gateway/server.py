"""The MCP server: tool names, their descriptions, and the wiring to the modules that do the work."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, TextContent, ToolAnnotations

from . import __version__, discovery
from .catalog.store import CatalogError
from .results import Result, error
from .runtime import Runtime

log = logging.getLogger(__name__)

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
LOCAL_WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)
LOCAL_DESTRUCTIVE = ToolAnnotations(read_only_hint=False, destructive_hint=True, open_world_hint=False)
REMOTE_CALL = ToolAnnotations(read_only_hint=False, destructive_hint=True, open_world_hint=True)

INSTRUCTIONS = """\
Gateway to the ConnectWise Manage (PSA) REST API: about 3,000 operations.
Typical flow: natural_language_api_search("what the user wants") -> get_api_endpoint_details(path, method)
-> execute_api_call(path, method, params, data). Saved queries: list_fast_memory / run_saved_query.
"""


def to_call_result(result: Result) -> CallToolResult:
    text = result.text
    if result.notes:
        text = "\n".join([text, *result.notes])
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=result.data,
        is_error=result.is_error,
    )


def run(tool: str, action: Callable[[], Result]) -> CallToolResult:
    """Run a tool body; whatever goes wrong becomes an isError result, never a crash."""
    try:
        return to_call_result(action())
    except CatalogError as exc:
        return to_call_result(error(str(exc)))
    except Exception as exc:
        log.exception("tool %s failed", tool)
        return to_call_result(error(f"{tool} failed unexpectedly: {type(exc).__name__}: {exc}"))


def not_available(tool: str) -> CallToolResult:
    return to_call_result(error(f"{tool} is not available yet in this version of cwm-gateway."))


def _registrar(mcp: MCPServer[Any]) -> Callable[[ToolAnnotations], Callable[[Callable[..., Any]], Any]]:
    """``@tool(annotations)``: registers with the docstring dedented, as the assistant reads it."""

    def tool(annotations: ToolAnnotations) -> Callable[[Callable[..., Any]], Any]:
        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            mcp.add_tool(fn, description=inspect.cleandoc(fn.__doc__ or ""), annotations=annotations)
            return fn

        return register

    return tool


def build_server(runtime: Runtime | None = None) -> MCPServer[Any]:
    rt = runtime or Runtime()
    mcp: MCPServer[Any] = MCPServer(name="cwm-gateway", version=__version__, instructions=INSTRUCTIONS)
    tool = _registrar(mcp)

    @tool(READ_ONLY)
    def search_api_endpoints(query: str, max_results: int = 10) -> CallToolResult:
        """Keyword search over ConnectWise Manage operations (paths, summaries, categories, fields).

        Precise: best when you know the API's own words. Returns ranked operations with
        method, path, summary, category and score.
        Example: search_api_endpoints("ticket notes") -> GET /service/tickets/{parentId}/notes
        """
        return run("search_api_endpoints", lambda: discovery.search_endpoints(rt.searcher(), query, max_results))

    @tool(READ_ONLY)
    def natural_language_api_search(query: str, max_results: int = 5) -> CallToolResult:
        """Find the operation for a request in plain words; forgiving of synonyms and typos.

        Understands intent: "create ..." ranks POST, "close ticket 12" PATCH/PUT, "how many ..." /count.
        Start here when unsure which endpoint fits.
        Example: natural_language_api_search("log 1.5 hours on ticket 4521")
        """
        return run(
            "natural_language_api_search",
            lambda: discovery.natural_language_search(rt.searcher(), query, max_results),
        )

    @tool(READ_ONLY)
    def list_api_categories() -> CallToolResult:
        """List every API category (the definition's tags) with its number of operations.

        Example: list_api_categories() -> {"categories": [{"name": "Tickets", "endpoint_count": 28}, ...]}
        """
        return run("list_api_categories", lambda: discovery.list_categories(rt.catalog()))

    @tool(READ_ONLY)
    def get_category_endpoints(category: str, max_results: int = 20) -> CallToolResult:
        """List the operations in one category; the name matches case-insensitively.

        Example: get_category_endpoints("tickets") -> the 28 operations of category Tickets
        """
        return run(
            "get_category_endpoints",
            lambda: discovery.category_endpoints(rt.catalog(), category, max_results),
        )

    @tool(READ_ONLY)
    def get_api_endpoint_details(path: str, method: str = "GET") -> CallToolResult:
        """Parameters, body fields (types, required, maxLength, enums) and response of one operation.

        Accepts a template or a concrete path; for lists it also names the fields usable in
        conditions, orderBy and fields.
        Example: get_api_endpoint_details("/service/tickets/4521", "PATCH")
        """
        return run("get_api_endpoint_details", lambda: discovery.endpoint_details(rt.catalog(), path, method))

    @tool(REMOTE_CALL)
    def execute_api_call(
        path: str,
        method: str = "GET",
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | list[Any] | None = None,
    ) -> CallToolResult:
        """Call a ConnectWise Manage operation.

        Example: execute_api_call("/service/tickets", params={"conditions": "closedFlag=false"})
        """
        return not_available("execute_api_call")

    @tool(REMOTE_CALL)
    def send_raw_api_request(raw_request: str) -> CallToolResult:
        """Send a raw request written as "METHOD /path?query [JSON body]".

        Example: send_raw_api_request("GET /service/boards?pageSize=5")
        """
        return not_available("send_raw_api_request")

    @tool(LOCAL_WRITE)
    def save_to_fast_memory(
        path: str,
        method: str,
        description: str,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | list[Any] | None = None,
    ) -> CallToolResult:
        """Save a working API query for reuse.

        Example: save_to_fast_memory("/service/tickets", "GET", "open tickets", {"conditions": "closedFlag=false"})
        """
        return not_available("save_to_fast_memory")

    @tool(READ_ONLY)
    def list_fast_memory(search_term: str | None = None) -> CallToolResult:
        """List saved queries.

        Example: list_fast_memory("tickets")
        """
        return not_available("list_fast_memory")

    @tool(LOCAL_DESTRUCTIVE)
    def delete_from_fast_memory(query_id: int) -> CallToolResult:
        """Delete one saved query by id.

        Example: delete_from_fast_memory(3)
        """
        return not_available("delete_from_fast_memory")

    @tool(LOCAL_DESTRUCTIVE)
    def clear_fast_memory() -> CallToolResult:
        """Delete every saved query.

        Example: clear_fast_memory()
        """
        return not_available("clear_fast_memory")

    return mcp


def serve() -> None:
    build_server().run("stdio")
