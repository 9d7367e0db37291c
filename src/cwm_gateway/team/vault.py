"""Each subject's ConnectWise keys, encrypted at rest with ``CWM_SECRET_KEY``.

Fernet (AES-128-CBC with HMAC-SHA256) seals the subject *and* its keys together: a row copied to
another subject fails the subject check on the way out, a row changed in the database fails the
HMAC, and a wrong secret key fails loudly instead of giving garbage. The table keeps in clear only
what ``users list`` shows: the API URL, the company ID and a short fingerprint of the public key.
``CWM_SECRET_KEY=new,old`` reads rows sealed with either key and seals new ones with the first.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..credentials import Setting, Settings
from ..results import ToolError
from .database import Database

KEY_NAMES = ("api_url", "company_id", "public_key", "private_key", "client_id")
SEAL_FORMAT = 1
NEW_KEY_HINT = "Make one with 'cwm-gateway users new-secret-key' and keep it with the database's other secrets."


class VaultError(ToolError):
    """The vault cannot give or keep a subject's keys; the message says why and what to do (never a secret)."""


class SecretKeyError(VaultError):
    """``CWM_SECRET_KEY`` is unset, malformed, or not the key the stored keys were sealed with."""


def new_secret_key() -> str:
    """A fresh ``CWM_SECRET_KEY``: 32 random bytes, URL-safe base64 (a Fernet key)."""
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def cipher(secret_key: str) -> Any:
    """A MultiFernet for ``secret_key`` (one key, or ``new,old``); a SecretKeyError naming what is wrong."""
    from cryptography.fernet import Fernet, MultiFernet

    keys = [part.strip() for part in (secret_key or "").split(",") if part.strip()]
    if not keys:
        raise SecretKeyError(f"CWM_SECRET_KEY is not set: the key vault cannot be opened without it. {NEW_KEY_HINT}")
    fernets = []
    for number, key in enumerate(keys, 1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            which = f" (key {number} of {len(keys)})" if len(keys) > 1 else ""
            raise SecretKeyError(
                f"CWM_SECRET_KEY{which} is not a Fernet key: 32 bytes in URL-safe base64, 44 characters ending "
                f"in '='. {NEW_KEY_HINT}"
            ) from None
    return MultiFernet(fernets)


def public_key_fingerprint(public_key: str) -> str:
    """Eight hex digits of SHA-256: enough to tell two keys apart in a list, not to recover one."""
    return hashlib.sha256(public_key.encode()).hexdigest()[:8]


def check_keys_dict(keys: dict[str, Any]) -> dict[str, str]:
    """The five keys as non-empty strings, nothing else; a VaultError naming what is missing."""
    missing = [name for name in KEY_NAMES if not isinstance(keys.get(name), str) or not keys[name].strip()]
    if missing:
        raise VaultError(f"Keys to store lack {', '.join(missing)}; nothing was stored.")
    return {name: keys[name].strip() for name in KEY_NAMES}


class KeyVault:
    """The ``key_vault`` table: one sealed row per subject."""

    def __init__(self, db: Database, secret_key: str) -> None:
        self.db = db
        self._cipher = cipher(secret_key)  # checked now: a bad key stops the server at start, not mid-call

    def set_keys(self, subject: str, keys: dict[str, Any]) -> None:
        """Store (or replace) ``subject``'s keys: api_url, company_id, public_key, private_key, client_id."""
        subject = _subject(subject)
        clean = check_keys_dict(keys)
        sealed = self._seal(subject, clean)
        with self.db.transaction() as conn:
            conn.execute(
                """INSERT INTO key_vault (subject, api_url, company_id, public_key_fingerprint, sealed, updated)
                   VALUES (%s, %s, %s, %s, %s, now())
                   ON CONFLICT (subject) DO UPDATE SET api_url = EXCLUDED.api_url, company_id = EXCLUDED.company_id,
                       public_key_fingerprint = EXCLUDED.public_key_fingerprint, sealed = EXCLUDED.sealed,
                       updated = now()""",
                (subject, clean["api_url"], clean["company_id"], public_key_fingerprint(clean["public_key"]), sealed),
            )

    def keys_for(self, subject: str) -> dict[str, str] | None:
        """``subject``'s keys, or None when it has none; a VaultError when the row cannot be opened."""
        subject = _subject(subject)
        with self.db.transaction() as conn:
            row = conn.execute("SELECT sealed FROM key_vault WHERE subject = %s", (subject,)).fetchone()
        return self._open(subject, row["sealed"]) if row else None

    def list(self) -> list[dict[str, Any]]:
        """Who has keys: subject, api_url, company_id, public_key_fingerprint, updated (ISO 8601). No secrets."""
        return stored_subjects(self.db)

    def remove(self, subject: str) -> bool:
        """Forget ``subject``'s keys; False when it had none."""
        return remove_keys(self.db, subject)

    # -- sealing ---------------------------------------------------------------

    def _seal(self, subject: str, keys: dict[str, str]) -> str:
        plain = json.dumps({"format": SEAL_FORMAT, "subject": subject, "keys": keys}, separators=(",", ":"))
        return self._cipher.encrypt(plain.encode()).decode()

    def _open(self, subject: str, sealed: str) -> dict[str, str]:
        from cryptography.fernet import InvalidToken

        try:
            plain = json.loads(self._cipher.decrypt(sealed.encode()))
        except InvalidToken:
            raise SecretKeyError(
                f"The stored keys of {subject!r} cannot be decrypted: CWM_SECRET_KEY is not the key they were "
                "stored with, or the row was altered. Set the original key (or 'new,old' while rotating), or store "
                f"the keys again with 'cwm-gateway users set-keys {subject} ...'."
            ) from None
        if not isinstance(plain, dict) or plain.get("subject") != subject:
            # Sealed for someone else: a row copied between subjects must never lend one user's keys to another.
            raise VaultError(
                f"The stored keys of {subject!r} were sealed for another subject and are refused. Store this "
                f"subject's own keys with 'cwm-gateway users set-keys {subject} ...'."
            )
        return check_keys_dict(plain.get("keys") or {})


def stored_subjects(db: Database) -> list[dict[str, Any]]:
    """``KeyVault.list`` without the secret key: it never opens a sealed row."""
    with db.transaction() as conn:
        rows = conn.execute(
            "SELECT subject, api_url, company_id, public_key_fingerprint, updated FROM key_vault ORDER BY subject"
        ).fetchall()
    return [{**row, "updated": row["updated"].isoformat(timespec="seconds")} for row in rows]


def remove_keys(db: Database, subject: str) -> bool:
    """``KeyVault.remove`` without the secret key."""
    with db.transaction() as conn:
        return conn.execute("DELETE FROM key_vault WHERE subject = %s", (_subject(subject),)).rowcount > 0


def _subject(subject: str) -> str:
    # Kept exactly as given (no trimming): subjects are opaque, and two must never collapse into one.
    if not isinstance(subject, str) or not subject.strip():
        raise VaultError("A subject (the identity provider's user id, the token's 'sub') is required.")
    return subject


def settings_for(subject: str, keys: dict[str, str], profile: str = "team") -> Settings:
    """A subject's keys as the ``Settings`` the ConnectWise client takes (sources say "vault")."""
    source = f"key vault ({subject})"
    return Settings(profile=profile, values={name: Setting(keys[name], source) for name in KEY_NAMES})
