"""What crosses HTTP in the stand-in: the request as recorded, the response to send, JSON bodies and errors."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cwm_gateway.sandbox.data import ApiError

JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class RecordedRequest:
    method: str
    path: str  # percent-decoded, without the query
    raw_path: str  # as received, with the query
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names; the Authorization value is "<redacted>"
    body: bytes
    authorized: bool  # StandIn: the credentials were right; Listener: an Authorization header arrived
    fault: str | None = None  # the injected fault this request met, if any


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    reset: bool = False  # drop the connection instead of answering
    length: int | None = None  # a Content-Length to announce instead of the body's (a cut-short answer)
    drip: tuple[int, float] | None = None  # send the body in pieces of this many bytes, this many seconds apart


def json_response(status: int, payload: Any, headers: Iterable[tuple[str, str]] = ()) -> Response:
    return Response(status, dumps(payload), [("Content-Type", JSON_TYPE), *headers])


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def api_error(status: int, code: str, message: str) -> ApiError:
    return ApiError(status, {"code": code, "message": message, "errors": None})


def json_body(body: bytes, empty: Any = None) -> Any:
    """A request body as JSON; an empty body is ``empty`` when given, else a 400 like ConnectWise's."""
    if not body.strip():
        if empty is not None:
            return empty
        raise api_error(400, "InvalidObject", "The request body is empty; send a JSON document.")
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise api_error(400, "InvalidObject", "The request body is not UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise api_error(
            400, "InvalidObject", f"The request body is not valid JSON: {exc.msg} at character {exc.pos + 1}"
        ) from None
