#!/usr/bin/env python3
"""How lean and how fast the execution path is, against the local ConnectWise stand-in.

Prints a table:
- fetching 10,000 records (10 pages of 1,000) through the gateway with all_pages, and the same
  pages with a bare urllib3 loop;
- per-request time of a small GET through the gateway vs bare urllib3 (target: <= 1.2x);
- bytes the model receives for a 25-ticket page vs the raw ConnectWise JSON (target: <= 0.5x).

    python bench/client.py [--rounds N]
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

import urllib3  # noqa: E402

from cwm_gateway.catalog.store import Catalog  # noqa: E402
from cwm_gateway.credentials import load_settings  # noqa: E402
from cwm_gateway.execution import Executor, Policy  # noqa: E402
from cwm_gateway.sandbox import StandIn  # noqa: E402

CATALOG = REPO / "build" / "catalog.db"


def timed(action, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="small requests per side (default 200)")
    parser.add_argument("--catalog", type=Path, default=CATALOG)
    args = parser.parse_args()
    if not args.catalog.is_file():
        raise SystemExit(f"no catalog at {args.catalog}: run scripts/build-pyz first")

    with StandIn(ticket_count=10_000) as cw:
        env = {
            "CONNECTWISE_API_URL": cw.base_url,
            "CONNECTWISE_COMPANY_ID": "labtech",
            "CONNECTWISE_PUBLIC_KEY": "pubkey123",
            "CONNECTWISE_PRIVATE_KEY": "privkey456",
            "CONNECTWISE_CLIENT_ID": "00000000-0000-4000-8000-000000000001",
        }
        executor = Executor(Catalog(args.catalog), lambda: load_settings(env=env, use_keyring=False), Policy())
        token = base64.b64encode(b"labtech+pubkey123:privkey456").decode()
        headers = {
            "Authorization": f"Basic {token}",
            "clientId": env["CONNECTWISE_CLIENT_ID"],
            "Accept": "application/vnd.connectwise.com+json; version=2022.1",
        }
        pool = urllib3.PoolManager(maxsize=8)
        executor.execute("/service/boards")  # open the pool, load the catalog
        pool.request("GET", f"{cw.base_url}/service/boards", headers=headers)

        # 10,000 records in pages of 1,000; each side warmed up, then the median of three runs
        def bulk_through_gateway() -> None:
            result = executor.execute(
                "/service/tickets", params={"pageSize": 1000, "orderBy": "id"}, all_pages=True, max_items=10_000
            )
            assert result.data["item_count"] == 10_000, result.text[:200]

        def bulk_bare() -> None:
            fetched = 0
            for page in range(1, 11):
                response = pool.request(
                    "GET", f"{cw.base_url}/service/tickets?pageSize=1000&orderBy=id&page={page}", headers=headers
                )
                fetched += len(json.loads(response.data))
            assert fetched == 10_000

        bulk_bare()
        bulk_through_gateway()
        gateway_bulk = statistics.median(timed(bulk_through_gateway, 3))
        bare_bulk = statistics.median(timed(bulk_bare, 3))

        # per-request overhead on a small GET
        def through_gateway() -> None:
            result = executor.execute("/service/tickets/1001", params={"fields": "id,summary"})
            assert not result.is_error

        def bare() -> None:
            response = pool.request("GET", f"{cw.base_url}/service/tickets/1001?fields=id,summary", headers=headers)
            json.loads(response.data)

        gateway_small = timed(through_gateway, args.rounds)
        bare_small = timed(bare, args.rounds)

        # bytes for a 25-ticket page
        raw = pool.request("GET", f"{cw.base_url}/service/tickets?pageSize=25", headers=headers).data
        page = executor.execute("/service/tickets", params={"pageSize": 25})
        text_bytes = len(page.text.encode())
        structured_bytes = len(json.dumps(page.data, separators=(",", ":")).encode())

    g50, b50 = statistics.median(gateway_small), statistics.median(bare_small)
    print("| measure | gateway | bare urllib3 / raw | ratio | target |")
    print("|---|---|---|---|---|")
    print(
        f"| 10,000 records, 10 pages of 1,000 (ms) | {gateway_bulk:.0f} | {bare_bulk:.0f} | "
        f"{gateway_bulk / bare_bulk:.2f}x | - |"
    )
    print(f"| small GET, median of {args.rounds} (ms) | {g50:.2f} | {b50:.2f} | {g50 / b50:.2f}x | <= 1.2x |")
    print(
        f"| 25-ticket page, text to the model (bytes) | {text_bytes} | {len(raw)} | "
        f"{text_bytes / len(raw):.2f}x | <= 0.5x |"
    )
    print(
        f"| 25-ticket page, structured content (bytes) | {structured_bytes} | {len(raw)} | "
        f"{structured_bytes / len(raw):.2f}x | <= 0.5x |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
