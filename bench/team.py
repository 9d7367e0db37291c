#!/usr/bin/env python3
"""The team server under load: two real replicas, one real PostgreSQL, ConnectWise stand-ins on 127.0.0.1.

1. 40 concurrent clients x 5 calls, spread over both replicas and both protocol eras: a search, a
   ConnectWise GET, a save, a listing, another search. Each client is its own subject with its own
   keys. Prints calls, errors, p50/p95 latency, and whether every save is listed (0 lost saves).
2. No starvation: search latency on both replicas while 100 slow ConnectWise calls (5 s each) are in
   flight, against the idle latency; and whether urllib3 dropped pooled connections ("pool full").

Needs Debian's postgresql (initdb) like the tests. Run from the repository:

    .venv/bin/python bench/team.py [--clients 40] [--calls 5] [--slow 100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO / "src")]

from mcp import Client  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402
from mcp.shared._httpx_utils import create_mcp_http_client  # noqa: E402

from postgres import PostgresServer  # noqa: E402
from team_servers import ALICE, BOB, LEGACY, MODERN, Team, ToolResult, start_team  # noqa: E402

CATALOG = REPO / "src" / "cwm_gateway" / "data" / "catalog.db"
SLOW_SECONDS = 5.0
SEARCHES = ("open tickets for a company", "log time on a ticket", "list configurations", "close ticket 12")


class Session:
    """One client's open connection to one replica (the stateless server takes any request on it)."""

    def __init__(self, url: str, token: str, mode: str) -> None:
        self.url, self.token, self.mode = url, token, mode

    async def __aenter__(self) -> Session:
        self._http = create_mcp_http_client(headers={"Authorization": f"Bearer {self.token}"})
        await self._http.__aenter__()
        self._client = Client(streamable_http_client(self.url, http_client=self._http), mode=self.mode)
        await self._client.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._client.__aexit__(*exc)
        await self._http.__aexit__(*exc)

    async def call(self, tool: str, **arguments: Any) -> ToolResult:
        return ToolResult(await self._client.call_tool(tool, arguments))


def subjects(count: int) -> list[tuple[str, Any]]:
    """(subject, the user whose stand-in and keys it uses): each client is a person of its own."""
    return [(f"bench-user-{number:02d}", (ALICE, BOB)[number % 2]) for number in range(count)]


def add_users(team: Team, people: list[tuple[str, Any]]) -> None:
    from cwm_gateway.team.database import Database
    from cwm_gateway.team.vault import KeyVault

    with Database(team.database_url) as db:
        vault = KeyVault(db, team.secret_key)
        for subject, user in people:
            vault.set_keys(subject, user.keys(team.standins[user.subject].base_url))


async def client_run(team: Team, number: int, subject: str, calls: int, latencies: list[float], errors: list[str]):
    token = team.idp.token(subject, kid=("rsa-1", "ec-1")[number % 2])
    mode = (LEGACY, MODERN)[number % 2]
    steps = [
        ("natural_language_api_search", {"query": SEARCHES[number % len(SEARCHES)]}),
        ("execute_api_call", {"path": "/service/tickets", "params": {"pageSize": 5, "page": 1 + number % 3}}),
        ("save_to_fast_memory", {
            "path": "/service/tickets", "method": "GET", "description": f"bench {subject}",
            "params": {"conditions": f"id={1000 + number}"},
        }),
        ("list_fast_memory", {}),
        ("search_api_endpoints", {"query": "ticket notes"}),
    ]  # fmt: skip
    async with Session(team.replicas[0].url, token, mode) as one, Session(team.replicas[1].url, token, mode) as two:
        for step in range(calls):
            tool, arguments = steps[step % len(steps)]
            session = (one, two)[(number + step) % 2]
            start = time.perf_counter()
            try:
                result = await session.call(tool, **arguments)
                if result.is_error:
                    errors.append(f"{subject} {tool}: {result.text[:200]}")
            except Exception as exc:
                errors.append(f"{subject} {tool}: {type(exc).__name__}: {exc}")
            latencies.append(time.perf_counter() - start)


async def saved_count(team: Team, people: list[tuple[str, Any]]) -> int:
    """Saves listed by the replica that did not necessarily take them."""
    found = 0
    for subject, _ in people:
        async with Session(team.replicas[1].url, team.idp.token(subject), LEGACY) as session:
            listed = await session.call("list_fast_memory")
            found += sum(
                1 for query in listed.data.get("queries", []) if query.get("description") == f"bench {subject}"
            )
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


async def load(team: Team, clients: int, calls: int) -> None:
    people = subjects(clients)
    add_users(team, people)
    await timed_searches(team, 4)  # each replica loads its catalog and search vocabulary once
    latencies: list[float] = []
    errors: list[str] = []
    start = time.perf_counter()
    async with anyio.create_task_group() as group:
        for number, (subject, _) in enumerate(people):
            group.start_soon(client_run, team, number, subject, calls, latencies, errors)
    wall = time.perf_counter() - start
    saves = clients if calls >= 3 else 0
    listed = await saved_count(team, people)
    print(f"load: {clients} clients x {calls} calls over {len(team.replicas)} replicas in {wall:.1f} s")
    print(f"  calls {len(latencies)}, errors {len(errors)}")
    print(f"  latency p50 {ms(statistics.median(latencies))}, p95 {ms(percentile(latencies, 0.95))}")
    print(f"  saved queries: {saves} saved, {listed} listed through replica 2, {saves - listed} lost")
    for error in errors[:5]:
        print(f"  error: {error}")


async def timed_searches(team: Team, count: int) -> list[float]:
    times: list[float] = []
    async with (
        Session(team.replicas[0].url, team.idp.token(ALICE.subject), LEGACY) as one,
        Session(team.replicas[1].url, team.idp.token(BOB.subject), MODERN) as two,
    ):
        for number in range(count):
            start = time.perf_counter()
            result = await (one, two)[number % 2].call("natural_language_api_search", query=SEARCHES[number % 4])
            assert not result.is_error, result
            times.append(time.perf_counter() - start)
    return times


async def arrived(team: Team, count: int, wait: float = 30.0) -> int:
    """How many calls reached the stand-ins (where they now wait), once all have or ``wait`` has passed."""
    end = time.monotonic() + wait
    while True:
        reached = sum(len(standin.requests) for standin in team.standins.values())
        if reached >= count or time.monotonic() > end:
            return reached
        await anyio.sleep(0.05)


async def starvation(team: Team, slow: int) -> None:
    idle = await timed_searches(team, 20)
    for standin in team.standins.values():
        standin.reset()
        standin.inject("slow", count=slow, delay=SLOW_SECONDS)
    done: list[float] = []
    failed: list[str] = []

    async def slow_call(number: int) -> None:
        user = (ALICE, BOB)[number % 2]
        async with Session(team.replicas[number // 2 % 2].url, team.idp.token(user.subject), LEGACY) as session:
            start = time.perf_counter()
            result = await session.call("execute_api_call", path="/service/tickets", params={"pageSize": 1})
            done.append(time.perf_counter() - start)
            if result.is_error:
                failed.append(result.text[:200])

    async with anyio.create_task_group() as group:
        for number in range(slow):
            group.start_soon(slow_call, number)
        in_flight = await arrived(team, slow)
        busy = await timed_searches(team, 20)
    print(f"starvation: {slow} ConnectWise calls of {SLOW_SECONDS:.0f} s; {in_flight} in flight at ConnectWise")
    print(f"  search p50 idle {ms(statistics.median(idle))}, p95 {ms(percentile(idle, 0.95))}")
    print(f"  search p50 busy {ms(statistics.median(busy))}, p95 {ms(percentile(busy, 0.95))}")
    print(f"  slow calls: {len(done)} done, {len(failed)} errors, longest {max(done):.1f} s")
    full = sum(replica.log.read_text(errors="replace").count("pool is full") for replica in team.replicas)
    print(f"  urllib3 'pool is full' warnings: {full}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--slow", type=int, default=100)
    args = parser.parse_args()
    postgres = PostgresServer().start()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="cwm-bench-team-") as directory,
            start_team(postgres, Path(directory), CATALOG) as team,
        ):
            anyio.run(load, team, args.clients, args.calls)
            anyio.run(starvation, team, args.slow)
    finally:
        postgres.stop()


if __name__ == "__main__":
    main()
