"""Which collection, record, count or search a request path names, and the methods each allows."""

from __future__ import annotations

from dataclasses import dataclass

from cwm_gateway.sandbox.data import RESOURCES, ApiError
from cwm_gateway.sandbox.wire import RecordedRequest

NOT_FOUND_PAGE = (
    b"<!DOCTYPE html><html><head><title>404 - File or directory not found.</title></head><body>"
    b"<h2>404 - File or directory not found.</h2><h3>The resource you are looking for might have been removed, "
    b"had its name changed, or is temporarily unavailable.</h3></body></html>"
)
API_NOT_FOUND = {"code": "NotFound", "message": "The requested resource was not found.", "errors": None}
ALLOWED = {
    "collection": ("GET", "POST"),
    "count": ("GET",),
    "search": ("POST",),
    "item": ("GET", "PUT", "PATCH", "DELETE"),
}


@dataclass(frozen=True)
class Route:
    template: str
    parent_id: int | None
    kind: str  # collection | count | search | item
    record_id: int | None = None


_TEMPLATES = sorted(RESOURCES, key=lambda template: -template.count("/"))  # child collections match first


def resolve(path: str) -> Route | None:
    """The collection route for an API-relative path like ``/service/tickets/12/notes/count``."""
    segments = [segment for segment in path.strip("/").split("/") if segment]
    for template in _TEMPLATES:
        pattern = template.strip("/").split("/")
        if not len(pattern) <= len(segments) <= len(pattern) + 1:
            continue
        parent_id = None
        for expected, segment in zip(pattern, segments):
            if expected == "{parentId}" and segment.isascii() and segment.isdigit():
                parent_id = int(segment)
            elif expected != segment.lower():
                break
        else:
            route = _route(template, parent_id, segments[len(pattern) :])
            if route is not None:
                return route
    return None


def _route(template: str, parent_id: int | None, rest: list[str]) -> Route | None:
    if not rest:
        return Route(template, parent_id, "collection")
    word = rest[0].lower()
    if word in ("count", "search"):
        return Route(template, parent_id, word)
    if word.isascii() and word.isdigit():
        return Route(template, parent_id, "item", int(word))
    return None


def allow(request: RecordedRequest, allowed: tuple[str, ...]) -> None:
    """A 405 with an Allow header, as ConnectWise answers, for a method the route does not take."""
    if request.method not in allowed and not (request.method == "HEAD" and "GET" in allowed):
        message = f"The requested resource does not support http method '{request.method}'."
        raise ApiError(
            405, {"code": "MethodNotAllowed", "message": message, "errors": None}, [("Allow", ", ".join(allowed))]
        )
