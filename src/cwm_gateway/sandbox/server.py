"""A ConnectWise Manage stand-in: a real HTTP server on 127.0.0.1 that answers like ConnectWise.

``StandIn`` serves the sample data of ``data.py`` under ``/{codebase}apis/3.0`` with ConnectWise's
authentication, query parameters (conditions, orderBy, fields, paging), Link headers, error
bodies and write rules, records every request it receives, and misbehaves on demand
(``inject``) so a client's handling of rate limits, gateways, resets and redirects can be tested.
``Listener`` is a second origin that answers everything with 200 ``{}`` and records what reached it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import math
import socket
import socketserver
import struct
import sys
import threading
import traceback
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from cwm_gateway.sandbox.conditions import Conditions, ConditionsError, read_conditions
from cwm_gateway.sandbox.data import RESOURCES, TICKETS, ApiError, Record, Store, huge_records

JSON_TYPE = "application/json; charset=utf-8"
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000
MAX_BODY = 32 * 1024 * 1024
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
_NOT_FOUND_PAGE = (
    b"<!DOCTYPE html><html><head><title>404 - File or directory not found.</title></head><body>"
    b"<h2>404 - File or directory not found.</h2><h3>The resource you are looking for might have been removed, "
    b"had its name changed, or is temporarily unavailable.</h3></body></html>"
)
_API_NOT_FOUND = {"code": "NotFound", "message": "The requested resource was not found.", "errors": None}
_ALLOWED = {
    "collection": ("GET", "POST"),
    "count": ("GET",),
    "search": ("POST",),
    "item": ("GET", "PUT", "PATCH", "DELETE"),
}


# -- requests and responses ---------------------------------------------------------------------------------------


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
    return Response(status, _dumps(payload), [("Content-Type", JSON_TYPE), *headers])


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _error(status: int, code: str, message: str) -> ApiError:
    return ApiError(status, {"code": code, "message": message, "errors": None})


# -- the HTTP plumbing shared by StandIn and Listener ----------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so every answer carries Content-Length
    server_version = "cwm-standin"
    sys_version = ""
    timeout = 30  # an idle keep-alive connection gives its thread back eventually
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes; without NODELAY, Nagle plus delayed ACKs add ~40 ms per
        # keep-alive request.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests read the request log; stderr stays quiet

    def _serve(self) -> None:
        service = self.server.service
        try:
            body, problem = _read_body(self), None
        except ValueError as exc:
            body, problem = b"", str(exc)
        request = service.record(self.command, self.path, self.headers.items(), body)
        if problem is not None:
            response = json_response(400, {"code": "InvalidObject", "message": problem, "errors": None})
            response.headers.append(("Connection", "close"))  # the rest of the stream cannot be trusted
        else:
            response = service.answer(request)
        try:
            if response.reset:
                self._reset()
            else:
                self._write(response)
        except (ConnectionError, TimeoutError, OSError):
            self.close_connection = True  # the client left (timeouts, tests); nothing to tell it

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        length = len(response.body) if response.length is None else response.length
        self.send_header("Content-Length", str(length))
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self._write_body(response)
        if length != len(response.body):
            self.close_connection = True  # the stream no longer matches what was announced

    def _write_body(self, response: Response) -> None:
        if response.drip is None:
            self.wfile.write(response.body)
            return
        size, delay = response.drip
        halt = getattr(self.server.service, "_halt", threading.Event())
        for start in range(0, len(response.body), size):
            self.wfile.write(response.body[start : start + size])
            self.wfile.flush()
            if halt.wait(delay):
                return

    def _reset(self) -> None:
        # SO_LINGER 0 makes close() send RST, so the client sees a reset rather than a polite end of stream.
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
        return _read_chunked(handler)
    length = handler.headers.get("Content-Length")
    if not length:
        return b""
    try:
        size = int(length)
    except ValueError:
        raise ValueError(f"Content-Length {length!r} is not a number") from None
    if size < 0 or size > MAX_BODY:
        raise ValueError(f"Content-Length {size} is out of range")
    data = handler.rfile.read(size)
    if len(data) < size:
        raise ValueError("the body is shorter than its Content-Length")
    return data


def _read_chunked(handler: BaseHTTPRequestHandler) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        line = handler.rfile.readline(1024).split(b";")[0].strip()
        try:
            size = int(line, 16)
        except ValueError:
            raise ValueError("malformed chunked body") from None
        if size == 0:
            while handler.rfile.readline(1024).strip():  # trailers
                pass
            return b"".join(parts)
        total += size
        if total > MAX_BODY:
            raise ValueError("chunked body too large")
        parts.append(handler.rfile.read(size))
        handler.rfile.readline(1024)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], service: _HttpService) -> None:
        self.service = service
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls getfqdn(), a reverse DNS lookup that can stall for seconds offline.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # clients hanging up is routine here
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """Wake the threads still serving keep-alive connections so stop() leaves nothing talking."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


_S = TypeVar("_S", bound="_HttpService")


class _HttpService:
    """A server on a daemon thread that records every request; subclasses decide the answers."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self._port = port
        self.requests: list[RecordedRequest] = []
        self._log_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self: _S) -> _S:
        if self._server is not None:
            return self
        server = _Server((self.host, self._port), self)
        self._server = server
        self._started(server)
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping()
        server.shutdown()
        server.server_close()
        server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self: _S) -> _S:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return int(self._server.server_address[1])

    @property
    def site(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def origin(self) -> str:
        return f"http://{self.site}"

    def record(self, method: str, raw_path: str, headers: Iterable[tuple[str, str]], body: bytes) -> RecordedRequest:
        lowered: dict[str, str] = {}
        for name, value in headers:
            key = name.lower()
            lowered[key] = f"{lowered[key]}, {value}" if key in lowered else value
        authorized = self._authorized(lowered.get("authorization"))
        if "authorization" in lowered:
            lowered["authorization"] = "<redacted>"
        split = urlsplit(raw_path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        request = RecordedRequest(method, unquote(split.path), raw_path, query, lowered, body, authorized)
        with self._log_lock:
            self.requests.append(request)
        return request

    def answer(self, request: RecordedRequest) -> Response:
        try:
            return self._respond(request)
        except Exception as exc:  # the server must keep serving whatever a request did to it
            traceback.print_exc()
            return json_response(500, {"code": "UnexpectedError", "message": f"stand-in bug: {exc!r}", "errors": None})

    def clear_requests(self) -> None:
        with self._log_lock:
            del self.requests[:]

    # -- for subclasses --

    def _started(self, server: _Server) -> None:
        pass

    def _stopping(self) -> None:
        pass

    def _authorized(self, header: str | None) -> bool:
        return header is not None

    def _respond(self, request: RecordedRequest) -> Response:
        raise NotImplementedError


class Listener(_HttpService):
    """A second origin for tests: answers every request 200 ``{}`` and records it (it should stay empty)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)

    @property
    def url(self) -> str:
        return self.origin

    def _respond(self, request: RecordedRequest) -> Response:
        return json_response(200, {})


# -- query parameters -----------------------------------------------------------------------------------------------


def lookup(record: Mapping[str, Any], path: str) -> Any:
    """The value at ``a/b/c`` in nested objects; field names match regardless of case, as in ConnectWise."""
    value: Any = record
    for part in path.split("/"):
        if not isinstance(value, Mapping):
            return None
        if part in value:
            value = value[part]
            continue
        lowered = part.lower()
        value = next((inner for key, inner in value.items() if key.lower() == lowered), None)
    return value


def parse_conditions(text: str, known: Mapping[str, str]) -> Conditions:
    """The stand-in's own reading of ``conditions`` (see ``sandbox/conditions.py``), refused as ConnectWise
    refuses it: a 400 naming the character, or the field it cannot filter on."""
    try:
        conditions = read_conditions(text)
    except ConditionsError as exc:
        raise _error(
            400, "InvalidObject", f"conditions is invalid at character {exc.position + 1}: {exc.message}"
        ) from None
    if known:  # an empty collection has no fields to check against
        for field in conditions.fields:
            name = field.lower()
            if name not in known and not name.startswith("customfield"):
                raise ApiError(400, {"code": "InvalidObject", "message": f"Cannot filter on field '{field}'"})
    return conditions


def parse_order(text: str | None, known: Mapping[str, str]) -> list[tuple[str, bool]]:
    """``"company/name asc, id desc"`` -> [("company/name", False), ("id", True)]; True means descending."""
    order = []
    for part in (text or "").split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise _error(
                400, "InvalidObject", f"orderBy '{part.strip()}' is not valid; write 'field asc' or 'field desc'"
            )
        if known and words[0].lower() not in known:
            raise _error(400, "InvalidObject", f"Cannot order by field '{words[0]}'")
        order.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
    return order


def _sort_key(value: Any) -> tuple[int, Any]:
    # Nulls first when ascending (last when descending), as SQL Server sorts them.
    if value is None:
        return (0, 0)
    if isinstance(value, (bool, int, float)):
        return (1, float(value))
    if isinstance(value, str):
        return (2, value.lower())
    return (3, json.dumps(value, sort_keys=True))


def sort_rows(rows: list[Record], order: list[tuple[str, bool]]) -> list[Record]:
    rows = sorted(rows, key=lambda row: row["id"])  # the tie-breaker, and the order without orderBy
    for path, descending in reversed(order):
        rows.sort(key=lambda row, path=path: _sort_key(lookup(row, path)), reverse=descending)
    return rows


_WHOLE = None  # a field tree leaf: keep the whole value


def field_tree(spec: Any) -> dict[str, Any] | None:
    """``"id,summary,status/name"`` -> {"id": None, "summary": None, "status": {"name": None}}."""
    if spec is None or spec == "" or spec == []:
        return None
    parts = spec if isinstance(spec, list) else str(spec).split(",")
    tree: dict[str, Any] = {}
    for part in parts:
        segments = [segment.lower() for segment in str(part).strip().strip("/").split("/") if segment]
        node: dict[str, Any] | None = tree
        for segment in segments[:-1]:
            if node is None:
                break
            node = node.setdefault(segment, {})  # stays None when the whole parent was asked for
        if node is not None and segments:
            node[segments[-1]] = _WHOLE
    return tree or None


def project(value: Any, tree: dict[str, Any]) -> Any:
    """Keep only the requested paths of a record (inside lists too, for communicationItems/value)."""
    if isinstance(value, list):
        return [project(item, tree) for item in value]
    if not isinstance(value, Mapping):
        return value
    kept = {}
    for key, inner in value.items():
        lowered = key.lower()
        if lowered not in tree:
            continue
        sub = tree[lowered]
        kept[key] = inner if sub is _WHOLE else project(inner, sub)
    return kept


@dataclass
class Query:
    conditions: str | None = None
    order_by: str | None = None
    fields: Any = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    page_id: int | None = None
    forward_only: bool = False


def _whole_number(name: str, raw: Any) -> int:
    try:
        return int(str(raw).strip())
    except ValueError:
        raise _error(400, "InvalidObject", f"{name} must be a whole number, not '{raw}'") from None


def read_query(params: Mapping[str, Any], *, forward_only: bool) -> Query:
    """The query from URL parameters (or a search body); names match regardless of case."""
    lowered = {key.lower(): value for key, value in params.items()}
    query = Query(forward_only=forward_only)
    query.conditions = str(lowered["conditions"]) if lowered.get("conditions") not in (None, "") else None
    query.order_by = str(lowered["orderby"]) if lowered.get("orderby") not in (None, "") else None
    query.fields = lowered.get("fields")
    if lowered.get("page") not in (None, ""):
        query.page = max(1, _whole_number("page", lowered["page"]))
    if lowered.get("pagesize") not in (None, ""):
        size = _whole_number("pageSize", lowered["pagesize"])
        query.page_size = DEFAULT_PAGE_SIZE if size < 1 else min(size, MAX_PAGE_SIZE)
    if lowered.get("pageid") not in (None, ""):
        query.page_id = _whole_number("pageId", lowered["pageid"])
    return query


@dataclass(frozen=True)
class Route:
    template: str
    parent_id: int | None
    kind: str  # collection | count | search | item
    record_id: int | None = None


_TEMPLATES = sorted(RESOURCES, key=lambda template: -template.count("/"))  # child collections match first


def resolve(path: str) -> Route | None:
    """The collection route for an API-relative path like ``/service/tickets/12/notes/count``."""
    segments = [segment for segment in path.strip("/").split("/") if segment]
    for template in _TEMPLATES:
        pattern = template.strip("/").split("/")
        if not len(pattern) <= len(segments) <= len(pattern) + 1:
            continue
        parent_id = None
        for expected, segment in zip(pattern, segments):
            if expected == "{parentId}" and segment.isascii() and segment.isdigit():
                parent_id = int(segment)
            elif expected != segment.lower():
                break
        else:
            route = _route(template, parent_id, segments[len(pattern) :])
            if route is not None:
                return route
    return None


def _route(template: str, parent_id: int | None, rest: list[str]) -> Route | None:
    if not rest:
        return Route(template, parent_id, "collection")
    word = rest[0].lower()
    if word in ("count", "search"):
        return Route(template, parent_id, word)
    if word.isascii() and word.isdigit():
        return Route(template, parent_id, "item", int(word))
    return None


# -- faults ---------------------------------------------------------------------------------------------------------


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


# -- the stand-in ---------------------------------------------------------------------------------------------------


class StandIn(_HttpService):
    """ConnectWise Manage on 127.0.0.1; see the module docstring."""

    def __init__(
        self,
        *,
        company_id: str = "labtech",
        public_key: str = "pubkey123",
        private_key: str = "privkey456",
        client_id: str = "00000000-0000-4000-8000-000000000001",
        codebase: str = "v4_6_release/",
        ticket_count: int = 120,
        seed: int = 7,
        require_auth: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        today: date | None = None,
    ) -> None:
        super().__init__(host, port)
        self.company_id = company_id
        self.public_key = public_key
        self.private_key = private_key
        self.client_id = client_id
        self.codebase = codebase.strip("/") + "/" if codebase.strip("/") else ""
        self.ticket_count = ticket_count
        self.seed = seed
        self.require_auth = require_auth
        self.today = today  # the day sample dates are relative to; None: the current date at each (re)start
        self._faults: deque[Fault] = deque()
        self._fault_lock = threading.Lock()
        self._halt = threading.Event()  # cuts "slow" faults short on stop()
        self._store: Store | None = None

    # -- public API --

    @property
    def api_root(self) -> str:
        return f"/{self.codebase}apis/3.0"

    @property
    def base_url(self) -> str:
        return f"{self.origin}{self.api_root}"

    @property
    def authorization(self) -> str:
        """The Authorization header value that this stand-in accepts."""
        token = f"{self.company_id}+{self.public_key}:{self.private_key}".encode()
        return "Basic " + base64.b64encode(token).decode("ascii")

    @property
    def headers(self) -> dict[str, str]:
        """Headers for an authenticated request."""
        return {"Authorization": self.authorization, "clientId": self.client_id, "Accept": "application/json"}

    def inject(self, kind: str, *, count: int = 1, **options: Any) -> None:
        """Make the next ``count`` API requests meet this fault (queued after any already injected).

        A "status" fault takes ``code``, ``body`` (JSON, text or bytes), ``headers``, ``length`` (a
        Content-Length to announce instead of the body's) and ``drip`` ((bytes, seconds): a slow body).
        """
        _check_fault(kind, count, options)
        with self._fault_lock:
            self._faults.extend(Fault(kind, dict(options)) for _ in range(count))

    @property
    def pending_faults(self) -> int:
        with self._fault_lock:
            return len(self._faults)

    def reset(self) -> None:
        """Fresh data, no faults, an empty request log."""
        with self._fault_lock:
            self._faults.clear()
        if self._server is not None:
            self._store = Store(self.seed, self.ticket_count, self.base_url, self.today)
        self.clear_requests()

    def records(self, template: str, parent_id: int | None = None) -> list[Record]:
        """A copy of a collection's records (``"/service/tickets"``, ``"/service/tickets/{parentId}/notes"``, ...)."""
        store = self._require_store()
        with store.lock:
            return json.loads(_dumps(store.rows(template, parent_id)))

    # -- lifecycle --

    def _started(self, server: _Server) -> None:
        self._halt.clear()
        self._store = Store(self.seed, self.ticket_count, self.base_url, self.today)

    def _stopping(self) -> None:
        self._halt.set()

    def _require_store(self) -> Store:
        store = self._store
        if store is None:
            raise RuntimeError("StandIn is not started")
        return store

    # -- answering --

    def _authorized(self, header: str | None) -> bool:
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        user, colon, private = decoded.partition(":")
        company, plus, public = user.partition("+")
        return bool(colon and plus) and (company.lower(), public, private) == (
            self.company_id.lower(),
            self.public_key,
            self.private_key,
        )

    def _respond(self, request: RecordedRequest) -> Response:
        lowered = request.path.lower()
        if lowered.startswith("/login/companyinfo/"):
            return self._company_info(request, request.path[len("/login/companyinfo/") :])
        root = self.api_root.lower()
        if lowered != root and not lowered.startswith(root + "/"):
            return Response(404, _NOT_FOUND_PAGE, [("Content-Type", "text/html")])
        fault = self._take_fault()
        if fault is not None:
            request.fault = fault.kind
            faulted = self._fault_response(fault)
            if faulted is not None:
                return faulted
        try:
            self._authenticate(request)
            return self._api(request, request.path[len(root) :])
        except ApiError as exc:
            return json_response(exc.status, exc.payload, exc.headers)

    def _company_info(self, request: RecordedRequest, company: str) -> Response:
        if request.method not in ("GET", "HEAD"):
            return json_response(
                405, {"message": f"The requested resource does not support http method '{request.method}'."}
            )
        if company.strip("/").lower() != self.company_id.lower():
            return Response(404, b"null", [("Content-Type", JSON_TYPE)])
        info = {
            "CompanyName": "Lab Tech Demo",
            "Codebase": self.codebase,
            "VersionCode": "v2025.1",
            "VersionNumber": "v4.6",
            "CompanyID": self.company_id,
            "IsCloud": False,
            "SiteUrl": self.site,
        }
        return json_response(200, info)

    def _authenticate(self, request: RecordedRequest) -> None:
        if not self.require_auth:
            return
        if not request.authorized:
            raise ApiError(401, {"code": "Unauthorized", "message": "Authentication failed."})
        if request.headers.get("clientid", "").strip().lower() != self.client_id.lower():
            raise _error(400, "InvalidClientId", "clientId header is missing or invalid.")

    def _api(self, request: RecordedRequest, path: str) -> Response:
        if path.strip("/").lower() == "system/info":
            self._allow(request, ("GET",))
            info = {
                "version": "v2025.1.12345",
                "isCloud": False,
                "serverTimeZone": "Eastern Standard Time",
                "licenseBits": [],
                "cloudRegion": "NA",
            }
            return json_response(200, info)
        route = resolve(path)
        if route is None:
            raise ApiError(404, _API_NOT_FOUND)
        self._allow(request, _ALLOWED[route.kind])
        store = self._require_store()
        method = "GET" if request.method == "HEAD" else request.method  # HEAD is GET without the body
        if route.kind == "collection" and method == "GET":
            return self._list(store, request, route, path, dict(request.query))
        if route.kind == "search":
            body = _json_body(request.body, empty={})
            if not isinstance(body, dict):
                raise _error(400, "InvalidObject", "The search body must be a JSON object")
            return self._list(store, request, route, path, {**body, **_paging(request.query)})
        if route.kind == "count":
            with store.lock:
                return json_response(200, {"count": len(self._select(store, route, request.query))})
        if route.kind == "collection":  # POST
            return json_response(201, store.create(route.template, route.parent_id, _json_body(request.body)))
        return self._item(store, request, route)

    @staticmethod
    def _allow(request: RecordedRequest, allowed: tuple[str, ...]) -> None:
        if request.method not in allowed and not (request.method == "HEAD" and "GET" in allowed):
            message = f"The requested resource does not support http method '{request.method}'."
            raise ApiError(
                405, {"code": "MethodNotAllowed", "message": message, "errors": None}, [("Allow", ", ".join(allowed))]
            )

    def _item(self, store: Store, request: RecordedRequest, route: Route) -> Response:
        assert route.record_id is not None
        if request.method in ("GET", "HEAD"):
            with store.lock:
                record = store.get(route.template, route.parent_id, route.record_id)
                tree = field_tree(read_query(request.query, forward_only=False).fields)
                return json_response(200, project(record, tree) if tree else record)
        if request.method == "DELETE":
            store.delete(route.template, route.parent_id, route.record_id)
            return Response(204)
        body = _json_body(request.body)
        if request.method == "PUT":
            return json_response(200, store.replace(route.template, route.parent_id, route.record_id, body))
        return json_response(200, store.patch(route.template, route.parent_id, route.record_id, body))

    @staticmethod
    def _select(store: Store, route: Route, params: Mapping[str, Any], query: Query | None = None) -> list[Record]:
        """The collection's records that meet the conditions; the caller holds the store lock."""
        query = query or read_query(params, forward_only=False)
        rows = store.rows(route.template, route.parent_id)
        if query.conditions:
            conditions = parse_conditions(query.conditions, store.known_paths(route.template))
            rows = [row for row in rows if conditions.keeps(row, lookup)]
        return rows

    def _list(
        self, store: Store, request: RecordedRequest, route: Route, path: str, params: Mapping[str, Any]
    ) -> Response:
        forward_only = request.headers.get("pagination-type", "").strip().lower() == "forward-only"
        query = read_query(params, forward_only=forward_only)
        with store.lock:
            rows = self._select(store, route, params, query)
            if forward_only:
                page, links = self._forward_page(rows, query, request, path)
            else:
                rows = sort_rows(rows, parse_order(query.order_by, store.known_paths(route.template)))
                page, links = self._numbered_page(rows, query, request, path)
            tree = field_tree(query.fields)
            body = _dumps([project(row, tree) for row in page] if tree else page)
        headers = [("Content-Type", JSON_TYPE)]
        if links:
            headers.append(("Link", ", ".join(f'<{url}>; rel="{rel}"' for url, rel in links)))
        return Response(200, body, headers)

    def _numbered_page(
        self, rows: list[Record], query: Query, request: RecordedRequest, path: str
    ) -> tuple[list[Record], list[tuple[str, str]]]:
        size, number = query.page_size, query.page
        last = max(1, math.ceil(len(rows) / size))
        links = []
        if number > 1:
            links += [(1, "first"), (min(number - 1, last), "prev")]
        if number < last:
            links += [(number + 1, "next"), (last, "last")]
        urls = [(self._link(request, path, [("page", str(n)), ("pageSize", str(size))]), rel) for n, rel in links]
        return rows[(number - 1) * size : number * size], urls

    def _forward_page(
        self, rows: list[Record], query: Query, request: RecordedRequest, path: str
    ) -> tuple[list[Record], list[tuple[str, str]]]:
        rows = sorted(rows, key=lambda row: row["id"])
        if query.page_id is not None:
            rows = [row for row in rows if row["id"] > query.page_id]
        page = rows[: query.page_size]
        if len(rows) <= len(page):
            return page, []
        paging = [("pageId", str(page[-1]["id"])), ("pageSize", str(query.page_size))]
        return page, [(self._link(request, path, paging), "next")]

    def _link(self, request: RecordedRequest, path: str, paging: list[tuple[str, str]]) -> str:
        """An absolute paging URL that keeps the request's other parameters (conditions, fields, ...)."""
        others = [(k, v) for k, v in request.query.items() if k.lower() not in ("page", "pagesize", "pageid")]
        return f"{self.base_url}{quote(path)}?{urlencode(paging + others, safe='/', quote_via=quote)}"

    # -- faults --

    def _take_fault(self) -> Fault | None:
        with self._fault_lock:
            return self._faults.popleft() if self._faults else None

    def _fault_response(self, fault: Fault) -> Response | None:
        """The faulty answer, or None when the request should then be answered normally ("slow")."""
        options = fault.options
        if fault.kind == "status":
            response = self._status_fault(options["code"], options.get("body"), options.get("headers") or {})
            response.length = options.get("length")
            response.drip = options.get("drip")
            return response
        if fault.kind == "html":
            code = int(options.get("code", 502))
            return Response(code, _html_page(code), [("Content-Type", "text/html")])
        if fault.kind == "truncated_json":
            whole = _dumps(self._require_store().sample(TICKETS, 3))
            return Response(200, whole[: len(whole) // 2], [("Content-Type", JSON_TYPE)])
        if fault.kind == "reset":
            return Response(0, reset=True)
        if fault.kind == "slow":
            self._halt.wait(float(options.get("delay", 1.0)))
            return None
        if fault.kind == "redirect":
            return Response(int(options.get("code", 302)), b"", [("Location", options["location"])])
        return json_response(200, huge_records(int(options.get("records", 20000)), self.base_url))

    @staticmethod
    def _status_fault(code: int, body: Any, headers: Mapping[str, str]) -> Response:
        if body is None:
            kind, message = _STATUS_BODIES.get(code, (_phrase(code).replace(" ", ""), _phrase(code)))
            body = {"code": kind, "message": message, "errors": None}
        data = body if isinstance(body, bytes) else body.encode("utf-8") if isinstance(body, str) else _dumps(body)
        extra = list(headers.items())
        if not any(name.lower() == "content-type" for name, _ in extra):
            extra.insert(0, ("Content-Type", JSON_TYPE))
        return Response(code, data, extra)


def _paging(query: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in query.items() if k.lower() in ("page", "pagesize", "pageid")}


def _json_body(body: bytes, empty: Any = None) -> Any:
    if not body.strip():
        if empty is not None:
            return empty
        raise _error(400, "InvalidObject", "The request body is empty; send a JSON document.")
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise _error(400, "InvalidObject", "The request body is not UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise _error(
            400, "InvalidObject", f"The request body is not valid JSON: {exc.msg} at character {exc.pos + 1}"
        ) from None
