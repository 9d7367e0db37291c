"""Logging to stderr and a rotating file, and the redaction of our own secrets.

stdout belongs to the MCP protocol alone. Every registered secret (private key, Basic token,
public key, clientId) is replaced by ``***`` in log lines, and ``redact`` clears it from anything
ConnectWise echoes back before a user or a model reads it.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading

from . import locations

MAX_RECORD_CHARS = 8_000  # one record (a traceback included) never writes more than this
MASK = "***"

_secrets: tuple[str, ...] = ()  # longest first: a short secret must not break up a longer one
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Never let ``value`` reach a log line or a result, whatever code or server echoes it."""
    global _secrets
    if value and len(value) >= 4 and value not in _secrets:
        with _lock:
            _secrets = tuple(sorted({*_secrets, value}, key=len, reverse=True))


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def clip(text: str, limit: int = MAX_RECORD_CHARS) -> str:
    """``text`` cut to ``limit`` characters, keeping its head and its tail (where a traceback ends)."""
    if len(text) <= limit:
        return text
    head = limit * 2 // 5
    tail = limit - head - 60
    return f"{text[:head]}\n... [{len(text) - head - tail:,} characters left out] ...\n{text[-tail:]}"


class _Redactor(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            message = record.getMessage()
            redacted = redact(message)
            if redacted != message:
                record.msg, record.args = redacted, ()
        return True


class _SafeFormatter(logging.Formatter):
    """The whole formatted record (traceback included) redacted and bounded, so one error cannot flood the log."""

    def format(self, record: logging.LogRecord) -> str:
        return clip(redact(super().format(record)))


def configure(level: str = "INFO", to_file: bool = True) -> None:
    root = logging.getLogger()
    if getattr(root, "_cwm_configured", False):
        return
    formatter = _SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
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
