"""``cwm-gateway users``: each person's ConnectWise keys in the team server's key vault.

``set-keys`` checks everything it can before it sends anything (the secret key, the database, the
API URL), then checks the keys with ``GET /system/info`` exactly as ``setup`` does, and stores them
only when ConnectWise accepted them. ``list`` and ``remove`` need the database but not the secret
key: they never open a sealed row. Every failure is a ``CliError`` with what to do.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO
from urllib.parse import urlsplit

from .. import settings
from ..cli import FAILED, UNUSABLE_INPUT, CliError

SERVER_EXTRA = "pip install 'cwm-gateway[server]'"


def run(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
    """The ``users`` command named by ``args.users_command`` (standard input and output unless given)."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    if args.users_command == "new-secret-key":
        _new_secret_key(stdout)
        return
    _require_server_extra()
    from .database import DatabaseError

    try:
        if args.users_command == "set-keys":
            _set_keys(args, stdin, stdout)
        elif args.users_command == "list":
            _list(args.json, stdout)
        else:
            _remove(args.subject, stdout)
    except DatabaseError as exc:
        raise CliError(str(exc), FAILED) from None


def _require_server_extra() -> None:
    try:
        import cryptography  # noqa: F401
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError as exc:
        raise CliError(
            f"the team server's packages are not installed ({exc.name} is missing): {SERVER_EXTRA}.", UNUSABLE_INPUT
        ) from None


def _new_secret_key(stdout: TextIO) -> None:
    _require_server_extra()
    from .vault import new_secret_key

    stdout.write(new_secret_key() + "\n")
    sys.stderr.write(
        "Set it as CWM_SECRET_KEY on every replica and on the machine that runs 'users set-keys', and keep it "
        "secret. Without it the stored keys cannot be read: every user's keys would have to be set again.\n"
    )


def _database() -> Any:
    """The migrated database ``CWM_DATABASE_URL`` names; an unset URL is unusable input."""
    from .database import Database, DatabaseError

    try:
        db = Database(settings.team().database_url, min_size=0, max_size=2)
    except DatabaseError as exc:  # unset or not postgresql://: a setting to fix, nothing was tried
        raise CliError(str(exc), UNUSABLE_INPUT) from None
    db.migrate()  # fails fast and plainly when unreachable; the vault's table exists afterwards
    return db


def _vault(db: Any) -> Any:
    from .vault import KeyVault, SecretKeyError

    try:
        return KeyVault(db, settings.team().secret_key)
    except SecretKeyError as exc:
        raise CliError(str(exc), UNUSABLE_INPUT) from None


# -- set-keys -------------------------------------------------------------------------------------------------------


def _set_keys(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> None:
    from .vault import SecretKeyError, cipher

    subject = args.subject
    keys = _given_keys(args, stdin)
    try:
        cipher(settings.team().secret_key)  # before the database and ConnectWise: nothing sent with a bad key
    except SecretKeyError as exc:
        raise CliError(str(exc), UNUSABLE_INPUT) from None
    with _database() as db:
        vault = _vault(db)
        keys["api_url"] = _api_url(args, keys["company_id"])
        stdout.write(f"API URL: {keys['api_url']}\n")
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(keys["api_url"]))
        stdout.write(f"Checking the keys with GET {keys['api_url']}/system/info (they are sent to {origin} only).\n")
        stdout.flush()
        version = _verify(subject, keys)
        vault.set_keys(subject, keys)
        stored = next(row for row in vault.list() if row["subject"] == subject)
    stdout.write(
        f"Verified: ConnectWise {version} accepted the keys. Stored them for {subject!r}, encrypted "
        f"(public key fingerprint {stored['public_key_fingerprint']}).\n"
    )


def _given_keys(args: argparse.Namespace, stdin: TextIO) -> dict[str, str]:
    """The keys from the command line and standard input; unusable input names what to give."""
    from ..credentials import GUID_RE
    from ..keycheck import CLIENT_ID_HELP

    if not args.subject.strip():
        raise CliError("SUBJECT is empty: give the user's 'sub' claim from your identity provider.", UNUSABLE_INPUT)
    keys = {name: (getattr(args, name) or "").strip() for name in ("company_id", "public_key", "client_id")}
    keys["private_key"] = stdin.readline().strip() if args.private_key_stdin else ""
    missing = [f"--{name.replace('_', '-')}" for name in ("company_id", "public_key", "client_id") if not keys[name]]
    if not keys["private_key"]:
        missing.append("--private-key-stdin (the private key on standard input)")
    if missing:
        raise CliError("Missing: " + ", ".join(missing) + ". Nothing was sent or stored.", UNUSABLE_INPUT)
    if not GUID_RE.match(keys["client_id"]):
        raise CliError(f"--client-id {keys['client_id']!r} is not a GUID. {CLIENT_ID_HELP}", UNUSABLE_INPUT)
    return keys


def _api_url(args: argparse.Namespace, company_id: str) -> str:
    """``--api-url`` checked, or the API URL ``--site`` says it has (the rules of ``setup``)."""
    from ..api_url import ApiUrlError, check_api_url, parse_site
    from ..setup_command import SetupError, discover_api_url

    try:
        if args.api_url:
            return check_api_url(args.api_url, "--api-url")
        return discover_api_url(parse_site(args.site), company_id)
    except ApiUrlError as exc:
        raise CliError(f"{exc} Nothing was stored.", UNUSABLE_INPUT) from None
    except SetupError as exc:  # the site could not be asked, or does not know the company
        raise CliError(f"{exc} Nothing was stored.", FAILED) from None


def _verify(subject: str, keys: dict[str, str]) -> str:
    from ..keycheck import check_keys
    from ..setup_command import _catalog_api_version
    from .vault import settings_for

    result = check_keys(settings_for(subject, keys), _catalog_api_version(), timeout=20)
    if not result.ok:
        raise CliError(f"{result.message} Nothing was stored.", FAILED)
    return result.version


# -- list and remove ------------------------------------------------------------------------------------------------


def _list(as_json: bool, stdout: TextIO) -> None:
    from .vault import stored_subjects

    with _database() as db:
        rows = stored_subjects(db)
    if as_json:
        stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    if not rows:
        stdout.write("No user has keys yet: add one with 'cwm-gateway users set-keys SUBJECT ...'.\n")
        return
    stdout.write("subject\tAPI URL\tcompany\tpublic key\tupdated\n")
    for row in rows:
        stdout.write(
            f"{row['subject']}\t{row['api_url']}\t{row['company_id']}\t{row['public_key_fingerprint']}\t"
            f"{row['updated']}\n"
        )


def _remove(subject: str, stdout: TextIO) -> None:
    from .vault import remove_keys

    with _database() as db:
        removed = remove_keys(db, subject)
    if not removed:
        raise CliError(f"{subject!r} has no stored keys; 'cwm-gateway users list' shows who has.", FAILED)
    stdout.write(f"Removed the keys of {subject!r}; its calls are refused until keys are set again.\n")


# -- the parser -----------------------------------------------------------------------------------------------------


def add_parser(commands: Any, handler: Any) -> None:
    """``users set-keys | list | remove | new-secret-key``, run by ``handler``."""
    users = commands.add_parser(
        "users",
        help="team server: each person's ConnectWise keys, encrypted in the database",
        description="Keys for the team server (serve --http), kept in the PostgreSQL database CWM_DATABASE_URL "
        "names, encrypted with CWM_SECRET_KEY. A request uses only the keys of its token's subject.",
    )
    actions = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    keys = actions.add_parser(
        "set-keys",
        help="check a user's keys with ConnectWise, then store them encrypted",
        description="Checks the keys with GET /system/info and stores them only if ConnectWise accepts them.",
    )
    keys.add_argument("subject", metavar="SUBJECT", help="the user's 'sub' claim in the identity provider's tokens")
    where = keys.add_mutually_exclusive_group(required=True)
    where.add_argument("--site", metavar="HOST_OR_URL", help="the ConnectWise site, e.g. na.myconnectwise.net")
    where.add_argument("--api-url", metavar="URL", help="the full API URL, instead of discovering it from --site")
    keys.add_argument("--company-id", metavar="ID", help="the company ID you log in with")
    keys.add_argument("--public-key", metavar="KEY", help="the user's API member public key")
    keys.add_argument("--client-id", metavar="GUID", help="the clientId from developer.connectwise.com")
    keys.add_argument("--private-key-stdin", action="store_true", help="read the private key from standard input")
    listed = actions.add_parser("list", help="who has keys (no secrets)")
    listed.add_argument("--json", action="store_true", help="print the list as JSON")
    removed = actions.add_parser("remove", help="forget a user's keys")
    removed.add_argument("subject", metavar="SUBJECT", help="the user's 'sub' claim")
    actions.add_parser("new-secret-key", help="print a fresh CWM_SECRET_KEY")
    users.set_defaults(func=handler)
