"""The plain functions behind reading answers: Retry-After, Link, error pages, nesting, logs, memory."""

from __future__ import annotations

import gzip
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from conftest import CLIENT_ID, COMPANY, PRIVATE_KEY, PUBLIC_KEY, REPO
from cwm_gateway.client import Response, ResponseTooLarge, parse_retry_after
from cwm_gateway.execution import _links
from cwm_gateway.shaping import MAX_DEPTH, TooDeep, connectwise_error, fit, parse_json, summarize_body


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("3", 3.0), (" 1.5 ", 1.5), ("0", 0.0), ("nan", None), ("-1", None), ("inf", None), ("soon", None), ("", None)],
)
def test_retry_after_is_read_leniently(value: str, seconds: float | None) -> None:
    assert parse_retry_after(value) == seconds


def test_retry_after_as_an_http_date() -> None:
    from email.utils import formatdate

    assert 25 < parse_retry_after(formatdate(time.time() + 30, usegmt=True)) <= 30
    assert parse_retry_after(formatdate(time.time() - 30, usegmt=True)) == 0


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def test_link_headers_are_parsed_in_linear_time() -> None:
    header = '<https://x/a?page=2&pageSize=5>; rel="next", <https://x/a?page=9&pageSize=5>; rel=last'
    assert _links(Response(200, {"link": header}, b"", "", 0)) == {
        "next": "https://x/a?page=2&pageSize=5",
        "last": "https://x/a?page=9&pageSize=5",
    }
    for hostile in ("<" * 60_000, "<a>" * 20_000, "<a>" + "; rel=x" * 8_000, ">" * 60_000):
        assert _timed(lambda hostile=hostile: _links(Response(200, {"link": hostile}, b"", "", 0))) < 0.5


def test_error_pages_are_summarised_in_linear_time() -> None:
    page = b"<html><head><title>502 Bad &amp; Gateway</title></head><body><h1>Oops</h1></body></html>"
    assert summarize_body(page, "text/html") == "HTML page: 502 Bad & Gateway"
    assert summarize_body(b"<html><body><h1>Down <b>now</b></h1></body></html>", "text/html") == "HTML page: Down now"
    for hostile in (b"<html><title " + b"<title " * 16_000, b"<html>" + b"<b" * 56_000, b"<html>" + b"<h1>" * 30_000):
        assert _timed(lambda hostile=hostile: summarize_body(hostile, "text/html")) < 0.5
    assert summarize_body(b"x" * 1_000_000, "text/plain").endswith("...")


@pytest.mark.parametrize("keep_info", [False, True])
def test_nesting_is_bounded_where_values_are_handed_on(keep_info: bool) -> None:
    fit(parse_json(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH), keep_info=keep_info)
    fit(parse_json(b'{"a":' * (MAX_DEPTH - 1) + b"[]" + b"}" * (MAX_DEPTH - 1)), keep_info=keep_info)
    for deep in (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), b'{"a":' * MAX_DEPTH + b"[]" + b"}" * MAX_DEPTH):
        with pytest.raises(TooDeep):
            fit(parse_json(deep), keep_info=keep_info)
    with pytest.raises(TooDeep):
        parse_json(b"[" * 200_000 + b"]" * 200_000)
    wide = b"[" + b",".join(b'{"a":{"b":[1,2,{"c":3}]}}' for _ in range(10_000)) + b"]"
    assert len(parse_json(wide)) == 10_000


def test_an_error_body_nested_too_deep_is_described_not_passed_on() -> None:
    code, message, errors = connectwise_error(b'{"message": "x", "errors": ' + b"[" * 100 + b"]" * 100 + b"}", None)
    assert errors == [] and code is None and message.startswith('{"message"')


def test_a_log_record_is_capped_and_redacted_even_in_its_traceback(tmp_path: Path) -> None:
    script = f"""
import logging
from cwm_gateway import logs
logs.configure()
logs.register_secret({PRIVATE_KEY!r})
try:
    raise ValueError("x" * 100_000 + " key={PRIVATE_KEY} end-of-message")
except ValueError:
    logging.getLogger("t").exception("tool failed")
"""
    env = {"CWM_LOG_DIR": str(tmp_path), "PYTHONPATH": str(REPO / "src"), "HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True)
    written = (tmp_path / "cwm-gateway.log").read_text()
    assert len(written) < 10_000
    assert PRIVATE_KEY not in written and "end-of-message" in written and "tool failed" in written


def test_a_compression_bomb_never_sits_in_memory(standin) -> None:
    from cwm_gateway.client import ConnectWiseClient
    from cwm_gateway.credentials import load_settings

    standin.reset()
    env = {
        "CONNECTWISE_API_URL": standin.base_url,
        "CONNECTWISE_COMPANY_ID": COMPANY,
        "CONNECTWISE_PUBLIC_KEY": PUBLIC_KEY,
        "CONNECTWISE_PRIVATE_KEY": PRIVATE_KEY,
        "CONNECTWISE_CLIENT_ID": CLIENT_ID,
    }
    client = ConnectWiseClient(load_settings(env=env, use_keyring=False), "2022.1", timeout=5, max_bytes=2_000_000)
    bomb = gzip.compress(b"[" + b"0," * 50_000_000 + b"0]", compresslevel=9)  # 100 MB from ~100 KB
    standin.inject("status", code=200, body=bomb, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLarge, match="CWM_MAX_RESPONSE_BYTES"):
            client.request("GET", "/service/boards")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        client.close()
    assert peak < 12_000_000  # a few times the 2 MB limit, never the 100 MB
