"""What the catalog says about an operation, as the checks and paging need it; worked out once per operation."""

from __future__ import annotations

import json
from typing import Any

from .. import checks
from ..catalog.fields import SchemaLookup, expand, query_fields, schema_name
from ..catalog.store import Catalog, Operation


def reads_only(op: Operation, lookup: SchemaLookup) -> bool:
    """GET, and the POSTs the definition describes as queries.

    A POST only reads when it answers 200 (not 201 Created) with records (a list of the
    resource, or a Count) and takes a filter (a body with ``conditions``): that is
    ``POST /service/tickets/search``. The path says nothing: ``/procurement/invoicegrouping/count``
    is "Post InvoiceGrouping", answering 201, and ``/system/bundles/count`` runs any request.
    """
    if op.method == "GET":
        return True
    if op.method != "POST" or op.response_status != "200" or not op.request_schema:
        return False
    response = json.loads(op.response_schema) if op.response_schema else None
    if not (op.returns_list or schema_name(response) == "Count"):
        return False
    body = expand(json.loads(op.request_schema), lookup, max_depth=1)
    return any(entry.path.lower() == "conditions" for entry in body)


class Facts:
    """Per-operation facts from the catalog, cached: the same operation is checked on every call."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._cache: dict[tuple[str, int], Any] = {}

    def _cached(self, kind: str, op: Operation, work: Any) -> Any:
        key = (kind, op.id)
        if key not in self._cache:
            self._cache[key] = work(op)
        return self._cache[key]

    def reads_only(self, op: Operation) -> bool:
        return bool(self._cached("reads_only", op, lambda o: reads_only(o, self.catalog.schema)))

    def accepted_parameters(self, op: Operation) -> dict[str, tuple[str, str]]:
        """lower-cased name -> (name, type) of the query parameters ``op`` takes."""
        accepted: dict[str, tuple[str, str]] = self._cached("parameters", op, self._accepted_parameters)
        return accepted

    def _accepted_parameters(self, op: Operation) -> dict[str, tuple[str, str]]:
        defined = {p.name: p.type or "string" for p in self.catalog.parameters(op.id) if p.location == "query"}
        list_query = self.reads_only(op) and (op.returns_list or op.is_count or op.method == "POST")
        return checks.accepted_parameters(defined, list_query)

    def supports_page_id(self, op: Operation) -> bool:
        return bool(
            self._cached("page_id", op, lambda o: any(p.name == "pageId" for p in self.catalog.parameters(o.id)))
        )

    def field_names(self, op: Operation) -> checks.FieldNames | None:
        """What ``fields`` may name: the records a read answers with (None when unknown)."""
        names: checks.FieldNames | None = self._cached("fields", op, self._field_names)
        return names

    def _field_names(self, op: Operation) -> checks.FieldNames | None:
        schema = self.catalog.list_schema_for(op) if op.method == "GET" else None
        if op.method == "POST" and self.reads_only(op):
            schema = self.catalog.list_schema_for(op) or schema_name(
                json.loads(op.response_schema) if op.response_schema else None
            )
        return checks.FieldNames.of(schema, self.catalog.schema) if schema else None

    def known_fields(self, op: Operation) -> dict[str, str]:
        """Field path -> kind, for conditions and orderBy of a list read ({} when it is not one)."""
        known: dict[str, str] = self._cached("known_fields", op, self._known_fields)
        return known

    def _known_fields(self, op: Operation) -> dict[str, str]:
        if op.method == "GET" and not (op.returns_list or op.is_count):
            return {}
        if op.method == "POST" and not self.reads_only(op):
            return {}
        schema = self.catalog.list_schema_for(op)
        if schema is None and op.method == "POST":
            base = op.path.rstrip("/").rsplit("/", 1)[0]
            listing = next((o for o in self.catalog.operations_for_template(base) if o.method == "GET"), None)
            schema = self.catalog.list_schema_for(listing) if listing else None
        return query_fields(schema, self.catalog.schema, max_depth=3) if schema else {}

    def required_fields(self, op: Operation) -> list[str]:
        """The top-level fields the request body must have."""
        if not op.request_schema:
            return []
        try:
            schema = json.loads(op.request_schema)
        except ValueError:
            return []
        return [f.path for f in expand(schema, self.catalog.schema, max_depth=1) if f.required]

    def search_of(self, op: Operation) -> tuple[Operation, dict[str, str]] | None:
        """The ``POST {path}/search`` that reads what GET ``op`` lists, and its body's filters (lower -> name)."""
        found: tuple[Operation, dict[str, str]] | None = self._cached("search", op, self._search_of)
        return found

    def _search_of(self, op: Operation) -> tuple[Operation, dict[str, str]] | None:
        if op.method != "GET" or not op.returns_list:
            return None
        template = op.path.rstrip("/") + "/search"
        search = next((o for o in self.catalog.operations_for_template(template) if o.method == "POST"), None)
        if search is None or not self.reads_only(search) or not search.request_schema:
            return None
        body = expand(json.loads(search.request_schema), self.catalog.schema, max_depth=1)
        return search, {entry.path.lower(): entry.path for entry in body}
