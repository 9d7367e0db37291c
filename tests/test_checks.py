"""Checks made before a call is sent, over MCP stdio: what a user meets, and that nothing reaches ConnectWise."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from conftest import connectwise_env, gateway, isolated_env, launch
from mcp_client import McpSession

NO_CREDENTIALS = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


@pytest.fixture(autouse=True)
def fresh(standin) -> None:
    standin.reset()


def api_requests(standin) -> list:
    return [r for r in standin.requests if "/apis/3.0" in r.path]


def nested(levels: int) -> dict:
    value: dict = {"id": 1}
    for _ in range(levels):
        value = {"a": value}
    return value


# -- fields ----------------------------------------------------------------------------


def test_fields_typos_are_caught_like_conditions(cw: McpSession, standin) -> None:
    typo = cw.call("execute_api_call", path="/service/tickets", params={"fields": "id,summry"})
    assert typo.is_error and typo.data["suggestion"] == "summary" and "did you mean 'summary'" in typo.text
    nested_typo = cw.call("execute_api_call", path="/service/tickets/1001", params={"fields": "id,board/nam"})
    assert nested_typo.is_error and nested_typo.data["suggestion"] == "board/name"
    assert api_requests(standin) == []
    good = cw.call("execute_api_call", path="/service/tickets", params={"fields": "id,board/name", "pageSize": 2})
    assert not good.is_error, good.text
    assert api_requests(standin)[-1].query["fields"] == "id,board/name"
    assert set(good.data["data"][0]) == {"id", "board"}


# -- query parameters ----------------------------------------------------------------------


def test_unknown_query_parameters_are_refused_with_the_accepted_list(cw: McpSession, standin) -> None:
    typo = cw.call("execute_api_call", path="/service/tickets", params={"pageSise": 5})
    assert typo.is_error and typo.data["suggestion"] == "pageSize" and "Did you mean 'pageSize'?" in typo.text
    assert "conditions" in typo.data["accepted"] and "pageId" in typo.data["accepted"]
    on_a_write = cw.call(
        "execute_api_call", path="/service/tickets", method="POST", params={"conditions": "id=1"}, data={"summary": "x"}
    )
    assert on_a_write.is_error and "no query parameters" in on_a_write.text
    assert api_requests(standin) == []


@pytest.mark.parametrize(
    "params",
    [
        {"X-HTTP-Method-Override": "DELETE"},
        {"Transfer-Encoding": "chunked"},
        {"pageSize\r\nX-Evil": "1"},
        {"pageSize": "5\r\nX-Evil: 1"},
    ],
)
def test_http_looking_parameters_and_line_breaks_are_refused(cw: McpSession, standin, params: dict) -> None:
    result = cw.call("execute_api_call", path="/service/tickets", params=params)
    assert result.is_error and "Nothing was sent" in result.text
    raw = cw.call("send_raw_api_request", raw_request="GET /service/tickets?X-HTTP-Method-Override=DELETE")
    assert raw.is_error and "X-HTTP-Method-Override" in raw.text
    assert api_requests(standin) == []


@pytest.mark.parametrize(
    ("params", "words"),
    [({"page": 0}, "page must be 1 or more"), ({"pageSize": 0}, "between 1 and 1000"), ({"pageSize": 5000}, "1000")],
)
def test_paging_values_out_of_range_are_errors(cw: McpSession, standin, params: dict, words: str) -> None:
    result = cw.call("execute_api_call", path="/service/tickets", params=params)
    assert result.is_error and words in result.text
    assert api_requests(standin) == []


def test_argument_problems_are_reported_before_credentials_are_needed(built_catalog: Path, tmp_path: Path) -> None:
    with gateway(tmp_path, built_catalog, NO_CREDENTIALS) as session:
        items = session.call("execute_api_call", path="/service/tickets", all_pages=True, max_items=0)
        assert items.is_error and "max_items" in items.text and "setup" not in items.text
        size = session.call("execute_api_call", path="/service/tickets", params={"pageSize": 0})
        assert size.is_error and "pageSize" in size.text and "setup" not in size.text
        body = session.call("execute_api_call", path="/time/entries", method="POST", data={"chargeToId": 1})
        assert body.is_error and "timeStart" in body.text and "setup" not in body.text
        fine = session.call("execute_api_call", path="/service/tickets")
        assert fine.is_error and "cwm-gateway setup" in fine.text  # only a good call needs credentials


# -- write bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "method", "data", "words"),
    [
        ("/time/entries", "POST", {"chargeToType": "ServiceTicket", "chargeToId": 1001}, "timeStart"),
        ("/service/tickets", "POST", {"summry": "Printer jam"}, "did you mean 'summary'"),
        ("/service/tickets", "POST", {"summary": "x" * 101}, "at most 100 characters"),
        ("/service/tickets", "POST", {"summary": "x", "severity": "Hihg"}, "one of Low, Medium, High"),
        ("/service/tickets", "POST", {"summary": "x", "company": 251}, "'company' must be an object"),
        ("/service/tickets", "POST", {"summary": "x", "board": {"id": "one"}}, "'board/id' must be a whole number"),
        ("/service/tickets", "POST", {"summary": "x", "requiredDate": "tomorrow"}, "a date like"),
        ("/service/tickets/1001", "PATCH", [{"op": "replace", "path": "sumary", "value": "x"}], "'summary'"),
        ("/service/tickets/1001", "PATCH", {"closedFlag": "maybe"}, "true or false"),
        ("/service/tickets/1001", "PATCH", [{"op": "replace", "path": "/status/id", "value": [1]}], "status/id"),
    ],
)
def test_write_bodies_are_checked_against_the_definition(
    cw: McpSession, standin, path: str, method: str, data: object, words: str
) -> None:
    result = cw.call("execute_api_call", path=path, method=method, data=data)
    assert result.is_error and words in result.text, result.text
    assert "Nothing was sent" in result.text
    assert api_requests(standin) == []


def test_real_world_bodies_still_pass(cw: McpSession, standin) -> None:
    """References by identifier or name, numbers as text, any letter case, _info read back: ConnectWise takes them."""
    body = {
        "summary": "Printer jam",
        "board": {"name": "Service Desk"},
        "company": {"identifier": "AcmeDental"},
        "budgetHours": "1.5",
        "Severity": "high",
        "_info": {"lastUpdated": "2026-01-01T00:00:00Z"},
        "someNewerField": 1,  # unlike any known field: servers are newer than the definition
    }
    created = cw.call("execute_api_call", path="/service/tickets", method="POST", data=body)
    assert created.data.get("status") == 201, created.text
    assert "someNewerField is not in the API definition's Ticket; sent as given" in created.text
    assert json.loads(api_requests(standin)[-1].body) == body


# -- nesting, NaN, size -----------------------------------------------------------------------


def test_deep_nesting_costs_one_error_not_the_session(cw: McpSession, standin) -> None:
    deep = cw.call("execute_api_call", path="/service/tickets", method="POST", data={"summary": "x", "x": nested(100)})
    assert deep.is_error and "deeper than 64 levels" in deep.text
    params = cw.call("execute_api_call", path="/service/tickets", params={"fields": [[[["id"]]]]})
    assert params.is_error and "plain values" in params.text
    raw = cw.call("send_raw_api_request", raw_request="POST /service/tickets " + "[" * 5000 + "]" * 5000)
    assert raw.is_error and "deeper than 64 levels" in raw.text
    assert api_requests(standin) == []
    assert not cw.call("execute_api_call", path="/service/boards").is_error


def test_deep_json_strings_are_refused_clearly(standin, built_catalog: Path, tmp_path: Path) -> None:
    # The current SDK hands an unparseable JSON string to the tool as is.
    with gateway(tmp_path, built_catalog, connectwise_env(standin)) as session:
        params = session.call("execute_api_call", path="/service/tickets", params='{"a":' * 5000 + "1" + "}" * 5000)
        assert params.is_error and "params nests deeper than 64 levels" in params.text
        data = session.call("execute_api_call", path="/service/tickets", method="POST", data="[" * 5000 + "]" * 5000)
        assert data.is_error and "data nests deeper than 64 levels" in data.text
        assert not session.call("execute_api_call", path="/service/boards").is_error
    assert [r.path.rsplit("/", 1)[-1] for r in api_requests(standin)] == ["boards"]


def test_nan_and_infinity_are_refused(cw: McpSession, standin) -> None:
    text = cw.call(
        "execute_api_call", path="/service/tickets", method="POST", data='{"summary": "x", "budgetHours": NaN}'
    )
    assert text.is_error and "NaN" in text.text and "not a JSON number" in text.text
    raw = cw.call("send_raw_api_request", raw_request='POST /service/tickets {"summary": "x", "budgetHours": Infinity}')
    assert raw.is_error and "Infinity" in raw.text
    assert api_requests(standin) == []


def test_urls_longer_than_connectwise_takes_are_refused(cw: McpSession, standin) -> None:
    ids = ",".join(str(n) for n in range(1, 3000))
    long = cw.call("execute_api_call", path="/company/companies", params={"conditions": f"id in ({ids})"})
    assert long.is_error and "ConnectWise takes at most 8,000" in long.text and long.data["url_length"] > 8000
    huge = cw.call("execute_api_call", path="/service/tickets", params={"conditions": "id=1 or " * 1_300_000 + "id=2"})
    assert huge.is_error and "characters" in huge.text
    assert api_requests(standin) == []


# -- read-only and the allow-list ----------------------------------------------------------------


def test_a_post_named_count_that_creates_is_a_write(standin, built_catalog: Path, tmp_path: Path) -> None:
    """The definition calls POST /procurement/invoicegrouping/count "Post InvoiceGrouping", answering 201."""
    with gateway(tmp_path, built_catalog, connectwise_env(standin, CWM_READ_ONLY="1")) as session:
        refused = session.call("execute_api_call", path="/procurement/invoicegrouping/count", method="POST", data={})
        assert refused.is_error and "read-only" in refused.text
    allow = "POST /service/tickets"
    with gateway(tmp_path / "allow", built_catalog, connectwise_env(standin, CWM_WRITE_ALLOW=allow)) as session:
        refused = session.call("execute_api_call", path="/procurement/invoicegrouping/count", method="POST", data={})
        assert refused.is_error and "CWM_WRITE_ALLOW" in refused.text
    assert api_requests(standin) == []


def wait_for(session: McpSession, text: str, seconds: float = 20) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in session.stderr():
            break
        time.sleep(0.1)
    return session.stderr()


def test_write_allow_entries_that_name_no_operation_are_reported(standin, built_catalog: Path, tmp_path: Path) -> None:
    allow = "POST /service/tikets, PATCH /service/tickets/{ticketId}, DELETE /service/tickets/5, delete"
    # The report is made when the server process starts (serve), so this one is a process.
    with gateway(tmp_path, built_catalog, connectwise_env(standin, CWM_WRITE_ALLOW=allow), kind="pyz") as session:
        stderr = wait_for(session, "DELETE /service/tickets/5")  # at start, before any call
        assert "'POST /service/tikets' names no operation" in stderr and "did you mean /service/tickets" in stderr
        assert "'delete' is not 'METHOD /path'" in stderr
        patched = session.call("execute_api_call", path="/service/tickets/1001", method="PATCH", data={"summary": "y"})
        assert not patched.is_error, patched.text  # {ticketId} names the {id} operation
        refused = session.call(
            "execute_api_call", path="/service/tickets", method="POST", data={"summary": "x", "board": {"id": 1}}
        )
        assert refused.is_error and "allow nothing" in refused.text and "/service/tikets" in refused.text
    assert [r.method for r in api_requests(standin)] == ["PATCH"]


def test_doctor_shows_the_write_policy(built_catalog: Path, tmp_path: Path) -> None:
    env = isolated_env(
        tmp_path,
        CWM_CATALOG=str(built_catalog),
        CWM_READ_ONLY="1",
        CWM_WRITE_ALLOW="POST /service/tikets, PATCH /service/tickets/{id}",
        **NO_CREDENTIALS,
    )
    command, args, env = launch("pyz", env)
    done = subprocess.run([command, *args, "doctor", "--no-check"], capture_output=True, text=True, env=env, timeout=90)
    assert "CWM_READ_ONLY   on" in done.stdout
    assert "writes allowed: PATCH /service/tickets/{id}" in done.stdout
    assert "CWM_WRITE_ALLOW: 'POST /service/tikets' names no operation" in done.stdout


# -- the rules as plain functions -------------------------------------------------------------------


def test_only_the_search_posts_of_the_definition_read(catalog) -> None:
    from cwm_gateway.execution import reads_only

    posts = [
        op
        for (op_id,) in catalog.query("SELECT id FROM operations WHERE method = 'POST'")
        for op in catalog.operations_by_ids([op_id]).values()
    ]
    reading = sorted(op.path for op in posts if reads_only(op, catalog.schema))
    assert reading == ["/project/tickets/search", "/service/tickets/search"]


def test_json_depth_and_constants() -> None:
    from cwm_gateway import checks

    assert checks.text_depth('{"a": "[[[[", "b": [1, {"c": 2}]}') == 3
    with pytest.raises(checks.CheckError, match="deeper than 64"):
        checks.load_json("[" * 65 + "]" * 65, "data")
    assert checks.load_json("[" * 64 + "]" * 64, "data")
    with pytest.raises(checks.CheckError, match="-Infinity"):
        checks.load_json('{"a": -Infinity}', "data")
    with pytest.raises(checks.CheckError, match=r"data\.a\.0"):
        checks.check_plain({"a": [float("nan")]}, "data")
    with pytest.raises(checks.CheckError, match="deeper than 64"):
        checks.check_plain(nested(10_000), "data")


def test_query_parameter_names_match_regardless_of_case() -> None:
    from cwm_gateway import checks

    accepted = checks.accepted_parameters({"conditions": "string"}, list_query=True)
    checks.check_parameter_names([("PAGESIZE", "5"), ("Conditions", "id=1")], accepted, "GET /x")
    with pytest.raises(checks.CheckError, match="given twice"):
        checks.check_parameter_names([("pageSize", "5"), ("PAGESIZE", "10")], accepted, "GET /x")
    checks.check_parameter_values([("PAGESIZE", "5")], accepted)
    with pytest.raises(checks.CheckError, match="whole number"):
        checks.check_parameter_values([("pageSize", "five")], accepted)
