"""The pipeline every call goes through: request -> memory -> send -> audit -> answer -> memory.

Each stage raises ToolError for what the assistant can act on; ``server.run_tool`` turns it
into the isError result. Credentials load only after the request stage has passed.
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
from .answer import answer
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
        request = self.checked(request, options)
        sent = self.sent(self.client(request), request, options)
        answered = answer(request, sent, options, self.policy.max_chars)
        after_success(answered, request, self.memory)
        return answered.result()

    def checked(self, request: Request, options: Options) -> Request:
        """The request stage, and the saved params a bare GET reuses."""
        try:
            request = prepare(request, self.facts, self.policy, options.confirm)
        except BodyMissing as missing:
            raise name_saved_body(missing, self.memory) from None
        if options.reuse_saved and request.method == "GET" and not request.query:
            request = reuse_saved(request, self.memory, self.facts)
        return request

    def client(self, request: Request) -> ConnectWiseClient:
        try:
            return self.connection.client()
        except ConnectWiseError as exc:  # credentials missing, an API URL keys may not go to
            raise ToolError(str(exc), operation=request.label) from None

    def sent(self, client: ConnectWiseClient, request: Request, options: Options) -> Sent:
        """The send stage, audited: every write is recorded with how it ended."""
        try:
            sent = send(client, request, self.facts, options.all_pages, options.max_items)
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
