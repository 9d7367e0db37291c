"""Where things live on disk. Writable state never goes inside the installed package."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "cwm-gateway"
PACKAGED_CATALOG = Path(__file__).resolve().parent / "data" / "catalog.db"


def _dirs():  # imported lazily: platformdirs is only needed once a path is asked for
    import platformdirs

    return platformdirs.PlatformDirs(APP_NAME, appauthor=False)


def data_dir() -> Path:
    """User data (fast memory, a catalog built by ``build-db``). ``CWM_DATA_DIR`` overrides."""
    override = os.environ.get("CWM_DATA_DIR")
    return Path(override).expanduser() if override else Path(_dirs().user_data_dir)


def log_dir() -> Path:
    """Logs and the write audit trail. ``CWM_LOG_DIR`` overrides."""
    override = os.environ.get("CWM_LOG_DIR")
    return Path(override).expanduser() if override else Path(_dirs().user_log_dir)


def config_dir() -> Path:
    """The non-secret settings file. ``CWM_CONFIG_DIR`` overrides."""
    override = os.environ.get("CWM_CONFIG_DIR")
    return Path(override).expanduser() if override else Path(_dirs().user_config_dir)


def user_catalog() -> Path:
    return data_dir() / "catalog.db"


def catalog_candidates() -> list[tuple[str, Path]]:
    """Catalog locations in the order they are tried, each with where it came from.

    A catalog the user built (``cwm-gateway build-db``, into the data directory) wins over
    the one shipped inside the package; ``CWM_CATALOG`` wins over both.
    """
    found: list[tuple[str, Path]] = []
    override = os.environ.get("CWM_CATALOG")
    if override:
        found.append(("CWM_CATALOG", Path(override).expanduser()))
    found.append(("user data", user_catalog()))
    found.append(("packaged", PACKAGED_CATALOG))
    return found
