"""The PostgreSQL database behind the team server: a connection pool and explicit migrations.

Every replica runs ``migrate()`` at start. The migrations are numbered, listed once in
``MIGRATIONS`` and recorded in ``cwm_schema_migrations``; a session-level advisory lock makes
replicas that start together take turns, so each migration runs exactly once. Nothing is cached
between calls: every read goes to the database, so two replicas agree at once.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from ..memory import FastMemoryError

# Each entry upgrades the schema from the previous version; never edit a released one.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE saved_queries (
            id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            subject     TEXT NOT NULL,      -- the token's subject: each subject sees only its own
            description TEXT NOT NULL,
            method      TEXT NOT NULL,
            path        TEXT NOT NULL,      -- as saved: a template or a concrete path
            template    TEXT NOT NULL,      -- the catalog template it belongs to
            params      TEXT,               -- JSON object of strings, as the stdio store keeps it
            data        TEXT,               -- JSON body
            created     TEXT NOT NULL,      -- ISO 8601, UTC
            last_used   TEXT,
            usage_count BIGINT NOT NULL DEFAULT 0,
            fingerprint TEXT NOT NULL,      -- same method, path, params and data = same query
            UNIQUE (subject, fingerprint)
        )""",
        "CREATE INDEX saved_queries_by_endpoint ON saved_queries (subject, method, template)",
        """CREATE TABLE write_audit (
            id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            subject     TEXT NOT NULL,
            time        TIMESTAMPTZ NOT NULL DEFAULT now(),
            method      TEXT NOT NULL,
            operation   TEXT NOT NULL,      -- "PATCH /service/tickets/{id}"
            path        TEXT NOT NULL,      -- redacted, as the stdio audit file writes it
            status      INTEGER,            -- ConnectWise's HTTP status; NULL when it never answered
            body_bytes  BIGINT NOT NULL,
            outcome     TEXT NOT NULL,
            profile     TEXT
        )""",
        "CREATE INDEX write_audit_by_subject ON write_audit (subject, time)",
        """CREATE TABLE key_vault (
            subject     TEXT PRIMARY KEY,
            api_url     TEXT NOT NULL,      -- shown by 'users list'; the keys use the encrypted copy
            company_id  TEXT NOT NULL,
            public_key_fingerprint TEXT NOT NULL,  -- a few hex digits, to tell keys apart
            sealed      TEXT NOT NULL,      -- Fernet token of the subject and all its keys
            updated     TIMESTAMPTZ NOT NULL DEFAULT now()
        )""",
    ),
}
SCHEMA_VERSION = max(MIGRATIONS)
MIGRATIONS_TABLE = "cwm_schema_migrations"
# pg_advisory_lock's key: any fixed bigint; this one is "cwm-gate" in ASCII.
MIGRATION_LOCK = 0x63776D2D67617465
CONNECT_TIMEOUT = 10  # seconds: an unreachable database is reported, not waited on
POOL_TIMEOUT = 30.0  # seconds a call waits for a free connection before it fails
URL_EXAMPLE = "postgresql://cwm:PASSWORD@db.example.com:5432/cwm"


class DatabaseError(FastMemoryError):
    """The database cannot be used (unset, unreachable, refused, newer schema); the message says what to do.

    A ``FastMemoryError`` (a ``ToolError``), so the tools and the fast-memory steps report it as they
    report a broken SQLite store.
    """


def check_url(url: str) -> str:
    """``CWM_DATABASE_URL`` if it names PostgreSQL; the message never shows its password."""
    text = (url or "").strip()
    if not text:
        raise DatabaseError(
            f"CWM_DATABASE_URL is not set: the team server keeps its state in PostgreSQL. Set it, e.g. {URL_EXAMPLE}."
        )
    if urlsplit(text).scheme not in ("postgresql", "postgres"):
        raise DatabaseError(f"CWM_DATABASE_URL must be a postgresql:// URL like {URL_EXAMPLE} (got {redact(text)!r}).")
    return text


def redact(url: str) -> str:
    """``url`` with any password replaced by ``***``, for messages and logs."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _failure(url: str, exc: Exception) -> DatabaseError:
    reason = " ".join(str(exc).split()) or type(exc).__name__
    return DatabaseError(
        f"The database at {redact(_where(url))} cannot be used: {reason}. Check CWM_DATABASE_URL and that "
        "PostgreSQL is running and reachable."
    )


def _where(url: str) -> str:
    """host:port/database of a URL (no user or password), for messages."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2] or "localhost"
    return f"{host}{parts.path}"


class Database:
    """A pool of connections to one PostgreSQL database; ``migrate()`` before first use."""

    def __init__(self, url: str, min_size: int = 1, max_size: int = 10, timeout: float = POOL_TIMEOUT) -> None:
        self.url = check_url(url)
        self.min_size, self.max_size, self.timeout = min_size, max_size, timeout
        self._pool: Any = None
        self._pool_lock = threading.Lock()  # the first calls may come from many threads at once

    def __repr__(self) -> str:
        return f"Database({redact(self.url)!r})"

    # -- connections -----------------------------------------------------------

    def _connect(self, **options: Any) -> Any:
        """One connection of its own (migrations, tools), with a clear error when it cannot be had."""
        import psycopg

        try:
            return psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT, **options)
        except psycopg.Error as exc:
            raise _failure(self.url, exc) from None

    def _opened_pool(self) -> Any:
        with self._pool_lock:
            if self._pool is None:
                self._pool = self._new_pool()
            return self._pool

    def _new_pool(self) -> Any:
        from psycopg_pool import ConnectionPool

        return ConnectionPool(
            self.url,
            min_size=self.min_size,
            max_size=self.max_size,
            timeout=self.timeout,
            kwargs={"connect_timeout": CONNECT_TIMEOUT},
            open=True,
            name="cwm-gateway",
        )

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A pooled connection in one transaction: committed when the block ends, rolled back if it raises.

        Rows come back as dicts (column -> value).
        """
        import psycopg
        from psycopg.rows import dict_row
        from psycopg_pool import PoolTimeout

        try:
            with self._opened_pool().connection() as conn:
                conn.row_factory = dict_row
                yield conn
        except PoolTimeout as exc:
            raise _failure(self.url, exc) from None
        except psycopg.OperationalError as exc:  # the server went away, or refused us
            raise _failure(self.url, exc) from None

    def ping(self) -> None:
        """One round trip through the pool (for a health check); a DatabaseError when it fails."""
        with self.transaction() as conn:
            conn.execute("SELECT 1")

    def close(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ----------------------------------------------------------------

    def migrate(self) -> int:
        """Bring the schema to ``SCHEMA_VERSION``; safe to run again and from replicas starting at once.

        Returns the schema version. A database written by a newer cwm-gateway is refused, untouched.
        """
        with self._connect(autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
            try:
                return self._migrate_locked(conn)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))

    def _migrate_locked(self, conn: Any) -> int:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} ("
            "version INTEGER PRIMARY KEY, applied TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        applied = {row[0] for row in conn.execute(f"SELECT version FROM {MIGRATIONS_TABLE}")}
        newest = max(applied, default=0)
        if newest > SCHEMA_VERSION:
            raise DatabaseError(
                f"The database at {redact(_where(self.url))} was written by a newer cwm-gateway (schema {newest}, "
                f"this one knows {SCHEMA_VERSION}); upgrade every replica to use it."
            )
        for version in sorted(set(MIGRATIONS) - applied):
            with conn.transaction():  # a migration applies whole or not at all
                for statement in MIGRATIONS[version]:
                    conn.execute(statement)
                conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} (version) VALUES (%s)", (version,))
        return SCHEMA_VERSION

    def schema_version(self) -> int:
        """The newest migration applied; 0 for a database never migrated."""
        with self.transaction() as conn:
            exists = conn.execute("SELECT to_regclass(%s) AS t", (MIGRATIONS_TABLE,)).fetchone()["t"]
            if exists is None:
                return 0
            return conn.execute(f"SELECT coalesce(max(version), 0) AS v FROM {MIGRATIONS_TABLE}").fetchone()["v"]


def from_settings(env: Any = None, **pool: Any) -> Database:
    """The database ``CWM_DATABASE_URL`` names (a ``DatabaseError`` saying what to set when unset)."""
    from .. import settings

    return Database(settings.team(env).database_url, **pool)
