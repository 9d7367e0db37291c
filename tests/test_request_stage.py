"""The request stage as plain functions: every check and rule, in-process, with no client, keyring or network."""

from __future__ import annotations

import json
import re

import pytest

from cwm_gateway import checks, conditions
from cwm_gateway.execution import Executor, Options, Policy, Request
from cwm_gateway.execution.facts import Facts
from cwm_gateway.execution.prepare import MAX_ITEMS, check_options, prepare
from cwm_gateway.execution.query import as_search, check_query
from cwm_gateway.execution.request import from_arguments, from_raw, from_saved, normalize_params
from cwm_gateway.execution.route import fill_placeholders, route
from cwm_gateway.execution.rules import BodyMissing, check_body, check_policy, patch_operations
from cwm_gateway.memory import SavedQuery
from cwm_gateway.results import ToolError


@pytest.fixture(scope="module")
def facts(catalog) -> Facts:
    return Facts(catalog)


def checked(facts: Facts, request: Request, policy: Policy | None = None, confirm: bool = False) -> Request:
    return prepare(request, facts, (policy or Policy()).resolved(facts.catalog), confirm)


def refusal(facts: Facts, request: Request, policy: Policy | None = None, confirm: bool = False) -> ToolError:
    with pytest.raises(ToolError) as caught:
        checked(facts, request, policy, confirm)
    return caught.value


def get(path: str, **query: str) -> Request:
    return Request("GET", path, tuple(query.items()))


# -- reading the arguments ------------------------------------------------------------------


def test_arguments_are_read_into_a_request() -> None:
    request = from_arguments(" /service/tickets?conditions=id>1 ", "get", {"pageSize": 5, "x": [1, 2]}, None)
    assert request == Request("GET", "/service/tickets", (("conditions", "id>1"), ("pageSize", "5"), ("x", "1,2")))
    assert from_arguments("/x", None, '{"flag": true, "gone": null}', '{"a": 1}').query == (("flag", "true"),)
    assert from_arguments("/x", "POST", None, '{"a": 1}').body == {"a": 1}
    assert from_arguments("/x", "POST", None, "  ").has_body is False


@pytest.mark.parametrize(
    ("method", "params", "data", "words"),
    [
        ("FETCH", None, None, "Unsupported method 'FETCH'"),
        ("GET", "not json", None, "params must be a JSON object"),
        ("GET", [1, 2], None, "params must be an object"),
        ("GET", {"a": {"b": 1}}, None, "params['a'] is an object"),
        ("GET", {"a": [[1]]}, None, "list of lists or objects"),
        ("POST", None, "{oops", "data is not valid JSON"),
        ("POST", None, 5, "data must be a JSON object or a list"),
        ("POST", None, '{"n": NaN}', "no NaN or Infinity"),
        ("POST", None, "[" * 70 + "]" * 70, "nests deeper than 64 levels"),
    ],
)
def test_unreadable_arguments_are_refused_before_any_check(
    method: str, params: object, data: object, words: str
) -> None:
    with pytest.raises(ToolError, match=words.replace("[", r"\[")):
        from_arguments("/service/tickets", method, params, data)


def test_a_query_in_the_path_that_cannot_be_read_is_named() -> None:
    with pytest.raises(ToolError, match="Could not read the query in the path"):
        from_arguments("/service/tickets?pageSize", "GET", None, None)


def test_a_raw_request_that_cannot_be_read_shows_the_form() -> None:
    with pytest.raises(ToolError) as caught:
        from_raw("FETCH /service/tickets")
    result = caught.value.result()
    assert result.is_error and "METHOD /path" in result.text and result.data["hint"].startswith("Write it as")
    assert from_raw("get /service/tickets?pageSize=5") == Request("GET", "/service/tickets", (("pageSize", "5"),))


def test_a_saved_query_takes_overrides_by_name_and_a_new_body() -> None:
    entry = SavedQuery(
        3, "open", "GET", "/service/tickets", "/service/tickets", {"pageSize": "5", "orderBy": "id"}, None, "", None, 0
    )
    request = from_saved(entry, {"pageSize": 50}, None)
    assert request.query == (("pageSize", "50"), ("orderBy", "id")) and request.saved is entry
    assert request.notes == ('Overrides applied: {"params":{"pageSize":"50"},"data":null}',)
    with_body = SavedQuery(
        4, "new", "POST", "/service/tickets", "/service/tickets", None, {"summary": "x"}, "", None, 0
    )
    assert from_saved(with_body, None, None).body == {"summary": "x"} and from_saved(with_body, None, None).notes == ()
    assert from_saved(with_body, None, {"summary": "y"}).body == {"summary": "y"}


def test_params_as_pairs_keep_their_order() -> None:
    assert normalize_params([("b", 1), ["a", False]]) == [("b", "1"), ("a", "false")]


def test_max_items_is_checked_and_capped() -> None:
    with pytest.raises(ToolError, match="max_items must be from 1 to 100,000 \\(got 0\\)"):
        check_options(Options(max_items=0))
    with pytest.raises(ToolError, match="max_items must be from 1 to 100,000") as caught:
        check_options(Options(max_items=10**9))
    assert caught.value.details["allowed_range"] == [1, MAX_ITEMS]
    assert check_options(Options(max_items=MAX_ITEMS)).max_items == MAX_ITEMS


# -- the path ---------------------------------------------------------------------------


def test_placeholders_are_filled_from_params_and_leave_the_query() -> None:
    filled = fill_placeholders(get("/service/tickets/{id}/notes", id="12", pageSize="5"))
    assert filled.path == "/service/tickets/12/notes" and filled.query == (("pageSize", "5"),)
    assert fill_placeholders(get("/company/companies/{id}", id="a b")).path == "/company/companies/a%20b"


def test_a_missing_placeholder_says_how_to_give_it() -> None:
    with pytest.raises(ToolError) as caught:
        fill_placeholders(get("/service/tickets/{id}"))
    assert "needs a value for {id}" in caught.value.message
    assert caught.value.details["hint"] == (
        "Give a concrete path such as /service/tickets/123 or pass the value in params, e.g. params={'id': 123}."
    )


@pytest.mark.parametrize("value", ["", "1/2", "..", "."])
def test_a_placeholder_value_must_be_one_segment(value: str) -> None:
    with pytest.raises(ToolError, match="single path segment"):
        fill_placeholders(get("/service/tickets/{id}", id=value))


def test_unknown_paths_get_suggestions_and_wrong_methods_the_ones_taken(facts: Facts) -> None:
    unknown = refusal(facts, get("/service/tikets")).result()
    assert unknown.data["error"] == "No ConnectWise operation matches GET /service/tikets."
    assert "/service/tickets" in unknown.data["suggestions"] and "natural_language_api_search" in unknown.text
    wrong = refusal(facts, Request("POST", "/service/tickets/5")).result()
    assert wrong.data["available_methods"] == ["GET", "PUT", "PATCH", "DELETE"]
    assert wrong.data["error"] == "/service/tickets/{id} does not take POST; it takes GET, PUT, PATCH, DELETE."


@pytest.mark.parametrize("path", ["https://evil.example/service/tickets", "//h/x", "/service/../system/info", "x"])
def test_paths_that_could_leave_the_api_are_refused(facts: Facts, path: str) -> None:
    assert refusal(facts, get(path)).message


def test_route_finds_the_operation_without_changing_the_request(facts: Facts) -> None:
    given = get("/service/tickets/{id}", id="5")
    routed = route(given, facts.catalog)
    assert (
        routed.op is not None
        and routed.op.path == "/service/tickets/{id}"
        and routed.label == "GET /service/tickets/{id}"
    )
    assert given.op is None and given.path == "/service/tickets/{id}"  # a new value, the given one untouched


# -- the write policy --------------------------------------------------------------------


def test_read_only_mode_refuses_writes_but_not_search_posts(facts: Facts) -> None:
    read_only = Policy(read_only=True)
    refused = refusal(facts, Request("POST", "/service/tickets", (), {"summary": "x"}, True), read_only)
    assert "read-only mode (CWM_READ_ONLY=1)" in refused.message
    search = Request("POST", "/service/tickets/search", (), {"conditions": "id=1"}, True)
    assert checked(facts, search, read_only).op is not None


def test_the_allow_list_names_what_may_be_written(facts: Facts) -> None:
    policy = Policy(write_allow=frozenset({("PATCH", "/service/tickets/{ticketId}"), ("POST", "/nowhere")}))
    patch = Request("PATCH", "/service/tickets/1", (), [{"op": "replace", "path": "summary", "value": "x"}], True)
    assert checked(facts, patch, policy).op is not None  # {ticketId} found {id}
    refused = refusal(facts, Request("DELETE", "/service/tickets/1"), policy, confirm=True).result()
    assert refused.data["allowed"] == ["PATCH /service/tickets/{id}"]
    assert "not in CWM_WRITE_ALLOW" in refused.text and "'POST /nowhere' names no operation" in refused.text


def test_allow_list_entries_are_read_and_resolved(catalog) -> None:
    policy = Policy.from_env({"CWM_WRITE_ALLOW": "post /service/tickets, PATCH, GET /service/tickets/5"})
    assert policy.write_allow == frozenset({("POST", "/service/tickets"), ("GET", "/service/tickets/5")})
    assert policy.write_allow_problems == (
        "'PATCH' is not 'METHOD /path' (e.g. 'POST /service/tickets'); it allows nothing",
    )
    resolved = policy.resolved(catalog)
    assert resolved.write_allow == frozenset({("POST", "/service/tickets")})
    assert "names one record, not an operation" in resolved.write_allow_problems[-1]


def test_limits_are_read_as_the_client_needs_them() -> None:
    assert Policy.from_env({}) == Policy()
    policy = Policy.from_env({"CWM_DEADLINE": "0.2", "CWM_MAX_RESPONSE_BYTES": "10", "CWM_TIMEOUT": "nope"})
    assert policy.deadline == 1.0 and policy.max_bytes == 64 * 1024 and policy.timeout == 30.0
    assert Policy.from_env({"CWM_DEADLINE": "nan"}).deadline is None


def test_delete_needs_confirm(facts: Facts) -> None:
    op = route(Request("DELETE", "/service/tickets/7"), facts.catalog).op
    assert op is not None
    with pytest.raises(ToolError) as caught:
        check_policy(Request("DELETE", "/service/tickets/7"), op, False, Policy(), confirm=False)
    assert (
        "confirm=true" in caught.value.message and caught.value.details["operation"] == "DELETE /service/tickets/{id}"
    )
    check_policy(Request("DELETE", "/service/tickets/7"), op, False, Policy(), confirm=True)


# -- the body --------------------------------------------------------------------------


def test_reads_take_no_body(facts: Facts) -> None:
    refused = refusal(facts, Request("GET", "/service/tickets", (), {"a": 1}, True))
    assert refused.message.startswith("GET takes no body. Put filters in params")


def test_a_write_without_its_body_lists_the_required_fields_and_a_saved_one(facts: Facts) -> None:
    with pytest.raises(BodyMissing) as caught:
        checked(facts, Request("POST", "/time/entries"))
    assert "Required fields: " in caught.value.message and "timeStart" in caught.value.message
    saved = SavedQuery(9, "new entry", "POST", "/time/entries", "/time/entries", None, {"x": 1}, "", None, 0)
    named = caught.value.naming(saved)
    assert "Saved query #9 (new entry) has one: run_saved_query(9)." in named.message
    assert named.details["operation"] == "POST /time/entries"


def test_a_patch_object_becomes_operations_in_a_new_request(facts: Facts) -> None:
    given = Request("PATCH", "/service/tickets/5", (), {"summary": "New", "closedFlag": True}, True)
    sent = checked(facts, given)
    assert sent.body == [
        {"op": "replace", "path": "summary", "value": "New"},
        {"op": "replace", "path": "closedFlag", "value": True},
    ]
    assert sent.notes == ("data was an object; sent as JSON Patch replace operations for: summary, closedFlag",)
    assert given.body == {"summary": "New", "closedFlag": True} and given.notes == ()
    assert patch_operations([{"op": "remove", "path": "x"}]) == ([{"op": "remove", "path": "x"}], None)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ([], "PATCH takes a list of operations"),
        ([{"op": "replace", "path": "summary"}, {"path": "summary"}], "PATCH operation 2 must look like"),
        ([{"op": "rename", "path": "summary"}], "op is one of add, replace, remove, copy, move, test"),
        ([{"op": "replace", "path": "sumary", "value": "x"}], "did you mean 'summary'"),
        ([{"op": "replace", "path": "closedFlag", "value": "maybe"}], "'closedFlag' must be true or false"),
    ],
)
def test_patch_operations_are_checked(facts: Facts, body: list, words: str) -> None:
    assert words in refusal(facts, Request("PATCH", "/service/tickets/5", (), body, True)).message


@pytest.mark.parametrize(
    ("body", "words", "detail"),
    [
        ({"summry": "x"}, "Ticket has no field 'summry'; did you mean 'summary'?", {"suggestion": "summary"}),
        ({"summary": "x" * 101}, "is at most 100 characters", {"field": "summary"}),
        ({"summary": "x", "severity": "Hihg"}, "one of Low, Medium, High", {"field": "severity"}),
        ({"company": {"id": 1}}, "missing the required field summary", {"missing": ["summary"]}),
        ({"summary": float("inf")}, "Infinity, which is not a JSON number", {"field": "data.summary"}),
    ],
)
def test_write_bodies_are_checked_against_the_definition(facts: Facts, body: dict, words: str, detail: dict) -> None:
    refused = refusal(facts, Request("POST", "/service/tickets", (), body, True))
    assert words in refused.message and "Nothing was sent" in refused.message
    assert detail.items() <= refused.details.items()


def test_fields_unlike_any_known_one_are_sent_with_a_warning(facts: Facts) -> None:
    sent = checked(facts, Request("POST", "/service/tickets", (), {"summary": "x", "brandNewField": 1}, True))
    assert sent.warnings == (
        "brandNewField is not in the API definition's Ticket; sent as given "
        "(ConnectWise ignores fields it does not know).",
    )


def test_a_query_filter_needs_no_required_fields(facts: Facts) -> None:
    search = Request("POST", "/service/tickets/search", (), {"conditions": "id=1"}, True)
    assert checked(facts, search).body == {"conditions": "id=1"}
    op = route(search, facts.catalog).op
    assert op is not None and check_body(route(search, facts.catalog), op, facts).warnings == ()


# -- the query ----------------------------------------------------------------------------


def test_unknown_parameters_are_refused_with_the_accepted_list(facts: Facts) -> None:
    refused = refusal(facts, get("/service/tickets", pageSise="5")).result()
    assert refused.data["suggestion"] == "pageSize" and "pageId" in refused.data["accepted"]
    assert "Did you mean 'pageSize'?" in refused.text and refused.text.endswith("Nothing was sent.")
    write = refusal(facts, Request("POST", "/service/tickets", (("conditions", "x"),), {"summary": "x"}, True))
    assert "it takes no query parameters" in write.message


def test_a_parameter_given_twice_is_refused(facts: Facts) -> None:
    twice = Request("GET", "/service/tickets", (("pageSize", "1"), ("PAGESIZE", "2")))
    assert "PAGESIZE is given twice" in refusal(facts, twice).message


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"page": "0"}, "page must be 1 or more"),
        ({"pageSize": "1001"}, "pageSize must be between 1 and 1000"),
        ({"pageSize": "ten"}, "pageSize must be a whole number"),
        ({"pageId": "-1"}, "pageId must be 0 or more"),
    ],
)
def test_paging_values_are_checked(facts: Facts, query: dict, words: str) -> None:
    assert words in refusal(facts, get("/service/tickets", **query)).message


def test_a_conditions_typo_points_at_the_field(facts: Facts) -> None:
    refused = refusal(facts, get("/service/tickets", conditions="id = 1 and status/nam = 'New'")).result()
    assert refused.data["error"] == "conditions is not valid: unknown field 'status/nam'; did you mean 'status/name'?"
    assert refused.data["position"] == 12 and refused.data["suggestion"] == "status/name"
    assert "  id = 1 and status/nam = 'New'\n             ^\n" in refused.text


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("conditions", "status/name = New", "text values must be quoted"),
        ("conditions", "requiredDate > '2026-01-01'", "'requiredDate' is a date: write it in brackets"),
        ("orderBy", "sumary desc", "unknown field 'sumary'; did you mean 'summary'?"),
        ("orderBy", "id sideways", "orderBy entries look like 'field' or 'field desc'"),
        ("orderBy", "id,,summary", "empty orderBy entry"),
        ("fields", "id,summry", "unknown field 'summry'; did you mean 'summary'?"),
        ("fields", "id,,summary", "empty name in fields"),
    ],
)
def test_expressions_are_checked(facts: Facts, name: str, value: str, words: str) -> None:
    refused = refusal(facts, get("/service/tickets", **{name: value}))
    assert words in refused.message and refused.details["parameter"] == name


def test_fields_and_conditions_unlike_any_known_are_sent_with_warnings(facts: Facts) -> None:
    sent = checked(facts, get("/service/tickets", conditions="zzzNewThing = 1", fields="id,qqqOther"))
    assert sent.warnings == (
        "conditions: zzzNewThing not in the API definition; sent as given (newer fields exist).",
        "fields: qqqOther not in the API definition; sent as given.",
    )


def test_conditions_in_a_search_body_are_checked_too(facts: Facts) -> None:
    search = Request("POST", "/service/tickets/search", (), {"conditions": "status/nam = 'x'"}, True)
    assert refusal(facts, search).details["suggestion"] == "status/name"


def test_an_overlong_expression_is_refused(facts: Facts) -> None:
    body = {"conditions": "id=1 or " * 9000 + "id=2"}
    refused = refusal(facts, Request("POST", "/service/tickets/search", (), body, True))
    assert refused.message.startswith("conditions is 72,004 characters; ConnectWise takes at most 65,536.")


def test_a_long_list_read_becomes_its_search(facts: Facts) -> None:
    conditions = " or ".join(f"id={n}" for n in range(1000, 2200))
    sent = checked(facts, get("/service/tickets", conditions=conditions, pageSize="5"))
    assert (sent.method, sent.path, sent.query) == ("POST", "/service/tickets/search", (("pageSize", "5"),))
    assert sent.body == {"conditions": conditions} and sent.op is not None and sent.op.method == "POST"
    assert (
        sent.notes[0].startswith("The URL would have been 20,431 characters")
        and "POST /service/tickets/search" in sent.notes[0]
    )


def test_a_long_url_without_a_search_is_refused(facts: Facts) -> None:
    conditions = " or ".join(f"id={n}" for n in range(1000, 2200))
    refused = refusal(facts, get("/service/boards", conditions=conditions)).result()
    assert refused.data["url_length"] > checks.MAX_URL_CHARS
    assert "ConnectWise takes at most 8,000 and resets the connection" in refused.text


def test_only_a_list_get_with_filters_has_a_search_form(facts: Facts) -> None:
    routed = route(get("/service/tickets", pageSize="5"), facts.catalog)
    assert as_search(routed, facts) is None  # nothing to move into the body
    one = route(get("/service/tickets/5", fields="id"), facts.catalog)
    assert as_search(one, facts) is None


def test_check_query_hands_back_a_new_request(facts: Facts) -> None:
    routed = route(get("/service/tickets", fields="id,qqq"), facts.catalog)
    assert check_query(routed, facts).warnings == ("fields: qqq not in the API definition; sent as given.",)
    assert routed.warnings == ()


# -- before credentials ------------------------------------------------------------------------


def test_no_check_loads_credentials(catalog) -> None:
    """The request stage runs first and never asks for settings: a bad argument is reported as such."""

    def settings() -> None:
        raise AssertionError("credentials were loaded before the arguments were checked")

    executor = Executor(catalog, settings, Policy())  # type: ignore[arg-type]
    for call in (
        lambda: executor.execute("/service/tickets", all_pages=True, max_items=0),
        lambda: executor.execute("/service/tickets", params={"pageSize": 0}),
        lambda: executor.execute("/time/entries", "POST", data={"chargeToId": 1}),
        lambda: executor.execute("/service/tickets/1", "DELETE"),
        lambda: executor.execute_raw("GET /service/tickets?pageSise=1"),
    ):
        with pytest.raises(ToolError):
            call()


def test_data_given_as_text_is_checked_like_an_object(facts: Facts) -> None:
    request = from_arguments("/service/tickets", "POST", None, json.dumps({"summry": "x"}))
    assert "did you mean 'summary'" in refusal(facts, request).message


# -- the raw request's text and the conditions grammar ---------------------------------------


def test_raw_requests_split_at_parameters_not_at_spaces_or_quotes() -> None:
    raw = from_raw("GET /service/tickets?conditions=status/name='New & Open' and id>1&pageSize=3")
    assert raw.query == (("conditions", "status/name='New & Open' and id>1"), ("pageSize", "3"))
    encoded = from_raw("GET /company/companies?conditions=name%20like%20%27T%25%27")
    assert encoded.query == (("conditions", "name like 'T%'"),)  # decoded once, so never encoded twice
    dated = from_raw('POST /service/tickets/search?pageSize=2 {"conditions": "dateEntered > [2020-01-01]"}')
    assert dated.body == {"conditions": "dateEntered > [2020-01-01]"} and dated.query == (("pageSize", "2"),)
    bracket = from_raw("GET /service/tickets?conditions=dateEntered > [2020-01-01T00:00:00Z]")
    assert bracket.has_body is False and bracket.query[0][1] == "dateEntered > [2020-01-01T00:00:00Z]"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "empty request"),
        ("GET", "missing path after GET"),
        ("GET https://evil.example/x", "not a full URL"),
        ("GET /service/my tickets", "contains a space"),
        ('POST /service/tickets {"summary": ', "the body is not valid JSON"),
        ('POST /service/tickets {"a": 1} trailing', "unexpected text after the JSON body"),
        ('POST /service/tickets {"a": NaN}', "NaN, which is not a JSON number"),
        ("GET /service/tickets?pageSize", "has no '=value'"),
    ],
)
def test_unreadable_raw_requests_say_what_is_wrong(raw: str, words: str) -> None:
    with pytest.raises(ToolError, match=re.escape(words)):
        from_raw(raw)


def test_the_conditions_grammar() -> None:
    tree = conditions.parse("a=1 or b=2 or (c='it''s' and not d in (1, 2))")
    assert isinstance(tree, conditions.Logical) and len(tree.operands) == 3
    fields = [(c.field, c.operator, c.value.value) for c in conditions.comparisons(tree)]
    assert fields[:3] == [("a", "=", 1), ("b", "=", 2), ("c", "=", "it's")]
    assert fields[3][:2] == ("d", "in")
    with pytest.raises(conditions.ConditionError, match="parentheses nest deeper than 50 levels"):
        conditions.parse("(" * 51 + "a=1" + ")" * 51)
    with pytest.raises(conditions.ConditionError) as caught:
        conditions.parse("a=1 and (b=2")
    assert caught.value.position == 8 and "missing ')'" in caught.value.message
