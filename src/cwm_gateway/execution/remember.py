"""The fast-memory steps around a call: reuse saved params, name a saved body, count uses, offer a save.

Bookkeeping never turns a call into an error: a store that cannot be read is passed over, and
a use that cannot be counted is logged.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace

from ..memory import FastMemoryError, MemoryStore, SavedQuery
from ..results import ToolError
from ..shaping import compact
from .answer import Answer
from .facts import Facts
from .query import check_query
from .request import Request, normalize_params
from .rules import BodyMissing

log = logging.getLogger(__name__)


def reuse_saved(request: Request, memory: MemoryStore | None, facts: Facts) -> Request:
    """A GET without parameters takes those of the endpoint's most used saved query, checked as if given."""
    if memory is None or request.op is None:
        return request
    try:
        saved = memory.best_for("GET", request.op.path)
    except FastMemoryError:
        return request
    if saved is None or not saved.params:
        return request
    try:
        trial = check_query(replace(request, query=tuple(normalize_params(saved.params)), notes=(), warnings=()), facts)
    except (ValueError, ToolError):
        # A saved filter that no longer checks out is not forced on anyone.
        return request.warned(f"Saved query #{saved.id} was not reused: its parameters no longer check out.")
    reused = (
        f"Reused the parameters of saved query #{saved.id} ({saved.description}): {compact(saved.params)}. "
        "Pass params to override."
    )
    return replace(
        trial, saved=saved, notes=(*request.notes, reused, *trial.notes), warnings=(*request.warnings, *trial.warnings)
    )


def name_saved_body(missing: BodyMissing, memory: MemoryStore | None) -> BodyMissing:
    """The refusal of a write without a body, naming a saved query of the operation that has one."""
    return missing.naming(saved_with_body(memory, missing.method, missing.template))


def saved_with_body(memory: MemoryStore | None, method: str, template: str) -> SavedQuery | None:
    if memory is None:
        return None
    try:
        return next((q for q in memory.list() if q.method == method and q.template == template and q.data), None)
    except FastMemoryError:
        return None


def after_success(answer: Answer, request: Request, memory: MemoryStore | None) -> None:
    """Count a saved query's use, or offer the exact call that saves this one."""
    if request.saved is not None:
        answer.data["saved_query"] = {"id": request.saved.id, "description": request.saved.description}
        count_use(request.saved, memory)
        return
    if request.method == "DELETE" or memory is None or request.op is None:
        return
    answer.data["save_hint"] = save_hint(request)


def count_use(saved: SavedQuery, memory: MemoryStore | None) -> None:
    if memory is None:
        return
    try:
        memory.record_use(saved.id)
    except Exception as exc:  # the call succeeded; bookkeeping must never turn it into an error
        log.warning("could not count the use of saved query %s: %s", saved.id, exc)


def save_hint(request: Request) -> str:
    """``save_to_fast_memory(path=..., method=..., description="...", params=..., data=...)`` for this call."""
    arguments = [f"path={json.dumps(request.path)}", f"method={json.dumps(request.method)}", 'description="..."']
    if request.query:
        arguments.append(f"params={compact(dict(request.query))}")
    if request.has_body:
        arguments.append(f"data={compact(request.body)}")
    return f"save_to_fast_memory({', '.join(arguments)})"
