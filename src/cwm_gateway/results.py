"""What every tool hands back: the data, and a text rendered from that data alone.

A leaf module (standard library only), so any layer may raise its error: the catalog, fast memory,
execution.

One contract for every client: Claude Code shows the model only the structured content, Claude
Desktop only the text. So every fact lives in ``Result.data`` (the records, ``notes``, ``warnings``,
``next_step``, ``save_hint``, ``suggestions``, ``hint``, ``error``), and ``Result.text`` is rendered
from that data when it is read; a tool cannot put a sentence in the text that the data lacks.

A tool body returns a ``Result`` or raises ``ToolError`` for anything the assistant can act on
(a typo, a refused write, a ConnectWise error). ``server.run_tool`` turns a ToolError into the
isError result, in one place; any other exception is a bug, logged and called "failed unexpectedly".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Render = Callable[[dict[str, Any]], list[str]]


def no_lines(data: dict[str, Any]) -> list[str]:
    return []


@dataclass
class Result:
    data: dict[str, Any]
    lines: Render = no_lines  # the tool's own lines, read from data; said() adds the common keys
    is_error: bool = False
    last: Render = no_lines  # lines after the common ones (the records, as compact JSON)

    @property
    def text(self) -> str:
        return render(self.data, self.lines, self.last)


def render(data: dict[str, Any], lines: Render = no_lines, last: Render = no_lines) -> str:
    """The text of a result: the sandbox banner, the tool's lines, what every result may carry, the rest."""
    banner = [f"[{data['data_source']}]"] if data.get("data_source") else []
    return "\n".join([*banner, *lines(data), *said(data), *last(data)])


def said(data: dict[str, Any]) -> list[str]:
    """The keys any result may carry, in words, in this order."""
    out: list[str] = list(data.get("notes") or [])
    out += [f"Warning: {w}" for w in data.get("warnings") or []]
    suggestions = data.get("suggestions")
    if suggestions:
        out.append("Did you mean: " + "; ".join(str(s) for s in suggestions))
    for key, prefix in (("hint", ""), ("next_step", ""), ("save_hint", "To keep this query: ")):
        if data.get(key):
            out.append(prefix + str(data[key]))
    return out


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def error_lines(data: dict[str, Any]) -> list[str]:
    """An error's message, then ConnectWise's field errors one a line (``- board: Board is required``)."""
    return [str(data.get("error", "")), *field_lines(data.get("errors") or [])]


def field_lines(errors: list[Any]) -> list[str]:
    """``- board: Board is required`` for each of ConnectWise's field errors."""
    lines = []
    for item in errors:
        if isinstance(item, dict):
            where = item.get("field") or item.get("resource") or "/".join(map(str, item.get("location") or []))
            lines.append(f"- {where}: {item.get('message') or item.get('code')}".replace("- : ", "- "))
    return lines


class ToolError(Exception):
    """An anticipated failure, with what the assistant needs to fix it.

    ``message`` says what is wrong and what to do; ``suggestions`` (close names), ``notes`` and
    ``hint`` (the next step) follow it in the text; ``status`` is ConnectWise's HTTP status when it
    answered; ``details`` (fields, positions, allowed values, ConnectWise's field ``errors`` ...) go
    into the data, and the text says the field errors one a line.
    """

    def __init__(
        self,
        message: str,
        *,
        suggestions: list[Any] | None = None,
        hint: str | None = None,
        status: int | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = {"status": status, **details, "suggestions": suggestions, "hint": hint}

    def result(self) -> Result:
        data: dict[str, Any] = {"error": self.message}
        data.update((k, v) for k, v in self.details.items() if v not in (None, [], {}))
        return Result(data, error_lines, is_error=True)


def ok(data: dict[str, Any], lines: Render = no_lines) -> Result:
    return Result(data, lines)


def error(message: str, **details: Any) -> Result:
    """The isError result of ``ToolError(message, **details)``, for code that hands results back."""
    return ToolError(message, **details).result()
