"""The send stage and the whole pipeline in-process: a stand-in client object, a stand-in memory, no network."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest

from cwm_gateway import audit, logs
from cwm_gateway.client import ApiError, ConnectionFailed, NotConfigured, Response
from cwm_gateway.execution import Executor, Policy, Request
from cwm_gateway.execution.facts import Facts
from cwm_gateway.execution.route import route
from cwm_gateway.execution.send import raise_for_status, send
from cwm_gateway.memory import FastMemoryError, SavedQuery
from cwm_gateway.results import ToolError
from cwm_gateway.server import run_tool

BASE = "https://cw.example/v4_6_release/apis/3.0"


def answer(body: Any = None, status: int = 200, link: str | None = None, raw: bytes | None = None, **headers: str):
    headers = {"content-type": "application/json", **{k.replace("_", "-"): v for k, v in headers.items()}}
    if link:
        headers["link"] = link
    data = raw if raw is not None else json.dumps(body).encode()
    return Response(status, headers, data, BASE, 1.0)


def next_link(query: str) -> str:
    return f'<{BASE}/service/tickets?{query}>; rel="next"'


class Client:
    """Answers in turn, and remembers what was asked."""

    def __init__(self, *answers: Response) -> None:
        self.answers = list(answers)
        self.sent: list[tuple[str, str, list[tuple[str, str]], Any, dict[str, str]]] = []

    def request(self, method: str, path: str, query: Any = None, body: Any = None, headers: Any = None) -> Response:
        self.sent.append((method, path, list(query or []), body, dict(headers or {})))
        if not self.answers:
            raise AssertionError(f"an unexpected request: {method} {path} {query}")
        return self.answers.pop(0)


@pytest.fixture(scope="module")
def facts(catalog) -> Facts:
    return Facts(catalog)


def routed(facts: Facts, method: str, path: str, body: Any = None, **query: str) -> Request:
    return route(Request(method, path, tuple(query.items()), body, body is not None), facts.catalog)


# -- send ---------------------------------------------------------------------------------


def test_all_pages_follows_next_links_up_to_max_items(facts: Facts) -> None:
    client = Client(
        answer([{"id": 1}, {"id": 2}], link=next_link("pageSize=2&page=2")),
        answer([{"id": 3}, {"id": 4}], link=next_link("pageSize=2&page=3")),
        answer([{"id": 5}, {"id": 6}], link=next_link("pageSize=2&page=4")),
    )
    request = routed(facts, "GET", "/service/tickets", pageSize="2", orderBy="id")
    sent = send(client, request, facts, all_pages=True, max_items=5)  # type: ignore[arg-type]
    assert [item["id"] for item in sent.items or []] == [1, 2, 3, 4, 5, 6] and sent.pages == 3
    assert [query for _, _, query, _, _ in client.sent] == [
        [("pageSize", "2"), ("orderBy", "id")],
        [("pageSize", "2"), ("page", "2")],
        [("pageSize", "2"), ("page", "3")],
    ]
    assert all("pagination-type" not in headers for *_, headers in client.sent)  # orderBy: numbered pages


def test_a_plain_list_is_paged_forward_only(facts: Facts) -> None:
    client = Client(answer([{"id": 1}], link=next_link("pageSize=1&pageId=1")), answer([]))
    sent = send(client, routed(facts, "GET", "/service/tickets", pageSize="1"), facts, True, 10)  # type: ignore[arg-type]
    assert all(headers == {"pagination-type": "forward-only"} for *_, headers in client.sent)
    assert sent.trail.forward_only and sent.trail.next_query is None and sent.pages == 2


def test_a_link_back_to_a_page_already_fetched_ends_paging(facts: Facts) -> None:
    """A next link naming the page just read (or an earlier one) would repeat the same records up to max_items."""
    same = Client(answer([{"id": 1}, {"id": 2}], link=next_link("pageSize=2&orderBy=id")))
    request = routed(facts, "GET", "/service/tickets", pageSize="2", orderBy="id")
    sent = send(same, request, facts, True, 1000)  # type: ignore[arg-type]
    assert len(same.sent) == 1 and sent.items == [{"id": 1}, {"id": 2}] and sent.trail.next_query is None
    back = Client(
        answer([{"id": 1}], link=next_link("orderBy=id&pageSize=1&page=2")),
        answer([{"id": 2}], link=next_link("orderBy=id&pageSize=1")),  # back to the first page, reordered
    )
    one = routed(facts, "GET", "/service/tickets", pageSize="1", orderBy="id")
    assert send(back, one, facts, True, 1000).items == [{"id": 1}, {"id": 2}]  # type: ignore[arg-type]
    assert len(back.sent) == 2


def test_a_single_answer_does_not_offer_itself_as_the_next_page(catalog) -> None:
    client = Client(answer([{"id": 1}], link=next_link("pageSize=1&orderBy=id")))
    result = executor(catalog, client).execute("/service/tickets", params={"pageSize": 1, "orderBy": "id"})
    assert result.data["next_page"] is None and "More records" not in result.text


@pytest.mark.parametrize(
    ("page", "words"),
    [
        (answer(raw=b""), "with an empty body: the answer was lost or cut off"),
        (answer({"id": 1}), "Expected a list of records while paging"),
        (answer(raw=b'[{"id": 1}'), "a page that is not readable JSON (cut off?)"),
    ],
)
def test_pages_that_cannot_be_records_stop_paging(facts: Facts, page: Response, words: str) -> None:
    request = routed(facts, "GET", "/service/tickets")
    with pytest.raises(ConnectionFailed, match=re.escape(words)):
        send(Client(page), request, facts, True, 10)  # type: ignore[arg-type]


def test_an_empty_answer_to_a_write_is_no_error(facts: Facts) -> None:
    request = routed(facts, "PATCH", "/service/tickets/1", [{"op": "replace", "path": "summary", "value": "x"}])
    assert send(Client(answer(raw=b"")), request, facts, False, 10).response.status == 200  # type: ignore[arg-type]


def test_a_redirect_is_an_error_naming_where_without_credentials() -> None:
    with pytest.raises(ApiError) as caught:
        raise_for_status(answer(raw=b"", status=302, location="https://user:pw@elsewhere.example/x"))
    assert caught.value.status == 302 and "elsewhere.example/x; it was not followed" in caught.value.message
    assert "pw" not in caught.value.message


def test_an_error_answer_is_read_and_our_secrets_redacted() -> None:
    logs.register_secret("echoed-private-key-123")
    body = {
        "code": "Busy",
        "message": "slow down echoed-private-key-123",
        "errors": [{"field": "echoed-private-key-123"}],
    }
    with pytest.raises(ApiError) as caught:
        raise_for_status(answer(body, status=429, retry_after="3"))
    error = caught.value
    assert (error.status, error.code, error.retry_after) == (429, "Busy", 3.0)
    assert "echoed-private-key-123" not in error.message + json.dumps(error.errors)


# -- the pipeline: audit and memory around the stages -------------------------------------------------


class Memory:
    """The few MemoryStore calls the pipeline makes."""

    def __init__(self, *saved: SavedQuery, broken: bool = False) -> None:
        self.saved = list(saved)
        self.used: list[int] = []
        self.broken = broken

    def best_for(self, method: str, template: str) -> SavedQuery | None:
        if self.broken:
            raise FastMemoryError("the store is locked")
        return next((q for q in self.saved if q.method == method and q.template == template), None)

    def list(self) -> list[SavedQuery]:
        return self.saved

    def record_use(self, query_id: int) -> None:
        if self.broken:
            raise FastMemoryError("the store is locked")
        self.used.append(query_id)


def saved(query_id: int, method: str, template: str, params: Any = None, data: Any = None) -> SavedQuery:
    return SavedQuery(query_id, f"saved {query_id}", method, template, template, params, data, "", None, 0)


@pytest.fixture
def audited(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    lines: list[tuple[Any, ...]] = []
    monkeypatch.setattr(audit, "record", lambda *entry: lines.append(entry))
    return lines


def executor(catalog, client: Client, memory: Memory | None = None) -> Executor:
    return Executor(catalog, lambda: _Settings(), Policy(), lambda *_: client, memory)  # type: ignore[arg-type]


class _Settings:
    profile = "unit"

    def get(self, name: str) -> None:
        return None


def test_a_bare_get_reuses_the_most_used_saved_params_and_counts_the_use(catalog) -> None:
    memory = Memory(saved(7, "GET", "/service/tickets", {"conditions": "closedFlag=false"}))
    client = Client(answer([{"id": 1}]))
    result = executor(catalog, client, memory).execute("/service/tickets")
    assert client.sent[0][2] == [("conditions", "closedFlag=false")]
    assert result.data["saved_query"] == {"id": 7, "description": "saved 7"} and memory.used == [7]
    assert 'Reused the parameters of saved query #7 (saved 7): {"conditions":"closedFlag=false"}.' in result.text
    assert "save_hint" not in result.data


def test_saved_params_that_no_longer_check_out_are_not_forced(catalog) -> None:
    memory = Memory(saved(8, "GET", "/service/tickets", {"conditions": "status/nam='x'"}))
    client = Client(answer([]))
    result = executor(catalog, client, memory).execute("/service/tickets")
    assert client.sent[0][2] == [] and "Saved query #8 was not reused" in result.text
    assert result.data["save_hint"].startswith('save_to_fast_memory(path="/service/tickets", method="GET"')


def test_memory_trouble_never_fails_a_call(catalog, caplog: pytest.LogCaptureFixture) -> None:
    broken = Memory(broken=True)
    assert not executor(catalog, Client(answer([])), broken).execute("/service/tickets").is_error
    entry = saved(9, "GET", "/service/tickets", {"pageSize": "1"})
    with caplog.at_level(logging.WARNING):
        result = executor(catalog, Client(answer([])), broken).run_saved(entry)
    assert result.data["saved_query"]["id"] == 9 and "could not count the use of saved query 9" in caplog.text


def test_a_write_without_a_body_names_a_saved_one(catalog) -> None:
    memory = Memory(saved(4, "POST", "/time/entries", data={"chargeToId": 1}))
    with pytest.raises(ToolError, match=r"Saved query #4 \(saved 4\) has one: run_saved_query\(4\)"):
        executor(catalog, Client(), memory).execute("/time/entries", "POST")


def test_writes_are_audited_with_how_they_ended(catalog, audited: list[tuple[Any, ...]]) -> None:
    body = {"summary": "x", "board": {"id": 1}}
    executor(catalog, Client(answer({"id": 5}, status=201))).execute("/service/tickets", "POST", data=body)
    with pytest.raises(ToolError):
        executor(catalog, Client(answer({"message": "no"}, status=400))).execute("/service/tickets", "POST", data=body)
    executor(catalog, Client(answer([]))).execute("/service/tickets")  # reads are not audited
    size = len(json.dumps(body, separators=(",", ":")))
    assert audited == [
        ("POST", "/service/tickets", "/service/tickets", 201, size, "ok", "unit"),
        ("POST", "/service/tickets", "/service/tickets", 400, size, "error", "unit"),
    ]


def test_a_transport_failure_is_audited_and_said(catalog, audited: list[tuple[Any, ...]]) -> None:
    class Lost(Client):
        def request(self, *args: Any, **kwargs: Any) -> Response:
            raise ConnectionFailed("The connection was reset.")

    with pytest.raises(ToolError) as caught:
        executor(catalog, Lost()).execute("/service/tickets/1", "DELETE", confirm=True)
    assert caught.value.details == {
        "status": None,
        "operation": "DELETE /service/tickets/{id}",
        "path": "/service/tickets/1",
        "suggestions": None,
        "hint": None,
    }
    assert audited[0][4:6] == (0, "failed: ConnectionFailed")


def test_credentials_that_are_not_set_up_are_said_for_the_operation(catalog) -> None:
    def missing(*_: Any) -> Any:
        raise NotConfigured("ConnectWise credentials are not set up (missing: private key).")

    runner = Executor(catalog, lambda: _Settings(), Policy(), missing)  # type: ignore[arg-type]
    with pytest.raises(ToolError) as caught:
        runner.execute("/service/boards")
    assert caught.value.result().data == {
        "error": "ConnectWise credentials are not set up (missing: private key).",
        "operation": "GET /service/boards",
    }


# -- the tool boundary --------------------------------------------------------------------------------


def test_run_tool_turns_a_tool_error_into_an_error_result_once(caplog: pytest.LogCaptureFixture) -> None:
    def refuse() -> Any:
        raise ToolError("No such thing.", suggestions=["a", "b"], hint="Try search.", status=404, operation="GET /x")

    result = run_tool("execute_api_call", refuse)
    assert result.is_error and result.content[0].text == "No such thing.\nDid you mean: a; b\nTry search."  # type: ignore[union-attr]
    assert result.structured_content == {
        "error": "No such thing.",
        "status": 404,
        "operation": "GET /x",
        "suggestions": ["a", "b"],
        "hint": "Try search.",
    }
    assert caplog.records == []  # anticipated: nothing logged as a failure


def test_run_tool_reports_a_bug_as_one_and_logs_it(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> Any:
        raise KeyError("oops")

    with caplog.at_level(logging.ERROR):
        result = run_tool("list_fast_memory", broken, banner="SANDBOX")
    assert result.is_error and result.content[0].text == (  # type: ignore[union-attr]
        "[SANDBOX]\nlist_fast_memory failed unexpectedly: KeyError: 'oops'"
    )
    assert result.structured_content["data_source"] == "SANDBOX"  # type: ignore[index]
    assert "tool list_fast_memory failed" in caplog.text and "Traceback" in caplog.text
