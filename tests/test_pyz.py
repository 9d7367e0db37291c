"""The zipapp users run: built by scripts/build-pyz, with the catalog inside."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import isolated_env
from mcp_client import McpSession


def run_pyz(pyz: Path, shiv_root: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = isolated_env(home, SHIV_ROOT=str(shiv_root))
    env.pop("PYTHONPATH")
    return subprocess.run([sys.executable, str(pyz), *args], capture_output=True, text=True, env=env, timeout=120)


def test_version_help_and_terminal_search(pyz: Path, shiv_root: Path, tmp_path: Path) -> None:
    version = run_pyz(pyz, shiv_root, tmp_path, "--version")
    assert version.returncode == 0 and version.stdout.startswith("cwm-gateway ")
    helped = run_pyz(pyz, shiv_root, tmp_path, "--help")
    assert "build-db" in helped.stdout and "search" in helped.stdout
    found = run_pyz(pyz, shiv_root, tmp_path, "search", "ticket", "notes", "--keyword")
    assert found.returncode == 0, found.stderr
    assert "/service/tickets/{parentId}/notes" in found.stdout


def test_pyz_serves_mcp_with_its_embedded_catalog(pyz: Path, shiv_root: Path, tmp_path: Path) -> None:
    env = isolated_env(tmp_path, SHIV_ROOT=str(shiv_root))
    env.pop("PYTHONPATH")  # only what is inside the zipapp
    with McpSession.start(sys.executable, [str(pyz)], env) as session:
        names = {tool.name for tool in session.list_tools()}
        assert len(names) >= 11
        details = session.call("get_api_endpoint_details", path="/service/tickets", method="POST")
        assert not details.is_error
        fields = {f["name"] for f in details.data["request_body"]["fields"]}
        assert {"summary", "board", "company", "initialDescription"} <= fields
        categories = session.call("list_api_categories")
        assert categories.data["total_categories"] >= 500 and categories.data["total_operations"] >= 3000
    # Logs went to the user log directory, not into the package.
    assert (tmp_path / "state" / "cwm-gateway" / "log" / "cwm-gateway.log").exists()


def test_the_pyz_carries_the_license_its_metadata_declares(pyz: Path) -> None:
    with zipfile.ZipFile(pyz) as archive:
        names = archive.namelist()
        (license_file,) = [n for n in names if re.fullmatch(r"site-packages/cwm_gateway-[^/]+/licenses/LICENSE", n)]
        text = archive.read(license_file).decode()
        metadata = archive.read(license_file.replace("licenses/LICENSE", "METADATA")).decode()
    assert "License-Expression: MIT" in metadata and "License-File: LICENSE" in metadata
    assert text.startswith("MIT License") and "Copyright (c) 2026 cwm-gateway developers" in text
    assert "Permission is hereby granted, free of charge" in text
