"""The HTTP client for ConnectWise Manage: one pooled urllib3 PoolManager, safe by construction.

- Requests go only to the configured origin and under its API base path; paths that
  could escape it (``//``, ``@``, ``..``, encoded dots, backslashes, control
  characters, absolute URLs) are refused before anything is sent.
- Redirects are never followed, so credentials never travel to another address.
- Retries only where they cannot duplicate work: GET/HEAD on 429 (honouring a capped
  Retry-After), 502/503/504 and connection errors, with backoff and jitter. Writes are
  re-sent only when no connection could be opened at all.
- Every call has a deadline (``CWM_DEADLINE``, retries and waits included); the body is
  streamed, must arrive within ``CWM_TIMEOUT`` and may not pass ``CWM_MAX_RESPONSE_BYTES``
  once decompressed. The caller passes these values (``execution.Policy``); the clock and the
  sleep between attempts can be replaced, so tests of backoff need not wait.
- Every credential is registered with ``logs`` so that no log line or result can show it.
"""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    IncompleteRead,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    ResponseError,
)
from urllib3.util.retry import Retry

from . import __version__, logs
from .api_url import ApiUrlError, check_api_url
from .credentials import Settings

log = logging.getLogger(__name__)

USER_AGENT = f"cwm-gateway/{__version__} (+https://github.com/cwm-gateway)"
READ_METHODS = frozenset({"GET", "HEAD"})
MAX_RETRY_AFTER = 10.0  # seconds; a longer wait is reported to the caller instead
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
_CHUNK = 1024 * 1024  # at most this much is decompressed at a time
_SMALL_BODY = 64 * 1024  # a retried answer this small is drained to keep its connection; a larger one is dropped
_MIN_ATTEMPT = 0.05  # seconds an attempt needs at least; a retry with less left is not started
_UNSAFE_PATH = re.compile(r"//|\\|@|#|\?|%2e|%2f|%5c|%00|[\x00-\x20\x7f]|(^|/)\.\.?(/|$)", re.IGNORECASE)
_QUERY_SAFE = "/:,'()*!"


class ConnectWiseError(Exception):
    """Base class: something stopped a ConnectWise call. ``str()`` is safe to show a user."""


class NotConfigured(ConnectWiseError):
    """Credentials or the API URL are missing."""


class UnsafeRequest(ConnectWiseError):
    """Refused before sending: it would leave the configured API or break a safety rule."""


class RequestTimeout(ConnectWiseError):
    """ConnectWise did not answer in time."""


class ConnectionFailed(ConnectWiseError):
    """No usable connection: refused, reset, or the answer was cut off."""


class ResponseTooLarge(ConnectWiseError):
    """The answer (once decompressed) is larger than CWM_MAX_RESPONSE_BYTES; nothing of it was kept."""


@dataclass
class ApiError(ConnectWiseError):
    """ConnectWise answered with an error status."""

    status: int
    message: str
    code: str | None = None
    errors: list[Any] = field(default_factory=list)
    retry_after: float | None = None
    attempts: int = 1  # how many times the request was sent

    def __str__(self) -> str:
        return f"ConnectWise returned {self.status}: {self.message}"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str
    elapsed_ms: float
    attempts: int = 1  # how many times the request was sent

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number (``1.5`` too) or an HTTP date.

    None when the header is absent or unusable (``nan``, ``-1``, ``inf``, garbage): such a
    header is ignored rather than turned into an error or a wait of "nan s".
    """
    text = (value or "").strip()
    if not text or len(text) > 64:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
    return seconds + 0.0 if math.isfinite(seconds) and seconds >= 0 else None  # + 0.0: "-0" is 0, not -0


class _Call(threading.local):
    """The deadline (time.monotonic) of the call this thread is sending; urllib3 runs it on this thread."""

    deadline: float = math.inf


_CALL = _Call()


Clock = Callable[[], float]
Sleep = Callable[[float], None]


def _sleep(seconds: float) -> None:
    time.sleep(seconds)  # looked up at each call: tests replace this module's clock, not the defaults


def _now() -> float:
    return time.monotonic()


class _Retry(Retry):
    """urllib3's Retry, plus: the call's deadline, a lenient Retry-After, a long wait reported not slept,
    and a clock and a sleep that tests can replace (kept by every copy urllib3 makes with ``new``)."""

    def __init__(self, *args: Any, sleep: Sleep = _sleep, clock: Clock = _now, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sleeper, self.clock = sleep, clock

    def new(self, **kw: Any) -> _Retry:
        return super().new(sleep=self.sleeper, clock=self.clock, **kw)

    def get_retry_after(self, response: Any) -> float | None:
        return parse_retry_after(response.headers.get("Retry-After"))

    def sleep(self, response: Any = None) -> None:
        """Wait before the next attempt, as urllib3 does: the Retry-After asked for, else the backoff."""
        wait = self.get_retry_after(response) if self.respect_retry_after_header and response is not None else None
        wait = wait or self.get_backoff_time()
        if wait > 0:
            self.sleeper(wait)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Retry:
        try:
            if response is not None:
                wait = self.get_retry_after(response)
                if wait is not None and wait > MAX_RETRY_AFTER:
                    # With raise_on_status=False, urllib3 hands this response back as the answer.
                    raise MaxRetryError(_pool, url or "", ResponseError(f"Retry-After of {wait:g} s"))
            fresh = super().increment(method, url, response, error, _pool, _stacktrace)
            if self.clock() + _planned_wait(fresh, response) + _MIN_ATTEMPT > _CALL.deadline:
                raise MaxRetryError(_pool, url or "", error or ResponseError("no time left before the deadline"))
        except Exception as exc:
            exc.cwm_attempts = len(self.history) + 1  # type: ignore[attr-defined]
            raise
        if response is not None:
            _discard_unless_small(response)
        return fresh


def _planned_wait(retry: Retry, response: Any) -> float:
    """The longest urllib3 will sleep before the next attempt (its backoff has random jitter)."""
    if response is not None and retry.respect_retry_after_header:
        wait = retry.get_retry_after(response)
        if wait:
            return wait
    tries = len(retry.history)
    if tries <= 1:
        return 0.0
    return min(retry.backoff_max, retry.backoff_factor * 2 ** (tries - 1) + retry.backoff_jitter)


def _discard_unless_small(response: Any) -> None:
    """urllib3 drains a retried answer to reuse its connection; a large one is cheaper to drop."""
    length = _content_length(response.headers)
    if length is None or length > _SMALL_BODY:
        response.close()


def _content_length(headers: Mapping[str, str], name: str = "Content-Length") -> int | None:
    try:
        return int(headers.get(name, ""))
    except ValueError:
        return None


class _DeadlineTimeout(urllib3.Timeout):
    """Connect and read timeouts that never reach past the call's deadline.

    urllib3 clones the timeout at the start of every attempt, so each retry gets only what is left.
    """

    def __init__(self, connect: float, read: float, clock: Clock = _now) -> None:
        super().__init__(connect=connect, read=read)
        self._seconds = (connect, read)
        self._clock = clock

    def clone(self) -> urllib3.Timeout:
        connect, read = self._seconds
        left = _CALL.deadline - self._clock()
        if left >= connect and left >= read:  # the usual case: the deadline is further than any wait
            return urllib3.Timeout(connect=connect, read=read)
        left = max(0.01, left)
        return urllib3.Timeout(connect=min(connect, left), read=min(read, left))


# Every knob of the retry policies is written down: urllib3's defaults (allowed_methods includes
# PUT and DELETE, raise_on_status=True) would turn a write's 429 into a transport error.
_NOT_FORWARDED = frozenset({"authorization", "clientid", "cookie", "proxy-authorization"})


def retry_policy(method: str, sleep: Sleep = _sleep, clock: Clock = _now) -> _Retry:
    """How a request with ``method`` is retried: reads on 429/502/503/504 and lost connections, writes not."""
    if method.upper() in READ_METHODS:
        return _Retry(
            total=3,
            connect=2,
            read=1,
            redirect=0,
            status=3,
            other=0,
            allowed_methods=READ_METHODS,
            status_forcelist=frozenset({429, 502, 503, 504}),
            backoff_factor=0.25,
            backoff_max=4.0,
            raise_on_redirect=False,
            raise_on_status=False,
            respect_retry_after_header=True,
            remove_headers_on_redirect=_NOT_FORWARDED,
            backoff_jitter=0.25,
            sleep=sleep,
            clock=clock,
        )
    # A write that may have reached ConnectWise is never re-sent: a second POST can create a
    # second ticket. Only a connection that never opened is tried again. allowed_methods names
    # the reads only (an empty collection would mean "every verb"), so no status or read error
    # of a write is retried, and the answer, whatever its status, comes back as it is.
    return _Retry(
        total=1,
        connect=1,
        read=0,
        redirect=0,
        status=0,
        other=0,
        allowed_methods=READ_METHODS,
        status_forcelist=frozenset(),
        backoff_factor=0.0,
        backoff_max=0.0,
        raise_on_redirect=False,
        raise_on_status=False,
        respect_retry_after_header=False,
        remove_headers_on_redirect=_NOT_FORWARDED,
        backoff_jitter=0.0,
        sleep=sleep,
        clock=clock,
    )


def _effective_port(scheme: str, port: int | None) -> int:
    return port if port is not None else (443 if scheme == "https" else 80)


def check_path(path: str, relative: bool = True) -> None:
    """Refuse any path that could leave the API base path or the configured host.

    ``relative`` paths are what a caller gives (``/service/tickets``); the full path of a
    built URL legitimately contains the base (``/v4_6_release/apis/3.0/...``).
    """
    if not path.startswith("/"):
        raise UnsafeRequest(f"The path must start with '/', like /service/tickets (got {path[:60]!r}).")
    if relative and "/apis/" in path.lower():
        raise UnsafeRequest("Give the path after the API base (like /service/tickets), not one with /apis/ in it.")
    if "://" in path or _UNSAFE_PATH.search(path):
        raise UnsafeRequest(
            "Refused: the path contains characters or sequences that could reach outside the ConnectWise API "
            "('//', '@', '..', encoded dots or slashes, backslashes, spaces or control characters). "
            "Give a plain API path such as /service/tickets/123."
        )


def encode_query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe=_QUERY_SAFE)}" for k, v in pairs)


def api_url_parts(settings: Settings) -> SplitResult:
    """The configured API URL, refused (NotConfigured) unless keys may be sent there (``api_url``'s rules)."""
    missing = settings.missing()
    if missing:
        raise NotConfigured(
            "ConnectWise credentials are not set up (missing: " + ", ".join(missing) + "). "
            "Run 'cwm-gateway setup' once to store them in the OS keyring, or set those environment variables."
        )
    try:
        # Any base path: a mock server (Prism) serves the API at its root; ConnectWise's 404 says the rest.
        return urlsplit(check_api_url(settings.api_url or "", base_path=False))
    except ApiUrlError as exc:
        raise NotConfigured(str(exc)) from None


def _request_headers(settings: Settings, api_version: str) -> dict[str, str]:
    """The headers every request carries; each credential in them is registered as a secret to redact."""
    client_id, note = settings.client_id()
    if note:
        log.info(note)
    client_id = (client_id or "").strip()  # a pasted value often ends in a line break
    _check_header_value(client_id, "CONNECTWISE_CLIENT_ID")
    _check_header_value(api_version or "", "CONNECTWISE_API_VERSION")
    return {
        "Authorization": f"Basic {_register_credentials(settings, client_id)}",
        "clientId": client_id,
        "Accept": f"application/vnd.connectwise.com+json; version={api_version}" if api_version else "application/json",
        "User-Agent": USER_AGENT,
    }


class ConnectWiseClient:
    def __init__(
        self,
        settings: Settings,
        api_version: str,
        timeout: float = 30.0,
        pool_size: int = 16,  # the server's pool of threads for ConnectWise calls (server.REMOTE_POOL)
        deadline: float | None = None,  # seconds for a whole call, retries and waits included; None: 2 x timeout
        max_bytes: int | None = None,  # of one answer, once decompressed; None: DEFAULT_MAX_RESPONSE_BYTES
        sleep: Sleep = _sleep,  # between attempts (tests pass one that does not wait)
        clock: Clock = _now,
    ) -> None:
        parts = api_url_parts(settings)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.base_path = parts.path.rstrip("/")
        self._host = (parts.hostname or "").lower()
        self._port = parts.port
        self._scheme = parts.scheme
        self._headers = _request_headers(settings, api_version)
        self.timeout = timeout
        self.deadline = deadline if deadline is not None else 2 * timeout
        self.max_bytes = int(max_bytes if max_bytes is not None else DEFAULT_MAX_RESPONSE_BYTES)
        self._clock = clock
        self._retries = {"read": retry_policy("GET", sleep, clock), "write": retry_policy("POST", sleep, clock)}
        self._timeout = _DeadlineTimeout(connect=min(10.0, timeout), read=timeout, clock=clock)
        self._pool = urllib3.PoolManager(
            num_pools=2, maxsize=pool_size, block=False, timeout=self._timeout, retries=False
        )

    def url_for(self, path: str, query: list[tuple[str, str]] | None = None) -> str:
        check_path(path)
        url = f"{self.origin}{self.base_path}{path}"
        if query:
            url += "?" + encode_query(query)
        self._check_url(url)
        return url

    def shown_headers(self, with_body: bool = False) -> dict[str, str]:
        """The headers a request carries, for a dry run: Authorization hidden, clientId only said to be there."""
        shown = dict(self._headers)
        shown["Authorization"] = "Basic (hidden)"
        shown["clientId"] = "(present)" if self._headers.get("clientId") else "(missing)"
        if with_body:
            shown["Content-Type"] = "application/json"
        return shown

    def _check_url(self, url: str) -> None:
        parts = urlsplit(url)
        same_origin = (
            parts.scheme == self._scheme
            and (parts.hostname or "").lower() == self._host
            and _effective_port(parts.scheme, parts.port) == _effective_port(self._scheme, self._port)
        )
        if not same_origin or not (parts.path == self.base_path or parts.path.startswith(self.base_path + "/")):
            raise UnsafeRequest(f"Refused to send a request outside the configured ConnectWise API ({self.origin}).")
        check_path(parts.path, relative=False)

    def request(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        return self.send(method, self.url_for(path, query), body, headers)

    def send(self, method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> Response:
        method = method.upper()
        request_headers = dict(self._headers)
        payload = None
        if body is not None:
            payload = json.dumps(body, separators=(",", ":")).encode()
            request_headers["Content-Type"] = "application/json"
        request_headers.update(headers or {})
        started = time.perf_counter()
        deadline = _CALL.deadline = self._clock() + self.deadline
        attempts = 0
        while True:
            raw, sent = self._open(method, url, payload, request_headers, attempts)
            attempts += sent
            headers_out = {k.lower(): v for k, v in raw.headers.items()}
            try:
                data = self._read_body(raw, headers_out, min(deadline, self._clock() + self.timeout))
                break
            except (ProtocolError, IncompleteRead) as exc:
                # The answer was cut off: a read may be sent once more, as urllib3 does when headers are cut.
                self._discard(raw)
                if method not in READ_METHODS or attempts > sent or self._clock() + _MIN_ATTEMPT > deadline:
                    raise self._transport_error(exc, method, attempts, reading=True) from None
            except (HTTPError, OSError) as exc:
                self._discard(raw)
                raise self._transport_error(exc, method, attempts, reading=True) from None
            except ConnectWiseError:
                self._discard(raw)
                raise
        raw.release_conn()
        elapsed = (time.perf_counter() - started) * 1000
        response = Response(raw.status, headers_out, data, url, elapsed, attempts)
        log.info("%s %s -> %s (%.0f ms)", method, urlsplit(url).path, raw.status, elapsed)
        return response

    def _open(
        self, method: str, url: str, payload: bytes | None, headers: dict[str, str], earlier: int
    ) -> tuple[Any, int]:
        """Send the request, with urllib3's retries; (the answer, its body unread; how many times it was sent)."""
        try:
            raw = self._pool.urlopen(
                method,
                url,
                body=payload,
                headers=headers,
                retries=self._retries["read" if method in READ_METHODS else "write"],
                redirect=False,
                timeout=self._timeout,
                preload_content=False,
            )
        except MaxRetryError as exc:
            raise self._transport_error(exc.reason, method, earlier + getattr(exc, "cwm_attempts", 1)) from None
        except (HTTPError, OSError) as exc:
            raise self._transport_error(exc, method, earlier + getattr(exc, "cwm_attempts", 1)) from None
        return raw, len(raw.retries.history) + 1 if raw.retries is not None else 1

    @staticmethod
    def _discard(raw: Any) -> None:
        """Close an answer not read to its end: what is left of it must not be read as the next answer."""
        raw.close()
        raw.release_conn()

    def _read_body(self, raw: Any, headers: Mapping[str, str], until: float) -> bytes:
        """The whole body, decompressed, within ``until`` and ``max_bytes``; never more in memory."""
        limit = self.max_bytes
        length = _content_length(headers, "content-length")
        encoding = headers.get("content-encoding")
        encoded = encoding is not None and encoding.strip().lower() not in ("", "identity")
        if length is not None and length > limit and not encoded:
            raise self._too_large(raw.status, f"announces {length:,} bytes")
        chunks: list[bytes] = []
        size = 0
        while True:
            if chunks:  # the first read is already bounded by the socket's read timeout
                left = until - self._clock()
                if left <= 0:
                    raise RequestTimeout(
                        f"ConnectWise's answer did not arrive in full within {self.timeout:g} s (CWM_TIMEOUT); "
                        "it was sending too slowly. Ask for less (pageSize, fields=...) or try again later."
                    )
                _bound_next_read(raw, left)
            chunk = raw.read1(min(_CHUNK, limit + 1 - size))
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                raise self._too_large(raw.status, "passed that size" + (" once decompressed" if encoded else ""))
            chunks.append(chunk)
            if size == length and not encoded:  # all that was announced: no read to find the end
                return b"".join(chunks)

    def _too_large(self, status: int, how: str) -> ResponseTooLarge:
        return ResponseTooLarge(
            f"ConnectWise answered {status}, but its answer {how}, over the {self.max_bytes:,}-byte limit "
            "(CWM_MAX_RESPONSE_BYTES); nothing of it was kept. Ask for less: a smaller pageSize, fields=..., "
            "or narrower conditions."
        )

    def _transport_error(
        self, reason: BaseException | None, method: str, attempts: int = 1, reading: bool = False
    ) -> ConnectWiseError:
        tried = f" It was tried {attempts} times." if attempts > 1 else ""
        unsure = "" if method in READ_METHODS else " It was not retried: check in ConnectWise whether it took effect."
        # NewConnectionError and NameResolutionError subclass ConnectTimeoutError: test them first.
        if isinstance(reason, NameResolutionError):
            return ConnectionFailed(f"Could not resolve {self._host}: check CONNECTWISE_API_URL and the network.")
        if isinstance(reason, NewConnectionError):
            return ConnectionFailed(f"Could not connect to {self.origin}: the server refused or is unreachable.{tried}")
        if isinstance(reason, (ConnectTimeoutError, ReadTimeoutError)) or "timed out" in str(reason).lower():
            return RequestTimeout(
                f"ConnectWise did not answer within {self.timeout:g} s (CWM_TIMEOUT).{tried or unsure}"
                if not reading
                else f"ConnectWise stopped sending its answer for {self.timeout:g} s (CWM_TIMEOUT).{unsure}"
            )
        if isinstance(reason, (ProtocolError, IncompleteRead)):
            return ConnectionFailed(
                f"The connection to {self.origin} was reset or the answer was cut off.{tried}{unsure}"
            )
        return ConnectionFailed(f"Request to {self.origin} failed: {type(reason).__name__}.{tried}{unsure}")

    def close(self) -> None:
        self._pool.clear()


def _bound_next_read(raw: Any, left: float) -> None:
    """Let the next socket read wait no longer than the time left (a trickle must not outlive the deadline)."""
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(max(0.01, min(left, sock.gettimeout() or left)))


def _check_header_value(value: str, setting: str) -> None:
    """Refuse a value that cannot travel in a header, without echoing it (it may be a secret)."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise NotConfigured(
            f"{setting} contains a line break or another control character; set it again (the value is not shown)."
        )


def _register_credentials(settings: Settings, client_id: str | None) -> str:
    """Register every credential as a secret to redact, and return the Basic token."""
    private_key = settings.get("private_key") or ""
    username = settings.username()
    token = base64.b64encode(f"{username}:{private_key}".encode()).decode()
    # The key pair travels only inside the token, but an echo may spell out either half.
    for secret in (private_key, token, settings.get("public_key"), client_id):
        logs.register_secret(secret)
    return token
