"""Calling ConnectWise for the assistant: the entry points of the execution pipeline.

``execute`` (execute_api_call), ``execute_raw`` (send_raw_api_request) and ``run_saved``
(run_saved_query) each read their arguments into a ``Request`` and run the same pipeline:

- ``request``: the Request value, read from arguments, a raw text or a saved query
- ``prepare``: the request stage, in order: ``route`` (path, placeholders, operation, method),
  ``rules`` (write policy, DELETE confirmed, the body and PATCH), ``query`` (parameters,
  conditions/orderBy/fields, URL length); ``facts`` holds what the catalog says, ``policy`` what may be sent
- ``send``: the client, one request or every page; ``paging``: Link headers and where next_page resumes
- ``answer``: the result and its words; ``failure``: ConnectWise's errors in words
- ``remember``: the fast-memory steps (saved params reused, uses counted, save hints);
  ``pipeline``: the stages in order, with the audit trail
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..catalog.store import Catalog
from ..credentials import Settings
from ..memory import MemoryStore, SavedQuery
from ..results import Result
from .facts import reads_only
from .paging import links as _links  # noqa: F401  (tests read Link parsing here)
from .pipeline import AuditRecord, Pipeline
from .policy import Policy, write_allow_report
from .request import Options, Request, from_arguments, from_raw, from_saved, normalize_data, normalize_params
from .send import ClientFactory

__all__ = [
    "Executor",
    "Options",
    "Policy",
    "Request",
    "normalize_data",
    "normalize_params",
    "reads_only",
    "write_allow_report",
]


class Executor:
    """The three ways into the pipeline; each raises ToolError for what the assistant can fix."""

    def __init__(
        self,
        catalog: Catalog,
        settings: Callable[[], Settings],
        policy: Policy | None = None,
        client_factory: ClientFactory | None = None,
        memory: MemoryStore | None = None,
        audit: AuditRecord | None = None,
    ) -> None:
        self.pipeline = Pipeline(catalog, settings, policy or Policy.from_env(), client_factory, memory, audit)

    @property
    def policy(self) -> Policy:
        return self.pipeline.policy

    def execute(
        self,
        path: str,
        method: str = "GET",
        params: Any = None,
        data: Any = None,
        confirm: bool = False,
        all_pages: bool = False,
        max_items: int = 1000,
        include_info: bool = False,
    ) -> Result:
        request = from_arguments(path, method, params, data)
        # params={} means "no filters"; only params left out reuse the saved ones.
        options = Options(confirm, all_pages, max_items, include_info, reuse_saved=params is None)
        return self.pipeline.run(request, options)

    def execute_raw(self, raw_request: str, confirm: bool = False) -> Result:
        return self.pipeline.run(from_raw(raw_request), Options(confirm=confirm))

    def run_saved(self, entry: SavedQuery, params: Any = None, data: Any = None, confirm: bool = False) -> Result:
        """A saved query, ``params`` overriding saved ones by name and ``data`` replacing the saved body."""
        return self.pipeline.run(from_saved(entry, params, data), Options(confirm=confirm))
