"""What every tool hands back: structured data for programs, a short text for people.

A leaf module (standard library only), so any layer may raise its error: the catalog, fast memory,
execution.

A tool body returns a ``Result`` or raises ``ToolError`` for anything the assistant can act on
(a typo, a refused write, a ConnectWise error). ``server.run_tool`` turns a ToolError into the
isError result, in one place; any other exception is a bug, logged and called "failed unexpectedly".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Result:
    data: dict[str, Any]
    text: str
    is_error: bool = False


class ToolError(Exception):
    """An anticipated failure, with what the assistant needs to fix it.

    ``message`` says what is wrong and what to do; ``suggestions`` (close names) and ``hint`` (the
    next step) follow it in the text; ``status`` is ConnectWise's HTTP status when it answered;
    ``details`` (fields, positions, allowed values ...) go into the structured part only. ``text``
    replaces the whole text where the error carries more lines of its own (ConnectWise's field errors).
    """

    def __init__(
        self,
        message: str,
        *,
        suggestions: list[Any] | None = None,
        hint: str | None = None,
        status: int | None = None,
        text: str | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = {"status": status, **details, "suggestions": suggestions, "hint": hint}
        self.text = text

    def result(self) -> Result:
        data: dict[str, Any] = {"error": self.message}
        data.update((k, v) for k, v in self.details.items() if v not in (None, [], {}))
        lines = [self.message]
        for key in ("suggestions", "hint"):
            value = data.get(key)
            if isinstance(value, list):
                lines.append("Did you mean: " + "; ".join(str(v) for v in value))
            elif value:
                lines.append(str(value))
        return Result(data, self.text if self.text is not None else "\n".join(lines), is_error=True)


def ok(data: dict[str, Any], text: str) -> Result:
    return Result(data, text)


def error(message: str, **details: Any) -> Result:
    """The isError result of ``ToolError(message, **details)``, for code that hands results back."""
    return ToolError(message, **details).result()
