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
import math
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import locations
from .results import ToolError

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
# Deeper JSON cannot be serialised back to the client (recursion limits), and no ConnectWise body
# comes close: bodies nest a few levels. Checked on the way in and again on the way out.
MAX_DEPTH = 64
# SQLite integers are signed 64-bit; ids are positive.
MAX_ID = 2**63 - 1


class FastMemoryError(ToolError):
    """The store cannot be used (unwritable directory, a database from a newer version)."""


class UnsavableQuery(ToolError):
    """A query that cannot be stored (too deeply nested, not plain JSON); nothing was written."""


@dataclass
class SavedQuery:
    """One saved query. Its fields up to ``usage_count`` are the table's columns, read by name."""

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
    # Not a column: why a stored row's params or body cannot be shown (it is kept, not run).
    unreadable: str | None = field(default=None, metadata={"column": False})

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if out["unreadable"] is None:
            del out["unreadable"]
        return out


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


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL, waiting while another process holds it.

    SQLite answers "database is locked" at once for this switch, without its busy handler, when
    another process is writing the new file (two servers starting together): so wait here instead.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def fingerprint(method: str, path: str, params: Any, data: Any) -> str:
    canonical = json.dumps([method.upper(), path, params or None, data], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _loads(text: str | None) -> Any:
    return json.loads(text) if text else None


def json_problem(value: Any) -> str | None:
    """Why ``value`` cannot be stored and shown again as JSON, or None. Iterative: depth costs no stack."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth + 1 > MAX_DEPTH:
                return f"it is nested more than {MAX_DEPTH} levels deep"
            children = [*item, *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, float) and not math.isfinite(item):
            return "it contains NaN or Infinity, which JSON does not allow"
        elif isinstance(item, str) and not is_unicode(item):
            return "it contains a lone surrogate (\\ud800-\\udfff), which is not text"
    return None


def is_unicode(text: str) -> bool:
    """False for strings with lone surrogates: they cannot be written as UTF-8, so never sent back."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def valid_id(query_id: Any) -> bool:
    """A saved query id SQLite can hold: a whole number from 1 to 2**63 - 1."""
    return isinstance(query_id, int) and not isinstance(query_id, bool) and 1 <= query_id <= MAX_ID


def dumps(value: Any) -> str | None:
    if value is None or value == {}:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


COLUMNS = tuple(f.name for f in fields(SavedQuery) if f.metadata.get("column", True))
_COLUMNS = ", ".join(COLUMNS)
_JSON_COLUMNS = ("params", "data")


def _row(row: sqlite3.Row) -> SavedQuery:
    """A stored row; one whose params or body cannot be read is returned marked, never raised."""
    return saved_query(dict(zip(row.keys(), row)))


def saved_query(values: dict[str, Any]) -> SavedQuery:
    """A row as column -> value (params and data as stored JSON text); unreadable JSON is marked, never raised."""
    values = {name: values[name] for name in COLUMNS}
    problem = None
    for name in _JSON_COLUMNS:
        try:
            values[name] = _loads(values[name])
            reason = json_problem(values[name])
        except (ValueError, RecursionError):
            reason = "it is not valid JSON"
        if reason:
            values[name] = None
            problem = f"its {name} cannot be read ({reason}); delete it with delete_from_fast_memory({values['id']})"
    return SavedQuery(**values, unreadable=problem)


def _insert(conn: sqlite3.Connection, row: dict[str, Any], skip_duplicate: bool = False) -> sqlite3.Cursor:
    """Insert ``row`` (column -> value) into saved_queries, by name; a duplicate fingerprint is skipped or raises."""
    verb = "INSERT OR IGNORE" if skip_duplicate else "INSERT"
    columns = ", ".join(row)
    marks = ", ".join(f":{name}" for name in row)
    return conn.execute(f"{verb} INTO saved_queries ({columns}) VALUES ({marks})", row)


def check_storable(params: Any, data: Any) -> None:
    """Refuse what could not be listed or exported again, before anything is written."""
    for name, value in (("params", params), ("data", data)):
        problem = json_problem(value)
        if problem:
            raise UnsavableQuery(f"{name} cannot be saved: {problem}. Nothing was saved.")


class SavedQueryStore:
    """What every store of saved queries shares: the brief usage cache, export and import.

    A store (``MemoryStore`` here, in SQLite; ``team.saved_queries.SubjectMemory`` in PostgreSQL)
    gives ``_usage_rows`` (method, template, uses), ``_write`` (a transaction) and
    ``_insert_imported`` (one checked row; False when it was already there).
    """

    unavailable: type[Exception] = FastMemoryError  # the store's "cannot be reached" error

    def __init__(self) -> None:
        self._usage_cache: tuple[float, dict[tuple[str, str], int]] | None = None

    def list(self, search_term: str | None = None) -> list[SavedQuery]:
        raise NotImplementedError

    def _usage_rows(self) -> list[Any]:
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _insert_imported(self, conn: Any, entry: dict[str, Any]) -> bool:
        raise NotImplementedError

    def _import_problem(self, entry: Any) -> str | None:
        return import_problem(entry)

    def usage_by_endpoint(self, max_age: float = 2.0) -> dict[tuple[str, str], int]:
        """Uses per (method, template), for the search ranking; cached briefly."""
        cached = self._usage_cache
        if cached and time.monotonic() - cached[0] < max_age:
            return cached[1]
        try:
            rows = self._usage_rows()
        except self.unavailable:  # ranking without usage beats no search at all
            rows = []
        usage = {(r["method"], r["template"]): int(r["uses"]) for r in rows if r["uses"]}
        self._usage_cache = (time.monotonic(), usage)
        return usage

    def export(self) -> tuple[list[dict[str, Any]], list[SavedQuery]]:
        """(entries to export, unreadable entries left out): an export must import again as it was."""
        queries = self.list()
        return [q.as_dict() for q in queries if q.unreadable is None], [q for q in queries if q.unreadable]

    def import_entries(self, entries: list[dict[str, Any]]) -> ImportReport:
        """Merge entries (an export); the same query is never stored twice."""
        report = ImportReport()
        with self._write() as conn:
            for number, entry in enumerate(entries, 1):
                problem = self._import_problem(entry)
                if problem:
                    report.refused.append(f"entry {number}: {problem}")
                elif self._insert_imported(conn, entry):
                    report.added += 1
                else:
                    report.duplicates += 1
        return report


class MemoryStore(SavedQueryStore):
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else locations.data_dir() / FILE_NAME
        self._ready = False
        self._lock = threading.Lock()
        super().__init__()

    # -- connection and schema -------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            conn.row_factory = sqlite3.Row
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
            _use_wal(conn)
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
        check_storable(params, data)
        method = method.upper()
        key = fingerprint(method, path, params, data)
        with self._write() as conn:
            existing = conn.execute(f"SELECT {_COLUMNS} FROM saved_queries WHERE fingerprint = ?", (key,)).fetchone()
            if existing:
                conn.execute(
                    "UPDATE saved_queries SET description = :description WHERE id = :id",
                    {"description": description, "id": existing["id"]},
                )
                entry = _row(existing)
                entry.description = description
                return entry, False
            new = {"description": description, "method": method, "path": path, "template": template}
            new.update(params=dumps(params), data=dumps(data), created=now(), fingerprint=key)
            cursor = _insert(conn, new)
            row = conn.execute(f"SELECT {_COLUMNS} FROM saved_queries WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return _row(row), True

    def get(self, query_id: int) -> SavedQuery | None:
        if not valid_id(query_id):
            return None
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
        if not valid_id(query_id):
            return False
        with self._write() as conn:
            return conn.execute("DELETE FROM saved_queries WHERE id = ?", (query_id,)).rowcount > 0

    def clear(self) -> int:
        with self._write() as conn:
            return conn.execute("DELETE FROM saved_queries").rowcount

    def record_use(self, query_id: int) -> None:
        if not valid_id(query_id):
            return
        with self._write() as conn:
            conn.execute(
                "UPDATE saved_queries SET usage_count = usage_count + 1, last_used = ? WHERE id = ?",
                (now(), query_id),
            )

    def best_for(self, method: str, template: str) -> SavedQuery | None:
        """The saved query to reuse for a call that gave no parameters: most used, then latest."""
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM saved_queries WHERE method = ? AND template = ? AND params IS NOT NULL"
                " ORDER BY usage_count DESC, coalesce(last_used, created) DESC, id DESC",
                (method.upper(), template),
            ).fetchall()
        return next((q for q in map(_row, rows) if q.unreadable is None), None)

    def _usage_rows(self) -> list[Any]:
        with self._connect() as conn:
            return conn.execute(
                "SELECT method, template, sum(usage_count) AS uses FROM saved_queries GROUP BY method, template"
            ).fetchall()

    def _insert_imported(self, conn: Any, entry: dict[str, Any]) -> bool:
        return _insert(conn, imported_row(entry), skip_duplicate=True).rowcount > 0


def imported_row(entry: dict[str, Any]) -> dict[str, Any]:
    """An export entry (checked by ``import_problem``) as a saved_queries row."""
    method = str(entry.get("method") or "GET").upper()
    path = str(entry["path"])
    params = _import_params(entry.get("params"))
    data = entry.get("data")
    return {
        "description": str(entry["description"]),
        "method": method,
        "path": path,
        "template": str(entry.get("template") or path),
        "params": dumps(params),
        "data": dumps(data),
        "created": str(entry.get("created") or now()),
        "last_used": entry.get("last_used"),
        "usage_count": int(entry.get("usage_count") or 0),
        "fingerprint": fingerprint(method, path, params, data),
    }


@dataclass
class ImportReport:
    added: int = 0
    duplicates: int = 0
    refused: list[str] = field(default_factory=list)  # "entry 3: why", in input order


def import_problem(entry: Any) -> str | None:
    """Why an imported entry cannot be stored, or None; checked like save_to_fast_memory checks."""
    from .client import UnsafeRequest, check_path  # the HTTP stack loads only when importing

    if not isinstance(entry, dict):
        return "not an object"
    path = entry.get("path")
    if not isinstance(path, str) or not path:
        return "no path"
    if not entry.get("description"):
        return "no description"
    try:
        check_path(path)
    except UnsafeRequest:
        return f"the path {path[:80]!r} would be refused when run"
    texts = [str(entry.get(key) or "") for key in ("description", "method", "path", "template", "created", "last_used")]
    if not all(map(is_unicode, texts)):
        return "it holds text that is not valid Unicode (a lone surrogate)"
    usage = entry.get("usage_count") or 0
    if not isinstance(usage, int) or isinstance(usage, bool) or not 0 <= usage <= MAX_ID:
        return "usage_count is not a whole number"
    if _import_params(entry.get("params")) is False:
        return "params is not an object of plain values"
    problem = json_problem(entry.get("data"))
    return f"data cannot be saved: {problem}" if problem else None


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
        conn.row_factory = sqlite3.Row
        try:
            rows = conn.execute(
                "SELECT description, path, method, params, data, timestamp, usage_count FROM saved_queries"
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise FastMemoryError(f"{source} is not a seed fast-memory database (table saved_queries): {exc}") from exc
    return [_seed_entry(row) for row in rows]


def _seed_entry(row: sqlite3.Row) -> dict[str, Any]:
    try:
        created = datetime.fromtimestamp(float(row["timestamp"]), timezone.utc).isoformat(timespec="seconds")
    except (TypeError, ValueError, OverflowError, OSError):
        created = now()
    return {
        "description": row["description"],
        "path": row["path"],
        "method": row["method"],
        "params": _loads_lenient(row["params"]),
        "data": _loads_lenient(row["data"]),
        "created": created,
        "usage_count": row["usage_count"] or 0,
    }


def _loads_lenient(text: Any) -> Any:
    if text in (None, "", "null"):
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None
