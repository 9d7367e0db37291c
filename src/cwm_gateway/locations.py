"""Where things live on disk. Writable state never goes inside the installed package.

Each place is the platform's usual one (platformdirs) unless a setting names another
(``CWM_DATA_DIR``, ``CWM_LOG_DIR``, ``CWM_CONFIG_DIR``, ``CWM_CATALOG``; see ``settings``).
"""

from __future__ import annotations

from pathlib import Path

from . import settings

APP_NAME = "cwm-gateway"
PACKAGED_CATALOG = Path(__file__).resolve().parent / "data" / "catalog.db"


def _dirs():  # imported lazily: platformdirs is only needed once a path is asked for
    import platformdirs

    return platformdirs.PlatformDirs(APP_NAME, appauthor=False)


def data_dir() -> Path:
    """User data (fast memory, a catalog built by ``build-db``)."""
    return settings.paths().data_dir or Path(_dirs().user_data_dir)


def log_dir() -> Path:
    """Logs and the write audit trail."""
    return settings.paths().log_dir or Path(_dirs().user_log_dir)


def config_dir() -> Path:
    """The non-secret settings file."""
    return settings.paths().config_dir or Path(_dirs().user_config_dir)


def user_catalog() -> Path:
    return data_dir() / "catalog.db"


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
