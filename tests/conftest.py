"""Shared fixtures: a catalog built from ../shared, and real MCP sessions over stdio."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mcp_client import McpSession

REPO = Path(__file__).resolve().parent.parent
SHARED_SPEC = REPO.parent / "shared" / "connectwise" / "manage-openapi.json"
PYZ = REPO / "build" / "cwm-gateway.pyz"


@pytest.fixture(scope="session")
def shared_spec() -> Path:
    assert SHARED_SPEC.is_file(), f"the shared OpenAPI definition is missing at {SHARED_SPEC}"
    return SHARED_SPEC


@pytest.fixture(scope="session")
def built_catalog(shared_spec: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cwm_gateway.catalog.builder import build_catalog

    out = tmp_path_factory.mktemp("catalog") / "catalog.db"
    build_catalog(shared_spec, out)
    return out


@pytest.fixture(scope="session")
def catalog(built_catalog: Path):
    from cwm_gateway.catalog.store import Catalog

    opened = Catalog(built_catalog)
    yield opened
    opened.close()


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for a server process whose every writable path is under ``home``."""
    env = {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", ""),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "PYTHONPATH": str(REPO / "src"),
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def pyz(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The zipapp that users run; built on demand when the test run did not build it first."""
    if not PYZ.is_file():
        subprocess.run([sys.executable, str(REPO / "scripts" / "build-pyz")], check=True)
    return PYZ


@pytest.fixture(scope="session")
def shiv_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One extraction per test run, shared by every pyz server started in it.
    return tmp_path_factory.mktemp("shiv")


@pytest.fixture(scope="module")
def server(built_catalog: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[McpSession]:
    """One server process (python -m cwm_gateway) shared by a test module's read-only tests."""
    home = tmp_path_factory.mktemp("home")
    env = isolated_env(home, CWM_CATALOG=str(built_catalog))
    with McpSession.start(sys.executable, ["-m", "cwm_gateway"], env) as session:
        yield session
