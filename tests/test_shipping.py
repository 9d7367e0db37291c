"""Shipping: builds for other platforms and Pythons and the Claude Desktop configuration (the OCI image
is in test_image.py, the sandbox in test_sandbox_mode.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import PYZ, REPO, isolated_env, launch

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
    """Without --out, a build for another target is named for it: the file the Dockerfile's ARG PYZ copies."""
    result = subprocess.run([*BUILD_PYZ, "--help"], capture_output=True, text=True)
    for name in ("linux-x86_64", "linux-aarch64", "macos-arm64", "macos-x86_64", "windows-amd64"):
        assert name in result.stdout
    text = dockerfile()
    base_python = re.search(r"^ARG BASE=\S*python:(3\.\d+)-slim$", text, re.M).group(1)
    expected = REPO / re.search(r"^ARG PYZ=(\S+)$", text, re.M).group(1)
    expected.unlink(missing_ok=True)
    built = build("--platform", "linux-x86_64", "--python-version", base_python)
    assert f"wrote {expected} " in built.stderr
    with zipfile.ZipFile(expected) as archive:
        info = json.loads(archive.read("site-packages/cwm_gateway/data/build.json"))
    assert info == {"python": base_python, "platform": "linux-x86_64"}


def dockerfile() -> str:
    return (REPO / "Dockerfile").read_text()


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
