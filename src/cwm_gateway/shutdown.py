"""How ``serve`` stops: on SIGINT, SIGTERM or end of input, promptly and without a traceback.

From the moment ``serve`` starts until the transport listens for signals itself, a signal
only records that a stop was asked for: raising KeyboardInterrupt in the middle of importing
the SDK can leave a half-loaded C extension (a panic, not a clean stop). Serving checks
the record as soon as it listens, and stops at once.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading

_stop_asked = threading.Event()


def defer_signals() -> None:
    if sys.platform == "win32":  # Ctrl-C stays a KeyboardInterrupt there; no asyncio signal handlers
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _ask_to_stop)


def _ask_to_stop(signum: int, frame: object) -> None:
    _stop_asked.set()


def stop_asked() -> bool:
    return _stop_asked.is_set()


def exit_without_waiting() -> None:
    """Leave now, even while abandoned tool calls still run in worker threads.

    The interpreter would otherwise wait for a slow ConnectWise call to time out before exiting.
    """
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        logging.shutdown()
        sys.stderr.flush()
        os._exit(0)
