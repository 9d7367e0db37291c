"""Listing a collection as ConnectWise does: conditions, orderBy, fields, and both kinds of paging.

Numbered pages (``page``/``pageSize``, Link first/prev/next/last) unless the request asks for
``Pagination-Type: forward-only`` (``pageId``, Link next only); a POST ``.../search`` takes the same
parameters in its body.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from cwm_gateway.sandbox.conditions import Conditions, ConditionsError, read_conditions
from cwm_gateway.sandbox.data import ApiError, Record, Store
from cwm_gateway.sandbox.routing import Route
from cwm_gateway.sandbox.wire import JSON_TYPE, RecordedRequest, Response, api_error, dumps, json_response

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000
PAGING = ("page", "pagesize", "pageid")


# -- query parameters -----------------------------------------------------------------------------------------------


def lookup(record: Mapping[str, Any], path: str) -> Any:
    """The value at ``a/b/c`` in nested objects; field names match regardless of case, as in ConnectWise."""
    value: Any = record
    for part in path.split("/"):
        if not isinstance(value, Mapping):
            return None
        if part in value:
            value = value[part]
            continue
        lowered = part.lower()
        value = next((inner for key, inner in value.items() if key.lower() == lowered), None)
    return value


def parse_conditions(text: str, known: Mapping[str, str]) -> Conditions:
    """The stand-in's own reading of ``conditions`` (see ``sandbox/conditions.py``), refused as ConnectWise
    refuses it: a 400 naming the character, or the field it cannot filter on."""
    try:
        conditions = read_conditions(text)
    except ConditionsError as exc:
        raise api_error(
            400, "InvalidObject", f"conditions is invalid at character {exc.position + 1}: {exc.message}"
        ) from None
    if known:  # an empty collection has no fields to check against
        for field in conditions.fields:
            name = field.lower()
            if name not in known and not name.startswith("customfield"):
                raise ApiError(400, {"code": "InvalidObject", "message": f"Cannot filter on field '{field}'"})
    return conditions


def parse_order(text: str | None, known: Mapping[str, str]) -> list[tuple[str, bool]]:
    """``"company/name asc, id desc"`` -> [("company/name", False), ("id", True)]; True means descending."""
    order = []
    for part in (text or "").split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise api_error(
                400, "InvalidObject", f"orderBy '{part.strip()}' is not valid; write 'field asc' or 'field desc'"
            )
        if known and words[0].lower() not in known:
            raise api_error(400, "InvalidObject", f"Cannot order by field '{words[0]}'")
        order.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
    return order


def _sort_key(value: Any) -> tuple[int, Any]:
    # Nulls first when ascending (last when descending), as SQL Server sorts them.
    if value is None:
        return (0, 0)
    if isinstance(value, (bool, int, float)):
        return (1, float(value))
    if isinstance(value, str):
        return (2, value.lower())
    return (3, json.dumps(value, sort_keys=True))


def sort_rows(rows: list[Record], order: list[tuple[str, bool]]) -> list[Record]:
    rows = sorted(rows, key=lambda row: row["id"])  # the tie-breaker, and the order without orderBy
    for path, descending in reversed(order):
        rows.sort(key=lambda row, path=path: _sort_key(lookup(row, path)), reverse=descending)
    return rows


_WHOLE = None  # a field tree leaf: keep the whole value


def field_tree(spec: Any) -> dict[str, Any] | None:
    """``"id,summary,status/name"`` -> {"id": None, "summary": None, "status": {"name": None}}."""
    if spec is None or spec == "" or spec == []:
        return None
    parts = spec if isinstance(spec, list) else str(spec).split(",")
    tree: dict[str, Any] = {}
    for part in parts:
        segments = [segment.lower() for segment in str(part).strip().strip("/").split("/") if segment]
        node: dict[str, Any] | None = tree
        for segment in segments[:-1]:
            if node is None:
                break
            node = node.setdefault(segment, {})  # stays None when the whole parent was asked for
        if node is not None and segments:
            node[segments[-1]] = _WHOLE
    return tree or None


def project(value: Any, tree: dict[str, Any]) -> Any:
    """Keep only the requested paths of a record (inside lists too, for communicationItems/value)."""
    if isinstance(value, list):
        return [project(item, tree) for item in value]
    if not isinstance(value, Mapping):
        return value
    kept = {}
    for key, inner in value.items():
        lowered = key.lower()
        if lowered not in tree:
            continue
        sub = tree[lowered]
        kept[key] = inner if sub is _WHOLE else project(inner, sub)
    return kept


@dataclass
class Query:
    conditions: str | None = None
    order_by: str | None = None
    fields: Any = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    page_id: int | None = None
    forward_only: bool = False


def _whole_number(name: str, raw: Any) -> int:
    try:
        return int(str(raw).strip())
    except ValueError:
        raise api_error(400, "InvalidObject", f"{name} must be a whole number, not '{raw}'") from None


def read_query(params: Mapping[str, Any], *, forward_only: bool) -> Query:
    """The query from URL parameters (or a search body); names match regardless of case."""
    lowered = {key.lower(): value for key, value in params.items()}
    query = Query(forward_only=forward_only)
    query.conditions = str(lowered["conditions"]) if lowered.get("conditions") not in (None, "") else None
    query.order_by = str(lowered["orderby"]) if lowered.get("orderby") not in (None, "") else None
    query.fields = lowered.get("fields")
    if lowered.get("page") not in (None, ""):
        query.page = max(1, _whole_number("page", lowered["page"]))
    if lowered.get("pagesize") not in (None, ""):
        size = _whole_number("pageSize", lowered["pagesize"])
        query.page_size = DEFAULT_PAGE_SIZE if size < 1 else min(size, MAX_PAGE_SIZE)
    if lowered.get("pageid") not in (None, ""):
        query.page_id = _whole_number("pageId", lowered["pageid"])
    return query


# -- answering a listing --------------------------------------------------------------------------------------------


def paging(query: Mapping[str, str]) -> dict[str, str]:
    """The paging parameters of a URL query (a search takes its other parameters from the body)."""
    return {k: v for k, v in query.items() if k.lower() in PAGING}


def select(store: Store, route: Route, params: Mapping[str, Any], query: Query | None = None) -> list[Record]:
    """The collection's records that meet the conditions; the caller holds the store lock."""
    query = query or read_query(params, forward_only=False)
    rows = store.rows(route.template, route.parent_id)
    if query.conditions:
        conditions = parse_conditions(query.conditions, store.known_paths(route.template))
        rows = [row for row in rows if conditions.keeps(row, lookup)]
    return rows


def count(store: Store, route: Route, params: Mapping[str, Any]) -> Response:
    """``.../count``: how many records meet the conditions."""
    with store.lock:
        return json_response(200, {"count": len(select(store, route, params))})


class Listing:
    """One list request's answer: its records, the page asked for, and the Link header."""

    def __init__(self, base_url: str, request: RecordedRequest, path: str) -> None:
        self.base_url = base_url
        self.request = request
        self.path = path
        self.forward_only = request.headers.get("pagination-type", "").strip().lower() == "forward-only"

    def answer(self, store: Store, route: Route, params: Mapping[str, Any]) -> Response:
        query = read_query(params, forward_only=self.forward_only)
        with store.lock:
            rows = select(store, route, params, query)
            if self.forward_only:
                page, links = self.forward_page(rows, query)
            else:
                rows = sort_rows(rows, parse_order(query.order_by, store.known_paths(route.template)))
                page, links = self.numbered_page(rows, query)
            tree = field_tree(query.fields)
            body = dumps([project(row, tree) for row in page] if tree else page)
        headers = [("Content-Type", JSON_TYPE)]
        if links:
            headers.append(("Link", ", ".join(f'<{url}>; rel="{rel}"' for url, rel in links)))
        return Response(200, body, headers)

    def numbered_page(self, rows: list[Record], query: Query) -> tuple[list[Record], list[tuple[str, str]]]:
        size, number = query.page_size, query.page
        last = max(1, math.ceil(len(rows) / size))
        links = []
        if number > 1:
            links += [(1, "first"), (min(number - 1, last), "prev")]
        if number < last:
            links += [(number + 1, "next"), (last, "last")]
        urls = [(self.link([("page", str(n)), ("pageSize", str(size))]), rel) for n, rel in links]
        return rows[(number - 1) * size : number * size], urls

    def forward_page(self, rows: list[Record], query: Query) -> tuple[list[Record], list[tuple[str, str]]]:
        rows = sorted(rows, key=lambda row: row["id"])
        if query.page_id is not None:
            rows = [row for row in rows if row["id"] > query.page_id]
        page = rows[: query.page_size]
        if len(rows) <= len(page):
            return page, []
        next_page = [("pageId", str(page[-1]["id"])), ("pageSize", str(query.page_size))]
        return page, [(self.link(next_page), "next")]

    def link(self, paging: list[tuple[str, str]]) -> str:
        """An absolute paging URL that keeps the request's other parameters (conditions, fields, ...)."""
        others = [(k, v) for k, v in self.request.query.items() if k.lower() not in PAGING]
        return f"{self.base_url}{quote(self.path)}?{urlencode(paging + others, safe='/', quote_via=quote)}"
