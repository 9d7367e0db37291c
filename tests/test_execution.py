"""execute_api_call and send_raw_api_request over MCP stdio, against the ConnectWise stand-in."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from conftest import CLIENT_ID, COMPANY, PRIVATE_KEY, PUBLIC_KEY, connectwise_env, gateway
from mcp_client import McpSession


@pytest.fixture(autouse=True)
def fresh(standin) -> None:
    standin.reset()  # fresh sample data, no faults, an empty request log: no test sees another's


def api_requests(standin) -> list:
    return [r for r in standin.requests if "/apis/3.0" in r.path]


# -- reading -------------------------------------------------------------------


def test_list_call_sends_connectwise_auth_and_returns_lean_data(cw: McpSession, standin) -> None:
    result = cw.call(
        "execute_api_call",
        path="/service/tickets",
        params={"conditions": "closedFlag=false", "orderBy": "id", "pageSize": 5},
    )
    assert not result.is_error, result.text
    assert result.data["status"] == 200
    assert result.data["item_count"] == 5 and len(result.data["data"]) == 5
    assert result.data["next_page"] == {"conditions": "closedFlag=false", "orderBy": "id", "page": 2, "pageSize": 5}
    assert all(not ticket["closedFlag"] for ticket in result.data["data"])
    assert "_info" not in json.dumps(result.data["data"])
    sent = api_requests(standin)[-1]
    token = base64.b64encode(f"{COMPANY}+{PUBLIC_KEY}:{PRIVATE_KEY}".encode()).decode()
    assert sent.authorized and standin.authorization == f"Basic {token}"
    assert sent.headers["clientid"] == CLIENT_ID
    assert sent.headers["accept"] == "application/vnd.connectwise.com+json; version=2022.1"
    assert sent.headers["user-agent"].startswith("cwm-gateway/")
    assert "save_to_fast_memory(" in result.data["save_hint"]


def test_include_info_keeps_metadata(cw: McpSession) -> None:
    result = cw.call("execute_api_call", path="/service/tickets/1001", include_info=True)
    assert "_info" in result.data["data"]


def test_concrete_and_template_paths_reach_the_same_record(cw: McpSession) -> None:
    concrete = cw.call("execute_api_call", path="/service/tickets/1002")
    template = cw.call("execute_api_call", path="/service/tickets/{id}", params={"id": 1002})
    assert concrete.data["data"] == template.data["data"]
    assert template.data["path"] == "/service/tickets/1002"
    missing = cw.call("execute_api_call", path="/service/tickets/{id}")
    assert missing.is_error and "{id}" in missing.text


def test_query_params_stay_on_the_url_for_post_searches(cw: McpSession, standin) -> None:
    result = cw.call(
        "execute_api_call",
        path="/service/tickets/search",
        method="POST",
        params={"pageSize": 7},
        data={"conditions": "closedFlag=false"},
    )
    assert not result.is_error, result.text
    assert api_requests(standin)[-1].query["pageSize"] == "7"
    assert result.data["item_count"] == 7


def test_raw_request_conditions_arrive_intact(cw: McpSession, standin) -> None:
    raw = "get /service/tickets?conditions=status/name='New' and closedFlag=false&pageSize=3"
    result = cw.call("send_raw_api_request", raw_request=raw)
    assert not result.is_error, result.text
    sent = api_requests(standin)[-1]
    assert sent.query == {"conditions": "status/name='New' and closedFlag=false", "pageSize": "3"}
    assert all(t["status"]["name"] == "New" for t in result.data["data"])


def test_raw_request_values_already_encoded_are_not_encoded_twice(cw: McpSession, standin) -> None:
    cw.call("send_raw_api_request", raw_request="GET /company/companies?conditions=name%20like%20%27T%25%27")
    assert api_requests(standin)[-1].query["conditions"] == "name like 'T%'"


def test_raw_request_with_body_and_date_conditions(cw: McpSession, standin) -> None:
    result = cw.call(
        "send_raw_api_request",
        raw_request='POST /service/tickets/search?pageSize=2 {"conditions": "dateEntered > [2020-01-01T00:00:00Z]"}',
    )
    assert not result.is_error, result.text
    sent = api_requests(standin)[-1]
    assert json.loads(sent.body) == {"conditions": "dateEntered > [2020-01-01T00:00:00Z]"}
    assert sent.query == {"pageSize": "2"}


@pytest.mark.parametrize(
    "raw",
    ["FETCH /service/tickets", "GET", 'POST /service/tickets {"summary": ', "GET https://evil.example/x"],
)
def test_unreadable_raw_requests_are_explained(cw: McpSession, standin, raw: str) -> None:
    result = cw.call("send_raw_api_request", raw_request=raw)
    assert result.is_error and "METHOD /path" in result.text
    assert api_requests(standin) == []


# -- checks before sending ---------------------------------------------------------


def test_unknown_path_and_wrong_method_are_refused_with_suggestions(cw: McpSession, standin) -> None:
    unknown = cw.call("execute_api_call", path="/service/tikets")
    assert unknown.is_error and "/service/tickets" in unknown.data["suggestions"]
    wrong = cw.call("execute_api_call", path="/service/tickets/5", method="POST")
    assert wrong.is_error and wrong.data["available_methods"] == ["GET", "PUT", "PATCH", "DELETE"]
    assert api_requests(standin) == []


def test_condition_typos_are_caught_with_a_suggestion(cw: McpSession, standin) -> None:
    result = cw.call("execute_api_call", path="/service/tickets", params={"conditions": "status/nam = 'New'"})
    assert result.is_error
    assert result.data["suggestion"] == "status/name"
    assert "status/nam" in result.text
    syntax = cw.call("execute_api_call", path="/service/tickets", params={"conditions": "status/name = New"})
    assert syntax.is_error and "quoted" in syntax.text
    bracket = cw.call("execute_api_call", path="/service/tickets", params={"conditions": "dateEntered > [2026-01"})
    assert bracket.is_error and "[" in bracket.text
    order = cw.call("execute_api_call", path="/service/tickets", params={"orderBy": "sumary desc"})
    assert order.is_error and order.data["suggestion"] == "summary"
    assert api_requests(standin) == []


def test_double_quoted_strings_and_parentheses_pass_through_unchanged(cw: McpSession, standin) -> None:
    conditions = '(status/name = "New" or status/name = "In Progress") and priority/id in (1, 2, 3, 4, 5)'
    result = cw.call("execute_api_call", path="/service/tickets", params={"conditions": conditions})
    assert not result.is_error, result.text
    assert api_requests(standin)[-1].query["conditions"] == conditions


def test_delete_needs_confirmation(cw: McpSession, standin) -> None:
    refused = cw.call("execute_api_call", path="/service/tickets/1003", method="DELETE")
    assert refused.is_error and "confirm=true" in refused.text
    assert api_requests(standin) == []
    done = cw.call("execute_api_call", path="/service/tickets/1003", method="DELETE", confirm=True)
    assert not done.is_error and done.data["status"] == 204
    gone = cw.call("execute_api_call", path="/service/tickets/1003")
    assert gone.is_error and gone.data["status"] == 404


def test_write_without_body_asks_for_it(cw: McpSession, standin) -> None:
    result = cw.call("execute_api_call", path="/service/tickets", method="POST")
    assert result.is_error and "summary" in result.text and "body" in result.text
    assert api_requests(standin) == []


# -- writing ---------------------------------------------------------------------


def test_patch_with_an_object_becomes_replace_operations(cw: McpSession, standin) -> None:
    result = cw.call("execute_api_call", path="/service/tickets/1004", method="PATCH", data={"summary": "Renamed"})
    assert not result.is_error, result.text
    assert result.data["data"]["summary"] == "Renamed"
    assert "replace operations" in result.text
    assert json.loads(api_requests(standin)[-1].body) == [{"op": "replace", "path": "summary", "value": "Renamed"}]


def test_patch_operation_list_is_sent_as_given(cw: McpSession) -> None:
    ops = [
        {"op": "replace", "path": "summary", "value": "From a list"},
        {"op": "replace", "path": "closedFlag", "value": True},
    ]
    result = cw.call("execute_api_call", path="/service/tickets/1001", method="PATCH", data=ops)
    assert not result.is_error, result.text
    assert result.data["data"]["summary"] == "From a list" and result.data["data"]["closedFlag"] is True
    bad = cw.call("execute_api_call", path="/service/tickets/1001", method="PATCH", data=[{"path": "summary"}])
    assert bad.is_error and '"op"' in bad.text


def test_create_and_connectwise_field_errors(cw: McpSession, standin) -> None:
    body = {"summary": "Printer jam", "board": {"id": 1}, "company": {"id": 251}}
    created = cw.call("execute_api_call", path="/service/tickets", method="POST", data=body)
    assert not created.is_error, created.text
    assert created.data["status"] == 201 and created.data["data"]["summary"] == "Printer jam"
    # The definition requires only summary (checked before sending); the stand-in, like a real
    # server, requires more, and its field errors pass through.
    invalid = cw.call("execute_api_call", path="/service/tickets", method="POST", data={"summary": "No board"})
    assert invalid.is_error and invalid.data["status"] == 400
    assert invalid.data["code"] == "InvalidObject"
    assert any(e.get("field") == "board" for e in invalid.data["errors"])
    assert "board" in invalid.text


def test_malformed_data_is_an_error(cw: McpSession) -> None:
    result = cw.call("execute_api_call", path="/service/tickets", method="POST", data='{"summary": oops}')
    assert result.is_error and "not valid JSON" in result.text


# -- pagination and size -----------------------------------------------------------


def test_all_pages_follows_link_headers_up_to_max_items(cw: McpSession, standin) -> None:
    result = cw.call(
        "execute_api_call",
        path="/service/tickets",
        params={"pageSize": 25, "orderBy": "id desc"},
        all_pages=True,
        max_items=60,
    )
    assert result.data["item_count"] == 60 and result.data["pages_fetched"] == 3
    assert result.data["truncated"] is True and "Stopped at max_items=60" in result.text
    pages = [r.query.get("page") for r in api_requests(standin)]
    assert pages == [None, "2", "3"]


def test_forward_only_pagination_for_large_sets(cw: McpSession, standin) -> None:
    result = cw.call("execute_api_call", path="/service/tickets", params={"pageSize": 50}, all_pages=True)
    assert result.data["item_count"] == 120 and result.data["pages_fetched"] == 3
    sent = api_requests(standin)
    assert all(r.headers.get("pagination-type") == "forward-only" for r in sent)
    assert [r.query.get("pageId") for r in sent] == [None, "1050", "1100"]
    assert result.data["truncated"] is True  # 120 tickets are more than the size cap shows


def test_a_huge_body_is_cut_to_whole_items_under_the_cap(cw: McpSession, standin) -> None:
    standin.inject("huge", records=15000)  # 26 MB: under CWM_MAX_RESPONSE_BYTES (32 MB), far over the 50,000 chars
    result = cw.call("execute_api_call", path="/service/tickets")
    assert result.data["item_count"] == 15000
    assert result.data["truncated"] is True
    assert 0 < result.data["items_shown"] == len(result.data["data"]) < 15000
    assert len(result.text) < 60_000
    assert "Showing" in result.text


# -- faults ----------------------------------------------------------------------


def test_rate_limit_is_retried_for_reads(cw: McpSession, standin) -> None:
    standin.inject("status", code=429, headers={"Retry-After": "1"})
    slept = len(cw.clock.sleeps)
    result = cw.call("execute_api_call", path="/service/boards")
    assert not result.is_error
    assert len(api_requests(standin)) == 2
    assert cw.clock.sleeps[slept:] == [1.0]  # waited the Retry-After asked for (on the session's clock)


def test_writes_are_never_retried(cw: McpSession, standin) -> None:
    standin.inject("status", code=503)
    body = {"summary": "Once only", "board": {"id": 1}, "company": {"id": 251}}
    result = cw.call("execute_api_call", path="/service/tickets", method="POST", data=body)
    assert result.is_error and result.data["status"] == 503 and "not retried" in result.text
    assert len(api_requests(standin)) == 1
    standin.inject("reset")
    again = cw.call("execute_api_call", path="/service/tickets", method="POST", data=body)
    assert again.is_error and "not retried" in again.text
    assert len(api_requests(standin)) == 2


def test_server_errors_on_reads_are_retried_then_reported(cw: McpSession, standin) -> None:
    standin.inject("status", code=502, count=10)
    result = cw.call("execute_api_call", path="/service/boards")
    assert result.is_error and result.data["status"] == 502 and "retried" in result.text
    assert len(api_requests(standin)) == 4  # the first try and three retries


def test_html_error_pages_are_summarised(cw: McpSession, standin) -> None:
    standin.inject("html", code=500)
    result = cw.call("execute_api_call", path="/service/tickets", method="POST", data={"summary": "x"})
    assert result.is_error and "<html" not in result.text.lower()
    assert "HTML page" in result.text and "500" in result.text


def test_truncated_json_and_connection_reset(cw: McpSession, standin) -> None:
    standin.inject("truncated_json")
    cut = cw.call("execute_api_call", path="/service/tickets")
    assert cut.is_error and "not readable JSON" in cut.text
    standin.inject("reset")
    reset = cw.call("execute_api_call", path="/service/boards")  # a read: retried on a new connection
    assert not reset.is_error


def test_slow_writes_time_out_with_a_clear_message(cw: McpSession, standin) -> None:
    standin.inject("slow", delay=4)
    body = {"summary": "Slow", "board": {"id": 1}, "company": {"id": 251}}
    result = cw.call("execute_api_call", path="/service/tickets", method="POST", data=body)
    assert result.is_error and "did not answer within 2 s" in result.text


def test_server_keeps_answering_after_faults(cw: McpSession, standin, listener) -> None:
    """One session meets every kind of broken answer in turn, then answers the next call normally."""
    faults = [
        ("reset", {}),
        ("truncated_json", {}),
        ("html", {"code": 502}),
        ("status", {"code": 500}),
        ("redirect", {"location": f"{listener.url}/elsewhere"}),
        ("huge", {"records": 5000}),
    ]
    body = {"summary": "Fault", "board": {"id": 1}, "company": {"id": 251}}
    for kind, options in faults:
        standin.inject(kind, **options)
        cw.call("execute_api_call", path="/service/tickets", method="POST", data=body)  # a write: tried once
    assert [r.fault for r in api_requests(standin)] == [kind for kind, _ in faults]
    after = cw.call("execute_api_call", path="/service/priorities")
    assert not after.is_error, after.text
    assert after.data["item_count"] == 5 and api_requests(standin)[-1].fault is None


# -- safety ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "//127.0.0.1:1/steal",
        "/service/../system/info",
        "/service/%2e%2e/system/info",
        "/service/tickets@127.0.0.1",
        "\\service\\tickets",
        "http://127.0.0.1:1/service/tickets",
        "/service/tickets/1\r\nX-Evil: 1",
        "/service/tickets/%2F..%2Fsystem",
    ],
)
def test_escape_attempts_are_refused_before_sending(cw: McpSession, standin, listener, path: str) -> None:
    listener.requests.clear()
    result = cw.call("execute_api_call", path=path)
    assert result.is_error
    raw = cw.call("send_raw_api_request", raw_request=f"GET {path}")
    assert raw.is_error
    assert api_requests(standin) == [] and listener.requests == []


def test_redirects_are_not_followed(cw: McpSession, standin, listener) -> None:
    listener.requests.clear()
    standin.inject("redirect", location=f"{listener.url}/steal")
    result = cw.call("execute_api_call", path="/service/boards")
    assert result.is_error and "not followed" in result.text
    assert listener.requests == []


def test_writes_are_audited_without_bodies_or_secrets(cw: McpSession, cw_home: Path) -> None:
    body = {"summary": "Audited secret-summary", "board": {"id": 1}, "company": {"id": 251}}
    cw.call("execute_api_call", path="/service/tickets", method="POST", data=body)
    audit = (cw_home / "state" / "cwm-gateway" / "log" / "audit.jsonl").read_text()
    last = json.loads(audit.strip().splitlines()[-1])
    assert last["method"] == "POST" and last["operation"] == "POST /service/tickets"
    assert last["status"] == 201 and last["body_bytes"] > 0
    assert "secret-summary" not in audit and PRIVATE_KEY not in audit


def test_no_secret_is_logged_or_returned(cw: McpSession, cw_home: Path) -> None:
    result = cw.call("execute_api_call", path="/system/info")
    token = base64.b64encode(f"{COMPANY}+{PUBLIC_KEY}:{PRIVATE_KEY}".encode()).decode()
    assert PRIVATE_KEY not in result.text and token not in result.text
    for file in cw_home.rglob("*"):
        if file.is_file():
            content = file.read_text(errors="ignore")
            assert PRIVATE_KEY not in content and token not in content, file


# -- configurations ------------------------------------------------------------------


def test_read_only_mode_and_write_allow_list(standin, built_catalog: Path, tmp_path: Path) -> None:
    env = connectwise_env(standin, CWM_READ_ONLY="1")
    with gateway(tmp_path, built_catalog, env) as session:
        refused = session.call("execute_api_call", path="/service/tickets", method="POST", data={"summary": "x"})
        assert refused.is_error and "read-only" in refused.text
        search = session.call(
            "execute_api_call", path="/service/tickets/search", method="POST", data={"conditions": "id=1001"}
        )
        assert not search.is_error
    env = connectwise_env(standin, CWM_WRITE_ALLOW="PATCH /service/tickets/{id}")
    with gateway(tmp_path / "allow", built_catalog, env) as session:
        allowed = session.call("execute_api_call", path="/service/tickets/1001", method="PATCH", data={"summary": "ok"})
        assert not allowed.is_error, allowed.text
        refused = session.call("execute_api_call", path="/service/tickets/1001", method="DELETE", confirm=True)
        assert refused.is_error and "CWM_WRITE_ALLOW" in refused.text
    assert [r.method for r in api_requests(standin)] == ["POST", "PATCH"]


def test_seed_layout_guid_company_and_auth_prefix(standin, built_catalog: Path, tmp_path: Path) -> None:
    """Seed users: clientId GUID in COMPANY_ID, their company in AUTH_PREFIX."""
    env = connectwise_env(standin, CONNECTWISE_COMPANY_ID=CLIENT_ID, CONNECTWISE_AUTH_PREFIX=f"{COMPANY}+")
    env.pop("CONNECTWISE_CLIENT_ID")
    with gateway(tmp_path, built_catalog, env) as session:
        result = session.call("execute_api_call", path="/service/boards")
        assert not result.is_error, result.text
        assert "clientId" in session.stderr()


def test_wrong_credentials_name_the_parts_not_the_values(standin, built_catalog: Path, tmp_path: Path) -> None:
    env = connectwise_env(standin, CONNECTWISE_PRIVATE_KEY="wrong-private-key")
    with gateway(tmp_path, built_catalog, env) as session:
        result = session.call("execute_api_call", path="/service/boards")
        assert result.is_error and result.data["status"] == 401
        assert "CONNECTWISE_PRIVATE_KEY" in result.text and "wrong-private-key" not in result.text


def test_missing_credentials_point_to_setup(built_catalog: Path, tmp_path: Path) -> None:
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    with gateway(tmp_path, built_catalog, env) as session:
        result = session.call("execute_api_call", path="/service/boards")
        assert result.is_error and "cwm-gateway setup" in result.text
        assert not session.call("search_api_endpoints", query="boards").is_error  # discovery still works


# -- found in review ----------------------------------------------------------------


def test_a_slow_call_does_not_hold_up_other_tools(cw: McpSession, standin) -> None:
    """Tool bodies run in worker threads; a slow ConnectWise call must not block the event loop."""
    import threading
    import time

    standin.inject("slow", delay=1.5)
    slow = threading.Thread(target=lambda: cw.call("execute_api_call", path="/service/boards"))
    slow.start()
    time.sleep(0.3)  # the slow call is in flight
    started = time.monotonic()
    assert not cw.call("list_api_categories").is_error
    assert time.monotonic() - started < 1.0
    slow.join()


@pytest.mark.parametrize(
    "path", ["/service/tickets/1001#frag", "/v4_6_release/apis/3.0/service/tickets", "/service/tickets/1/apis/3.0/x"]
)
def test_paths_that_would_not_be_sent_as_checked_are_refused(cw: McpSession, standin, path: str) -> None:
    result = cw.call("execute_api_call", path=path, params={"pageSize": 1})
    assert result.is_error
    assert api_requests(standin) == []


def test_a_long_retry_after_is_reported_not_waited(cw: McpSession, standin) -> None:
    import time

    standin.inject("status", code=429, headers={"Retry-After": "120"})
    started, slept = time.monotonic(), len(cw.clock.sleeps)
    result = cw.call("execute_api_call", path="/service/boards")
    assert time.monotonic() - started < 5 and cw.clock.sleeps[slept:] == []
    assert result.is_error and result.data["retry_after"] == 120 and "Retry after 120 s" in result.text
    assert len(api_requests(standin)) == 1


def test_connection_refused_is_not_called_a_timeout(built_catalog: Path, tmp_path: Path) -> None:
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    env = {
        "CONNECTWISE_API_URL": f"http://127.0.0.1:{port}/v4_6_release/apis/3.0",
        "CONNECTWISE_COMPANY_ID": COMPANY,
        "CONNECTWISE_PUBLIC_KEY": PUBLIC_KEY,
        "CONNECTWISE_PRIVATE_KEY": PRIVATE_KEY,
        "CONNECTWISE_CLIENT_ID": CLIENT_ID,
    }
    with gateway(tmp_path, built_catalog, env) as session:
        result = session.call("execute_api_call", path="/service/tickets", method="POST", data={"summary": "x"})
        assert result.is_error and "Could not connect" in result.text and "did not answer" not in result.text


def test_very_long_conditions_are_checked_without_failing(cw: McpSession, standin) -> None:
    conditions = " or ".join(f"id={n}" for n in range(1001, 2201))
    result = cw.call("execute_api_call", path="/service/tickets", params={"conditions": conditions, "pageSize": 5})
    assert not result.is_error, result.text[:300]
    sent = api_requests(standin)[-1]  # too long for a URL: sent as the equivalent search, intact
    assert sent.method == "POST" and json.loads(sent.body) == {"conditions": conditions}
    assert sent.query == {"pageSize": "5"} and result.data["item_count"] == 5


def test_all_pages_on_a_post_search(cw: McpSession, standin) -> None:
    result = cw.call(
        "execute_api_call",
        path="/service/tickets/search",
        method="POST",
        params={"pageSize": 40},
        data={"conditions": "id > 0"},
        all_pages=True,
    )
    assert not result.is_error, result.text
    assert result.data["item_count"] == 120 and result.data["pages_fetched"] == 3
    assert [r.method for r in api_requests(standin)] == ["POST"] * 3
