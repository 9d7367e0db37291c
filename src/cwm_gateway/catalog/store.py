"""Read-only access to a built catalog."""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar, get_type_hints
from urllib.parse import unquote, urlsplit

from ..results import ToolError
from .names import METHOD_ORDER
from .schema import FORMAT_VERSION

PLACEHOLDER_RE = re.compile(r"\{([^}/]+)\}")
T = TypeVar("T")


class CatalogError(ToolError):
    """The catalog is missing, unreadable or from another version of the gateway."""


@dataclass(frozen=True)
class Operation:
    id: int
    method: str
    path: str
    operation_id: str
    category: str
    summary: str
    description: str
    deprecated: bool
    replacement: str | None
    original_path: str | None
    resource_schema: str | None
    returns_list: bool
    request_media_type: str | None
    request_schema: str | None
    request_required: bool
    request_missing_schema: str | None
    response_status: str | None
    response_media_type: str | None
    response_schema: str | None
    response_missing_schema: str | None

    @property
    def path_params(self) -> list[str]:
        return PLACEHOLDER_RE.findall(self.path)

    @property
    def has_body(self) -> bool:
        return self.request_schema is not None or self.request_missing_schema is not None

    @property
    def is_count(self) -> bool:
        return self.path.rstrip("/").endswith("/count")


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    type: str | None
    format: str | None
    description: str
    schema: dict[str, Any]
    auth: bool


# -- rows by name: a dataclass's fields are the columns it reads ---------------------------------


@cache
def select_list(cls: type) -> str:
    """The SELECT list for ``cls``: its field names, which are its table's column names."""
    return ", ".join(f.name for f in dataclasses.fields(cls))


def _load_json(text: str | None) -> dict[str, Any]:
    return json.loads(text or "{}")


@cache
def _plan(cls: type, columns: tuple[str, ...]) -> tuple[tuple[int, Callable[[Any], Any] | None], ...]:
    """Per field of ``cls``: the index of the column of its name, and what turns the stored value
    into the field's type (SQLite has no bool or JSON). A missing column raises ValueError."""
    missing = [f.name for f in dataclasses.fields(cls) if f.name not in columns]
    if missing:
        raise ValueError(f"{cls.__name__} reads columns the query did not select: {', '.join(missing)}")
    hints = get_type_hints(cls)
    convert = {bool: bool, dict[str, Any]: _load_json}
    return tuple((columns.index(f.name), convert.get(hints[f.name])) for f in dataclasses.fields(cls))


def from_rows(cls: type[T], rows: Sequence[sqlite3.Row]) -> list[T]:
    """Rows that hold ``select_list(cls)``, as ``cls``: each field from the column of its name.

    Names are matched to the result's columns once per result shape, not per row: reading by
    name costs little more than reading by position.
    """
    if not rows:
        return []
    plan = _plan(cls, tuple(rows[0].keys()))
    return [cls(*[row[i] if convert is None else convert(row[i]) for i, convert in plan]) for row in rows]


@dataclass(frozen=True)
class PathMatch:
    """A concrete path resolved to its template, with the values for its placeholders."""

    template: str
    values: dict[str, str]
    operations: list[Operation]

    def method(self, method: str) -> Operation | None:
        return next((op for op in self.operations if op.method == method.upper()), None)

    @property
    def methods(self) -> list[str]:
        return [op.method for op in self.operations]


def split_path(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def normalize_request_path(path: str) -> str:
    """Reduce what a user may paste (a full URL, a path with a query) to the bare API path."""
    candidate = path.strip()
    if "://" in candidate:
        candidate = urlsplit(candidate).path
    candidate = candidate.split("?", 1)[0].split("#", 1)[0]
    marker = "/apis/3.0"
    if marker in candidate:
        candidate = candidate.split(marker, 1)[1]
    if not candidate.startswith("/"):
        candidate = "/" + candidate
    return candidate


class Catalog:
    """The operations, parameters and schemas of one OpenAPI definition, opened read-only."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise CatalogError(
                f"API catalog not found at {self.path}. Build it with "
                "'cwm-gateway build-db path/to/manage.json' or unset CWM_CATALOG."
            )
        uri = self.path.resolve().as_uri() + "?mode=ro&immutable=1"
        try:
            self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._conn.row_factory = sqlite3.Row
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            self._conn.execute("SELECT 1 FROM operations LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            raise CatalogError(f"{self.path} is not a usable API catalog ({exc}); rebuild it with build-db.") from exc
        if version != FORMAT_VERSION:
            raise CatalogError(
                f"{self.path} was built by another version of cwm-gateway (catalog format {version},"
                f" this version reads {FORMAT_VERSION}); rebuild it with 'cwm-gateway build-db'."
            )
        # One connection shared by the server's worker threads; sqlite3 objects are not
        # safe to use from two threads at the same moment.
        self._lock = threading.RLock()
        self._meta: dict[str, str] | None = None
        self._schema = lru_cache(maxsize=512)(self._load_schema)
        self._shape_index: dict[tuple[int, str], list[tuple[str, tuple[str, ...]]]] | None = None
        self._resolve_template = lru_cache(maxsize=2048)(self._resolve_uncached)
        self._template_operations = lru_cache(maxsize=1024)(self._load_template_operations)

    def close(self) -> None:
        self._conn.close()

    def query(self, sql: str, params: tuple[Any, ...] | list[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        """Rows that read by name (``row["path"]``) or position (``row[0]``, unpacking)."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # -- facts -------------------------------------------------------------

    @property
    def meta(self) -> dict[str, str]:
        if self._meta is None:
            self._meta = {row["key"]: row["value"] for row in self.query("SELECT key, value FROM meta")}
        return self._meta

    @property
    def api_version(self) -> str:
        return self.meta.get("api_version", "")

    def info(self) -> dict[str, str]:
        """Facts about the catalog for people (no compiled blobs)."""
        return {k: v for k, v in self.meta.items() if k != "lexicon"}

    def counts(self) -> dict[str, int]:
        return {
            "operations": int(self.meta.get("operations", 0)),
            "categories": int(self.meta.get("categories", 0)),
            "schemas": int(self.meta.get("schemas", 0)),
        }

    # -- categories --------------------------------------------------------

    def categories(self) -> list[tuple[str, int]]:
        return [
            (name, count)
            for name, count in self.query(
                "SELECT category, count(*) FROM operations GROUP BY category ORDER BY category COLLATE NOCASE"
            )
        ]

    def find_category(self, name: str) -> str | None:
        rows = self.query("SELECT DISTINCT category FROM operations WHERE category = ? COLLATE NOCASE", (name.strip(),))
        if rows:
            return rows[0]["category"]
        # "ticket notes" or "ticket-notes" for "TicketNotes"
        squashed = re.sub(r"[^a-z0-9]", "", name.lower())
        for category, _ in self.categories():
            if category.lower() == squashed:
                return category
        return None

    def suggest_categories(self, name: str, limit: int = 5) -> list[str]:
        squashed = re.sub(r"[^a-z0-9]", "", name.lower())
        names = [category for category, _ in self.categories()]
        lowered = {category.lower(): category for category in names}
        close = difflib.get_close_matches(squashed, list(lowered), n=limit, cutoff=0.6)
        contains = [c for c in names if squashed and squashed in c.lower() and c.lower() not in close]
        contains.sort(key=len)
        return [lowered[c] for c in close] + contains[: max(0, limit - len(close))]

    def category_operations(self, category: str) -> list[Operation]:
        operations = self._operations("WHERE category = ?", (category,))
        return sorted(operations, key=lambda op: (op.path, METHOD_ORDER.get(op.method, 9)))

    # -- operations --------------------------------------------------------

    def _operations(self, where: str, params: tuple[Any, ...] | list[Any]) -> list[Operation]:
        return from_rows(Operation, self.query(f"SELECT {select_list(Operation)} FROM operations {where}", params))

    def operations_by_ids(self, ids: list[int]) -> dict[int, Operation]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {op.id: op for op in self._operations(f"WHERE id IN ({marks})", ids)}

    def operations_for_template(self, template: str) -> list[Operation]:
        return list(self._template_operations(template))

    def _load_template_operations(self, template: str) -> tuple[Operation, ...]:
        operations = self._operations("WHERE path = ?", (template,))
        return tuple(sorted(operations, key=lambda op: METHOD_ORDER.get(op.method, 9)))

    def _templates_by_shape(self) -> dict[tuple[int, str], list[tuple[str, tuple[str, ...]]]]:
        """Templates grouped by (segment count, first segment): built once, on the first lookup."""
        with self._lock:
            if self._shape_index is None:
                index: dict[tuple[int, str], list[tuple[str, tuple[str, ...]]]] = {}
                for (template,) in self._conn.execute("SELECT DISTINCT path FROM operations"):
                    segments = tuple(split_path(template))
                    if segments:
                        index.setdefault((len(segments), segments[0].lower()), []).append((template, segments))
                self._shape_index = index
            return self._shape_index

    def resolve(self, path: str) -> PathMatch | None:
        """Map a concrete or template path to its catalog template.

        ``/service/tickets/4521`` -> ``/service/tickets/{id}`` with ``{"id": "4521"}``.
        Literal segments beat placeholders (``/service/tickets/count`` is the count
        operation, not ticket "count"); letter case and a trailing slash are forgiven.
        """
        found = self._resolve_template(path)
        if found is None:
            return None
        template, values = found
        return PathMatch(template, dict(values), list(self._template_operations(template)))

    def _resolve_uncached(self, path: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
        wanted = split_path(normalize_request_path(path))
        if not wanted:
            return None
        candidates = self._templates_by_shape().get((len(wanted), unquote(wanted[0]).lower()), [])
        best: tuple[tuple[int, int, int], str, tuple[str, ...]] | None = None
        for template, segments in candidates:
            score = _match_score(wanted, list(segments), path.rstrip("/") == template.rstrip("/"))
            if score is None:
                continue
            literal, exact_case, exact = score
            rank = (literal, exact, exact_case)
            if best is None or rank > best[0]:
                best = (rank, template, segments)
        if best is None:
            return None
        values = tuple(
            (t[1:-1], unquote(w))
            for w, t in zip(wanted, best[2])
            if t.startswith("{") and not (w.startswith("{") and w.endswith("}"))
        )
        return best[1], values

    def suggest_paths(self, path: str, limit: int = 5) -> list[str]:
        """Catalog templates that look like ``path`` (for unknown-path errors)."""
        wanted = normalize_request_path(path).lower()
        wanted_shape = re.sub(r"/\d+(?=/|$)", "/{id}", wanted.rstrip("/"))
        templates = [row["path"] for row in self.query("SELECT DISTINCT path FROM operations")]
        by_lower: dict[str, str] = {}
        for template in templates:
            by_lower.setdefault(template.lower(), template)
        close = difflib.get_close_matches(wanted_shape, list(by_lower), n=limit, cutoff=0.55)
        return [by_lower[c] for c in close]

    # -- parameters, schemas ---------------------------------------------------

    def parameters(self, op_id: int) -> list[Parameter]:
        rows = self.query(
            f"SELECT {select_list(Parameter)} FROM parameters WHERE operation = ? ORDER BY position", (op_id,)
        )
        return from_rows(Parameter, rows)

    def schema(self, name: str) -> dict[str, Any] | None:
        return self._schema(name)

    def _load_schema(self, name: str) -> dict[str, Any] | None:
        rows = self.query("SELECT definition FROM schemas WHERE name = ?", (name,))
        return json.loads(rows[0]["definition"]) if rows else None

    def list_schema_for(self, op: Operation) -> str | None:
        """The item schema that a list (or its /count) filters on."""
        if op.resource_schema and op.resource_schema != "Count":
            return op.resource_schema
        if op.is_count:
            base = op.path.rstrip("/")[: -len("/count")]
            for sibling in self.operations_for_template(base):
                if sibling.method == "GET" and sibling.resource_schema:
                    return sibling.resource_schema
        return None


def _match_score(wanted: list[str], template: list[str], exact: bool) -> tuple[int, int, int] | None:
    literal = exact_case = 0
    for given, expected in zip(wanted, template):
        expected_is_placeholder = expected.startswith("{") and expected.endswith("}")
        given_is_placeholder = given.startswith("{") and given.endswith("}")
        if expected_is_placeholder:
            if given_is_placeholder:
                literal += 1
            continue
        if given_is_placeholder or unquote(given).lower() != expected.lower():
            return None
        literal += 1
        exact_case += int(unquote(given) == expected)
    return literal, exact_case, int(exact)
