"""Reading a raw request: ``METHOD /path?query [JSON body]``.

    GET /service/tickets?conditions=status/name='Open' and closedFlag=false&pageSize=3
    post /service/tickets {"summary": "Printer jam", "board": {"id": 1}}

Conditions carry spaces, quotes and [dates], so the query is split only at ``&``
that starts a new ``name=``, and a body is JSON that starts at a ``{`` or ``[`` and
runs to the end. Values that arrive already %-encoded are decoded once, so they are
never encoded twice on the way out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from .checks import MAX_DEPTH, text_depth

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_PARAM_SPLIT = re.compile(r"&(?=[A-Za-z_][A-Za-z0-9_.\-]*=)")
_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}")
# Characters that never appear raw in an encoded query value.
_RAW_ONLY = re.compile(r"[\s\"'<>\[\]{}|\\^`]")


class RawRequestError(ValueError):
    """The raw request cannot be read; the message shows the expected form."""


@dataclass
class RawRequest:
    method: str
    path: str
    query: list[tuple[str, str]]
    body: Any = None
    has_body: bool = False


def decode_value(value: str) -> str:
    """Decode a value once if it is clearly %-encoded ("status%2Fname%3D%27Open%27")."""
    if _ENCODED.search(value) and not _RAW_ONLY.search(value):
        return unquote(value)
    return value


def parse_query(query: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for part in _PARAM_SPLIT.split(query):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep:
            raise RawRequestError(f"query parameter {part.strip()!r} has no '=value'")
        pairs.append((decode_value(name.strip()), decode_value(value.strip())))
    return pairs


def _refuse_constant(name: str) -> Any:
    raise RawRequestError(f"the body holds {name}, which is not a JSON number (JSON has no NaN or Infinity)")


def _split_body(rest: str) -> tuple[str, Any, bool]:
    """(request line, body, has_body): the body is the JSON that starts after a space and ends the text."""
    decoder = json.JSONDecoder(parse_constant=_refuse_constant)
    first_error: json.JSONDecodeError | None = None
    if text_depth(rest) > MAX_DEPTH:
        # Checked before parsing: a body nested thousands deep would exhaust the parser's stack.
        raise RawRequestError(f"the body nests deeper than {MAX_DEPTH} levels; ConnectWise bodies are far flatter")
    for match in re.finditer(r"(?<=\s)[\[{]", rest):
        start = match.start()
        try:
            body, end = decoder.raw_decode(rest, start)
        except json.JSONDecodeError as exc:
            # "[" also opens dates in conditions ([2026-01-01T00:00:00Z]); only "{" must be a body.
            if match.group(0) == "{":
                first_error = first_error or exc
            continue
        if rest[end:].strip():
            raise RawRequestError(f"unexpected text after the JSON body: {rest[end:].strip()[:40]!r}")
        return rest[:start].strip(), body, True
    if first_error is not None:
        raise RawRequestError(
            f"the body is not valid JSON: {first_error.msg} (character {first_error.pos - rest.index('{') + 1}"
            " of the body)"
        )
    return rest.strip(), None, False


def parse_raw(raw: str) -> RawRequest:
    text = (raw or "").strip()
    if not text:
        raise RawRequestError('empty request; write it as "GET /service/tickets?pageSize=5"')
    method, _, rest = text.partition(" ")
    method = method.upper()
    if method not in METHODS:
        raise RawRequestError(
            f"{method!r} is not a method; start with one of {', '.join(METHODS)}, "
            'e.g. "GET /service/tickets?pageSize=5"'
        )
    line, body, has_body = _split_body(" " + rest)
    if not line:
        raise RawRequestError(f'missing path after {method}, e.g. "{method} /service/tickets"')
    if "://" in line.split("?", 1)[0]:
        raise RawRequestError("give the API path only (like /service/tickets), not a full URL")
    path, _, query = line.partition("?")
    path = path.strip()
    if " " in path:
        raise RawRequestError(f"the path {path!r} contains a space; put parameters after '?'")
    return RawRequest(method, path, parse_query(query), body, has_body)
