"""next_page over MCP stdio: following it, page after page, shows every record exactly once.

Each walk calls execute_api_call, then calls again with exactly the params of ``next_page``
until there is none, and compares the records seen with the stand-in's whole listing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import urllib3

from conftest import connectwise_env, gateway
from mcp_client import McpSession


@pytest.fixture(autouse=True)
def fresh(standin) -> None:
    standin.reset()


@pytest.fixture(scope="module")
def narrow(standin, built_catalog: Path, tmp_path_factory: pytest.TempPathFactory):
    """A gateway whose answers hold only a few whole tickets (CWM_MAX_RESPONSE_CHARS=5000)."""
    env = connectwise_env(standin, CWM_MAX_RESPONSE_CHARS="5000")
    with gateway(tmp_path_factory.mktemp("narrow"), built_catalog, env) as session:
        yield session


def listing(standin, params: dict[str, Any]) -> list[int]:
    """The ids of every ticket the stand-in lists for ``params``, in its order, in one page."""
    query = urlencode({**params, "pageSize": 1000, "fields": "id"})
    answer = urllib3.request("GET", f"{standin.base_url}/service/tickets?{query}", headers=standin.headers)
    return [row["id"] for row in json.loads(answer.data)]


def walk(session: McpSession, params: dict[str, Any], **options: Any) -> tuple[list[int], list[Any]]:
    """Follow next_page to the end: (ids of the records shown, the next_page of every call)."""
    seen: list[int] = []
    hints: list[Any] = []
    while params is not None:
        result = session.call("execute_api_call", path="/service/tickets", params=params, **options)
        assert not result.is_error, result.text[:400]
        assert result.data.get("items_shown", result.data["item_count"]) == len(result.data["data"])
        seen += [row["id"] for row in result.data["data"]]
        params = result.data["next_page"]
        hints.append(params)
        assert len(hints) < 200, "next_page never ends"
    return seen, hints


LISTINGS = {
    "forward-only": {"pageSize": 10},
    "ascending orderBy": {"pageSize": 10, "orderBy": "id"},
    "orderBy on another field, descending": {"pageSize": 10, "orderBy": "summary desc"},
    "filter, forward-only": {"pageSize": 10, "conditions": "closedFlag=false"},
    "filter and orderBy": {"pageSize": 7, "conditions": "closedFlag=false", "orderBy": "id desc"},
    "default page size, forward-only": {},
    "default page size, orderBy": {"orderBy": "id"},
}


@pytest.mark.parametrize("params", LISTINGS.values(), ids=LISTINGS.keys())
@pytest.mark.parametrize("max_items", [15, 40])
def test_all_pages_with_max_items_then_next_page_skips_nothing(
    cw: McpSession, standin, params: dict[str, Any], max_items: int
) -> None:
    fields = {**params, "fields": "id,summary"}
    seen, _ = walk(cw, fields, all_pages=True, max_items=max_items)
    expected = listing(standin, {k: v for k, v in params.items() if k != "pageSize"})
    assert seen == expected


@pytest.mark.parametrize("params", LISTINGS.values(), ids=LISTINGS.keys())
def test_plain_next_page_skips_nothing(cw: McpSession, standin, params: dict[str, Any]) -> None:
    seen, _ = walk(cw, {**params, "fields": "id,summary"})
    assert seen == listing(standin, {k: v for k, v in params.items() if k != "pageSize"})


def test_the_example_of_the_issue(cw: McpSession) -> None:
    """pageSize 10, max_items 15: 1001-1015 shown, and next_page resumes at 1016 (not 1021)."""
    first = cw.call("execute_api_call", path="/service/tickets", params={"pageSize": 10}, all_pages=True, max_items=15)
    assert [row["id"] for row in first.data["data"]] == list(range(1001, 1016))
    assert first.data["next_page"] == {"pageSize": 10, "pageId": 1015}
    second = cw.call("execute_api_call", path="/service/tickets", params=first.data["next_page"])
    assert second.data["data"][0]["id"] == 1016
    ordered = cw.call(
        "execute_api_call",
        path="/service/tickets",
        params={"pageSize": 10, "orderBy": "id"},
        all_pages=True,
        max_items=15,
    )
    assert [row["id"] for row in ordered.data["data"]] == list(range(1001, 1016))
    after = cw.call("execute_api_call", path="/service/tickets", params=ordered.data["next_page"])
    assert after.data["data"][0]["id"] == 1016
    assert "More records: call again with params" in ordered.text


@pytest.mark.parametrize(
    ("params", "options"),
    [
        ({"pageSize": 25, "orderBy": "id"}, {}),
        ({"pageSize": 25, "pageId": 0}, {}),
        ({"orderBy": "summary"}, {}),
        ({"pageSize": 25, "conditions": "closedFlag=false"}, {"all_pages": True}),
        ({"pageSize": 10, "orderBy": "id desc"}, {"all_pages": True, "max_items": 30}),
    ],
    ids=["orderBy", "forward-only", "default page size", "all_pages forward-only", "all_pages orderBy"],
)
def test_answers_cut_to_the_size_cap_resume_after_the_last_record_shown(
    narrow: McpSession, standin, params: dict[str, Any], options: dict[str, Any]
) -> None:
    seen, hints = walk(narrow, params, **options)
    expected = listing(standin, {k: v for k, v in params.items() if k not in ("pageSize", "pageId")})
    assert seen == expected
    assert len(hints) > len(expected) / 25  # the cap did cut pages short


def test_a_cut_answer_says_how_many_were_shown_and_where_the_rest_is(narrow: McpSession) -> None:
    result = narrow.call("execute_api_call", path="/service/tickets", params={"pageSize": 25, "orderBy": "id"})
    shown = result.data["items_shown"]
    assert 0 < shown < 25 == result.data["item_count"]
    assert result.data["truncated"] is True
    assert result.data["next_page"] == {"orderBy": "id", "page": 2, "pageSize": shown}  # starts at record shown+1
    assert f"Showing {shown} of 25 items" in result.text
