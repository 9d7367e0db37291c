"""Where things live on disk. Writable state never goes inside the installed package.

Each place is the platform's usual one (platformdirs) unless a setting names another
(``CWM_DATA_DIR``, ``CWM_LOG_DIR``, ``CWM_CONFIG_DIR``, ``CWM_CATALOG``; see ``settings``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from . import settings

if TYPE_CHECKING:
    from .catalog.store import Catalog

log = logging.getLogger(__name__)

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


def open_catalog() -> Catalog:
    """``$CWM_CATALOG``, else a catalog built by the user, else the packaged one (``CatalogError`` if none)."""
    from .catalog.store import Catalog, CatalogError  # loaded on first use: serve starts without it

    candidates = catalog_candidates()
    if candidates[0][0] == "CWM_CATALOG":
        return Catalog(candidates[0][1])  # an explicit choice is honoured or reported, never replaced
    for source, path in candidates:
        if not path.is_file():
            continue
        try:
            return Catalog(path)
        except CatalogError as exc:
            log.warning("not using the %s catalog: %s", source, exc)
    raise CatalogError(
        "No API catalog is installed. Build one from ConnectWise's manage.json with "
        "'cwm-gateway build-db path/to/manage.json' (it is saved under "
        f"{user_catalog()}), or point CWM_CATALOG at a built catalog."
    )
