"""One record: read it (with ``fields``), create, replace, patch or delete it, under the store's write rules."""

from __future__ import annotations

from cwm_gateway.sandbox.data import Store
from cwm_gateway.sandbox.listing import field_tree, project, read_query
from cwm_gateway.sandbox.routing import Route
from cwm_gateway.sandbox.wire import RecordedRequest, Response, json_body, json_response


def create(store: Store, route: Route, request: RecordedRequest) -> Response:
    """POST to a collection: 201 with the record as stored."""
    return json_response(201, store.create(route.template, route.parent_id, json_body(request.body)))


def answer(store: Store, request: RecordedRequest, route: Route) -> Response:
    """GET (HEAD), PUT, PATCH or DELETE on the record the route names."""
    assert route.record_id is not None
    if request.method in ("GET", "HEAD"):
        with store.lock:
            record = store.get(route.template, route.parent_id, route.record_id)
            tree = field_tree(read_query(request.query, forward_only=False).fields)
            return json_response(200, project(record, tree) if tree else record)
    if request.method == "DELETE":
        store.delete(route.template, route.parent_id, route.record_id)
        return Response(204)
    body = json_body(request.body)
    if request.method == "PUT":
        return json_response(200, store.replace(route.template, route.parent_id, route.record_id, body))
    return json_response(200, store.patch(route.template, route.parent_id, route.record_id, body))
