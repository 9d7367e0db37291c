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
    """max_items from 1 to MAX_ITEMS (the tools' schemas publish the range too)."""
    if not 1 <= options.max_items <= MAX_ITEMS:
        raise ToolError(
            f"max_items must be from 1 to {MAX_ITEMS:,} (got {options.max_items}); it caps how many records "
            "all_pages collects.",
            allowed_range=[1, MAX_ITEMS],
        )
    return replace(options, max_items=int(options.max_items))


def prepare(request: Request, facts: Facts, policy: Policy, confirm: bool, reads_only: bool = False) -> Request:
    """The request as it will be sent: routed, allowed, its body and query checked."""
    request = route(request, facts.catalog, reads_only)
    op = request.op
    assert op is not None  # route() found it
    check_policy(request, op, facts.reads_only(op), policy, confirm, reads_only)
    request = check_body(request, op, facts)
    return check_query(request, facts)
