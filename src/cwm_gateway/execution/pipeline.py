"""The pipeline every call goes through: request -> memory -> send -> audit -> answer -> memory.

Each stage raises ToolError for what the assistant can act on; ``server.run_tool`` turns it
into the isError result. Credentials load only after the request stage has passed.

Two turns off the way: a person's "no" (``options.answer`` declined) ends the call before any
check, and a dry run ends after the checks with what would be sent. ``question`` words the
confirmation a person is asked before the call runs (see ``protocol``).
"""

from __future__ import annotations

from collections.abc import Callable

from .. import audit as audit_trail
from ..catalog.store import Catalog
from ..client import ApiError, ConnectWiseClient, ConnectWiseError, UnsafeRequest
from ..credentials import Settings
from ..memory import MemoryStore
from ..results import Result, ToolError
from ..shaping import compact
from . import confirm, dry_run
from .answer import answer
from .current import read_current
from .facts import Facts
from .failure import api_error
from .policy import Policy
from .prepare import check_options, prepare
from .remember import after_success, name_saved_body, reuse_saved
from .request import Options, Request
from .rules import BodyMissing
from .send import ClientFactory, Connection, Sent, send

# audit.record's signature: (method, path, template, status, body_bytes, outcome, profile)
AuditRecord = Callable[[str, str, str, int | None, int, str, str | None], None]


class Pipeline:
    """The stages of a call and what they share: the catalog's facts, the policy, the client, the memory."""

    def __init__(
        self,
        catalog: Catalog,
        settings: Callable[[], Settings],
        policy: Policy,
        client_factory: ClientFactory | None = None,
        memory: MemoryStore | None = None,
        audit: AuditRecord | None = None,
    ) -> None:
        self.catalog = catalog
        self.memory = memory
        # Where writes are recorded: None for the audit file (stdio), else e.g. the team server's per-subject trail.
        self.record_audit = audit
        self.policy = policy.resolved(catalog)
        self.facts = Facts(catalog)
        self.connection = Connection(settings, catalog.api_version, self.policy, client_factory)

    def run(self, request: Request, options: Options) -> Result:
        options = check_options(options)
        if options.answer is not None and not options.answer.accepted:
            return confirm.declined(options.answer, request)
        request = self.checked(request, options)
        if options.dry_run:
            return self.preview(request, options)
        sent = self.sent(self.client(request), request, options)
        answered = answer(request, sent, options, self.policy.max_chars)
        after_success(answered, request, self.memory)
        return answered.result()

    def checked(self, request: Request, options: Options) -> Request:
        """The request stage, and the saved params a bare GET reuses."""
        try:
            # A dry run sends nothing, so it needs no confirmation; it says whether the call would.
            confirmed = options.confirmed or options.dry_run
            request = prepare(request, self.facts, self.policy, confirmed, options.reads_only)
        except BodyMissing as missing:
            raise name_saved_body(missing, self.memory) from None
        if options.reuse_saved and request.method == "GET" and not request.query:
            request = reuse_saved(request, self.memory, self.facts)
        return request

    def question(self, request: Request) -> str | None:
        """What to ask the person before ``request`` runs; None when nobody needs asking.

        None too when a check refuses the request: the call itself then says why, nothing asked.
        The record is read here, just before the question, so the person sees it as it is.
        """
        try:
            request = prepare(request, self.facts, self.policy, confirm=True)
            if not confirm.needs_person(request, self.facts, self.policy):
                return None
            client = self.connection.client()
        except (ToolError, ConnectWiseError):
            return None
        return confirm.question(request, read_current(client, request, self.facts))

    def preview(self, request: Request, options: Options) -> Result:
        """The dry run: what would be sent, and for PATCH/PUT the record's current values (one GET)."""
        client = self.client(request)
        try:
            url = client.url_for(request.path, list(request.query))
        except (UnsafeRequest, ConnectWiseError) as exc:
            raise ToolError(str(exc), operation=request.label) from None
        current = read_current(client, request, self.facts)
        asks = confirm.needs_person(request, self.facts, self.policy)
        return dry_run.preview(request, url, client.shown_headers(request.has_body), current, asks, options.all_pages)

    def client(self, request: Request) -> ConnectWiseClient:
        try:
            return self.connection.client()
        except ConnectWiseError as exc:  # credentials missing, an API URL keys may not go to
            raise ToolError(str(exc), operation=request.label) from None

    def sent(self, client: ConnectWiseClient, request: Request, options: Options) -> Sent:
        """The send stage, audited: every write is recorded with how it ended."""
        try:
            sent = send(client, request, self.facts, options.all_pages, options.max_items, options.progress)
        except ApiError as exc:
            self.audit(request, exc.status, "error")
            raise api_error(request, exc, self.facts) from None
        except UnsafeRequest as exc:
            raise ToolError(str(exc), operation=request.label) from None
        except ConnectWiseError as exc:  # timed out, connection lost, answer too large
            self.audit(request, None, "failed: " + type(exc).__name__)
            raise ToolError(str(exc), operation=request.label, path=request.path) from None
        self.audit(request, sent.response.status, "ok")
        return sent

    def audit(self, request: Request, status: int | None, outcome: str) -> None:
        """One line in the audit trail for each request that can change data (never its body)."""
        if request.method == "GET" or request.op is None:
            return
        size = len(compact(request.body)) if request.has_body else 0
        record = self.record_audit or audit_trail.record  # looked up per call, as tests replace it
        record(request.method, request.path, request.op.path, status, size, outcome, self.connection.profile)
