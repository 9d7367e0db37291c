"""FTS5's bm25 ranking of an OR of words, summed from each word's own scores.

bm25 is a sum over a query's phrases, and a phrase's share depends only on that phrase and the
row (its rarity, its count in each column, the row's length). So the rank of "ticket OR note OR
time" is the sum of the ranks of "ticket", "note" and "time" searched alone. Each word's scores are
read from FTS5 once and kept; a search then adds a few short lists instead of SQLite rescoring
every row that shares a common word ("get", "ticket") on every request.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from operator import itemgetter

from .store import Catalog

# Distinct words kept: the catalog's own vocabulary is ~1,300 words; the rest are a user's
# typos and names, which find nothing and cost one cheap query each.
KEPT_WORDS = 4096


class Bm25Index:
    """Top rows of one FTS5 table for an OR of words, ranked as ``bm25(table, *weights)``."""

    def __init__(self, catalog: Catalog, table: str, weights: tuple[float, ...] = ()) -> None:
        arguments = "".join(f", {w}" for w in weights)
        self._sql = f"SELECT rowid, bm25({table}{arguments}) FROM {table} WHERE {table} MATCH ?"
        self._catalog = catalog
        self.scores = lru_cache(maxsize=KEPT_WORDS)(self._scores)

    def top(self, words: Iterable[str], limit: int) -> list[tuple[int, float]]:
        """(rowid, rank) of the best ``limit`` rows, best (lowest rank) first, ties by rowid."""
        if limit < 1:
            return []
        ranks: dict[int, float] = {}
        for word in words:
            for rowid, rank in self.scores(word):
                ranks[rowid] = ranks.get(rowid, 0.0) + rank
        if len(ranks) > limit:
            # Rows no better than the limit-th rank found by sorting plain floats, which is quick;
            # only those are then sorted with their rowids.
            cut = sorted(ranks.values())[limit - 1]
            ranks = {rowid: rank for rowid, rank in ranks.items() if rank <= cut}
        return sorted(ranks.items(), key=itemgetter(1, 0))[:limit]

    def _scores(self, word: str) -> tuple[tuple[int, float], ...]:
        # Quoted so that FTS5 never reads a user's word as an operator (AND, NOT, NEAR).
        phrase = '"' + word.replace('"', '""') + '"'
        return tuple((row[0], row[1]) for row in self._catalog.query(self._sql, (phrase,)))
