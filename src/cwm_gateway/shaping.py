"""Turning ConnectWise answers into what a model should read: lean, bounded, honest about cuts."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

DEFAULT_MAX_CHARS = 50_000
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_H1_RE = re.compile(r"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def strip_info(value: Any) -> Any:
    """Drop ConnectWise's ``_info`` blocks (hrefs and audit stamps) at every depth."""
    if isinstance(value, dict):
        return {k: strip_info(v) for k, v in value.items() if k != "_info"}
    if isinstance(value, list):
        return [strip_info(v) for v in value]
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
    item by item, so 10,000 records cost only the ones that fit.
    """
    clean = (lambda value: value) if keep_info else strip_info
    if isinstance(data, list):
        kept: list[Any] = []
        parts: list[str] = []
        used = 2
        for item in data:
            item = clean(item)
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
    """A one-line description of a body that is not JSON (an HTML error page, plain text)."""
    text = body.decode("utf-8", errors="replace")
    if "html" in (content_type or "").lower() or text.lstrip().lower().startswith(("<!doctype", "<html")):
        title = _TITLE_RE.search(text) or _H1_RE.search(text)
        if title:
            return "HTML page: " + html.unescape(_TAG_RE.sub("", title.group(1))).strip()[:limit]
        return "HTML page: " + " ".join(html.unescape(_TAG_RE.sub(" ", text)).split())[:limit]
    snippet = " ".join(text.split())
    return snippet[:limit] + ("..." if len(snippet) > limit else "") if snippet else "(empty body)"


def connectwise_error(body: bytes, content_type: str | None) -> tuple[str | None, str, list[Any]]:
    """(code, message, field errors) from a ConnectWise error body, whatever shape it has."""
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        code = parsed.get("code")
        # ConnectWise's own shape first, then problem+json (title/detail) and other common ones;
        # failing all, the body itself, shortened: an error must never say nothing.
        message = next(
            (str(parsed[key]) for key in ("message", "Message", "detail", "title", "error") if parsed.get(key)),
            compact(parsed)[:300],
        )
        errors = parsed.get("errors") or parsed.get("validation") or []
        return (str(code) if code else None), message, errors if isinstance(errors, list) else [errors]
    return None, summarize_body(body, content_type), []
