"""The team server as an OAuth 2.1 resource server: bearer JWTs checked against the issuer's JWKS.

The MCP SDK does the HTTP side (``BearerAuthBackend``, ``RequireAuthMiddleware``, the RFC 9728
metadata route); this module is the ``TokenVerifier`` it calls: signature (RS256 or ES256) with a
key from the JWKS, issuer, audience, expiry, and the subject and scopes a request acts with.
PyJWT's ``PyJWKClient`` caches the key set, refetches it when a token names an unknown ``kid``
and rate-limits those refetches (so forged ``kid`` values cannot make us hammer the provider);
``file://`` key sets are read from disk the same way. The token itself is never stored or
passed on: a request keeps only its subject and scopes.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import anyio.to_thread
import jwt
from mcp.server.auth.provider import AccessToken, TokenVerifier

from ..results import ToolError

log = logging.getLogger(__name__)

READ_SCOPE = "cwm.read"
WRITE_SCOPE = "cwm.write"
SCOPES = (READ_SCOPE, WRITE_SCOPE)
ALGORITHMS = ["RS256", "ES256"]
LEEWAY = 60  # seconds of clock skew forgiven on exp/nbf/iat
JWKS_LIFESPAN = 300.0  # seconds a fetched key set is trusted before it is fetched again
JWKS_COOLDOWN = 30.0  # at most one refetch per this many seconds for tokens naming an unknown key
JWKS_TIMEOUT = 10.0


class OAuthConfigError(ToolError):
    """The OAuth settings are missing or unusable; the message names the setting and an example."""


@dataclass(frozen=True)
class OAuthSettings:
    issuer: str
    audience: tuple[str, ...]
    jwks: str

    @classmethod
    def checked(cls, issuer: str, audience: tuple[str, ...], jwks: str) -> OAuthSettings:
        missing = [
            f"{name} (e.g. {example})"
            for name, value, example in (
                ("CWM_OAUTH_ISSUER", issuer, "https://login.microsoftonline.com/TENANT/v2.0"),
                ("CWM_OAUTH_AUDIENCE", audience, "api://cwm-gateway"),
                ("CWM_OAUTH_JWKS", jwks, "https://login.microsoftonline.com/TENANT/discovery/v2.0/keys"),
            )
            if not value
        ]
        if missing:
            raise OAuthConfigError(
                "The team server checks every request's sign-in token and needs " + "; ".join(missing) + "."
            )
        if urlsplit(jwks).scheme not in ("https", "http", "file"):
            raise OAuthConfigError(f"CWM_OAUTH_JWKS must be an https:// URL or a file:// path (got {jwks!r}).")
        return cls(issuer, audience, jwks)


class JwksClient(jwt.PyJWKClient):
    """PyJWT's JWKS client, also for ``file://`` key sets (read from disk, cached and refreshed alike)."""

    def __init__(self, source: str, cooldown: float = JWKS_COOLDOWN, lifespan: float = JWKS_LIFESPAN) -> None:
        parts = urlsplit(source)
        self.file = Path(unquote(parts.path)) if parts.scheme == "file" else None
        # PyJWKClient refuses non-http schemes; a file source never reaches its fetch_data.
        uri = "https://jwks.invalid/" if self.file else source
        super().__init__(uri, lifespan=lifespan, timeout=JWKS_TIMEOUT, cooldown_duration=cooldown)
        self.fetches = 0  # for tests and logs: how often the key set was (re)read

    def fetch_data(self) -> Any:
        self.fetches += 1
        if self.file is None:
            return super().fetch_data()
        try:
            data = self._as_jwk_set_payload(json.loads(self.file.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise jwt.PyJWKClientConnectionError(f"cannot read the key set {self.file}: {exc}") from exc
        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(data)
        self._last_successful_fetch = time.monotonic()
        return data


class JwtVerifier(TokenVerifier):
    """Checks a bearer JWT; an ``AccessToken`` (subject, scopes, expiry) or None (the SDK answers 401)."""

    def __init__(self, settings: OAuthSettings, jwks: JwksClient | None = None) -> None:
        self.settings = settings
        self.jwks = jwks or JwksClient(settings.jwks)

    async def verify_token(self, token: str) -> AccessToken | None:
        # A key-set fetch blocks; a cached key makes this a few dozen microseconds.
        return await anyio.to_thread.run_sync(self.verify, token)

    def verify(self, token: str) -> AccessToken | None:
        try:
            claims = self._claims(token)
        except (jwt.PyJWTError, ValueError) as exc:
            log.info("bearer token refused: %s", exc)  # never the token itself
            return None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            log.info("bearer token refused: no subject ('sub')")
            return None
        return AccessToken(
            token="",  # not kept: nothing downstream needs it, and nothing may pass it on
            client_id=str(claims.get("azp") or claims.get("client_id") or claims.get("appid") or subject),
            scopes=token_scopes(claims),
            expires_at=int(claims["exp"]),
            subject=subject,
            claims={"iss": claims.get("iss")},
        )

    def _claims(self, token: str) -> dict[str, Any]:
        header = jwt.get_unverified_header(token)
        if header.get("alg") not in ALGORITHMS:
            raise ValueError(f"algorithm {header.get('alg')!r} is not one of {', '.join(ALGORITHMS)}")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise ValueError("the token names no signing key ('kid')")
        key = self.jwks.get_signing_key(kid)
        return jwt.decode(
            token,
            key,
            algorithms=ALGORITHMS,
            audience=list(self.settings.audience),
            issuer=self.settings.issuer,
            leeway=LEEWAY,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )


def token_scopes(claims: dict[str, Any]) -> list[str]:
    """The token's scopes: ``scope`` (RFC 9068) or Entra ID's ``scp``, space-separated.

    Entra ID may also name them by their full URI (``api://cwm-gateway/cwm.read``): the last path
    segment counts. ``cwm.write`` includes ``cwm.read``: a writer can always read.
    """
    raw = claims.get("scope") or claims.get("scp") or ""
    words = raw.split() if isinstance(raw, str) else [str(word) for word in raw]
    scopes = {word.rsplit("/", 1)[-1] for word in words}
    if WRITE_SCOPE in scopes:
        scopes.add(READ_SCOPE)
    return sorted(scopes)
