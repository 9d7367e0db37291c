"""Calling ConnectWise for the assistant: the entry points of the execution pipeline.

``execute`` (execute_api_call), ``read`` (get_api_data: writes refused), ``execute_raw``
(send_raw_api_request) and ``run_saved`` (run_saved_query) each read their arguments into a
``Request`` and run the same pipeline:

- ``request``: the Request value, read from arguments, a raw text or a saved query
- ``prepare``: the request stage, in order: ``route`` (path, placeholders, operation, method),
  ``rules`` (write policy, DELETE confirmed, the body and PATCH), ``query`` (parameters,
  conditions/orderBy/fields, URL length); ``facts`` holds what the catalog says, ``policy`` what may be sent
- ``send``: the client, one request or every page; ``paging``: Link headers and where next_page resumes
- ``answer``: the result and its words; ``failure``: ConnectWise's errors in words
- ``remember``: the fast-memory steps (saved params reused, uses counted, save hints);
  ``pipeline``: the stages in order, with the audit trail
- ``confirm``: which calls ask the person and the words of the question (``current``: the record
  read just before); ``dry_run``: what would be sent, nothing sent

Each entry point has a ``question_*`` twin: the confirmation the person is asked before the call
runs (None: nobody needs asking). ``person`` is their Answer, once asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..catalog.store import Catalog
from ..credentials import Settings
from ..memory import MemoryStore, SavedQuery
from ..person import Answer
from ..results import Result, ToolError
from .facts import reads_only
from .paging import links as _links  # noqa: F401  (tests read Link parsing here)
from .pipeline import AuditRecord, Pipeline
from .policy import Policy, write_allow_report
from .request import (
    Options,
    Progress,
    Request,
    from_arguments,
    from_raw,
    from_saved,
    normalize_data,
    normalize_params,
)
from .send import ClientFactory

__all__ = [
    "Executor",
    "Options",
    "Policy",
    "Progress",
    "Request",
    "normalize_data",
    "normalize_params",
    "reads_only",
    "write_allow_report",
]


class Executor:
    """The four ways into the pipeline; each raises ToolError for what the assistant can fix."""

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
        progress: Progress | None = None,
        dry_run: bool = False,
        person: Answer | None = None,
    ) -> Result:
        request = from_arguments(path, method, params, data)
        # params={} means "no filters"; only params left out reuse the saved ones.
        options = Options(
            confirm,
            all_pages,
            max_items,
            include_info,
            reuse_saved=params is None,
            progress=progress,
            dry_run=dry_run,
            answer=person,
        )
        return self.pipeline.run(request, options)

    def read(
        self,
        path: str,
        params: Any = None,
        data: Any = None,
        all_pages: bool = False,
        max_items: int = 1000,
        fields: str | list[str] | None = None,
        include_info: bool = False,
        progress: Progress | None = None,
    ) -> Result:
        """get_api_data: a GET, or with ``data`` (or on a path with no GET) a POST query; writes are refused."""
        request = from_arguments(path, "GET" if data is None else "POST", params, data)
        if fields:
            listed = fields if isinstance(fields, str) else ",".join(fields)
            request = replace(
                request, query=(*((k, v) for k, v in request.query if k.lower() != "fields"), ("fields", listed))
            )
        options = Options(
            all_pages=all_pages,
            max_items=max_items,
            include_info=include_info,
            reuse_saved=params is None and not fields,
            reads_only=True,
            progress=progress,
        )
        return self.pipeline.run(request, options)

    def execute_raw(
        self, raw_request: str, confirm: bool = False, dry_run: bool = False, person: Answer | None = None
    ) -> Result:
        return self.pipeline.run(from_raw(raw_request), Options(confirm=confirm, dry_run=dry_run, answer=person))

    def run_saved(
        self,
        entry: SavedQuery,
        params: Any = None,
        data: Any = None,
        confirm: bool = False,
        dry_run: bool = False,
        person: Answer | None = None,
    ) -> Result:
        """A saved query, ``params`` overriding saved ones by name and ``data`` replacing the saved body."""
        options = Options(confirm=confirm, dry_run=dry_run, answer=person)
        return self.pipeline.run(from_saved(entry, params, data), options)

    def question_execute(
        self, path: str, method: str = "GET", params: Any = None, data: Any = None, dry_run: bool = False, **_: Any
    ) -> str | None:
        return self._question(lambda: from_arguments(path, method, params, data), dry_run)

    def question_raw(self, raw_request: str, dry_run: bool = False, **_: Any) -> str | None:
        return self._question(lambda: from_raw(raw_request), dry_run)

    def question_saved(
        self, entry: SavedQuery, params: Any = None, data: Any = None, dry_run: bool = False
    ) -> str | None:
        return self._question(lambda: from_saved(entry, params, data), dry_run)

    def _question(self, read: Callable[[], Request], dry_run: bool) -> str | None:
        """The question for the request ``read`` gives; a dry run or unreadable arguments ask nothing."""
        if dry_run:
            return None
        try:
            return self.pipeline.question(read())
        except ToolError:  # the call itself says what is wrong with its arguments
            return None
