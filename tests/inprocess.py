"""The gateway built in the test process, with what a server process of its own would have had.

A server process gets its environment at start, logs to its own stderr and log file, and its retry
backoff sleeps for real. In-process, ``Ambient`` gives each session the same, for the duration of
each request (and of building the server):

- ``os.environ`` is exactly the session's environment (``conftest.isolated_env`` plus the test's
  variables): nothing of the developer's shell leaks in, and a test's CWM_READ_ONLY or CWM_TIMEOUT
  ends with its session;
- log records go to the session's stderr file (in its home, like the stdio session's) and to the
  log file under its log directory, redacted as ``logs.configure`` does;
- the HTTP client's retry waits go to a ``VirtualClock``: a wait moves the client's clock on at
  once and is recorded, so the retry count, the deadline and the Retry-After honoured are all
  still decided and visible, without the seconds.

Two sessions with different environments must not serve requests at the same moment (it raises);
sessions with the same one (two servers on one home) may.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import types
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

from mcp_client import InProcessSession


class VirtualClock:
    """Monotonic time that a sleep moves on instead of waiting for."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.offset = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.offset += max(0.0, seconds)


def _clock_patches(clock: VirtualClock) -> list[tuple[Any, str, Any]]:
    """(object, attribute, replacement): how the HTTP client's retry path gets the session's clock.

    A client that takes ``sleep`` and ``clock`` arguments is given them: it is made during the
    session's first ConnectWise call, so inside this ambient. Otherwise the two modules that read the
    time are pointed at it: urllib3's Retry sleeps with ``time.sleep`` (Retry-After, then backoff)
    and the client measures its deadline with ``time.monotonic``. Either way the stand-in's
    deliberate delays and the tests' own timings stay real.
    """
    import inspect

    import urllib3.util.retry

    from cwm_gateway import client

    init = client.ConnectWiseClient.__init__
    if {"sleep", "clock"} <= set(inspect.signature(init).parameters):

        def with_clock(self: Any, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("sleep", clock.sleep)
            kwargs.setdefault("clock", clock.monotonic)
            init(self, *args, **kwargs)

        return [(client.ConnectWiseClient, "__init__", with_clock)]
    shim = types.SimpleNamespace(**{name: getattr(time, name) for name in dir(time) if not name.startswith("_")})
    shim.sleep, shim.monotonic = clock.sleep, clock.monotonic
    return [(urllib3.util.retry, "time", shim), (client, "time", shim)]


def _log_handlers(stderr_path: Path, log_file: Path) -> list[logging.Handler]:
    """The handlers ``logs.configure`` gives a server process: stderr and the rotating log file, redacted."""
    from cwm_gateway import logs

    formatter = logs._SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = [logging.FileHandler(stderr_path, encoding="utf-8", delay=True)]
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handlers.append(logging.FileHandler(log_file, encoding="utf-8", delay=True))
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(logs._Redactor())
        handler.setLevel(logging.INFO)
    return handlers


class _Active:
    """Which ambient is applied now, and how many requests are inside it (one process, one os.environ)."""

    lock = threading.RLock()
    current: Ambient | None = None
    depth = 0
    undo: ExitStack | None = None


class Ambient:
    """One in-process server's environment, log destinations and clock, applied while it works."""

    _count = 0

    def __init__(self, home: Path, env: dict[str, str]) -> None:
        Ambient._count += 1
        self.env = dict(env)
        self.clock = VirtualClock()
        self.stderr_path = home / f"server-stderr-inprocess-{Ambient._count}.log"
        self.stderr_path.parent.mkdir(parents=True, exist_ok=True)
        self.stderr_path.touch()
        self._handlers: list[logging.Handler] | None = None

    def stderr(self) -> str:
        for handler in self._handlers or []:
            handler.flush()
        return self.stderr_path.read_text(encoding="utf-8")

    def close(self) -> None:
        for handler in self._handlers or []:
            handler.close()

    @contextmanager
    def active(self) -> Iterator[None]:
        with _Active.lock:
            if _Active.current is not None and _Active.current.env != self.env:
                raise RuntimeError("two in-process servers with different environments were used at once")
            if _Active.depth == 0:
                _Active.undo = self._apply()
                _Active.current = self
            _Active.depth += 1
        try:
            yield
        finally:
            with _Active.lock:
                _Active.depth -= 1
                if _Active.depth == 0:
                    undo, _Active.undo, _Active.current = _Active.undo, None, None
                    assert undo is not None
                    undo.close()

    def _apply(self) -> ExitStack:
        undo = ExitStack()
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(self.env)
        undo.callback(lambda: (os.environ.clear(), os.environ.update(saved)))
        patch = pytest.MonkeyPatch()
        undo.callback(patch.undo)
        for target, name, value in _clock_patches(self.clock):
            patch.setattr(target, name, value)
        if self._handlers is None:
            from cwm_gateway import locations

            self._handlers = _log_handlers(self.stderr_path, locations.log_dir() / "cwm-gateway.log")
        root = logging.getLogger()
        level = root.level
        if level > logging.INFO:  # a server process logs from INFO on
            root.setLevel(logging.INFO)
            undo.callback(root.setLevel, level)
        for handler in self._handlers:
            root.addHandler(handler)
            undo.callback(root.removeHandler, handler)
        return undo


def _quiet_keyring() -> None:
    """No in-process server ever touches the machine's real keyring (``keyring`` keeps one backend per
    process); a server process given no keyring backend would find none either. test_credentials
    exercises the real keyring, through the pyz."""
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())  # set, not looked up: looking up probes the machine's backends


@contextmanager
def inprocess_gateway(
    home: Path, env: dict[str, str], sandbox: bool = False, mode: str = "legacy"
) -> Iterator[InProcessSession]:
    """The real server (``build_server``) in this process; ``sandbox`` as ``serve --sandbox`` builds it;
    ``mode`` the protocol era (``mcp_client.InProcessSession.start``)."""
    from cwm_gateway.runtime import Runtime
    from cwm_gateway.server import build_server

    _quiet_keyring()
    ambient = Ambient(home, env)
    with ExitStack() as stack:
        stack.callback(ambient.close)

        def build() -> Any:
            if not sandbox:
                return build_server(Runtime())
            from cwm_gateway.sandbox.serve import Sandbox

            running = stack.enter_context(Sandbox())
            running.announce()
            return build_server(running.runtime)

        yield stack.enter_context(InProcessSession.start(build, ambient, mode))
