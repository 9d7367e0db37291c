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
from urllib.parse import quote, urlsplit

from . import credentials
from .api_url import (
    DEFAULT_CODEBASE,
    ApiUrlError,
    Site,
    api_url_for,
    check_api_url,
    cloud_api_host,
    parse_site,
)
from .keycheck import CLIENT_ID_HELP, check_keys, tls_message, unreachable_message

# Asked in this order at a terminal (the README's order); the private key comes between, hidden.
BEFORE_KEY = (
    ("company_id", "--company-id", "Company ID (the one you log in to ConnectWise with)"),
    ("public_key", "--public-key", "API public key"),
)
AFTER_KEY = (("client_id", "--client-id", "Client ID (GUID from developer.connectwise.com)"),)
REQUIRED = BEFORE_KEY + AFTER_KEY
GUID_ATTEMPTS = 3


class SetupError(Exception):
    """Setup cannot go on; the message says why and what to do. Nothing has been stored."""


@dataclass
class Answers:
    """What the user gave, on the command line or at the terminal."""

    values: dict[str, str]  # company_id, public_key, client_id
    private_key: str = ""
    site: str = ""
    api_url: str = ""


def _get(url: str, timeout: float = 15.0) -> tuple[int, bytes]:
    import urllib3

    netloc = urlsplit(url).netloc
    pool = urllib3.PoolManager(timeout=urllib3.Timeout(connect=min(10.0, timeout), read=timeout), retries=False)
    try:
        response = pool.request("GET", url, redirect=False)
    except urllib3.exceptions.SSLError as exc:
        raise SetupError(tls_message(netloc, exc)) from None
    except urllib3.exceptions.MaxRetryError as exc:
        if isinstance(exc.reason, (urllib3.exceptions.SSLError, ssl.SSLError)):
            raise SetupError(tls_message(netloc, exc.reason)) from None
        raise SetupError(unreachable_message(netloc, exc.reason or exc)) from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise SetupError(unreachable_message(netloc, exc)) from None
    return response.status, response.data or b""


def discover_api_url(site: Site, company_id: str) -> str:
    """Ask the site where its API lives: ``GET /login/companyinfo/{company}``.

    The answer only picks the site's API host and codebase; it cannot send the keys elsewhere.
    """
    info = _company_info(site, company_id)
    codebase = str(info.get("Codebase") or DEFAULT_CODEBASE)
    site_url = str(info.get("SiteUrl") or site.host).strip().strip("/")
    if info.get("IsCloud"):
        return api_url_for(site, cloud_api_host(site_url), codebase)
    return api_url_for(site, site_url, DEFAULT_CODEBASE)


def _company_info(site: Site, company_id: str) -> dict[str, Any]:
    status, body = _get(f"{site.origin}/login/companyinfo/{quote(company_id, safe='')}")
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
    return info


def verify(settings: credentials.Settings, api_version: str) -> str:
    """``GET /system/info`` with the keys; returns ConnectWise's version."""
    result = check_keys(settings, api_version, timeout=20)
    if not result.ok:
        raise SetupError(f"{result.message} Nothing was stored.")
    return result.version


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


def _ask_missing(answers: Answers, stdin: TextIO, stdout: TextIO) -> None:
    """At a terminal: site, company ID, public key, private key (hidden), client ID, as the README lists them."""
    if not answers.site and not answers.api_url:
        answer = _ask("ConnectWise site (e.g. na.myconnectwise.net) or full API URL", stdin, stdout)
        # Checked now: a typo here should not cost the user every other answer.
        if answer.rstrip("/").lower().endswith("/apis/3.0"):
            answers.api_url = check_api_url(answer, "The API URL")
        else:
            parse_site(answer)
            answers.site = answer
    for key, _flag, label in BEFORE_KEY:
        if not answers.values[key]:
            answers.values[key] = _ask(label, stdin, stdout)
    if not answers.private_key:
        answers.private_key = _ask("API private key (not shown)", stdin, stdout, secret=True).strip()
    for key, _flag, label in AFTER_KEY:
        if not answers.values[key]:
            answers.values[key] = _ask_client_id(label, stdin, stdout)


def _answers(args: argparse.Namespace, profile: str, stdin: TextIO, stdout: TextIO) -> Answers:
    """Everything setup needs, from the command line, then (at a terminal) by asking; else what is missing."""
    answers = Answers(
        values={key: (getattr(args, key) or "").strip() for key, _flag, _label in REQUIRED},
        private_key=stdin.readline().strip() if args.private_key_stdin else "",
        site=(args.site or "").strip(),
        api_url=(args.api_url or "").strip(),
    )
    if stdin.isatty() and not args.private_key_stdin:
        stdout.write(f"Setting up ConnectWise access for profile '{profile}'.\n")
        _ask_missing(answers, stdin, stdout)
    missing = [flag for key, flag, _ in REQUIRED if not answers.values[key]]
    if not answers.site and not answers.api_url:
        missing.insert(0, "--site (or --api-url)")
    if not answers.private_key:
        missing.append("--private-key-stdin (the private key on standard input)")
    if missing:
        raise SetupError("Missing: " + ", ".join(missing) + ". Run 'cwm-gateway setup' in a terminal to be asked.")
    if not credentials.GUID_RE.match(answers.values["client_id"]):
        raise SetupError(f"--client-id {answers.values['client_id']!r} is not a GUID. {CLIENT_ID_HELP}")
    return answers


def run(args: argparse.Namespace, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    try:
        return _run(args, stdin, stdout)
    except ApiUrlError as exc:  # an address the keys may not go to: nothing was sent or stored
        raise SetupError(str(exc)) from None


def _run(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    profile = credentials.profile_name(args.profile)
    require_keyring()
    answers = _answers(args, profile, stdin, stdout)
    site = parse_site(answers.site) if answers.site else None
    if answers.api_url:
        api_url = check_api_url(answers.api_url, "--api-url")
    else:
        assert site is not None  # _answers demands one of the two
        api_url = discover_api_url(site, answers.values["company_id"])
    stdout.write(f"API URL: {api_url}\n")
    settings = credentials.Settings(profile=profile)
    for key, value in {**answers.values, "api_url": api_url, "private_key": answers.private_key}.items():
        settings.values[key] = credentials.Setting(value, "setup")
    if not args.no_verify:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(api_url))
        stdout.write(f"Checking the keys with GET {api_url}/system/info (they are sent to {origin} only).\n")
        stdout.flush()
        version = verify(settings, _catalog_api_version())
        stdout.write(f"Verified: ConnectWise {version} accepted the keys.\n")
    backend = _store_keys(profile, answers.values["public_key"], answers.private_key)
    stored = {key: answers.values[key] for key in ("company_id", "client_id")}
    path = credentials.write_config(profile, {"site": site.host if site else "", "api_url": api_url, **stored})
    from .claude_config import desktop_snippet

    stdout.write(f"Saved: keys in the OS keyring ({backend}); other settings in {path}.\n")
    stdout.write(
        "Add this to Claude Desktop's claude_desktop_config.json (or run 'cwm-gateway config claude --write'):\n"
    )
    stdout.write(json.dumps(desktop_snippet(profile), indent=2) + "\n")
    return 0


def _catalog_api_version() -> str:
    from .catalog.store import Catalog, CatalogError

    try:
        catalog = Catalog.open_default()
    except CatalogError:
        return ""
    version = catalog.api_version
    catalog.close()
    return version


def _store_keys(profile: str, public_key: str, private_key: str) -> str:
    """The keys into the OS keyring; returns its backend's name."""
    try:
        return credentials.write_keyring(profile, public_key, private_key)
    except credentials.KeyringUnavailable as exc:
        raise SetupError(str(exc)) from None
    except Exception as exc:  # a locked keyring, a refused prompt
        raise SetupError(
            f"The OS keyring refused the keys ({type(exc).__name__}: {exc}). Nothing was stored."
        ) from None
