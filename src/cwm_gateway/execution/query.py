"""The query: parameter names and values, the URL's length, then ``conditions``, ``orderBy`` and ``fields``.

A list read whose URL would be longer than ConnectWise takes is sent as the operation's
``POST .../search`` with its filters in the body, when it has one; otherwise it is refused.
"""

from __future__ import annotations

from dataclasses import replace

from .. import checks, conditions
from ..catalog.store import Operation
from ..results import ToolError
from .facts import Facts
from .request import Request

EXPRESSIONS = ("conditions", "childconditions", "customfieldconditions", "orderby", "fields")


def check_query(request: Request, facts: Facts) -> Request:
    """The request as it will be sent (maybe as a POST .../search), with warnings on what was sent as given."""
    op = _operation(request)
    try:
        accepted = facts.accepted_parameters(op)
        checks.check_parameter_names(list(request.query), accepted, f"{request.method} {op.path}")
        checks.check_parameter_values(list(request.query), accepted)
        request = fit_url(request, facts)
    except checks.CheckError as exc:
        raise ToolError(f"{exc} Nothing was sent.", **exc.details) from None
    return request.warned(*check_expressions(request, facts))


def _operation(request: Request) -> Operation:
    if request.op is None:
        raise ValueError("the request stage finds the operation before checking the query")
    return request.op


def check_expressions(request: Request, facts: Facts) -> list[str]:
    """conditions, orderBy and fields, in the query or (for a POST query) the body; returns warnings."""
    op = _operation(request)
    texts = list(request.query)
    if request.method == "POST" and isinstance(request.body, dict):
        texts += [(k, str(v)) for k, v in request.body.items() if isinstance(v, str)]
    notes: list[str] = []
    for name, value in texts:
        lowered = name.lower()
        if lowered not in EXPRESSIONS or not value.strip():
            continue
        if len(value) > checks.MAX_CONDITIONS_CHARS:
            raise ToolError(
                f"{name} is {len(value):,} characters; ConnectWise takes at most {checks.MAX_CONDITIONS_CHARS:,}. "
                "Narrow it (a range like id >= 100 and id < 200 instead of a list of ids) or split the call."
            )
        try:
            notes += check_expression(op, lowered, value, facts)
        except (conditions.ConditionError, checks.FieldListError) as exc:
            raise _expression_error(name, lowered, value, exc) from None
    return notes


def _expression_error(
    name: str, lowered: str, value: str, exc: conditions.ConditionError | checks.FieldListError
) -> ToolError:
    """Where in the expression the problem is, with a caret under it."""
    usable = "fields" if lowered == "fields" else "conditions"
    return ToolError(
        f"{name} is not valid: {exc.message}{'' if exc.message.endswith('?') else '.'}",
        parameter=name,
        position=exc.position + 1,
        suggestion=exc.suggestion,
        hint=f"  {value}\n  {' ' * exc.position}^\nget_api_endpoint_details lists the fields usable in {usable}.",
    )


def check_expression(op: Operation, lowered: str, value: str, facts: Facts) -> list[str]:
    """Raise for a malformed value or a typo of a known field; notes on fields unlike any known one."""
    if lowered == "fields":
        names = facts.field_names(op)
        unknown = checks.check_field_list(value, names) if names is not None else []
        return [f"fields: {', '.join(unknown)} not in the API definition; sent as given."] if unknown else []
    known = facts.known_fields(op)
    if lowered == "orderby":
        checks.check_order_by(value, known)
        return []
    tree = conditions.parse(value)
    if lowered != "conditions" or not known:
        return []
    unknown = conditions.check_fields(value, tree, known)
    if not unknown:
        return []
    return [f"conditions: {', '.join(unknown)} not in the API definition; sent as given (newer fields exist)."]


def fit_url(request: Request, facts: Facts) -> Request:
    """A URL longer than ConnectWise takes is refused (CheckError), or sent as the operation's POST .../search."""
    length = checks.url_length(request.path, list(request.query))
    if length <= checks.MAX_URL_CHARS:
        return request
    moved = as_search(request, facts)
    if moved is not None and checks.url_length(moved.path, list(moved.query)) <= checks.MAX_URL_CHARS:
        return moved.noted(
            f"The URL would have been {length:,} characters (ConnectWise takes at most "
            f"{checks.MAX_URL_CHARS:,}), so this was sent as POST {moved.template} with {', '.join(moved.body)} "
            "in the body."
        )
    raise checks.CheckError(
        f"The URL would be {length:,} characters; ConnectWise takes at most {checks.MAX_URL_CHARS:,} and resets "
        "the connection on longer ones. Shorten conditions (a range like id >= 100 and id < 200 instead of "
        "a list of ids) or split the call.",
        url_length=length,
    )


def as_search(request: Request, facts: Facts) -> Request | None:
    """The same list read as ``POST {path}/search``, its filters in the body, where the operation has one."""
    op = request.op
    found = facts.search_of(op) if op is not None and request.method == "GET" else None
    if found is None:
        return None
    search, filters = found
    body = {filters[k.lower()]: v for k, v in request.query if k.lower() in filters}
    if not body:
        return None
    query = tuple((k, v) for k, v in request.query if k.lower() not in filters)
    path = request.path.rstrip("/") + "/search"
    return replace(request, method="POST", path=path, query=query, body=body, has_body=True, op=search)
