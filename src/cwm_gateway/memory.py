"""Fast memory: saved API queries, kept in SQLite under the user data directory.

Several server processes share the file (an MCP client often starts more than one),
so it runs in WAL mode with a busy timeout, every write is one short IMMEDIATE
transaction, and the schema is versioned with ``PRAGMA user_version`` and migrated
explicitly. A process killed mid-write leaves the database intact.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import locations
from .results import UserFacingError

# Each entry upgrades the schema from the previous version; never edit a released one.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE saved_queries (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            description TEXT NOT NULL,
            method      TEXT NOT NULL,
            path        TEXT NOT NULL,      -- as saved: a template or a concrete path
            template    TEXT NOT NULL,      -- the catalog template it belongs to
            params      TEXT,               -- JSON object of strings
            data        TEXT,               -- JSON body
            created     TEXT NOT NULL,      -- ISO 8601, UTC
            last_used   TEXT,
            usage_count INTEGER NOT NULL DEFAULT 0,
            fingerprint TEXT NOT NULL UNIQUE -- same method, path, params and data = same query
        )""",
        "CREATE INDEX saved_queries_by_endpoint ON saved_queries (method, template)",
    ),
}
SCHEMA_VERSION = max(MIGRATIONS)
BUSY_TIMEOUT_MS = 15_000
FILE_NAME = "fast_memory.db"


class FastMemoryError(UserFacingError):
    """The store cannot be used (unwritable directory, a database from a newer version)."""


@dataclass
class SavedQuery:
    id: int
    description: str
    method: str
    path: str
    template: str
    params: dict[str, Any] | None
    data: Any
    created: str
    last_used: str | None
    usage_count: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One short IMMEDIATE transaction: the write lock is taken up front, so writers queue, not fail."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def fingerprint(method: str, path: str, params: Any, data: Any) -> str:
    canonical = json.dumps([method.upper(), path, params or None, data], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _loads(text: str | None) -> Any:
    return json.loads(text) if text else None


def _dumps(value: Any) -> str | None:
    if value is None or value == {}:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


_COLUMNS = "id, description, method, path, template, params, data, created, last_used, usage_count"


def _row(row: tuple[Any, ...]) -> SavedQuery:
    values = list(row)
    values[5] = _loads(values[5])
    values[6] = _loads(values[6])
    return SavedQuery(*values)


class MemoryStore:
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else locations.data_dir() / FILE_NAME
        self._ready = False
        self._lock = threading.Lock()
        self._usage_cache: tuple[float, dict[tuple[str, str], int]] | None = None

    # -- connection and schema -------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise FastMemoryError(
                f"Fast memory is unavailable at {self.path}: {exc}. Set CWM_DATA_DIR to a writable folder."
            ) from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if not self._ready:
                self._migrate(conn)
            yield conn
        except sqlite3.Error as exc:  # corrupt, locked past the timeout, read-only: say so, plainly
            raise FastMemoryError(
                f"Fast memory at {self.path} could not be used ({exc}). Move the file aside to start afresh, "
                "or set CWM_DATA_DIR to another folder."
            ) from exc
        finally:
            conn.close()

    def _migrate(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            conn.execute("PRAGMA journal_mode = WAL")
            with _transaction(conn):  # IMMEDIATE: one process migrates; the others wait, then see it done
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise FastMemoryError(
                        f"{self.path} was written by a newer cwm-gateway (schema {version}); upgrade to use it."
                    )
                for target in range(version + 1, SCHEMA_VERSION + 1):
                    for statement in MIGRATIONS[target]:
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {target}")
            self._ready = True

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as conn, _transaction(conn):
            yield conn
        self._usage_cache = None

    # -- entries ------------------------------------------------------------

    def save(
        self, method: str, path: str, template: str, description: str, params: Any = None, data: Any = None
    ) -> tuple[SavedQuery, bool]:
        """Store a query; returns (entry, created). The same query saved twice is kept once."""
        method = method.upper()
        key = fingerprint(method, path, params, data)
        with self._write() as conn:
            existing = conn.execute(f"SELECT {_COLUMNS} FROM saved_queries WHERE fingerprint = ?", (key,)).fetchone()
            if existing:
                conn.execute("UPDATE saved_queries SET description = ? WHERE id = ?", (description, existing[0]))
                entry = _row(existing)
                entry.description = description
                return entry, False
            cursor = conn.execute(
                "INSERT INTO saved_queries (description, method, path, template, params, data, created, fingerprint)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (description, method, path, template, _dumps(params), _dumps(data), now(), key),
            )
            row = conn.execute(f"SELECT {_COLUMNS} FROM saved_queries WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return _row(row), True

    def get(self, query_id: int) -> SavedQuery | None:
        with self._connect() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM saved_queries WHERE id = ?", (query_id,)).fetchone()
        return _row(row) if row else None

    def list(self, search_term: str | None = None) -> list[SavedQuery]:
        """Most used first, then most recently used, then newest."""
        sql = f"SELECT {_COLUMNS} FROM saved_queries"
        args: tuple[Any, ...] = ()
        if search_term and search_term.strip():
            like = f"%{search_term.strip().lower()}%"
            sql += " WHERE lower(description) LIKE ? OR lower(path) LIKE ? OR lower(template) LIKE ?"
            args = (like, like, like)
        sql += " ORDER BY usage_count DESC, coalesce(last_used, '') DESC, created DESC, id DESC"
        with self._connect() as conn:
            return [_row(r) for r in conn.execute(sql, args).fetchall()]

    def delete(self, query_id: int) -> bool:
        with self._write() as conn:
            return conn.execute("DELETE FROM saved_queries WHERE id = ?", (query_id,)).rowcount > 0

    def clear(self) -> int:
        with self._write() as conn:
            return conn.execute("DELETE FROM saved_queries").rowcount

    def record_use(self, query_id: int) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE saved_queries SET usage_count = usage_count + 1, last_used = ? WHERE id = ?",
                (now(), query_id),
            )

    def best_for(self, method: str, template: str) -> SavedQuery | None:
        """The saved query to reuse for a call that gave no parameters: most used, then latest."""
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM saved_queries WHERE method = ? AND template = ? AND params IS NOT NULL"
                " ORDER BY usage_count DESC, coalesce(last_used, created) DESC, id DESC LIMIT 1",
                (method.upper(), template),
            ).fetchone()
        return _row(row) if row else None

    def usage_by_endpoint(self, max_age: float = 2.0) -> dict[tuple[str, str], int]:
        """Uses per (method, template), for the search ranking; cached briefly."""
        cached = self._usage_cache
        if cached and time.monotonic() - cached[0] < max_age:
            return cached[1]
        try:
            with self._connect() as conn:
                rows = conn.execute(
                    "SELECT method, template, sum(usage_count) FROM saved_queries GROUP BY method, template"
                ).fetchall()
        except FastMemoryError:
            rows = []
        usage = {(m, t): int(n or 0) for m, t, n in rows if n}
        self._usage_cache = (time.monotonic(), usage)
        return usage

    # -- moving in and out ------------------------------------------------------

    def export(self) -> list[dict[str, Any]]:
        return [q.as_dict() for q in self.list()]

    def import_entries(self, entries: list[dict[str, Any]]) -> tuple[int, int]:
        """Merge entries (an export); the same query is never stored twice. Returns (added, skipped)."""
        added = skipped = 0
        with self._write() as conn:
            for entry in entries:
                method = str(entry.get("method") or "GET").upper()
                path = str(entry.get("path") or "")
                if not path.startswith("/") or not entry.get("description"):
                    skipped += 1
                    continue
                params = _import_params(entry.get("params"))
                if params is False:
                    skipped += 1
                    continue
                data = entry.get("data")
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO saved_queries (description, method, path, template, params, data,"
                    " created, last_used, usage_count, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        str(entry["description"]),
                        method,
                        path,
                        str(entry.get("template") or path),
                        _dumps(params),
                        _dumps(data),
                        str(entry.get("created") or now()),
                        entry.get("last_used"),
                        int(entry.get("usage_count") or 0),
                        fingerprint(method, path, params, data),
                    ),
                )
                if cursor.rowcount:
                    added += 1
                else:
                    skipped += 1
        return added, skipped


def _import_params(params: Any) -> dict[str, str] | bool | None:
    """Params as ``save`` stores them (an object of strings), None for none, False if unusable."""
    if params in (None, "", {}):
        return None
    if not isinstance(params, dict):
        return False
    out: dict[str, str] = {}
    for key, value in params.items():
        if isinstance(value, (dict, list)) or value is None:
            return False
        out[str(key)] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out


def read_seed_database(path: str | Path) -> list[dict[str, Any]]:
    """Entries of the seed product's ``fast_memory_api.db`` (table saved_queries), as export entries."""
    source = Path(path)
    if not source.is_file():
        raise FastMemoryError(f"No file at {source}.")
    try:
        conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute(
                "SELECT description, path, method, params, data, timestamp, usage_count FROM saved_queries"
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise FastMemoryError(f"{source} is not a seed fast-memory database (table saved_queries): {exc}") from exc
    entries = []
    for description, path, method, params, data, timestamp, usage_count in rows:
        try:
            created = datetime.fromtimestamp(float(timestamp), timezone.utc).isoformat(timespec="seconds")
        except (TypeError, ValueError, OverflowError, OSError):
            created = now()
        entries.append(
            {
                "description": description,
                "path": path,
                "method": method,
                "params": _loads_lenient(params),
                "data": _loads_lenient(data),
                "created": created,
                "usage_count": usage_count or 0,
            }
        )
    return entries


def _loads_lenient(text: Any) -> Any:
    if text in (None, "", "null"):
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None
