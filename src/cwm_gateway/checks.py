"""Checks on what the assistant gives, made before anything is sent (and before credentials load).

Plain functions over plain values and the catalog's schemas, so each rule is testable alone:

- JSON that comes in (``data``, ``params``, JSON strings, raw request bodies) nests at most
  ``MAX_DEPTH`` levels and holds no NaN or Infinity (they are not JSON; ConnectWise refuses them).
- Query parameters are ones the operation takes, with values of the right kind.
- ``fields`` names real fields; write bodies and PATCH paths match the definition.

The definition is ConnectWise 2022.1 while servers are newer, so a check refuses what is
clearly wrong (a typo of a known name, a text where a number goes) and lets through what
may simply be newer (a field unlike any known one), with a note.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .catalog.fields import REF_PREFIX, SchemaLookup, expand, flatten, ref_name

MAX_DEPTH = 64
# ConnectWise's web front resets the connection on longer URLs instead of answering.
MAX_URL_CHARS = 8_000
# A conditions text this long is a mistake (a pasted export), even in a POST .../search body.
MAX_CONDITIONS_CHARS = 65_536
# Parameters ConnectWise takes on every list and read query, listed in the definition or not.
COMMON_LIST_PARAMETERS = {
    "conditions": "string",
    "childConditions": "string",
    "customFieldConditions": "string",
    "orderBy": "string",
    "fields": "string",
    "columns": "string",
    "page": "integer",
    "pageSize": "integer",
    "pageId": "integer",
}
MAX_PAGE_SIZE = 1000
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_WHOLE_NUMBER = re.compile(r"\s*[+-]?\d+\s*")
_NUMBER = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class CheckError(ValueError):
    """A value that cannot be sent; ``str()`` says what is wrong and what to do."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.details = {k: v for k, v in details.items() if v is not None}


# -- JSON as it comes in ----------------------------------------------------------------


def text_depth(text: str, start: int = 0, limit: int = MAX_DEPTH) -> int:
    """How deep the brackets of JSON ``text`` nest (strings skipped); stops counting past ``limit``."""
    depth = deepest = 0
    for token in _JSON_TOKEN.finditer(text, start):
        char = token.group(0)
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif char in "]}":
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> Any:
    raise CheckError(f"{name} is not a JSON number (JSON has no NaN or Infinity); give a number or null.")


def load_json(text: str, what: str) -> Any:
    """Parse JSON given as a string: bounded nesting, no NaN/Infinity, a clear message otherwise."""
    if text_depth(text) > MAX_DEPTH:
        raise CheckError(f"{what} nests deeper than {MAX_DEPTH} levels; ConnectWise bodies are far flatter.")
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except CheckError as exc:
        raise CheckError(f"{what}: {exc}") from None


def check_plain(value: Any, what: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH and non-finite numbers anywhere in ``value``.

    Iterative, so a value nested a million levels costs one error, not the server's stack.
    """
    stack: list[tuple[Any, str, int]] = [(value, what, 0)]
    while stack:
        current, where, depth = stack.pop()
        if isinstance(current, float) and not math.isfinite(current):
            name = "NaN" if math.isnan(current) else ("Infinity" if current > 0 else "-Infinity")
            raise CheckError(
                f"{where} is {name}, which is not a JSON number (JSON has no NaN or Infinity); give a number or null.",
                field=where,
            )
        if isinstance(current, (dict, list, tuple)):
            if depth >= MAX_DEPTH:
                raise CheckError(f"{what} nests deeper than {MAX_DEPTH} levels; ConnectWise bodies are far flatter.")
            items = current.items() if isinstance(current, dict) else enumerate(current)
            stack.extend((item, f"{where}.{key}", depth + 1) for key, item in items)


# -- query parameters ------------------------------------------------------------------


def accepted_parameters(defined: Mapping[str, str], list_query: bool) -> dict[str, tuple[str, str]]:
    """lower-cased name -> (name as documented, type): the definition's, plus the common list ones."""
    accepted = {name.lower(): (name, kind) for name, kind in defined.items()}
    if list_query:
        for name, kind in COMMON_LIST_PARAMETERS.items():
            accepted.setdefault(name.lower(), (name, kind))
    return accepted


def check_parameter_names(query: list[tuple[str, str]], accepted: Mapping[str, tuple[str, str]], label: str) -> None:
    unknown = [name for name, _ in query if name.lower() not in accepted]
    if not unknown:
        seen: set[str] = set()
        for name, _ in query:
            if name.lower() in seen:  # ConnectWise would join the two values with a comma
                raise CheckError(f"{name} is given twice (in the path and in params?); give it once.", parameter=name)
            seen.add(name.lower())
        return
    names = [name for name, _ in accepted.values()]
    first = unknown[0]
    close = difflib.get_close_matches(first.lower(), list(accepted), n=1, cutoff=0.75)
    suggestion = accepted[close[0]][0] if close else None
    hint = f" Did you mean '{suggestion}'?" if suggestion else ""
    shown = ", ".join(repr(n) for n in unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
    takes = f"it takes {', '.join(names)}" if names else "it takes no query parameters"
    raise CheckError(
        f"{label} does not take the query parameter{'s' if len(unknown) > 1 else ''} {shown}; {takes}.{hint}",
        parameter=first,
        suggestion=suggestion,
        accepted=names,
    )


def check_parameter_values(query: list[tuple[str, str]], accepted: Mapping[str, tuple[str, str]]) -> None:
    for given, value in query:
        name, kind = accepted.get(given.lower(), (given, "string"))
        if len(value) > MAX_CONDITIONS_CHARS:
            raise CheckError(
                f"{name} is {len(value):,} characters; ConnectWise takes at most {MAX_CONDITIONS_CHARS:,}. Narrow it "
                "(a range like id >= 100 and id < 200 instead of a list of ids) or split the call.",
                parameter=name,
            )
        text = value.strip()
        if kind == "integer":
            if not _WHOLE_NUMBER.fullmatch(value):
                raise CheckError(f"{name} must be a whole number (got {value[:40]!r}).", parameter=name)
            number = int(text)
            if name == "page" and number < 1:
                raise CheckError(f"page must be 1 or more (got {number}); pages are numbered from 1.", parameter=name)
            if name == "pageSize" and not 1 <= number <= MAX_PAGE_SIZE:
                raise CheckError(
                    f"pageSize must be between 1 and {MAX_PAGE_SIZE} (got {number}); "
                    "use all_pages=true to collect more.",
                    parameter=name,
                )
            if name == "pageId" and number < 0:
                raise CheckError(f"pageId must be 0 or more (got {number}).", parameter=name)
        elif kind == "boolean" and text.lower() not in ("true", "false"):
            raise CheckError(f"{name} must be true or false (got {value[:40]!r}).", parameter=name)
        elif kind == "number" and not _NUMBER.fullmatch(value):
            raise CheckError(f"{name} must be a number (got {value[:40]!r}).", parameter=name)


@dataclass
class FieldNames:
    """The names usable in ``fields``: every path, and those under which anything goes."""

    known: dict[str, str] = field(default_factory=dict)  # lower-cased -> as spelled
    open: set[str] = field(default_factory=set)  # lower-cased: lists, and objects not expanded further

    @classmethod
    def of(cls, schema_name: str, lookup: SchemaLookup, max_depth: int = 3) -> FieldNames:
        names = cls()
        for entry in flatten(expand({"$ref": REF_PREFIX + schema_name}, lookup, max_depth)):
            names.known[entry.path.lower()] = entry.path
            if entry.type.startswith("array") or (entry.schema and not entry.children):
                names.open.add(entry.path.lower())
        return names

    def allows(self, name: str) -> bool:
        lowered = name.lower()
        if lowered in self.known or lowered == "_info" or lowered.startswith("_info/"):
            return True
        parts = lowered.split("/")
        return any("/".join(parts[:n]) in self.open for n in range(1, len(parts)))


def check_field_list(value: str, names: FieldNames) -> list[str]:
    """``fields=id,board/name``: raise FieldListError for a typo of a known name; return names unlike any."""
    unknown: list[str] = []
    position = 0
    for part in value.split(","):
        offset = position + len(part) - len(part.lstrip())
        position += len(part) + 1
        name = part.strip()
        if not name:
            raise FieldListError("empty name in fields (two commas in a row?)", value, offset)
        if names.allows(name):
            continue
        close = difflib.get_close_matches(name.lower(), list(names.known), n=1, cutoff=0.75)
        if close:
            suggestion = names.known[close[0]]
            raise FieldListError(f"unknown field '{name}'; did you mean '{suggestion}'?", value, offset, suggestion)
        unknown.append(name)
    return unknown


class FieldListError(ValueError):
    """A problem in a list of field names (``fields``, ``orderBy``); shaped like conditions.ConditionError,
    so both are reported the same way."""

    def __init__(self, message: str, source: str, position: int, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.position = position
        self.suggestion = suggestion


def check_order_by(value: str, known: Mapping[str, str]) -> None:
    """``orderBy=summary desc, id``: entries are ``field`` or ``field asc|desc`` naming known fields.

    Raises FieldListError for a malformed entry or an unknown field (with the closest one); with
    no known fields (an operation the definition says little about) nothing is checked.
    """
    if not known:
        return
    lowered = {k.lower(): k for k in known}
    position = 0
    for part in value.split(","):
        stripped = part.strip()
        offset = value.index(part, position) + (len(part) - len(part.lstrip()))
        position += len(part) + 1
        if not stripped:
            raise FieldListError("empty orderBy entry", value, offset)
        words = stripped.split()
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise FieldListError("orderBy entries look like 'field' or 'field desc'", value, offset)
        if words[0].lower() not in lowered:
            close = difflib.get_close_matches(words[0].lower(), list(lowered), n=1, cutoff=0.6)
            suggestion = lowered[close[0]] if close else None
            hint = f"; did you mean '{suggestion}'?" if suggestion else ""
            raise FieldListError(f"unknown field '{words[0]}'{hint}", value, offset, suggestion)


def url_length(path: str, query: list[tuple[str, str]]) -> int:
    """Characters of ``path?query`` as the client will encode them."""
    from .client import encode_query  # the HTTP stack loads with the first call, not with this module

    encoded = encode_query(query)
    return len(path) + (1 + len(encoded) if encoded else 0)


# -- write bodies ------------------------------------------------------------------------


def _resolve(schema: Any, lookup: SchemaLookup) -> dict[str, Any]:
    """The schema itself, with a $ref or a leading allOf followed (a few hops at most)."""
    for _ in range(8):
        if not isinstance(schema, dict):
            return {}
        name = ref_name(schema)
        if name:
            schema = lookup(name) or {}
        elif schema.get("allOf"):
            schema = schema["allOf"][0]
        else:
            return schema
    return {}


def _properties(schema: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """lower-cased name -> (name, schema): ConnectWise reads body names regardless of case."""
    return {name.lower(): (name, sub) for name, sub in (schema.get("properties") or {}).items()}


def expected(schema: Any, lookup: SchemaLookup) -> str:
    """What a value of ``schema`` looks like, in words, with an example."""
    resolved = _resolve(schema, lookup)
    kind = resolved.get("type")
    if resolved.get("enum"):
        return "one of " + ", ".join(str(e) for e in resolved["enum"])
    if resolved.get("properties") or (kind == "object" and not resolved.get("additionalProperties")):
        names = [n for n in (resolved.get("properties") or {}) if not n.startswith("_")]
        example = next((n for n in ("id", "identifier", "name") if n in names), names[0] if names else "id")
        sample = "5" if example == "id" else '"..."'
        return f'an object like {{"{example}": {sample}}}'
    if kind == "array":
        return f"a list of {expected(resolved.get('items'), lookup)}"
    if kind == "integer":
        return "a whole number"
    if kind == "number":
        return "a number"
    if kind == "boolean":
        return "true or false"
    if kind == "string":
        if resolved.get("format") in ("date-time", "date"):
            return "a date like 2026-01-01T09:00:00Z"
        limit = resolved.get("maxLength")
        return f"text of at most {limit} characters" if limit else "text"
    return "a value"


def _problem(where: str, schema: Any, lookup: SchemaLookup, got: Any, hint: str = "") -> CheckError:
    shown = json.dumps(got)[:60] if not isinstance(got, str) else repr(got[:60])
    want = expected(schema, lookup)
    return CheckError(f"'{where}' must be {want} (got {shown}){hint or '.'}", field=where, expected=want)


def check_value(value: Any, schema: Any, where: str, lookup: SchemaLookup) -> None:
    """Raise CheckError when ``value`` cannot be read as ``schema``.

    As lenient as ConnectWise's JSON reader: numbers given as text, text given as a number,
    null anywhere, names in any case and members it does not know inside objects all pass.
    """
    if value is None:
        return
    resolved = _resolve(schema, lookup)
    if not resolved:
        return
    kind = resolved.get("type")
    if resolved.get("properties"):
        if not isinstance(value, dict):
            raise _problem(where, schema, lookup, value)
        properties = _properties(resolved)
        for key, item in value.items():
            entry = properties.get(str(key).lower())
            if entry is not None and not str(key).startswith("_"):
                check_value(item, entry[1], f"{where}/{entry[0]}", lookup)
        return
    if kind == "object":
        if not isinstance(value, dict):
            raise _problem(where, schema, lookup, value)
        return
    if kind == "array":
        if not isinstance(value, list):
            raise _problem(where, schema, lookup, value)
        for index, item in enumerate(value):
            check_value(item, resolved.get("items"), f"{where}/{index}", lookup)
        return
    if isinstance(value, (dict, list)):
        raise _problem(where, schema, lookup, value)
    _check_scalar(value, resolved, where, schema, lookup)


def _check_scalar(value: Any, resolved: dict[str, Any], where: str, schema: Any, lookup: SchemaLookup) -> None:
    kind = resolved.get("type")
    if kind == "integer":
        whole = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
        if not whole and not (isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value)):
            raise _problem(where, schema, lookup, value)
    elif kind == "number":
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not number and not (isinstance(value, str) and _NUMBER.fullmatch(value)):
            raise _problem(where, schema, lookup, value)
    elif kind == "boolean":
        if not isinstance(value, bool) and not (isinstance(value, str) and value.lower() in ("true", "false")):
            raise _problem(where, schema, lookup, value)
    elif kind == "string" and isinstance(value, str):
        _check_text(value, resolved, where, schema, lookup)


def _check_text(value: str, resolved: dict[str, Any], where: str, schema: Any, lookup: SchemaLookup) -> None:
    choices = resolved.get("enum")
    if choices:
        lowered = {str(c).lower(): str(c) for c in choices}
        if value.lower() not in lowered:
            close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
            hint = f"; did you mean '{lowered[close[0]]}'?" if close else ""
            raise _problem(where, schema, lookup, value, hint)
        return
    limit = resolved.get("maxLength")
    if isinstance(limit, int) and len(value) > limit:
        raise CheckError(
            f"'{where}' is at most {limit} characters; this one has {len(value)}.",
            field=where,
            expected=f"text of at most {limit} characters",
        )
    if resolved.get("format") in ("date-time", "date") and value.strip() and not _DATE.match(value.strip()):
        raise _problem(where, schema, lookup, value)


def check_body(body: Any, schema: Any, lookup: SchemaLookup, require: bool) -> list[str]:
    """Check a write body against its request schema; returns notes on names the definition lacks.

    ``require``: the definition's required fields must be present (creating or replacing a record).
    """
    resolved = _resolve(schema, lookup)
    if resolved.get("type") == "array" and not resolved.get("properties"):
        if not isinstance(body, list):
            raise CheckError(f"data must be a list of {expected(resolved.get('items'), lookup)}.")
        notes: list[str] = []
        for index, item in enumerate(body):
            notes += _check_record(item, resolved.get("items"), lookup, require, f"item {index + 1}: ")
        return notes
    if not resolved.get("properties"):
        return []  # no fields described (a missing schema, a plain value): nothing to check against
    return _check_record(body, schema, lookup, require, "")


def _check_record(body: Any, schema: Any, lookup: SchemaLookup, require: bool, where: str) -> list[str]:
    resolved = _resolve(schema, lookup)
    name = ref_name(schema) or "record"
    if not isinstance(body, dict):
        raise CheckError(
            f"{where}data must be a JSON object with the fields of {name}, e.g. {expected(schema, lookup)}."
        )
    properties = _properties(resolved)
    unknown = _unknown_fields(body, properties, name, where)  # a typo first: it explains a "missing" field
    if require:
        given = {str(k).lower(): v for k, v in body.items()}
        missing = [n for n in resolved.get("required") or [] if given.get(n.lower()) is None]
        if missing:
            wants = "; ".join(f"{n}: {expected(properties[n.lower()][1], lookup)}" for n in missing)
            raise CheckError(
                f"{where}data is missing the required field{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} ({wants}).",
                field=missing[0],
                missing=missing,
            )
    for key, value in body.items():
        entry = properties.get(str(key).lower())
        if entry is not None and not str(key).startswith("_"):
            check_value(value, entry[1], entry[0], lookup)
    if not unknown:
        return []
    return [
        f"{where}{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not in the API definition's {name}; "
        "sent as given (ConnectWise ignores fields it does not know)."
    ]


def _unknown_fields(body: dict[str, Any], properties: dict[str, tuple[str, Any]], name: str, where: str) -> list[str]:
    """Raise for a name close to a known field (a typo); return the names unlike any (maybe newer fields)."""
    unknown: list[str] = []
    for key in map(str, body):
        if key.startswith("_") or key.lower() in properties:
            continue  # _info and friends, as a record read back carries them
        close = difflib.get_close_matches(key.lower(), list(properties), n=1, cutoff=0.8)
        if close:
            suggestion = properties[close[0]][0]
            raise CheckError(
                f"{where}{name} has no field '{key}'; did you mean '{suggestion}'?", field=key, suggestion=suggestion
            )
        unknown.append(key)
    return unknown


def check_patch(operations: list[dict[str, Any]], resource: str, lookup: SchemaLookup) -> list[str]:
    """Each operation's path names a field of ``resource`` and its value fits that field."""
    notes: list[str] = []
    for index, operation in enumerate(operations):
        segments = [s for s in str(operation["path"]).strip("/").split("/") if s]
        schema: Any = {"$ref": REF_PREFIX + resource}
        for depth, segment in enumerate(segments):
            resolved = _resolve(schema, lookup)
            if resolved.get("type") == "array":
                if not (segment.isdigit() or segment == "-"):
                    schema = None
                    break
                schema = resolved.get("items")
                continue
            properties = _properties(resolved)
            entry = properties.get(segment.lower())
            if entry is None:
                if depth == 0 and properties:
                    close = difflib.get_close_matches(segment.lower(), list(properties), n=1, cutoff=0.8)
                    if close:
                        suggestion = properties[close[0]][0]
                        raise CheckError(
                            f"PATCH operation {index + 1}: {resource} has no field '{segment}'; "
                            f"did you mean '{suggestion}'?",
                            field=operation["path"],
                            suggestion=suggestion,
                        )
                    notes.append(
                        f"PATCH path '{operation['path']}' is not in the API definition's {resource}; sent as given."
                    )
                schema = None
                break
            schema = entry[1]
        if schema is not None and operation["op"] in ("add", "replace", "test") and "value" in operation:
            check_value(operation["value"], schema, str(operation["path"]).strip("/"), lookup)
    return notes
