"""Loading and checking an OpenAPI 3 definition before anything is written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .names import HTTP_METHODS


class SpecError(Exception):
    """The definition cannot be turned into a catalog; ``pointer`` says where (RFC 6901)."""

    def __init__(self, message: str, pointer: str = "") -> None:
        self.message = message
        self.pointer = pointer
        where = f" (at JSON pointer '{pointer}')" if pointer else ""
        super().__init__(f"{message}{where}")


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointer_of(*tokens: str | int) -> str:
    return "".join("/" + escape_pointer_token(str(t)) for t in tokens)


def resolve_pointer(document: Any, pointer: str) -> Any:
    """Resolve a local JSON pointer (``/components/schemas/Ticket``); KeyError if absent."""
    node = document
    if not pointer:
        return node
    for raw in pointer.lstrip("/").split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(token)]
        elif isinstance(node, dict):
            node = node[token]
        else:
            raise KeyError(token)
    return node


def load_spec(path: str | Path) -> dict[str, Any]:
    """Read and check a definition; raise SpecError naming the first problem found."""
    source = Path(path)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise SpecError(f"cannot read {source}: {exc.strerror or exc}") from exc
    try:
        document = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise SpecError(f"{source} is not UTF-8 text: {exc.reason}") from exc
    except json.JSONDecodeError as exc:
        raise SpecError(
            f"{source} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            " (only the JSON form of the definition is supported)"
        ) from exc
    check_spec(document)
    return document


def check_spec(document: Any) -> None:
    if not isinstance(document, dict):
        raise SpecError("the definition must be a JSON object", "")
    version = document.get("openapi")
    if not isinstance(version, str) or not version.startswith("3."):
        if "swagger" in document:
            raise SpecError(
                f"this is a Swagger {document.get('swagger')} document; an OpenAPI 3.x definition is needed",
                "/swagger",
            )
        raise SpecError(
            f"not an OpenAPI 3 document: 'openapi' is {version!r}, expected a version like '3.0.1'",
            "/openapi",
        )
    paths = document.get("paths")
    if not isinstance(paths, dict):
        raise SpecError("'paths' must be an object of path templates", "/paths")
    if not paths:
        raise SpecError("'paths' is empty: the definition describes no operations", "/paths")
    for template, item in paths.items():
        if not template.startswith("/"):
            raise SpecError(f"path '{template}' must start with '/'", pointer_of("paths", template))
        if not isinstance(item, dict):
            raise SpecError(f"path item for '{template}' must be an object", pointer_of("paths", template))
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is not None and not isinstance(operation, dict):
                raise SpecError(f"{method.upper()} {template} must be an object", pointer_of("paths", template, method))
    schemas = document.get("components", {}).get("schemas", {})
    if not isinstance(schemas, dict):
        raise SpecError("'components.schemas' must be an object", "/components/schemas")
    for ref, location in iter_refs(document):
        if not ref.startswith("#/"):
            raise SpecError(f"$ref '{ref}' points outside this file; only local references are supported", location)
        try:
            resolve_pointer(document, ref[1:])
        except (KeyError, IndexError, ValueError):
            raise SpecError(f"unresolved $ref '{ref}'", location) from None


def iter_refs(node: Any, location: str = "") -> Iterator[tuple[str, str]]:
    """Yield ``(ref, pointer to the $ref member)`` for every reference in the document."""
    stack: list[tuple[Any, str]] = [(node, location)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str):
                yield ref, where + "/$ref"
            elif "$ref" in current:
                raise SpecError("$ref must be a string", where + "/$ref")
            for key, value in current.items():
                if isinstance(value, dict | list):
                    stack.append((value, where + "/" + escape_pointer_token(key)))
        elif isinstance(current, list):
            for index, value in enumerate(current):
                if isinstance(value, dict | list):
                    stack.append((value, f"{where}/{index}"))
