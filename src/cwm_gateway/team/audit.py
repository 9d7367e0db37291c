"""The write audit trail of the team server: one row per write, with the subject who made it.

``SubjectAudit(db, subject).record`` takes the arguments of ``cwm_gateway.audit.record`` so the
execution pipeline takes either (``Executor(..., audit=SubjectAudit(db, sub).record)``). As in the
file trail: what was done and how it ended, never bodies or credentials, and a trail that cannot be
written is logged, not raised, because the call it records has already happened.
"""

from __future__ import annotations

import logging
from typing import Any

from ..audit import fields
from .database import Database, DatabaseError

log = logging.getLogger(__name__)


class SubjectAudit:
    """Audit rows for one subject."""

    def __init__(self, db: Database, subject: str) -> None:
        if not isinstance(subject, str) or not subject:
            raise ValueError("SubjectAudit needs the subject (the token's 'sub') who acts")
        self.db = db
        self.subject = subject

    def record(
        self,
        method: str,
        path: str,
        template: str,
        status: int | None,
        body_bytes: int,
        outcome: str,
        profile: str | None = None,
    ) -> None:
        row = {"subject": self.subject, **fields(method, path, template, status, body_bytes, outcome)}
        row["profile"] = profile
        try:
            with self.db.transaction() as conn:
                conn.execute(
                    f"INSERT INTO write_audit ({', '.join(row)}) VALUES ({', '.join(f'%({k})s' for k in row)})", row
                )
        except DatabaseError as exc:
            log.warning("could not write the audit trail for %s: %s", self.subject, exc)

    def recent(self, limit: int = 100) -> list[dict[str, Any]]:
        """This subject's latest rows, newest first (time as ISO 8601)."""
        return recent(self.db, limit, self.subject)


def recent(db: Database, limit: int = 100, subject: str | None = None) -> list[dict[str, Any]]:
    """The latest audit rows, newest first; only ``subject``'s when given."""
    where, args = ("WHERE subject = %s", [subject]) if subject is not None else ("", [])
    with db.transaction() as conn:
        rows = conn.execute(
            "SELECT subject, time, method, operation, path, status, body_bytes, outcome, profile FROM write_audit "
            f"{where} ORDER BY time DESC, id DESC LIMIT %s",
            (*args, limit),
        ).fetchall()
    return [{**row, "time": row["time"].isoformat(timespec="seconds")} for row in rows]
