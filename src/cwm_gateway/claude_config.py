"""The MCP client configuration for this install: Claude Desktop's ``mcpServers`` entry."""

from __future__ import annotations

import json
import os
import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from .credentials import DEFAULT_PROFILE


def launch_command() -> tuple[str, list[str]]:
    """How an MCP client starts this very install: the pyz, the console script, or ``python -m``."""
    entry = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    if entry is not None and entry.suffix == ".pyz" and entry.is_file():
        return sys.executable, [str(entry)]
    script = shutil.which("cwm-gateway")
    if script:
        return str(Path(script).resolve()), []
    return sys.executable, ["-m", "cwm_gateway"]


def server_name(profile: str) -> str:
    return "connectwise" if profile == DEFAULT_PROFILE else f"connectwise-{profile}"


def server_entry(profile: str) -> dict[str, Any]:
    command, args = launch_command()
    if profile != DEFAULT_PROFILE:
        args = [*args, "--profile", profile]
    return {"command": command, "args": args}


def desktop_snippet(profile: str) -> dict[str, Any]:
    return {"mcpServers": {server_name(profile): server_entry(profile)}}


def desktop_config_path() -> Path:
    """Where Claude Desktop reads its configuration on this platform."""
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Claude" / "claude_desktop_config.json"
    if sys.platform == "win32":
        appdata = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(appdata) / "Claude" / "claude_desktop_config.json"
    return Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "Claude" / "claude_desktop_config.json"


def write_desktop_config(profile: str, path: Path | None = None) -> tuple[Path, Path | None]:
    """Merge this server into the Claude Desktop config; other servers and settings stay as they are.

    Returns (config path, backup path or None when the file did not exist).
    """
    target = path or desktop_config_path()
    document: dict[str, Any] = {}
    backup = None
    if target.exists():
        text = target.read_text(encoding="utf-8")
        try:
            document = json.loads(text) if text.strip() else {}
        except ValueError as exc:
            raise ValueError(f"{target} is not valid JSON ({exc}); fix or move it, then run again.") from None
        if not isinstance(document, dict):
            raise ValueError(f"{target} does not hold a JSON object; fix or move it, then run again.")
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = target.with_name(f"{target.name}.{stamp}.bak")
        backup.write_text(text, encoding="utf-8")
    servers = document.setdefault("mcpServers", {})
    if not isinstance(servers, dict):
        raise ValueError(f"'mcpServers' in {target} is not an object; fix it, then run again.")
    servers[server_name(profile)] = server_entry(profile)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_suffix(".tmp")
    temp.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(temp, target)
    return target, backup
