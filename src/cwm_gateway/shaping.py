"""Turning ConnectWise answers into what a model should read: lean, bounded, honest about cuts."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

DEFAULT_MAX_CHARS = 50_000
MAX_DEPTH = 64  # nesting levels an answer may have; deeper ones cannot be handed on safely
_SCAN_CHARS = 16_384  # how much of a non-JSON body is looked at to describe it
_MAX_MESSAGE = 2_000
_MAX_FIELD_ERRORS = 50
_TITLE_OPEN = re.compile(r"<title\b", re.IGNORECASE)
_TITLE_CLOSE = re.compile(r"</title\s*>", re.IGNORECASE)
_H1_OPEN = re.compile(r"<h1\b", re.IGNORECASE)
_H1_CLOSE = re.compile(r"</h1\s*>", re.IGNORECASE)


class TooDeep(ValueError):
    """A JSON answer nests deeper than MAX_DEPTH levels."""

    def __init__(self) -> None:
        super().__init__(f"it nests deeper than {MAX_DEPTH} levels")


def parse_json(body: bytes) -> Any:
    """``json.loads`` that never fails on depth with anything but ValueError (TooDeep).

    Nesting past MAX_DEPTH is refused where a value is handed on (``fit``, ``connectwise_error``):
    only what is shown is walked, so 10,000 records cost only the ones that fit.
    """
    try:
        return json.loads(body)
    except RecursionError:
        raise TooDeep() from None


def _deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return False


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def strip_info(value: Any, depth: int = 1) -> Any:
    """Drop ConnectWise's ``_info`` blocks (hrefs and audit stamps) at every depth; TooDeep past MAX_DEPTH."""
    if isinstance(value, dict):
        if depth > MAX_DEPTH:
            raise TooDeep()
        return {k: strip_info(v, depth + 1) for k, v in value.items() if k != "_info"}
    if isinstance(value, list):
        if depth > MAX_DEPTH:
            raise TooDeep()
        return [strip_info(v, depth + 1) for v in value]
    return value


def bounded(value: Any, depth: int = 1) -> Any:
    """``value`` itself, or TooDeep when it (found at ``depth``) nests past MAX_DEPTH."""
    if _deeper_than(value, MAX_DEPTH - depth + 1):
        raise TooDeep()
    return value


@dataclass
class Fitted:
    data: Any
    truncated: bool = False
    shown: int | None = None  # items kept, for lists
    omitted_fields: list[str] = field(default_factory=list)
    text: str = ""  # the compact JSON of ``data``


def fit(data: Any, max_chars: int = DEFAULT_MAX_CHARS, keep_info: bool = False) -> Fitted:
    """Keep ``data`` under ``max_chars`` of compact JSON, cutting whole items or values, never mid-JSON.

    ``_info`` blocks are dropped on the way unless ``keep_info``. A list is cleaned and measured
    item by item, so 10,000 records cost only the ones that fit. Raises TooDeep for a value that
    nests past MAX_DEPTH levels: it could not be handed on.
    """
    clean = bounded if keep_info else strip_info
    if isinstance(data, list):
        kept: list[Any] = []
        parts: list[str] = []
        used = 2
        for item in data:
            item = clean(item, 2)
            part = compact(item)
            if used + len(part) + 1 > max_chars:
                return Fitted(kept, truncated=True, shown=len(kept), text="[" + ",".join(parts) + "]")
            kept.append(item)
            parts.append(part)
            used += len(part) + 1
        return Fitted(kept, shown=len(kept), text="[" + ",".join(parts) + "]")
    data = clean(data)
    whole = compact(data)
    if len(whole) <= max_chars:
        return Fitted(data, text=whole)
    if isinstance(data, dict):
        trimmed = dict(data)
        omitted: list[str] = []
        for key in sorted(trimmed, key=lambda k: len(compact(trimmed[k])), reverse=True):
            if len(compact(trimmed)) <= max_chars:
                break
            trimmed[key] = f"<omitted: {len(compact(data[key]))} characters>"
            omitted.append(key)
        return Fitted(trimmed, truncated=True, omitted_fields=omitted, text=compact(trimmed))
    return Fitted(whole[:max_chars], truncated=True, text=compact(whole[:max_chars]))


def summarize_body(body: bytes, content_type: str | None, limit: int = 300) -> str:
    """A one-line description of a body that is not JSON (an HTML error page, plain text).

    Only the start of the body is looked at, and without backtracking patterns: a huge or
    hostile page costs linear time.
    """
    text = body[: _SCAN_CHARS * 4].decode("utf-8", errors="replace")[:_SCAN_CHARS]
    if "html" in (content_type or "").lower() or text.lstrip()[:9].lower().startswith(("<!doctype", "<html")):
        title = _element_text(text, _TITLE_OPEN, _TITLE_CLOSE) or _element_text(text, _H1_OPEN, _H1_CLOSE)
        if title:
            return "HTML page: " + title[:limit]
        words = " ".join(html.unescape(_strip_tags(text)).split())
        return "HTML page: " + words[:limit] if words else "HTML page without readable text"
    snippet = " ".join(text.split())
    longer = len(snippet) > limit or len(body) > len(text)
    return snippet[:limit] + ("..." if longer else "") if snippet else "(empty body)"


def _element_text(text: str, opening: re.Pattern[str], closing: re.Pattern[str]) -> str:
    """The text of the first element whose tags the patterns find, or ''."""
    start = opening.search(text)
    if start is None:
        return ""
    inside = text.find(">", start.end())
    end = closing.search(text, inside + 1) if inside >= 0 else None
    if end is None:
        return ""
    return " ".join(html.unescape(_strip_tags(text[inside + 1 : end.start()])).split())


def _strip_tags(text: str) -> str:
    """``text`` without its ``<...>`` tags, in one pass (an unclosed ``<`` ends the text)."""
    parts = []
    position = 0
    while True:
        opening = text.find("<", position)
        if opening < 0:
            parts.append(text[position:])
            break
        parts.append(text[position:opening])
        closing = text.find(">", opening + 1)
        if closing < 0:
            break
        parts.append(" ")
        position = closing + 1
    return "".join(parts)


def connectwise_error(body: bytes, content_type: str | None) -> tuple[str | None, str, list[Any]]:
    """(code, message, field errors) from a ConnectWise error body, whatever shape it has."""
    try:
        parsed = parse_json(body) if body.strip() else None
    except ValueError:
        parsed = None
    if isinstance(parsed, (dict, list)) and _deeper_than(parsed, MAX_DEPTH):
        parsed = None  # cannot be handed on; described as a body instead
    if isinstance(parsed, dict):
        code = parsed.get("code")
        # ConnectWise's own shape first, then problem+json (title/detail) and other common ones;
        # failing all, the body itself, shortened: an error must never say nothing.
        message = next(
            (str(parsed[key]) for key in ("message", "Message", "detail", "title", "error") if parsed.get(key)),
            compact(parsed)[:300],
        )
        if len(message) > _MAX_MESSAGE:
            message = message[:_MAX_MESSAGE] + "..."
        errors = parsed.get("errors") or parsed.get("validation") or []
        errors = errors[:_MAX_FIELD_ERRORS] if isinstance(errors, list) else [errors]
        return (str(code)[:100] if code else None), message, errors
    return None, summarize_body(body, content_type), []
