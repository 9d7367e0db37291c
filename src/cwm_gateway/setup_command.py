"""``cwm-gateway setup``: find the API URL, check the keys, store them once.

The private key goes to the OS keyring and nowhere else; the other settings go to the
config file. Nothing is stored unless ConnectWise accepted the keys (or --no-verify).
"""

from __future__ import annotations

import argparse
import getpass
import json
import re
import ssl
import sys
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import urlsplit

from . import credentials
from .client import LOOPBACK_HOSTS

# Asked in this order at a terminal (the README's order); the private key comes between, hidden.
BEFORE_KEY = (
    ("company_id", "--company-id", "Company ID (the one you log in to ConnectWise with)"),
    ("public_key", "--public-key", "API public key"),
)
AFTER_KEY = (("client_id", "--client-id", "Client ID (GUID from developer.connectwise.com)"),)
REQUIRED = BEFORE_KEY + AFTER_KEY
API_URL_EXAMPLE = "https://api-na.myconnectwise.net/v4_6_release/apis/3.0"
CLIENT_ID_HELP = (
    "The client ID is a GUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6, from developer.connectwise.com "
    "(Client IDs); it is not the company ID."
)
GUID_ATTEMPTS = 3
_PLAIN_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:]+\])(?::\d{1,5})?$")
_CODEBASE = re.compile(r"^[A-Za-z0-9_-]+$")


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
        if parts.path or parts.query or parts.fragment:
            raise SetupError(
                f"--site is the site's address only, like na.myconnectwise.net (got {value!r}). "
                f"A full API URL goes in --api-url with its base path, like {API_URL_EXAMPLE}."
            )
        scheme, text = parts.scheme, parts.netloc
    else:
        scheme = "https"
    if not _PLAIN_HOST.match(text):  # no user-info (user@host), paths or spaces: the keys follow this host
        raise SetupError(
            f"--site must be a plain host like na.myconnectwise.net, without user@ or a path (got {value!r})."
        )
    return Site(scheme, text)


def check_api_url(value: str) -> str:
    """The API URL as given, if the keys can safely go there and it names the API's base path."""
    text = value.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise SetupError(f"--api-url must be an https:// URL like {API_URL_EXAMPLE} (got {value!r}).")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise SetupError("--api-url may use http:// only for 127.0.0.1 or localhost; use https:// for real sites.")
    if "@" in parts.netloc or parts.query or parts.fragment:
        raise SetupError(f"--api-url must be a plain URL, without user@ or ?query (got {value!r}).")
    if not parts.path.lower().endswith("/apis/3.0"):
        raise SetupError(
            f"{text} lacks the API's base path: it ends in /{{codebase}}/apis/3.0, like {API_URL_EXAMPLE}. "
            "Or give --site na.myconnectwise.net and setup finds it."
        )
    return text


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
    """Ask the site where its API lives: ``GET /login/companyinfo/{company}``.

    The answer only picks the site's API host and codebase; it cannot send the keys elsewhere.
    """
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
    codebase = str(info.get("Codebase") or "v4_6_release").strip().strip("/")
    site_url = str(info.get("SiteUrl") or site.host).strip().strip("/")
    if info.get("IsCloud"):
        host = site_url if site_url.lower().startswith("api-") else f"api-{site_url}"
    else:
        host, codebase = site_url, "v4_6_release"
    if not _PLAIN_HOST.match(host) or not _CODEBASE.match(codebase):
        raise SetupError(
            f"{site.host} gave an unusable API address ({host!r}, codebase {codebase!r}); no keys were sent. "
            f"Give the API URL yourself with --api-url, like {API_URL_EXAMPLE}."
        )
    if not same_site(host, site.host):
        raise SetupError(
            f"{site.host} says its API is at {host}, which is not {site.host} or its api- host; no keys were sent. "
            f"If that address is right, give it with --api-url, like {site.scheme}://{host}/{codebase}/apis/3.0."
        )
    return f"{site.scheme}://{host}/{codebase}/apis/3.0"


def same_site(api_host: str, site_host: str) -> bool:
    """Keys go only to the site the user named or its ``api-`` twin (same domain, same port)."""
    api, named = api_host.lower(), site_host.lower()
    return api in (named, f"api-{named}") or named == f"api-{api}"


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
    if response.status == 400 and b"clientid" in response.body.lower():
        raise SetupError(f"ConnectWise refused the client ID (400). {CLIENT_ID_HELP} Nothing was stored.")
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
    line = stream_in.readline()
    if not line:  # the terminal closed (Ctrl-D): stop rather than ask forever
        raise EOFError
    return line.strip()


def _ask_client_id(label: str, stream_in: TextIO, stream_out: TextIO) -> str:
    """Ask until the answer is a GUID; a company ID typed here would only fail later, as a 400."""
    for _ in range(GUID_ATTEMPTS):
        answer = _ask(label, stream_in, stream_out)
        if credentials.GUID_RE.match(answer):
            return answer
        stream_out.write(f"{CLIENT_ID_HELP}\n")
    raise SetupError(f"No valid client ID was given. {CLIENT_ID_HELP}")


def require_keyring() -> None:
    """Setup stores the keys in the OS keyring; without one it stops before asking or sending anything."""
    try:
        credentials.keyring_backend()
    except credentials.KeyringUnavailable as exc:
        raise SetupError(f"{exc} Nothing was asked, sent or stored.") from None


def _ask_missing(
    values: dict[str, str], private_key: str, site_text: str, api_url: str, stdin: TextIO, stdout: TextIO
) -> tuple[str, str, str]:
    """At a terminal: site, company ID, public key, private key (hidden), client ID, as the README lists them."""
    if not site_text and not api_url:
        answer = _ask("ConnectWise site (e.g. na.myconnectwise.net) or full API URL", stdin, stdout)
        # Checked now: a typo here should not cost the user every other answer.
        if answer.rstrip("/").lower().endswith("/apis/3.0"):
            api_url = check_api_url(answer)
        else:
            parse_site(answer)
            site_text = answer
    for key, _flag, label in BEFORE_KEY:
        if not values[key]:
            values[key] = _ask(label, stdin, stdout)
    if not private_key:
        private_key = _ask("API private key (not shown)", stdin, stdout, secret=True).strip()
    for key, _flag, label in AFTER_KEY:
        if not values[key]:
            values[key] = _ask_client_id(label, stdin, stdout)
    return private_key, site_text, api_url


def run(args: argparse.Namespace, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    profile = credentials.profile_name(args.profile)
    require_keyring()
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
        private_key, site_text, api_url = _ask_missing(values, private_key, site_text, api_url, stdin, stdout)

    missing = [flag for key, flag, _ in REQUIRED if not values[key]]
    if not site_text and not api_url:
        missing.insert(0, "--site (or --api-url)")
    if not private_key:
        missing.append("--private-key-stdin (the private key on standard input)")
    if missing:
        raise SetupError("Missing: " + ", ".join(missing) + ". Run 'cwm-gateway setup' in a terminal to be asked.")
    if not credentials.GUID_RE.match(values["client_id"]):
        raise SetupError(f"--client-id {values['client_id']!r} is not a GUID. {CLIENT_ID_HELP}")

    site = parse_site(site_text) if site_text else None
    if api_url:
        api_url = check_api_url(api_url)
    else:
        assert site is not None
        api_url = discover_api_url(site, values["company_id"])
    stdout.write(f"API URL: {api_url}\n")
    settings = credentials.Settings(profile=profile)
    for key, value in {**values, "api_url": api_url, "private_key": private_key}.items():
        settings.values[key] = credentials.Setting(value, "setup")
    from .catalog.store import CatalogError
    from .locations import open_catalog

    try:
        api_version = open_catalog().api_version
    except CatalogError:
        api_version = ""
    if not args.no_verify:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(api_url))
        stdout.write(f"Checking the keys with GET {api_url}/system/info (they are sent to {origin} only).\n")
        stdout.flush()
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
        },
    )
    from .claude_config import desktop_snippet

    stdout.write(f"Saved: keys in the OS keyring ({backend}); other settings in {path}.\n")
    stdout.write(
        "Add this to Claude Desktop's claude_desktop_config.json (or run 'cwm-gateway config claude --write'):\n"
    )
    stdout.write(json.dumps(desktop_snippet(profile), indent=2) + "\n")
    return 0
