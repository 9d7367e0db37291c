"""``cwm-gateway doctor``: where every setting comes from, and whether ConnectWise answers.

Secrets are shown only as "set" or "missing": not even their length is printed.
"""

from __future__ import annotations

import json
import time
from typing import TextIO

from . import __version__, audit, credentials, locations

SHOWN = ("api_url", "site", "company_id", "public_key", "private_key", "auth_prefix", "client_id", "api_version")
HIDDEN = ("public_key", "private_key")


def run(profile: str | None, check: bool, out: TextIO) -> int:
    problems: list[str] = []
    settings = credentials.load_settings(profile)
    out.write(f"cwm-gateway {__version__}, profile '{settings.profile}' (--profile / CWM_PROFILE)\n\n")

    out.write("Settings (first source wins: environment, keyring, config file)\n")
    for key in SHOWN:
        name = credentials.ENVIRONMENT[key]
        value = settings.get(key)
        shown = "set (hidden)" if value and key in HIDDEN else value or "-"
        out.write(f"  {name:<26} {shown:<58} [{settings.source(key)}]\n")
    _, note = settings.client_id()
    if note:
        out.write(f"  note: {note}\n")
    missing = settings.missing()
    if missing:
        problems.append("missing " + ", ".join(missing) + ": run 'cwm-gateway setup' or set them in the environment")

    out.write("\nKeyring\n")
    try:
        backend = credentials.keyring_backend()
        out.write(f"  backend: {type(backend).__module__}.{type(backend).__name__}\n")
    except credentials.KeyringUnavailable as exc:
        out.write("  backend: none usable (credentials must come from the environment)\n")
        if any(settings.source(k) == "unset" for k in credentials.KEYRING_SETTINGS):
            problems.append(str(exc))
    except Exception as exc:
        out.write(f"  backend: error {type(exc).__name__}\n")

    out.write("\nCatalog\n")
    api_version = settings.get("api_version") or ""
    from .catalog.store import CatalogError

    try:
        catalog = locations.open_catalog()
        counts = catalog.counts()
        api_version = api_version or catalog.api_version
        out.write(
            f"  {catalog.path}\n  {counts['operations']} operations, {counts['categories']} categories, "
            f"{counts['schemas']} schemas; definition {catalog.info().get('spec_version', '?')}, "
            f"API version {catalog.api_version or '?'}\n"
        )
    except CatalogError as exc:
        out.write("  unavailable (see Problems to fix)\n")  # each message is printed once, below
        problems.append(str(exc))

    problems += _write_policy(out)

    out.write("\nFiles\n")
    out.write(f"  config file: {credentials.config_path()}\n")
    from .memory import FILE_NAME, FastMemoryError, MemoryStore

    memory_path = locations.data_dir() / FILE_NAME
    saved = ""
    if memory_path.exists():
        try:
            saved = f" ({len(MemoryStore(memory_path).list())} saved queries)"
        except FastMemoryError as exc:
            problems.append(str(exc))
    out.write(f"  fast memory: {memory_path}{saved}\n")
    out.write(f"  log:         {locations.log_dir() / 'cwm-gateway.log'}\n")
    out.write(f"  audit log:   {audit.audit_path()}\n")

    out.write("\nLive check\n")
    if not check:
        out.write("  skipped (--no-check)\n")
    elif missing:
        out.write("  skipped: credentials incomplete\n")
    else:
        problem = _live_check(settings, api_version, out)
        if problem:
            problems.append(problem)

    out.write("\n")
    if problems:
        out.write("Problems to fix:\n" + "".join(f"  - {p}\n" for p in problems))
        return 1
    out.write("All good.\n")
    return 0


def _live_check(settings: credentials.Settings, api_version: str, out: TextIO) -> str | None:
    from .client import ConnectWiseClient, ConnectWiseError

    try:
        client = ConnectWiseClient(settings, api_version, timeout=15)
        started = time.perf_counter()
        response = client.request("GET", "/system/info")
        elapsed = (time.perf_counter() - started) * 1000
    except ConnectWiseError as exc:
        out.write("  GET /system/info failed (see Problems to fix)\n")
        return f"ConnectWise could not be reached: {exc}"
    if response.status == 200:
        try:
            version = json.loads(response.body).get("version", "?")
        except (ValueError, AttributeError):
            version = "?"
        out.write(f"  GET /system/info -> 200 in {elapsed:.0f} ms (ConnectWise {version})\n")
        return None
    out.write(f"  GET /system/info -> {response.status} in {elapsed:.0f} ms\n")
    if response.status == 401:
        return "ConnectWise rejected the credentials (401): check company ID, public key and private key"
    return f"/system/info answered {response.status}"


def _write_policy(out: TextIO) -> list[str]:
    """CWM_READ_ONLY and CWM_WRITE_ALLOW as the gateway reads them; entries that allow nothing are problems."""
    from .catalog.store import CatalogError
    from .execution import Policy

    policy = Policy.from_env()
    out.write("\nWrite policy\n")
    state = "on: only GET and read-only POST queries are sent" if policy.read_only else "off"
    out.write(f"  CWM_READ_ONLY   {state}\n")
    if policy.write_allow is None:
        out.write("  CWM_WRITE_ALLOW not set: every write may be sent (DELETE still needs confirm=true)\n")
        return []
    try:
        catalog = locations.open_catalog()
    except CatalogError:
        catalog = None  # reported above; the entries are shown as written
    if catalog is not None:
        policy = policy.resolved(catalog)
        catalog.close()
    allowed = ", ".join(sorted(f"{m} {p}" for m, p in policy.write_allow or ())) or "nothing"
    out.write(f"  CWM_WRITE_ALLOW writes allowed: {allowed}\n")
    return [f"CWM_WRITE_ALLOW: {problem}" for problem in policy.write_allow_problems]
