"""The discovery tools' behaviour: searching and reading the catalog."""

from __future__ import annotations

from typing import Any

from .catalog.details import describe
from .catalog.lookup import unknown_path
from .catalog.search import Hit, Searcher
from .catalog.store import Catalog, Operation
from .results import Result, ToolError, ok

# Searching costs time in proportion to the text; no request needs more than a sentence or a path.
MAX_TEXT_CHARS = 500
MAX_SEARCH_RESULTS = 50
MAX_CATEGORY_RESULTS = 500


def check_text_length(name: str, value: str | None, advice: str) -> None:
    """Refuse a text argument over MAX_TEXT_CHARS, without echoing it back."""
    if value is not None and len(value) > MAX_TEXT_CHARS:
        raise ToolError(
            f"{name} is {len(value):,} characters; the limit is {MAX_TEXT_CHARS}. {advice}",
            limit=MAX_TEXT_CHARS,
        )


def result_limit(value: int, high: int) -> int:
    """``max_results`` below 1 is an error naming the range; above ``high`` it is capped."""
    if value < 1:
        raise ToolError(f"max_results must be from 1 to {high} (got {value}).", allowed_range=[1, high])
    return min(high, int(value))


def operation_summary(op: Operation) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "method": op.method,
        "path": op.path,
        "summary": op.summary,
        "category": op.category,
    }
    if op.path_params:
        entry["path_params"] = op.path_params
    if op.has_body and op.method in ("POST", "PUT", "PATCH"):
        entry["body"] = body_hint(op)
    if op.deprecated:
        entry["deprecated"] = True
        if op.replacement:
            entry["use_instead"] = op.replacement
    return entry


def body_hint(op: Operation) -> str:
    if op.method == "PATCH":
        return 'JSON Patch list, e.g. [{"op": "replace", "path": "status/id", "value": 5}]'
    schema = op.resource_schema or op.request_missing_schema or "object"
    required = "required" if op.request_required else "optional"
    return f"{schema} object ({required}); see get_api_endpoint_details for its fields"


def _hit_entry(hit: Hit) -> dict[str, Any]:
    return {**operation_summary(hit.operation), "score": hit.score}


def _hits_text(hits: list[Hit], total: int, query: str) -> str:
    if not hits:
        return f"No operations match {query!r}. Try other words, or list_api_categories to browse."
    lines = [f"{len(hits)} of {total} matching operations for {query!r}:"]
    for rank, hit in enumerate(hits, 1):
        op = hit.operation
        flag = " (deprecated)" if op.deprecated else ""
        lines.append(f"{rank}. {op.method} {op.path} - {op.summary} [{op.category}]{flag}")
    lines.append("Next: get_api_endpoint_details(path, method) for parameters and body fields.")
    return "\n".join(lines)


def _search(searcher: Searcher, query: str, max_results: int, natural: bool) -> Result:
    if not query or not query.strip():
        raise ToolError("The query is empty. Describe the operation, e.g. 'ticket notes' or 'create company'.")
    check_text_length("query", query, "Describe the operation in a few words, e.g. 'ticket notes'.")
    limit = result_limit(max_results, MAX_SEARCH_RESULTS)
    hits, total = searcher.natural(query, limit) if natural else searcher.keyword(query, limit)
    data = {"query": query, "results": [_hit_entry(h) for h in hits], "total": total}
    return ok(data, _hits_text(hits, total, query))


def search_endpoints(searcher: Searcher, query: str, max_results: int) -> Result:
    return _search(searcher, query, max_results, natural=False)


def natural_language_search(searcher: Searcher, query: str, max_results: int) -> Result:
    return _search(searcher, query, max_results, natural=True)


def list_categories(catalog: Catalog) -> Result:
    categories = [{"name": name, "endpoint_count": count} for name, count in catalog.categories()]
    text = f"{len(categories)} categories (name: operations):\n" + ", ".join(
        f"{c['name']}: {c['endpoint_count']}" for c in categories
    )
    return ok({"categories": categories, "total": len(categories)}, text)


def category_endpoints(catalog: Catalog, category: str, max_results: int) -> Result:
    check_text_length("category", category, "Give a category name, e.g. 'Tickets' (see list_api_categories).")
    limit = result_limit(max_results, MAX_CATEGORY_RESULTS)
    name = catalog.find_category(category or "")
    if name is None:
        raise ToolError(
            f"No category named {category!r}.",
            suggestions=catalog.suggest_categories(category or ""),
            hint="list_api_categories shows every category name.",
        )
    operations = catalog.category_operations(name)
    shown = operations[:limit]
    data = {
        "category": name,
        "results": [operation_summary(op) for op in shown],
        "total": len(operations),
    }
    lines = [f"{name}: showing {len(shown)} of {len(operations)} operations"]
    lines += [f"- {op.method} {op.path} - {op.summary}" for op in shown]
    if len(shown) < len(operations):
        lines.append(f"Raise max_results (up to {MAX_CATEGORY_RESULTS}) to see all {len(operations)}.")
    return ok(data, "\n".join(lines))


def endpoint_details(catalog: Catalog, path: str, method: str) -> Result:
    method = (method or "GET").strip().upper()
    if not path or not path.strip():
        raise ToolError("The path is empty. Give an API path such as /service/tickets/{id}.")
    check_text_length("path", path, "Give an API path such as /service/tickets/{id}.")
    match = catalog.resolve(path)
    if match is None:
        raise unknown_path(catalog, path, method)
    op = match.method(method)
    if op is None:
        raise ToolError(
            f"{match.template} has no {method} operation.",
            available_methods=match.methods,
            suggestions=[f"{m} {match.template}" for m in match.methods],
        )
    details = describe(catalog, op, match.values)
    return ok(details, _details_text(details))


def _details_text(d: dict[str, Any]) -> str:
    lines = [f"{d['method']} {d['path']} - {d['summary']} [{d['category']}]"]
    if d.get("deprecated"):
        lines.append("DEPRECATED" + (f": use {d['use_instead']}" if d.get("use_instead") else ""))
    for p in d["path_parameters"]:
        value = f" = {p['value']}" if "value" in p else ""
        lines.append(f"path {p['name']} ({p['type']}){value}")
    if d["query_parameters"]:
        lines.append("query: " + ", ".join(p["name"] for p in d["query_parameters"]))
    body = d.get("request_body")
    if body:
        required = ", ".join(body.get("required_fields", [])) or "none marked"
        lines.append(f"body: {_type_text(body)} (required fields: {required})")
        if "fields" in body:
            lines.append("body fields (* required): " + ", ".join(_field_text(f) for f in body["fields"]))
        if "patchable_fields" in body:
            lines.append("patchable fields: " + ", ".join(body["patchable_fields"]))
        if "format" in body:
            lines.append(body["format"])
    response = d["response"]
    lines.append(f"returns {response['status']}: {_type_text(response)}")
    if "list_query" in d:
        count = sum(len(v) for v in d["list_query"]["conditions_fields"].values())
        lines.append(f"{count} fields usable in conditions/orderBy (see structured content)")
    return "\n".join(lines)


def _type_text(part: dict[str, Any]) -> str:
    schema = part.get("schema")
    return part["type"] if not schema or schema in part["type"] else f"{part['type']} {schema}"


def _field_text(field: dict[str, Any]) -> str:
    """``summary* string(100)``, ``board BoardReference{id,name}``, ``severity string[Low|Medium|High]``."""
    out = f"{field['name']}{'*' if field.get('required') else ''} {field['type']}"
    if "maxLength" in field:
        out += f"({field['maxLength']})"
    if field.get("enum"):
        out += "[" + "|".join(str(v) for v in field["enum"]) + "]"
    if isinstance(field.get("fields"), dict):
        out += "{" + ",".join(field["fields"]) + "}"
    return out
