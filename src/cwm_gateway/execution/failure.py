"""ConnectWise's error answers in words the assistant can act on: what happened, what was retried, what to do.

401, 403, 404, 429 and 5xx each have their sentence; ConnectWise's field errors follow as lines,
and "Cannot filter on field 'x'" brings the fields that can be filtered on.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from ..client import MAX_RETRY_AFTER, ApiError
from ..keycheck import REJECTED_KEYS
from ..results import ToolError
from .facts import Facts
from .request import Request

_REJECTED_FIELD = re.compile(r"(?:filter on|order by|order on) field '([^']{1,200})'", re.IGNORECASE)
# The same words as setup and doctor use for a 401 (keycheck), plus where to look.
REJECTED_CREDENTIALS = f"{REJECTED_KEYS} 'cwm-gateway doctor' shows where each comes from."


def api_error(request: Request, exc: ApiError, facts: Facts) -> ToolError:
    """The ToolError for an error status: its sentence, then ConnectWise's field errors, one a line."""
    details: dict[str, Any] = {
        "operation": request.label,
        "path": request.path,
        "code": exc.code,
        "errors": exc.errors,
    }
    if exc.retry_after is not None:
        details["retry_after"] = exc.retry_after
    if exc.attempts > 1:
        details["attempts"] = exc.attempts
    message = status_words(request, exc)
    help_text, filterable, close = rejected_field_help(request, exc, facts)
    if filterable:
        details["filterable_fields"] = filterable
    return ToolError(message, status=exc.status, suggestions=close or None, hint=help_text, **details)


def status_words(request: Request, exc: ApiError) -> str:
    """The sentence for ConnectWise's status."""
    reason = exc.message.rstrip(".")
    if exc.status == 401:
        return REJECTED_CREDENTIALS
    if exc.status == 403:
        return (
            f"ConnectWise refused {request.label} (403): the API member's security role does not allow it. "
            f"{exc.message}"
        )
    if exc.status == 404:
        return f"Not found (404): {reason} ({request.path})."
    wait = f" Retry after {exc.retry_after:g} s." if exc.retry_after is not None else ""
    if exc.status == 429:
        return f"ConnectWise is rate limiting (429): {reason}.{wait}{retries_said(request.method, exc)}"
    if exc.status >= 500:
        return f"ConnectWise server error ({exc.status}): {reason}.{wait}{retries_said(request.method, exc)}"
    if 300 <= exc.status < 400:
        return exc.message
    code = f" {exc.code}" if exc.code else ""
    return f"ConnectWise rejected {request.label} ({exc.status}{code}): {reason}."


def retries_said(method: str, exc: ApiError) -> str:
    """What the error says about retrying: only what happened, counted."""
    if exc.attempts > 1:
        again = {2: "once", 3: "twice"}.get(exc.attempts, f"{exc.attempts - 1} times")
        return f" {method} was retried {again} with backoff before giving up."
    if method not in ("GET", "HEAD"):
        return " It was not retried: a write is sent once."
    if exc.status not in (429, 502, 503, 504):
        return ""
    if exc.retry_after is not None and exc.retry_after > MAX_RETRY_AFTER:
        return f" It was sent once: waiting over {MAX_RETRY_AFTER:g} s is left to you."
    return " It was sent once: no time was left before the call's deadline (CWM_DEADLINE)."


def rejected_field_help(request: Request, exc: ApiError, facts: Facts) -> tuple[str | None, list[str], list[str]]:
    """For "Cannot filter on field 'x'": (the sentence to add, the fields that can be filtered on, the closest)."""
    rejected = _REJECTED_FIELD.search(exc.message) if exc.status == 400 else None
    if rejected is None or request.op is None:
        return None, [], []
    known = sorted(facts.known_fields(request.op))
    if not known:
        return None, [], []
    close = difflib.get_close_matches(rejected.group(1), known, n=3, cutoff=0.6)
    shown = ", ".join(known[:80]) + (f", ... ({len(known)} in all)" if len(known) > 80 else "")
    return f"ConnectWise does not accept '{rejected.group(1)}' there. Fields it can filter on: {shown}.", known, close
