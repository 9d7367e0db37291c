"""The answer stage and ConnectWise's errors in words, as plain functions over made-up answers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cwm_gateway import logs
from cwm_gateway.client import ApiError, Response
from cwm_gateway.execution import Options, Request
from cwm_gateway.execution.answer import Shown, answer, call_lines, cut_words, next_page_words
from cwm_gateway.execution.facts import Facts
from cwm_gateway.execution.failure import api_error, retries_said, status_words
from cwm_gateway.execution.paging import Page, Trail, page_hint
from cwm_gateway.execution.route import route
from cwm_gateway.execution.send import Sent
from cwm_gateway.results import ToolError, field_lines


@pytest.fixture(scope="module")
def facts(catalog) -> Facts:
    return Facts(catalog)


def response(body: Any, status: int = 200, link: str | None = None, raw: bytes | None = None) -> Response:
    headers = {"content-type": "application/json"}
    if link:
        headers["link"] = link
    data = raw if raw is not None else json.dumps(body).encode()
    return Response(status, headers, data, "https://cw.example/v4_6_release/apis/3.0/x", 1.0)


def routed(facts: Facts, method: str, path: str, **query: str) -> Request:
    return route(Request(method, path, tuple(query.items())), facts.catalog)


def tickets(count: int, start: int = 1) -> list[dict[str, Any]]:
    return [{"id": n, "summary": f"ticket {n}", "_info": {"updatedBy": "x"}} for n in range(start, start + count)]


# -- words -------------------------------------------------------------------------------


def test_headlines_say_what_came_back() -> None:
    listed = {"status": 200, "operation": "GET /service/tickets", "path": "/service/tickets", "item_count": 25}
    assert call_lines({**listed, "pages_fetched": 3}) == ["200: 25 items from GET /service/tickets across 3 pages."]
    assert call_lines({**listed, "pages_fetched": 1}) == ["200: 25 items from GET /service/tickets."]
    assert call_lines(listed) == ["200: 25 items from GET /service/tickets."]
    delete = {"status": 204, "operation": "DELETE /service/tickets/{id}", "path": "/service/tickets/5", "data": None}
    assert call_lines(delete) == ["204: DELETE /service/tickets/5 done (no content)."]
    assert call_lines({**delete, "status": 200, "data": {"id": 5}}) == ["200: DELETE /service/tickets/5."]


def shown(count: int | None, kept: int | None, truncated: bool = False, omitted: list[str] | None = None) -> Shown:
    return Shown([], "[]", count, kept, None, truncated, omitted or [])


def test_cut_words_say_why_records_or_values_are_missing() -> None:
    assert cut_words(shown(10, 10), 5000) == []
    assert cut_words(shown(10, 4, truncated=True), 5000) == [
        "Showing 4 of 10 items to stay under 5000 characters; narrow with conditions or fields=..., "
        "or page with pageSize."
    ]
    assert cut_words(shown(10, 8), 5000) == [
        "Showing 8 of 10 items so that next_page starts right after the last one shown."
    ]
    assert cut_words(shown(None, None, truncated=True, omitted=["notes"]), 10) == ["Large values were left out: notes."]


def test_next_page_words_give_the_exact_call() -> None:
    hint = {"conditions": "id>1", "page": 2, "pageSize": 5}
    assert next_page_words(hint, shown(5, 5), False, False, False) == [
        'More records: call again with params {"conditions":"id>1","page":2,"pageSize":5}, or all_pages=true.'
    ]
    assert next_page_words(hint, shown(5, 5), False, True, True) == [
        'More records: call again with params {"conditions":"id>1","page":2,"pageSize":5} and the same data.'
    ]
    assert next_page_words(None, shown(10, 4), True, False, False) == [
        "No next_page: these records carry no id to resume after; include id in fields."
    ]
    assert next_page_words(None, shown(10, 4), False, False, False) == []
    assert next_page_words(None, shown(10, 10), True, False, False) == []


def test_page_hints_keep_the_call_and_replace_its_paging() -> None:
    params = {"conditions": "x", "PAGE": "1", "pagesize": "10", "pageId": "3"}
    assert page_hint({"page": 2, "pageSize": 10}, params) == {"conditions": "x", "page": 2, "pageSize": 10}
    assert page_hint({"pageId": 40}, params) == {"conditions": "x", "pagesize": 10, "pageId": 40}
    assert page_hint(None, params) is None


# -- a whole answer ------------------------------------------------------------------------


def test_a_list_answer_is_lean_and_offers_the_next_page(facts: Facts) -> None:
    request = routed(facts, "GET", "/service/tickets", pageSize="5", orderBy="id")
    link = '<https://cw.example/v4_6_release/apis/3.0/service/tickets?pageSize=5&orderBy=id&page=2>; rel="next"'
    answered = answer(request, Sent(response(tickets(5), link=link), None, Trail(False)), Options(), 50_000)
    result = answered.result()
    assert result.data["item_count"] == 5 and result.data["truncated"] is False
    assert result.data["next_page"] == {"pageSize": 5, "orderBy": "id", "page": 2}
    assert "_info" not in json.dumps(result.data["data"]) and "pages_fetched" not in result.data
    step = 'More records: call again with params {"orderBy":"id","pageSize":5,"page":2}, or all_pages=true.'
    assert result.data["next_step"] == step
    assert result.data["notes"] == ["(_info metadata removed; include_info=true keeps it)"]
    assert result.text.splitlines()[:3] == ["200: 5 items from GET /service/tickets.", *result.data["notes"], step]
    assert result.text.endswith(json.dumps(result.data["data"], separators=(",", ":")))


def test_an_answer_over_the_size_cap_is_cut_where_next_page_resumes(facts: Facts) -> None:
    request = routed(facts, "GET", "/service/tickets", pageSize="10", page="1")
    sent = Sent(response(tickets(10)), None, Trail(False))
    data = answer(request, sent, Options(), 120).data
    assert data["truncated"] is True and data["items_shown"] == len(data["data"]) < 10
    assert data["next_page"] == {"pageSize": data["items_shown"], "page": 2}


def test_all_pages_stopped_at_max_items_says_so(facts: Facts) -> None:
    request = routed(facts, "GET", "/service/tickets", pageSize="5")
    trail = Trail(True, [Page((("pageSize", "5"),), 5, (("pageSize", "5"), ("pageId", "5")))])
    options = Options(all_pages=True, max_items=3)
    answered = answer(request, Sent(response([]), tickets(5), trail), options, 50_000)
    assert answered.data["item_count"] == 3 and answered.data["truncated"] is True
    assert answered.data["pages_fetched"] == 1 and answered.data["next_page"] == {"pageSize": 5, "pageId": 3}
    assert "Stopped at max_items=3; more records exist." in answered.data["notes"]


def test_include_info_keeps_metadata(facts: Facts) -> None:
    request = routed(facts, "GET", "/service/tickets/{id}", id="1")
    answered = answer(request, Sent(response(tickets(1)[0]), None, Trail(False)), Options(include_info=True), 50_000)
    assert answered.data["data"]["_info"] == {"updatedBy": "x"} and answered.data["item_count"] is None
    assert "notes" not in answered.data  # nothing was removed, so nothing to say


def test_our_secrets_are_never_shown(facts: Facts) -> None:
    logs.register_secret("s3cret-value-in-an-answer")
    request = routed(facts, "GET", "/service/tickets/{id}", id="1")
    body = {"id": 1, "summary": "echo s3cret-value-in-an-answer"}
    answered = answer(request, Sent(response(body), None, Trail(False)), Options(), 50_000)
    assert "s3cret" not in answered.result().text and "s3cret" not in json.dumps(answered.data)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b'[{"id": 1', "the body is not readable JSON"),
        (b"[" * 5000 + b"]" * 5000, "nests deeper than 64 levels, more than can be handed on"),
    ],
)
def test_an_answer_that_cannot_be_read_is_an_error_with_its_status(facts: Facts, raw: bytes, words: str) -> None:
    request = routed(facts, "GET", "/service/tickets")
    with pytest.raises(ToolError) as caught:
        answer(request, Sent(response(None, raw=raw), None, Trail(False)), Options(), 50_000)
    assert words in caught.value.message and caught.value.details["status"] == 200


# -- errors in words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "method", "attempts", "retry_after", "words"),
    [
        (401, "GET", 1, None, "ConnectWise rejected the keys (401). The username is CONNECTWISE_COMPANY_ID"),
        (403, "GET", 1, None, "ConnectWise refused GET /service/tickets (403): the API member's security role"),
        (404, "GET", 1, None, "Not found (404): Nope (/service/tickets)."),
        (429, "GET", 3, 2.0, "ConnectWise is rate limiting (429): Nope. Retry after 2 s. GET was retried twice"),
        (503, "POST", 1, None, "ConnectWise server error (503): Nope. It was not retried: a write is sent once."),
        (400, "POST", 1, None, "ConnectWise rejected POST /service/tickets (400 InvalidObject): Nope."),
    ],
)
def test_each_status_has_its_sentence(
    facts: Facts, status: int, method: str, attempts: int, retry_after: float | None, words: str
) -> None:
    request = routed(facts, method, "/service/tickets")
    exc = ApiError(status, "Nope.", "InvalidObject", [], retry_after, attempts)
    assert status_words(request, exc).startswith(words)


def test_retries_are_said_as_they_happened() -> None:
    assert (
        retries_said("GET", ApiError(503, "x", attempts=4)) == " GET was retried 3 times with backoff before giving up."
    )
    assert retries_said("GET", ApiError(503, "x", attempts=2)) == " GET was retried once with backoff before giving up."
    assert retries_said("GET", ApiError(500, "x")) == ""
    assert retries_said("GET", ApiError(429, "x", retry_after=60)) == (
        " It was sent once: waiting over 10 s is left to you."
    )
    assert "no time was left before the call's deadline" in retries_said("GET", ApiError(503, "x"))


def test_field_errors_follow_the_message_one_a_line(facts: Facts) -> None:
    errors = [{"field": "board", "message": "Board is required"}, {"code": "Missing"}, "odd"]
    assert field_lines(errors) == ["- board: Board is required", "- Missing"]
    request = routed(facts, "POST", "/service/tickets")
    error = api_error(request, ApiError(400, "Invalid.", "InvalidObject", errors), facts).result()
    assert error.text == "ConnectWise rejected POST /service/tickets (400 InvalidObject): Invalid.\n" + "\n".join(
        field_lines(errors)
    )
    assert list(error.data) == ["error", "status", "operation", "path", "code", "errors"]


def test_a_rejected_filter_field_brings_the_fields_that_can_be_filtered(facts: Facts) -> None:
    request = routed(facts, "GET", "/service/tickets", conditions="sumary='x'")
    exc = ApiError(400, "Cannot filter on field 'sumary'.", "InvalidFilter", [])
    error = api_error(request, exc, facts).result()
    assert error.data["suggestions"][0] == "summary" and "summary" in error.data["filterable_fields"]
    assert error.data["hint"].startswith("ConnectWise does not accept 'sumary' there. Fields it can filter on:")
    assert error.data["hint"] in error.text.splitlines()  # what the text says, the data carries
    assert error.text.splitlines()[1].startswith("Did you mean: summary")
