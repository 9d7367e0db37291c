"""Every setting cwm-gateway reads: its name, type, default, sources and meaning, and the one reader.

Only this module reads the process environment for product settings (``tests/test_settings.py``
holds every other module to that). ``load(env)`` hands them out typed, one frozen dataclass per
concern: ``connection`` (the ConnectWise values given in the environment; ``credentials`` adds the
OS keyring and ``config.ini`` behind them), ``calls`` (what may be sent, how long to wait, how much
to take) and ``paths`` (where files live). Each concern can be read alone (``calls()``, ``paths()``)
so that looking up a directory parses nothing else.

A value that cannot be used never stops the gateway: the documented fallback is used and the
problem is listed in ``problems``, which ``doctor`` prints and ``serve`` logs at start. The one
exception leans the safe way: an unrecognised ``CWM_READ_ONLY`` or ``CWM_CONFIRM_WRITES`` value turns it on.
The README's configuration table is ``markdown_table()``; a test keeps the two the same.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ENV, KEYRING, CONFIG_FILE = "env", "keyring", "config.ini"
DEFAULT_PROFILE = "default"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_CHARS = 50_000  # shaping.DEFAULT_MAX_CHARS must agree (a test checks)
DEFAULT_MAX_BYTES = 32 * 1024 * 1024  # client.DEFAULT_MAX_RESPONSE_BYTES must agree (a test checks)
_ON = frozenset({"1", "true", "yes", "on"})
_OFF = frozenset({"", "0", "false", "no", "off"})
_SHOWN_RAW = 60  # characters of a bad value quoted back in a problem


@dataclass(frozen=True)
class Variable:
    """One setting, as the README's table shows it."""

    name: str
    type: str
    meaning: str
    default: str = "-"  # as a person reads it; numbers give ``fallback`` instead
    sources: tuple[str, ...] = (ENV,)
    secret: bool = False  # never shown, not even its length: doctor says "set (hidden)"
    key: str = ""  # its name in credentials.Settings, the keyring entry and config.ini
    fallback: float | None = None  # numbers: used when unset or unusable
    minimum: float | None = None  # numbers: smaller values are raised to this
    whole: bool = False  # numbers: a whole number (bytes, characters)

    @property
    def shown_default(self) -> str:
        return _number_text(self.fallback) if self.fallback is not None else self.default

    @property
    def shown_type(self) -> str:
        return f"{self.type} (>= {_number_text(self.minimum)})" if self.minimum is not None else self.type


def _number_text(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


_CONNECTION = (
    Variable(
        "CONNECTWISE_API_URL",
        "URL",
        "The API's base URL, `https://{host}/{codebase}/apis/3.0`; plain http only for 127.0.0.1 or localhost.",
        default="from CONNECTWISE_SITE",
        sources=(ENV, CONFIG_FILE),
        key="api_url",
    ),
    Variable(
        "CONNECTWISE_SITE",
        "host",
        "Your site, e.g. `na.myconnectwise.net`; gives the API URL `https://api-{site}/v4_6_release/apis/3.0`.",
        sources=(ENV, CONFIG_FILE),
        key="site",
    ),
    Variable(
        "CONNECTWISE_COMPANY_ID",
        "text",
        "The company ID you log in with; the username is `{company}+{public key}`.",
        sources=(ENV, CONFIG_FILE),
        key="company_id",
    ),
    Variable(
        "CONNECTWISE_PUBLIC_KEY",
        "text",
        "The API member's public key.",
        sources=(ENV, KEYRING),
        secret=True,
        key="public_key",
    ),
    Variable(
        "CONNECTWISE_PRIVATE_KEY",
        "text",
        "The API member's private key (the password). Never written to a plain file.",
        sources=(ENV, KEYRING),
        secret=True,
        key="private_key",
    ),
    Variable(
        "CONNECTWISE_CLIENT_ID",
        "GUID",
        "The `clientId` header, from developer.connectwise.com (not the company ID).",
        default="CONNECTWISE_COMPANY_ID if it is a GUID",
        sources=(ENV, CONFIG_FILE),
        key="client_id",
    ),
    Variable(
        "CONNECTWISE_AUTH_PREFIX",
        "text",
        "The seed product's layout: the username is `{prefix}{public key}` (e.g. `acme+`).",
        sources=(ENV, CONFIG_FILE),
        key="auth_prefix",
    ),
    Variable(
        "CONNECTWISE_API_VERSION",
        "text",
        "The version asked for in the `Accept` header.",
        default="the catalog's (2022.1)",
        sources=(ENV, CONFIG_FILE),
        key="api_version",
    ),
)
_OTHERS = (
    Variable(
        "CWM_PROFILE",
        "name",
        "Which profile's keyring entry and config.ini section to use (`--profile` wins).",
        default=DEFAULT_PROFILE,
    ),
    Variable(
        "CWM_READ_ONLY",
        "flag",
        "`1`/`true`/`yes`/`on`: only GET and the POSTs that only read are sent. An unknown value turns it on.",
        default="off",
    ),
    Variable(
        "CWM_WRITE_ALLOW",
        "list",
        'Only these writes may be sent: `"POST /service/tickets, PATCH /service/tickets/{id}"`.',
        default="every write",
    ),
    Variable(
        "CWM_CONFIRM_WRITES",
        "flag",
        "`1`/`true`/`yes`/`on`: every write asks the person first, not only DELETE (clients that cannot "
        "ask need `confirm=true`). An unknown value turns it on.",
        default="off",
    ),
    Variable(
        "CWM_TIMEOUT",
        "seconds",
        "Connecting, each wait for data, and the arrival of the whole body.",
        fallback=DEFAULT_TIMEOUT,
        minimum=0.5,
    ),
    Variable(
        "CWM_DEADLINE",
        "seconds",
        "The whole call, retries and their waits included.",
        default="2 x CWM_TIMEOUT",
        minimum=1.0,
    ),
    Variable(
        "CWM_MAX_RESPONSE_BYTES",
        "bytes",
        "The largest answer taken, counted after decompression.",
        fallback=DEFAULT_MAX_BYTES,
        minimum=64 * 1024,
        whole=True,
    ),
    Variable(
        "CWM_MAX_RESPONSE_CHARS",
        "characters",
        "What a result may hold for the assistant; whole items are cut to fit.",
        fallback=DEFAULT_MAX_CHARS,
        minimum=2_000,
        whole=True,
    ),
    Variable("CWM_CATALOG", "path", "The API catalog to use (else one built by `build-db`, else the packaged one)."),
    Variable("CWM_DATA_DIR", "path", "Fast memory and a catalog built by `build-db`.", default="user data dir"),
    Variable("CWM_LOG_DIR", "path", "The log and the write audit trail.", default="user log dir"),
    Variable("CWM_CONFIG_DIR", "path", "Where `config.ini` lives.", default="user config dir"),
)
# The team server (`serve --http`, `users`): read only by the team package, never by the stdio server.
_TEAM = (
    Variable(
        "CWM_DATABASE_URL",
        "URL",
        "Team server: shared state (saved queries, write audit, key vault) in PostgreSQL, `postgresql://...`.",
        secret=True,
    ),
    Variable(
        "CWM_SECRET_KEY",
        "key",
        "Team server: encrypts the key vault; `users new-secret-key` prints one. `new,old` decrypts with either.",
        secret=True,
    ),
    Variable(
        "CWM_OAUTH_ISSUER",
        "URL",
        "Team server: the identity provider's issuer (the tokens' `iss`), e.g. "
        "`https://login.microsoftonline.com/TENANT/v2.0`.",
    ),
    Variable(
        "CWM_OAUTH_AUDIENCE",
        "list",
        "Team server: the audiences a token may carry (`aud`), comma-separated, e.g. `api://cwm-gateway`.",
    ),
    Variable(
        "CWM_OAUTH_JWKS",
        "URL",
        "Team server: the issuer's signing keys, an `https://` URL or `file://` path; refreshed on an unknown key.",
    ),
    Variable(
        "CWM_PUBLIC_URL",
        "URL",
        "Team server: the MCP endpoint as clients reach it (the OAuth resource), e.g. `https://cwm.example.com/mcp`.",
    ),
    Variable(
        "CWM_ALLOWED_HOSTS",
        "list",
        "Team server: `Host` values (and `Origin` hosts) accepted, e.g. `cwm.example.com`; `*` turns the check off.",
        default="CWM_PUBLIC_URL's host",
    ),
    Variable(
        "CWM_SHARED_KEYS",
        "flag",
        "Team server: `1` uses one service key from `CONNECTWISE_*` for every user (each still audited).",
        default="off",
    ),
    Variable(
        "CWM_REMOTE_THREADS",
        "count",
        "Team server: ConnectWise calls in flight per process (searches have their own threads).",
        fallback=64,
        minimum=1,
        whole=True,
    ),
)
VARIABLES: dict[str, Variable] = {variable.name: variable for variable in (*_CONNECTION, *_OTHERS, *_TEAM)}
# credentials.Settings key -> environment variable, for the ConnectWise settings
CONNECTION_VARIABLES: dict[str, str] = {variable.key: variable.name for variable in _CONNECTION}


# -- typed settings -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Connection:
    """The ConnectWise settings the environment gives; the keyring and config.ini fill in the rest."""

    profile: str = DEFAULT_PROFILE
    values: Mapping[str, str] = field(default_factory=dict)  # credentials key -> value; only those set


@dataclass(frozen=True)
class Calls:
    """What the gateway may send to ConnectWise, how long it waits and how much it takes."""

    read_only: bool = False
    confirm_writes: bool = False  # every write is confirmed by the person, not only DELETE
    write_allow: frozenset[tuple[str, str]] | None = None  # None: every write may be sent
    write_allow_problems: tuple[str, ...] = ()  # CWM_WRITE_ALLOW entries that are not "METHOD /path"
    timeout: float = DEFAULT_TIMEOUT
    deadline: float | None = None  # None: twice the timeout of the call
    max_bytes: int = DEFAULT_MAX_BYTES
    max_chars: int = DEFAULT_MAX_CHARS
    problems: tuple[str, ...] = ()  # values that were not usable as given, and what is used instead


@dataclass(frozen=True)
class Paths:
    """Directories and files the user chose; None means the platform's usual place (see ``locations``)."""

    data_dir: Path | None = None
    log_dir: Path | None = None
    config_dir: Path | None = None
    catalog: Path | None = None


@dataclass(frozen=True)
class Team:
    """The team server's settings; empty strings when unset (the team package says what to do)."""

    database_url: str = ""
    secret_key: str = ""
    oauth_issuer: str = ""
    oauth_audience: tuple[str, ...] = ()
    oauth_jwks: str = ""
    public_url: str = ""
    allowed_hosts: tuple[str, ...] = ()
    shared_keys: bool = False
    remote_threads: int = 64


@dataclass(frozen=True)
class Configuration:
    connection: Connection
    calls: Calls
    paths: Paths

    @property
    def problems(self) -> tuple[str, ...]:
        """Values that were not usable as given (CWM_WRITE_ALLOW's entries are ``calls.write_allow_problems``)."""
        return self.calls.problems


# -- reading ------------------------------------------------------------------------------------------------------


def load(env: Mapping[str, str] | None = None) -> Configuration:
    """Every setting, from ``env`` (the process environment unless given)."""
    env = _environment(env)
    return Configuration(connection=connection(env), calls=calls(env), paths=paths(env))


def connection(env: Mapping[str, str] | None = None) -> Connection:
    env = _environment(env)
    given = {key: _raw(env, name) for key, name in CONNECTION_VARIABLES.items()}
    return Connection(profile=profile(None, env), values={key: value for key, value in given.items() if value})


def profile(explicit: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """``--profile``, else ``CWM_PROFILE``, else ``default``."""
    return (explicit or "").strip() or _raw(_environment(env), "CWM_PROFILE") or DEFAULT_PROFILE


def calls(env: Mapping[str, str] | None = None) -> Calls:
    env = _environment(env)
    problems: list[str] = []
    read_only = _flag(env, "CWM_READ_ONLY", "read-only", problems)
    confirm_writes = _flag(env, "CWM_CONFIRM_WRITES", "confirming every write", problems)
    allow, allow_problems = parse_write_allow(_raw(env, "CWM_WRITE_ALLOW"))
    # "or": only CWM_DEADLINE has no fallback; the others are never None.
    return Calls(
        read_only=read_only,
        confirm_writes=confirm_writes,
        write_allow=allow,
        write_allow_problems=allow_problems,
        timeout=_number(env, VARIABLES["CWM_TIMEOUT"], problems) or DEFAULT_TIMEOUT,
        deadline=_number(env, VARIABLES["CWM_DEADLINE"], problems),
        max_bytes=int(_number(env, VARIABLES["CWM_MAX_RESPONSE_BYTES"], problems) or DEFAULT_MAX_BYTES),
        max_chars=int(_number(env, VARIABLES["CWM_MAX_RESPONSE_CHARS"], problems) or DEFAULT_MAX_CHARS),
        problems=tuple(problems),
    )


def paths(env: Mapping[str, str] | None = None) -> Paths:
    env = _environment(env)
    return Paths(
        data_dir=_path(env, "CWM_DATA_DIR"),
        log_dir=_path(env, "CWM_LOG_DIR"),
        config_dir=_path(env, "CWM_CONFIG_DIR"),
        catalog=_path(env, "CWM_CATALOG"),
    )


def team(env: Mapping[str, str] | None = None) -> Team:
    env = _environment(env)
    problems: list[str] = []
    threads = _number(env, VARIABLES["CWM_REMOTE_THREADS"], problems)
    return Team(
        database_url=_raw(env, "CWM_DATABASE_URL"),
        secret_key=_raw(env, "CWM_SECRET_KEY"),
        oauth_issuer=_raw(env, "CWM_OAUTH_ISSUER"),
        oauth_audience=_items(_raw(env, "CWM_OAUTH_AUDIENCE")),
        oauth_jwks=_raw(env, "CWM_OAUTH_JWKS"),
        public_url=_raw(env, "CWM_PUBLIC_URL"),
        allowed_hosts=_items(_raw(env, "CWM_ALLOWED_HOSTS")),
        shared_keys=_raw(env, "CWM_SHARED_KEYS").lower() in ("1", "true", "yes", "on"),
        remote_threads=int(threads if threads is not None else 64),
    )


def _items(raw: str) -> tuple[str, ...]:
    """A comma-separated list, blanks dropped."""
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def is_set(name: str, env: Mapping[str, str] | None = None) -> bool:
    """Whether the environment gives the setting a value (without parsing it)."""
    return bool(_raw(_environment(env), name))


def source(name: str, env: Mapping[str, str] | None = None) -> str:
    """Where a setting's value comes from, as doctor shows it: ``env NAME``, else ``default``."""
    return f"env {name}" if is_set(name, env) else "default"


def _environment(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def _raw(env: Mapping[str, str], name: str) -> str:
    """The value as given, without the blanks a pasted value often carries; "" when unset."""
    return (env.get(name) or "").strip()


def _path(env: Mapping[str, str], name: str) -> Path | None:
    value = _raw(env, name)
    return Path(value).expanduser() if value else None


def _quoted(name: str, raw: str) -> str:
    shown = raw if len(raw) <= _SHOWN_RAW else raw[:_SHOWN_RAW] + "..."
    return f"{name}={shown!r}"


def _flag(env: Mapping[str, str], name: str, what: str, problems: list[str]) -> bool:
    """A safety switch: on or off; an unknown value turns it on (a typo must not silently allow writes)."""
    raw = _raw(env, name)
    value = raw.lower()
    if value in _ON or value in _OFF:
        return value in _ON
    problems.append(
        f"{_quoted(name, raw)} is not 1/true/yes/on or 0/false/no/off; {what} is on until it is one of those."
    )
    return True


def _number(env: Mapping[str, str], variable: Variable, problems: list[str]) -> float | None:
    """The variable's number; its fallback when unset or unusable, its minimum when smaller (each reported)."""
    raw = _raw(env, variable.name)
    if not raw:
        return variable.fallback
    try:
        value = float(raw.replace("_", ""))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or (variable.whole and value != int(value)):
        unit = f"{'whole ' if variable.whole else ''}number of {variable.type}"
        problems.append(f"{_quoted(variable.name, raw)} is not a {unit}; using {variable.shown_default}.")
        return variable.fallback
    if variable.minimum is not None and value < variable.minimum:
        problems.append(
            f"{_quoted(variable.name, raw)} is below the smallest allowed, {_number_text(variable.minimum)}; "
            f"using {_number_text(variable.minimum)}."
        )
        return variable.minimum
    return value


def parse_write_allow(text: str) -> tuple[frozenset[tuple[str, str]] | None, tuple[str, ...]]:
    """``"POST /service/tickets, PATCH /service/tickets/{id}"`` -> pairs, and the entries that are not pairs.

    None when the setting is empty: every write may be sent. Entries that are not ``METHOD /path``
    allow nothing (fail closed) and are returned as problems.
    """
    if not text.strip():
        return None, ()
    from .rawrequest import METHODS  # only when the setting is used: it imports the body checks

    pairs: set[tuple[str, str]] = set()
    problems: list[str] = []
    for item in text.split(","):
        parts = item.split(None, 1)
        if not parts:
            continue
        if len(parts) != 2 or parts[0].upper() not in METHODS or not parts[1].strip().startswith("/"):
            problems.append(f"'{item.strip()}' is not 'METHOD /path' (e.g. 'POST /service/tickets'); it allows nothing")
            continue
        pairs.add((parts[0].upper(), parts[1].strip()))
    return frozenset(pairs), tuple(problems)


# -- the README's table -------------------------------------------------------------------------------------------

TABLE_HEADER = "| variable | type | default | from | secret | what it does |\n| --- | --- | --- | --- | --- | --- |"


def markdown_table() -> str:
    """The README's configuration table, one row per setting, in this module's order."""
    rows = [TABLE_HEADER]
    for variable in VARIABLES.values():
        sources = ", ".join(variable.sources)
        secret = "yes" if variable.secret else "no"
        rows.append(
            f"| `{variable.name}` | {variable.shown_type} | {variable.shown_default} | {sources} | {secret} "
            f"| {variable.meaning} |"
        )
    return "\n".join(rows)
