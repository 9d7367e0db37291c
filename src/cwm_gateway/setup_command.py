"""``cwm-gateway setup``: find the API URL, check the keys, store them once.

The private key goes to the OS keyring and nowhere else; the other settings go to the
config file. Nothing is stored unless ConnectWise accepted the keys (or --no-verify).
"""

from __future__ import annotations

import argparse
import getpass
import json
import ssl
import sys
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import urlsplit

from . import credentials
from .client import LOOPBACK_HOSTS

REQUIRED = (
    ("company_id", "--company-id", "Company ID (the one you log in to ConnectWise with)"),
    ("public_key", "--public-key", "API public key"),
    ("client_id", "--client-id", "Client ID (GUID from developer.connectwise.com)"),
)


class SetupError(Exception):
    """Setup cannot go on; the message says why and what to do. Nothing has been stored."""


@dataclass
class Site:
    scheme: str
    host: str  # host[:port]

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}"


def parse_site(value: str) -> Site:
    """``na.myconnectwise.net`` or ``https://...``; plain http only for loopback labs and tests."""
    text = value.strip().rstrip("/")
    if "://" in text:
        parts = urlsplit(text)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise SetupError(f"--site must be a host like na.myconnectwise.net or an https:// URL (got {value!r}).")
        if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
            raise SetupError("--site may use http:// only for 127.0.0.1 or localhost; use https:// for real sites.")
        return Site(parts.scheme, parts.netloc)
    if not text or "/" in text or " " in text:
        raise SetupError(f"--site must be a host like na.myconnectwise.net (got {value!r}).")
    return Site("https", text)


def _get(url: str, headers: dict[str, str] | None = None, timeout: float = 15.0) -> tuple[int, bytes]:
    import urllib3

    pool = urllib3.PoolManager(timeout=urllib3.Timeout(connect=min(10.0, timeout), read=timeout), retries=False)
    try:
        response = pool.request("GET", url, headers=headers or {}, redirect=False)
    except urllib3.exceptions.SSLError as exc:
        reason = exc.args[0] if exc.args else exc
        raise SetupError(
            f"TLS error talking to {urlsplit(url).netloc}: {reason}. The site's certificate could not be verified; "
            "check the address (on-premise servers need a certificate your system trusts)."
        ) from None
    except urllib3.exceptions.MaxRetryError as exc:
        if isinstance(exc.reason, (urllib3.exceptions.SSLError, ssl.SSLError)):
            raise SetupError(
                f"TLS error talking to {urlsplit(url).netloc}: {exc.reason}. Check the address and its certificate."
            ) from None
        raise SetupError(
            f"Cannot reach {urlsplit(url).netloc}: {type(exc.reason).__name__}. Check the site name and your network."
        ) from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise SetupError(f"Cannot reach {urlsplit(url).netloc}: {type(exc).__name__}.") from None
    return response.status, response.data or b""


def discover_api_url(site: Site, company_id: str) -> str:
    """Ask the site where its API lives: ``GET /login/companyinfo/{company}``."""
    status, body = _get(f"{site.origin}/login/companyinfo/{company_id}")
    info: Any = None
    if status == 200:
        try:
            info = json.loads(body or b"null")
        except ValueError:
            info = None
    if status == 404 or (status == 200 and not info):
        raise SetupError(
            f"{site.host} does not know company '{company_id}' (404 from /login/companyinfo). "
            "Use the company ID you type on the ConnectWise login page."
        )
    if status != 200 or not isinstance(info, dict):
        raise SetupError(f"{site.host} answered {status} to /login/companyinfo; is this a ConnectWise Manage site?")
    codebase = str(info.get("Codebase") or "v4_6_release/").strip("/") + "/"
    site_url = str(info.get("SiteUrl") or site.host).strip().strip("/")
    if info.get("IsCloud"):
        host = site_url if site_url.startswith("api-") else f"api-{site_url}"
    else:
        host, codebase = site_url, "v4_6_release/"
    return f"{site.scheme}://{host}/{codebase}apis/3.0"


def verify(settings: credentials.Settings, api_version: str) -> str:
    """``GET /system/info`` with the keys; returns ConnectWise's version."""
    from .client import ConnectWiseClient, ConnectWiseError

    try:
        client = ConnectWiseClient(settings, api_version, timeout=20)
        response = client.request("GET", "/system/info")
    except ConnectWiseError as exc:
        raise SetupError(f"Could not verify the keys: {exc}") from None
    if response.status == 401:
        raise SetupError(
            "ConnectWise rejected the keys (401): check the company ID, public key and private key. Nothing was stored."
        )
    if response.status == 403:
        raise SetupError("ConnectWise accepted the keys but refused /system/info (403): check the API member's role.")
    if response.status != 200:
        raise SetupError(f"ConnectWise answered {response.status} to /system/info; nothing was stored.")
    try:
        return str(json.loads(response.body).get("version") or "unknown")
    except (ValueError, AttributeError):
        return "unknown"


def _ask(label: str, stream_in: TextIO, stream_out: TextIO, secret: bool = False) -> str:
    if secret:
        return getpass.getpass(f"{label}: ", stream=stream_out)
    stream_out.write(f"{label}: ")
    stream_out.flush()
    return stream_in.readline().strip()


def run(args: argparse.Namespace, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    profile = credentials.profile_name(args.profile)
    interactive = stdin.isatty() and not args.private_key_stdin
    values: dict[str, str] = {
        "company_id": (args.company_id or "").strip(),
        "public_key": (args.public_key or "").strip(),
        "client_id": (args.client_id or "").strip(),
    }
    private_key = ""
    if args.private_key_stdin:
        private_key = stdin.readline().strip()
    site_text, api_url = (args.site or "").strip(), (args.api_url or "").strip()

    if interactive:
        stdout.write(f"Setting up ConnectWise access for profile '{profile}'.\n")
        if not site_text and not api_url:
            answer = _ask("ConnectWise site (e.g. na.myconnectwise.net) or full API URL", stdin, stdout)
            if answer.rstrip("/").endswith("/apis/3.0"):
                api_url = answer
            else:
                site_text = answer
        for key, _flag, label in REQUIRED:
            if not values[key]:
                values[key] = _ask(label, stdin, stdout)
        if not private_key:
            private_key = _ask("API private key (not shown)", stdin, stdout, secret=True).strip()

    missing = [flag for key, flag, _ in REQUIRED if not values[key]]
    if not site_text and not api_url:
        missing.insert(0, "--site (or --api-url)")
    if not private_key:
        missing.append("--private-key-stdin (the private key on standard input)")
    if missing:
        raise SetupError("Missing: " + ", ".join(missing) + ". Run 'cwm-gateway setup' in a terminal to be asked.")

    site = parse_site(site_text) if site_text else None
    if not api_url:
        assert site is not None
        api_url = discover_api_url(site, values["company_id"])
        stdout.write(f"API URL: {api_url}\n")
    settings = credentials.Settings(profile=profile)
    for key, value in {**values, "api_url": api_url, "private_key": private_key}.items():
        settings.values[key] = credentials.Setting(value, "setup")
    from .catalog.store import Catalog, CatalogError

    try:
        api_version = Catalog.open_default().api_version
    except CatalogError:
        api_version = ""
    if not args.no_verify:
        version = verify(settings, api_version)
        stdout.write(f"Verified: ConnectWise {version} accepted the keys.\n")
    try:
        backend = credentials.write_keyring(profile, values["public_key"], private_key)
    except credentials.KeyringUnavailable as exc:
        raise SetupError(str(exc)) from None
    except Exception as exc:  # a locked keyring, a refused prompt
        raise SetupError(
            f"The OS keyring refused the keys ({type(exc).__name__}: {exc}). Nothing was stored."
        ) from None
    path = credentials.write_config(
        profile,
        {
            "site": site.host if site else "",
            "api_url": api_url,
            "company_id": values["company_id"],
            "client_id": values["client_id"],
            "public_key_ref": f"keyring:{credentials.KEYRING_SERVICE}/{profile}",
        },
    )
    from .claude_config import desktop_snippet

    stdout.write(f"Saved: keys in the OS keyring ({backend}); other settings in {path}.\n")
    stdout.write(
        "Add this to Claude Desktop's claude_desktop_config.json (or run 'cwm-gateway config claude --write'):\n"
    )
    stdout.write(json.dumps(desktop_snippet(profile), indent=2) + "\n")
    return 0
