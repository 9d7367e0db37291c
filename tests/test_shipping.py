"""Shipping: builds for other platforms and Pythons, the Claude Desktop configuration, and the sandbox
(the OCI image is in test_image.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import PYZ, REPO, isolated_env, launch
from mcp_client import McpSession

BUILD_PYZ = [sys.executable, str(REPO / "scripts" / "build-pyz")]


def build(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*BUILD_PYZ, *args], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return result


def names_in(pyz: Path) -> set[str]:
    with zipfile.ZipFile(pyz) as archive:
        return {name.split("/")[1] for name in archive.namelist() if name.startswith("site-packages/")}


def test_cross_platform_build_resolves_the_targets_own_dependencies(tmp_path: Path) -> None:
    out = tmp_path / "cwm-gateway-windows-amd64-py3.12.pyz"
    result = build("--platform", "windows-amd64", "--python-version", "3.12", "--out", str(out))
    assert "MB" in result.stderr  # the size is reported
    packages = names_in(out)
    assert "win32ctypes" in packages  # keyring's Windows backend
    assert "secretstorage" not in packages and "jeepney" not in packages  # Linux-only
    assert any(name.startswith("pydantic_core") for name in packages)
    with zipfile.ZipFile(out) as archive:
        wheels = [n for n in archive.namelist() if n.endswith((".pyd", ".so"))]
        info = json.loads(archive.read("site-packages/cwm_gateway/data/build.json"))
        assert not any("/tests/" in n for n in archive.namelist())
        assert "site-packages/cwm_gateway/data/catalog.db" in archive.namelist()
    assert all(n.endswith(".pyd") for n in wheels)
    assert info == {"python": "3.12", "platform": "windows-amd64"}
    assert any(name.startswith("mcp-2.") and name.endswith(".dist-info") for name in packages)  # the current SDK


def test_a_pyz_refuses_the_wrong_python_with_a_clear_message(tmp_path: Path) -> None:
    other = "3.12" if sys.version_info[:2] != (3, 12) else "3.11"
    out = tmp_path / f"cwm-gateway-py{other}.pyz"
    build("--python-version", other, "--out", str(out))
    run = subprocess.run(
        [sys.executable, str(out), "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SHIV_ROOT": str(tmp_path / "shiv")},
    )
    assert run.returncode == 2
    assert f"built for Python {other}" in run.stderr and "build-pyz --python-version" in run.stderr
    assert "Traceback" not in run.stderr


def test_outputs_are_named_by_platform_and_python() -> None:
    result = subprocess.run([*BUILD_PYZ, "--help"], capture_output=True, text=True)
    for name in ("linux-x86_64", "linux-aarch64", "macos-arm64", "macos-x86_64", "windows-amd64"):
        assert name in result.stdout


# -- Claude Desktop ------------------------------------------------------------------


def test_config_claude_prints_the_entry_for_this_install(tmp_path: Path) -> None:
    command, args, env = launch("pyz", isolated_env(tmp_path))
    printed = subprocess.run([command, *args, "config", "claude"], capture_output=True, text=True, env=env)
    entry = json.loads(printed.stdout)["mcpServers"]["connectwise"]
    assert entry == {"command": sys.executable, "args": [str(PYZ)]}
    named = subprocess.run(
        [command, *args, "--profile", "acme", "config", "claude"], capture_output=True, text=True, env=env
    )
    assert json.loads(named.stdout)["mcpServers"]["connectwise-acme"]["args"] == [str(PYZ), "--profile", "acme"]


def test_config_claude_write_merges_and_keeps_a_backup(tmp_path: Path) -> None:
    target = tmp_path / "claude_desktop_config.json"
    original = {
        "mcpServers": {"filesystem": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem"]}},
        "globalShortcut": "Ctrl+Space",
    }
    target.write_text(json.dumps(original, indent=2))
    command, args, env = launch("pyz", isolated_env(tmp_path))
    written = subprocess.run(
        [command, *args, "config", "claude", "--write", "--file", str(target)], capture_output=True, text=True, env=env
    )
    assert written.returncode == 0, written.stderr
    merged = json.loads(target.read_text())
    assert merged["mcpServers"]["filesystem"] == original["mcpServers"]["filesystem"]
    assert merged["globalShortcut"] == "Ctrl+Space"
    assert merged["mcpServers"]["connectwise"]["args"] == [str(PYZ)]
    backups = list(tmp_path.glob("claude_desktop_config.json.*.bak"))
    assert len(backups) == 1 and json.loads(backups[0].read_text()) == original
    assert "PRIVATE" not in target.read_text().upper()

    target.write_text("{ not json")
    broken = subprocess.run(
        [command, *args, "config", "claude", "--write", "--file", str(target)], capture_output=True, text=True, env=env
    )
    assert broken.returncode == 2 and "not valid JSON" in broken.stderr
    assert target.read_text() == "{ not json"  # left for the user to fix, not overwritten


# -- sandbox -------------------------------------------------------------------------


def test_sandbox_serves_sample_data_and_says_so(tmp_path: Path) -> None:
    command, args, env = launch("pyz", isolated_env(tmp_path))
    with McpSession.start(command, [*args, "serve", "--sandbox"], env) as session:
        tickets = session.call("execute_api_call", path="/service/tickets", params={"pageSize": 3})
        assert not tickets.is_error, tickets.text
        assert tickets.text.startswith("[SANDBOX: sample data")
        assert "sample data" in tickets.data["data_source"] and tickets.data["item_count"] == 3
        search = session.call("natural_language_api_search", query="open tickets")
        assert "SANDBOX" in search.text
        saved = session.call(
            "save_to_fast_memory", path="/service/boards", method="GET", description="boards", params={"pageSize": 5}
        )
        assert not saved.is_error
        run = session.call("run_saved_query", query_id=saved.data["id"])
        assert not run.is_error and run.data["item_count"] == 5
        created = session.call(
            "execute_api_call",
            path="/service/tickets",
            method="POST",
            data={"summary": "Try me", "board": {"id": 1}, "company": {"id": 251}},
        )
        assert not created.is_error, created.text
    assert not (tmp_path / "data" / "cwm-gateway" / "fast_memory.db").exists()  # the real memory is untouched
