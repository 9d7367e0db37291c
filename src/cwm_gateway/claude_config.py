"""The MCP client configuration for this install: Claude Desktop's ``mcpServers`` entry."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .credentials import ENVIRONMENT, KEYRING_SETTINGS, read_keyring
from .settings import DEFAULT_PROFILE

# The seed product this server replaces; its entry, left beside ours, would offer the same tool names twice.
OLDER_SERVER = "CWM-API-Gateway-MCP"
SEED_MEMORY = Path("api_gateway") / "fast_memory_api.db"  # inside the seed's folder, next to its server.py
KEY_VARIABLES = tuple(ENVIRONMENT[name] for name in KEYRING_SETTINGS)


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
    """Where Claude Desktop reads its configuration on this platform.

    Claude keeps it in the platform's user config directory: ``~/Library/Application Support/Claude``
    on macOS, ``%APPDATA%\\Claude`` on Windows, ``$XDG_CONFIG_HOME/Claude`` (``~/.config/Claude``) on Linux.
    """
    import platformdirs

    return Path(platformdirs.user_config_dir("Claude", appauthor=False, roaming=True)) / "claude_desktop_config.json"


@dataclass
class WriteReport:
    """What ``config claude --write`` did, to tell the user."""

    path: Path
    name: str
    backup: Path | None = None
    replaced: list[str] = field(default_factory=list)  # older server entries removed
    kept_env: list[str] = field(default_factory=list)  # variables carried into our entry
    left_out: list[str] = field(default_factory=list)  # keys dropped because the keyring holds them
    seed_memory: list[Path] = field(default_factory=list)  # the older server's saved queries, if found

    def lines(self) -> list[str]:
        saved = f" (previous version saved as {self.backup.name})" if self.backup else ""
        if self.replaced:
            older = ", ".join(f'"{name}"' for name in self.replaced)
            out = [f'Replaced the older {OLDER_SERVER} entry {older} with "{self.name}" in {self.path}{saved}.']
            if self.kept_env:
                out.append("Kept its settings in the new entry's env: " + ", ".join(self.kept_env) + ".")
        else:
            out = [f"Added the cwm-gateway server to {self.path}{saved}."]
        if self.left_out:
            out.append(
                "Left out " + ", ".join(self.left_out) + ": the OS keyring holds the keys 'cwm-gateway setup' stored."
            )
        elif any(name in self.kept_env for name in KEY_VARIABLES):
            out.append(
                "The keys are still in that file: run 'cwm-gateway setup', then this again, to keep them in the "
                "OS keyring instead."
            )
        for seed in self.seed_memory:
            out.append(f"Bring its saved queries along: cwm-gateway memory import-seed {seed}")
        out.append("Restart Claude Desktop to load it.")
        return out


def is_older_server(entry: Any) -> bool:
    """An entry whose command or args name the seed product (npx package, checkout path, npm binary)."""
    if not isinstance(entry, dict):
        return False
    args = entry.get("args") if isinstance(entry.get("args"), list) else []
    return any(isinstance(part, str) and OLDER_SERVER.lower() in part.lower() for part in [entry.get("command"), *args])


def seed_memory_files(entry: dict[str, Any]) -> list[Path]:
    """The older server's ``fast_memory_api.db``, found from the checkout path in its command or args."""
    found: list[Path] = []
    args = entry.get("args") if isinstance(entry.get("args"), list) else []
    for part in [entry.get("command"), *args]:
        if not isinstance(part, str):
            continue
        match = re.search(re.escape(OLDER_SERVER) + r"[^/\\]*", part, re.IGNORECASE)
        if match is None:
            continue
        candidate = Path(part[: match.end()]) / SEED_MEMORY
        if candidate.is_file() and candidate not in found:
            found.append(candidate)
    return found


def _merged_env(entries: list[Any], profile: str, report: WriteReport) -> dict[str, str]:
    """The entries' env merged in order; keys the keyring already holds are left out of the file."""
    env: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("env"), dict):
            env.update({str(k): v for k, v in entry["env"].items() if isinstance(v, str)})
    stored = read_keyring(profile) if any(name in env for name in KEY_VARIABLES) else {}
    if all(stored.get(name) for name in KEYRING_SETTINGS):
        report.left_out = [name for name in KEY_VARIABLES if env.pop(name, None) is not None]
    report.kept_env = list(env)
    return env


def write_desktop_config(profile: str, path: Path | None = None) -> WriteReport:
    """Merge this server into the Claude Desktop config; other servers and settings stay as they are.

    An entry for the older CWM-API-Gateway-MCP server is replaced by ours, its env kept.
    """
    target = path or desktop_config_path()
    report = WriteReport(target, server_name(profile))
    document: dict[str, Any] = {}
    if target.exists():
        text = target.read_text(encoding="utf-8")
        try:
            document = json.loads(text) if text.strip() else {}
        except ValueError as exc:
            raise ValueError(f"{target} is not valid JSON ({exc}); fix or move it, then run again.") from None
        if not isinstance(document, dict):
            raise ValueError(f"{target} does not hold a JSON object; fix or move it, then run again.")
        report.backup = _backup_path(target)
        shutil.copy2(target, report.backup)  # same permissions: the file may hold keys
    servers = document.setdefault("mcpServers", {})
    if not isinstance(servers, dict):
        raise ValueError(f"'mcpServers' in {target} is not an object; fix it, then run again.")
    older = {name: entry for name, entry in servers.items() if is_older_server(entry)}
    for name in older:
        del servers[name]
    report.replaced = list(older)
    report.seed_memory = [seed for old in older.values() for seed in seed_memory_files(old)]
    # The older server's settings, then any the user put in our own entry, carry over.
    env = _merged_env([*older.values(), servers.get(report.name)], profile, report)
    entry = server_entry(profile)
    if env:
        entry["env"] = env
    servers[report.name] = entry
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_suffix(".tmp")
    temp.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    if report.backup is not None:
        shutil.copymode(report.backup, temp)
    os.replace(temp, target)
    return report


def _backup_path(target: Path) -> Path:
    """A new name for each backup: two runs in one second must not overwrite the original's copy."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = target.with_name(f"{target.name}.{stamp}.bak")
    number = 1
    while backup.exists():
        number += 1
        backup = target.with_name(f"{target.name}.{stamp}-{number}.bak")
    return backup
