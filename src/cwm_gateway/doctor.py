"""``cwm-gateway doctor``: where every setting comes from, and whether ConnectWise answers.

Secrets are shown only as "set" or "missing": not even their length is printed.
"""

from __future__ import annotations

from typing import TextIO

from . import __version__, audit, credentials, locations, settings
from .catalog.store import CatalogError

SHOWN = tuple(credentials.ENVIRONMENT)  # every ConnectWise setting, in the README's order
HIDDEN = credentials.SECRETS
LIMITS = ("CWM_TIMEOUT", "CWM_DEADLINE", "CWM_MAX_RESPONSE_BYTES", "CWM_MAX_RESPONSE_CHARS")


def run(profile: str | None, check: bool, out: TextIO) -> int:
    loaded = credentials.load_settings(profile)
    out.write(f"cwm-gateway {__version__}, profile '{loaded.profile}' (--profile / CWM_PROFILE)\n\n")
    problems = _write_settings(loaded, out)
    problems += _write_keyring(loaded, out)
    api_version, catalog_problems = _write_catalog(loaded.get("api_version") or "", out)
    problems += catalog_problems
    problems += _write_calls(out)
    problems += _write_policy(out)
    problems += _write_files(out)
    out.write("\nLive check\n")
    if not check:
        out.write("  skipped (--no-check)\n")
    elif loaded.missing():
        out.write("  skipped: credentials incomplete\n")
    else:
        problems += _live_check(loaded, api_version, out)
    out.write("\n")
    if problems:
        out.write("Problems to fix:\n" + "".join(f"  - {p}\n" for p in problems))
        return 1
    out.write("All good.\n")
    return 0


def _write_settings(loaded: credentials.Settings, out: TextIO) -> list[str]:
    out.write("Settings (first source wins: environment, keyring, config file)\n")
    for key in SHOWN:
        value = loaded.get(key)
        shown = "set (hidden)" if value and key in HIDDEN else value or "-"
        out.write(f"  {credentials.ENVIRONMENT[key]:<26} {shown:<58} [{loaded.source(key)}]\n")
    _, note = loaded.client_id()
    if note:
        out.write(f"  note: {note}\n")
    missing = loaded.missing()
    if missing:
        return ["missing " + ", ".join(missing) + ": run 'cwm-gateway setup' or set them in the environment"]
    return []


def _write_keyring(loaded: credentials.Settings, out: TextIO) -> list[str]:
    out.write("\nKeyring\n")
    try:
        backend = credentials.keyring_backend()
        out.write(f"  backend: {type(backend).__module__}.{type(backend).__name__}\n")
    except credentials.KeyringUnavailable as exc:
        out.write("  backend: none usable (credentials must come from the environment)\n")
        if any(loaded.source(k) == "unset" for k in credentials.KEYRING_SETTINGS):
            return [str(exc)]
    except Exception as exc:
        out.write(f"  backend: error {type(exc).__name__}\n")
    return []


def _write_catalog(api_version: str, out: TextIO) -> tuple[str, list[str]]:
    """The catalog in use; returns the API version to ask for (the setting, else the catalog's)."""
    out.write("\nCatalog\n")
    try:
        catalog = locations.open_catalog()
    except CatalogError as exc:
        out.write("  unavailable (see Problems to fix)\n")  # each message is printed once, below
        return api_version, [str(exc)]
    counts = catalog.counts()
    out.write(
        f"  {catalog.path}\n  {counts['operations']} operations, {counts['categories']} categories, "
        f"{counts['schemas']} schemas; definition {catalog.info().get('spec_version', '?')}, "
        f"API version {catalog.api_version or '?'}\n"
    )
    api_version = api_version or catalog.api_version
    catalog.close()
    return api_version, []


def _write_calls(out: TextIO) -> list[str]:
    """Timeouts and size limits as the gateway reads them; values it could not use are problems."""
    calls = settings.calls()
    deadline = f"{calls.deadline:g} s" if calls.deadline is not None else f"{2 * calls.timeout:g} s (2 x CWM_TIMEOUT)"
    shown = {
        "CWM_TIMEOUT": f"{calls.timeout:g} s",
        "CWM_DEADLINE": deadline,
        "CWM_MAX_RESPONSE_BYTES": f"{calls.max_bytes:,} bytes",
        "CWM_MAX_RESPONSE_CHARS": f"{calls.max_chars:,} characters",
    }
    out.write("\nCalls\n")
    for name in LIMITS:
        out.write(f"  {name:<26} {shown[name]:<58} [{settings.source(name)}]\n")
    return list(calls.problems)


def _write_policy(out: TextIO) -> list[str]:
    """CWM_READ_ONLY, CWM_CONFIRM_WRITES and CWM_WRITE_ALLOW as the gateway reads them; entries that allow
    nothing are problems."""
    from .execution import Policy

    policy = Policy.from_env()
    out.write("\nWrite policy\n")
    state = "on: only GET and read-only POST queries are sent" if policy.read_only else "off"
    out.write(f"  CWM_READ_ONLY   {state}\n")
    confirmed = "every write" if policy.confirm_writes else "DELETE only"
    out.write(f"  CWM_CONFIRM_WRITES {'on' if policy.confirm_writes else 'off'}: the person confirms {confirmed}\n")
    if policy.write_allow is None:
        out.write("  CWM_WRITE_ALLOW not set: every write may be sent (once confirmed where confirmation applies)\n")
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


def _write_files(out: TextIO) -> list[str]:
    from .memory import FILE_NAME, FastMemoryError, MemoryStore

    problems: list[str] = []
    out.write("\nFiles\n")
    out.write(f"  config file: {credentials.config_path()}\n")
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
    return problems


def _live_check(loaded: credentials.Settings, api_version: str, out: TextIO) -> list[str]:
    from .keycheck import PROBE, check_keys

    result = check_keys(loaded, api_version, timeout=15)
    if result.status is None:
        out.write(f"  GET {PROBE} failed (see Problems to fix)\n")
        return [result.message]
    out.write(f"  GET {PROBE} -> {result.status} in {result.elapsed_ms:.0f} ms")
    out.write(f" (ConnectWise {result.version})\n" if result.ok else "\n")
    return [] if result.ok else [result.message]
