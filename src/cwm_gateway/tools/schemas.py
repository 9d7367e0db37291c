"""Output schemas: what each tool's structured content holds, as short as JSON Schema allows.

Only the types of a tool's main keys are declared (no ``required``, other keys allowed): an error
result (``error``, ``hint``, ``suggestions`` ...) meets the same schema, and the schemas cost the model
few tokens in tools/list. The keys every result may carry (``notes``, ``warnings``, ``next_step``,
``hint``, ``suggestions``, ``error``; see ``results.said``) are named in the server's instructions.
"""

from __future__ import annotations

from typing import Any


def shape(**keys: str | list[str]) -> dict[str, Any]:
    """``{"type": "object", "properties": {key: {"type": ...}}}``; an empty kind allows any value."""
    properties = {name: ({"type": kind} if kind else {}) for name, kind in keys.items()}
    return {"type": "object", "properties": properties}
