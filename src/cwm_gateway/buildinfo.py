"""What a zipapp was built for, checked before anything else is imported.

A pyz carries compiled extensions (pydantic-core) for one Python version and platform;
on another they fail deep inside an import. Refusing up front says what to do instead.
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

BUILD_INFO = Path(__file__).resolve().parent / "data" / "build.json"


def current_platform() -> str:
    machine = platform.machine().lower()
    if sys.platform == "darwin":
        return "macos-arm64" if machine in ("arm64", "aarch64") else "macos-x86_64"
    if sys.platform == "win32":
        return "windows-amd64"
    return f"linux-{ {'amd64': 'x86_64', 'arm64': 'aarch64'}.get(machine, machine) }"


def mismatch() -> str | None:
    """A message when this build does not fit the running interpreter, else None."""
    try:
        info = json.loads(BUILD_INFO.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # not a pyz build (a pip install or a source checkout)
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    wanted_python, wanted_platform = info.get("python"), info.get("platform")
    here = current_platform()
    if wanted_python == running and wanted_platform in (None, here):
        return None
    return (
        f"This cwm-gateway.pyz was built for Python {wanted_python} on {wanted_platform}; this is Python "
        f"{running} on {here}. Run it with python{wanted_python}, or build one for this machine with "
        f"scripts/build-pyz --python-version {running} --platform {here} (or use the matching download)."
    )
