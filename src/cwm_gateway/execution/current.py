"""The record a write targets, as ConnectWise has it now: read (GET) just before a person confirms the
write or a dry run shows it. A failure to read it is reported, never fatal: the write itself decides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..client import ConnectWiseClient, ConnectWiseError
from ..shaping import TooDeep, strip_info
from .facts import Facts
from .request import Request
from .send import json_body, raise_for_status

ONE_RECORD = ("DELETE", "PATCH", "PUT")  # the methods whose path names the record they change


@dataclass(frozen=True)
class Current:
    """The record as read (``record``), or why it could not be read (``problem``)."""

    record: dict[str, Any] | None = None
    problem: str | None = None


def names_one_record(request: Request, facts: Facts) -> bool:
    """A DELETE, PATCH or PUT of one record (``/service/tickets/{id}``) that a GET of the same path reads."""
    op = request.op
    if op is None or request.method not in ONE_RECORD or not op.path.endswith("}"):
        return False
    match = facts.catalog.resolve(request.path)
    return match is not None and match.method("GET") is not None


def read_current(client: ConnectWiseClient, request: Request, facts: Facts) -> Current | None:
    """The record ``request`` changes, as it is now; None when the request names no single record."""
    if not names_one_record(request, facts):
        return None
    try:
        response = client.request("GET", request.path)
        raise_for_status(response)
        payload = json_body(response)
    except ConnectWiseError as exc:  # an ApiError (404 ...), a timeout, a lost connection
        return Current(problem=str(exc))
    except (TooDeep, ValueError):
        return Current(problem="ConnectWise's answer was not readable JSON")
    if not isinstance(payload, dict):
        return Current(problem="ConnectWise's answer was not one record")
    return Current(record=strip_info(payload))
