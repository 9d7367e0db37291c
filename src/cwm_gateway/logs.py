"""Logging to stderr and a rotating file. stdout belongs to the MCP protocol alone."""

from __future__ import annotations

import logging
import logging.handlers
import sys

from . import locations

_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Never let ``value`` reach a log line, whatever code tries to log it."""
    if value and len(value) >= 4:
        _secrets.add(value)


class _Redactor(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            message = record.getMessage()
            redacted = message
            for secret in tuple(_secrets):  # registered from other threads meanwhile
                redacted = redacted.replace(secret, "***")
            if redacted != message:
                record.msg, record.args = redacted, ()
        return True


def configure(level: str = "INFO", to_file: bool = True) -> None:
    root = logging.getLogger()
    if getattr(root, "_cwm_configured", False):
        return
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    redactor = _Redactor()
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(formatter)
    stderr.addFilter(redactor)
    root.addHandler(stderr)
    if to_file:
        try:
            directory = locations.log_dir()
            directory.mkdir(parents=True, exist_ok=True)
            handler = logging.handlers.RotatingFileHandler(
                directory / "cwm-gateway.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
            )
            handler.setFormatter(formatter)
            handler.addFilter(redactor)
            root.addHandler(handler)
        except OSError as exc:  # a read-only home must not stop the server
            root.warning("file logging disabled: %s", exc)
    root.setLevel(level)
    root._cwm_configured = True  # type: ignore[attr-defined]
