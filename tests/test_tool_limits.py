"""Argument limits of the discovery and fast-memory tools, over stdio: clear errors, never a stalled server."""

from __future__ import annotations

import time

import pytest

LONG = 100_000  # far past any real request; searching it used to take seconds and hold the server

TOO_LONG = [
    ("search_api_endpoints", {"query": "ticket " * (LONG // 7)}),
    ("natural_language_api_search", {"query": "open tickets " * (LONG // 13)}),
    ("list_fast_memory", {"search_term": "x" * LONG}),
    ("get_category_endpoints", {"category": "Tickets" * (LONG // 7)}),
    ("get_api_endpoint_details", {"path": "/service/tickets/" + "a" * LONG}),
]


@pytest.mark.parametrize(("tool", "arguments"), TOO_LONG, ids=[t for t, _ in TOO_LONG])
def test_overlong_text_is_refused_quickly_and_not_echoed(server, tool: str, arguments: dict) -> None:
    started = time.monotonic()
    result = server.call(tool, **arguments)
    elapsed = time.monotonic() - started
    assert result.is_error, result.text[:300]
    name = next(iter(arguments))
    assert f"{name} is " in result.text and "the limit is 500" in result.text
    assert len(result.text) < 1_000  # the 100,000 characters are not sent back
    assert elapsed < 5
    assert not server.call("search_api_endpoints", query="ticket notes").is_error


def test_text_up_to_the_limit_still_works(server) -> None:
    query = ("open service tickets for a company " * 20)[:500]
    result = server.call("natural_language_api_search", query=query)
    assert not result.is_error, result.text
    assert result.data["results"]


@pytest.mark.parametrize("value", [-5, 0, 10_000])
def test_max_results_outside_the_range_names_it(server, value: int) -> None:
    for tool, arguments, high in (
        ("search_api_endpoints", {"query": "tickets"}, 50),
        ("natural_language_api_search", {"query": "tickets"}, 50),
        ("get_category_endpoints", {"category": "Tickets"}, 500),
    ):
        result = server.call(tool, max_results=value, **arguments)
        assert result.is_error, f"{tool}: {result.text[:200]}"
        assert f"max_results must be from 1 to {high}" in result.text
        assert result.data["allowed_range"] == [1, high]


def test_max_results_at_the_top_of_the_range_works(server) -> None:
    result = server.call("search_api_endpoints", query="tickets", max_results=50)
    assert not result.is_error
    assert len(result.data["results"]) == 50


@pytest.mark.parametrize("query_id", [2**63, 2**70, -1, 0])
def test_query_ids_outside_sqlites_range_are_a_clear_error(server, query_id: int) -> None:
    for tool in ("run_saved_query", "delete_from_fast_memory"):
        result = server.call(tool, query_id=query_id)
        assert result.is_error
        assert "unexpectedly" not in result.text
        assert "query_id must be a whole number from 1 to 9223372036854775807" in result.text
        assert "list_fast_memory" in result.text
    largest = server.call("run_saved_query", query_id=2**63 - 1)  # in range: simply not there
    assert largest.is_error and "no saved query" in largest.text
