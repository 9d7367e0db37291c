"""The write audit trail: one JSON line per request that can change ConnectWise data.

Records what was done and how it ended, never bodies or credentials, so the file is
safe to hand to a colleague when asking "who closed ticket 4521?".
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import locations, logs

log = logging.getLogger(__name__)
_lock = threading.Lock()


def audit_path() -> Path:
    return locations.log_dir() / "audit.jsonl"


MAX_PATH = 2000  # characters of the (redacted) path kept


def fields(method: str, path: str, template: str, status: int | None, body_bytes: int, outcome: str) -> dict[str, Any]:
    """One audit entry's facts, for the file here and for the team server's table alike."""
    return {
        "method": method,
        "path": logs.redact(path)[:MAX_PATH],
        "operation": f"{method} {template}",
        "status": status,
        "body_bytes": body_bytes,
        "outcome": outcome,
    }


def record(
    method: str,
    path: str,
    template: str,
    status: int | None,
    body_bytes: int,
    outcome: str,
    profile: str | None = None,
) -> None:
    entry = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    entry |= fields(method, path, template, status, body_bytes, outcome)
    if profile:
        entry["profile"] = profile
    try:
        target = audit_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        with _lock, open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")
    except OSError as exc:  # the call already happened; losing the trail must not hide its result
        log.warning("could not write the audit log: %s", exc)
