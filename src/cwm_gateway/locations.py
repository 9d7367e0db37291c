"""Where things live on disk. Writable state never goes inside the installed package.

Each place is the platform's usual one (platformdirs) unless a setting names another
(``CWM_DATA_DIR``, ``CWM_LOG_DIR``, ``CWM_CONFIG_DIR``, ``CWM_CATALOG``; see ``settings``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import settings

APP_NAME = "cwm-gateway"
PACKAGED_CATALOG = Path(__file__).resolve().parent / "data" / "catalog.db"

# Set while ``serve --sandbox`` runs: its writable state (fast memory, the write audit trail) lives here,
# so trying the tools never changes the user's real files.
_scratch: Path | None = None


def _dirs():  # imported lazily: platformdirs is only needed once a path is asked for
    import platformdirs

    return platformdirs.PlatformDirs(APP_NAME, appauthor=False)


def data_dir() -> Path:
    """User data (fast memory, a catalog built by ``build-db``)."""
    return _scratch / "data" if _scratch else _user_data_dir()


def _user_data_dir() -> Path:
    return settings.paths().data_dir or Path(_dirs().user_data_dir)


def log_dir() -> Path:
    """Logs and the write audit trail."""
    return _scratch / "log" if _scratch else settings.paths().log_dir or Path(_dirs().user_log_dir)


@contextmanager
def scratch_state(root: Path) -> Iterator[Path]:
    """Send data_dir() and log_dir() under ``root`` until the block ends (the sandbox's own state).

    Reading the user's catalog still works: it is looked up in the real data directory.
    """
    global _scratch
    previous, _scratch = _scratch, Path(root)
    try:
        yield _scratch
    finally:
        _scratch = previous


def config_dir() -> Path:
    """The non-secret settings file."""
    return settings.paths().config_dir or Path(_dirs().user_config_dir)


def user_catalog() -> Path:
    return _user_data_dir() / "catalog.db"


def catalog_candidates() -> list[tuple[str, Path]]:
    """Catalog locations in the order they are tried, each with where it came from.

    A catalog the user built (``cwm-gateway build-db``, into the data directory) wins over
    the one shipped inside the package; ``CWM_CATALOG`` wins over both.
    """
    found: list[tuple[str, Path]] = []
    chosen = settings.paths().catalog
    if chosen is not None:
        found.append(("CWM_CATALOG", chosen))
    found.append(("user data", user_catalog()))
    found.append(("packaged", PACKAGED_CATALOG))
    return found
