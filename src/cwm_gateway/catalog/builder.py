"""Turn an OpenAPI 3 definition into the catalog database.

The output is written to a temporary file beside the target and renamed into place
only when complete, so a failed or interrupted build never leaves a half-written
catalog and readers of the old one are never disturbed.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import re
import sqlite3
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import text
from .fields import schema_name
from .lexicon import default_lexicon
from .schema import DDL, FORMAT_VERSION
from .spec import HTTP_METHODS, load_spec, resolve_pointer

# Header parameters the gateway sets itself; users are never asked for them.
AUTH_HEADERS = {"clientid", "authorization"}
# Trailing literal segments that qualify a resource rather than name one.
MODIFIER_SEGMENTS = {"count", "info", "list", "bulk", "search", "default", "usages"}
_REPLACEMENT_RE = re.compile(r"[Pp]lease use (?:the )?(/[^\s?]+)")
_VERSION_RE = re.compile(r"version=([0-9][0-9A-Za-z.]*)")
_METHOD_ORDER = {m.upper(): i for i, m in enumerate(HTTP_METHODS)}


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
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        report = _write(document, digest, temp)
        os.replace(temp, out_path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
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
        vocabulary = _identifier_vocabulary(document)
        with conn:
            conn.executemany(
                "INSERT INTO schemas (name, definition) VALUES (?, ?)",
                ((name, _dump(schemas[name])) for name in sorted(schemas)),
            )
            op_count, param_count, categories, versions, doc_words, name_words = _insert_operations(
                conn, document, schemas, vocabulary
            )
            conn.executemany(
                "INSERT INTO vocabulary (word, doc_count, name_count) VALUES (?, ?, ?)",
                ((word, count, name_words[word]) for word, count in sorted(doc_words.items())),
            )
            conn.executemany("INSERT INTO vocabulary_trigrams (word) VALUES (?)", ((w,) for w in sorted(doc_words)))
            api_version = versions.most_common(1)[0][0] if versions else ""
            info = document.get("info", {})
            servers = document.get("servers") or [{}]
            meta = {
                "format_version": str(FORMAT_VERSION),
                "openapi": str(document.get("openapi")),
                "title": str(info.get("title", "")),
                "spec_version": str(info.get("version", "")),
                "api_version": api_version,
                "server_url": str(servers[0].get("url", "")),
                "spec_sha256": digest,
                "operations": str(op_count),
                "categories": str(len(categories)),
                "schemas": str(len(schemas)),
            }
            # The lexicon travels compiled inside the catalog: the first search after start
            # should not spend its time parsing lexicon.txt.
            meta["lexicon"] = default_lexicon().to_json()
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", sorted(meta.items()))
        conn.execute("INSERT INTO operations_fts (operations_fts) VALUES ('optimize')")
        conn.execute("INSERT INTO fields_fts (fields_fts) VALUES ('optimize')")
        conn.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
        conn.execute("ANALYZE")
        conn.commit()
        conn.execute("VACUUM")
    finally:
        conn.close()
    return op_count, len(categories), len(schemas), param_count, api_version, digest


def _insert_operations(
    conn: sqlite3.Connection,
    document: dict[str, Any],
    schemas: dict[str, Any],
    vocabulary: set[str],
) -> tuple[int, int, set[str], Counter[str], Counter[str], Counter[str]]:
    rows = []
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                rows.append((path, method.upper(), operation, item))
    rows.sort(key=lambda r: (r[0], _METHOD_ORDER[r[1]]))

    categories: set[str] = set()
    versions: Counter[str] = Counter()
    doc_words: Counter[str] = Counter()
    name_words: Counter[str] = Counter()
    param_count = 0
    for op_id, (path, method, operation, item) in enumerate(rows, start=1):
        category = _category(operation, path)
        categories.add(category)
        raw_summary = html.unescape(str(operation.get("summary") or ""))
        summary = text.clean_summary(raw_summary) or f"{method} {path}"
        extra_lines = "\n".join(line.strip() for line in raw_summary.strip().splitlines()[1:] if line.strip())
        description = html.unescape(str(operation.get("description") or "")).strip() or extra_lines
        notes = f"{raw_summary}\n{description}"
        replacement_match = _REPLACEMENT_RE.search(notes)
        deprecated = bool(operation.get("deprecated")) or bool(replacement_match) or "deprecated" in notes.lower()

        request = _request_body(operation)
        response_status, response = _success_response(operation)
        response_schema = response.get("schema") if response else None
        returns_list = isinstance(response_schema, dict) and response_schema.get("type") == "array"
        resource_schema = schema_name(response_schema) or schema_name(request.get("schema"))
        if resource_schema == "PatchOperation":
            resource_schema = None
        for media in (response or {}).get("media_type", ""), request.get("media_type") or "":
            found = _VERSION_RE.search(media or "")
            if found:
                versions[found.group(1)] += 1

        path_words, resource_words, path_structure = _path_terms(path, vocabulary)
        field_names = _field_words(schemas.get(resource_schema or "", {}))
        fts_columns = {
            "resource": " ".join(resource_words),
            "path": " ".join(path_words),
            "category": " ".join(text.tokens(category)),
            "summary": " ".join(text.tokens(summary)),
            "operation_id": " ".join(_compound_tokens(str(operation.get("operationId", "")), vocabulary)),
            "fields": " ".join(field_names),
        }
        doc_words.update(set(" ".join(fts_columns.values()).split()))
        name_words.update(set(f"{fts_columns['path']} {fts_columns['category']}".split()))

        conn.execute(
            """INSERT INTO operations (
                id, method, path, operation_id, category, summary, raw_summary, description,
                deprecated, replacement, original_path, segment_count, resource_schema, returns_list,
                request_media_type, request_schema, request_required, request_missing_schema,
                response_status, response_media_type, response_schema, response_missing_schema,
                resource_terms, path_terms, category_terms, summary_terms, field_terms
            ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                op_id,
                method,
                path,
                str(operation.get("operationId") or f"{method.lower()}{path}"),
                category,
                summary,
                raw_summary,
                description,
                int(deprecated),
                replacement_match.group(1) if replacement_match else None,
                item.get("x-original-path"),
                len([s for s in path.split("/") if s]),
                resource_schema,
                int(returns_list),
                request.get("media_type"),
                _dump(request.get("schema")) if request.get("schema") is not None else None,
                int(bool(request.get("required"))),
                request.get("missing_schema"),
                response_status,
                response.get("media_type") if response else None,
                _dump(response_schema) if response_schema is not None else None,
                response.get("missing_schema") if response else None,
                fts_columns["resource"],
                path_structure,
                fts_columns["category"],
                fts_columns["summary"],
                fts_columns["fields"],
            ),
        )
        conn.execute(
            "INSERT INTO operations_fts (rowid, resource, path, category, summary, operation_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (op_id, *(fts_columns[c] for c in ("resource", "path", "category", "summary", "operation_id"))),
        )
        conn.execute("INSERT INTO fields_fts (rowid, fields) VALUES (?, ?)", (op_id, fts_columns["fields"]))
        for position, parameter in enumerate(_parameters(item, operation, document)):
            schema = parameter.get("schema") or {}
            name = str(parameter.get("name", ""))
            location = str(parameter.get("in", "query"))
            conn.execute(
                "INSERT INTO parameters (operation, position, name, location, required, type, format,"
                " description, schema, auth) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    op_id,
                    position,
                    name,
                    location,
                    int(bool(parameter.get("required")) or location == "path"),
                    schema.get("type") or (schema_name(schema) and "object"),
                    schema.get("format"),
                    str(parameter.get("description") or ""),
                    _dump(schema),
                    int(location == "header" and name.lower() in AUTH_HEADERS),
                ),
            )
            param_count += 1
        for status, detail in _responses(operation):
            conn.execute(
                "INSERT INTO responses (operation, status, description, media_type, schema, missing_schema)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    op_id,
                    status,
                    detail["description"],
                    detail.get("media_type"),
                    _dump(detail["schema"]) if detail.get("schema") is not None else None,
                    detail.get("missing_schema"),
                ),
            )
    return len(rows), param_count, categories, versions, doc_words, name_words


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


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
    """Words seen in camelCase identifiers: the dictionary for splitting lower-case compounds."""
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
            words.update(w for w in text.split_identifier(identifier) if len(w) >= 2 and not w.isdigit())
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
