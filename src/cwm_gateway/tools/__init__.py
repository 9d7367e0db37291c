"""The tools as the assistant sees them: names, titles, argument schemas, output schemas, and their bodies.

Each tool is a plain module-level function whose first argument is the ``Call`` (this call's
runtime and its progress callback) and whose other arguments are the tool's, ``Annotated`` with
their descriptions and bounds (the SDK makes the input schema from them). The work itself is in
``discovery``, ``saved_queries`` and ``execution``; ``server`` registers every ``Spec`` of ``ALL``.

Descriptions are short on purpose: every character of tools/list is read by the model in every
conversation (``bench/tools_size.py`` keeps the list within 1.3x the seed's).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..results import Result

if TYPE_CHECKING:
    from ..execution import Progress
    from ..person import Answer
    from ..runtime import Runtime


@dataclass(frozen=True)
class Call:
    """What one tool call works with: the runtime (catalog, executor, memory), where progress goes,
    and what the person said if they were asked to confirm."""

    runtime: Runtime
    progress: Progress | None = None
    person: Answer | None = None  # the person's answer when they were asked to confirm the call


@dataclass(frozen=True)
class Hints:
    """The tool's annotations: may it change data, destroy it, reach beyond this computer?"""

    read_only: bool
    destructive: bool
    open_world: bool
    idempotent: bool = False


READ_LOCAL = Hints(read_only=True, destructive=False, open_world=False, idempotent=True)
WRITE_LOCAL = Hints(read_only=False, destructive=False, open_world=False)
DESTROY_LOCAL = Hints(read_only=False, destructive=True, open_world=False)
READ_REMOTE = Hints(read_only=True, destructive=False, open_world=True, idempotent=True)
WRITE_REMOTE = Hints(read_only=False, destructive=True, open_world=True)


@dataclass(frozen=True)
class Spec:
    fn: Callable[..., Result]  # fn(call, **arguments)
    title: str
    hints: Hints
    output: dict[str, Any]  # the JSON schema of its structured content, errors included
    ask: Callable[..., str | None] | None = None  # ask(call, **arguments): the question for the person, if any

    @property
    def name(self) -> str:
        return self.fn.__name__

    @property
    def description(self) -> str:
        return inspect.cleandoc(self.fn.__doc__ or "")

    def parameters(self) -> list[inspect.Parameter]:
        """The tool's arguments (all but the Call), their annotations resolved (``Annotated`` kept)."""
        hints = typing.get_type_hints(self.fn, include_extras=True)
        listed = list(inspect.signature(self.fn).parameters.values())[1:]
        return [p.replace(annotation=hints[p.name]) for p in listed]


def _all() -> list[Spec]:
    from . import calls, discover, memory

    return [*discover.SPECS, *calls.SPECS, *memory.SPECS]


ALL: list[Spec] = _all()
