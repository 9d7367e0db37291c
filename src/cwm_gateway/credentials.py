"""Where each ConnectWise setting comes from: the environment, the OS keyring, the config file.

Per setting, the first source that has it wins:
1. environment variables (the seed product's names plus a few more), as ``settings`` reads them;
2. the OS keyring, service ``cwm-gateway``, one entry per profile, for the keys;
3. the non-secret config file (``config.ini`` in the user config directory), one section per profile.

``settings.VARIABLES`` documents each of them. Secrets are read only when a request needs them
and are never logged or returned.
"""

from __future__ import annotations

import configparser
import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import locations, settings
from .api_url import url_for_site

log = logging.getLogger(__name__)

KEYRING_SERVICE = "cwm-gateway"
GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# setting -> environment variable, and which settings each store may hold (from settings.VARIABLES)
ENVIRONMENT = settings.CONNECTION_VARIABLES
_BY_KEY = {variable.key: variable for variable in settings.VARIABLES.values() if variable.key}
SECRETS = tuple(key for key, variable in _BY_KEY.items() if variable.secret)
KEYRING_SETTINGS = tuple(key for key, variable in _BY_KEY.items() if settings.KEYRING in variable.sources)
CONFIG_SETTINGS = tuple(key for key, variable in _BY_KEY.items() if settings.CONFIG_FILE in variable.sources)


class CredentialsError(Exception):
    """Settings are missing or unusable; the message says how to fix it."""


class KeyringUnavailable(CredentialsError):
    """No usable OS keyring backend (headless Linux, containers)."""


NO_KEYRING = (
    "No usable OS keyring was found on this machine (common on headless Linux and in containers). "
    'Give the credentials as environment variables instead, in the MCP client\'s config: the "env" of the '
    "server's entry in claude_desktop_config.json, with CONNECTWISE_API_URL, CONNECTWISE_COMPANY_ID, "
    "CONNECTWISE_PUBLIC_KEY, CONNECTWISE_PRIVATE_KEY and CONNECTWISE_CLIENT_ID (with Docker: "
    "docker run -i --rm -e CONNECTWISE_PRIVATE_KEY -e ... cwm-gateway). On a Linux desktop, a Secret Service "
    "provides the keyring: install gnome-keyring (Debian/Ubuntu: apt install gnome-keyring) or enable KeePassXC's "
    "Secret Service, log in to the desktop session, then run setup again. "
    "The private key is never written to a plain file."
)


@dataclass(frozen=True)
class Setting:
    value: str | None
    source: str  # "env CONNECTWISE_API_URL", "keyring", "config file", "derived", "unset"

    def __bool__(self) -> bool:
        return bool(self.value)


@dataclass
class Settings:
    profile: str
    values: dict[str, Setting] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        setting = self.values.get(name)
        return setting.value if setting else None

    def source(self, name: str) -> str:
        setting = self.values.get(name)
        return setting.source if setting else "unset"

    @property
    def api_url(self) -> str | None:
        return self.get("api_url")

    def client_id(self) -> tuple[str | None, str | None]:
        """The clientId header value and, when it was inferred, a note saying how.

        Seed-product users put their ClientID GUID in CONNECTWISE_COMPANY_ID and their
        company in CONNECTWISE_AUTH_PREFIX; that layout keeps working.
        """
        explicit = self.get("client_id")
        if explicit:
            return explicit, None
        company = self.get("company_id") or ""
        if GUID_RE.match(company):
            return company, (
                "CONNECTWISE_CLIENT_ID is unset and CONNECTWISE_COMPANY_ID holds a GUID: "
                "using it as the clientId header (seed-product layout)."
            )
        return None, None

    def username(self) -> str:
        """``companyId+publicKey``, or ``AUTH_PREFIX + publicKey`` for the seed product's layout."""
        public = self.get("public_key") or ""
        prefix = self.get("auth_prefix")
        if prefix:
            return f"{prefix}{public}"
        return f"{self.get('company_id') or ''}+{public}"

    def missing(self) -> list[str]:
        """Environment names of the settings a request cannot do without."""
        needed = ["api_url", "public_key", "private_key"]
        if not self.get("auth_prefix"):
            needed.insert(1, "company_id")
        out = [ENVIRONMENT[name] for name in needed if not self.get(name)]
        if not self.client_id()[0]:
            out.append(ENVIRONMENT["client_id"])
        return out


def config_path() -> Path:
    return locations.config_dir() / "config.ini"


def profile_name(explicit: str | None = None, env: Mapping[str, str] | None = None) -> str:
    return settings.profile(explicit, env)


def read_config(profile: str) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    path = config_path()
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as exc:
        # Not the message itself: configparser quotes the offending line, which may hold the clientId.
        where = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
        log.warning("ignoring unreadable config file %s: %s%s", path, type(exc).__name__, where)
        return {}
    return dict(parser[profile]) if parser.has_section(profile) else {}


def write_config(profile: str, values: Mapping[str, str]) -> Path:
    """Store non-secret settings for ``profile``; other profiles are kept as they are."""
    if set(values) & set(SECRETS):
        raise ValueError("secrets never go into the config file")
    unknown = set(values) - set(CONFIG_SETTINGS)
    if unknown:
        raise ValueError(f"not config file settings: {', '.join(sorted(unknown))}")
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path, encoding="utf-8")
    if not parser.has_section(profile):
        parser.add_section(profile)
    for key, value in values.items():
        if value:
            parser[profile][key] = value
    temp = path.with_suffix(".tmp")
    with open(temp, "w", encoding="utf-8") as handle:
        parser.write(handle)
    os.replace(temp, path)
    return path


def keyring_backend():  # imported on demand: keyring is slow to import and rarely needed
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    priority = getattr(backend, "priority", 0)
    if isinstance(backend, fail.Keyring) or priority <= 0:
        raise KeyringUnavailable(NO_KEYRING)
    return backend


def read_keyring(profile: str) -> dict[str, str]:
    try:
        backend = keyring_backend()
        stored = backend.get_password(KEYRING_SERVICE, profile)
    except KeyringUnavailable:
        return {}
    except Exception as exc:  # a locked or broken keyring must not take the server down
        log.warning("keyring could not be read (%s); falling back to environment variables", type(exc).__name__)
        return {}
    if not stored:
        return {}
    try:
        data = json.loads(stored)
    except ValueError:
        return {}
    return {k: v for k, v in data.items() if k in KEYRING_SETTINGS and isinstance(v, str)}


def write_keyring(profile: str, public_key: str, private_key: str) -> str:
    """Store the keys for ``profile``; returns the backend's name."""
    backend = keyring_backend()
    backend.set_password(KEYRING_SERVICE, profile, json.dumps({"public_key": public_key, "private_key": private_key}))
    return type(backend).__module__ + "." + type(backend).__name__


def load_settings(
    profile: str | None = None, env: Mapping[str, str] | None = None, use_keyring: bool = True
) -> Settings:
    given = settings.connection(env)
    name = profile_name(profile, env)
    loaded = Settings(profile=name)
    config = read_config(name)
    needs_keyring = use_keyring and not all(given.values.get(k) for k in KEYRING_SETTINGS)
    stored = read_keyring(name) if needs_keyring else {}
    for key, var in ENVIRONMENT.items():
        if given.values.get(key):
            loaded.values[key] = Setting(given.values[key], f"env {var}")
        elif key in KEYRING_SETTINGS and stored.get(key):
            loaded.values[key] = Setting(stored[key], "keyring")
        elif key in CONFIG_SETTINGS and config.get(key):
            loaded.values[key] = Setting(config[key], "config file")
        else:
            loaded.values[key] = Setting(None, "unset")
    if not loaded.api_url and loaded.get("site"):
        loaded.values["api_url"] = Setting(url_for_site(loaded.get("site") or ""), "derived from site")
    return loaded
