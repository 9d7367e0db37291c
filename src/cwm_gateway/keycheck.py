"""Check a set of ConnectWise keys: ``GET /system/info``, and what its answer means, in the user's words.

``setup`` (before it stores anything), ``doctor`` (the live check) and the server (its 401
wording) all say the same thing for the same answer. The request goes through the gateway's
own client, so the check sends exactly the headers a real call sends, to the same origin only.
"""

from __future__ import annotations

import enum
import json
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from .api_url import EXAMPLE
from .credentials import Settings

CLIENT_ID_HELP = (
    "The client ID is a GUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6, from developer.connectwise.com "
    "(Client IDs); it is not the company ID."
)
REJECTED_KEYS = (
    "ConnectWise rejected the keys (401). The username is CONNECTWISE_COMPANY_ID + '+' + CONNECTWISE_PUBLIC_KEY "
    "(or CONNECTWISE_AUTH_PREFIX + public key) and the password is CONNECTWISE_PRIVATE_KEY: check the company ID, "
    "public key and private key (values are not shown)."
)
PROBE = "/system/info"


class Outcome(enum.Enum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # 401: the company ID, public key or private key is wrong
    BAD_CLIENT_ID = "bad client id"  # 400 naming the clientId header
    FORBIDDEN = "forbidden"  # 403: the keys work, the API member's role does not allow this
    NOT_FOUND = "not found"  # 404: the API URL's base path is wrong
    OTHER_STATUS = "other status"
    TLS = "tls"  # the certificate or the TLS handshake failed
    UNREACHABLE = "unreachable"  # refused, unknown host, reset
    TIMEOUT = "timeout"
    NOT_CONFIGURED = "not configured"  # missing settings or an API URL keys may not go to


@dataclass(frozen=True)
class KeyCheck:
    outcome: Outcome
    message: str  # what the user reads; "" when accepted
    status: int | None = None  # ConnectWise's HTTP status, when it answered
    version: str = ""  # ConnectWise's version, when it accepted the keys
    elapsed_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.ACCEPTED


def check_keys(settings: Settings, api_version: str = "", timeout: float = 15.0) -> KeyCheck:
    """Send ``GET /system/info`` with ``settings`` and classify what happened. Never raises for ConnectWise."""
    from .client import ConnectWiseClient, ConnectWiseError, NotConfigured, UnsafeRequest

    started = time.perf_counter()
    try:
        client = ConnectWiseClient(settings, api_version, timeout=timeout)
    except (NotConfigured, UnsafeRequest) as exc:
        return KeyCheck(Outcome.NOT_CONFIGURED, str(exc))
    try:
        response = client.request("GET", PROBE)
    except ConnectWiseError as exc:
        return _failed(exc, client.origin)
    finally:
        client.close()
    elapsed = (time.perf_counter() - started) * 1000
    outcome, message = classify(response.status, response.body, f"{client.origin}{client.base_path}")
    version = _version(response.body) if outcome is Outcome.ACCEPTED else ""
    return KeyCheck(outcome, message, response.status, version, elapsed)


def classify(status: int, body: bytes, api_url: str) -> tuple[Outcome, str]:
    """What ConnectWise's answer to ``GET /system/info`` means, and what to tell the user."""
    if status == 200:
        return Outcome.ACCEPTED, ""
    if status == 401:
        return Outcome.REJECTED, REJECTED_KEYS
    if status == 400 and b"clientid" in body.lower():
        return Outcome.BAD_CLIENT_ID, f"ConnectWise refused the client ID (400). {CLIENT_ID_HELP}"
    if status == 403:
        return Outcome.FORBIDDEN, (
            f"ConnectWise accepted the keys but refused {PROBE} (403): check the API member's security role."
        )
    if status == 404:
        return Outcome.NOT_FOUND, (
            f"{api_url}{PROBE} answered 404: the API URL's base path looks wrong. It ends in "
            f"/{{codebase}}/apis/3.0, like {EXAMPLE}."
        )
    return Outcome.OTHER_STATUS, f"ConnectWise answered {status} to {PROBE}."


def _failed(exc: Exception, origin: str) -> KeyCheck:
    from .client import RequestTimeout

    reason = tls_failure(exc)
    if reason is not None:
        return KeyCheck(Outcome.TLS, tls_message(urlsplit(origin).netloc, reason))
    if isinstance(exc, RequestTimeout):
        return KeyCheck(Outcome.TIMEOUT, str(exc))
    return KeyCheck(Outcome.UNREACHABLE, f"ConnectWise could not be reached: {exc}")


def tls_failure(exc: BaseException) -> BaseException | None:
    """The TLS error behind ``exc``, if any.

    The client raises its own errors ``from None`` (a user should not read urllib3's traceback),
    which keeps the original as ``__context__``; urllib3 wraps it in ``.reason``.
    """
    import urllib3

    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, (ssl.SSLError, urllib3.exceptions.SSLError)):
            return current
        reason = getattr(current, "reason", None)
        pending += [current.__cause__, current.__context__, reason if isinstance(reason, BaseException) else None]
    return None


def tls_message(netloc: str, reason: BaseException) -> str:
    detail = reason.args[0] if reason.args else reason
    return (
        f"TLS error talking to {netloc}: {detail}. The site's certificate could not be verified or the address "
        "does not speak https; check the address (on-premise servers need a certificate your system trusts)."
    )


def unreachable_message(netloc: str, reason: BaseException) -> str:
    return f"Cannot reach {netloc}: {type(reason).__name__}. Check the site name and your network."


def _version(body: bytes) -> str:
    try:
        return str(json.loads(body).get("version") or "unknown")
    except (ValueError, AttributeError):
        return "unknown"
