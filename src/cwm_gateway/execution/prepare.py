"""The request stage: every check, in order, before anything is sent and before credentials load.

Pure functions over the catalog and the policy: no network, no keyring, no fast memory. Each
returns a new request (placeholders filled, a PATCH object made operations, a long GET made its
POST .../search) or raises ToolError saying what is wrong and what to do.
"""

from __future__ import annotations

from dataclasses import replace

from ..results import ToolError
from .facts import Facts
from .policy import Policy
from .query import check_query
from .request import Options, Request
from .route import route
from .rules import check_body, check_policy

MAX_ITEMS = 100_000  # all_pages collects at most this many, whatever max_items says


def check_options(options: Options) -> Options:
    """max_items in range (capped at MAX_ITEMS)."""
    if options.max_items < 1:
        raise ToolError("max_items must be at least 1 (it caps how many records all_pages collects).")
    return replace(options, max_items=min(int(options.max_items), MAX_ITEMS))


def prepare(request: Request, facts: Facts, policy: Policy, confirm: bool) -> Request:
    """The request as it will be sent: routed, allowed, its body and query checked."""
    request = route(request, facts.catalog)
    op = request.op
    assert op is not None  # route() found it
    check_policy(request, op, facts.reads_only(op), policy, confirm)
    request = check_body(request, op, facts)
    return check_query(request, facts)
