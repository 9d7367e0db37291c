"""Expanding component schemas into flat field lists.

Bodies and responses reference component schemas that reference others (a Ticket
has a ``company`` that is a CompanyReference ...). Users and conditions speak in
slash paths (``company/identifier``), so schemas are flattened into those, with
a depth bound and a guard against reference cycles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SchemaLookup = Callable[[str], "dict[str, Any] | None"]
REF_PREFIX = "#/components/schemas/"


@dataclass
class Field:
    path: str  # "company/identifier"
    type: str  # "string", "integer", "object", "array of Ticket" ...
    format: str | None = None
    required: bool = False
    max_length: int | None = None
    enum: list[Any] | None = None
    description: str = ""
    schema: str | None = None  # referenced component schema, if any
    children: list[Field] = field(default_factory=list)


def ref_name(schema: Any) -> str | None:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            return ref[len(REF_PREFIX) :]
    return None


def _clean_description(text: str, max_length: int | None) -> str:
    # The definition repeats maxLength as " Max length: 100;" prose; keep only real notes.
    parts = [p.strip() for p in (text or "").split(";")]
    parts = [p for p in parts if p and not (p.lower().startswith("max length") and max_length is not None)]
    return "; ".join(parts)


def type_label(schema: Any) -> tuple[str, str | None]:
    """("object", "Ticket"), ("array of Ticket", "Ticket"), ("string", None) ... for a schema."""
    if not isinstance(schema, dict):
        return "none", None
    name = ref_name(schema)
    if name:
        return "object", name
    if schema.get("type") == "array":
        items = schema.get("items") or {}
        item_name = ref_name(items)
        if item_name:
            return f"array of {item_name}", item_name
        return f"array of {items.get('type', 'any')}", None
    if schema.get("allOf"):
        return type_label(schema["allOf"][0])
    return str(schema.get("type") or "object"), None


def schema_name(schema: Any) -> str | None:
    """The component schema a schema is, or is a list of."""
    return type_label(schema)[1]


def expand(
    schema: Any,
    lookup: SchemaLookup,
    max_depth: int = 2,
    prefix: str = "",
    _stack: tuple[str, ...] = (),
) -> list[Field]:
    """Fields of ``schema`` (a schema or a $ref), nested objects expanded to ``max_depth`` levels."""
    if not isinstance(schema, dict):
        return []
    name = ref_name(schema)
    if name:
        if name in _stack:
            return []
        resolved = lookup(name)
        return expand(resolved, lookup, max_depth, prefix, (*_stack, name)) if resolved else []
    if schema.get("type") == "array":
        return expand(schema.get("items"), lookup, max_depth, prefix, _stack)
    properties: dict[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    out: list[Field] = []
    for prop, prop_schema in properties.items():
        if prop.startswith("_") or not isinstance(prop_schema, dict):
            continue
        label, target = type_label(prop_schema)
        max_length = prop_schema.get("maxLength")
        entry = Field(
            path=f"{prefix}{prop}",
            type=label,
            format=prop_schema.get("format"),
            required=prop in required,
            max_length=max_length,
            enum=prop_schema.get("enum"),
            description=_clean_description(str(prop_schema.get("description") or ""), max_length),
            schema=target,
        )
        if target and max_depth > 1 and target not in _stack and not label.startswith("array"):
            entry.children = expand({"$ref": REF_PREFIX + target}, lookup, max_depth - 1, f"{prefix}{prop}/", _stack)
        out.append(entry)
    return out


def flatten(fields: list[Field]) -> list[Field]:
    out: list[Field] = []
    for entry in fields:
        out.append(entry)
        out.extend(flatten(entry.children))
    return out


def query_fields(schema_name: str, lookup: SchemaLookup, max_depth: int = 3) -> dict[str, str]:
    """Scalar field paths usable in ``conditions``/``orderBy``, mapped to their condition type.

    Types are the ones that decide how a value is written in a condition: ``string``
    (quoted), ``date`` (in brackets), ``number``, ``boolean``.
    """
    out: dict[str, str] = {}
    for entry in flatten(expand({"$ref": REF_PREFIX + schema_name}, lookup, max_depth)):
        if entry.type in ("object",) or entry.type.startswith("array"):
            continue
        if entry.format in ("date-time", "date") or entry.type == "date":
            kind = "date"
        elif entry.type in ("integer", "number"):
            kind = "number"
        elif entry.type == "boolean":
            kind = "boolean"
        else:
            kind = "string"
        out[entry.path] = kind
    return out


def compact_shape(fields: list[Field], limit: int = 60) -> list[str]:
    """Top-level ``name: type`` strings, for a quick look at a response."""
    shown = [f"{f.path}: {f.type if not f.schema or f.type.startswith('array') else f.schema}" for f in fields]
    if len(shown) > limit:
        shown = [*shown[:limit], f"... {len(shown) - limit} more"]
    return shown
