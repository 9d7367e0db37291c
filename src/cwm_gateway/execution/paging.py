"""Paging: the Link header, the pages one call fetched, and where ``next_page`` resumes.

``next_page`` holds the complete params of the call that fetches the records right after the
last one shown, whether the answer stopped at ``max_items``, at the size cap, or at a page end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..client import Response

CW_DEFAULT_PAGE_SIZE = 25  # what ConnectWise sends when no pageSize is given
_PAGING = ("page", "pagesize", "pageid")
Pairs = list[tuple[str, str]] | tuple[tuple[str, str], ...]


def links(response: Response) -> dict[str, str]:
    """``rel -> URL`` from a Link header, in one pass over it (a hostile header costs linear time)."""
    header = response.header("link") or ""
    found: dict[str, str] = {}
    position = 0
    while True:
        opening = header.find("<", position)
        closing = header.find(">", opening + 1) if opening >= 0 else -1
        if closing < 0:
            return found
        following = header.find("<", closing + 1)
        params = header[closing + 1 : following if following >= 0 else len(header)]
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "rel":
                for rel in value.strip(" \t,").strip('"').lower().split():
                    found.setdefault(rel, header[opening + 1 : closing].strip())
        if following < 0:
            return found
        position = following


def next_query(response: Response) -> Pairs | None:
    """The query of the Link: rel="next" page, if ConnectWise names one."""
    url = links(response).get("next")
    if not url:
        return None
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def query_key(query: Pairs) -> tuple[tuple[str, str], ...]:
    """A query as a set member: the same parameters in any order are the same page."""
    return tuple(sorted(query))


def onward(following: Pairs | None, fetched: set[tuple[tuple[str, str], ...]]) -> Pairs | None:
    """The next page's query, unless it names a page already fetched (keys from ``query_key``):
    a Link that points back, to the same page or one before, would repeat the same records."""
    if following is None or query_key(following) in fetched:
        return None
    return following


@dataclass
class Page:
    query: Pairs  # the query that fetched it
    count: int  # records in it
    next_query: Pairs | None  # its Link rel="next"


@dataclass
class Trail:
    """The pages one call fetched, in order: enough to say exactly where the next call resumes."""

    forward_only: bool
    pages: list[Page] = field(default_factory=list)

    def add(self, query: Pairs, count: int, next_query: Pairs | None) -> None:
        self.pages.append(Page(query, count, next_query))

    @property
    def next_query(self) -> Pairs | None:
        return self.pages[-1].next_query if self.pages else None


def resume(trail: Trail, shown: int, items: list[Any]) -> tuple[int, dict[str, Any] | None]:
    """How many of ``items`` to show, and the paging params that continue right after the last one shown.

    A cut at the end of a fetched page continues with that page's Link. A cut inside a page
    continues after the last record's id (forward-only), or with a page number and a page size
    that put a page boundary right after it (``page=4, pageSize=5`` after 15 of pages of 10);
    when no exact boundary is near, a few records go unshown rather than skipped.
    """
    if not trail.pages or shown <= 0:
        return max(shown, 0), None
    located = _locate(trail, shown)
    if located is None:
        return shown, None
    index, start = located
    page = trail.pages[index]
    if shown == start + page.count:
        return shown, _paging_of(page.next_query)
    if trail.forward_only:
        last = items[shown - 1]
        ident = last.get("id") if isinstance(last, dict) else None
        if isinstance(ident, int) and not isinstance(ident, bool):
            size = _lowered(page.query).get("pagesize")
            return shown, {"pageId": ident, **({"pageSize": _number(size)} if size else {})}
        if index > 0:  # records without ids: back to the last whole page
            return start, _paging_of(trail.pages[index - 1].next_query)
        return shown, None
    number, size = _position(page)
    offset = (number - 1) * size
    realigned = _realign(offset, shown - start, size)
    if realigned is None and index > 0:  # no page size near this one fits: back to the last whole page
        return start, _paging_of(trail.pages[index - 1].next_query)
    kept, next_number, next_size = realigned or _shrink(offset, shown - start, size)
    return start + kept, {"page": next_number, "pageSize": next_size}


def _locate(trail: Trail, shown: int) -> tuple[int, int] | None:
    """(index of the page holding the last record shown, records before that page)."""
    start = 0
    for index, page in enumerate(trail.pages):
        if shown <= start + page.count:
            return index, start
        start += page.count
    return None


def _position(page: Page) -> tuple[int, int]:
    """(page number, page size) of a numbered page."""
    query = _lowered(page.query)
    following = _lowered(page.next_query or [])
    number = _number(query.get("page", "1"))
    size = _number(query.get("pagesize") or following.get("pagesize") or "0")
    number = number if isinstance(number, int) and number >= 1 else 1
    if not isinstance(size, int) or size < 1:
        size = page.count if number == 1 else CW_DEFAULT_PAGE_SIZE
    return number, max(1, size)


def _realign(offset: int, kept: int, limit: int) -> tuple[int, int, int] | None:
    """(records to keep, page, pageSize) so that ``page`` starts right after the last record kept.

    ``offset`` records come before the page that was cut after ``kept`` of its records. Page
    sizes from ``limit`` down to half of it are tried: first one that keeps them all, then the
    largest that keeps at least one. None when none does.
    """
    target = offset + kept
    sizes = range(max(1, limit), max(1, (limit + 1) // 2) - 1, -1)
    exact = next((size for size in sizes if target % size == 0), None)
    if exact is not None:
        return kept, target // exact + 1, exact
    for size in sizes:
        boundary = target // size * size
        if boundary > offset:
            return boundary - offset, boundary // size + 1, size
    return None


def _shrink(offset: int, kept: int, limit: int) -> tuple[int, int, int]:
    """Like _realign with any page size: the largest that keeps at least half (size 1 keeps all)."""
    target = offset + kept
    for size in range(max(1, limit), 0, -1):
        boundary = target // size * size
        if boundary > offset and (boundary - offset) * 2 >= kept:
            return boundary - offset, boundary // size + 1, size
    return kept, target + 1, 1


def _lowered(query: Pairs) -> dict[str, str]:
    return {k.lower(): v for k, v in query}


def _number(value: str) -> int | str:
    return int(value) if value.isascii() and value.isdigit() else value


def _paging_of(next_query: Pairs | None) -> dict[str, Any] | None:
    """The paging params (page, pageId, pageSize) of a Link's query."""
    if not next_query:
        return None
    names = {"page": "page", "pagesize": "pageSize", "pageid": "pageId"}
    paging = {names[k.lower()]: _number(v) for k, v in next_query if k.lower() in names}
    return paging or None


def page_hint(paging: dict[str, Any] | None, params: dict[str, str]) -> dict[str, Any] | None:
    """The complete params of the call that fetches the next records: the call's own, with the paging replaced."""
    if not paging:
        return None
    hint: dict[str, Any] = {k: v for k, v in params.items() if k.lower() not in _PAGING}
    for key, value in params.items():
        if key.lower() == "pagesize" and "pageSize" not in paging:
            hint[key] = _number(value)
    hint.update(paging)
    return hint
