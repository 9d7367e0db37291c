"""The send stage: the client (made on the first call), one request or every page of a list, statuses.

Retries, backoff, the deadline and the byte limit are the client's (``client.py``); here a status
that is not 2xx becomes an ``ApiError`` and an empty answer to a read is never "no records".
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import logs
from ..api_url import without_userinfo
from ..client import ApiError, ConnectionFailed, ConnectWiseClient, Response, parse_retry_after
from ..credentials import Settings
from ..shaping import TooDeep, compact, connectwise_error, parse_json
from .facts import Facts
from .paging import Pairs, Trail, next_query, onward, query_key
from .policy import Policy
from .request import Progress, Request

MAX_PAGES = 10_000
ClientFactory = Callable[[Settings, str, Policy], ConnectWiseClient]


def new_client(settings: Settings, api_version: str, policy: Policy) -> ConnectWiseClient:
    return ConnectWiseClient(
        settings, api_version, timeout=policy.timeout, deadline=policy.deadline, max_bytes=policy.max_bytes
    )


class Connection:
    """The one client of a server, made when the first call needs it (credentials load then, not before)."""

    def __init__(
        self, settings: Callable[[], Settings], api_version: str, policy: Policy, factory: ClientFactory | None = None
    ) -> None:
        self._settings = settings
        self._api_version = api_version
        self._policy = policy
        self._factory = factory or new_client
        self._client: ConnectWiseClient | None = None
        self._lock = threading.Lock()
        self.profile: str | None = None  # the settings profile, for the audit trail

    def client(self) -> ConnectWiseClient:
        with self._lock:
            if self._client is None:
                settings = self._settings()
                version = settings.get("api_version") or self._api_version
                self._client = self._factory(settings, version, self._policy)
                self.profile = settings.profile
            return self._client


@dataclass
class Sent:
    response: Response  # the last one
    items: list[Any] | None  # every record, when pages were followed
    trail: Trail  # the pages fetched

    @property
    def pages(self) -> int:
        return max(1, len(self.trail.pages)) if self.items is not None else 1


def send(
    client: ConnectWiseClient,
    request: Request,
    facts: Facts,
    all_pages: bool,
    max_items: int,
    progress: Progress | None = None,
) -> Sent:
    """Send the request; with ``all_pages``, follow rel="next" until ``max_items`` records.

    ``progress`` hears of each page as it arrives (the client's progress notifications, which
    also keep a long call from timing out in the client).
    """
    op = request.op
    assert op is not None  # the request stage found it
    reads = facts.reads_only(op)
    names = {k.lower() for k, _ in request.query}
    paging = all_pages and op.returns_list and reads
    forward_only = request.method == "GET" and (
        "pageid" in names or (paging and "orderby" not in names and "page" not in names and facts.supports_page_id(op))
    )
    headers = {"pagination-type": "forward-only"} if forward_only else {}
    response = _fetch(client, request, request.query, headers, reads)
    trail = Trail(forward_only)
    if not paging:
        return Sent(response, None, trail)
    items = _json_list(response)
    fetched = {query_key(request.query)}
    trail.add(request.query, len(items), onward(next_query(response), fetched))
    told(progress, trail, items)
    while trail.next_query is not None and len(items) < max_items and len(trail.pages) < MAX_PAGES:
        # The next page's query goes to the same configured origin and path: a Link that
        # names another host (an alias, an explicit :443) can neither redirect nor break paging.
        query = trail.next_query
        fetched.add(query_key(query))
        response = _fetch(client, request, query, headers, reads)
        batch = _json_list(response)
        items.extend(batch)
        trail.add(query, len(batch), onward(next_query(response), fetched) if batch else None)
        told(progress, trail, items)
    return Sent(response, items, trail)


def told(progress: Progress | None, trail: Trail, items: list[Any]) -> None:
    """One progress event per page: the pages so far (always rising) and the records they hold."""
    if progress is not None:
        pages = len(trail.pages)
        progress(pages, f"page {pages}: {len(items)} records so far")


def _fetch(client: ConnectWiseClient, request: Request, query: Pairs, headers: dict[str, str], reads: bool) -> Response:
    body = request.body if request.has_body else None
    response = client.request(request.method, request.path, list(query), body, headers)
    raise_for_status(response)
    if reads and response.status != 204 and request.method != "HEAD" and not response.body.strip():
        # An empty answer to a read is never "no records" (that is []): it was lost or cut off.
        raise ConnectionFailed(
            f"ConnectWise answered {response.status} to {request.method} {request.path} with an empty body: the "
            "answer was lost or cut off on the way. Nothing was shown; try again."
        )
    return response


def raise_for_status(response: Response) -> None:
    """ApiError for anything but 2xx: a redirect (never followed) or ConnectWise's error, secrets redacted."""
    status = response.status
    if 200 <= status < 300:
        return
    if 300 <= status < 400:
        target = logs.redact(without_userinfo(response.header("location") or "another address"))[:300]
        raise ApiError(
            status,
            f"ConnectWise answered with a redirect to {target}; it was not followed, so no credentials "
            "went there. Check CONNECTWISE_API_URL (cloud sites use the api- host).",
            attempts=response.attempts,
        )
    code, message, errors = connectwise_error(response.body, response.header("content-type"))
    retry_after = parse_retry_after(response.header("retry-after"))
    # An error body may echo our own request, Authorization and clientId headers included.
    code, errors = (logs.redact(code) if code else None), _redacted(errors)
    raise ApiError(status, logs.redact(message), code, errors, retry_after, response.attempts)


def _redacted(value: Any) -> Any:
    """``value`` (parsed from ConnectWise) with our own secrets replaced by ``***``, wherever they are."""
    text = compact(value)
    redacted = logs.redact(text)
    return value if redacted == text else json.loads(redacted)


def json_body(response: Response) -> Any:
    """The answer's JSON (None for an empty body); ValueError when unreadable, TooDeep when too deep."""
    if not response.body.strip():
        return None
    return parse_json(response.body)


def _json_list(response: Response) -> list[Any]:
    try:
        payload = json_body(response)
    except TooDeep as exc:
        raise ConnectionFailed(f"ConnectWise sent a page in which {exc}; stopped paging.") from None
    except ValueError:
        raise ConnectionFailed(
            "ConnectWise sent a page that is not readable JSON (cut off?); stopped paging."
        ) from None
    if isinstance(payload, list):
        return payload
    raise ConnectionFailed("Expected a list of records while paging, got something else; stopped paging.")
