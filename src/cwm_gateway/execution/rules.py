"""What may be sent: the write policy (read-only, CWM_WRITE_ALLOW, DELETE confirmed, CWM_CONFIRM_WRITES) and the body.

The body is checked against the definition (see ``checks``); a PATCH given as an object becomes
JSON Patch replace operations, in a new request with a note that says so.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from .. import checks
from ..catalog.store import Operation
from ..memory import SavedQuery
from ..results import ToolError
from .facts import Facts
from .policy import Policy
from .request import Request

PATCH_OPS = ("add", "replace", "remove", "copy", "move", "test")
WRITES_WITH_BODY = ("POST", "PUT", "PATCH")


def check_policy(
    request: Request, op: Operation, reads: bool, policy: Policy, confirm: bool, reads_only: bool = False
) -> None:
    """Refuse a write that read-only mode, the allow-list or the read-only tool forbids, and an unconfirmed DELETE.

    ``confirm``: the person accepted the question, or (a client that cannot ask) confirm=true was given.
    With CWM_CONFIRM_WRITES every write needs it, not only DELETE.
    """
    label = f"{request.method} {op.path}"
    if not reads and reads_only:
        raise ToolError(
            f"Refused {label}: get_api_data only reads (GET, and POST queries such as .../search), and this "
            "operation can change data. Nothing was sent. Use execute_api_call for writes.",
            operation=label,
        )
    if not reads:
        if policy.read_only:
            reason = policy.read_only_reason or "the gateway is in read-only mode (CWM_READ_ONLY=1)"
            raise ToolError(
                f"Refused {label}: {reason}, which allows GET "
                "and the POST queries that only read (such as POST /service/tickets/search)."
            )
        if policy.write_allow is not None and (request.method, op.path) not in policy.write_allow:
            problems = policy.write_allow_problems
            unused = f" Entries there that allow nothing: {'; '.join(problems)}." if problems else ""
            raise ToolError(
                f"Refused {label}: it is not in CWM_WRITE_ALLOW.{unused}",
                allowed=sorted(f"{m} {p}" for m, p in policy.write_allow),
            )
    if request.method == "DELETE" and not confirm:
        raise ToolError(
            f"DELETE {request.path} permanently removes the record. Ask the user, then call again with "
            "confirm=true to go ahead.",
            operation=label,
        )
    if policy.confirm_writes and not reads and not confirm:
        raise ToolError(
            f"{request.method} {request.path} changes data and CWM_CONFIRM_WRITES=1 asks for confirmation of every "
            "write. Ask the user, then call again with confirm=true to go ahead.",
            operation=label,
        )


class BodyMissing(ToolError):
    """A write without the body its operation requires. The memory step names a saved query that has one."""

    def __init__(self, method: str, template: str, required: list[str], saved: SavedQuery | None = None) -> None:
        needed = f" Required fields: {', '.join(required)}." if required else ""
        reuse = f" Saved query #{saved.id} ({saved.description}) has one: run_saved_query({saved.id})." if saved else ""
        super().__init__(
            f"{method} {template} needs a request body (data).{needed} "
            f"See get_api_endpoint_details for every field.{reuse} A saved body is never reused silently.",
            operation=f"{method} {template}",
        )
        self.method, self.template, self.required = method, template, required

    def naming(self, saved: SavedQuery | None) -> BodyMissing:
        return BodyMissing(self.method, self.template, self.required, saved)


def check_body(request: Request, op: Operation, facts: Facts) -> Request:
    """The body fits the method and the definition; returns the request as it will be sent."""
    if request.method in ("GET", "DELETE") and request.has_body:
        raise ToolError(
            f"{request.method} takes no body. Put filters in params, "
            "e.g. params={'conditions': \"status/name='Open'\"}."
        )
    if request.method not in WRITES_WITH_BODY:
        return request
    if not request.has_body:
        if op.has_body and op.request_required:
            raise BodyMissing(request.method, op.path, facts.required_fields(op))
        return request
    try:
        checks.check_plain(request.body, "data")  # saved bodies come this way too
    except checks.CheckError as exc:
        raise ToolError(f"{exc} Nothing was sent.", **exc.details) from None
    if request.method == "PATCH":
        body, note = patch_operations(request.body)
        check_patch_list(body)
        request = replace(request, body=body, notes=request.notes + ((note,) if note else ()))
    return request.warned(*check_fields_of_body(request, op, facts))


def patch_operations(body: Any) -> tuple[Any, str | None]:
    """A PATCH body as JSON Patch: an object becomes replace operations (and a note saying so)."""
    if not isinstance(body, dict):
        return body, None
    operations = [{"op": "replace", "path": key, "value": value} for key, value in body.items()]
    note = "data was an object; sent as JSON Patch replace operations for: " + ", ".join(
        item["path"] for item in operations
    )
    return operations, note


def check_patch_list(body: Any) -> None:
    """A non-empty list of ``{"op": ..., "path": ...}`` operations."""
    if not isinstance(body, list) or not body:
        raise ToolError(
            'PATCH takes a list of operations, e.g. [{"op": "replace", "path": "summary", "value": "New"}].'
        )
    for index, item in enumerate(body):
        if not isinstance(item, dict) or item.get("op") not in PATCH_OPS or not item.get("path"):
            raise ToolError(
                f"PATCH operation {index + 1} must look like "
                '{"op": "replace", "path": "status/id", "value": 5}; '
                f"op is one of {', '.join(PATCH_OPS)}."
            )


def check_fields_of_body(request: Request, op: Operation, facts: Facts) -> list[str]:
    """The body against the definition: field names, required fields, types, enums, maxLength; returns warnings."""
    lookup = facts.catalog.schema
    try:
        if request.method == "PATCH":
            resource = op.resource_schema
            return checks.check_patch(request.body, resource, lookup) if resource else []
        if op.request_schema:
            # Creating or replacing a record needs its required fields; a query's filter does not.
            require = request.method in ("POST", "PUT") and not facts.reads_only(op)
            return checks.check_body(request.body, json.loads(op.request_schema), lookup, require)
    except checks.CheckError as exc:
        raise ToolError(
            f"{request.method} {op.path}: {exc} Nothing was sent; get_api_endpoint_details"
            f"({op.path!r}, {request.method!r}) lists every field.",
            operation=f"{request.method} {op.path}",
            **exc.details,
        ) from None
    return []
