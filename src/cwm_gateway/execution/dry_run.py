"""Dry run: the request exactly as it would go out, after every check, and nothing sent that writes.

The result shows the method, the URL, the headers (the credentials hidden: Authorization never,
clientId only as present) and the body; for a PATCH or PUT also the record as ConnectWise has it
now (one GET) beside the new values. A failure to read the record is reported, not fatal.
"""

from __future__ import annotations

from typing import Any

from ..results import Result, ok
from ..shaping import compact
from .confirm import change_text, changes, display_name
from .current import Current
from .request import Request

CONFIRMATION = "A real call asks the person to confirm (where the client cannot ask: confirm=true)."


def preview(
    request: Request,
    url: str,
    headers: dict[str, str],
    current: Current | None,
    asks_person: bool,
    all_pages: bool = False,
) -> Result:
    """The dry run's result: the same facts in ``data`` and, compactly, in the text."""
    body = request.body if request.has_body else None
    data: dict[str, Any] = {
        "dry_run": True,
        "sent": False,
        "operation": request.label,
        "request": {"method": request.method, "url": url, "headers": headers, "body": body},
    }
    if current is not None and current.record is not None:
        data["record"] = display_name(current.record)
    elif current is not None:
        data["current_error"] = current.problem
    found = changes(request, current)
    if found:
        data["changes"] = [change.as_dict() for change in found]
    if asks_person:
        data["confirmation"] = CONFIRMATION
    notes = list(request.notes)
    if all_pages:
        notes.append("all_pages: the pages after this first request would follow ConnectWise's rel=next links.")
    if notes:
        data["notes"] = notes
    return ok(data, _lines)


def _lines(data: dict[str, Any]) -> list[str]:
    """The dry run in words, from its data alone (the notes follow, as in every result)."""
    sent = data["request"]
    lines = [
        "Dry run: nothing was sent.",
        f"{sent['method']} {sent['url']}",
        "Headers: " + "; ".join(f"{name}: {value}" for name, value in sent["headers"].items()),
    ]
    if sent["body"] is not None:
        lines.append("Body: " + compact(sent["body"]))
    if "record" in data:
        lines.append(f"Record: {data['record']}")
    if "current_error" in data:
        lines.append(f"The current record could not be read: {data['current_error']}")
    if data.get("changes"):
        lines.append("Current -> new:" if "record" in data else "New values:")
        lines += [f"  {change_text(change)}" for change in data["changes"]]
    if "confirmation" in data:
        lines.append(data["confirmation"])
    return lines
