"""What the gateway may send and how long and how much it takes: plain values the pipeline receives.

``Policy.from_env`` takes them from ``settings.calls`` (which reads and documents each of
``CWM_READ_ONLY``, ``CWM_CONFIRM_WRITES``, ``CWM_WRITE_ALLOW``, ``CWM_MAX_RESPONSE_CHARS``, ``CWM_TIMEOUT``,
``CWM_DEADLINE`` and ``CWM_MAX_RESPONSE_BYTES``); everything else in ``execution`` takes a Policy.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace

from .. import settings
from ..catalog.store import Catalog
from ..client import DEFAULT_MAX_RESPONSE_BYTES
from ..shaping import DEFAULT_MAX_CHARS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Policy:
    """What the gateway may send, and the limits of each call."""

    read_only: bool = False
    confirm_writes: bool = False  # CWM_CONFIRM_WRITES: every write is confirmed, not only DELETE
    write_allow: frozenset[tuple[str, str]] | None = None
    max_chars: int = DEFAULT_MAX_CHARS
    timeout: float = 30.0
    write_allow_problems: tuple[str, ...] = ()  # CWM_WRITE_ALLOW entries that allow nothing, and why
    deadline: float | None = None  # a whole call, retries and waits included; None: twice the timeout
    max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES  # of one answer, once decompressed
    # Why writes are refused when read_only comes from elsewhere than CWM_READ_ONLY (the team server: a token's scopes)
    read_only_reason: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Policy:
        """The policy the settings give (``settings`` reads and documents each of them)."""
        given = settings.calls(env)
        return cls(
            read_only=given.read_only,
            confirm_writes=given.confirm_writes,
            write_allow=given.write_allow,
            max_chars=given.max_chars,
            timeout=given.timeout,
            write_allow_problems=given.write_allow_problems,
            deadline=given.deadline,
            max_bytes=given.max_bytes,
        )

    def resolved(self, catalog: Catalog) -> Policy:
        """The allow-list matched to catalog operations (``{ticketId}`` finds ``{id}``); misses become problems.

        An entry that names no operation allows nothing: writes stay refused (fail closed),
        and the problem is reported at start, by ``doctor`` and in the refusal itself.
        """
        if self.write_allow is None:
            return self
        allowed: set[tuple[str, str]] = set()
        problems = list(self.write_allow_problems)
        for method, path in sorted(self.write_allow):
            template, problem = _allow_entry(catalog, method, path)
            if template is None:
                problems.append(problem)
            else:
                allowed.add((method, template))
        return replace(self, write_allow=frozenset(allowed), write_allow_problems=tuple(problems))


def write_allow_report(catalog: Catalog, policy: Policy | None = None) -> Policy:
    """Log (to stderr and the log file) every CWM_WRITE_ALLOW entry that allows nothing."""
    resolved = (policy or Policy.from_env()).resolved(catalog)
    for problem in resolved.write_allow_problems:
        log.warning("CWM_WRITE_ALLOW: %s", problem)
    return resolved


def _allow_entry(catalog: Catalog, method: str, path: str) -> tuple[str | None, str]:
    """(the operation's template, "") or (None, why the entry names no operation)."""
    entry = f"'{method} {path}'"
    match = catalog.resolve(path)
    if match is None:
        close = catalog.suggest_paths(path, limit=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        return None, f"{entry} names no operation: there is no path {path}{hint}"
    if match.values:
        return None, f"{entry} names one record, not an operation; write the template: {method} {match.template}"
    if match.method(method) is None:
        return None, f"{entry} names no operation: {match.template} takes {', '.join(match.methods)}"
    return match.template, ""
