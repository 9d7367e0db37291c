"""Shared fixtures: a catalog built from the repository's definition, a ConnectWise stand-in, and MCP sessions.

Most tool tests talk to the real server built in this process (``inprocess.py``: the SDK's
in-process client, each session with its own environment, logs and clock); the end-to-end ones
start the pyz users run (or ``python -m cwm_gateway``) and speak MCP over stdio.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from inprocess import inprocess_gateway
from mcp_client import InProcessSession, McpSession

REPO = Path(__file__).resolve().parent.parent
SHARED_SPEC = REPO / "openapi" / "manage-openapi.json"  # the definition the repository carries
PYZ = REPO / "build" / "cwm-gateway.pyz"


@pytest.fixture(scope="session")
def shared_spec() -> Path:
    assert SHARED_SPEC.is_file(), f"the OpenAPI definition is missing at {SHARED_SPEC}"
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


def _pyz_is_stale() -> bool:
    if not PYZ.is_file():
        return True
    built = PYZ.stat().st_mtime
    package = REPO / "src" / "cwm_gateway"
    sources = [REPO / "pyproject.toml", REPO / "LICENSE", SHARED_SPEC, *package.rglob("*.py"), *package.rglob("*.txt")]
    return any(path.stat().st_mtime > built for path in sources)


@pytest.fixture(scope="session", autouse=True)
def pyz(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The zipapp users run, which the end-to-end tests start; rebuilt when the sources are newer."""
    if _pyz_is_stale():
        subprocess.run([sys.executable, str(REPO / "scripts" / "build-pyz")], check=True)
    # One extraction per test run, shared by every pyz server started in it.
    os.environ["CWM_TEST_SHIV_ROOT"] = str(tmp_path_factory.mktemp("shiv"))
    return PYZ


@pytest.fixture(scope="session")
def shiv_root(pyz: Path) -> Path:
    return Path(os.environ["CWM_TEST_SHIV_ROOT"])


def launch(kind: str, env: dict[str, str]) -> tuple[str, list[str], dict[str, str]]:
    """(command, args, env) that start the server: the pyz users run, or the source tree (``-m``)."""
    if kind == "pyz":
        env = {k: v for k, v in env.items() if k != "PYTHONPATH"}  # only what is inside the zipapp
        env["SHIV_ROOT"] = os.environ["CWM_TEST_SHIV_ROOT"]
        return sys.executable, [str(PYZ)], env
    return sys.executable, ["-m", "cwm_gateway"], env


@pytest.fixture(scope="module", params=["inprocess", "pyz"])
def server(request: pytest.FixtureRequest, built_catalog: Path, tmp_path_factory: pytest.TempPathFactory):
    """A server shared by a module's read-only tests: built in-process, and the pyz users run over stdio."""
    with gateway(tmp_path_factory.mktemp("home"), built_catalog, {}, kind=request.param) as session:
        yield session


# -- a ConnectWise stand-in and servers pointed at it -------------------------------

COMPANY, PUBLIC_KEY, PRIVATE_KEY = "labtech", "pubkey123", "privkey456-very-secret"
CLIENT_ID = "00000000-0000-4000-8000-000000000001"


@pytest.fixture(scope="module")
def standin():
    from cwm_gateway.sandbox import StandIn

    with StandIn(company_id=COMPANY, public_key=PUBLIC_KEY, private_key=PRIVATE_KEY, client_id=CLIENT_ID) as cw:
        yield cw


@pytest.fixture(scope="module")
def listener():
    """A second origin on 127.0.0.1 that must never receive anything."""
    from cwm_gateway.sandbox import Listener

    with Listener() as other:
        yield other


def connectwise_env(standin, **extra: str) -> dict[str, str]:
    env = {
        "CONNECTWISE_API_URL": standin.base_url,
        "CONNECTWISE_COMPANY_ID": COMPANY,
        "CONNECTWISE_PUBLIC_KEY": PUBLIC_KEY,
        "CONNECTWISE_PRIVATE_KEY": PRIVATE_KEY,
        "CONNECTWISE_CLIENT_ID": CLIENT_ID,
        "CWM_TIMEOUT": "2",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    env.update(extra)
    return env


@contextmanager
def gateway(
    home: Path, catalog: Path, env: dict[str, str], kind: str = "inprocess", mode: str = "legacy"
) -> Iterator[McpSession | InProcessSession]:
    """The gateway, every writable path under ``home``: built in this process, or (``kind="pyz"`` or
    ``"module"``) a server process over stdio. Both sessions have the same ``call`` and ``list_tools``.
    ``mode`` picks the protocol era: "legacy" or "2026-07-28"."""
    full = isolated_env(home, CWM_CATALOG=str(catalog), **env)
    if kind == "inprocess":
        with inprocess_gateway(home, full, mode=mode) as session:
            yield session
        return
    command, args, full = launch(kind, full)
    with McpSession.start(command, args, full, mode=mode) as session:
        yield session


@pytest.fixture(scope="module")
def cw_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cwhome")


@pytest.fixture(scope="module")
def cw(standin, built_catalog: Path, cw_home: Path) -> Iterator[InProcessSession]:
    """A gateway (in-process) configured for the stand-in, shared by a module's tests."""
    with gateway(cw_home, built_catalog, connectwise_env(standin)) as session:
        yield session


# -- the team server's PostgreSQL ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL for the whole run (``postgres.PostgresServer``), stopped at the end."""
    from postgres import PostgresServer

    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server) -> str:
    """A database shared by the whole run: ``postgresql://postgres:...@127.0.0.1:PORT/cwm``."""
    return postgres_server.create_database("cwm")


_databases = iter(range(1, 10**6))


@pytest.fixture
def database_url(postgres_server) -> str:
    """A new, empty database for one test (not migrated)."""
    return postgres_server.create_database(f"cwm_test_{next(_databases)}")
