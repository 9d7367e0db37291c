"""The server's long-lived parts, each created on first use.

Nothing here runs at import time: Claude Desktop starts the server for every
session, and a tools/list must not wait for a catalog, a keyring or a pool.
"""

from __future__ import annotations

import threading

from .catalog.search import Searcher
from .catalog.store import Catalog


class Runtime:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._catalog: Catalog | None = None
        self._searcher: Searcher | None = None

    def catalog(self) -> Catalog:
        with self._lock:
            if self._catalog is None:
                self._catalog = Catalog.open_default()
            return self._catalog

    def searcher(self) -> Searcher:
        catalog = self.catalog()
        with self._lock:
            if self._searcher is None:
                self._searcher = Searcher(catalog)
            return self._searcher
