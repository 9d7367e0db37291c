"""Everything an assistant needs to call one operation correctly, as one structure."""

from __future__ import annotations

import json
from typing import Any

from .fields import Field, compact_shape, expand, query_fields, type_label
from .store import Catalog, Operation


def _field_dict(entry: Field) -> dict[str, Any]:
    out: dict[str, Any] = {"name": entry.path.rsplit("/", 1)[-1], "type": entry.schema or entry.type}
    if entry.type.startswith("array"):
        out["type"] = entry.type
    if entry.format:
        out["format"] = entry.format
    if entry.required:
        out["required"] = True
    if entry.max_length is not None:
        out["maxLength"] = entry.max_length
    if entry.enum:
        out["enum"] = entry.enum
    if entry.description:
        out["description"] = entry.description
    if entry.children:
        out["fields"] = {child.path.rsplit("/", 1)[-1]: child.schema or child.type for child in entry.children}
    return out


def describe(catalog: Catalog, op: Operation, path_values: dict[str, str] | None = None) -> dict[str, Any]:
    params = catalog.parameters(op.id)
    details = _identity(op)
    details.update(_parameters(params, path_values or {}))
    if op.has_body:
        details["request_body"] = _body(op, catalog.schema)
    details["response"] = _response(op, catalog.schema)
    if op.method == "GET" and (op.returns_list or op.is_count):
        schema_name = catalog.list_schema_for(op)
        if schema_name:
            details["list_query"] = _list_query(schema_name, catalog.schema, op)
    details["other_methods"] = [o.method for o in catalog.operations_for_template(op.path) if o.id != op.id]
    return details


def _identity(op: Operation) -> dict[str, Any]:
    """What the operation is: method, path, names, and whether something else replaces it."""
    details: dict[str, Any] = {
        "method": op.method,
        "path": op.path,
        "operation_id": op.operation_id,
        "category": op.category,
        "summary": op.summary,
    }
    if op.description:
        details["description"] = op.description
    if op.deprecated:
        details["deprecated"] = True
        if op.replacement:
            details["use_instead"] = op.replacement
    if op.original_path:
        details["original_path"] = op.original_path
    return details


def _parameters(params: list[Any], path_values: dict[str, str]) -> dict[str, Any]:
    """Path and query parameters as the assistant fills them; auth headers are the gateway's business."""
    described: dict[str, Any] = {
        "path_parameters": [_path_parameter(p, path_values) for p in params if p.location == "path"],
        "query_parameters": [_query_parameter(p) for p in params if p.location == "query"],
    }
    user_headers = [p.name for p in params if p.location == "header" and not p.auth]
    if user_headers:
        described["header_parameters"] = user_headers
    if any(p.auth for p in params):
        described["authentication"] = "clientId header and Basic credentials are added by the gateway"
    return described


def _path_parameter(p: Any, path_values: dict[str, str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": p.name, "type": p.type or "string"}
    if p.name in path_values:
        entry["value"] = path_values[p.name]
    if p.description:
        entry["description"] = p.description
    return entry


def _query_parameter(p: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": p.name, "type": p.type or "string"}
    if p.required:
        entry["required"] = True
    if p.schema.get("enum"):
        entry["enum"] = p.schema["enum"]
    if p.description:
        entry["description"] = p.description
    return entry


def _body(op: Operation, lookup: Any) -> dict[str, Any]:
    schema = json.loads(op.request_schema) if op.request_schema else None
    label, name = type_label(schema)
    body: dict[str, Any] = {"required": op.request_required, "media_type": op.request_media_type, "type": label}
    if name:
        body["schema"] = name
    if op.request_missing_schema:
        body["note"] = (
            f"The definition names schema {op.request_missing_schema} but does not define it; "
            "field details are unavailable."
        )
    if name == "PatchOperation":
        body["format"] = 'JSON Patch list: [{"op": "replace", "path": "<field>", "value": <new value>}]'
        body["example"] = [{"op": "replace", "path": "summary", "value": "New summary"}]
        resource = op.resource_schema
        if resource:
            patchable = expand({"$ref": f"#/components/schemas/{resource}"}, lookup, max_depth=1)
            body["patchable_fields"] = [f"{f.path}: {f.schema or f.type}" for f in patchable]
        return body
    fields = expand(schema, lookup, max_depth=2) if schema else []
    fields.sort(key=lambda f: not f.required)
    if fields:
        body["fields"] = [_field_dict(f) for f in fields]
        body["required_fields"] = [f.path for f in fields if f.required]
    return body


def _response(op: Operation, lookup: Any) -> dict[str, Any]:
    schema = json.loads(op.response_schema) if op.response_schema else None
    label, name = type_label(schema)
    response: dict[str, Any] = {"status": op.response_status, "type": label}
    if name:
        response["schema"] = name
        shape = compact_shape(expand({"$ref": f"#/components/schemas/{name}"}, lookup, max_depth=1))
        if shape:
            response["fields"] = shape
    if op.response_missing_schema:
        response["note"] = f"The definition names schema {op.response_missing_schema} but does not define it."
    return response


def _list_query(schema_name: str, lookup: Any, op: Operation) -> dict[str, Any]:
    fields = query_fields(schema_name, lookup, max_depth=2)
    by_kind: dict[str, list[str]] = {}
    for path, kind in fields.items():
        by_kind.setdefault(kind, []).append(path)
    top_level = [f.path for f in expand({"$ref": f"#/components/schemas/{schema_name}"}, lookup, max_depth=1)]
    out: dict[str, Any] = {
        "conditions_fields": by_kind,
        "orderBy_fields": "any of the conditions fields, e.g. 'id desc'",
        "fields": top_level,
        "syntax": (
            "conditions: field op value joined by and/or; strings in quotes (status/name='Open'), "
            "dates in brackets (dateEntered>[2026-01-01T00:00:00Z]), numbers and true/false bare; "
            "operators = != < <= > >= contains like in not"
        ),
    }
    if not op.is_count:
        out["paging"] = "page and pageSize (max 1000); ConnectWise's default page size is 25"
    return out
