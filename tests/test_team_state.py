"""The team server's shared state on a real PostgreSQL: migrations, the key vault, saved queries, the audit.

Each test gets a new empty database on the session's server (``tests/postgres.py``); the
ConnectWise calls go to the stand-in on 127.0.0.1.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from conftest import CLIENT_ID, COMPANY, PRIVATE_KEY, PUBLIC_KEY, REPO
from cwm_gateway import saved_queries
from cwm_gateway.execution import Executor, Policy
from cwm_gateway.memory import MemoryStore
from cwm_gateway.results import ToolError
from cwm_gateway.team.audit import SubjectAudit
from cwm_gateway.team.database import MIGRATIONS_TABLE, SCHEMA_VERSION, Database, DatabaseError
from cwm_gateway.team.saved_queries import SubjectMemory
from cwm_gateway.team.vault import KeyVault, SecretKeyError, VaultError, new_secret_key, settings_for
from postgres import free_port

TICKETS = "/service/tickets"
OPEN = {"conditions": "closedFlag=false"}


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.migrate()
    yield database
    database.close()


def alice_keys(api_url: str = "http://127.0.0.1:9/v4_6_release/apis/3.0") -> dict[str, str]:
    return {
        "api_url": api_url,
        "company_id": COMPANY,
        "public_key": PUBLIC_KEY,
        "private_key": PRIVATE_KEY,
        "client_id": CLIENT_ID,
    }


def at_once(count: int, action: Callable[[int], Any]) -> list[Any]:
    """Run ``action(i)`` in ``count`` threads released together; their results, or the first exception."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(number: int) -> None:
        barrier.wait()
        try:
            results[number] = action(number)
        except BaseException as exc:
            results[number] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


# -- migrations -----------------------------------------------------------------------------------------------------


def applied(url: str) -> list[int]:
    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute(f"SELECT version FROM {MIGRATIONS_TABLE} ORDER BY version")]


def test_migrate_creates_the_schema_once_and_again_changes_nothing(database_url: str) -> None:
    with Database(database_url) as database:
        assert database.schema_version() == 0
        assert database.migrate() == SCHEMA_VERSION
        memory = SubjectMemory(database, "alice")
        memory.save("GET", TICKETS, TICKETS, "open tickets", OPEN)
        assert database.migrate() == SCHEMA_VERSION  # a replica restarting
        assert database.schema_version() == SCHEMA_VERSION
        assert [q.description for q in memory.list()] == ["open tickets"]  # nothing was recreated
    assert applied(database_url) == list(range(1, SCHEMA_VERSION + 1))


def test_replicas_starting_at_once_migrate_exactly_once(database_url: str) -> None:
    replicas = [Database(database_url) for _ in range(6)]
    try:
        assert at_once(len(replicas), lambda n: replicas[n].migrate()) == [SCHEMA_VERSION] * len(replicas)
    finally:
        for replica in replicas:
            replica.close()
    assert applied(database_url) == list(range(1, SCHEMA_VERSION + 1))


def test_a_database_from_a_newer_version_is_refused_untouched(db: Database, database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} (version) VALUES (%s)", (SCHEMA_VERSION + 1,))
    with pytest.raises(DatabaseError, match="newer cwm-gateway"):
        db.migrate()


def test_an_unreachable_database_says_so_without_its_password() -> None:
    database = Database(f"postgresql://cwm:hunter2secret@127.0.0.1:{free_port()}/cwm")
    with pytest.raises(DatabaseError) as failed:
        database.migrate()
    message = str(failed.value)
    assert "hunter2secret" not in message and "cannot be used" in message and "CWM_DATABASE_URL" in message


@pytest.mark.parametrize(
    ("url", "said"),
    [("", "CWM_DATABASE_URL is not set"), ("mysql://u:topsecret@db/cwm", "must be a postgresql:// URL")],
)
def test_a_database_url_that_is_not_postgresql_is_refused(url: str, said: str) -> None:
    with pytest.raises(DatabaseError, match=said) as refused:
        Database(url)
    assert "topsecret" not in str(refused.value)


# -- the key vault --------------------------------------------------------------------------------------------------


def test_vault_round_trip_list_and_remove(db: Database) -> None:
    vault = KeyVault(db, new_secret_key())
    assert vault.keys_for("alice") is None
    vault.set_keys("alice", alice_keys())
    assert vault.keys_for("alice") == alice_keys()
    assert vault.keys_for("bob") is None

    vault.set_keys("alice", {**alice_keys(), "company_id": "other"})  # set again: replaced
    (listed,) = vault.list()
    assert listed["subject"] == "alice" and listed["company_id"] == "other"
    assert listed["api_url"] == alice_keys()["api_url"] and len(listed["public_key_fingerprint"]) == 8
    assert PRIVATE_KEY not in str(listed) and PUBLIC_KEY not in str(listed)

    assert vault.remove("alice") is True
    assert vault.remove("alice") is False
    assert vault.keys_for("alice") is None and vault.list() == []


def test_keys_missing_a_value_are_refused(db: Database) -> None:
    vault = KeyVault(db, new_secret_key())
    with pytest.raises(VaultError, match="lack private_key"):
        vault.set_keys("alice", {**alice_keys(), "private_key": " "})
    assert vault.list() == []


def test_a_wrong_secret_key_is_a_clear_error_not_garbage(db: Database) -> None:
    KeyVault(db, new_secret_key()).set_keys("alice", alice_keys())
    with pytest.raises(SecretKeyError) as wrong:
        KeyVault(db, new_secret_key()).keys_for("alice")
    message = str(wrong.value)
    assert "CWM_SECRET_KEY is not the key they were stored with" in message
    assert PRIVATE_KEY not in message


@pytest.mark.parametrize(
    ("secret", "said"),
    [("", "CWM_SECRET_KEY is not set"), ("not-a-key", "is not a Fernet key"), ("x" * 44, "is not a Fernet key")],
)
def test_an_unusable_secret_key_is_refused_at_once(db: Database, secret: str, said: str) -> None:
    with pytest.raises(SecretKeyError, match=said) as refused:
        KeyVault(db, secret)
    assert "users new-secret-key" in str(refused.value)


def test_rotating_the_secret_key_reads_old_rows_and_seals_with_the_new(db: Database) -> None:
    old, new = new_secret_key(), new_secret_key()
    KeyVault(db, old).set_keys("alice", alice_keys())
    rotating = KeyVault(db, f"{new},{old}")
    assert rotating.keys_for("alice") == alice_keys()
    rotating.set_keys("alice", alice_keys())
    assert KeyVault(db, new).keys_for("alice") == alice_keys()


def test_a_row_copied_to_another_subject_is_refused(db: Database, database_url: str) -> None:
    vault = KeyVault(db, new_secret_key())
    vault.set_keys("alice", alice_keys())
    vault.set_keys("mallory", {**alice_keys(), "private_key": "mallorys-own"})
    with psycopg.connect(database_url) as conn:  # someone with database access swaps the sealed values
        conn.execute(
            "UPDATE key_vault SET sealed = (SELECT sealed FROM key_vault WHERE subject = 'alice') "
            "WHERE subject = 'mallory'"
        )
    with pytest.raises(VaultError, match="sealed for another subject") as refused:
        vault.keys_for("mallory")
    assert PRIVATE_KEY not in str(refused.value)
    assert vault.keys_for("alice") == alice_keys()


def test_an_altered_row_is_refused(db: Database, database_url: str) -> None:
    vault = KeyVault(db, new_secret_key())
    vault.set_keys("alice", alice_keys())
    with psycopg.connect(database_url) as conn:
        conn.execute("UPDATE key_vault SET sealed = left(sealed, 60) || 'AAAA' || substr(sealed, 65)")
    with pytest.raises(SecretKeyError, match="or the row was altered"):
        vault.keys_for("alice")


def test_the_private_key_is_not_in_a_database_dump(db: Database, postgres_server, database_url: str) -> None:
    vault = KeyVault(db, new_secret_key())
    vault.set_keys("alice@example.com", alice_keys())
    dump = postgres_server.dump(database_url.rsplit("/", 1)[1])
    assert "alice@example.com" in dump and COMPANY in dump  # the dump has the rows
    assert PRIVATE_KEY not in dump and PUBLIC_KEY not in dump


# -- saved queries --------------------------------------------------------------------------------------------------


def test_subject_memory_has_the_interface_of_memory_store() -> None:
    for name, method in inspect.getmembers(MemoryStore, inspect.isfunction):
        if name.startswith("_"):
            continue
        assert hasattr(SubjectMemory, name), name
        assert inspect.signature(getattr(SubjectMemory, name)) == inspect.signature(method), name


def test_saved_queries_are_private_to_their_subject(db: Database, catalog) -> None:
    alice, bob = SubjectMemory(db, "alice"), SubjectMemory(db, "bob")
    saved = saved_queries.save(alice, catalog, TICKETS, "GET", "open tickets", OPEN, None).data
    query_id = saved["id"]

    assert bob.list() == [] and bob.get(query_id) is None
    assert "No saved queries" in saved_queries.listing(bob, None).text
    runner = Executor(catalog, lambda: settings_for("bob", alice_keys()), Policy(), memory=bob)
    for refused in (
        lambda: saved_queries.run(bob, runner, query_id, None, None),
        lambda: saved_queries.delete(bob, query_id),
    ):
        with pytest.raises(ToolError, match=f"There is no saved query #{query_id}"):
            refused()
    assert bob.delete(query_id) is False and bob.clear() == 0
    bob.record_use(query_id)
    assert bob.best_for("GET", TICKETS) is None and bob.usage_by_endpoint() == {}

    (kept,) = alice.list()
    assert kept.id == query_id and kept.usage_count == 0 and kept.params == OPEN
    assert saved_queries.delete(alice, query_id).data["deleted"]["id"] == query_id
    assert alice.list() == []


def test_text_postgresql_cannot_hold_is_refused_and_nothing_is_saved(db: Database, catalog) -> None:
    alice = SubjectMemory(db, "alice")
    with pytest.raises(ToolError, match=r"NUL character.*Nothing was saved"):
        saved_queries.save(alice, catalog, TICKETS, "GET", "open\x00tickets", OPEN, None)
    saved_queries.save(alice, catalog, TICKETS, "GET", "open tickets", {"conditions": "summary='a\x00b'"}, None)
    assert [q.params for q in alice.list()] == [{"conditions": "summary='a\x00b'"}]  # JSON keeps it, escaped
    assert alice.list("a\x00") == []
    report = alice.import_entries([{"path": TICKETS, "description": "bad\x00name"}])
    assert report.added == 0 and "NUL" in report.refused[0]


def test_the_same_query_saved_by_two_subjects_is_two_entries(db: Database) -> None:
    (a, created_a), (b, created_b) = (
        SubjectMemory(db, subject).save("GET", TICKETS, TICKETS, "open", OPEN) for subject in ("alice", "bob")
    )
    assert created_a and created_b and a.id != b.id
    again, created = SubjectMemory(db, "alice").save("get", TICKETS, TICKETS, "open, renamed", OPEN)
    assert (again.id, created, again.description) == (a.id, False, "open, renamed")


def test_two_replicas_see_each_others_writes_at_once(database_url: str) -> None:
    first, second = Database(database_url), Database(database_url)
    try:
        first.migrate()
        one, two = SubjectMemory(first, "alice"), SubjectMemory(second, "alice")
        entry, _ = one.save("GET", TICKETS, TICKETS, "open tickets", OPEN)
        assert [q.id for q in two.list()] == [entry.id] and two.get(entry.id) == entry
        two.record_use(entry.id)
        assert one.get(entry.id).usage_count == 1 and one.best_for("GET", TICKETS).id == entry.id
        assert two.delete(entry.id) is True
        assert one.list() == [] and one.get(entry.id) is None
    finally:
        first.close()
        second.close()


def test_a_save_in_another_process_is_listed_here_at_once(db: Database, database_url: str) -> None:
    here = SubjectMemory(db, "alice")
    assert here.list() == []  # the pool is open: whatever it shows next is not a first read
    script = (
        "import sys\n"
        "from cwm_gateway.team.database import Database\n"
        "from cwm_gateway.team.saved_queries import SubjectMemory\n"
        "with Database(sys.argv[1]) as db:\n"
        "    entry, _ = SubjectMemory(db, 'alice').save('GET', '/service/tickets', '/service/tickets', 'other', None)\n"
        "    SubjectMemory(db, 'alice').record_use(entry.id)\n"
        "    print(entry.id)\n"
    )
    env = {"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script, database_url], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    (entry,) = here.list()
    assert (entry.id, entry.description, entry.usage_count) == (int(done.stdout), "other", 1)
    db.ping()


def test_concurrent_uses_and_saves_on_two_replicas_lose_nothing(database_url: str) -> None:
    first, second = Database(database_url, max_size=4), Database(database_url, max_size=4)
    try:
        first.migrate()
        stores = [SubjectMemory(first, "alice"), SubjectMemory(second, "alice")]
        entry, _ = stores[0].save("GET", TICKETS, TICKETS, "open tickets", OPEN)
        at_once(16, lambda n: [stores[n % 2].record_use(entry.id) for _ in range(5)])
        assert stores[1].get(entry.id).usage_count == 80
        saves = at_once(8, lambda n: stores[n % 2].save("GET", TICKETS, TICKETS, f"same query {n}", {"page": "2"}))
        assert sum(created for _, created in saves) == 1 and len({q.id for q, _ in saves}) == 1
        distinct = at_once(8, lambda n: stores[n % 2].save("GET", TICKETS, TICKETS, "page", {"page": str(n + 10)}))
        assert all(created for _, created in distinct) and len(stores[0].list()) == 10
    finally:
        first.close()
        second.close()


def test_search_usage_and_export_import_per_subject(db: Database) -> None:
    alice = SubjectMemory(db, "alice")
    tickets, _ = alice.save("GET", TICKETS, TICKETS, "100% open_tickets", OPEN)
    companies, _ = alice.save("GET", "/company/companies", "/company/companies", "all companies", {"pageSize": "5"})
    alice.record_use(companies.id)
    alice.record_use(companies.id)
    alice.record_use(tickets.id)
    assert [q.id for q in alice.list()] == [companies.id, tickets.id]  # most used first
    assert [q.id for q in alice.list("100%")] == [tickets.id]
    assert alice.list("1_0") == []  # _ is text here, not a wildcard
    assert alice.usage_by_endpoint() == {("GET", TICKETS): 1, ("GET", "/company/companies"): 2}

    entries, unreadable = alice.export()
    assert unreadable == [] and len(entries) == 2
    bob = SubjectMemory(db, "bob")
    report = bob.import_entries([*entries, {"path": "relative"}])
    assert (report.added, report.duplicates, len(report.refused)) == (2, 0, 1)
    assert bob.import_entries(entries).duplicates == 2
    assert {q.description for q in bob.list()} == {q.description for q in alice.list()}
    assert alice.clear() == 2 and len(bob.list()) == 2


# -- through the execution pipeline: reuse, usage counts, the audit -------------------------------------------------


def test_a_subjects_calls_count_uses_and_are_audited_under_its_name(db: Database, catalog, standin) -> None:
    standin.reset()
    memory, audit = SubjectMemory(db, "alice"), SubjectAudit(db, "alice")
    keys = alice_keys(standin.base_url)
    executor = Executor(catalog, lambda: settings_for("alice", keys), Policy(), memory=memory, audit=audit.record)
    entry, _ = memory.save("GET", TICKETS, TICKETS, "open tickets", {"pageSize": "3"})

    executor.run_saved(memory.get(entry.id))
    executor.execute(TICKETS)  # no params: reuses the saved ones, and counts the use
    assert standin.requests[-1].query.get("pageSize") == "3"
    assert memory.get(entry.id).usage_count == 2

    body = {"summary": "Printer on fire", "board": {"id": 1}, "company": {"id": 251}}
    assert executor.execute(TICKETS, "POST", data=body).data["status"] == 201
    with pytest.raises(ToolError):
        executor.execute(f"{TICKETS}/999999", "PATCH", data=[{"op": "replace", "path": "summary", "value": "x"}])
    rows = audit.recent()
    assert [(r["operation"], r["status"], r["outcome"]) for r in rows] == [
        ("PATCH /service/tickets/{id}", 404, "error"),
        ("POST /service/tickets", 201, "ok"),
    ]
    assert all(r["subject"] == "alice" for r in rows)
    assert SubjectAudit(db, "bob").recent() == []
    assert PRIVATE_KEY not in str(rows)


def test_an_unwritable_audit_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    unreachable = Database(f"postgresql://cwm:pw@127.0.0.1:{free_port()}/cwm", timeout=1)
    SubjectAudit(unreachable, "alice").record("POST", TICKETS, TICKETS, 201, 10, "ok")
    unreachable.close()
    assert "could not write the audit trail for alice" in caplog.text


# -- the stdio product stays light ----------------------------------------------------------------------------------


def test_the_stdio_server_loads_no_team_server_package(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from cwm_gateway import cli\n"
        "from cwm_gateway.runtime import Runtime\n"
        "from cwm_gateway.server import build_server\n"
        "cli.build_parser()\n"
        "build_server(Runtime())\n"
        "names = ('psycopg', 'psycopg_pool', 'cryptography.fernet', 'cwm_gateway.team.database',"
        " 'cwm_gateway.team.vault', 'cwm_gateway.team.saved_queries', 'cwm_gateway.team.audit')\n"
        "print(sorted(name for name in names if name in sys.modules))\n"
    )
    env = {
        "PYTHONPATH": str(REPO / "src"),
        "HOME": str(tmp_path),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
