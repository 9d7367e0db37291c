"""The client's rules as plain objects: retry policies (every knob), waits, the deadline, Retry-After, settings.

Nothing here sends a request or sleeps: the retry policies take a sleep and a clock, and the
waits they would make are recorded instead.
"""

from __future__ import annotations

import re

import pytest
from urllib3.exceptions import MaxRetryError, NewConnectionError, ReadTimeoutError
from urllib3.response import HTTPResponse

from cwm_gateway import client
from cwm_gateway.client import (
    DEFAULT_MAX_RESPONSE_BYTES,
    MAX_RETRY_AFTER,
    ConnectWiseClient,
    NotConfigured,
    api_url_parts,
    parse_retry_after,
    retry_policy,
)
from cwm_gateway.credentials import Setting, Settings

URL = "/v4_6_release/apis/3.0/service/tickets"
NOT_FORWARDED = frozenset({"authorization", "clientid", "cookie", "proxy-authorization"})


class Waits:
    """A sleep that records, and a clock that stands still unless moved."""

    def __init__(self, now: float = 1000.0) -> None:
        self.slept: list[float] = []
        self.now = now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def clock(self) -> float:
        return self.now


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> Waits:
    waits = Waits()
    monkeypatch.setattr(client._CALL, "deadline", waits.now + 60)  # the call being sent has a minute left
    return waits


def answer(status: int, **headers: str) -> HTTPResponse:
    return HTTPResponse(body=b"", headers=headers, status=status, preload_content=False)


def refused_connection() -> NewConnectionError:
    return NewConnectionError(None, "refused")  # type: ignore[arg-type]


# -- every knob -----------------------------------------------------------------------------


def test_reads_are_retried_on_busy_statuses_and_lost_connections() -> None:
    read = retry_policy("get")
    knobs = {
        "total": 3,
        "connect": 2,
        "read": 1,
        "redirect": 0,
        "status": 3,
        "other": 0,
        "allowed_methods": frozenset({"GET", "HEAD"}),
        "status_forcelist": frozenset({429, 502, 503, 504}),
        "backoff_factor": 0.25,
        "backoff_max": 4.0,
        "backoff_jitter": 0.25,
        "raise_on_redirect": False,
        "raise_on_status": False,
        "respect_retry_after_header": True,
        "remove_headers_on_redirect": NOT_FORWARDED,
    }
    assert {name: getattr(read, name) for name in knobs} == knobs
    assert [read.is_retry("GET", code) for code in (429, 500, 502, 503, 504)] == [True, False, True, True, True]
    assert retry_policy("HEAD").total == 3 and not read.is_retry("PUT", 503)


def test_writes_are_sent_again_only_when_no_connection_opened() -> None:
    write = retry_policy("POST")
    knobs = {
        "total": 1,
        "connect": 1,
        "read": 0,
        "redirect": 0,
        "status": 0,
        "other": 0,
        "allowed_methods": frozenset({"GET", "HEAD"}),  # not empty: an empty collection means every verb
        "status_forcelist": frozenset(),
        "backoff_factor": 0.0,
        "backoff_max": 0.0,
        "backoff_jitter": 0.0,
        "raise_on_redirect": False,
        "raise_on_status": False,
        "respect_retry_after_header": False,
        "remove_headers_on_redirect": NOT_FORWARDED,
    }
    assert {name: getattr(write, name) for name in knobs} == knobs
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert retry_policy(method).total == 1
        assert not write.is_retry(method, 503) and not write.is_retry(method, 429, has_retry_after=True)


def test_a_write_is_tried_again_after_a_refused_connection_but_never_after_a_read_error(waits: Waits) -> None:
    write = retry_policy("POST", waits.sleep, waits.clock)
    again = write.increment("POST", URL, error=refused_connection())
    with pytest.raises(MaxRetryError):
        again.increment("POST", URL, error=refused_connection())
    with pytest.raises(ReadTimeoutError) as caught:
        write.increment("POST", URL, error=ReadTimeoutError(None, URL, "read timed out"))  # type: ignore[arg-type]
    assert caught.value.cwm_attempts == 1  # type: ignore[attr-defined]


# -- waits, through the injected sleep and clock ---------------------------------------------------


def test_a_retry_waits_what_retry_after_asks(waits: Waits) -> None:
    read = retry_policy("GET", waits.sleep, waits.clock)
    busy = answer(429, **{"Retry-After": "2"})
    next_try = read.increment("GET", URL, response=busy)
    next_try.sleep(busy)
    assert waits.slept == [2.0]
    assert next_try.sleeper == waits.sleep and next_try.clock == waits.clock  # kept by urllib3's copies


def test_backoff_grows_with_each_attempt_within_its_cap(waits: Waits) -> None:
    read = retry_policy("GET", waits.sleep, waits.clock)
    for _ in range(3):
        read = read.increment("GET", URL, response=answer(503))
        read.sleep(answer(503))
    first, second = waits.slept  # no wait before the first retry
    assert 0.5 <= first <= 0.75 and 1.0 <= second <= 1.25
    with pytest.raises(MaxRetryError):
        read.increment("GET", URL, response=answer(503))


def test_a_long_retry_after_is_reported_not_waited(waits: Waits) -> None:
    read = retry_policy("GET", waits.sleep, waits.clock)
    with pytest.raises(MaxRetryError) as caught:
        read.increment("GET", URL, response=answer(429, **{"Retry-After": str(MAX_RETRY_AFTER + 1)}))
    assert waits.slept == [] and caught.value.cwm_attempts == 1  # type: ignore[attr-defined]


def test_no_retry_starts_that_the_deadline_would_cut_short(waits: Waits, monkeypatch: pytest.MonkeyPatch) -> None:
    read = retry_policy("GET", waits.sleep, waits.clock)
    monkeypatch.setattr(client._CALL, "deadline", waits.now + 1.5)
    with pytest.raises(MaxRetryError, match="no time left"):
        read.increment("GET", URL, response=answer(503, **{"Retry-After": "2"}))
    waits.now -= 10  # ten seconds earlier, the same wait fits
    assert read.increment("GET", URL, response=answer(503, **{"Retry-After": "2"})).total == 2


# -- Retry-After -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("2", 2.0),
        ("  2.5\t", 2.5),
        ("-0", 0.0),
        ("1e400", None),
        ("x" * 65, None),
        (None, None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("Wed, 32 Oct 2015 07:28:00 GMT", None),
    ],
)
def test_retry_after_values(value: str | None, seconds: float | None) -> None:
    parsed = parse_retry_after(value)
    assert parsed == seconds and (parsed is None or f"{parsed:g}" == f"{seconds:g}")  # never "-0 s"


# -- the values the client is given -----------------------------------------------------------------


def settings(**values: str) -> Settings:
    given = Settings(profile="test")
    base = {
        "api_url": "https://cw.example/v4_6_release/apis/3.0",
        "company_id": "co",
        "public_key": "pub",
        "private_key": "priv-unit-test",
        "client_id": "00000000-0000-4000-8000-000000000001",
    }
    for key, value in {**base, **values}.items():
        given.values[key] = Setting(value, "test")
    return given


def test_the_deadline_and_byte_limit_come_from_the_caller() -> None:
    plain = ConnectWiseClient(settings(), "2022.1", timeout=3)
    assert plain.deadline == 6 and plain.max_bytes == DEFAULT_MAX_RESPONSE_BYTES
    given = ConnectWiseClient(settings(), "2022.1", timeout=3, deadline=4.5, max_bytes=70_000)
    assert given.deadline == 4.5 and given.max_bytes == 70_000
    plain.close()
    given.close()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://cw.example/x", "CONNECTWISE_API_URL must be an https:// URL like"),
        ("https://user:pw@cw.example/x", "without user@"),
        ("http://cw.example/x", "http:// only for 127.0.0.1 or localhost"),
        ("https://cw.example/v4_6_release/apis/3.0?x=1", "without ?query or #fragment"),
    ],
)
def test_keys_go_only_to_an_api_url_they_may_go_to(url: str, words: str) -> None:
    with pytest.raises(NotConfigured, match=re.escape(words)) as caught:
        api_url_parts(settings(api_url=url))
    assert "pw" not in str(caught.value)
    assert api_url_parts(settings(api_url="http://127.0.0.1:8/a")).port == 8
