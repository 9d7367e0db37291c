"""The server's long-lived parts, each created on first use.

Nothing here runs at import time: Claude Desktop starts the server for every
session, and a tools/list must not wait for a catalog, a keyring or a pool.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from .catalog.search import Searcher
from .catalog.store import Catalog
from .credentials import Settings, load_settings
from .execution import Executor, Policy
from .memory import MemoryStore


class Runtime:
    def __init__(
        self,
        profile: str | None = None,
        settings: Callable[[], Settings] | None = None,
        data_note: str | None = None,
    ) -> None:
        self.profile = profile
        self._settings = settings or (lambda: load_settings(profile))
        self.data_note = data_note
        self._lock = threading.RLock()
        self._catalog: Catalog | None = None
        self._searcher: Searcher | None = None
        self._executor: Executor | None = None
        self._memory: MemoryStore | None = None

    def catalog(self) -> Catalog:
        with self._lock:
            if self._catalog is None:
                self._catalog = Catalog.open_default()
            return self._catalog

    def searcher(self) -> Searcher:
        catalog = self.catalog()
        with self._lock:
            if self._searcher is None:
                # Queries the user keeps using rank a little higher ("learns what is valuable to you").
                self._searcher = Searcher(catalog, usage=self._memory_store().usage_by_endpoint)
            return self._searcher

    def executor(self) -> Executor:
        catalog = self.catalog()
        with self._lock:
            if self._executor is None:
                self._executor = Executor(
                    catalog, self._settings, Policy.from_env(), data_note=self.data_note, memory=self._memory_store()
                )
            return self._executor

    def memory(self) -> MemoryStore:
        with self._lock:
            return self._memory_store()

    def _memory_store(self) -> MemoryStore:
        if self._memory is None:
            self._memory = MemoryStore()
        return self._memory
