"""The team server's token checks, in-process: the JWKS cache, its refresh on a new key, its rate limit, scopes."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from cwm_gateway import __version__, settings
from cwm_gateway.team.http import ServerConfigError, public_resource, transport_security
from cwm_gateway.team.oauth import JwksClient, JwtVerifier, OAuthConfigError, OAuthSettings, token_scopes
from tokens import AUDIENCE, ISSUER, IdentityProvider


def verifier(idp: IdentityProvider, cooldown: float) -> JwtVerifier:
    oauth = OAuthSettings.checked(ISSUER, (AUDIENCE,), idp.jwks_url)
    return JwtVerifier(oauth, JwksClient(idp.jwks_url, cooldown=cooldown))


def test_a_valid_token_gives_its_subject_and_scopes_but_not_the_token(tmp_path: Path) -> None:
    idp = IdentityProvider(tmp_path)
    token = idp.token("alice", scope="cwm.read")
    checked = verifier(idp, 30).verify(token)
    assert checked is not None
    assert (checked.subject, checked.scopes) == ("alice", ["cwm.read"])
    assert checked.token == ""  # nothing downstream can pass it on


def test_a_rotated_key_is_fetched_when_a_token_names_it(tmp_path: Path) -> None:
    idp = IdentityProvider(tmp_path)
    check = verifier(idp, cooldown=0)
    assert check.verify(idp.token("alice")) is not None
    rotated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    idp.keys["rsa-2"] = (rotated, "RS256")
    idp.write_jwks()
    assert check.verify(idp.token("alice", kid="rsa-2")) is not None
    assert check.jwks.fetches == 2


def test_unknown_keys_cannot_make_the_server_refetch_more_than_once_per_cooldown(tmp_path: Path) -> None:
    idp = IdentityProvider(tmp_path)
    check = verifier(idp, cooldown=60)
    assert check.verify(idp.token("alice")) is not None
    for number in range(20):
        assert check.verify(idp.token("alice", kid=f"made-up-{number}", key=idp.rsa)) is None
    assert check.jwks.fetches == 1


def test_an_unreadable_key_set_refuses_tokens_without_crashing(tmp_path: Path) -> None:
    idp = IdentityProvider(tmp_path)
    idp.jwks_path.write_text("not json")
    assert verifier(idp, 0).verify(idp.token("alice")) is None


@pytest.mark.parametrize(
    ("claims", "scopes"),
    [
        ({"scope": "cwm.read"}, ["cwm.read"]),
        ({"scp": "cwm.read cwm.write"}, ["cwm.read", "cwm.write"]),  # Entra ID's claim
        ({"scp": "api://cwm-gateway/cwm.write"}, ["cwm.read", "cwm.write"]),  # a full scope URI; write includes read
        ({}, []),
    ],
)
def test_scopes_come_from_scope_or_scp(claims: dict, scopes: list[str]) -> None:
    assert token_scopes(claims) == scopes


def test_missing_oauth_settings_are_named_with_examples() -> None:
    with pytest.raises(OAuthConfigError) as raised:
        OAuthSettings.checked("", (), "")
    for name in ("CWM_OAUTH_ISSUER", "CWM_OAUTH_AUDIENCE", "CWM_OAUTH_JWKS"):
        assert name in str(raised.value)
    with pytest.raises(OAuthConfigError, match="file://"):
        OAuthSettings.checked(ISSUER, (AUDIENCE,), "ftp://keys")


def test_the_public_url_is_the_mcp_endpoint() -> None:
    assert public_resource("https://cwm.example.com") == "https://cwm.example.com/mcp"
    assert public_resource("https://cwm.example.com/mcp/") == "https://cwm.example.com/mcp"
    with pytest.raises(ServerConfigError, match="CWM_PUBLIC_URL"):
        public_resource("")


def test_allowed_hosts_default_to_the_public_host() -> None:
    team = settings.team({})
    checks = transport_security(team, "https://cwm.example.com/mcp")
    assert "cwm.example.com" in checks.allowed_hosts and "https://cwm.example.com" in checks.allowed_origins
    assert "evil.example" not in checks.allowed_hosts
    off = transport_security(settings.team({"CWM_ALLOWED_HOSTS": "*"}), "https://cwm.example.com/mcp")
    assert off.enable_dns_rebinding_protection is False


def test_serve_http_without_settings_says_what_to_set(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from cwm_gateway import cli

    for name in settings.VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("cwm_gateway.logs.configure", lambda **kwargs: None)
    assert cli.main(["serve", "--http", "--port", "1"]) == cli.UNUSABLE_INPUT
    assert "CWM_PUBLIC_URL is not set" in capsys.readouterr().err


def test_health_is_503_without_saying_where_the_database_is() -> None:
    import json
    from types import SimpleNamespace

    import anyio

    from cwm_gateway.team.database import DatabaseError
    from cwm_gateway.team.http import _health

    def ping() -> None:
        raise DatabaseError("The database at db.internal:5432/cwm cannot be used: connection refused.")

    answer = anyio.run(_health, SimpleNamespace(db=SimpleNamespace(ping=ping)))
    assert answer.status_code == 503
    assert json.loads(answer.body) == {"status": "unavailable", "version": __version__, "database": "unreachable"}
