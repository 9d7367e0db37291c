"""The answer stage: ConnectWise's answer made into what the assistant reads.

The data is cut to whole records under ``CWM_MAX_RESPONSE_CHARS`` (``shaping.fit``), our own
secrets are redacted from it, and the data says in words what was shown: why records are missing
(``max_items``, the size cap) and what the checks changed (``notes``), what may not do what was
meant (``warnings``), the call that fetches the next ones (``next_step``). The text is rendered
from that data (``call_lines``): a headline, those words, then the records as compact JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .. import logs
from ..client import Response
from ..results import Result, ToolError
from ..shaping import TooDeep, compact, fit, summarize_body
from .paging import Page, Trail, next_query, onward, page_hint, query_key, resume
from .request import Options, Request
from .send import Sent, json_body


@dataclass
class Answer:
    """A successful call's result, before it is handed back: the memory step may add to its data."""

    data: dict[str, Any]

    def result(self) -> Result:
        return Result(self.data, call_lines, last=records_line)


def call_lines(data: dict[str, Any]) -> list[str]:
    """``200: 25 items from GET /service/tickets across 3 pages.``: the headline, from the data."""
    method = str(data.get("operation", "")).split(" ", 1)[0]
    what = f"{method} {data.get('path')}"
    count, status = data.get("item_count"), data.get("status")
    if count is not None:
        pages = data.get("pages_fetched") or 1
        across = f" across {pages} pages" if pages > 1 else ""
        return [f"{status}: {count} items from {what}{across}."]
    if status == 204 or data.get("data") is None:
        return [f"{status}: {what} done (no content)."]
    return [f"{status}: {what}."]


def records_line(data: dict[str, Any]) -> list[str]:
    """The records (or the value) shown, as compact JSON: last in the text."""
    return [compact(data.get("data"))]


@dataclass
class Shown:
    """What of a payload is shown, and why the rest is not."""

    data: Any
    text: str
    count: int | None  # records in the payload (None: not a list)
    shown: int | None  # records shown
    paging: dict[str, Any] | None  # page, pageId, pageSize that continue after the last one shown
    truncated: bool  # records or large values were left out to fit the size cap
    omitted_fields: list[str]

    @property
    def cut(self) -> bool:
        return self.count is not None and self.shown != self.count


def answer(request: Request, sent: Sent, options: Options, max_chars: int) -> Answer:
    payload, trail = read_payload(request, sent)
    payload, stopped_early = capped(payload, sent, trail, options)
    shown = show(payload, trail, max_chars, options.include_info, sent.response)
    next_page = page_hint(shown.paging, request.params())
    data: dict[str, Any] = {
        "status": sent.response.status,
        "operation": request.label,
        "path": request.path,
        "data": shown.data,
        "item_count": shown.count,
        "next_page": next_page,
        "truncated": shown.truncated or stopped_early or shown.cut,
    }
    if options.all_pages:
        data["pages_fetched"] = sent.pages
    if shown.cut:
        data["items_shown"] = shown.shown
    if shown.omitted_fields:
        data["omitted_fields"] = shown.omitted_fields
    notes = [f"Stopped at max_items={options.max_items}; more records exist."] if stopped_early else []
    notes += cut_words(shown, max_chars)
    step = next_page_words(next_page, shown, trail.forward_only, request.has_body, options.all_pages)
    if step and not next_page:  # no call fetches the rest: why, as a note
        notes += step
    if not options.include_info and payload not in (None, [], {}):
        notes.append("(_info metadata removed; include_info=true keeps it)")
    notes += request.notes
    _put(data, notes=notes, warnings=list(request.warnings), next_step=step[0] if step and next_page else None)
    return Answer(data)


def _put(data: dict[str, Any], **words: Any) -> None:
    """Add the words that say something (an empty list or None says nothing and is left out)."""
    data.update((key, value) for key, value in words.items() if value)


def read_payload(request: Request, sent: Sent) -> tuple[Any, Trail]:
    """The records or the value ConnectWise answered with, and the pages they came in."""
    if sent.items is not None:
        return sent.items, sent.trail
    response = sent.response
    try:
        payload = json_body(response)
    except TooDeep as exc:
        raise too_deep(response, exc) from None
    except ValueError:
        summary = logs.redact(summarize_body(response.body, response.header("content-type"), 120))
        raise ToolError(
            f"ConnectWise answered {response.status} but the body is not readable JSON ({summary}); the "
            "answer may have been cut off. Try again, or page with a smaller pageSize.",
            status=response.status,
        ) from None
    if not isinstance(payload, list):
        return payload, sent.trail
    page = Page(request.query, len(payload), onward(next_query(response), {query_key(request.query)}))
    return payload, Trail(sent.trail.forward_only, [*sent.trail.pages, page])


def capped(payload: Any, sent: Sent, trail: Trail, options: Options) -> tuple[Any, bool]:
    """The payload cut at ``max_items``, and whether records were left unfetched or cut."""
    if not options.all_pages:
        return payload, False
    if isinstance(payload, list) and len(payload) > options.max_items:
        return payload[: options.max_items], True
    return payload, sent.items is not None and bool(trail.next_query)


def show(payload: Any, trail: Trail, max_chars: int, include_info: bool, response: Response) -> Shown:
    """Fit the payload under ``max_chars``, end it where next_page can resume, redact our secrets."""
    try:
        fitted = fit(payload, max_chars, keep_info=include_info)
    except TooDeep as exc:
        raise too_deep(response, exc) from None
    count = len(payload) if isinstance(payload, list) else None
    shown, paging = count, None
    data, text = fitted.data, fitted.text
    if count is not None:
        shown, paging = resume(trail, fitted.shown or 0, payload)
        if shown < len(data):
            data = data[:shown]
            text = compact(data)
    redacted = logs.redact(text)  # what is shown, not all that was read: cheap for 10,000 records
    if redacted != text:
        text, data = redacted, json.loads(redacted)
    return Shown(data, text, count, shown, paging, fitted.truncated, fitted.omitted_fields)


def too_deep(response: Response, exc: TooDeep) -> ToolError:
    return ToolError(
        f"ConnectWise answered {response.status}, but {exc}, more than can be handed on; nothing was "
        "shown. Ask for fewer fields (fields=...) or the record's parts one by one.",
        status=response.status,
    )


def cut_words(shown: Shown, max_chars: int) -> list[str]:
    """Why not every record or value is shown."""
    if shown.cut:
        why = (
            f"to stay under {max_chars} characters; narrow with conditions or fields=..., or page with pageSize"
            if shown.truncated
            else "so that next_page starts right after the last one shown"
        )
        return [f"Showing {shown.shown} of {shown.count} items {why}."]
    if shown.truncated:
        return [f"Large values were left out: {', '.join(shown.omitted_fields)}."]
    return []


def next_page_words(
    next_page: dict[str, Any] | None, shown: Shown, forward_only: bool, has_body: bool, all_pages: bool
) -> list[str]:
    """The exact call that fetches the next records, or why there is none."""
    if next_page:
        same_body = " and the same data" if has_body else ""
        also = "" if all_pages else ", or all_pages=true"
        return [f"More records: call again with params {compact(next_page)}{same_body}{also}."]
    count, kept = shown.count, shown.shown
    if count is not None and kept is not None and 0 < kept < count and forward_only:
        return ["No next_page: these records carry no id to resume after; include id in fields."]
    return []
