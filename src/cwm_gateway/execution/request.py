"""The request value, and reading it from what the assistant gives: arguments, a raw text, a saved query.

A ``Request`` is never changed in place: each check of the request stage hands back a new one
(``dataclasses.replace``), so what was given and what is sent can both be seen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .. import checks
from ..catalog.store import Operation
from ..memory import SavedQuery
from ..person import Answer
from ..rawrequest import METHODS, RawRequestError, parse_query, parse_raw
from ..results import ToolError
from ..shaping import compact

Query = tuple[tuple[str, str], ...]
RAW_FORM = 'Write it as "METHOD /path?query [JSON body]", e.g. "GET /service/tickets?pageSize=5".'


@dataclass(frozen=True)
class Request:
    """One request on its way to ConnectWise."""

    method: str
    path: str
    query: Query = ()
    body: Any = None
    has_body: bool = False
    notes: tuple[str, ...] = ()  # what the checks changed, for the answer
    warnings: tuple[str, ...] = ()  # what may not do what was meant (a field unlike any known one)
    op: Operation | None = None  # the catalog operation, once the path names one
    saved: SavedQuery | None = None  # the saved query this request came from or reuses

    @property
    def template(self) -> str:
        return self.op.path if self.op else self.path

    @property
    def label(self) -> str:
        """``PATCH /service/tickets/{id}``: the operation, as errors and the audit name it."""
        return f"{self.method} {self.template}"

    def params(self) -> dict[str, str]:
        return dict(self.query)

    def noted(self, *notes: str) -> Request:
        return replace(self, notes=self.notes + notes)

    def warned(self, *warnings: str) -> Request:
        return replace(self, warnings=self.warnings + warnings)


Progress = Callable[[int, str], None]  # (pages fetched so far, what they hold): one call per page


@dataclass(frozen=True)
class Options:
    """How to send and answer: the arguments of execute_api_call that are not the request."""

    confirm: bool = False
    all_pages: bool = False
    max_items: int = 1000
    include_info: bool = False
    reuse_saved: bool = False  # a GET without params takes those of the endpoint's most used saved query
    reads_only: bool = False  # get_api_data: anything that writes is refused
    progress: Progress | None = None  # told of each page all_pages fetches
    dry_run: bool = False  # show what would be sent, send nothing that writes
    answer: Answer | None = None  # what the person said when asked to confirm (None: nobody was asked)

    @property
    def confirmed(self) -> bool:
        """The person accepted, or (nobody could be asked) the assistant passed confirm=true."""
        return self.answer.accepted if self.answer is not None else self.confirm


def from_arguments(path: Any, method: Any, params: Any, data: Any) -> Request:
    """execute_api_call's arguments; a query written into the path comes first."""
    method = (method or "GET").strip().upper()
    if method not in METHODS:
        raise ToolError(f"Unsupported method {method!r}; use one of {', '.join(METHODS)}.")
    query = _arguments(normalize_params, params)
    body, has_body = _arguments(normalize_data, data)
    path = (path or "").strip()
    if "?" in path:
        path, _, inline = path.partition("?")
        try:
            query = parse_query(inline) + query
        except RawRequestError as exc:
            raise ToolError(f"Could not read the query in the path: {exc}") from None
    return Request(method, path, tuple(query), body, has_body)


def from_raw(raw_request: str) -> Request:
    try:
        raw = parse_raw(raw_request)
    except RawRequestError as exc:
        raise ToolError(f"Could not read the raw request: {exc}.", hint=RAW_FORM) from None
    return Request(raw.method, raw.path, tuple(raw.query), raw.body, raw.has_body)


def from_saved(entry: SavedQuery, params: Any, data: Any) -> Request:
    """A saved query: ``params`` override saved ones by name, ``data`` replaces the saved body."""
    overrides = _arguments(normalize_params, params)
    body, has_body = _arguments(normalize_data, data)
    merged = dict(normalize_params(entry.params))
    merged.update(dict(overrides))
    if not has_body and entry.data is not None:
        body, has_body = entry.data, True
    notes: tuple[str, ...] = ()
    if overrides or data is not None:
        notes = ("Overrides applied: " + compact({"params": dict(overrides), "data": data}),)
    return Request(entry.method, entry.path, tuple(merged.items()), body, has_body, notes, saved=entry)


def _arguments(read: Any, value: Any) -> Any:
    """``read(value)``, its ValueError (a CheckError too) said as it is."""
    try:
        return read(value)
    except ValueError as exc:
        raise ToolError(str(exc)) from None


def normalize_params(params: Any) -> list[tuple[str, str]]:
    """Query parameters from a dict, a JSON object string, or pairs; values as ConnectWise wants them."""
    if params is None or params == "":
        return []
    if isinstance(params, str):
        try:
            params = checks.load_json(params, "params")
        except checks.CheckError:
            raise
        except ValueError:
            raise ValueError(
                'params must be a JSON object such as {"conditions": "closedFlag=false", "pageSize": 10}.'
            ) from None
    checks.check_plain(params, "params")
    if isinstance(params, dict):
        items = list(params.items())
    elif isinstance(params, list) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in params):
        items = [(p[0], p[1]) for p in params]
    else:
        raise ValueError('params must be an object of query parameters, e.g. {"pageSize": 10}.')
    return [(str(key), _param_text(key, value)) for key, value in items if value is not None]


def _param_text(key: Any, value: Any) -> str:
    """A query value as ConnectWise reads it: true/false, and lists joined with commas."""
    if isinstance(value, (list, tuple)):
        if any(isinstance(v, (dict, list, tuple)) for v in value):
            raise ValueError(f"params[{key!r}] is a list of lists or objects; give plain values, e.g. [1, 2].")
        return ",".join(_param_text(key, v) for v in value)
    if isinstance(value, dict):
        raise ValueError(f"params[{key!r}] is an object; query parameters are plain values.")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def normalize_data(data: Any) -> tuple[Any, bool]:
    """(the body, whether there is one) from a JSON string, an object or a list."""
    if data is None:
        return None, False
    if isinstance(data, str):
        if not data.strip():
            return None, False
        try:
            return checks.load_json(data, "data"), True
        except checks.CheckError:
            raise
        except ValueError as exc:
            raise ValueError(f"data is not valid JSON: {exc}") from None
    if isinstance(data, (dict, list)):
        checks.check_plain(data, "data")
        return data, True
    raise ValueError("data must be a JSON object or a list (for PATCH: a list of operations).")
