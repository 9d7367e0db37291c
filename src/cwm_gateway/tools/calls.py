"""The ConnectWise tools: reading (get_api_data), and calls that may write."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from ..results import Result
from . import READ_REMOTE, WRITE_REMOTE, Call, Spec
from .args import AllPages, Confirm, Data, DryRun, IncludeInfo, MaxItems, Method, Params, Path, text
from .schemas import shape


def get_api_data(
    call: Call,
    path: Path,
    params: Params = None,
    all_pages: AllPages = False,
    max_items: MaxItems = 1000,
    fields: Annotated[str | None, text("Fields to return, e.g. id,summary,status/name")] = None,
    data: Annotated[Data, Field(description="Body of a .../search query.")] = None,
    include_info: IncludeInfo = False,
) -> Result:
    """Read ConnectWise data: GET or a POST .../search query; never writes.
    Example: get_api_data("/service/tickets", {"conditions": "closedFlag=false"}, fields="id,summary")
    """
    executor = call.runtime.executor()
    return executor.read(path, params, data, all_pages, max_items, fields, include_info, call.progress)


def execute_api_call(
    call: Call,
    path: Path,
    method: Method = "GET",
    params: Params = None,
    data: Data = None,
    confirm: Confirm = False,
    all_pages: AllPages = False,
    max_items: MaxItems = 1000,
    include_info: IncludeInfo = False,
    dry_run: DryRun = False,
) -> Result:
    """Call any operation, writes included; to read, use get_api_data.
    Example: execute_api_call("/service/tickets/4521", "PATCH", data={"status": {"id": 5}})
    """
    executor = call.runtime.executor()
    return executor.execute(
        path,
        method,
        params,
        data,
        confirm,
        all_pages,
        max_items,
        include_info,
        progress=call.progress,
        dry_run=dry_run,
        person=call.person,
    )


def send_raw_api_request(
    call: Call,
    raw_request: Annotated[str, Field(description='"METHOD /path?query [JSON body]"')],
    confirm: Confirm = False,
    dry_run: DryRun = False,
) -> Result:
    """Send a request written out whole, checked like execute_api_call.
    Example: send_raw_api_request("GET /service/tickets?conditions=status/name='Open'&pageSize=5")
    """
    return call.runtime.executor().execute_raw(raw_request, confirm, dry_run, call.person)


def _ask_execute(call: Call, **arguments: Any) -> str | None:
    return call.runtime.executor().question_execute(**arguments)


def _ask_raw(call: Call, **arguments: Any) -> str | None:
    return call.runtime.executor().question_raw(**arguments)


# The records are in "data"; what the model must know about them in the other keys.
CALLED = shape(data=[], next_page=["object", "null"])

SPECS = [
    Spec(get_api_data, "Read ConnectWise data", READ_REMOTE, CALLED),
    Spec(execute_api_call, "Call ConnectWise API", WRITE_REMOTE, CALLED, _ask_execute),
    Spec(send_raw_api_request, "Send raw API request", WRITE_REMOTE, CALLED, _ask_raw),
]
