"""What the gateway may send and how long and how much it takes: plain values the pipeline receives.

``Policy.from_env`` is the one place these are read from the environment (``CWM_READ_ONLY``,
``CWM_WRITE_ALLOW``, ``CWM_MAX_RESPONSE_CHARS``, ``CWM_TIMEOUT``, ``CWM_DEADLINE``,
``CWM_MAX_RESPONSE_BYTES``); everything else in ``execution`` takes a Policy.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

from ..catalog.store import Catalog
from ..client import DEFAULT_MAX_RESPONSE_BYTES
from ..rawrequest import METHODS
from ..shaping import DEFAULT_MAX_CHARS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Policy:
    """What the gateway may send, and the limits of each call."""

    read_only: bool = False
    write_allow: frozenset[tuple[str, str]] | None = None
    max_chars: int = DEFAULT_MAX_CHARS
    timeout: float = 30.0
    write_allow_problems: tuple[str, ...] = ()  # CWM_WRITE_ALLOW entries that allow nothing, and why
    deadline: float | None = None  # a whole call, retries and waits included; None: twice the timeout
    max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES  # of one answer, once decompressed

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Policy:
        env = os.environ if env is None else env
        allow, problems = _parse_write_allow(env.get("CWM_WRITE_ALLOW", ""))
        return cls(
            read_only=env.get("CWM_READ_ONLY", "").strip().lower() in ("1", "true", "yes", "on"),
            write_allow=allow,
            max_chars=_int(env.get("CWM_MAX_RESPONSE_CHARS"), DEFAULT_MAX_CHARS, 2_000),
            timeout=_seconds(env.get("CWM_TIMEOUT"), 30.0),
            write_allow_problems=problems,
            deadline=_number(env.get("CWM_DEADLINE"), None, 1.0),
            max_bytes=int(_number(env.get("CWM_MAX_RESPONSE_BYTES"), DEFAULT_MAX_RESPONSE_BYTES, 64 * 1024) or 1),
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


def _parse_write_allow(text: str) -> tuple[frozenset[tuple[str, str]] | None, tuple[str, ...]]:
    """``"POST /service/tickets, PATCH /service/tickets/{id}"`` -> pairs, and the entries that are not pairs."""
    if not text.strip():
        return None, ()
    pairs: set[tuple[str, str]] = set()
    problems: list[str] = []
    for item in text.split(","):
        parts = item.split(None, 1)
        if not parts:
            continue
        if len(parts) != 2 or parts[0].upper() not in METHODS or not parts[1].strip().startswith("/"):
            problems.append(f"'{item.strip()}' is not 'METHOD /path' (e.g. 'POST /service/tickets'); it allows nothing")
            continue
        pairs.add((parts[0].upper(), parts[1].strip()))
    return frozenset(pairs), tuple(problems)


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


def _int(value: str | None, default: int, minimum: int) -> int:
    try:
        return max(minimum, int(str(value).strip()))
    except (TypeError, ValueError):
        return default


def _seconds(value: str | None, default: float) -> float:
    try:
        return max(0.5, float(str(value).strip()))
    except (TypeError, ValueError):
        return default


def _number(value: str | None, default: float | None, minimum: float) -> float | None:
    """A finite number of at least ``minimum`` (as the client read CWM_DEADLINE and CWM_MAX_RESPONSE_BYTES)."""
    try:
        number = float((value or "").strip())
    except ValueError:
        return default
    return max(minimum, number) if math.isfinite(number) else default
