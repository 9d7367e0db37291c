"""The team server end to end: two real ``serve --http`` replicas, one real PostgreSQL, two ConnectWise stand-ins.

Tokens come from a test identity provider (an RSA and an EC key pair, its JWKS as a ``file://``
path); every MCP call goes through the official ``mcp`` client over streamable HTTP, in both
protocol eras. The replicas start once for the module.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from team_servers import (
    ALICE,
    BOB,
    INITIALIZE,
    LEGACY,
    MCP_HEADERS,
    MODERN,
    Team,
    call_tool,
    http,
    http_get,
    start_team,
)
from tokens import ISSUER


@pytest.fixture(scope="module")
def team(postgres_server, built_catalog: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    with start_team(postgres_server, tmp_path_factory.mktemp("team-http"), built_catalog) as started:
        yield started


@pytest.fixture
def standins(team: Team):
    for standin in team.standins.values():
        standin.reset()
    return team.standins


def call(team: Team, replica: int, token: str, tool: str, mode: str = LEGACY, **arguments):
    return anyio.run(call_tool, team.replicas[replica].url, token, tool, arguments, mode)


def metadata_url(team: Team, replica: int = 0) -> str:
    return f"{team.replicas[replica].origin}/.well-known/oauth-protected-resource/mcp"


# -- the HTTP surface ---------------------------------------------------------------------------------------------


def test_health_route_says_ok_with_version_and_database(team: Team) -> None:
    from cwm_gateway import __version__

    for replica in team.replicas:
        status, _, body = http_get(f"{replica.origin}/healthz")
        assert status == 200
        assert json.loads(body) == {"status": "ok", "version": __version__, "database": "ok"}


def test_protected_resource_metadata_names_the_issuer_and_scopes(team: Team) -> None:
    status, _, body = http_get(metadata_url(team))
    assert status == 200
    document = json.loads(body)
    assert document["resource"] == team.replicas[0].url
    assert document["authorization_servers"] == [ISSUER]
    assert document["scopes_supported"] == ["cwm.read", "cwm.write"]


@pytest.mark.parametrize(
    "case", ["missing", "wrong audience", "expired", "forged", "wrong issuer", "unknown key", "not a JWT"]
)
def test_a_request_without_a_valid_token_gets_401_naming_the_metadata(team: Team, case: str) -> None:
    idp = team.idp
    tokens = {
        "missing": None,
        "wrong audience": idp.token(ALICE.subject, audience="api://another-app"),
        "expired": idp.token(ALICE.subject, lifetime=-3600),
        "forged": idp.forged(ALICE.subject),
        "wrong issuer": idp.token(ALICE.subject, issuer="https://evil.example/v2.0"),
        "unknown key": idp.token(ALICE.subject, kid="rsa-unknown", key=idp.rsa),
        "not a JWT": "not-a-token",
    }
    headers = dict(MCP_HEADERS)
    if tokens[case]:
        headers["Authorization"] = f"Bearer {tokens[case]}"
    status, got, _ = http("POST", team.replicas[1].url, INITIALIZE, headers)
    assert status == 401
    assert got["www-authenticate"].startswith("Bearer ")
    assert f'resource_metadata="{metadata_url(team, 1)}"' in got["www-authenticate"]


def test_a_foreign_origin_or_host_is_refused(team: Team) -> None:
    headers = {**MCP_HEADERS, "Authorization": f"Bearer {team.idp.token(ALICE.subject)}"}
    url = team.replicas[0].url
    assert http("POST", url, INITIALIZE, {**headers, "Origin": "https://evil.example"})[0] == 403
    assert http("POST", url, INITIALIZE, {**headers, "Host": "evil.example"})[0] == 421
    assert http("POST", url, INITIALIZE, {**headers, "Origin": team.replicas[0].origin})[0] == 200


@pytest.mark.parametrize("mode", [LEGACY, MODERN])
def test_rs256_and_es256_tokens_work_in_both_protocol_eras(team: Team, mode: str) -> None:
    for kid in ("rsa-1", "ec-1"):
        token = team.idp.token(ALICE.subject, scope="cwm.read", kid=kid)
        found = call(team, 0, token, "search_api_endpoints", mode, query="ticket notes", max_results=1)
        assert not found.is_error, found
        assert "/service/tickets/{parentId}/notes" in found.text


# -- each user's state and keys -----------------------------------------------------------------------------------


def test_saved_queries_are_private_and_shared_by_the_replicas_at_once(team: Team) -> None:
    alice, bob = team.idp.token(ALICE.subject, scope="cwm.read"), team.idp.token(BOB.subject, scope="cwm.read")
    saved = call(
        team, 0, alice, "save_to_fast_memory", LEGACY,
        path="/service/tickets", method="GET", description="alice's open tickets",
        params={"conditions": "closedFlag=false"},
    )  # fmt: skip
    assert not saved.is_error, saved
    query_id = saved.data["id"]

    listed = call(team, 1, alice, "list_fast_memory", MODERN)  # the other replica, the other era
    assert "alice's open tickets" in listed.text

    assert "alice's open tickets" not in call(team, 1, bob, "list_fast_memory").text
    for tool, arguments in (
        ("run_saved_query", {"query_id": query_id}),
        ("delete_from_fast_memory", {"query_id": query_id}),
    ):
        refused = call(team, 0, bob, tool, LEGACY, **arguments)
        assert refused.is_error and str(query_id) in refused.text, refused
    assert "alice's open tickets" in call(team, 0, alice, "list_fast_memory").text


def test_each_user_reaches_connectwise_only_with_their_own_keys(team: Team, standins) -> None:
    for user, replica in ((ALICE, 0), (BOB, 1), (ALICE, 1), (BOB, 0)):
        token = team.idp.token(user.subject, scope="cwm.read")
        got = call(team, replica, token, "execute_api_call", path="/service/tickets", params={"pageSize": 2})
        assert not got.is_error, got
    for user in (ALICE, BOB):
        requests = standins[user.subject].requests
        assert len(requests) == 2
        # The stand-in accepts only its user's keys: authorized means those keys, and that clientId.
        assert all(r.authorized and r.headers["clientid"] == user.client_id for r in requests)
        assert not any("Bearer" in value or "eyJ" in value for r in requests for value in r.headers.values())


def test_a_read_token_cannot_write_and_a_write_token_is_audited(team: Team, standins) -> None:
    ticket = standins[ALICE.subject].records("/service/tickets")[0]["id"]
    change = {"path": f"/service/tickets/{ticket}", "method": "PATCH", "data": {"summary": "Printer on fire"}}
    reader = team.idp.token(ALICE.subject, scope="cwm.read")
    refused = call(team, 0, reader, "execute_api_call", **change)
    assert refused.is_error and "cwm.write" in refused.text, refused
    assert standins[ALICE.subject].requests == []

    writer = team.idp.token(ALICE.subject, scope="cwm.read cwm.write", kid="ec-1")
    changed = call(team, 1, writer, "execute_api_call", **change)
    assert not changed.is_error, changed
    assert [r.method for r in standins[ALICE.subject].requests] == ["PATCH"]

    from cwm_gateway.team.audit import recent
    from cwm_gateway.team.database import Database

    with Database(team.database_url) as db:
        rows = recent(db, 5)
    assert rows[0]["subject"] == ALICE.subject and rows[0]["operation"] == "PATCH /service/tickets/{id}"


def test_a_subject_without_keys_is_told_the_admin_command(team: Team, standins) -> None:
    token = team.idp.token("carol-0003", scope="cwm.read")
    got = call(team, 0, token, "execute_api_call", path="/service/tickets")
    assert got.is_error
    assert "No ConnectWise keys are stored for you" in got.text
    assert "cwm-gateway users set-keys carol-0003" in got.text
    assert all(not s.requests for s in standins.values())
    assert not call(team, 0, token, "natural_language_api_search", query="open tickets").is_error  # search needs none
