"""The catalog tools: finding the operation and reading its definition."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..results import Result
from . import READ_LOCAL, Call, Spec
from .args import Method, Path, bounded, text
from .schemas import shape

Query = Annotated[str, Field(description="A few words.")]


def search_api_endpoints(
    call: Call, query: Query, max_results: Annotated[int, bounded("How many.", 1, 50)] = 10
) -> Result:
    """Keyword search of operations, in the API's own words.
    Example: search_api_endpoints("ticket notes")
    """
    from .. import discovery

    return discovery.search_endpoints(call.runtime.searcher(), query, max_results)


def natural_language_api_search(
    call: Call, query: Query, max_results: Annotated[int, bounded("How many.", 1, 50)] = 5
) -> Result:
    """Find the operation for a request in plain words; start here.
    Example: natural_language_api_search("log 1.5 hours on ticket 4521")
    """
    from .. import discovery

    return discovery.natural_language_search(call.runtime.searcher(), query, max_results)


def list_api_categories(
    call: Call,
    group: Annotated[str | None, text("e.g. service")] = None,
) -> Result:
    """The API's groups with their counts; with group, its categories.
    Example: list_api_categories(group="service")
    """
    from .. import discovery

    return discovery.list_categories(call.runtime.catalog(), group)


def get_category_endpoints(
    call: Call,
    category: Annotated[str, Field(description="e.g. Tickets")],
    max_results: Annotated[int, bounded("How many.", 1, 500)] = 20,
) -> Result:
    """The operations of one category.
    Example: get_category_endpoints("Tickets")
    """
    from .. import discovery

    return discovery.category_endpoints(call.runtime.catalog(), category, max_results)


def get_api_endpoint_details(call: Call, path: Path, method: Method = "GET") -> Result:
    """Parameters, body fields and response of one operation; for lists, the fields usable in conditions.
    Example: get_api_endpoint_details("/service/tickets/4521", "PATCH")
    """
    from .. import discovery

    return discovery.endpoint_details(call.runtime.catalog(), path, method)


_FOUND = shape(results="array")

SPECS = [
    Spec(search_api_endpoints, "Search API endpoints", READ_LOCAL, _FOUND),
    Spec(natural_language_api_search, "Find an API operation", READ_LOCAL, _FOUND),
    Spec(
        list_api_categories,
        "List API categories",
        READ_LOCAL,
        shape(groups="array", categories="array"),
    ),
    Spec(get_category_endpoints, "List category operations", READ_LOCAL, _FOUND),
    Spec(
        get_api_endpoint_details,
        "Get operation details",
        READ_LOCAL,
        shape(path="string"),
    ),
]
