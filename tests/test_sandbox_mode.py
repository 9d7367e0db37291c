"""``serve --sandbox`` over MCP stdio: sample data a technician can ask about, its own scratch state
that leaves the user's real fast memory and audit log alone, and ``--port``."""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
import subprocess
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import isolated_env, launch
from inprocess import inprocess_gateway
from mcp_client import McpSession


def sandbox(home: Path, *extra: str, kind: str = "inprocess", **env_extra: str):
    """A sandbox session: built in-process as ``serve --sandbox`` builds it, or (``kind="pyz"``/``"module"``)
    that command over stdio, its temporary files in ``home/tmp`` so a test can see them come and go."""
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    env = isolated_env(home, TMPDIR=str(home / "tmp"), **env_extra)
    if kind == "inprocess":
        assert not extra, "command-line options need the command: use kind='pyz'"
        return inprocess_gateway(home, env, sandbox=True)
    command, args, env = launch(kind, env)
    return McpSession.start(command, [*args, "serve", "--sandbox", *extra], env)


def scratch_dirs(home: Path) -> list[Path]:
    return sorted((home / "tmp").glob("cwm-gateway-sandbox-*"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def when(day: date) -> str:
    return f"[{day.isoformat()}T00:00:00Z]"


def month_after(day: date, months: int = 1) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def working_day(start: date, step: int) -> date:
    """The first Monday-to-Friday day from ``start + step`` on, going in ``step``'s direction."""
    day = start + timedelta(days=step)
    while day.weekday() >= 5:
        day += timedelta(days=step)
    return day


def listed(session: McpSession, path: str, **params) -> list[dict]:
    result = session.call("execute_api_call", path=path, params={"pageSize": 1000, **params})
    assert not result.is_error, result.text
    return result.data["data"]


def test_sandbox_serves_sample_data_and_says_so(tmp_path: Path, built_catalog: Path) -> None:
    with sandbox(tmp_path, CWM_CATALOG=str(built_catalog)) as session:
        tickets = session.call("execute_api_call", path="/service/tickets", params={"pageSize": 3})
        assert not tickets.is_error, tickets.text
        assert tickets.text.startswith("[SANDBOX: sample data")
        assert "sample data" in tickets.data["data_source"] and tickets.data["item_count"] == 3
        search = session.call("natural_language_api_search", query="open tickets")
        assert "SANDBOX" in search.text
        saved = session.call(
            "save_to_fast_memory", path="/service/boards", method="GET", description="boards", params={"pageSize": 5}
        )
        assert not saved.is_error
        run = session.call("run_saved_query", query_id=saved.data["id"])
        assert not run.is_error and run.data["item_count"] == 5
        created = session.call(
            "execute_api_call",
            path="/service/tickets",
            method="POST",
            data={"summary": "Try me", "board": {"id": 1}, "company": {"id": 251}},
        )
        assert not created.is_error, created.text
    assert not (tmp_path / "data" / "cwm-gateway" / "fast_memory.db").exists()  # the real memory is untouched


def test_sandbox_never_touches_the_users_fast_memory_or_audit_log(pyz: Path, tmp_path: Path) -> None:
    # The user's real state: one saved query, one audited write.
    command, args, env = launch("pyz", isolated_env(tmp_path))
    mine = [{"path": "/service/boards", "method": "GET", "description": "my real boards query"}]
    imported = subprocess.run(
        [command, *args, "memory", "import", "-"], input=json.dumps(mine), capture_output=True, text=True, env=env
    )
    assert imported.returncode == 0, imported.stderr
    memory = tmp_path / "data" / "cwm-gateway" / "fast_memory.db"
    audit = tmp_path / "state" / "cwm-gateway" / "log" / "audit.jsonl"
    audit.parent.mkdir(parents=True, exist_ok=True)
    audit.write_text('{"method": "PATCH", "operation": "PATCH /service/tickets/{id}", "status": 200}\n')
    before = {memory: digest(memory), audit: digest(audit)}

    with sandbox(tmp_path, kind="pyz") as session:
        assert session.call("list_fast_memory").data["total"] == 0  # the sandbox does not see the real one
        saved = session.call("save_to_fast_memory", path="/service/tickets", method="GET", description="sandbox only")
        assert not saved.is_error, saved.text
        assert not session.call("run_saved_query", query_id=saved.data["id"]).is_error
        ticket = {"summary": "Sandbox write", "board": {"id": 1}, "company": {"id": 251}}
        created = session.call("execute_api_call", path="/service/tickets", method="POST", data=ticket)
        assert not created.is_error, created.text
        assert not session.call("clear_fast_memory").is_error
        (scratch,) = scratch_dirs(tmp_path)
        trail = (scratch / "log" / "audit.jsonl").read_text()  # writes are still audited, in the sandbox's own trail
        assert '"operation": "POST /service/tickets"' in trail

    assert {path: digest(path) for path in before} == before
    assert scratch_dirs(tmp_path) == []  # removed on exit


@pytest.fixture
def shared(tmp_path_factory: pytest.TempPathFactory, built_catalog: Path) -> Iterator[McpSession]:
    """A sandbox session for the tests that only read. One per test: an in-process sandbox points the
    process's data and log directories at its scratch directory while it is open."""
    with sandbox(tmp_path_factory.mktemp("sandbox"), CWM_CATALOG=str(built_catalog)) as session:
        yield session


def test_sandbox_answers_what_technicians_ask_first(shared: McpSession) -> None:
    today = datetime.now(timezone.utc).date()
    next_month, after = month_after(today), month_after(today, 2)
    renewals = listed(
        shared,
        "/finance/agreements",
        conditions=f"endDate >= {when(next_month)} and endDate < {when(after)}",
        orderBy="endDate asc",
    )
    assert len(renewals) >= 2
    assert all(next_month.isoformat() <= a["endDate"] < after.isoformat() for a in renewals)
    assert all(a["startDate"] < a["endDate"] for a in renewals)

    yesterday = working_day(today, -1)
    day = f"timeStart >= {when(yesterday)} and timeStart < {when(yesterday + timedelta(days=1))}"
    entries = listed(shared, "/time/entries", conditions=f'member/identifier = "spatel" and {day}')
    assert entries and {e["member"]["identifier"] for e in entries} == {"spatel"}
    assert all(e["actualHours"] > 0 and e["chargeToType"] == "ServiceTicket" for e in entries)

    tomorrow = working_day(today, 1)
    booked = f"dateStart >= {when(tomorrow)} and dateStart < {when(tomorrow + timedelta(days=1))}"
    schedule = listed(shared, "/schedule/entries", conditions=booked, orderBy="dateStart asc")
    assert len({s["member"]["identifier"] for s in schedule}) >= 3  # several technicians are booked
    assert [s["dateStart"] for s in schedule] == sorted(s["dateStart"] for s in schedule)

    overdue = listed(shared, "/finance/invoices", conditions=f"balance > 0 and dueDate < {when(today)}")
    assert overdue and all(i["balance"] > 0 for i in overdue)
    paid = shared.call("execute_api_call", path="/finance/invoices/count", params={"conditions": "balance = 0"})
    assert paid.data["data"]["count"] > 0

    projects = listed(shared, "/project/projects", conditions="closedFlag = false")
    assert projects and all(p["estimatedStart"] < p["estimatedEnd"] for p in projects)


@pytest.mark.parametrize(
    ("path", "date_field"),
    [
        ("/finance/agreements", "endDate"),
        ("/time/entries", "timeStart"),
        ("/schedule/entries", "dateStart"),
        ("/finance/invoices", "dueDate"),
        ("/project/projects", "estimatedEnd"),
    ],
)
def test_sandbox_lists_page_and_sort_like_connectwise(shared: McpSession, path: str, date_field: str) -> None:
    first = shared.call("execute_api_call", path=path, params={"orderBy": f"{date_field} desc", "pageSize": 3})
    assert not first.is_error, first.text
    dates = [row[date_field] for row in first.data["data"]]
    assert len(dates) == 3 and dates == sorted(dates, reverse=True)
    # next_page holds every param of the call that continues after the last record shown
    assert first.data["next_page"] == {"orderBy": f"{date_field} desc", "page": 2, "pageSize": 3}
    second = shared.call("execute_api_call", path=path, params=first.data["next_page"])
    assert second.data["data"][0][date_field] <= dates[-1]
    assert {row["id"] for row in second.data["data"]}.isdisjoint(row["id"] for row in first.data["data"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_sandbox_port_puts_the_stand_in_where_asked(tmp_path: Path, built_catalog: Path) -> None:
    port = free_port()
    with sandbox(tmp_path, "--port", str(port), kind="module", CWM_CATALOG=str(built_catalog)) as session:
        assert not session.call("execute_api_call", path="/system/info").is_error
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/login/companyinfo/labtech")
            answer = connection.getresponse()
            assert answer.status == 200 and json.loads(answer.read())["SiteUrl"] == f"127.0.0.1:{port}"
        finally:
            connection.close()
        assert f"http://127.0.0.1:{port}/" in session.stderr()  # the user is told where it listens


def serve_and_wait(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command, launch_args, env = launch("pyz", isolated_env(home, TMPDIR=str(home)))
    return subprocess.run(
        [command, *launch_args, "serve", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_sandbox_port_mistakes_get_clear_errors(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = serve_and_wait(tmp_path, "--sandbox", "--port", str(port))
    assert busy.returncode == 1 and busy.stdout == ""
    assert f"cannot listen on 127.0.0.1:{port}" in busy.stderr and "another port with --port" in busy.stderr
    assert "Traceback" not in busy.stderr
    assert list(tmp_path.glob("cwm-gateway-sandbox-*")) == []  # nothing left behind
    out_of_range = serve_and_wait(tmp_path, "--sandbox", "--port", "70000")
    assert out_of_range.returncode == 1 and "use 1-65535" in out_of_range.stderr
    without_sandbox = serve_and_wait(tmp_path, "--port", "8080")
    assert without_sandbox.returncode == 2 and "--port is for the sandbox" in without_sandbox.stderr


# -- the sandbox's cleanup, which serve relies on however it stops ---------------------------------------------


@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit, RuntimeError])
def test_sandbox_cleans_up_however_the_block_ends(stop: type[BaseException]) -> None:
    from cwm_gateway import locations
    from cwm_gateway.sandbox.serve import Sandbox

    real = locations.data_dir()
    with pytest.raises(stop), Sandbox() as running:
        scratch, port = running.scratch, running.standin.port
        assert locations.data_dir() == scratch / "data" and locations.log_dir() == scratch / "log"
        assert running.runtime.memory().path.parent == scratch / "data"
        raise stop
    assert not scratch.exists()
    assert locations.data_dir() == real
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    running.close()  # a second close (e.g. from a signal handler) is harmless


def test_sandbox_state_never_hides_the_users_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cwm_gateway import locations

    monkeypatch.setenv("CWM_DATA_DIR", str(tmp_path / "real"))
    with locations.scratch_state(tmp_path / "scratch"):
        assert locations.data_dir() == tmp_path / "scratch" / "data"
        assert locations.user_catalog() == tmp_path / "real" / "catalog.db"  # read-only: still the user's
    assert locations.data_dir() == tmp_path / "real"
