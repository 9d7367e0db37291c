"""What every tool hands back: structured data for programs, a short text for people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import UserFacingError as UserFacingError  # re-exported: server and tools import it from here


@dataclass
class Result:
    data: dict[str, Any]
    text: str
    is_error: bool = False


def ok(data: dict[str, Any], text: str) -> Result:
    return Result(data, text)


def error(message: str, **details: Any) -> Result:
    """An isError result; ``details`` (suggestions, fields ...) go into the structured part."""
    data: dict[str, Any] = {"error": message, **{k: v for k, v in details.items() if v not in (None, [], {})}}
    lines = [message]
    for key in ("suggestions", "hint"):
        value = data.get(key)
        if isinstance(value, list):
            lines.append("Did you mean: " + "; ".join(str(v) for v in value))
        elif value:
            lines.append(str(value))
    return Result(data, "\n".join(lines), is_error=True)
