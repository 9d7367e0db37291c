"""Turn an OpenAPI 3 definition into the catalog database.

The output is written to a temporary file beside the target and renamed into place
only when complete, so a failed or interrupted build never leaves a half-written
catalog and readers of the old one are never disturbed.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..files import replacing
from . import text
from .fields import schema_name
from .lexicon import default_lexicon
from .names import HTTP_METHODS, METHOD_ORDER, MODIFIER_SEGMENTS
from .schema import DDL, FORMAT_VERSION, insert_statement
from .spec import load_spec, resolve_pointer

# Header parameters the gateway sets itself; users are never asked for them.
AUTH_HEADERS = {"clientid", "authorization"}
_REPLACEMENT_RE = re.compile(r"[Pp]lease use (?:the )?(/[^\s?]+)")
_VERSION_RE = re.compile(r"version=([0-9][0-9A-Za-z.]*)")


@dataclass(frozen=True)
class BuildReport:
    path: Path
    operations: int
    categories: int
    schemas: int
    parameters: int
    api_version: str
    spec_sha256: str


def build_catalog(spec_path: str | Path, out_path: str | Path) -> BuildReport:
    """Build the catalog for ``spec_path`` at ``out_path`` atomically.

    Raises ``SpecError`` (before anything is written) when the definition is unusable.
    """
    spec_path = Path(spec_path)
    out_path = Path(out_path)
    document = load_spec(spec_path)
    digest = hashlib.sha256(spec_path.read_bytes()).hexdigest()
    with replacing(out_path) as temp:
        report = _write(document, digest, temp)
    return BuildReport(out_path, *report)


def _write(document: dict[str, Any], digest: str, temp: Path) -> tuple[int, int, int, int, str, str]:
    temp.unlink()  # sqlite must create the file itself to set the page size
    conn = sqlite3.connect(temp)
    try:
        conn.execute("PRAGMA page_size = 4096")
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.executescript(DDL)
        schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
        with conn:
            _insert(conn, "schemas", ({"name": name, "definition": _dump(schemas[name])} for name in sorted(schemas)))
            tally = _insert_operations(conn, document, schemas, _identifier_vocabulary(document))
            _insert(conn, "vocabulary", tally.vocabulary_rows())
            conn.executemany("INSERT INTO vocabulary_trigrams (word) VALUES (?)", ((w,) for w in sorted(tally.words)))
            meta = _meta(document, digest, tally, len(schemas))
            _insert(conn, "meta", ({"key": key, "value": value} for key, value in sorted(meta.items())))
        conn.execute("INSERT INTO operations_fts (operations_fts) VALUES ('optimize')")
        conn.execute("INSERT INTO fields_fts (fields_fts) VALUES ('optimize')")
        conn.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
        conn.execute("ANALYZE")
        conn.commit()
        conn.execute("VACUUM")
    finally:
        conn.close()
    return tally.operations, len(tally.categories), len(schemas), tally.parameters, tally.api_version, digest


def _insert(conn: sqlite3.Connection, table: str, rows: Iterable[dict[str, Any]]) -> None:
    conn.executemany(insert_statement(conn, table), rows)


@dataclass
class _Tally:
    """What the operations add up to: counts for the report and the words for the vocabulary."""

    operations: int = 0
    parameters: int = 0
    categories: set[str] = field(default_factory=set)
    versions: Counter[str] = field(default_factory=Counter)
    words: Counter[str] = field(default_factory=Counter)  # operations using each search token
    name_words: Counter[str] = field(default_factory=Counter)  # ... in their path or category

    @property
    def api_version(self) -> str:
        return self.versions.most_common(1)[0][0] if self.versions else ""

    def vocabulary_rows(self) -> Iterator[dict[str, Any]]:
        for word, count in sorted(self.words.items()):
            yield {"word": word, "doc_count": count, "name_count": self.name_words[word]}


def _meta(document: dict[str, Any], digest: str, tally: _Tally, schema_count: int) -> dict[str, str]:
    info = document.get("info", {})
    servers = document.get("servers") or [{}]
    return {
        "format_version": str(FORMAT_VERSION),
        "openapi": str(document.get("openapi")),
        "title": str(info.get("title", "")),
        "spec_version": str(info.get("version", "")),
        "api_version": tally.api_version,
        "server_url": str(servers[0].get("url", "")),
        "spec_sha256": digest,
        "operations": str(tally.operations),
        "categories": str(len(tally.categories)),
        "schemas": str(schema_count),
        # The lexicon travels compiled inside the catalog: the first search after start
        # should not spend its time parsing lexicon.txt.
        "lexicon": default_lexicon().to_json(),
    }


def _insert_operations(
    conn: sqlite3.Connection, document: dict[str, Any], schemas: dict[str, Any], vocabulary: set[str]
) -> _Tally:
    found = []
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                found.append((path, method.upper(), operation, item))
    found.sort(key=lambda r: (r[0], METHOD_ORDER[r[1]]))

    tally = _Tally(operations=len(found))
    insert_operation = insert_statement(conn, "operations")
    insert_parameter = insert_statement(conn, "parameters")
    for op_id, (path, method, operation, item) in enumerate(found, start=1):
        row, fts = _operation_row(op_id, path, method, operation, item, schemas, vocabulary)
        conn.execute(insert_operation, row)
        conn.execute(
            "INSERT INTO operations_fts (rowid, resource, path, category, summary, operation_id)"
            " VALUES (:rowid, :resource, :path, :category, :summary, :operation_id)",
            {"rowid": op_id, **fts},
        )
        conn.execute("INSERT INTO fields_fts (rowid, fields) VALUES (?, ?)", (op_id, fts["fields"]))
        parameters = _parameter_rows(op_id, _parameters(item, operation, document))
        conn.executemany(insert_parameter, parameters)
        tally.parameters += len(parameters)
        tally.categories.add(row["category"])
        tally.versions.update(_media_versions(row["response_media_type"], row["request_media_type"]))
        tally.words.update(set(" ".join(fts.values()).split()))
        tally.name_words.update(set(f"{fts['path']} {fts['category']}".split()))
    return tally


def _operation_row(
    op_id: int,
    path: str,
    method: str,
    operation: dict[str, Any],
    item: dict[str, Any],
    schemas: dict[str, Any],
    vocabulary: set[str],
) -> tuple[dict[str, Any], dict[str, str]]:
    """(the operations row, by column name; its full-text columns)."""
    category = _category(operation, path)
    notes = _notes(operation, method, path)
    request = _request_body(operation)
    response_status, response = _success_response(operation)
    response = response or {}
    response_schema = response.get("schema")
    resource_schema = schema_name(response_schema) or schema_name(request.get("schema"))
    if resource_schema == "PatchOperation":
        resource_schema = None

    path_words, resource_words, path_structure = _path_terms(path, vocabulary)
    fts = {
        "resource": " ".join(resource_words),
        "path": " ".join(path_words),
        "category": " ".join(text.tokens(category)),
        "summary": " ".join(text.tokens(notes["summary"])),
        "operation_id": " ".join(_compound_tokens(str(operation.get("operationId", "")), vocabulary)),
        "fields": " ".join(_field_words(schemas.get(resource_schema or "", {}))),
    }
    row = {
        "id": op_id,
        "method": method,
        "path": path,
        "operation_id": str(operation.get("operationId") or f"{method.lower()}{path}"),
        "category": category,
        **notes,
        "original_path": item.get("x-original-path"),
        "segment_count": len([s for s in path.split("/") if s]),
        "resource_schema": resource_schema,
        "returns_list": isinstance(response_schema, dict) and response_schema.get("type") == "array",
        "request_media_type": request.get("media_type"),
        "request_schema": _dump_or_none(request.get("schema")),
        "request_required": bool(request.get("required")),
        "request_missing_schema": request.get("missing_schema"),
        "response_status": response_status,
        "response_media_type": response.get("media_type"),
        "response_schema": _dump_or_none(response_schema),
        "response_missing_schema": response.get("missing_schema"),
        "resource_terms": fts["resource"],
        "path_terms": path_structure,
        "category_terms": fts["category"],
        "summary_terms": fts["summary"],
        "field_terms": fts["fields"],
    }
    return row, fts


def _notes(operation: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    """The summary, description and deprecation columns, from the operation's texts."""
    raw_summary = html.unescape(str(operation.get("summary") or ""))
    extra_lines = "\n".join(line.strip() for line in raw_summary.strip().splitlines()[1:] if line.strip())
    description = html.unescape(str(operation.get("description") or "")).strip() or extra_lines
    notes = f"{raw_summary}\n{description}"
    replacement = _REPLACEMENT_RE.search(notes)
    return {
        "summary": text.clean_summary(raw_summary) or f"{method} {path}",
        "raw_summary": raw_summary,
        "description": description,
        "deprecated": bool(operation.get("deprecated")) or bool(replacement) or "deprecated" in notes.lower(),
        "replacement": replacement.group(1) if replacement else None,
    }


def _media_versions(*media_types: str | None) -> list[str]:
    """The API versions named in media types ("...+json; version=2022.1")."""
    found = (_VERSION_RE.search(media or "") for media in media_types)
    return [match.group(1) for match in found if match]


def _parameter_rows(op_id: int, parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for position, parameter in enumerate(parameters):
        schema = parameter.get("schema") or {}
        name = str(parameter.get("name", ""))
        location = str(parameter.get("in", "query"))
        rows.append(
            {
                "operation": op_id,
                "position": position,
                "name": name,
                "location": location,
                "required": bool(parameter.get("required")) or location == "path",
                "type": schema.get("type") or (schema_name(schema) and "object"),
                "format": schema.get("format"),
                "description": str(parameter.get("description") or ""),
                "schema": _dump(schema),
                "auth": location == "header" and name.lower() in AUTH_HEADERS,
            }
        )
    return rows


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _dump_or_none(value: Any) -> str | None:
    return None if value is None else _dump(value)


def _category(operation: dict[str, Any], path: str) -> str:
    tags = operation.get("tags") or []
    if tags and isinstance(tags[0], str) and tags[0].strip():
        return tags[0].strip()
    literal = [s for s in path.split("/") if s and not s.startswith("{")]
    return "".join(word[:1].upper() + word[1:] for word in literal[:2]) or "Other"


def _pick_media(content: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    if not content:
        return None, {}
    for media_type, media in content.items():
        if "json" in media_type:
            return media_type, media or {}
    media_type = next(iter(content))
    return media_type, content[media_type] or {}


def _request_body(operation: dict[str, Any]) -> dict[str, Any]:
    body = operation.get("requestBody")
    if not isinstance(body, dict):
        return {}
    media_type, media = _pick_media(body.get("content") or {})
    return {
        "media_type": media_type,
        "schema": media.get("schema"),
        "required": body.get("required", False),
        "missing_schema": media.get("x-missing-schema"),
    }


def _responses(operation: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for status, response in sorted((operation.get("responses") or {}).items()):
        if not isinstance(response, dict):
            continue
        media_type, media = _pick_media(response.get("content") or {})
        out.append(
            (
                str(status),
                {
                    "description": str(response.get("description") or ""),
                    "media_type": media_type,
                    "schema": media.get("schema"),
                    "missing_schema": media.get("x-missing-schema"),
                },
            )
        )
    return out


def _success_response(operation: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
    for status, detail in _responses(operation):
        if status.startswith("2"):
            return status, detail
    return None, None


def _parameters(item: dict[str, Any], operation: dict[str, Any], document: dict[str, Any]) -> list[dict[str, Any]]:
    """Path-level and operation-level parameters, the latter overriding by (name, in)."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for parameter in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
        if isinstance(parameter, dict) and "$ref" in parameter:
            parameter = resolve_pointer(document, parameter["$ref"][1:])
        if isinstance(parameter, dict) and "name" in parameter:
            merged[(str(parameter["name"]), str(parameter.get("in", "query")))] = parameter
    return list(merged.values())


def _identifier_vocabulary(document: dict[str, Any]) -> set[str]:
    """The dictionary for splitting lower-case compounds: words seen in camelCase identifiers,
    and the lower-case path words that are not compounds of those ("submit", "reset")."""
    words: set[str] = set()
    identifiers: list[str] = list(document.get("components", {}).get("schemas", {}))
    for path, item in document["paths"].items():
        identifiers.extend(s for s in path.split("/") if s and not s.startswith("{"))
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                identifiers.extend(t for t in operation.get("tags") or [] if isinstance(t, str))
    for schema in document.get("components", {}).get("schemas", {}).values():
        if isinstance(schema, dict):
            identifiers.extend((schema.get("properties") or {}).keys())
    for identifier in identifiers:
        if identifier != identifier.lower():
            camel = [w for w in text.split_identifier(identifier) if len(w) >= 2 and w.isalpha()]
            words.update(camel)
            words.update(text.stem(w) for w in camel)  # "AgreementRecaps" spells "agreementrecap" too
    # "submitmembers" is submit + members only once "submit", a path word of its own, is a word.
    lower = {w for i in identifiers if i == i.lower() for w in text.split_identifier(i) if w.isalpha()}
    whole = {w for w in lower if len(text.segment_compound(w, words)) == 1}
    words |= {w for w in whole if len(text.segment_compound(w, words | whole - {w})) == 1}
    return words


def _compound_tokens(identifier: str, vocabulary: set[str]) -> list[str]:
    out: list[str] = []
    for word in text.split_identifier(identifier):
        pieces = text.segment_compound(word, vocabulary) if word.isalpha() else [word]
        out.extend(text.stem(piece) for piece in pieces)
    return out


def _path_terms(path: str, vocabulary: set[str]) -> tuple[list[str], list[str], str]:
    """(unique path tokens, resource tokens, "service/ticket/{}/note" structure)."""
    segments = [s for s in path.split("/") if s]
    literal = [s for s in segments if not s.startswith("{")]
    path_words = [w for segment in literal for w in _compound_tokens(segment, vocabulary)]
    resource_segment = next(
        (s for s in reversed(literal) if s.lower() not in MODIFIER_SEGMENTS), literal[-1] if literal else ""
    )
    structure = "/".join("{}" if s.startswith("{") else " ".join(_compound_tokens(s, vocabulary)) for s in segments)
    return text.unique(path_words), _compound_tokens(resource_segment, vocabulary), structure


def _field_words(schema: Any) -> list[str]:
    if not isinstance(schema, dict):
        return []
    names = [name for name in (schema.get("properties") or {}) if not name.startswith("_")]
    return text.unique(w for name in names for w in text.tokens(name))
