"""Misbehaving on demand: the faults a test injects, queued, and the answers they give."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from cwm_gateway.sandbox.data import huge_records
from cwm_gateway.sandbox.wire import JSON_TYPE, Response, dumps, json_response

FAULT_KINDS = ("status", "html", "truncated_json", "reset", "slow", "redirect", "huge")

# What a ConnectWise-ish JSON body says for a status when a "status" fault gives none.
_STATUS_BODIES = {
    400: ("InvalidObject", "The request is invalid."),
    401: ("Unauthorized", "Authentication failed."),
    403: ("Forbidden", "You do not have permission to perform this action."),
    404: ("NotFound", "The requested resource was not found."),
    409: ("Conflict", "The record was changed by another user."),
    429: ("TooManyRequests", "Too many requests. Please try again later."),
    500: ("UnexpectedError", "An unexpected error has occurred."),
    502: ("BadGateway", "The server received an invalid response from an upstream server."),
    503: ("ServiceUnavailable", "The service is temporarily unavailable."),
    504: ("GatewayTimeout", "The upstream server did not answer in time."),
}


@dataclass(frozen=True)
class Fault:
    kind: str
    options: Mapping[str, Any]


_FAULT_OPTIONS = {
    "status": {"code", "body", "headers", "length", "drip"},
    "html": {"code"},
    "truncated_json": set(),
    "reset": set(),
    "slow": {"delay"},
    "redirect": {"location", "code"},
    "huge": {"records"},
}


def _check_fault(kind: str, count: int, options: Mapping[str, Any]) -> None:
    if kind not in _FAULT_OPTIONS:
        raise ValueError(f"unknown fault kind {kind!r}; use one of {', '.join(FAULT_KINDS)}")
    unknown = set(options) - _FAULT_OPTIONS[kind]
    if unknown:
        raise ValueError(f"fault {kind!r} takes no option {', '.join(sorted(unknown))}")
    if count < 1:
        raise ValueError("count must be at least 1")
    if kind == "status" and not (isinstance(options.get("code"), int) and 100 <= options["code"] <= 599):
        raise ValueError("a 'status' fault needs code=<an HTTP status>")
    if kind == "redirect" and not isinstance(options.get("location"), str):
        raise ValueError("a 'redirect' fault needs location=<absolute URL>")


def _html_page(code: int) -> bytes:
    title = f"{code} {_phrase(code)}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
        "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ).encode()


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Error"


class FaultQueue:
    """The faults still to meet, in order; the next API request takes the first."""

    def __init__(self) -> None:
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()

    def add(self, kind: str, count: int, options: Mapping[str, Any]) -> None:
        _check_fault(kind, count, options)
        with self._lock:
            self._faults.extend(Fault(kind, dict(options)) for _ in range(count))

    def take(self) -> Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)


def fault_response(fault: Fault, halt: threading.Event, sample: Callable[[], bytes], base_url: str) -> Response | None:
    """The faulty answer, or None when the request should then be answered normally ("slow").

    ``sample`` is a JSON list of a few real records (cut in half by "truncated_json"); ``halt``
    cuts a "slow" wait short when the stand-in stops.
    """
    options = fault.options
    if fault.kind == "status":
        response = _status_fault(options["code"], options.get("body"), options.get("headers") or {})
        response.length = options.get("length")
        response.drip = options.get("drip")
        return response
    if fault.kind == "html":
        code = int(options.get("code", 502))
        return Response(code, _html_page(code), [("Content-Type", "text/html")])
    if fault.kind == "truncated_json":
        whole = sample()
        return Response(200, whole[: len(whole) // 2], [("Content-Type", JSON_TYPE)])
    if fault.kind == "reset":
        return Response(0, reset=True)
    if fault.kind == "slow":
        halt.wait(float(options.get("delay", 1.0)))
        return None
    if fault.kind == "redirect":
        return Response(int(options.get("code", 302)), b"", [("Location", options["location"])])
    return json_response(200, huge_records(int(options.get("records", 20000)), base_url))


def _status_fault(code: int, body: Any, headers: Mapping[str, str]) -> Response:
    if body is None:
        kind, message = _STATUS_BODIES.get(code, (_phrase(code).replace(" ", ""), _phrase(code)))
        body = {"code": kind, "message": message, "errors": None}
    data = body if isinstance(body, bytes) else body.encode("utf-8") if isinstance(body, str) else dumps(body)
    extra = list(headers.items())
    if not any(name.lower() == "content-type" for name, _ in extra):
        extra.insert(0, ("Content-Type", JSON_TYPE))
    return Response(code, data, extra)
