"""What the person said when the gateway asked them to confirm a call (MCP elicitation).

A leaf module (standard library only): the MCP seam (``protocol``) makes an ``Answer`` from the
client's reply, and the execution pipeline reads it, without either importing the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Action = Literal["accept", "decline", "cancel"]


@dataclass(frozen=True)
class Answer:
    """The person's answer to ``question``: accept (send it), decline (no), or cancel (dismissed)."""

    action: Action
    question: str

    @property
    def accepted(self) -> bool:
        return self.action == "accept"
