"""The server's long-lived parts, each created on first use.

Nothing here runs at import time: Claude Desktop starts the server for every
session, and a tools/list must not wait for a catalog, a keyring or a pool.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .catalog.search import Searcher
    from .catalog.store import Catalog
    from .credentials import Settings
    from .execution import Executor
    from .memory import MemoryStore


class CatalogParts:
    """The catalog and its searcher, each opened on first use and shared by every call that holds this.

    ``usage()`` gives the saved queries' uses per endpoint, which the searcher ranks a little higher
    ("learns what is valuable to you"); the team server passes the current request's subject's.
    """

    def __init__(self, usage: Callable[[], dict[tuple[str, str], int]]) -> None:
        self._usage = usage
        self._lock = threading.RLock()
        self._catalog: Catalog | None = None
        self._searcher: Searcher | None = None

    def catalog(self) -> Catalog:
        with self._lock:
            if self._catalog is None:
                from .locations import open_catalog

                self._catalog = open_catalog()
            return self._catalog

    def searcher(self) -> Searcher:
        catalog = self.catalog()
        with self._lock:
            if self._searcher is None:
                from .catalog.search import Searcher

                self._searcher = Searcher(catalog, usage=self._usage)
            return self._searcher


class Runtime:
    def __init__(
        self,
        profile: str | None = None,
        settings: Callable[[], Settings] | None = None,
        data_note: str | None = None,
        memory_path: Path | None = None,
    ) -> None:
        self.profile = profile
        self._settings = settings or self._load_settings
        self.data_note = data_note
        self._memory_path = memory_path
        self._lock = threading.RLock()
        self._parts = CatalogParts(usage=lambda: self.memory().usage_by_endpoint())
        self._executor: Executor | None = None
        self._memory: MemoryStore | None = None

    def _load_settings(self) -> Settings:
        from .credentials import load_settings

        return load_settings(self.profile)

    def catalog(self) -> Catalog:
        return self._parts.catalog()

    def searcher(self) -> Searcher:
        return self._parts.searcher()

    def executor(self) -> Executor:
        catalog = self.catalog()
        with self._lock:
            if self._executor is None:
                from .execution import Executor, Policy

                self._executor = Executor(catalog, self._settings, Policy.from_env(), memory=self._memory_store())
            return self._executor

    def memory(self) -> MemoryStore:
        with self._lock:
            return self._memory_store()

    def _memory_store(self) -> MemoryStore:
        if self._memory is None:
            from .memory import MemoryStore

            self._memory = MemoryStore(self._memory_path)
        return self._memory
