"""The fast-memory tools: saving, listing, deleting and running saved queries."""

from __future__ import annotations

from typing import Any

from .catalog.store import Catalog
from .client import UnsafeRequest, check_path
from .discovery import check_text_length
from .execution import Executor, normalize_data, normalize_params
from .memory import MAX_ID, FastMemoryError, MemoryStore, SavedQuery, valid_id
from .person import Answer
from .rawrequest import RawRequestError, parse_query
from .results import Result, ToolError, ok
from .shaping import compact


def _entry_lines(query: dict[str, Any]) -> list[str]:
    """One saved query (``SavedQuery.as_dict``) in words."""
    lines = [
        f"#{query['id']} {query['method']} {query['path']} - {query['description']} (used {query['usage_count']}x)"
    ]
    if query.get("unreadable"):
        lines.append(f"   UNREADABLE: {query['unreadable']}")
    if query.get("params"):
        lines.append(f"   params: {compact(query['params'])}")
    if query.get("data") is not None:
        lines.append(f"   data: {compact(query['data'])}")
    return lines


def _saved_lines(data: dict[str, Any]) -> list[str]:
    verb = "Saved" if data["created"] else "Already saved (description updated)"
    return [f"{verb} as #{data['id']}.", *_entry_lines(data["query"])]


def _listing_lines(data: dict[str, Any]) -> list[str]:
    if not data["queries"]:
        where = f" matching {data['search_term']!r}" if data.get("search_term") else ""
        return [f"No saved queries{where}."]
    header = f"{data['total']} saved queries (most used first):"
    return [header, *(line for query in data["queries"] for line in _entry_lines(query))]


def _deleted_lines(data: dict[str, Any]) -> list[str]:
    deleted = data["deleted"]
    if isinstance(deleted, dict):
        return [f"Deleted saved query #{deleted['id']} ({deleted['description']})."]
    return [f"Deleted all {deleted} saved queries."]


def save(
    store: MemoryStore, catalog: Catalog, path: str, method: str, description: str, params: Any, data: Any
) -> Result:
    method = (method or "GET").strip().upper()
    if not description or not description.strip():
        raise ToolError("Give a description: what the query is for, e.g. 'open tickets for Contoso'.")
    clean_path, _, inline = (path or "").strip().partition("?")
    try:
        pairs = parse_query(inline) if inline else []
        pairs += normalize_params(params) if params not in (None, "", {}) else []
        query = dict(pairs) or None
        body, has_body = normalize_data(data)
    except (ValueError, RawRequestError) as exc:
        raise ToolError(f"{str(exc).rstrip('.')}. Nothing was saved.") from None
    try:  # the very check execution applies: what cannot be run is not saved
        check_path(clean_path)
    except UnsafeRequest as exc:
        raise ToolError(f"{exc} Nothing was saved.") from None
    match = catalog.resolve(clean_path)
    if match is None:
        raise ToolError(
            f"No ConnectWise operation matches {clean_path or '(empty path)'}; nothing was saved.",
            suggestions=catalog.suggest_paths(clean_path) if clean_path else [],
        )
    if match.method(method) is None:
        raise ToolError(f"{match.template} does not take {method}; nothing was saved.", available_methods=match.methods)
    entry, created = store.save(
        method, clean_path, match.template, description.strip(), query, body if has_body else None
    )
    data = {
        "id": entry.id,
        "created": created,
        "query": entry.as_dict(),
        "next_step": f"Run it with run_saved_query({entry.id}).",
    }
    return ok(data, _saved_lines)


def listing(store: MemoryStore, search_term: str | None) -> Result:
    check_text_length("search_term", search_term, "Give a word from the description or path, e.g. 'tickets'.")
    queries = store.list(search_term)
    data: dict[str, Any] = {"queries": [q.as_dict() for q in queries], "total": len(queries)}
    if search_term:
        data["search_term"] = search_term
    if not queries:
        data["next_step"] = "Save one with save_to_fast_memory after a call that worked."
    return ok(data, _listing_lines)


def _entry(store: MemoryStore, query_id: Any) -> SavedQuery:
    """The saved query with this id; ToolError for an id no saved query has or can have."""
    if not valid_id(query_id):  # SQLite integers stop at 2**63 - 1
        raise ToolError(
            f"query_id must be a whole number from 1 to {MAX_ID} (got {str(query_id)[:40]}).",
            hint="list_fast_memory shows the ids of saved queries.",
        )
    entry = store.get(query_id)
    if entry is None:
        raise ToolError(f"There is no saved query #{query_id}.", hint="list_fast_memory shows the ids.")
    return entry


def delete(store: MemoryStore, query_id: int) -> Result:
    entry = _entry(store, query_id)
    store.delete(entry.id)
    return ok({"deleted": entry.as_dict()}, _deleted_lines)


def clear(store: MemoryStore) -> Result:
    removed = store.clear()
    return ok({"deleted": removed}, _deleted_lines)


def run(
    store: MemoryStore,
    executor: Executor,
    query_id: int,
    params: Any,
    data: Any,
    confirm: bool = False,
    dry_run: bool = False,
    person: Answer | None = None,
) -> Result:
    """Execute a saved query, with optional overrides, through every check a direct call gets."""
    return executor.run_saved(_runnable(store, query_id), params, data, confirm, dry_run, person)


def question(
    store: MemoryStore, executor: Executor, query_id: int, params: Any = None, data: Any = None, dry_run: bool = False
) -> str | None:
    """What to ask the person before running the saved query; None when nobody needs asking."""
    try:
        entry = _runnable(store, query_id)
    except ToolError:  # the call itself says so
        return None
    return executor.question_saved(entry, params, data, dry_run)


def _runnable(store: MemoryStore, query_id: Any) -> SavedQuery:
    entry = _entry(store, query_id)
    if entry.unreadable:
        raise ToolError(f"Saved query #{entry.id} cannot be run: {entry.unreadable}.")
    return entry


__all__ = ["FastMemoryError", "clear", "delete", "listing", "run", "save"]
