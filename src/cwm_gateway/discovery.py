"""The discovery tools' behaviour: searching and reading the catalog."""

from __future__ import annotations

import difflib
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
    """``max_results`` outside 1 to ``high`` is an error naming the range (the schema publishes it too)."""
    if not 1 <= value <= high:
        raise ToolError(f"max_results must be from 1 to {high} (got {value}).", allowed_range=[1, high])
    return int(value)


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


def _hits_lines(data: dict[str, Any]) -> list[str]:
    results = data["results"]
    if not results:
        return [f"No operations match {data['query']!r}."]
    lines = [f"{len(results)} of {data['total']} matching operations for {data['query']!r}:"]
    for rank, hit in enumerate(results, 1):
        flag = " (deprecated)" if hit.get("deprecated") else ""
        lines.append(f"{rank}. {hit['method']} {hit['path']} - {hit['summary']} [{hit['category']}]{flag}")
    return lines


def _search(searcher: Searcher, query: str, max_results: int, natural: bool) -> Result:
    if not query or not query.strip():
        raise ToolError("The query is empty. Describe the operation, e.g. 'ticket notes' or 'create company'.")
    check_text_length("query", query, "Describe the operation in a few words, e.g. 'ticket notes'.")
    limit = result_limit(max_results, MAX_SEARCH_RESULTS)
    hits, total = searcher.natural(query, limit) if natural else searcher.keyword(query, limit)
    step = (
        "Next: get_api_endpoint_details(path, method) for parameters and body fields."
        if hits
        else "Try other words, or list_api_categories to browse."
    )
    data = {"query": query, "results": [_hit_entry(h) for h in hits], "total": total, "next_step": step}
    return ok(data, _hits_lines)


def search_endpoints(searcher: Searcher, query: str, max_results: int) -> Result:
    return _search(searcher, query, max_results, natural=False)


def natural_language_search(searcher: Searcher, query: str, max_results: int) -> Result:
    return _search(searcher, query, max_results, natural=True)


def category_groups(catalog: Catalog) -> dict[str, dict[str, int]]:
    """``{group: {category: operations}}``, the group being the paths' first segment (service, company ...).

    A category whose operations sit under two segments (TicketNotes: service and project) is in both.
    """
    groups: dict[str, dict[str, int]] = {}
    for row in catalog.query("SELECT path, category FROM operations"):
        group = row["path"].strip("/").split("/", 1)[0].lower()
        counts = groups.setdefault(group, {})
        counts[row["category"]] = counts.get(row["category"], 0) + 1
    return dict(sorted(groups.items()))


def list_categories(catalog: Catalog, group: str | None = None) -> Result:
    """The groups with their counts, or (``group``) that group's categories with their operation counts."""
    groups = category_groups(catalog)
    if group is None or not group.strip():
        listed = [{"group": g, "categories": len(c), "operations": sum(c.values())} for g, c in groups.items()]
        data = {
            "groups": listed,
            "total_categories": len({name for counts in groups.values() for name in counts}),
            "total_operations": sum(entry["operations"] for entry in listed),
            "next_step": 'list_api_categories(group="service") lists the categories of one group.',
        }
        return ok(data, _groups_lines)
    check_text_length("group", group, "Give a group name, e.g. 'service'.")
    counts = groups.get(group.strip().strip("/").lower())
    if counts is None:
        raise ToolError(
            f"No group named {group!r}; the groups are {', '.join(groups)}.",
            suggestions=difflib.get_close_matches(group.strip().lower(), list(groups), n=3, cutoff=0.5),
            hint="get_category_endpoints(category) takes a category name such as 'Tickets'.",
        )
    categories = [{"name": n, "endpoint_count": c} for n, c in sorted(counts.items(), key=lambda i: i[0].lower())]
    data = {
        "group": group.strip().strip("/").lower(),
        "categories": categories,
        "total": len(categories),
        "next_step": "get_category_endpoints(category) lists the operations of one category.",
    }
    return ok(data, _group_lines)


def _groups_lines(data: dict[str, Any]) -> list[str]:
    head = f"{data['total_categories']} categories, {data['total_operations']} operations"
    head += " in groups (group categories/operations):"
    return [head, ", ".join(f"{g['group']} {g['categories']}/{g['operations']}" for g in data["groups"])]


def _group_lines(data: dict[str, Any]) -> list[str]:
    lines = [f"{data['group']}: {data['total']} categories (name: operations)"]
    names = [f"{c['name']}: {c['endpoint_count']}" for c in data["categories"]]
    lines += [", ".join(names[i : i + 8]) for i in range(0, len(names), 8)]  # short lines, not one long one
    return lines


def category_endpoints(catalog: Catalog, category: str, max_results: int) -> Result:
    check_text_length("category", category, "Give a category name, e.g. 'Tickets' (see list_api_categories).")
    limit = result_limit(max_results, MAX_CATEGORY_RESULTS)
    name = catalog.find_category(category or "")
    if name is None:
        raise ToolError(
            f"No category named {category!r}.",
            suggestions=catalog.suggest_categories(category or ""),
            hint="list_api_categories shows the groups, and list_api_categories(group) their categories.",
        )
    operations = catalog.category_operations(name)
    shown = operations[:limit]
    data: dict[str, Any] = {
        "category": name,
        "results": [operation_summary(op) for op in shown],
        "total": len(operations),
    }
    if len(shown) < len(operations):
        data["next_step"] = f"Raise max_results (up to {MAX_CATEGORY_RESULTS}) to see all {len(operations)}."
    return ok(data, _category_lines)


def _category_lines(data: dict[str, Any]) -> list[str]:
    lines = [f"{data['category']}: showing {len(data['results'])} of {data['total']} operations"]
    return lines + [f"- {op['method']} {op['path']} - {op['summary']}" for op in data["results"]]


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
    return ok(describe(catalog, op, match.values), _details_lines)


def _details_lines(d: dict[str, Any]) -> list[str]:
    lines = [f"{d['method']} {d['path']} - {d['summary']} [{d['category']}]"]
    if d.get("description") and d["description"] != d["summary"]:
        lines.append(d["description"])
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
    if response.get("fields"):
        lines.append("response fields: " + ", ".join(response["fields"]))
    query = d.get("list_query")
    if query:
        for kind, names in query["conditions_fields"].items():
            lines.append(f"conditions/orderBy fields ({kind}): {', '.join(names)}")
        for key, value in query.items():
            if key != "conditions_fields":
                lines.append(f"{key}: {', '.join(value) if isinstance(value, list) else value}")
    if d.get("authentication"):
        lines.append(f"authentication: {d['authentication']}")
    return lines


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
