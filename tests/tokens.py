"""An identity provider for the team-server tests: an RSA and an EC key pair, their JWKS file, tokens.

Tokens are minted as Entra ID would (``iss``, ``aud``, ``sub``, ``exp``, scopes), signed RS256 or
ES256; ``forged`` ones are signed by a key pair the JWKS does not hold, under a known ``kid``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ISSUER = "https://login.example.test/tenant-1/v2.0"
AUDIENCE = "api://cwm-gateway-test"


class IdentityProvider:
    def __init__(self, directory: Path) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.keys = {"rsa-1": (self.rsa, "RS256"), "ec-1": (self.ec, "ES256")}
        self.jwks_path = directory / "jwks.json"
        self.write_jwks()

    @property
    def jwks_url(self) -> str:
        return self.jwks_path.as_uri()

    def write_jwks(self, extra: dict[str, tuple[Any, str]] | None = None) -> None:
        keys = []
        for kid, (private, alg) in {**self.keys, **(extra or {})}.items():
            algorithm = jwt.algorithms.RSAAlgorithm if alg == "RS256" else jwt.algorithms.ECAlgorithm
            jwk = json.loads(algorithm.to_jwk(private.public_key()))
            keys.append({**jwk, "kid": kid, "alg": alg, "use": "sig"})
        self.jwks_path.write_text(json.dumps({"keys": keys}), encoding="utf-8")

    def token(
        self,
        subject: str,
        scope: str = "cwm.read cwm.write",
        kid: str = "rsa-1",
        audience: str = AUDIENCE,
        issuer: str = ISSUER,
        lifetime: int = 3600,
        key: Any = None,
        **claims: Any,
    ) -> str:
        private, alg = self.keys.get(kid, (None, "RS256"))
        now = int(time.time())
        payload = {"iss": issuer, "aud": audience, "sub": subject, "iat": now, "nbf": now, "exp": now + lifetime}
        payload.update(scope=scope, **claims)
        return jwt.encode(payload, key or private, algorithm=alg, headers={"kid": kid})

    def forged(self, subject: str, kid: str = "rsa-1") -> str:
        """A token naming a trusted key but signed by another one."""
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self.token(subject, kid=kid, key=other)
