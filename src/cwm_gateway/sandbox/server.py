"""A ConnectWise Manage stand-in: a real HTTP server on 127.0.0.1 that answers like ConnectWise.

``StandIn`` serves the sample data of ``data.py`` under ``/{codebase}apis/3.0`` with ConnectWise's
authentication, query parameters (conditions, orderBy, fields, paging), Link headers, error
bodies and write rules, records every request it receives, and misbehaves on demand
(``inject``) so a client's handling of rate limits, gateways, resets and redirects can be tested.
``Listener`` is a second origin that answers everything with 200 ``{}`` and records what reached it.

The pieces, one job each: ``wire`` (the recorded request, the response), this module's HTTP
plumbing (serving, reading bodies, recording), ``auth`` (credentials, the login endpoint),
``routing`` (path -> collection, record, count or search; allowed methods), ``listing``
(conditions, orderBy, fields, paging), ``items`` (one record: read and writes) and ``faults``
(misbehaving on demand). ``StandIn`` puts them in order.
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import struct
import sys
import threading
import traceback
from collections.abc import Iterable
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

from cwm_gateway.sandbox import items
from cwm_gateway.sandbox.auth import Credentials, company_info
from cwm_gateway.sandbox.data import TICKETS, ApiError, Record, Store
from cwm_gateway.sandbox.faults import FAULT_KINDS, FaultQueue, fault_response
from cwm_gateway.sandbox.listing import Listing, count, lookup, paging
from cwm_gateway.sandbox.routing import ALLOWED, API_NOT_FOUND, NOT_FOUND_PAGE, allow, resolve
from cwm_gateway.sandbox.wire import RecordedRequest, Response, api_error, dumps, json_body, json_response

__all__ = ["FAULT_KINDS", "Listener", "RecordedRequest", "Response", "StandIn", "json_response", "lookup"]

MAX_BODY = 32 * 1024 * 1024


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
        self.credentials = Credentials(company_id, public_key, private_key, client_id, require_auth)
        self.codebase = codebase.strip("/") + "/" if codebase.strip("/") else ""
        self.ticket_count = ticket_count
        self.seed = seed
        self.today = today  # the day sample dates are relative to; None: the current date at each (re)start
        self._faults = FaultQueue()
        self._halt = threading.Event()  # cuts "slow" faults short on stop()
        self._store: Store | None = None

    # -- public API --

    @property
    def company_id(self) -> str:
        return self.credentials.company_id

    @property
    def public_key(self) -> str:
        return self.credentials.public_key

    @property
    def private_key(self) -> str:
        return self.credentials.private_key

    @property
    def client_id(self) -> str:
        return self.credentials.client_id

    @property
    def require_auth(self) -> bool:
        return self.credentials.required

    @property
    def api_root(self) -> str:
        return f"/{self.codebase}apis/3.0"

    @property
    def base_url(self) -> str:
        return f"{self.origin}{self.api_root}"

    @property
    def authorization(self) -> str:
        """The Authorization header value that this stand-in accepts."""
        return self.credentials.authorization

    @property
    def headers(self) -> dict[str, str]:
        """Headers for an authenticated request."""
        return {"Authorization": self.authorization, "clientId": self.client_id, "Accept": "application/json"}

    def inject(self, kind: str, *, count: int = 1, **options: Any) -> None:
        """Make the next ``count`` API requests meet this fault (queued after any already injected).

        A "status" fault takes ``code``, ``body`` (JSON, text or bytes), ``headers``, ``length`` (a
        Content-Length to announce instead of the body's) and ``drip`` ((bytes, seconds): a slow body).
        """
        self._faults.add(kind, count, options)

    @property
    def pending_faults(self) -> int:
        return len(self._faults)

    def reset(self) -> None:
        """Fresh data, no faults, an empty request log."""
        self._faults.clear()
        if self._server is not None:
            self._store = Store(self.seed, self.ticket_count, self.base_url, self.today)
        self.clear_requests()

    def records(self, template: str, parent_id: int | None = None) -> list[Record]:
        """A copy of a collection's records (``"/service/tickets"``, ``"/service/tickets/{parentId}/notes"``, ...)."""
        store = self._require_store()
        with store.lock:
            return json.loads(dumps(store.rows(template, parent_id)))

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

    # -- answering: the login endpoint, then faults, credentials and the API --

    def _authorized(self, header: str | None) -> bool:
        return self.credentials.accepts(header)

    def _respond(self, request: RecordedRequest) -> Response:
        lowered = request.path.lower()
        if lowered.startswith("/login/companyinfo/"):
            return self._company_info(request, request.path[len("/login/companyinfo/") :])
        root = self.api_root.lower()
        if lowered != root and not lowered.startswith(root + "/"):
            return Response(404, NOT_FOUND_PAGE, [("Content-Type", "text/html")])
        fault = self._faults.take()
        if fault is not None:
            request.fault = fault.kind
            faulted = fault_response(fault, self._halt, self._sample, self.base_url)
            if faulted is not None:
                return faulted
        try:
            self.credentials.check(request)
            return self._api(request, request.path[len(root) :])
        except ApiError as exc:
            return json_response(exc.status, exc.payload, exc.headers)

    def _company_info(self, request: RecordedRequest, company: str) -> Response:
        """The login endpoint's answer (a test's subclass may name another site here)."""
        return company_info(request, company, self.credentials, self.codebase, self.site)

    def _sample(self) -> bytes:
        return dumps(self._require_store().sample(TICKETS, 3))

    def _api(self, request: RecordedRequest, path: str) -> Response:
        """Route an API-relative path to the listing, a count, a search, a create or one record."""
        if path.strip("/").lower() == "system/info":
            allow(request, ("GET",))
            return json_response(200, SYSTEM_INFO)
        route = resolve(path)
        if route is None:
            raise ApiError(404, API_NOT_FOUND)
        allow(request, ALLOWED[route.kind])
        store = self._require_store()
        method = "GET" if request.method == "HEAD" else request.method  # HEAD is GET without the body
        if route.kind == "collection" and method == "GET":
            return Listing(self.base_url, request, path).answer(store, route, dict(request.query))
        if route.kind == "search":
            body = json_body(request.body, empty={})
            if not isinstance(body, dict):
                raise api_error(400, "InvalidObject", "The search body must be a JSON object")
            return Listing(self.base_url, request, path).answer(store, route, {**body, **paging(request.query)})
        if route.kind == "count":
            return count(store, route, request.query)
        if route.kind == "collection":  # POST
            return items.create(store, route, request)
        return items.answer(store, request, route)


SYSTEM_INFO = {
    "version": "v2025.1.12345",
    "isCloud": False,
    "serverTimeZone": "Eastern Standard Time",
    "licenseBits": [],
    "cloudRegion": "NA",
}
