"""Fast memory through the MCP tools: persistence, concurrency, crash safety, reuse, moving in and out."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import connectwise_env, gateway, isolated_env, launch
from cwm_gateway.memory import MemoryStore
from mcp_client import McpSession

DB = Path("data") / "cwm-gateway" / "fast_memory.db"


def start(home: Path, catalog: Path, standin=None):
    return gateway(home, catalog, connectwise_env(standin) if standin else {})


def test_saved_queries_survive_a_restart(built_catalog: Path, tmp_path: Path) -> None:
    with start(tmp_path, built_catalog) as session:
        saved = session.call(
            "save_to_fast_memory",
            path="/service/tickets",
            method="GET",
            description="open tickets",
            params={"conditions": "closedFlag=false"},
        )
        assert not saved.is_error, saved.text
        assert saved.data["id"] == 1
    with start(tmp_path, built_catalog) as session:
        listed = session.call("list_fast_memory")
        assert [q["description"] for q in listed.data["queries"]] == ["open tickets"]
        assert listed.data["queries"][0]["params"] == {"conditions": "closedFlag=false"}
    assert (tmp_path / DB).is_file()  # under the user data directory, not inside the package


def test_several_entries_per_endpoint_and_full_json_in_listings(built_catalog: Path, tmp_path: Path) -> None:
    long_conditions = " or ".join(f"id={n}" for n in range(1, 600))  # several KB: never cut
    with start(tmp_path, built_catalog) as session:
        session.call(
            "save_to_fast_memory",
            path="/service/tickets",
            method="GET",
            description="all open",
            params={"conditions": "closedFlag=false"},
        )
        session.call(
            "save_to_fast_memory",
            path="/service/tickets",
            method="GET",
            description="many ids",
            params={"conditions": long_conditions},
        )
        again = session.call(
            "save_to_fast_memory",
            path="/service/tickets",
            method="GET",
            description="renamed",
            params={"conditions": "closedFlag=false"},
        )
        assert again.data["created"] is False  # the same query is kept once
        listed = session.call("list_fast_memory")
        assert listed.data["total"] == 2
        assert any(q["params"]["conditions"] == long_conditions for q in listed.data["queries"])
        assert long_conditions in listed.text
        found = session.call("list_fast_memory", search_term="many")
        assert [q["description"] for q in found.data["queries"]] == ["many ids"]
        bad = session.call("save_to_fast_memory", path="/service/nowhere", method="GET", description="x")
        assert bad.is_error and "nothing was saved" in bad.text


def test_delete_and_clear(built_catalog: Path, tmp_path: Path) -> None:
    with start(tmp_path, built_catalog) as session:
        for n in range(3):
            session.call(
                "save_to_fast_memory",
                path="/service/boards",
                method="GET",
                description=f"boards {n}",
                params={"pageSize": n + 1},
            )
        assert not session.call("delete_from_fast_memory", query_id=2).is_error
        missing = session.call("delete_from_fast_memory", query_id=2)
        assert missing.is_error and "no saved query #2" in missing.text
        cleared = session.call("clear_fast_memory")
        assert cleared.data["deleted"] == 2
        assert session.call("list_fast_memory").data["total"] == 0


def test_two_servers_saving_at_once_lose_nothing(built_catalog: Path, tmp_path: Path) -> None:
    errors: list[str] = []

    def burst(session: McpSession, tag: str) -> None:
        for n in range(25):
            result = session.call(
                "save_to_fast_memory",
                path="/service/tickets",
                method="GET",
                description=f"{tag} {n}",
                params={"pageSize": n, "tag": tag},
            )
            if result.is_error:
                errors.append(result.text)

    with start(tmp_path, built_catalog) as first, start(tmp_path, built_catalog) as second:
        threads = [threading.Thread(target=burst, args=(s, t)) for s, t in ((first, "a"), (second, "b"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert first.call("list_fast_memory").data["total"] == 50
    assert sqlite3.connect(tmp_path / DB).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_server_starting_while_another_writes_the_new_file_waits_for_it(tmp_path: Path) -> None:
    # Two servers starting together: one is still writing the brand-new file when the other opens it.
    path = tmp_path / "fast_memory.db"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE other_process (n)")
    writer.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, writer.execute, ("COMMIT",)).start()
    entry, created = MemoryStore(path).save("GET", "/service/boards", "/service/boards", "boards", {"pageSize": "5"})
    assert created and MemoryStore(path).get(entry.id).description == "boards"
    writer.close()


def test_a_server_killed_mid_burst_leaves_an_intact_database(built_catalog: Path, tmp_path: Path) -> None:
    command, args, env = launch("pyz", isolated_env(tmp_path, CWM_CATALOG=str(built_catalog)))
    process = subprocess.Popen(
        [command, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    init = {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
    process.stdin.write(
        json.dumps(init) + "\n" + json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n"
    )
    process.stdin.flush()
    assert json.loads(process.stdout.readline())["id"] == 0
    burst = 2000
    calls = [
        {
            "jsonrpc": "2.0",
            "id": n,
            "method": "tools/call",
            "params": {
                "name": "save_to_fast_memory",
                "arguments": {
                    "path": "/service/tickets",
                    "method": "GET",
                    "description": f"burst {n}",
                    "params": {"pageSize": n},
                },
            },
        }
        for n in range(1, burst + 1)
    ]

    def feed() -> None:  # in a thread: the pipe fills long before the burst is written
        with contextlib.suppress(OSError, ValueError):
            for call in calls:
                process.stdin.write(json.dumps(call) + "\n")
            process.stdin.flush()

    threading.Thread(target=feed, daemon=True).start()
    answered, deadline = 0, time.monotonic() + 60
    while answered < 20:  # let the burst get going, then kill it mid-write
        assert time.monotonic() < deadline and process.poll() is None, "the server stopped answering"
        if process.stdout.readline():
            answered += 1
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    database = sqlite3.connect(tmp_path / DB)
    assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    saved = database.execute("SELECT count(*) FROM saved_queries").fetchone()[0]
    assert 20 <= saved < burst  # killed part-way through the burst
    with start(tmp_path, built_catalog) as session:  # and the next server carries on
        assert session.call("list_fast_memory").data["total"] == saved


def test_get_without_params_reuses_the_saved_ones(standin, built_catalog: Path, tmp_path: Path) -> None:
    standin.reset()
    with start(tmp_path, built_catalog, standin) as session:
        session.call(
            "save_to_fast_memory",
            path="/service/tickets",
            method="GET",
            description="new tickets",
            params={"conditions": "status/name='New'", "pageSize": 3},
        )
        result = session.call("execute_api_call", path="/service/tickets")
        assert not result.is_error, result.text
        assert result.data["saved_query"]["description"] == "new tickets"
        assert "saved query #1" in result.text and "status/name='New'" in result.text
        sent = [r for r in standin.requests if r.path.endswith("/service/tickets")][-1]
        assert sent.query == {"conditions": "status/name='New'", "pageSize": "3"}
        assert "save_hint" not in result.data
        explicit = session.call("execute_api_call", path="/service/tickets", params={"pageSize": 1})
        assert "saved_query" not in explicit.data and explicit.data["item_count"] == 1
        listed = session.call("list_fast_memory").data["queries"][0]
        assert listed["usage_count"] == 1 and listed["last_used"]


def test_a_saved_body_is_never_replayed_silently(standin, built_catalog: Path, tmp_path: Path) -> None:
    standin.reset()
    body = {"summary": "Weekly check", "board": {"id": 1}, "company": {"id": 251}}
    with start(tmp_path, built_catalog, standin) as session:
        saved = session.call(
            "save_to_fast_memory", path="/service/tickets", method="POST", description="weekly check ticket", data=body
        )
        before = len(standin.requests)
        refused = session.call("execute_api_call", path="/service/tickets", method="POST")
        assert refused.is_error and f"run_saved_query({saved.data['id']})" in refused.text
        assert len(standin.requests) == before
        ran = session.call("run_saved_query", query_id=saved.data["id"], data={**body, "summary": "Override"})
        assert not ran.is_error, ran.text
        assert ran.data["data"]["summary"] == "Override"
        assert session.call("list_fast_memory").data["queries"][0]["usage_count"] == 1


def test_run_saved_query_applies_every_safety_rule(standin, built_catalog: Path, tmp_path: Path) -> None:
    standin.reset()
    with start(tmp_path, built_catalog, standin) as session:
        saved = session.call(
            "save_to_fast_memory", path="/service/tickets/1005", method="DELETE", description="remove the test ticket"
        )
        refused = session.call("run_saved_query", query_id=saved.data["id"])
        assert refused.is_error and "confirm=true" in refused.text
        override = session.call(
            "save_to_fast_memory",
            path="/service/tickets",
            method="GET",
            description="by status",
            params={"conditions": "status/name='New'"},
        )
        typo = session.call("run_saved_query", query_id=override.data["id"], params={"conditions": "status/nam='x'"})
        assert typo.is_error and "status/name" in typo.text
        missing = session.call("run_saved_query", query_id=999)
        assert missing.is_error


def test_most_used_queries_list_first(standin, built_catalog: Path, tmp_path: Path) -> None:
    standin.reset()
    with start(tmp_path, built_catalog, standin) as session:
        session.call(
            "save_to_fast_memory", path="/service/boards", method="GET", description="boards", params={"pageSize": 5}
        )
        session.call(
            "save_to_fast_memory",
            path="/service/priorities",
            method="GET",
            description="priorities",
            params={"pageSize": 5},
        )
        for _ in range(2):
            session.call("run_saved_query", query_id=2)
        assert [q["description"] for q in session.call("list_fast_memory").data["queries"]] == ["priorities", "boards"]


def run_cli(home: Path, catalog: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    command, base, env = launch("pyz", isolated_env(home, CWM_CATALOG=str(catalog)))
    return subprocess.run(
        [command, *base, *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        timeout=60,
    )


def test_export_import_round_trip_without_duplicates(built_catalog: Path, tmp_path: Path) -> None:
    source, target = tmp_path / "a", tmp_path / "b"
    with start(source, built_catalog) as session:
        session.call(
            "save_to_fast_memory",
            path="/service/tickets/{id}",
            method="PATCH",
            description="close",
            data=[{"op": "replace", "path": "closedFlag", "value": True}],
        )
        session.call(
            "save_to_fast_memory",
            path="/company/companies",
            method="GET",
            description="clients",
            params={"conditions": "deletedFlag=false"},
        )
    exported = run_cli(source, built_catalog, "memory", "export", str(tmp_path / "saved.json"))
    assert exported.returncode == 0, exported.stderr
    document = json.loads((tmp_path / "saved.json").read_text())
    assert len(document["queries"]) == 2
    for _ in range(2):
        imported = run_cli(target, built_catalog, "memory", "import", str(tmp_path / "saved.json"))
        assert imported.returncode == 0, imported.stderr
    assert "0 saved queries" in imported.stdout  # the second import adds nothing
    with start(target, built_catalog) as session:
        queries = session.call("list_fast_memory").data["queries"]
        assert sorted(q["description"] for q in queries) == ["clients", "close"]
        assert next(q for q in queries if q["description"] == "close")["data"][0]["path"] == "closedFlag"
    broken = run_cli(target, built_catalog, "memory", "import", "-", stdin="{not json")
    assert broken.returncode == 2 and "memory import" in broken.stderr


def test_import_of_the_seed_products_database(built_catalog: Path, tmp_path: Path) -> None:
    seed = tmp_path / "fast_memory_api.db"
    conn = sqlite3.connect(seed)
    conn.execute(
        "CREATE TABLE saved_queries (id INTEGER PRIMARY KEY AUTOINCREMENT, description TEXT NOT NULL,"
        " path TEXT NOT NULL, method TEXT NOT NULL, params TEXT, data TEXT, timestamp INTEGER NOT NULL,"
        " usage_count INTEGER DEFAULT 0)"
    )
    conn.executemany(
        "INSERT INTO saved_queries (description, path, method, params, data, timestamp, usage_count)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                "Open tickets",
                "/service/tickets",
                "GET",
                json.dumps({"conditions": "closedFlag=false"}),
                None,
                1742313703,
                25,
            ),
            (
                "Ticket 42 status",
                "/service/tickets/42",
                "PATCH",
                None,
                json.dumps([{"op": "replace", "path": "status/id", "value": 5}]),
                1742313000,
                1,
            ),
        ],
    )
    conn.commit()
    conn.close()
    result = run_cli(tmp_path / "home", built_catalog, "memory", "import-seed", str(seed))
    assert result.returncode == 0, result.stderr
    assert "Imported 2" in result.stdout
    with start(tmp_path / "home", built_catalog) as session:
        queries = session.call("list_fast_memory").data["queries"]
        assert queries[0]["description"] == "Open tickets" and queries[0]["usage_count"] == 25
        assert queries[1]["template"] == "/service/tickets/{id}"
        assert queries[0]["created"].startswith("2025-03-18")
    not_seed = run_cli(tmp_path / "home", built_catalog, "memory", "import-seed", str(built_catalog))
    assert not_seed.returncode == 2 and "not a seed" in not_seed.stderr


@pytest.mark.parametrize("bad", ["", "   "])
def test_a_description_is_required(built_catalog: Path, tmp_path: Path, bad: str) -> None:
    with start(tmp_path, built_catalog) as session:
        result = session.call("save_to_fast_memory", path="/service/boards", method="GET", description=bad)
        assert result.is_error and "description" in result.text
        assert not session.call("list_fast_memory").is_error  # the server is still there for the next call


def test_a_corrupt_store_is_a_clear_error_and_search_still_works(built_catalog: Path, tmp_path: Path) -> None:
    (tmp_path / DB).parent.mkdir(parents=True)
    (tmp_path / DB).write_bytes(b"this is not a database" * 200)
    with start(tmp_path, built_catalog) as session:
        listed = session.call("list_fast_memory")
        assert listed.is_error and "could not be used" in listed.text and "CWM_DATA_DIR" in listed.text
        assert not session.call("natural_language_api_search", query="open tickets").is_error


def test_imports_skip_unusable_entries_and_normalise_params(built_catalog: Path, tmp_path: Path) -> None:
    export = tmp_path / "in.json"
    export.write_text(
        json.dumps(
            {
                "queries": [
                    {"description": "bad params", "method": "GET", "path": "/service/boards", "params": "pageSize=5"},
                    {"description": "good", "method": "GET", "path": "/service/boards", "params": {"pageSize": 5}},
                    "not an entry",
                    {"description": "count", "method": "GET", "path": "/service/boards", "usage_count": "many"},
                ]
            }
        )
    )
    result = run_cli(tmp_path, built_catalog, "memory", "import", str(export))
    assert result.returncode == 0 and "Imported 1" in result.stdout
    with start(tmp_path, built_catalog) as session:
        again = session.call(
            "save_to_fast_memory", path="/service/boards", method="GET", description="same", params={"pageSize": "5"}
        )
        assert again.data["created"] is False  # the imported entry is the same query


def test_saving_a_path_with_its_query_keeps_the_query(built_catalog: Path, tmp_path: Path) -> None:
    with start(tmp_path, built_catalog) as session:
        saved = session.call(
            "save_to_fast_memory",
            path="/service/tickets?conditions=closedFlag=false&pageSize=5",
            method="GET",
            description="open",
        )
        assert saved.data["query"]["params"] == {"conditions": "closedFlag=false", "pageSize": "5"}
        assert saved.data["query"]["path"] == "/service/tickets"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_unstorable_bodies_are_refused_and_nothing_is_committed(built_catalog: Path, tmp_path: Path) -> None:
    with start(tmp_path, built_catalog) as session:
        refused = {
            "600 levels": nested(600),
            "65 levels": nested(65),
            "NaN": '{"summary": NaN}',
            "lone surrogate": '{"summary": "\\ud800"}',
        }
        for label, body in refused.items():
            result = session.call(
                "save_to_fast_memory", path="/service/tickets", method="POST", description=label, data=body
            )
            assert result.is_error and "Nothing was saved" in result.text, (label, result.text)
            assert "unexpectedly" not in result.text
        assert (
            "64 levels"
            in session.call(
                "save_to_fast_memory", path="/service/tickets", method="POST", description="deep", data=nested(600)
            ).text
        )
        listed = session.call("list_fast_memory")
        assert not listed.is_error and listed.data["total"] == 0  # a refused save left no row behind
        kept = session.call(
            "save_to_fast_memory", path="/service/tickets", method="POST", description="at the limit", data=nested(64)
        )
        assert not kept.is_error, kept.text
        assert session.call("list_fast_memory").data["queries"][0]["data"] == json.loads(nested(64))
    assert run_cli(tmp_path, built_catalog, "memory", "export").returncode == 0


@pytest.mark.parametrize(
    "path", ["/service//tickets", "/service/tickets/../boards", "/service/tickets@evil.example", "/service/%2e%2e/x"]
)
def test_paths_that_execution_refuses_are_not_saved(built_catalog: Path, tmp_path: Path, path: str) -> None:
    with start(tmp_path, built_catalog) as session:
        result = session.call("save_to_fast_memory", path=path, method="GET", description="sneaky")
        assert result.is_error and "Nothing was saved" in result.text, result.text
        assert session.call("list_fast_memory").data["total"] == 0


def test_imports_refuse_deep_bodies_and_unsafe_paths_naming_each(built_catalog: Path, tmp_path: Path) -> None:
    export = tmp_path / "in.json"
    export.write_text(
        json.dumps(
            {
                "queries": [
                    {
                        "description": "deep",
                        "method": "POST",
                        "path": "/service/tickets",
                        "data": json.loads(nested(600)),
                    },
                    {"description": "escape", "method": "GET", "path": "/service//tickets"},
                    {"description": "good", "method": "GET", "path": "/service/boards", "params": {"pageSize": 5}},
                    "not an entry",
                    {"description": "count", "method": "GET", "path": "/service/boards", "usage_count": "many"},
                ]
            }
        )
    )
    result = run_cli(tmp_path, built_catalog, "memory", "import", str(export))
    assert result.returncode == 0, result.stderr
    assert "Imported 1 saved queries" in result.stdout and "4 unusable" in result.stdout
    assert "entry 1: data cannot be saved: it is nested more than 64 levels deep" in result.stderr
    assert "entry 2: the path '/service//tickets' would be refused" in result.stderr
    assert "entry 4: not an object" in result.stderr and "entry 5: usage_count" in result.stderr
    with start(tmp_path, built_catalog) as session:
        assert [q["description"] for q in session.call("list_fast_memory").data["queries"]] == ["good"]


def test_a_stored_unreadable_row_does_not_wedge_the_others(built_catalog: Path, tmp_path: Path) -> None:
    """A store written before the limits (or by hand) may hold rows that cannot be shown: list the rest."""
    with start(tmp_path, built_catalog) as session:
        session.call(
            "save_to_fast_memory", path="/service/boards", method="GET", description="boards", params={"pageSize": 5}
        )
    database = sqlite3.connect(tmp_path / DB)
    for n, data in enumerate([nested(600), "{not json", '{"summary": "\\ud800"}'], 1):
        database.execute(
            "INSERT INTO saved_queries (description, method, path, template, data, created, fingerprint)"
            " VALUES (?, 'POST', '/service/tickets', '/service/tickets', ?, '2025-01-01T00:00:00+00:00', ?)",
            (f"broken {n}", data, f"broken-{n}"),
        )
    database.commit()
    database.close()
    with start(tmp_path, built_catalog) as session:
        for _ in range(2):  # and the next call too: nothing is wedged
            listed = session.call("list_fast_memory")
            assert not listed.is_error, listed.text
            assert listed.data["total"] == 4
        by_name = {q["description"]: q for q in listed.data["queries"]}
        assert by_name["boards"]["params"] == {"pageSize": "5"} and "unreadable" not in by_name["boards"]
        for n in (1, 2, 3):
            broken = by_name[f"broken {n}"]
            assert broken["data"] is None and "delete_from_fast_memory" in broken["unreadable"]
        assert "UNREADABLE" in listed.text
        ran = session.call("run_saved_query", query_id=by_name["broken 1"]["id"])
        assert ran.is_error and "cannot be run" in ran.text
        assert not session.call("delete_from_fast_memory", query_id=by_name["broken 1"]["id"]).is_error
        assert session.call("list_fast_memory").data["total"] == 3
    exported = run_cli(tmp_path, built_catalog, "memory", "export")
    assert exported.returncode == 0, exported.stderr
    assert [q["description"] for q in json.loads(exported.stdout)["queries"]] == ["boards"]
    assert "left out" in exported.stderr and "broken 2" not in exported.stdout
    listed_cli = run_cli(tmp_path, built_catalog, "memory", "list")
    assert listed_cli.returncode == 0 and "UNREADABLE" in listed_cli.stdout
