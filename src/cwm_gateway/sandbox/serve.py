"""``cwm-gateway serve --sandbox``: every tool, against sample data, with no account.

The stand-in runs in-process on 127.0.0.1. Everything the tools write (saved queries, the write
audit trail) goes to a temporary directory named ``cwm-gateway-sandbox-*`` that is removed when
the sandbox closes, so the user's real fast memory and audit log are never touched; every
result says the data is sample data.

    with Sandbox(port=8080) as sandbox:      # or sandbox_runtime(port=...) for just the Runtime
        serve(runtime=sandbox.runtime)

``Sandbox.close()`` is idempotent and runs on a normal end, an exception, KeyboardInterrupt or
SystemExit alike (``with``), and may also be called directly, e.g. before ``os._exit``.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import locations
from ..credentials import Setting, Settings
from ..runtime import Runtime
from .server import StandIn

BANNER = "SANDBOX: sample data from a built-in ConnectWise stand-in, not your ConnectWise"
SCRATCH_PREFIX = "cwm-gateway-sandbox-"
log = logging.getLogger(__name__)


class SandboxError(SystemExit):
    """The sandbox cannot start; the message says why and what to do (printed, exit status 1)."""


def check_port(port: int | None) -> int:
    if port is None:
        return 0  # any free port
    if not 1 <= port <= 65535:
        raise SandboxError(f"cwm-gateway serve --sandbox: --port {port} is not a TCP port; use 1-65535, e.g. 8080.")
    return port


class Sandbox:
    """A running stand-in, a scratch state directory, and the Runtime that uses them."""

    def __init__(self, port: int | None = None) -> None:
        self._lock = threading.Lock()
        self._closed = False
        self._state = contextlib.ExitStack()
        try:
            self.standin = self._start_standin(check_port(port))
            self._state.callback(self.standin.stop)
            self.scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
            self._state.callback(shutil.rmtree, self.scratch, ignore_errors=True)
            self._state.enter_context(locations.scratch_state(self.scratch))
            settings = self._settings()
            self.runtime = Runtime(
                profile="sandbox",
                settings=lambda: settings,
                data_note=BANNER,
                memory_path=locations.data_dir() / "fast_memory.db",
            )
        except BaseException:  # whatever stopped the start (a signal included), leave nothing behind
            self._state.close()
            raise

    @staticmethod
    def _start_standin(port: int) -> StandIn:
        try:
            return StandIn(port=port).start()
        except OSError as exc:
            raise SandboxError(
                f"cwm-gateway serve --sandbox: cannot listen on 127.0.0.1:{port} ({exc.strerror or exc}); "
                "pick another port with --port, or leave --port out to use any free one."
            ) from None

    def _settings(self) -> Settings:
        settings = Settings(profile="sandbox")
        cw = self.standin
        for key, value in {
            "api_url": cw.base_url,
            "company_id": cw.company_id,
            "public_key": cw.public_key,
            "private_key": cw.private_key,
            "client_id": cw.client_id,
        }.items():
            settings.values[key] = Setting(value, "sandbox")
        return settings

    def announce(self) -> None:
        cw = self.standin
        log.warning(
            "cwm-gateway sandbox: MCP on stdio with SAMPLE DATA from a ConnectWise stand-in at %s (sample "
            "credentials: company %s, public key %s, private key %s, clientId %s). Saved queries and the audit "
            "trail go to %s, removed on exit. Connect an MCP client, e.g. "
            "npx @modelcontextprotocol/inspector python3 cwm-gateway.pyz serve --sandbox",
            cw.base_url,
            cw.company_id,
            cw.public_key,
            cw.private_key,
            cw.client_id,
            self.scratch,
        )

    def close(self) -> None:
        """Stop the stand-in and remove the scratch directory; safe to call more than once."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._state.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@contextmanager
def sandbox_runtime(port: int | None = None) -> Iterator[Runtime]:
    """The sandbox's Runtime for the duration of the block; cleaned up however the block ends."""
    with Sandbox(port) as sandbox:
        sandbox.announce()
        yield sandbox.runtime
