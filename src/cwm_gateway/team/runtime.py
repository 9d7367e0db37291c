"""Per-request runtimes of the team server: each call acts as its token's subject, with that subject's keys.

``TeamState`` is what a process shares: the database, the key vault, the catalog and its searcher
(no user data in either). ``SubjectRuntime`` is one subject's view, a ``Runtime`` whose memory is
``SubjectMemory``, whose audit is ``SubjectAudit`` and whose ConnectWise client is made from that
subject's keys, read from the vault at every call. Executors (and so their HTTP connection pools)
are cached per (subject, keys, may-write): a cache entry can only ever be found by the subject whose
keys made it, and changed or removed keys are seen on the next call. ``RequestRuntime`` is what the
tools hold: it finds the current request's subject (the SDK's auth context) on every use.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .. import settings
from ..results import ToolError
from ..runtime import CatalogParts, Runtime
from .oauth import WRITE_SCOPE

if TYPE_CHECKING:
    from ..catalog.search import Searcher
    from ..catalog.store import Catalog
    from ..credentials import Settings
    from ..execution import Executor
    from .database import Database
    from .saved_queries import SubjectMemory
    from .vault import KeyVault

MAX_EXECUTORS = 256  # distinct (subject, keys, scope) clients kept per process; the oldest is dropped
SET_KEYS = (
    "cwm-gateway users set-keys {subject} --site SITE --company-id COMPANY --public-key PUBLIC "
    "--client-id CLIENT_ID --private-key-stdin"
)


class NoKeysError(ToolError):
    """The subject has no ConnectWise keys in the vault; the message names the admin command."""


class TeamState:
    """A process's shared parts: database, vault, catalog, searcher, and the per-subject executor cache."""

    def __init__(self, team: settings.Team, db: Database, vault: KeyVault | None) -> None:
        self.team = team
        self.db = db
        self.vault = vault  # None with CWM_SHARED_KEYS=1
        self._lock = threading.RLock()
        # One catalog and searcher per process (its vocabulary is costly); the usage boost it applies is
        # the current request's subject's, looked up at each search.
        self.parts = CatalogParts(usage=lambda: current_runtime().memory().usage_by_endpoint())
        self._executors: OrderedDict[tuple[str, str, bool], Executor] = OrderedDict()

    def catalog(self) -> Catalog:
        return self.parts.catalog()

    def searcher(self) -> Searcher:
        return self.parts.searcher()

    def executor(self, key: tuple[str, str, bool], make: Callable[[], Executor]) -> Executor:
        with self._lock:
            found = self._executors.get(key)
            if found is None:
                found = self._executors[key] = make()
                while len(self._executors) > MAX_EXECUTORS:
                    self._executors.popitem(last=False)
            self._executors.move_to_end(key)
            return found


class SubjectRuntime(Runtime):
    """One subject's runtime: their saved queries, audit trail and ConnectWise keys; shared catalog."""

    def __init__(self, state: TeamState, subject: str, may_write: bool) -> None:
        super().__init__(profile="team", settings=self._subject_settings)
        self.state = state
        self.subject = subject
        self.may_write = may_write
        self._subject_memory: SubjectMemory | None = None

    def catalog(self) -> Catalog:
        return self.state.catalog()

    def searcher(self) -> Searcher:
        return self.state.searcher()

    def memory(self) -> SubjectMemory:
        with self._lock:
            return self._memory_store()

    def _memory_store(self) -> SubjectMemory:  # type: ignore[override]
        if self._subject_memory is None:
            from .saved_queries import SubjectMemory

            self._subject_memory = SubjectMemory(self.state.db, self.subject)
        return self._subject_memory

    def executor(self) -> Executor:
        keys = self._keys_digest()  # the vault is read at every call: rotated or removed keys count at once
        executor = self.state.executor((self.subject, keys, self.may_write), self._new_executor)
        return executor if self.state.vault is None else _VaultKeysExecutor(executor, self.subject)  # type: ignore[return-value]

    def _keys_digest(self) -> str:
        if self.state.vault is None:
            return "shared"
        keys = self.state.vault.keys_for(self.subject)
        if keys is None:
            raise NoKeysError(
                f"No ConnectWise keys are stored for you (subject {self.subject!r}), so the gateway cannot call "
                f"ConnectWise on your behalf. Ask the gateway's administrator to run: "
                f"{SET_KEYS.format(subject=self.subject)}",
                subject=self.subject,
            )
        return hashlib.sha256(json.dumps(keys, sort_keys=True).encode()).hexdigest()

    def _subject_settings(self) -> Settings:
        """The ConnectWise settings this subject's client is made with (when the executor is made)."""
        if self.state.vault is None:
            from ..credentials import load_settings

            return load_settings(None, use_keyring=False)
        from .vault import settings_for

        keys = self.state.vault.keys_for(self.subject)
        if keys is None:  # removed between the check and now
            self._keys_digest()
        return settings_for(self.subject, keys or {})

    def _new_executor(self) -> Executor:
        from ..client import ConnectWiseClient
        from ..execution import Executor, Policy
        from .audit import SubjectAudit

        policy = Policy.from_env()
        if not self.may_write:
            reason = f"your sign-in token lacks the {WRITE_SCOPE} scope (it may only read)"
            policy = replace(policy, read_only=True, read_only_reason=reason)
        threads = self.state.team.remote_threads

        def client(keys: Settings, version: str, p: Policy) -> ConnectWiseClient:
            # As many pooled connections as calls may be in flight: none waits for one or is dropped.
            return ConnectWiseClient(
                keys, version, timeout=p.timeout, deadline=p.deadline, max_bytes=p.max_bytes, pool_size=threads
            )

        audit = SubjectAudit(self.state.db, self.subject).record
        return Executor(self.catalog(), self._settings, policy, client, memory=self.memory(), audit=audit)


class _VaultKeysExecutor:
    """An Executor whose "keys rejected" error speaks of the vault, not of CONNECTWISE_* and doctor."""

    CALLS = ("execute", "execute_raw", "run_saved")

    def __init__(self, executor: Executor, subject: str) -> None:
        self._executor = executor
        self._subject = subject

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._executor, name)
        if name not in self.CALLS:
            return found

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return found(*args, **kwargs)
            except ToolError as exc:
                if exc.details.get("status") != 401:
                    raise
                kept = {k: v for k, v in exc.details.items() if k not in ("status", "suggestions", "hint")}
                raise ToolError(
                    f"ConnectWise rejected the keys stored for you (subject {self._subject!r}) with 401: they were "
                    "changed or revoked in ConnectWise. Ask the gateway's administrator to store your current keys: "
                    f"{SET_KEYS.format(subject=self._subject)}",
                    status=401,
                    **kept,
                ) from None

        return call


# -- the current request -------------------------------------------------------------------------------------------

_state: TeamState | None = None
_runtimes: OrderedDict[tuple[str, bool], SubjectRuntime] = OrderedDict()
_runtimes_lock = threading.Lock()
MAX_RUNTIMES = 256


def install(state: TeamState) -> None:
    """Make ``state`` the process's team state (the app factory does, once per process)."""
    global _state
    with _runtimes_lock:
        _state = state
        _runtimes.clear()


def current_runtime() -> SubjectRuntime:
    """The runtime of the request being served: its token's subject, and whether it may write."""
    from mcp.server.auth.middleware.auth_context import get_access_token

    token = get_access_token()
    if token is None or not token.subject or _state is None:
        raise ToolError("This call carries no verified sign-in (bearer token); sign in again.")
    return runtime_for(token.subject, WRITE_SCOPE in token.scopes)


def runtime_for(subject: str, may_write: bool) -> SubjectRuntime:
    assert _state is not None
    key = (subject, may_write)
    with _runtimes_lock:
        found = _runtimes.get(key)
        if found is None:
            found = _runtimes[key] = SubjectRuntime(_state, subject, may_write)
            while len(_runtimes) > MAX_RUNTIMES:
                _runtimes.popitem(last=False)
        _runtimes.move_to_end(key)
        return found


class RequestRuntime:
    """What ``build_server`` is given: every attribute is the current request's ``SubjectRuntime``'s."""

    def __getattr__(self, name: str) -> Any:
        return getattr(current_runtime(), name)
