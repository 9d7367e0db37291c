"""``cwm-gateway users``: keys checked with ConnectWise (the stand-in) before they are stored, on a real PostgreSQL."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet

from conftest import CLIENT_ID, COMPANY, PRIVATE_KEY, PUBLIC_KEY
from cwm_gateway import cli, logs
from cwm_gateway.team.database import Database
from cwm_gateway.team.vault import KeyVault, new_secret_key
from postgres import free_port

SUBJECT = "3f1c2a9e-alice@contoso.com"


@pytest.fixture
def team(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[dict[str, str]]:
    """The environment of an admin running ``users``: the database and the secret key, nothing else."""
    monkeypatch.setattr(logs, "configure", lambda **kwargs: None)  # the test session keeps its own logging
    for name in ("CWM_DATA_DIR", "CWM_CONFIG_DIR", "CWM_LOG_DIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    env = {"CWM_DATABASE_URL": database_url, "CWM_SECRET_KEY": new_secret_key()}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield env


def users(monkeypatch: pytest.MonkeyPatch, *argv: str, private_key: str = PRIVATE_KEY) -> tuple[int, str, str]:
    """Run ``cwm-gateway users ARGV`` with ``private_key`` on standard input: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO(private_key + "\n"))
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = cli.main(["users", *argv])
    return code, out.getvalue(), err.getvalue()


def set_keys(monkeypatch: pytest.MonkeyPatch, where: list[str], private_key: str = PRIVATE_KEY, subject: str = SUBJECT):
    given = ["--company-id", COMPANY, "--public-key", PUBLIC_KEY, "--client-id", CLIENT_ID, "--private-key-stdin"]
    return users(monkeypatch, "set-keys", subject, *where, *given, private_key=private_key)


def stored(team: dict[str, str], subject: str = SUBJECT) -> dict[str, str] | None:
    with Database(team["CWM_DATABASE_URL"]) as database:
        return KeyVault(database, team["CWM_SECRET_KEY"]).keys_for(subject)


def test_set_keys_checks_them_with_connectwise_then_stores_them(team, standin, monkeypatch) -> None:
    standin.reset()
    code, out, err = set_keys(monkeypatch, ["--api-url", standin.base_url])
    assert code == cli.OK, err
    assert f"sent to {standin.origin} only" in out and "Verified" in out and "encrypted" in out
    assert [r.path for r in standin.requests] == [f"{standin.api_root}/system/info"]
    assert stored(team) == {
        "api_url": standin.base_url,
        "company_id": COMPANY,
        "public_key": PUBLIC_KEY,
        "private_key": PRIVATE_KEY,
        "client_id": CLIENT_ID,
    }
    assert PRIVATE_KEY not in out + err


def test_set_keys_finds_the_api_url_from_the_site(team, standin, monkeypatch) -> None:
    code, _, err = set_keys(monkeypatch, ["--site", standin.origin])
    assert code == cli.OK, err
    assert stored(team)["api_url"] == f"{standin.origin}/v4_6_release/apis/3.0"


def test_keys_connectwise_rejects_are_not_stored(team, standin, monkeypatch) -> None:
    standin.reset()
    code, out, err = set_keys(monkeypatch, ["--api-url", standin.base_url], private_key="not-the-key")
    assert code == cli.FAILED
    assert "ConnectWise rejected the keys (401)" in err and "Nothing was stored." in err
    assert "not-the-key" not in out + err
    assert stored(team) is None
    assert users(monkeypatch, "list")[1].startswith("No user has keys yet")


def test_list_shows_who_has_keys_and_no_secrets(team, standin, monkeypatch) -> None:
    assert set_keys(monkeypatch, ["--api-url", standin.base_url])[0] == cli.OK
    assert set_keys(monkeypatch, ["--api-url", standin.base_url], subject="bob")[0] == cli.OK
    monkeypatch.delenv("CWM_SECRET_KEY")  # listing opens no sealed row, so it needs no secret key
    code, out, err = users(monkeypatch, "list")
    assert code == cli.OK, err
    assert SUBJECT in out and "bob" in out and standin.base_url in out and COMPANY in out
    assert PRIVATE_KEY not in out and PUBLIC_KEY not in out
    code, out, _ = users(monkeypatch, "list", "--json")
    rows = json.loads(out)
    assert [row["subject"] for row in rows] == sorted([SUBJECT, "bob"])
    assert set(rows[0]) == {"subject", "api_url", "company_id", "public_key_fingerprint", "updated"}


def test_remove_forgets_a_users_keys(team, standin, monkeypatch) -> None:
    assert set_keys(monkeypatch, ["--api-url", standin.base_url])[0] == cli.OK
    code, out, err = users(monkeypatch, "remove", SUBJECT)
    assert code == cli.OK and "Removed the keys" in out, err
    assert stored(team) is None
    code, _, err = users(monkeypatch, "remove", SUBJECT)
    assert code == cli.FAILED and "has no stored keys" in err and "users list" in err


def test_new_secret_key_prints_a_fresh_fernet_key(monkeypatch) -> None:
    first, second = (users(monkeypatch, "new-secret-key") for _ in range(2))
    assert first[0] == cli.OK and first[1] != second[1]
    Fernet(first[1].strip())  # usable as CWM_SECRET_KEY
    assert "CWM_SECRET_KEY" in first[2]


@pytest.mark.parametrize(
    ("change", "code", "said"),
    [
        ({"CWM_DATABASE_URL": None}, cli.UNUSABLE_INPUT, "CWM_DATABASE_URL is not set"),
        ({"CWM_SECRET_KEY": None}, cli.UNUSABLE_INPUT, "CWM_SECRET_KEY is not set"),
        ({"CWM_SECRET_KEY": "hunter2"}, cli.UNUSABLE_INPUT, "CWM_SECRET_KEY is not a Fernet key"),
        ({"CWM_DATABASE_URL": "postgresql://cwm:dbpassword@127.0.0.1:{port}/cwm"}, cli.FAILED, "cannot be used"),
    ],
)
def test_set_keys_stops_before_sending_anything_when_the_team_settings_are_unusable(
    team, standin, monkeypatch, change: dict[str, str | None], code: int, said: str
) -> None:
    for name, value in change.items():
        if value is None:
            monkeypatch.delenv(name)
        else:
            monkeypatch.setenv(name, value.format(port=free_port()))
    standin.reset()
    got, _, err = set_keys(monkeypatch, ["--api-url", standin.base_url])
    assert got == code and said in err, err
    assert err.startswith("cwm-gateway users set-keys: ")
    assert "dbpassword" not in err and "hunter2" not in err
    assert standin.requests == []  # the keys were not sent


def test_an_unreachable_database_fails_list_and_remove_plainly(team, monkeypatch) -> None:
    monkeypatch.setenv("CWM_DATABASE_URL", f"postgresql://cwm:dbpassword@127.0.0.1:{free_port()}/cwm")
    for argv in (["list"], ["remove", SUBJECT]):
        code, _, err = users(monkeypatch, *argv)
        assert code == cli.FAILED and "cannot be used" in err and "dbpassword" not in err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--api-url", "http://example.com/v4_6_release/apis/3.0"], "http:// only for 127.0.0.1"),
        (["--api-url", "https://api-na.myconnectwise.net/v4_6_release"], "lacks the API's base path"),
    ],
)
def test_an_api_url_keys_may_not_go_to_is_refused(team, standin, monkeypatch, argv: list[str], said: str) -> None:
    code, _, err = set_keys(monkeypatch, argv)
    assert code == cli.UNUSABLE_INPUT and said in err and "Nothing was stored" in err
    assert stored(team) is None


def test_missing_values_and_a_bad_client_id_are_named(team, standin, monkeypatch) -> None:
    code, _, err = users(monkeypatch, "set-keys", SUBJECT, "--api-url", standin.base_url, private_key="")
    assert code == cli.UNUSABLE_INPUT
    assert "--company-id" in err and "--public-key" in err and "--client-id" in err and "--private-key-stdin" in err
    code, _, err = users(
        monkeypatch, "set-keys", SUBJECT, "--api-url", standin.base_url, "--company-id", COMPANY,
        "--public-key", PUBLIC_KEY, "--client-id", COMPANY, "--private-key-stdin",
    )  # fmt: skip
    assert code == cli.UNUSABLE_INPUT and "is not a GUID" in err
