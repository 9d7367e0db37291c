"""Sending a call and reading ConnectWise's answer, over MCP stdio, against a misbehaving stand-in."""

from __future__ import annotations

import gzip
import json
import threading
import time
from pathlib import Path

import pytest

from conftest import CLIENT_ID, PRIVATE_KEY, PUBLIC_KEY, connectwise_env, gateway
from mcp_client import McpSession

WRITE = {"summary": "Once only", "board": {"id": 1}, "company": {"id": 251}}


@pytest.fixture(autouse=True)
def fresh(standin) -> None:
    standin.reset()


@pytest.fixture(scope="module")
def tight_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tight")


@pytest.fixture(scope="module")
def tight(standin, built_catalog: Path, tight_home: Path):
    """A gateway with small limits: 1 MB answers, 3 s to wait for ConnectWise."""
    env = connectwise_env(standin, CWM_MAX_RESPONSE_BYTES="1000000", CWM_TIMEOUT="3")
    with gateway(tight_home, built_catalog, env) as session:
        yield session


def api_requests(standin) -> list:
    return [r for r in standin.requests if "/apis/3.0" in r.path]


def audit_lines(home: Path) -> list[dict]:
    text = (home / "state" / "cwm-gateway" / "log" / "audit.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines()]


# -- writes answered with 429/503 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "code"),
    [("PUT", "/service/tickets/1001", 429), ("DELETE", "/service/tickets/1002", 503)],
)
def test_a_write_answered_429_or_503_keeps_its_status_and_message(
    cw: McpSession, standin, cw_home: Path, method: str, path: str, code: int
) -> None:
    body = {"code": "Busy", "message": "The API is busy right now"}
    standin.inject("status", code=code, body=body, headers={"Retry-After": "1"})
    data = WRITE if method == "PUT" else None
    result = cw.call("execute_api_call", path=path, method=method, data=data, confirm=True)
    assert result.is_error and result.data["status"] == code
    assert "The API is busy right now" in result.text and "Retry after 1 s" in result.text
    assert "not retried" in result.text and "ResponseError" not in result.text
    assert len(api_requests(standin)) == 1  # sent once
    last = audit_lines(cw_home)[-1]
    assert (last["method"], last["status"], last["outcome"]) == (method, code, "error")


# -- Retry-After and what "retried" means ---------------------------------------------------


@pytest.mark.parametrize("value", ["1.5", "nan", "-1", "soon"])
def test_an_odd_retry_after_still_lets_a_get_be_retried(cw: McpSession, standin, value: str) -> None:
    standin.inject("status", code=429, headers={"Retry-After": value})
    slept = len(cw.clock.sleeps)
    result = cw.call("execute_api_call", path="/service/boards")
    assert not result.is_error, result.text
    assert len(api_requests(standin)) == 2
    assert cw.clock.sleeps[slept:] == ([1.5] if value == "1.5" else [])  # a usable one is honoured, as a value


@pytest.mark.parametrize("value", ["nan", "-1", "inf"])
def test_an_unusable_retry_after_is_never_shown(cw: McpSession, standin, value: str) -> None:
    standin.inject("status", code=429, count=5, headers={"Retry-After": value})
    result = cw.call("execute_api_call", path="/service/boards")
    assert result.is_error and result.data["status"] == 429
    assert "retry_after" not in result.data
    assert "Retry after" not in result.text and "nan" not in result.text
    assert "retried 3 times" in result.text and result.data["attempts"] == 4 == len(api_requests(standin))


@pytest.mark.parametrize("code", [429, 503])
def test_a_get_sent_once_is_not_said_to_be_retried(cw: McpSession, standin, code: int) -> None:
    standin.inject("status", code=code, headers={"Retry-After": "120"})
    slept = len(cw.clock.sleeps)
    result = cw.call("execute_api_call", path="/service/boards")
    assert result.is_error and len(api_requests(standin)) == 1 and cw.clock.sleeps[slept:] == []
    assert "was retried" not in result.text and "sent once" in result.text and "Retry after 120 s" in result.text


def test_the_whole_call_keeps_to_its_deadline_waits_included(cw: McpSession, standin) -> None:
    """CWM_TIMEOUT=2, so CWM_DEADLINE is 4 s: a second wait of 3 s would pass it, so it is not made."""
    standin.inject("status", code=429, count=4, headers={"Retry-After": "3"})
    started, slept = time.monotonic(), len(cw.clock.sleeps)
    result = cw.call("execute_api_call", path="/service/boards")
    assert time.monotonic() - started < 4.5
    assert cw.clock.sleeps[slept:] == [3.0]  # one wait, as asked; the session's clock moved on 3 s
    assert result.is_error and result.data["status"] == 429 and result.data["attempts"] == 2
    assert "retried once" in result.text


# -- ConnectWise refusing a filter -------------------------------------------------------------


def test_a_rejected_filter_field_comes_back_with_the_fields_that_can_be_filtered(cw: McpSession, standin) -> None:
    standin.inject("status", code=400, body={"code": "InvalidObject", "message": "Cannot filter on field 'endDate'"})
    result = cw.call("execute_api_call", path="/service/tickets", params={"conditions": "closedFlag=false"})
    assert result.is_error and result.data["status"] == 400
    fields = result.data["filterable_fields"]
    assert {"closedFlag", "status/name", "board/id", "summary"} <= set(fields)
    assert "Fields it can filter on:" in result.text and "closedFlag" in result.text


# -- answers that cannot be handed on ----------------------------------------------------------


@pytest.mark.parametrize(
    "body", ["[" * 300 + "]" * 300, "[" * 100_000 + "]" * 100_000, '{"a":' * 300 + "1" + "}" * 300]
)
def test_a_deeply_nested_answer_costs_one_error_not_the_session(cw: McpSession, standin, body: str) -> None:
    standin.inject("status", code=200, body=body)
    result = cw.call("execute_api_call", path="/service/boards", timeout=20)
    assert result.is_error and "64 levels" in result.text
    assert not cw.call("execute_api_call", path="/service/priorities").is_error


def test_a_deeply_nested_error_body_costs_one_error_not_the_session(cw: McpSession, standin) -> None:
    standin.inject("status", code=400, body='{"message": "bad", "errors": ' + "[" * 300 + "]" * 300 + "}")
    result = cw.call("execute_api_call", path="/service/boards", timeout=20)
    assert result.is_error and result.data["status"] == 400
    assert not cw.call("list_api_categories").is_error


def test_a_lone_surrogate_in_an_answer_does_not_end_the_session(cw: McpSession, standin) -> None:
    standin.inject("status", code=200, body='[{"id": 1, "name": "bad \\ud800 text", "fine": "\\ud83d\\ude00"}]')
    result = cw.call("execute_api_call", path="/service/boards", timeout=20)
    assert not result.is_error
    assert result.data["data"][0]["fine"] == "\U0001f600" and "bad" in result.data["data"][0]["name"]
    assert not cw.call("list_api_categories").is_error


# -- incomplete and empty answers --------------------------------------------------------------


def test_an_answer_cut_short_is_an_error_not_an_empty_list(cw: McpSession, standin) -> None:
    standin.inject("status", code=200, count=2, body=b'[{"id": 1, "name": "Service Desk"}]', length=400)
    result = cw.call("execute_api_call", path="/service/boards")
    assert result.is_error and "cut off" in result.text and "0 items" not in result.text
    assert "tried 2 times" in result.text and len(api_requests(standin)) == 2
    assert not cw.call("execute_api_call", path="/service/boards").is_error


def test_a_get_cut_short_once_is_sent_again(cw: McpSession, standin) -> None:
    standin.inject("status", code=200, body=b'[{"id": 1, "name": "Service Desk"}]', length=400)
    result = cw.call("execute_api_call", path="/service/boards")
    assert not result.is_error and result.data["item_count"] == 6
    assert len(api_requests(standin)) == 2


def test_a_write_cut_short_is_not_sent_again(cw: McpSession, standin) -> None:
    standin.inject("status", code=201, body=b'{"id": 9999, "summary": "Once only"}', length=400)
    result = cw.call("execute_api_call", path="/service/tickets", method="POST", data=WRITE)
    assert result.is_error and "cut off" in result.text and "not retried" in result.text
    assert len(api_requests(standin)) == 1


def test_an_empty_answer_to_a_get_is_an_error_and_the_next_call_is_not_confused(cw: McpSession, standin) -> None:
    standin.inject("status", code=200, body=b'[{"id": 1, "name": "left on the line"}]', length=0)
    result = cw.call("execute_api_call", path="/service/boards")
    assert result.is_error and "empty" in result.text and "0 items" not in result.text
    after = cw.call("execute_api_call", path="/service/boards")
    assert not after.is_error and after.data["item_count"] > 1


def test_an_empty_answer_while_paging_is_an_error(cw: McpSession, standin) -> None:
    first = cw.call("execute_api_call", path="/service/tickets", params={"pageSize": 10, "orderBy": "id"})
    assert not first.is_error
    standin.inject("status", code=200, body=b"", length=0)
    result = cw.call("execute_api_call", path="/service/tickets", params=first.data["next_page"])
    assert result.is_error and "empty" in result.text


# -- bounded reading --------------------------------------------------------------------------


def test_an_answer_over_the_byte_limit_is_refused_and_says_so(tight: McpSession, standin) -> None:
    standin.inject("status", code=200, body=[{"id": n, "name": "x" * 200} for n in range(10_000)])  # ~2.3 MB
    result = tight.call("execute_api_call", path="/service/boards")
    assert result.is_error and "CWM_MAX_RESPONSE_BYTES" in result.text and "1,000,000" in result.text
    assert not tight.call("execute_api_call", path="/service/boards").is_error


def test_a_compression_bomb_is_stopped_at_the_byte_limit(tight: McpSession, standin) -> None:
    bomb = gzip.compress(b"[" + b"0," * 25_000_000 + b"0]", compresslevel=9)  # 50 MB from ~50 KB
    standin.inject("status", code=200, body=bomb, headers={"Content-Encoding": "gzip"})
    result = tight.call("execute_api_call", path="/service/boards")
    assert result.is_error and "CWM_MAX_RESPONSE_BYTES" in result.text and "decompressed" in result.text
    assert not tight.call("execute_api_call", path="/service/boards").is_error


def test_a_trickling_answer_ends_at_cwm_timeout(tight: McpSession, standin) -> None:
    body = json.dumps([{"id": n, "name": f"board {n}"} for n in range(12)]).encode()  # ~300 bytes: 37 s at 12 B/1.5 s
    standin.inject("status", code=200, body=body, drip=(12, 1.5))
    started = time.monotonic()
    result = tight.call("execute_api_call", path="/service/boards", timeout=60)
    assert time.monotonic() - started < 6
    assert result.is_error and "CWM_TIMEOUT" in result.text and "3 s" in result.text


def test_hostile_link_headers_and_error_pages_are_read_in_linear_time(cw: McpSession, standin) -> None:
    standin.inject("status", code=200, body="[]", headers={"Link": "<" * 60_000})
    standin.inject("status", code=500, body="<html><title " + "<title " * 16_000, headers={"Content-Type": "text/html"})
    standin.inject("status", code=400, body="<html><body>" + "<b" * 56_000, headers={"Content-Type": "text/html"})
    started = time.monotonic()
    linked = cw.call("execute_api_call", path="/service/boards", timeout=60)
    page = cw.call("execute_api_call", path="/service/tickets", method="POST", data=WRITE, timeout=60)
    tags = cw.call("execute_api_call", path="/service/tickets", method="POST", data=WRITE, timeout=60)
    assert time.monotonic() - started < 3
    assert not linked.is_error and linked.data["next_page"] is None
    assert page.is_error and page.data["status"] == 500 and "HTML page" in page.text
    assert tags.is_error and tags.data["status"] == 400 and len(tags.text) < 1000


def test_other_calls_go_on_while_an_answer_is_read(cw: McpSession, standin) -> None:
    standin.inject("status", code=200, body="[]", headers={"Link": "<" * 60_000})
    slow = threading.Thread(target=lambda: cw.call("execute_api_call", path="/service/boards", timeout=60))
    slow.start()
    time.sleep(0.2)  # the answer is being read
    started = time.monotonic()
    assert not cw.call("list_api_categories").is_error
    assert time.monotonic() - started < 1.5
    slow.join()


# -- our secrets, echoed by anyone -------------------------------------------------------------


def test_credentials_echoed_by_connectwise_are_not_returned(cw: McpSession, standin) -> None:
    echo = f"bad header Authorization: {standin.authorization}; clientId: {CLIENT_ID}; key {PRIVATE_KEY}"
    standin.inject("status", code=400, body={"code": "InvalidObject", "message": echo})
    error = cw.call("execute_api_call", path="/service/boards")
    escaped = standin.authorization.replace("/", "\\/").replace("+", "\\u002B")
    standin.inject("status", code=200, body='[{"id": 1, "note": "' + escaped + " " + PUBLIC_KEY + '"}]')
    echoed = cw.call("execute_api_call", path="/service/boards")
    token = standin.authorization.split()[1]
    for result in (error, echoed):
        everything = result.text + json.dumps(result.data)
        for secret in (token, CLIENT_ID, PRIVATE_KEY, PUBLIC_KEY):
            assert secret not in everything
        assert "***" in everything
    assert error.is_error and "bad header" in error.text


def test_a_url_with_user_info_is_refused_without_echoing_it(built_catalog: Path, tmp_path: Path, standin) -> None:
    env = connectwise_env(standin)
    env["CONNECTWISE_API_URL"] = standin.base_url.replace("http://", "http://admin:hunter2-secret@")
    with gateway(tmp_path, built_catalog, env) as session:
        result = session.call("execute_api_call", path="/service/boards")
        assert result.is_error and "CONNECTWISE_API_URL" in result.text
        assert "hunter2" not in result.text + json.dumps(result.data)
    assert api_requests(standin) == []
    for file in tmp_path.rglob("*"):
        if file.is_file():
            assert "hunter2" not in file.read_text(errors="ignore"), file


def test_a_client_id_that_cannot_be_sent_is_named_not_shown(built_catalog: Path, tmp_path: Path, standin) -> None:
    env = connectwise_env(standin, CONNECTWISE_CLIENT_ID=f"{CLIENT_ID}\n\tX")
    with gateway(tmp_path / "bad", built_catalog, env) as session:
        result = session.call("execute_api_call", path="/service/boards")
        assert result.is_error and "CONNECTWISE_CLIENT_ID" in result.text
        assert CLIENT_ID not in result.text + json.dumps(result.data)
    for file in (tmp_path / "bad").rglob("*"):
        if file.is_file():
            assert CLIENT_ID not in file.read_text(errors="ignore"), file
    pasted = connectwise_env(standin, CONNECTWISE_CLIENT_ID=f" {CLIENT_ID}\r\n")  # a paste's line break
    with gateway(tmp_path / "pasted", built_catalog, pasted) as session:
        assert not session.call("execute_api_call", path="/service/boards").is_error
