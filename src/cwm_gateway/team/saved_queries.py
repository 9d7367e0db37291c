"""One subject's saved queries in PostgreSQL, with the interface of ``cwm_gateway.memory.MemoryStore``.

The tools (``saved_queries``) and the execution pipeline's fast-memory steps take either store
unchanged. Every statement is scoped by subject: another subject's id is simply "not found", for
reading, running, counting and deleting alike. Nothing is cached but the brief usage ranking, so a
save on one replica is listed by another at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..memory import (
    COLUMNS,
    SavedQuery,
    SavedQueryStore,
    UnsavableQuery,
    check_storable,
    dumps,
    fingerprint,
    import_problem,
    imported_row,
    now,
    saved_query,
    valid_id,
)
from .database import Database, DatabaseError

_SELECT = f"SELECT {', '.join(COLUMNS)} FROM saved_queries"
_ORDER = " ORDER BY usage_count DESC, coalesce(last_used, '') DESC, created DESC, id DESC"
# PostgreSQL text cannot hold NUL; SQLite can. JSON columns are safe (json.dumps writes \u0000).
NUL = "\x00"


def nul_problem(*texts: object) -> str | None:
    """Why these texts cannot be stored in PostgreSQL, or None."""
    if any(isinstance(text, str) and NUL in text for text in texts):
        return "it contains a NUL character (\\u0000), which the team database cannot store"
    return None


class SubjectMemory(SavedQueryStore):
    """Saved queries of ``subject``: ``MemoryStore``'s methods, private to that subject."""

    unavailable = DatabaseError

    def __init__(self, db: Database, subject: str) -> None:
        if not isinstance(subject, str) or not subject:
            raise ValueError("SubjectMemory needs the subject (the token's 'sub') whose queries it keeps")
        super().__init__()
        self.db = db
        self.subject = subject

    @property
    def path(self) -> str:
        """Where the queries live, for messages (``MemoryStore.path`` is the SQLite file)."""
        return f"the team database ({self.subject})"

    @contextmanager
    def _write(self) -> Iterator[Any]:
        with self.db.transaction() as conn:
            yield conn
        self._usage_cache = None

    # -- entries ------------------------------------------------------------

    def save(
        self, method: str, path: str, template: str, description: str, params: Any = None, data: Any = None
    ) -> tuple[SavedQuery, bool]:
        """Store a query; returns (entry, created). The same query saved twice (even at once) is kept once."""
        check_storable(params, data)
        problem = nul_problem(method, path, template, description)
        if problem:
            raise UnsavableQuery(f"This query cannot be saved: {problem}. Nothing was saved.")
        method = method.upper()
        row = {"subject": self.subject, "description": description, "method": method, "path": path}
        row.update(template=template, params=dumps(params), data=dumps(data), created=now())
        row["fingerprint"] = fingerprint(method, path, params, data)
        with self._write() as conn:
            # xmax = 0 only for a row this statement inserted: an update of a duplicate has our xid there.
            stored = conn.execute(
                f"""INSERT INTO saved_queries ({", ".join(row)}) VALUES ({", ".join(f"%({k})s" for k in row)})
                    ON CONFLICT (subject, fingerprint) DO UPDATE SET description = EXCLUDED.description
                    RETURNING {", ".join(COLUMNS)}, (xmax = 0) AS inserted""",
                row,
            ).fetchone()
        return saved_query(stored), bool(stored["inserted"])

    def get(self, query_id: int) -> SavedQuery | None:
        if not valid_id(query_id):
            return None
        with self.db.transaction() as conn:
            row = conn.execute(f"{_SELECT} WHERE id = %s AND subject = %s", (query_id, self.subject)).fetchone()
        return saved_query(row) if row else None

    def list(self, search_term: str | None = None) -> list[SavedQuery]:
        """Most used first, then most recently used, then newest."""
        sql = f"{_SELECT} WHERE subject = %(subject)s"
        args: dict[str, Any] = {"subject": self.subject}
        if nul_problem(search_term):
            return []  # nothing stored holds one
        if search_term and search_term.strip():
            # strpos, not LIKE: the term is plain text, its % and _ are not wildcards.
            sql += (
                " AND (strpos(lower(description), %(term)s) > 0 OR strpos(lower(path), %(term)s) > 0"
                " OR strpos(lower(template), %(term)s) > 0)"
            )
            args["term"] = search_term.strip().lower()
        with self.db.transaction() as conn:
            return [saved_query(row) for row in conn.execute(sql + _ORDER, args).fetchall()]

    def delete(self, query_id: int) -> bool:
        if not valid_id(query_id):
            return False
        with self._write() as conn:
            cursor = conn.execute("DELETE FROM saved_queries WHERE id = %s AND subject = %s", (query_id, self.subject))
            return cursor.rowcount > 0

    def clear(self) -> int:
        with self._write() as conn:
            return conn.execute("DELETE FROM saved_queries WHERE subject = %s", (self.subject,)).rowcount

    def record_use(self, query_id: int) -> None:
        if not valid_id(query_id):
            return
        with self._write() as conn:
            # One statement: two replicas counting at once both count.
            conn.execute(
                "UPDATE saved_queries SET usage_count = usage_count + 1, last_used = %s WHERE id = %s AND subject = %s",
                (now(), query_id, self.subject),
            )

    def best_for(self, method: str, template: str) -> SavedQuery | None:
        """The saved query to reuse for a call that gave no parameters: most used, then latest."""
        with self.db.transaction() as conn:
            rows = conn.execute(
                f"{_SELECT} WHERE subject = %s AND method = %s AND template = %s AND params IS NOT NULL"
                " ORDER BY usage_count DESC, coalesce(last_used, created) DESC, id DESC",
                (self.subject, method.upper(), template),
            ).fetchall()
        return next((q for q in map(saved_query, rows) if q.unreadable is None), None)

    def _usage_rows(self) -> list[Any]:
        with self.db.transaction() as conn:
            return conn.execute(
                "SELECT method, template, sum(usage_count) AS uses FROM saved_queries WHERE subject = %s"
                " GROUP BY method, template",
                (self.subject,),
            ).fetchall()

    def _import_problem(self, entry: Any) -> str | None:
        return import_problem(entry) or nul_problem(*_texts(entry))

    def _insert_imported(self, conn: Any, entry: dict[str, Any]) -> bool:
        row = {"subject": self.subject, **imported_row(entry)}
        cursor = conn.execute(
            f"INSERT INTO saved_queries ({', '.join(row)}) VALUES ({', '.join(f'%({k})s' for k in row)})"
            " ON CONFLICT (subject, fingerprint) DO NOTHING",
            row,
        )
        return cursor.rowcount > 0


def _texts(entry: dict[str, Any]) -> list[Any]:
    """The text fields of an export entry (already checked to be an object by ``_import_problem``)."""
    return [entry.get(key) for key in ("description", "method", "path", "template", "created", "last_used")]
