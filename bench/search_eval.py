#!/usr/bin/env python3
"""Score endpoint search on eval sets, against a plain-BM25 baseline.

With no files, every set in bench/eval/ is scored (search-dev.jsonl is the shared dev set).
For each set it prints hit@1, hit@5, MRR@10, nDCG@10 and Recall@5 for the gateway's search
and for plain BM25 (FTS5 bm25 over the definition's path, summary and tags, with no lexicon,
intent or spelling correction), then the gateway's latency (p50/p95) over all queries and the
first search after opening the catalog. Usage:

    python bench/search_eval.py [EVAL.jsonl ...] [--catalog PATH] [--tool natural|keyword]
                                [--kinds] [--misses] [--pyz PATH] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from cwm_gateway.catalog import text  # noqa: E402
from cwm_gateway.catalog.search import Searcher  # noqa: E402
from cwm_gateway.catalog.store import Catalog  # noqa: E402

EVAL_DIR = REPO / "bench" / "eval"
DEV_SET = EVAL_DIR / "search-dev.jsonl"  # a copy of ../shared/eval/search-dev.jsonl
DEFAULT_CATALOG = REPO / "build" / "catalog.db"
DEFAULT_PYZ = REPO / "build" / "cwm-gateway.pyz"
DEPTH = 10
HELD_OUT_PREFIXES = ("extra-", "blind-")

Ranked = list[tuple[str, str]]


@dataclass
class Outcome:
    query: dict
    ranked: Ranked
    ms: float

    @property
    def expected(self) -> set[tuple[str, str]]:
        return {(m.upper(), p) for m, p in self.query["expected"]}

    @property
    def rank(self) -> int:
        return next((i for i, op in enumerate(self.ranked[:DEPTH], 1) if op in self.expected), 0)


def metrics(outcomes: list[Outcome]) -> dict[str, float]:
    """hit@1, hit@5, MRR@10, nDCG@10 (binary relevance) and Recall@5 (share of the expected found)."""
    n = len(outcomes) or 1
    out = {"hit@1": 0.0, "hit@5": 0.0, "MRR@10": 0.0, "nDCG@10": 0.0, "R@5": 0.0}
    for o in outcomes:
        expected, rank = o.expected, o.rank
        out["hit@1"] += rank == 1
        out["hit@5"] += 1 <= rank <= 5
        out["MRR@10"] += 1 / rank if rank else 0.0
        gains = [1.0 if op in expected else 0.0 for op in o.ranked[:DEPTH]]
        dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
        ideal = sum(1 / math.log2(i + 2) for i in range(min(len(expected), DEPTH)))
        out["nDCG@10"] += dcg / ideal
        out["R@5"] += len(expected & set(o.ranked[:5])) / len(expected)
    return {k: v / n for k, v in out.items()}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class PlainBm25:
    """The baseline: FTS5 bm25 over path, summary and tags, the request's words OR-ed."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def __call__(self, query: str, limit: int) -> Ranked:
        words = text.unique(text.tokens(query))
        if not words:
            return []
        expression = "{path category summary} : (" + " OR ".join(f'"{w}"' for w in words) + ")"
        rows = self.catalog.query(
            "SELECT o.method, o.path FROM operations_fts f JOIN operations o ON o.id = f.rowid"
            " WHERE operations_fts MATCH ? ORDER BY bm25(operations_fts, 0, 1, 1, 1, 0), o.id LIMIT ?",
            (expression, limit),
        )
        return [(m, p) for m, p in rows]


def run(queries: list[dict], search: Callable[[str, int], Ranked], repeat: int = 1) -> list[Outcome]:
    """Each query searched ``repeat`` times; its time is the fastest (less noise on a busy machine)."""
    outcomes = []
    for q in queries:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            ranked = search(q["query"], DEPTH)
            times.append((time.perf_counter() - started) * 1000)
        outcomes.append(Outcome(q, ranked, min(times)))
    return outcomes


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def default_sets() -> list[Path]:
    others = sorted(p for p in EVAL_DIR.glob("*.jsonl") if p != DEV_SET)
    return [p for p in [DEV_SET, *others] if p.is_file()]


def held_out(name: str) -> bool:
    """Sets kept unseen while tuning: only their aggregate numbers may be printed."""
    return name.endswith("-heldout") or name.startswith(HELD_OUT_PREFIXES)


def row(name: str, ranker: str, outcomes: list[Outcome]) -> str:
    m = metrics(outcomes)
    cells = " | ".join(f"{m[k]:.3f}" for k in ("hit@1", "hit@5", "MRR@10", "nDCG@10", "R@5"))
    return f"| {name:<28} | {ranker:<7} | {len(outcomes):>3} | {cells} |"


HEADER = (
    "| set                          | ranker  |   n | hit@1 | hit@5 | MRR@10 | nDCG@10 | R@5   |\n"
    "|------------------------------|---------|-----|-------|-------|--------|---------|-------|"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_files", nargs="*", type=Path, help="default: the dev set and bench/eval/*.jsonl")
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG, help="built catalog (scripts/build-pyz)")
    parser.add_argument("--tool", choices=("natural", "keyword"), default="natural")
    parser.add_argument("--kinds", action="store_true", help="also break each set down by query kind")
    parser.add_argument(
        "--misses",
        action="store_true",
        help="list queries whose answer is not first (never for held-out sets: *-heldout, extra-*, blind-*)",
    )
    parser.add_argument("--pyz", type=Path, default=DEFAULT_PYZ, help="report this zipapp's size")
    parser.add_argument("--repeat", type=int, default=1, help="time each search N times, keep the fastest")
    args = parser.parse_args()

    if not args.catalog.is_file():
        raise SystemExit(f"no catalog at {args.catalog}: run scripts/build-pyz or pass --catalog")
    sets = [(path.stem, load(path)) for path in args.eval_files or default_sets()]

    started = time.perf_counter()
    catalog = Catalog(args.catalog)
    searcher = Searcher(catalog)
    tool = searcher.natural if args.tool == "natural" else searcher.keyword
    tool(sets[0][1][0]["query"], DEPTH)
    first_ms = (time.perf_counter() - started) * 1000

    def gateway(query: str, limit: int) -> Ranked:
        return [(h.operation.method, h.operation.path) for h in tool(query, limit)[0]]

    baseline = PlainBm25(catalog)
    for _, queries in sets:  # warm-up: caches and the page cache, as a running server has them
        run(queries, gateway)

    print(f"search eval: tool={args.tool}, catalog={args.catalog}")
    print(HEADER)
    latencies: list[float] = []
    results: list[tuple[str, list[Outcome]]] = []
    for name, queries in sets:
        ours = run(queries, gateway, args.repeat)
        latencies += [o.ms for o in ours]
        results.append((name, ours))
        print(row(name, "gateway", ours))
        print(row("", "bm25", run(queries, baseline)))
    print(
        f"latency over {len(latencies)} searches: p50 {statistics.median(latencies):.2f} ms,"
        f" p95 {percentile(latencies, 0.95):.2f} ms; first search after opening the catalog {first_ms:.1f} ms"
    )
    if args.pyz.is_file():
        print(f"{args.pyz.name}: {args.pyz.stat().st_size / 1e6:.2f} MB")
    if args.kinds:
        print("\n| set / kind                   | ranker  |   n | hit@1 | hit@5 | MRR@10 | nDCG@10 | R@5   |")
        for name, outcomes in results:
            by_kind: dict[str, list[Outcome]] = defaultdict(list)
            for o in outcomes:
                by_kind[o.query.get("kind", "all")].append(o)
            for kind in sorted(by_kind):
                print(row(f"{name}/{kind}", "gateway", by_kind[kind]))
    if args.misses:
        for name, outcomes in results:
            if held_out(name):
                continue  # held out from tuning: its misses are not to be read
            print(f"\n{name}:")
            for o in outcomes:
                if o.rank != 1:
                    top = [f"{m} {p}" for m, p in o.ranked[:3]]
                    print(f"  [{o.query.get('kind', '')}] {o.query['query']!r} rank={o.rank or '-'}")
                    print(f"      expected={o.query['expected'][0]} top={top}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
