"""The HTTP client for ConnectWise Manage: one pooled urllib3 PoolManager, safe by construction.

- Requests go only to the configured origin and under its API base path; paths that
  could escape it (``//``, ``@``, ``..``, encoded dots, backslashes, control
  characters, absolute URLs) are refused before anything is sent.
- Redirects are never followed, so credentials never travel to another address.
- Retries only where they cannot duplicate work: GET/HEAD on 429 (honouring a capped
  Retry-After), 502/503/504 and connection errors, with backoff and jitter. Writes are
  re-sent only when no connection could be opened at all.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    ResponseError,
)
from urllib3.util.retry import Retry

from . import __version__, logs
from .credentials import Settings

log = logging.getLogger(__name__)

USER_AGENT = f"cwm-gateway/{__version__} (+https://github.com/cwm-gateway)"
READ_METHODS = frozenset({"GET", "HEAD"})
MAX_RETRY_AFTER = 10.0  # seconds; a longer wait is reported to the caller instead
_UNSAFE_PATH = re.compile(r"//|\\|@|#|\?|%2e|%2f|%5c|%00|[\x00-\x20\x7f]|(^|/)\.\.?(/|$)", re.IGNORECASE)
_QUERY_SAFE = "/:,'()*!"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


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


@dataclass
class ApiError(ConnectWiseError):
    """ConnectWise answered with an error status."""

    status: int
    message: str
    code: str | None = None
    errors: list[Any] = field(default_factory=list)
    retry_after: float | None = None

    def __str__(self) -> str:
        return f"ConnectWise returned {self.status}: {self.message}"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str
    elapsed_ms: float

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class _CappedRetry(Retry):
    """urllib3's Retry, but a long Retry-After goes back to the caller instead of being slept through."""

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Retry:
        if response is not None:
            wait = self.get_retry_after(response)
            if wait is not None and wait > MAX_RETRY_AFTER:
                # With raise_on_status=False, urllib3 hands this response back as the answer.
                raise MaxRetryError(_pool, url or "", ResponseError(f"Retry-After of {wait:g} s"))
        return super().increment(method, url, response, error, _pool, _stacktrace)


def _retry_for(method: str) -> Retry:
    # Retry objects are immutable (urllib3 copies them on every increment), so two serve all calls.
    return _READ_RETRY if method in READ_METHODS else _WRITE_RETRY


def _make_retry(method: str) -> Retry:
    if method in READ_METHODS:
        return _CappedRetry(
            total=3,
            connect=2,
            read=1,
            status=3,
            other=0,
            redirect=0,
            raise_on_redirect=False,
            raise_on_status=False,
            status_forcelist=(429, 502, 503, 504),
            allowed_methods=READ_METHODS,
            backoff_factor=0.25,
            backoff_jitter=0.25,
            backoff_max=4.0,
            respect_retry_after_header=True,
        )
    # A write that may have reached ConnectWise is never re-sent: a second POST can
    # create a second ticket. Only a connection that never opened is tried again.
    return _CappedRetry(total=1, connect=1, read=0, status=0, other=0, redirect=0, raise_on_redirect=False)


_READ_RETRY = _make_retry("GET")
_WRITE_RETRY = _make_retry("POST")


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


class ConnectWiseClient:
    def __init__(
        self,
        settings: Settings,
        api_version: str,
        timeout: float = 30.0,
        pool_size: int = 8,
    ) -> None:
        missing = settings.missing()
        if missing:
            raise NotConfigured(
                "ConnectWise credentials are not set up (missing: " + ", ".join(missing) + "). "
                "Run 'cwm-gateway setup' once to store them in the OS keyring, or set those environment variables."
            )
        api_url = (settings.api_url or "").rstrip("/")
        parts = urlsplit(api_url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise NotConfigured(f"CONNECTWISE_API_URL must be an https:// URL (got {api_url!r}).")
        if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
            raise NotConfigured("CONNECTWISE_API_URL must use https:// (plain http is allowed only for 127.0.0.1).")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.base_path = parts.path.rstrip("/")
        self._host = (parts.hostname or "").lower()
        self._port = parts.port
        self._scheme = parts.scheme
        client_id, note = settings.client_id()
        if note:
            log.info(note)
        private_key = settings.get("private_key") or ""
        logs.register_secret(private_key)
        token = base64.b64encode(f"{settings.username()}:{private_key}".encode()).decode()
        logs.register_secret(token)
        self._headers = {
            "Authorization": f"Basic {token}",
            "clientId": client_id or "",
            "Accept": f"application/vnd.connectwise.com+json; version={api_version}"
            if api_version
            else "application/json",
            "User-Agent": USER_AGENT,
        }
        self.timeout = timeout
        self._pool = urllib3.PoolManager(
            num_pools=2,
            maxsize=pool_size,
            block=False,
            timeout=urllib3.Timeout(connect=min(10.0, timeout), read=timeout),
            retries=False,
        )

    def url_for(self, path: str, query: list[tuple[str, str]] | None = None) -> str:
        check_path(path)
        url = f"{self.origin}{self.base_path}{path}"
        if query:
            url += "?" + encode_query(query)
        self._check_url(url)
        return url

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
        try:
            raw = self._pool.urlopen(
                method,
                url,
                body=payload,
                headers=request_headers,
                retries=_retry_for(method),
                redirect=False,
                preload_content=True,
            )
        except MaxRetryError as exc:
            raise self._transport_error(exc.reason, method) from None
        except (HTTPError, OSError) as exc:
            raise self._transport_error(exc, method) from None
        elapsed = (time.perf_counter() - started) * 1000
        response = Response(raw.status, {k.lower(): v for k, v in raw.headers.items()}, raw.data or b"", url, elapsed)
        log.info("%s %s -> %s (%.0f ms)", method, urlsplit(url).path, raw.status, elapsed)
        return response

    def _transport_error(self, reason: BaseException | None, method: str) -> ConnectWiseError:
        # NewConnectionError and NameResolutionError subclass ConnectTimeoutError: test them first.
        if isinstance(reason, NameResolutionError):
            return ConnectionFailed(f"Could not resolve {self._host}: check CONNECTWISE_API_URL and the network.")
        if isinstance(reason, NewConnectionError):
            return ConnectionFailed(f"Could not connect to {self.origin}: the server refused or is unreachable.")
        if isinstance(reason, (ConnectTimeoutError, ReadTimeoutError)) or "timed out" in str(reason).lower():
            if method in READ_METHODS:
                hint = " It was tried twice."
            else:
                hint = " It was not retried: check in ConnectWise whether it took effect."
            return RequestTimeout(f"ConnectWise did not answer within {self.timeout:g} s (CWM_TIMEOUT).{hint}")
        if isinstance(reason, ProtocolError):
            hint = "" if method in READ_METHODS else " It was not retried: check in ConnectWise whether it took effect."
            return ConnectionFailed(f"The connection to {self.origin} was reset or the answer was cut off.{hint}")
        return ConnectionFailed(f"Request to {self.origin} failed: {type(reason).__name__}.")

    def close(self) -> None:
        self._pool.clear()
