"""Per-request runtimes of the team server, in-process on a real PostgreSQL and the stand-in.

Each subject's calls use that subject's keys as the vault holds them at the time of the call;
the shared-key mode still audits who acted.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import CLIENT_ID, COMPANY, PRIVATE_KEY, PUBLIC_KEY
from cwm_gateway import settings
from cwm_gateway.results import ToolError
from cwm_gateway.team import runtime
from cwm_gateway.team.audit import recent
from cwm_gateway.team.database import Database
from cwm_gateway.team.vault import KeyVault, new_secret_key


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    with Database(database_url) as database:
        database.migrate()
        yield database


@pytest.fixture
def catalog_env(built_catalog, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("CWM_CATALOG", str(built_catalog))
    monkeypatch.setenv("CWM_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


def keys(standin, private_key: str = PRIVATE_KEY) -> dict[str, str]:
    return {
        "api_url": standin.base_url,
        "company_id": COMPANY,
        "public_key": PUBLIC_KEY,
        "private_key": private_key,
        "client_id": CLIENT_ID,
    }


def test_changed_or_removed_keys_count_from_the_next_call(db, standin, catalog_env) -> None:
    vault = KeyVault(db, new_secret_key())
    runtime.install(runtime.TeamState(settings.team({}), db, vault))
    vault.set_keys("erin", keys(standin, private_key="an-old-key"))
    erin = runtime.runtime_for("erin", may_write=False)

    standin.reset()
    with pytest.raises(ToolError, match=r"rejected the keys stored for you .* users set-keys erin"):  # old key
        erin.executor().execute("/system/info")
    vault.set_keys("erin", keys(standin))
    assert not erin.executor().execute("/system/info").is_error
    assert [r.authorized for r in standin.requests] == [False, True]

    vault.remove("erin")
    with pytest.raises(runtime.NoKeysError, match="users set-keys erin"):
        erin.executor()


def test_shared_keys_still_audit_each_subject(db, standin, catalog_env, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "CONNECTWISE_API_URL": standin.base_url,
        "CONNECTWISE_COMPANY_ID": COMPANY,
        "CONNECTWISE_PUBLIC_KEY": PUBLIC_KEY,
        "CONNECTWISE_PRIVATE_KEY": PRIVATE_KEY,
        "CONNECTWISE_CLIENT_ID": CLIENT_ID,
    }.items():
        monkeypatch.setenv(name, value)
    runtime.install(runtime.TeamState(settings.team({"CWM_SHARED_KEYS": "1"}), db, None))
    standin.reset()
    ticket = standin.records("/service/tickets")[0]["id"]
    for subject in ("frank", "grace"):
        done = (
            runtime.runtime_for(subject, may_write=True)
            .executor()
            .execute(f"/service/tickets/{ticket}", "PATCH", data={"summary": f"by {subject}"})
        )
        assert not done.is_error, done
    assert [row["subject"] for row in recent(db, 5)] == ["grace", "frank"]
    assert all(r.authorized for r in standin.requests)
