"""Checking keys and where they may go: the API-URL rules and ``GET /system/info``, against the stand-in.

Plain function tests, in-process; the stand-in listens on 127.0.0.1 and nothing else is contacted.
"""

from __future__ import annotations

import socket

import pytest

from conftest import CLIENT_ID, COMPANY, PRIVATE_KEY, PUBLIC_KEY
from cwm_gateway import credentials, keycheck, setup_command
from cwm_gateway.api_url import (
    ApiUrlError,
    Site,
    api_url_for,
    check_api_url,
    parse_site,
    same_site,
    url_for_site,
)
from cwm_gateway.keycheck import Outcome, check_keys

# -- the API-URL rules ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://api-na.myconnectwise.net/v4_6_release/apis/3.0",
        "https://api-na.myconnectwise.net/v4_6_release/apis/3.0/",
        "http://127.0.0.1:8080/v4_6_release/apis/3.0",
        "http://localhost/apis/3.0",
        "http://[::1]:9/x/apis/3.0",
    ],
)
def test_api_urls_keys_may_go_to(url: str) -> None:
    assert check_api_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("ftp://api-na.myconnectwise.net/v4_6_release/apis/3.0", "must be an https:// URL like"),
        ("api-na.myconnectwise.net/v4_6_release/apis/3.0", "must be an https:// URL like"),
        ("http://api-na.myconnectwise.net/v4_6_release/apis/3.0", "http:// only for 127.0.0.1 or localhost"),
        ("https://admin:hunter2@api-na.myconnectwise.net/v4_6_release/apis/3.0", "without user@"),
        ("https://api-na.myconnectwise.net/v4_6_release/apis/3.0?x=1", "without ?query"),
        ("https://api-na.myconnectwise.net/v4_6_release", "lacks the API's base path"),
    ],
)
def test_api_urls_refused_say_why(url: str, said: str) -> None:
    with pytest.raises(ApiUrlError) as refused:
        check_api_url(url, "CONNECTWISE_API_URL")
    assert said in str(refused.value)
    assert "hunter2" not in str(refused.value) and "admin" not in str(refused.value)


def test_a_url_without_user_info_is_never_echoed_with_it() -> None:
    with pytest.raises(ApiUrlError) as refused:
        check_api_url("gopher://admin:hunter2@host/apis/3.0")
    assert "hunter2" not in str(refused.value) and "gopher://host/apis/3.0" in str(refused.value)


def test_the_base_path_is_optional_where_a_mock_serves_the_root() -> None:
    assert check_api_url("http://127.0.0.1:4010", base_path=False) == "http://127.0.0.1:4010"
    with pytest.raises(ApiUrlError, match="base path"):
        check_api_url("http://127.0.0.1:4010")


def test_sites() -> None:
    assert parse_site("na.myconnectwise.net") == Site("https", "na.myconnectwise.net")
    assert parse_site("https://na.myconnectwise.net/") == Site("https", "na.myconnectwise.net")
    assert parse_site("http://127.0.0.1:9") == Site("http", "127.0.0.1:9")
    for bad, said in [
        ("labtech@127.0.0.1", "without user@"),
        ("http://example.com", "only for 127.0.0.1"),
        ("https://na.myconnectwise.net/v4_6_release/apis/3.0", "--api-url"),
        ("na.myconnectwise.net/login", "without user@ or a path"),
    ]:
        with pytest.raises(ApiUrlError, match=said.replace("?", r"\?")):
            parse_site(bad)


def test_keys_go_only_to_the_site_or_its_api_host() -> None:
    assert same_site("api-na.myconnectwise.net", "na.myconnectwise.net")
    assert same_site("na.myconnectwise.net", "api-na.myconnectwise.net")
    assert same_site("cw.example.com:8443", "cw.example.com:8443")
    assert not same_site("api-na.myconnectwise.net.evil.io", "na.myconnectwise.net")
    assert not same_site("cw.example.com:9443", "cw.example.com:8443")
    site = Site("https", "na.myconnectwise.net")
    assert api_url_for(site, "api-na.myconnectwise.net", "v2025_1/") == (
        "https://api-na.myconnectwise.net/v2025_1/apis/3.0"
    )
    with pytest.raises(ApiUrlError, match="no keys were sent"):
        api_url_for(site, "elsewhere.example", "v4_6_release")
    with pytest.raises(ApiUrlError, match="unusable API address"):
        api_url_for(site, "na.myconnectwise.net", "../x")


def test_a_site_setting_becomes_its_cloud_api_url() -> None:
    assert url_for_site("na.myconnectwise.net") == "https://api-na.myconnectwise.net/v4_6_release/apis/3.0"
    assert url_for_site("https://api-eu.myconnectwise.net/") == "https://api-eu.myconnectwise.net/v4_6_release/apis/3.0"


# -- GET /system/info, classified -----------------------------------------------------------------------------------


def keys(api_url: str, **changes: str) -> credentials.Settings:
    values = {
        "api_url": api_url,
        "company_id": COMPANY,
        "public_key": PUBLIC_KEY,
        "private_key": PRIVATE_KEY,
        "client_id": CLIENT_ID,
        **changes,
    }
    given = credentials.Settings(profile="test")
    for key, value in values.items():
        given.values[key] = credentials.Setting(value, "test")
    return given


def closed_port() -> int:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        return closed.getsockname()[1]


def test_accepted_keys_give_connectwise_version(standin) -> None:
    standin.reset()
    result = check_keys(keys(standin.base_url), "2022.1")
    assert result.ok and result.outcome is Outcome.ACCEPTED and result.status == 200
    assert result.version == "v2025.1.12345" and result.message == ""
    assert [(r.method, r.path) for r in standin.requests] == [("GET", "/v4_6_release/apis/3.0/system/info")]


def test_wrong_keys_are_401_in_the_shared_words(standin) -> None:
    result = check_keys(keys(standin.base_url, private_key="not-the-key"))
    assert result.outcome is Outcome.REJECTED and result.status == 401
    assert result.message == keycheck.REJECTED_KEYS
    assert "CONNECTWISE_PRIVATE_KEY" in result.message and "not-the-key" not in result.message


def test_a_wrong_client_id_is_named(standin) -> None:
    result = check_keys(keys(standin.base_url, client_id="11111111-2222-4333-8444-555555555555"))
    assert result.outcome is Outcome.BAD_CLIENT_ID and result.status == 400
    assert "refused the client ID (400)" in result.message and "developer.connectwise.com" in result.message


def test_a_refused_role_is_403(standin) -> None:
    standin.reset()
    standin.inject("status", code=403)
    result = check_keys(keys(standin.base_url))
    assert result.outcome is Outcome.FORBIDDEN and "security role" in result.message


def test_a_wrong_base_path_is_404_with_the_hint(standin) -> None:
    result = check_keys(keys(f"{standin.origin}/v9_9_release/apis/3.0"))
    assert result.outcome is Outcome.NOT_FOUND and result.status == 404
    assert "base path" in result.message and "/v4_6_release/apis/3.0" in result.message


def test_another_status_is_named(standin) -> None:
    standin.reset()
    standin.inject("status", code=418)
    result = check_keys(keys(standin.base_url))
    assert result.outcome is Outcome.OTHER_STATUS and result.message == "ConnectWise answered 418 to /system/info."


def test_https_to_a_plain_http_server_is_a_tls_error(standin) -> None:
    result = check_keys(keys(standin.base_url.replace("http://", "https://")))
    assert result.outcome is Outcome.TLS and result.status is None
    assert result.message.startswith(f"TLS error talking to {standin.site}:")


def test_nobody_listening_is_unreachable() -> None:
    port = closed_port()
    result = check_keys(keys(f"http://127.0.0.1:{port}/v4_6_release/apis/3.0"))
    assert result.outcome is Outcome.UNREACHABLE
    assert result.message.startswith("ConnectWise could not be reached:") and f"127.0.0.1:{port}" in result.message


def test_a_silent_server_is_a_timeout(standin) -> None:
    standin.reset()
    standin.inject("slow", count=3, delay=3.0)
    result = check_keys(keys(standin.base_url), timeout=0.3)
    assert result.outcome is Outcome.TIMEOUT and "CWM_TIMEOUT" in result.message
    standin.reset()


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"private_key": ""}, "CONNECTWISE_PRIVATE_KEY"),
        ({"api_url": "http://example.com/v4_6_release/apis/3.0"}, "https://"),
    ],
)
def test_settings_that_cannot_be_sent_are_not_configured(standin, changes: dict[str, str], said: str) -> None:
    standin.reset()
    given = {"api_url": standin.base_url, **changes}
    result = check_keys(keys(**given))
    assert result.outcome is Outcome.NOT_CONFIGURED and said in result.message
    assert standin.requests == []


def test_setup_stops_with_the_same_words(standin) -> None:
    with pytest.raises(setup_command.SetupError) as stopped:
        setup_command.verify(keys(standin.base_url, private_key="not-the-key"), "")
    assert str(stopped.value) == f"{keycheck.REJECTED_KEYS} Nothing was stored."
    assert setup_command.verify(keys(standin.base_url), "") == "v2025.1.12345"
