"""Where the keys may go: the rules for ConnectWise's API URL and a site's address, written once.

- https only; plain http for 127.0.0.1 and localhost (labs, the stand-in, tests);
- no user-info (``user:password@host``): it would hide the real host, and keys have their own settings;
- the API lives under ``/{codebase}/apis/3.0``; a URL without that base path answers 404 to everything;
- a site's API is the site itself or its ``api-`` host (same domain, same port), nothing else.

Messages name the setting (``CONNECTWISE_API_URL``, ``--api-url``) and never echo user-info.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
EXAMPLE = "https://api-na.myconnectwise.net/v4_6_release/apis/3.0"
DEFAULT_CODEBASE = "v4_6_release"
_PLAIN_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:]+\])(?::\d{1,5})?$")
_CODEBASE = re.compile(r"^[A-Za-z0-9_-]+$")


class ApiUrlError(ValueError):
    """The address cannot be used; the message says why and how to write it (safe to show)."""


@dataclass(frozen=True)
class Site:
    scheme: str
    host: str  # host[:port]

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}"


def without_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` removed, for messages."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def check_api_url(value: str, name: str = "CONNECTWISE_API_URL", base_path: bool = True) -> str:
    """The API URL without its trailing slash, if the keys may be sent there.

    ``base_path=False`` accepts any path (a mock server such as Prism serves the API at its root).
    """
    text = value.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ApiUrlError(f"{name} must be an https:// URL like {EXAMPLE} (got {without_userinfo(text)!r}).")
    if "@" in parts.netloc:
        raise ApiUrlError(
            f"{name} must be a plain URL, without user@ (a user name or password): the keys have settings of "
            f"their own. Give just the address, like {EXAMPLE}."
        )
    check_scheme(parts.scheme, parts.hostname, name)
    if parts.query or parts.fragment:
        raise ApiUrlError(f"{name} must be a plain URL, without ?query or #fragment, like {EXAMPLE}.")
    if base_path and not parts.path.lower().endswith("/apis/3.0"):
        raise ApiUrlError(
            f"{text} lacks the API's base path: it ends in /{{codebase}}/apis/3.0, like {EXAMPLE}. "
            "Or give your site (setup --site na.myconnectwise.net) and setup finds it."
        )
    return text


def check_scheme(scheme: str, hostname: str, name: str) -> None:
    if scheme == "http" and hostname.lower() not in LOOPBACK_HOSTS:
        raise ApiUrlError(f"{name} may use http:// only for 127.0.0.1 or localhost; use https:// for real sites.")


def parse_site(value: str, name: str = "--site") -> Site:
    """``na.myconnectwise.net`` or ``https://na.myconnectwise.net``: the site's address, nothing more."""
    text = value.strip().rstrip("/")
    scheme = "https"
    if "://" in text:
        parts = urlsplit(text)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ApiUrlError(f"{name} must be a host like na.myconnectwise.net or an https:// URL.")
        check_scheme(parts.scheme, parts.hostname, name)
        if parts.path or parts.query or parts.fragment:
            raise ApiUrlError(
                f"{name} is the site's address only, like na.myconnectwise.net (got {without_userinfo(text)!r}). "
                f"A full API URL goes in --api-url with its base path, like {EXAMPLE}."
            )
        scheme, text = parts.scheme, parts.netloc
    if not _PLAIN_HOST.match(text):  # no user-info (user@host), paths or spaces: the keys follow this host
        raise ApiUrlError(f"{name} must be a plain host like na.myconnectwise.net, without user@ or a path.")
    return Site(scheme, text)


def same_site(api_host: str, site_host: str) -> bool:
    """Keys go only to the site the user named or its ``api-`` twin (same domain, same port)."""
    api, named = api_host.lower(), site_host.lower()
    return api in (named, f"api-{named}") or named == f"api-{api}"


def api_url_for(site: Site, host: str, codebase: str) -> str:
    """The API URL at ``host`` (the site's own or its ``api-`` host) under ``codebase``."""
    codebase = codebase.strip().strip("/")
    if not _PLAIN_HOST.match(host) or not _CODEBASE.match(codebase):
        raise ApiUrlError(
            f"{site.host} gave an unusable API address ({host!r}, codebase {codebase!r}); no keys were sent. "
            f"Give the API URL yourself with --api-url, like {EXAMPLE}."
        )
    if not same_site(host, site.host):
        raise ApiUrlError(
            f"{site.host} says its API is at {host}, which is not {site.host} or its api- host; no keys were sent. "
            f"If that address is right, give it with --api-url, like {site.scheme}://{host}/{codebase}/apis/3.0."
        )
    return f"{site.scheme}://{host}/{codebase}/apis/3.0"


def cloud_api_host(site_host: str) -> str:
    """A cloud site's API host: ``na.myconnectwise.net`` -> ``api-na.myconnectwise.net``."""
    return site_host if site_host.lower().startswith("api-") else f"api-{site_host}"


def url_for_site(site: str, codebase: str = DEFAULT_CODEBASE) -> str:
    """``CONNECTWISE_SITE`` as an API URL: ``na.myconnectwise.net`` -> ``https://api-na.myconnectwise.net/...``."""
    host = site.strip().removeprefix("https://").removeprefix("http://").strip("/")
    return f"https://{cloud_api_host(host)}/{codebase.strip('/')}/apis/3.0"
