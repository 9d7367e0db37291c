"""Python install paths: the sdist carries the definition, every wheel built from it carries the
catalog, and the installed wheel searches and serves with nothing else (pip, uvx)."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, isolated_env
from mcp_client import McpSession

VERSION = re.search(r'__version__ = "([^"]+)"', (REPO / "src" / "cwm_gateway" / "__init__.py").read_text()).group(1)
UV_CACHE = REPO / "build" / "uv-cache"  # kept between runs: uv downloads each dependency once


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``python -m build``: the sdist from the repository, then the wheel from the sdist, unpacked in
    a temporary folder with nothing beside it."""
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(REPO)], capture_output=True, text=True, timeout=600
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return next(out.glob("cwm_gateway-*.tar.gz")), next(out.glob("cwm_gateway-*.whl"))


@pytest.fixture(scope="session")
def installed(dist: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel (and its dependencies) installed: its bin folder."""
    target = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(target)
    bindir = target / "bin"
    pip = [str(bindir / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(dist[1])]
    done = subprocess.run(pip, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return bindir


def user_env(home: Path) -> dict[str, str]:
    """What a user's shell has: no source tree on the path, no catalog override."""
    env = isolated_env(home)
    env.pop("PYTHONPATH")
    return env


def test_the_sdist_carries_the_definition_and_the_wheel_a_full_catalog(dist: tuple[Path, Path], tmp_path: Path) -> None:
    sdist, wheel = dist
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"openapi/manage-openapi.json", "openapi/README.md", "setup.py", "pyproject.toml"} <= names
    assert not any(name.endswith(".db") for name in names)  # the catalog is built, never shipped as source
    with zipfile.ZipFile(wheel) as archive:
        (tmp_path / "catalog.db").write_bytes(archive.read("cwm_gateway/data/catalog.db"))
        assert "cwm_gateway/catalog/lexicon.txt" in archive.namelist()
    with sqlite3.connect(tmp_path / "catalog.db") as db:
        operations = db.execute("SELECT count(*) FROM operations").fetchone()[0]
    assert operations == 3059  # every operation of openapi/manage-openapi.json


def test_the_installed_wheel_searches_and_serves_the_sandbox(installed: Path, tmp_path: Path) -> None:
    env = user_env(tmp_path)
    found = subprocess.run(
        [str(installed / "cwm-gateway"), "search", "close", "ticket", "4521"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert found.returncode == 0, found.stderr
    assert "PATCH /service/tickets/{id}" in found.stdout.splitlines()[1]
    module = subprocess.run(
        [str(installed / "python"), "-m", "cwm_gateway", "--version"], capture_output=True, text=True, env=env
    )
    assert module.returncode == 0 and module.stdout.strip() == f"cwm-gateway {VERSION}"
    with McpSession.start(str(installed / "cwm-gateway"), ["serve", "--sandbox"], env) as session:
        assert len(session.list_tools()) >= 11
        tickets = session.call("execute_api_call", path="/service/tickets", params={"pageSize": 2})
        assert not tickets.is_error, tickets.text
        assert tickets.data["item_count"] == 2
        search = session.call("natural_language_api_search", query="add a note to ticket 12")
        assert search.data["results"][0]["path"] == "/service/tickets/{parentId}/notes"


def test_uvx_runs_the_wheel(dist: tuple[Path, Path], tmp_path: Path) -> None:
    """``uvx --from cwm_gateway-....whl cwm-gateway``: uv installs the wheel and its dependencies itself."""
    env = {
        **os.environ,
        **user_env(tmp_path),
        "UV_CACHE_DIR": str(UV_CACHE),
        "UV_TOOL_DIR": str(tmp_path / "uv-tools"),
        "UV_PYTHON_DOWNLOADS": "never",  # use a Python that is here
    }
    uv = Path(sys.executable).parent / "uv"
    command = [str(uv), "tool", "run", "--from", str(dist[1]), "cwm-gateway", "search", "--keyword", "ticket", "notes"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "/service/tickets/{parentId}/notes" in done.stdout


def test_a_wheel_build_without_a_definition_says_what_is_missing(tmp_path: Path) -> None:
    missing = tmp_path / "manage.json"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(tmp_path / "out"), str(REPO)],
        capture_output=True,
        text=True,
        env={**os.environ, "CWM_SPEC": str(missing)},
        timeout=600,
    )
    assert built.returncode != 0
    assert f"no OpenAPI definition at {missing}" in built.stdout + built.stderr
    assert not list(tmp_path.rglob("*.whl"))


def test_nothing_that_builds_or_runs_reads_beside_the_repository() -> None:
    """The definition lives in openapi/; only the search dev set may still come from ../shared (bench, tests)."""
    sources = [REPO / "setup.py", REPO / "Dockerfile", *(REPO / "scripts").iterdir(), *(REPO / ".ci").iterdir()]
    sources += [*(REPO / "src").rglob("*.py"), *(REPO / ".github").rglob("*.yml"), REPO / "tests" / "conftest.py"]
    pattern = re.compile(r"\.\./shared|[\"']shared[\"']\s*/|/\s*[\"']shared[\"']")
    offenders = [str(path.relative_to(REPO)) for path in sources if path.is_file() and pattern.search(path.read_text())]
    assert offenders == []
