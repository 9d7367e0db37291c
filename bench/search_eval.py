#!/usr/bin/env python3
"""Score endpoint search on an eval file (default: bench/eval/search-dev.jsonl, the shared dev set).

Prints hit@1, hit@5 and MRR@10 by query kind, and search latency (p50/p95) plus the
time of the first search after opening the catalog. Usage:

    python bench/search_eval.py [EVAL.jsonl] [--catalog PATH] [--tool natural|keyword] [--misses]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from cwm_gateway.catalog.search import Searcher  # noqa: E402
from cwm_gateway.catalog.store import Catalog  # noqa: E402

DEFAULT_EVAL = REPO / "bench" / "eval" / "search-dev.jsonl"
DEFAULT_CATALOG = REPO / "build" / "catalog.db"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_file", nargs="?", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG, help="built catalog (scripts/build-pyz)")
    parser.add_argument("--tool", choices=("natural", "keyword"), default="natural")
    parser.add_argument("--misses", action="store_true", help="list queries whose answer is not first")
    args = parser.parse_args()

    if not args.catalog.is_file():
        raise SystemExit(f"no catalog at {args.catalog}: run scripts/build-pyz or pass --catalog")
    queries = [json.loads(line) for line in args.eval_file.read_text().splitlines() if line.strip()]

    started = time.perf_counter()
    catalog = Catalog(args.catalog)
    searcher = Searcher(catalog)
    search = searcher.natural if args.tool == "natural" else searcher.keyword
    search(queries[0]["query"], 10)
    first_ms = (time.perf_counter() - started) * 1000

    by_kind: dict[str, list[tuple[int, float]]] = defaultdict(list)
    misses = []
    for _ in range(2):  # warm-up pass, then the measured pass
        latencies: list[float] = []
        by_kind.clear()
        misses.clear()
        for q in queries:
            t0 = time.perf_counter()
            hits, _total = search(q["query"], 10)
            latencies.append((time.perf_counter() - t0) * 1000)
            expected = {(m.upper(), p) for m, p in q["expected"]}
            ranked = [(h.operation.method, h.operation.path) for h in hits]
            rank = next((i for i, op in enumerate(ranked, 1) if op in expected), 0)
            by_kind[q.get("kind", "all")].append((rank, latencies[-1]))
            if rank != 1:
                misses.append((q, rank, ranked[:3]))

    def row(name: str, results: list[tuple[int, float]]) -> str:
        n = len(results)
        hit1 = sum(1 for r, _ in results if r == 1) / n
        hit5 = sum(1 for r, _ in results if 1 <= r <= 5) / n
        mrr = sum(1 / r for r, _ in results if 1 <= r <= 10) / n
        lat = [t for _, t in results]
        return (
            f"| {name:<11} | {n:>3} | {hit1:.3f} | {hit5:.3f} | {mrr:.3f} | "
            f"{statistics.median(lat):6.2f} | {percentile(lat, 0.95):6.2f} |"
        )

    print(f"search eval: {args.eval_file.name}, tool={args.tool}, catalog={args.catalog}")
    print("| kind        |   n | hit@1 | hit@5 | MRR@10 | p50 ms | p95 ms |")
    print("|-------------|-----|-------|-------|--------|--------|--------|")
    for kind in sorted(by_kind):
        print(row(kind, by_kind[kind]))
    print(row("ALL", [r for results in by_kind.values() for r in results]))
    print(f"first search after opening the catalog: {first_ms:.1f} ms")
    if args.misses:
        print()
        for q, rank, top in misses:
            print(f"[{q['kind']}] {q['query']!r} rank={rank or '-'} expected={q['expected'][0]} top={top}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
