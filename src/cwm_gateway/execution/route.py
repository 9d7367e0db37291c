"""The path: its placeholders filled, nothing in it that could leave the API, a catalog operation and its method."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

from ..catalog.lookup import unknown_path
from ..catalog.store import PLACEHOLDER_RE, Catalog
from ..client import UnsafeRequest, check_path
from ..results import ToolError
from .request import Request


def route(request: Request, catalog: Catalog, reads_only: bool = False) -> Request:
    """The request with its placeholders filled and its operation found.

    ``reads_only`` (get_api_data): a path with no GET is read with its POST (``.../search``); the
    policy then refuses that POST unless the catalog says it only reads.
    """
    if "://" in request.path:
        raise ToolError("Give the API path only (like /service/tickets/5), not a full URL.")
    request = fill_placeholders(request)
    try:
        check_path(request.path)
    except UnsafeRequest as exc:
        raise ToolError(str(exc)) from None
    match = catalog.resolve(request.path)
    if match is None:
        raise unknown_path(catalog, request.path, request.method)
    op = match.method(request.method)
    if op is None and reads_only and request.method == "GET" and match.method("POST") is not None:
        request, op = replace(request, method="POST"), match.method("POST")
    if op is None:
        # get_api_data's method is its own choice (a body means POST): say what the tool is for.
        reading = " get_api_data only reads; use execute_api_call for writes." if reads_only else ""
        raise ToolError(
            f"{match.template} does not take {request.method}; it takes {', '.join(match.methods)}.{reading}",
            available_methods=match.methods,
        )
    return replace(request, op=op)


def fill_placeholders(request: Request) -> Request:
    """``/service/tickets/{id}`` with ``params={"id": 5}`` -> ``/service/tickets/5``, the id out of the query."""
    names = PLACEHOLDER_RE.findall(request.path)
    if not names:
        return request
    values = dict(request.query)
    missing = [n for n in names if n not in values]
    if missing:
        raise ToolError(
            f"The path {request.path} needs a value for {', '.join('{' + n + '}' for n in missing)}.",
            hint=f"Give a concrete path such as {PLACEHOLDER_RE.sub('123', request.path)} "
            "or pass the value in params, e.g. params={'" + missing[0] + "': 123}.",
        )
    path = request.path
    for name in names:
        value = str(values[name])
        if not value or "/" in value or value in (".", ".."):
            raise ToolError(f"The value for {{{name}}} must be a single path segment (got {value!r}).")
        path = path.replace("{" + name + "}", quote(value, safe=""))
    query = tuple((k, v) for k, v in request.query if k not in names)
    return replace(request, path=path, query=query)
