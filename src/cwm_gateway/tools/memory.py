"""The fast-memory tools: queries saved on this computer, found and run again."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from ..results import Result
from . import DESTROY_LOCAL, READ_LOCAL, WRITE_LOCAL, WRITE_REMOTE, Call, Spec
from .args import Confirm, Data, DryRun, Method, Params, Path, QueryId, text
from .calls import CALLED
from .schemas import shape


def save_to_fast_memory(
    call: Call,
    path: Path,
    method: Method,
    description: Annotated[str, Field(description="What it is for, e.g. open tickets of Contoso.")],
    params: Annotated[Params, Field(description="Query params.")] = None,
    data: Annotated[Data, Field(description="JSON body.")] = None,
) -> Result:
    """Save a query that worked, to run it again later.
    Example: save_to_fast_memory("/service/boards", "GET", "all boards")
    """
    from .. import saved_queries

    rt = call.runtime
    return saved_queries.save(rt.memory(), rt.catalog(), path, method, description, params, data)


def list_fast_memory(
    call: Call,
    search_term: Annotated[str | None, text("A word of the description or path.")] = None,
) -> Result:
    """Saved queries, most used first, with their params and body.
    Example: list_fast_memory("tickets")
    """
    from .. import saved_queries

    return saved_queries.listing(call.runtime.memory(), search_term)


def run_saved_query(
    call: Call,
    query_id: QueryId,
    params: Annotated[Params, Field(description="Overrides saved params by name.")] = None,
    data: Annotated[Data, Field(description="Replaces the saved body.")] = None,
    confirm: Confirm = False,
    dry_run: DryRun = False,
) -> Result:
    """Run a saved query, checked like execute_api_call.
    Example: run_saved_query(3, params={"pageSize": 50})
    """
    from .. import saved_queries

    rt = call.runtime
    return saved_queries.run(rt.memory(), rt.executor(), query_id, params, data, confirm, dry_run, call.person)


def _ask_saved(
    call: Call, query_id: int, params: Any = None, data: Any = None, dry_run: bool = False, **_: Any
) -> str | None:
    from .. import saved_queries

    rt = call.runtime
    return saved_queries.question(rt.memory(), rt.executor(), query_id, params, data, dry_run)


def delete_from_fast_memory(call: Call, query_id: QueryId) -> Result:
    """Delete one saved query.
    Example: delete_from_fast_memory(3)
    """
    from .. import saved_queries

    return saved_queries.delete(call.runtime.memory(), query_id)


def clear_fast_memory(call: Call) -> Result:
    """Delete every saved query; ask the user first.
    Example: clear_fast_memory()
    """
    from .. import saved_queries

    return saved_queries.clear(call.runtime.memory())


SPECS = [
    Spec(save_to_fast_memory, "Save a query", WRITE_LOCAL, shape(id="integer")),
    Spec(list_fast_memory, "List saved queries", READ_LOCAL, shape(queries="array")),
    Spec(run_saved_query, "Run a saved query", WRITE_REMOTE, CALLED, _ask_saved),
    Spec(delete_from_fast_memory, "Delete a saved query", DESTROY_LOCAL, shape(deleted="object")),
    Spec(clear_fast_memory, "Delete all saved queries", DESTROY_LOCAL, shape(deleted="integer")),
]
