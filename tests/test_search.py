"""Endpoint search: the tokenizer, the lexicon, intent rules, and ranking on the shared catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cwm_gateway.catalog import text
from cwm_gateway.catalog.bm25 import Bm25Index
from cwm_gateway.catalog.lexicon import default_lexicon, parse
from cwm_gateway.catalog.search import COLUMN_WEIGHTS, Searcher
from cwm_gateway.catalog.store import Catalog
from cwm_gateway.catalog.words import tokenize
from mcp_client import McpSession

DEV_SET = Path(__file__).resolve().parents[1] / "bench" / "eval" / "search-dev.jsonl"  # a copy of ../shared/eval


@pytest.fixture(scope="module")
def searcher(catalog: Catalog) -> Searcher:
    return Searcher(catalog)


def top(searcher: Searcher, query: str, n: int = 5, keyword: bool = False) -> list[str]:
    hits, _ = (searcher.keyword if keyword else searcher.natural)(query, n)
    return [f"{h.operation.method} {h.operation.path}" for h in hits]


# -- tokenizer -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("knowledgeBaseArticles", ["knowledge", "base", "article"]),
        ("SLAs", ["sla"]),
        ("GLExport", ["gl", "export"]),
        ("statuses", ["status"]),
        ("warehouses", ["warehouse"]),
        ("activities", ["activity"]),
        ("addresses", ["address"]),
        ("analysis", ["analysis"]),
        ("uses", ["use"]),  # too short for the "-uses" rule (statuses, warehouses)
        ("Get List of ConnectWise.Apis.v3_0.v2015_3.Service.Ticket.Ticket", None),
    ],
)
def test_tokens_fold_case_camel_case_and_plurals(source: str, expected: list[str] | None) -> None:
    if expected is None:
        assert text.clean_summary(source) == "Get List of Ticket"
    else:
        assert text.tokens(source) == expected


def test_lower_case_compounds_split_on_known_words() -> None:
    vocabulary = {"purchase", "orders", "time", "entries", "line", "items"}
    assert text.segment_compound("purchaseorders", vocabulary) == ["purchase", "orders"]
    assert text.segment_compound("timeentries", vocabulary) == ["time", "entries"]
    assert text.segment_compound("zebra", vocabulary) == ["zebra"]


def test_edit_distance_counts_transpositions_as_one() -> None:
    assert text.edit_distance("compnay", "company", 2) == 1
    assert text.edit_distance("agreemnt", "agreement", 2) == 1
    assert text.edit_distance("ticket", "invoice", 2) == 3  # capped at limit + 1


def test_inflections_offer_base_forms() -> None:
    assert "schedule" in text.inflections("scheduled")
    assert "log" in text.inflections("logged")
    assert "close" in text.inflections("closing")


def test_decimals_are_quantities_and_names_are_marked() -> None:
    tokens = tokenize("log 1.5 h on ticket 4521 for Dave")
    words = [t.word for t in tokens]
    assert "1" not in words and "5" not in words and "4521" in words
    assert next(t for t in tokens if t.raw == "Dave").proper


# -- lexicon -------------------------------------------------------------------


def test_lexicon_file_parses_synonyms_intents_and_stop_words() -> None:
    lexicon = parse(
        """
        # comment
        tech, technicians = member
        out of office = in out board | in out type
        @create = create, add, log
        @qualify ticket = service
        @unit = hours
        @stop = the, of
        """
    )
    assert lexicon.synonyms[("tech",)] == [("member",)]
    assert lexicon.synonyms[("technician",)] == [("member",)]  # plural folded like queries are
    assert lexicon.synonyms[("out", "of", "office")] == [("in", "out", "board"), ("in", "out", "type")]
    assert ("log",) in lexicon.intents["create"]
    assert lexicon.qualifiers == {"ticket": "service"}
    assert lexicon.synonyms_at(["out", "of", "office"], 0) == (3, [("in", "out", "board"), ("in", "out", "type")])


def test_lexicon_rejects_malformed_lines() -> None:
    with pytest.raises(ValueError, match="line 1"):
        parse("no equals sign here")
    with pytest.raises(ValueError, match="unknown intent"):
        parse("@frobnicate = x")


def test_every_lexicon_target_exists_in_the_catalog(catalog: Catalog) -> None:
    """A target the catalog does not use can never match: a typo in the lexicon."""
    names = {row[0] for row in catalog.query("SELECT word FROM vocabulary WHERE name_count > 0")}
    missing = sorted(
        {" ".join(t) for targets in default_lexicon().synonyms.values() for t in targets if not set(t) <= names}
    )
    assert missing == []


def test_compiled_lexicon_round_trips() -> None:
    lexicon = default_lexicon()
    again = type(lexicon).from_json(lexicon.to_json())
    assert again.synonyms == lexicon.synonyms and again.intents == lexicon.intents
    assert again.gloss().targets == lexicon.gloss().targets  # descriptions travel compiled too


# -- intent --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "intent", "count"),
    [
        ("create a purchase order for 10 laptops", "create", False),
        ("please close ticket 123", "update", False),
        ("remove a site from a company", "delete", False),
        ("approve Dave's expense report", "action", False),
        ("how many open tickets are there", "count", True),
        ("how many vacation hours does Maria have", "count", False),  # an amount, not a count
        ("which agreements renew next month", "read", False),  # "renew" is not the request's verb
        ("Josh left on Friday, deactivate his member account", "action", False),
        ("the different flavours of contract: block hours, break-fix", None, False),
    ],
)
def test_intent_comes_from_the_verb_that_opens_a_clause(
    searcher: Searcher, query: str, intent: str | None, count: bool
) -> None:
    analysis = searcher.analyze(query)
    assert analysis.intent == intent
    assert analysis.count is count


def test_ids_attach_to_the_noun_before_them(searcher: Searcher) -> None:
    analysis = searcher.analyze("add a line item to PO 77")
    assert [(value, concept.text) for value, concept in analysis.ids] == [("77", "PO")]
    assert searcher.analyze("create a purchase order for 10 laptops").ids == []


def test_head_noun_is_the_first_thing_named(searcher: Searcher) -> None:
    assert searcher.analyze("tasks on a project ticket").head.text == "tasks"
    assert searcher.analyze("project phases").head.text == "phases"


def test_typos_and_abbreviations_are_corrected_but_names_are_not(searcher: Searcher) -> None:
    words = {t.word for t in searcher.analyze("scedule entries for tomorow").tokens}
    assert "schedule" in words
    assert "warehouse" in {t.word for t in searcher.analyze("warehou bins").tokens}  # a clipped word completed
    proj = searcher.analyze("proj phases")  # a known abbreviation, from the lexicon
    assert any(("project",) in [alt for alt, _ in c.alternatives] for c in proj.concepts)
    dave = next(t for t in searcher.analyze("approve Dave's expense report").tokens if t.raw == "Dave")
    assert dave.corrected_from is None


def test_lexicon_expansion_reaches_catalog_words(searcher: Searcher) -> None:
    analysis = searcher.analyze("who's out of the office today")
    assert any(("in", "out", "board") in [alt for alt, _ in c.alternatives] for c in analysis.concepts)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("the days we're closed", "GET /schedule/holidayLists"),  # lexicon: "days we are closed"
    ],
)
def test_contracted_and_copula_words_do_not_break_lexicon_phrases(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("ticket 4521 status closed", "PATCH /service/tickets/{id}"),
        ("4521 -> waiting on client", "PATCH /service/tickets/{id}"),
        ("project 88 priority high", "PATCH /project/projects/{id}"),
        ("company 19 status inactive", "PATCH /company/companies/{id}"),
        # guards: a field with no new value, a question, or something about the field stay reads
        ("ticket 4521 status", "GET /service/tickets/{id}"),
        ("is ticket 4521 priority high", "GET /service/tickets/{id}"),
        ("ticket 4521 board history", "GET /service/tickets/{id}"),
    ],
)
def test_chat_shorthand_without_a_verb_changes_the_record(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("kick back time sheet 77, hours are wrong", "POST /time/sheets/{id}/reject"),
        ("undo the approval on timesheet 9", "POST /time/sheets/{id}/reverse"),
        ("greenlight expense report 14", "POST /expense/reports/{id}/approve"),
        ("hand in timesheet 12", "POST /time/sheets/{id}/submit"),
    ],
)
def test_everyday_verbs_reach_the_action_they_mean(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "method"),
    [
        ("change history of ticket 5", "GET"),  # a name that opens with a verb is read, not a change
        ("edit history for company 3", "GET"),
        ("log time on ticket 5", "POST"),  # the verb and its object: "time" names a resource
        ("write off 3 damaged keyboards from stock", "POST"),  # two words, then a quantity: a verb
    ],
)
def test_a_name_that_opens_with_a_verb_is_no_request(searcher: Searcher, query: str, method: str) -> None:
    assert top(searcher, query, 1)[0].split()[0] == method


def test_keyword_search_does_not_expand_synonyms(searcher: Searcher) -> None:
    keyword = [alt for c in searcher.analyze("technicians", expand=False).concepts for alt, _ in c.alternatives]
    natural = [alt for c in searcher.analyze("technicians").concepts for alt, _ in c.alternatives]
    assert ("member",) not in keyword
    assert ("member",) in natural


# -- ranking -------------------------------------------------------------------


@pytest.mark.parametrize(
    "words",
    [
        ["ticket"],
        ["get", "ticket", "note"],  # "get" is in most rows: the ranks must still add up exactly
        ["entry", "member", "time", "zzqx"],  # a word the catalog lacks adds nothing
        ['say"what', "ticket"],  # a quote mark is the user's, never FTS5 syntax
    ],
)
def test_retrieval_ranks_as_fts5_bm25_of_the_whole_request(catalog: Catalog, words: list[str]) -> None:
    weights = ", ".join(str(w) for w in COLUMN_WEIGHTS)
    expression = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
    expected = catalog.query(
        f"SELECT rowid, bm25(operations_fts, {weights}) AS r FROM operations_fts"
        " WHERE operations_fts MATCH ? ORDER BY r, rowid LIMIT 60",
        (expression,),
    )
    found = Bm25Index(catalog, "operations_fts", COLUMN_WEIGHTS).top(words, 60)
    assert expected
    assert [rowid for rowid, _ in found] == [row[0] for row in expected]
    assert [rank for _, rank in found] == pytest.approx([row[1] for row in expected])


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("close ticket 123", {"PATCH /service/tickets/{id}", "PUT /service/tickets/{id}"}),
        ("how many open tickets", {"GET /service/tickets/count"}),
        ("show ticket 4521", {"GET /service/tickets/{id}"}),
        ("notes on a ticket", {"GET /service/tickets/{parentId}/notes"}),
        ("agreemnt list", {"GET /finance/agreements"}),
        ("delete a contact", {"DELETE /company/contacts/{id}"}),
    ],
)
def test_intent_and_shape_decide_the_first_result(searcher: Searcher, query: str, first: set[str]) -> None:
    assert top(searcher, query, 1)[0] in first


def test_plain_resource_beats_info_usages_and_deprecated_variants(searcher: Searcher) -> None:
    assert top(searcher, "ticket list", 1) == ["GET /service/tickets"]
    info = top(searcher, "ticket info list", 3)  # asked for: the /info variant is a fair answer
    assert "GET /service/tickets/info" in info
    companies = top(searcher, "company list", 20)
    assert companies[0] == "GET /company/companies"
    assert all("/usages" not in r for r in companies[:5])


def test_keyword_search_finds_ticket_notes(searcher: Searcher) -> None:
    assert top(searcher, "ticket notes", 1, keyword=True) == ["GET /service/tickets/{parentId}/notes"]


def test_a_path_query_returns_that_operation(searcher: Searcher) -> None:
    assert top(searcher, "PATCH /service/tickets/{id}", 1) == ["PATCH /service/tickets/{id}"]


def test_usage_boost_is_bounded(catalog: Catalog) -> None:
    """A much-used operation rises, but does not bury a clearly better match."""
    baseline = Searcher(catalog)
    boosted = Searcher(catalog, usage=lambda: {("GET", "/service/boards"): 10_000})
    assert top(boosted, "list service boards", 1) == ["GET /service/boards"]
    assert top(boosted, "how many open tickets", 1) == top(baseline, "how many open tickets", 1)
    plain = top(baseline, "board", 10)
    assert top(boosted, "board", 10).index("GET /service/boards") <= plain.index("GET /service/boards")


def test_results_carry_what_the_next_step_needs(server: McpSession) -> None:
    result = server.call("natural_language_api_search", query="add a note to ticket 5", max_results=3)
    first = result.data["results"][0]
    assert (first["method"], first["path"]) == ("POST", "/service/tickets/{parentId}/notes")
    assert first["path_params"] == ["parentId"]
    assert "body" in first


@pytest.mark.parametrize(
    ("query", "record"),
    [
        ("set the urgency on case 12 to high", "/service/tickets/{id}"),  # urgency -> priority, case -> ticket
        ("set the status of opportunity 9 to won", "/sales/opportunities/{id}"),  # not opportunity statuses
        ("change ticket priority to high", "/service/tickets/{id}"),
        ("change the ticket's board to Helpdesk", "/service/tickets/{id}"),
        ("change the department of member 12 to engineering", "/system/members/{id}"),  # defaultDepartment
        ("make ticket 12 high priority", "/service/tickets/{id}"),  # a numbered record is changed, not made
        ("I need the urgency of incident 4410 raised to critical", "/service/tickets/{id}"),
        ("the budget on project 18 needs to be 120 hours", "/project/projects/{id}"),  # the state wanted
        ("for ticket 33 set the source to Phone", "/service/tickets/{id}"),  # the verb after the record
        ("Could you put opportunity 55 in the Negotiation stage?", "/sales/opportunities/{id}"),  # not the stages
        ("re-assign the owner of ticket 7 to Dave", "/service/tickets/{id}"),
        ("reassign 6130 to priya", "/service/tickets/{id}"),  # a bare number in chat is a ticket
        ("set proseware's market to healthcare", "/company/companies/{id}"),  # not the market descriptions
        ("ticket 4521 status closed", "/service/tickets/{id}"),  # chat shorthand, no verb
        ("4521 -> waiting on client", "/service/tickets/{id}"),
        # no opportunity is named: not the contact under one (opportunities/{parentId}/contacts/{id})
        ("change the email on the contact for tom to tom@fabrikam.com", "/company/contacts/{id}"),
    ],
)
def test_a_field_change_goes_to_the_records_own_update(server: McpSession, query: str, record: str) -> None:
    """Naming a record and one of its schema's fields changes that record, never the field's definition."""
    result = server.call("natural_language_api_search", query=query, max_results=3)
    first = result.data["results"][0]
    assert (first["method"] in ("PATCH", "PUT"), first["path"]) == (True, record), query


@pytest.mark.parametrize(
    ("query", "record"),
    [
        # the new value after "to" is a work role, but the entry is what changes
        ("set the work role on time entry 30 to Senior Engineer", "/time/entries/{id}"),
        # a field named with the record's own name: a project's "project type" is its type field
        ("set the project type of project 7 to Internal", "/project/projects/{id}"),
        # the end of a longer field's name: "sales rep" of primarySalesRep
        ("set the primary sales rep on opportunity 3 to Dan", "/sales/opportunities/{id}"),
        # a field the schema spells differently (chargeToId): still the numbered record's field
        ("change the charge code of time entry 5 to Training", "/time/entries/{id}"),
        # "make" with a numbered record's field states a change; "should read" the state wanted
        ("make the status of ticket 8 Closed", "/service/tickets/{id}"),
        ("the status on ticket 44 should read Resolved", "/service/tickets/{id}"),
        # a value that happens to name a field of another record (project tickets have a project)
        ("on ticket 6 change the board to Projects", "/service/tickets/{id}"),
        # a create or action verb with a numbered record and a plain new value is a change
        ("raise the urgency on incident 31 to critical", "/service/tickets/{id}"),
        ("push the required date on ticket 8 out to Friday", "/service/tickets/{id}"),
        # the record after "of", behind names and modifiers: "of the big Fabrikam firewall ticket"
        ("set the severity of the big Fabrikam firewall ticket to low", "/service/tickets/{id}"),
    ],
)
def test_the_named_records_update_comes_first_whatever_names_the_field(
    searcher: Searcher, query: str, record: str
) -> None:
    assert top(searcher, query, 1) in (["PATCH " + record], ["PUT " + record]), query


def test_an_action_verb_with_a_record_after_to_stays_an_action(searcher: Searcher) -> None:
    converted = top(searcher, "convert opportunity 12 to a project", 1)
    assert converted == ["POST /sales/opportunities/{id}/convertToProject"]
    assert searcher.analyze("apply payment 5 to invoice 12").intent != "update"


def test_words_that_introduce_details_or_names_are_not_things_asked_for(searcher: Searcher) -> None:
    analysis = searcher.analyze("Get-CWMInvoice -InvoiceID: Retrieves one invoice, including its totals.")
    assert "including" not in [c.text for c in analysis.concepts]
    assert analysis.head is not None and analysis.head.text == "invoice"  # the cmdlet name is an aside
    assert "called" not in [c.text for c in searcher.analyze("add a board called Escalations").concepts]


def test_a_new_value_is_a_detail_not_a_parent(searcher: Searcher) -> None:
    analysis = searcher.analyze("change the work role of time entry 77 to Senior Engineer")
    value = next(c for c in analysis.concepts if c.text == "Senior Engineer")
    assert value.detail and value not in analysis.parents


def test_a_field_the_record_does_not_have_is_not_redirected(searcher: Searcher) -> None:
    # Notes are not a field of a ticket but records of their own under it; priorities have ids of their own.
    assert top(searcher, "update the note on ticket 5", 1) == ["PATCH /service/tickets/{parentId}/notes/{id}"]
    assert top(searcher, "rename priority 3 to Urgent", 1) == ["PATCH /service/priorities/{id}"]
    assert top(searcher, "update the project type Internal", 1) == ["PATCH /project/projectTypes/{id}"]
    # Reading one field of a numbered record reads the record; a plural is a list of its own.
    assert top(searcher, "show the status of opportunity 9", 1) == ["GET /sales/opportunities/{id}"]
    assert top(searcher, "show the notes of ticket 5", 1) == ["GET /service/tickets/{parentId}/notes"]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # words around the verb keep its intent; an adverb is not a slip ("safely" is not "safety")
        ("permanently remove a contact by ID", "DELETE /company/contacts/{id}"),
        ("safely remove configuration 3", "DELETE /company/configurations/{id}"),
        # "called X" names the new record: "called" is no phone call (activity)
        ("go ahead and create a company called Northwind", "POST /company/companies"),
        # a state named without "status" filters the records: servers out of warranty are devices
        ("which servers are out of warranty", "GET /company/configurations"),
        # "a specific company" after "for" is the parent: the contacts are listed
        ("List every contact for a specific company.", "GET /company/contacts"),
        # "replaces an entire X" is the PUT; a change otherwise prefers the PATCH
        ("Replaces an entire contact record.", "PUT /company/contacts/{id}"),
        # a plural under a numbered parent lists those records, not the parent's own
        ("time entries for member 21", "GET /time/entries"),
        ("the schedule for Dana", "GET /schedule/entries"),
        # what a new record is about is its content; a generic noun after a resource adds nothing
        ("log a ticket for Fabrikam about the faulty router", "POST /service/tickets"),
        ("make a new member account for our intern", "POST /system/members"),
        # everyday wording with no word of the API
        ("what did Dana work on last week", "GET /time/entries"),
        ("the closing reasons for tickets", "GET /service/codes"),
        ("the stuff in the vans", "GET /procurement/warehouses"),
        # a read verb the lexicon also reads as a resource (return -> RMA) gives way to the object
        ("return the open projects", "GET /project/projects"),
        ("Returns how often agreements are billed", "GET /finance/agreements"),
        # documentation phrasing: one record by its id, details beside the subject
        ("Get a single company by its numeric ID", "GET /company/companies/{id}"),
        ("Fetch one purchase order by its ID", "GET /procurement/purchaseorders/{id}"),
        ("List opportunities, optionally filtered by status, type or rating.", "GET /sales/opportunities"),
        ("Returns time entries including their work type and work role.", "GET /time/entries"),
        ("List projects with their status, type and board.", "GET /project/projects"),
        ("the serial numbers of stock on hand", "GET /procurement/onhandserialnumbers"),  # numbers, not a count
        # what follows the colon is the new record's content
        ("open a new ticket for Contoso: scanner on 2nd floor is offline", "POST /service/tickets"),
        # swapped letters in a plural, words run together or split apart
        ("list time entires", "GET /time/entries"),
        ("list timeentries", "GET /time/entries"),
        ("show work flows", "GET /system/workflows"),
        # no phrase of the lexicon, but its words: running clock + support request -> ticket stopwatch
        ("the clock running on a support request", "GET /time/ticketstopwatches"),
    ],
)
def test_request_classes_rank_the_exact_operation_first(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # the verb comes last, after the record and a reason, with politeness before it
        ("time entry 4402 was logged twice, go ahead and get rid of it for me", "DELETE /time/entries/{id}"),
        ("schedule entry 310 is a duplicate, can you remove it", "DELETE /schedule/entries/{id}"),
        ("agreement 18 was a test so just trash it", "DELETE /finance/agreements/{id}"),
        ("opportunity 64 is dead, kill it please", "DELETE /sales/opportunities/{id}"),
        ("Jane Roe is a new contact at Litware, could you add her", "POST /company/contacts"),
        ("Woodgrove signed with us today, please set them up as a company", "POST /company/companies"),
    ],
)
def test_a_create_or_delete_verb_after_filler_wins_over_the_nouns(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "record"),
    [
        # the record named by its owner and description; the value alone after "as" names no field
        ("mark the old litware deal as lost", "/sales/opportunities/{id}"),  # not the opportunity statuses
        ("flag the woodgrove oppurtunity as won", "/sales/opportunities/{id}"),
        # an owner's record of a kind: the word after it is that record's field, not a resource
        ("set tailspin's company type to Vendor", "/company/companies/{id}"),  # not company types
    ],
)
def test_a_record_named_by_owner_or_description_gets_its_own_update(
    searcher: Searcher, query: str, record: str
) -> None:
    assert top(searcher, query, 1) in (["PATCH " + record], ["PUT " + record]), query


@pytest.mark.parametrize("query", ["delete it", "pullup", "bump it to high", "contoso", "xyzzy", "how many"])
def test_every_request_with_words_gets_an_answer(searcher: Searcher, query: str) -> None:
    """Naming nothing the catalog knows still answers, in the way the verb asks for."""
    hits, total = searcher.natural(query, 3)
    assert hits and total >= len(hits), query
    if query == "delete it":
        assert {h.operation.method for h in hits} == {"DELETE"}
    if query == "how many":
        assert all(h.operation.path.endswith("/count") for h in hits)


def test_a_precise_search_with_a_slip_is_retried_forgivingly(server: McpSession) -> None:
    for tool in ("search_api_endpoints", "natural_language_api_search"):
        result = server.call(tool, query="tciket", max_results=3)
        assert result.data["results"][0]["path"] == "/service/tickets", tool
    assert server.call("search_api_endpoints", query="delete it", max_results=3).data["results"]


@pytest.mark.parametrize(
    ("query", "record"),
    [
        ("push the litware rollout project back to monday", "/project/projects/{id}"),
        ("push dana's onsite schedule entry at tailspin to next tuesday", "/schedule/entries/{id}"),
    ],
)
def test_pushing_a_record_to_another_time_changes_it(searcher: Searcher, query: str, record: str) -> None:
    assert top(searcher, query, 1) in (["PATCH " + record], ["PUT " + record]), query
    assert searcher.analyze("push the invoices to quickbooks").intent == "action"  # an export, not a change


@pytest.mark.parametrize(
    ("query", "record"),
    [
        ("can u flip the status on the tailspin wifi ticket to in progress", "/service/tickets/{id}"),
        ("the litware vpn ticket needs to go to the network board", "/service/tickets/{id}"),  # the state wanted
        ("put the woodgrove onboarding ticket on hold", "/service/tickets/{id}"),  # put + the: a change
        ("reassign the ticket about outlook crashing to alice", "/service/tickets/{id}"),  # about: no resource
        ("reassign the tailspin opportunity to our new sales rep Dan", "/sales/opportunities/{id}"),  # the value
    ],
)
def test_chat_wording_of_a_change_to_a_described_record(searcher: Searcher, query: str, record: str) -> None:
    assert top(searcher, query, 1) in (["PATCH " + record], ["PUT " + record]), query
    assert top(searcher, "bob is onsite at acme on monday, put that on his schedule", 1) == ["POST /schedule/entries"]


@pytest.mark.parametrize(
    ("query", "record"),
    [
        ("set the default phone of the contact sam lee to 555 0142", "/company/contacts/{id}"),  # defaultPhoneNbr
        ("make the woodgrove email outage ticket priority 1", "/service/tickets/{id}"),  # priority 1 is a value
        ("rename the tailspin deal to Tailspin 2027 renewal", "/sales/opportunities/{id}"),  # the new name
    ],
)
def test_a_field_or_value_in_connectwise_spelling_stays_the_records(
    searcher: Searcher, query: str, record: str
) -> None:
    assert top(searcher, query, 1) in (["PATCH " + record], ["PUT " + record]), query
    assert top(searcher, "delete priority 3", 1) == ["DELETE /service/priorities/{id}"]


def test_a_named_records_compound_field_is_not_the_definition_list(searcher: Searcher) -> None:
    """ "the acme company status": a name before the compound says which company; with no name the
    request may still mean the company statuses themselves."""
    assert top(searcher, "set the tailspin company status to inactive", 1) == ["PATCH /company/companies/{id}"]
    assert top(searcher, "rename the company status Dormant to Inactive", 1) == [
        "PATCH /company/companies/statuses/{id}"
    ]
    assert top(searcher, "update the litware scanner ticket type to hardware", 1) == ["PATCH /service/tickets/{id}"]


def test_a_look_then_a_change_is_the_change_and_joined_verbs_are_verbs(searcher: Searcher) -> None:
    assert top(searcher, "pull up and close the litware printer ticket", 1) == ["PATCH /service/tickets/{id}"]
    assert top(searcher, "pullup and close the litware printer ticket", 1) == ["PATCH /service/tickets/{id}"]
    assert top(searcher, "handover the tailspin tciket to dana", 1) == ["PATCH /service/tickets/{id}"]
    assert searcher.analyze("list and count tickets").intent == "read"


def test_a_records_name_that_reads_as_its_kind_is_not_counted_twice(searcher: Searcher) -> None:
    """ "the help desk board" names one board: the tickets on it are what is counted or listed."""
    assert top(searcher, "how many tickets are open on the help desk board", 1) == ["GET /service/tickets/count"]
    assert top(searcher, "show tickets on the help desk board", 1) == ["GET /service/tickets"]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        (
            "the note on ticket 812 has a typo so please delete that note",
            "DELETE /service/tickets/{parentId}/notes/{id}",
        ),
        ("that opportunity 77 was only a test, safe to delete it", "DELETE /sales/opportunities/{id}"),
        ("dana asked me to get rid of schedule entry 414 since she is out sick", "DELETE /schedule/entries/{id}"),
        ("ticket 3390 should be deleted, it's spam", "DELETE /service/tickets/{id}"),  # passive: not a change
        ("litware called about a broken scanner, log a ticket for them", "POST /service/tickets"),  # not a call
    ],
)
def test_a_verb_inside_the_sentence_still_decides(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]
    assert searcher.analyze("who deleted ticket 55").intent != "delete"  # a report, not a request


def test_make_with_an_owners_record_is_a_change(searcher: Searcher) -> None:
    assert top(searcher, "make dana's onboarding ticket priority 1", 1) == ["PATCH /service/tickets/{id}"]
    assert searcher.analyze("make bob's new ticket for the printer").intent == "create"


def test_a_pronoun_object_elsewhere_is_no_request(searcher: Searcher) -> None:
    assert searcher.analyze("which members are allowed to delete them").intent != "delete"


def test_a_state_without_the_word_status_also_reads_as_the_records(searcher: Searcher) -> None:
    deals = next(c for c in searcher.analyze("the deals we lost").concepts if "lost" in c.text)
    assert ("opportunity",) in [phrase for phrase, _ in deals.alternatives]
    statuses = next(c for c in searcher.analyze("deal statuses").concepts)
    assert ("opportunity",) not in [phrase for phrase, _ in statuses.alternatives]


def test_text_helpers_for_slips_in_plurals() -> None:
    assert text.swapped("entires", "entries") and not text.swapped("scores", "stores")
    assert "entries" in text.plurals("entry") and "notes" in text.plurals("note")


def test_tokens_know_details_plurals_and_amounts() -> None:
    tokens = tokenize("Returns purchase orders, filtered by vendor or status (open, closed). $42 for 3 items")
    by_raw = {t.raw: t for t in tokens}
    assert by_raw["orders"].plural and not by_raw["purchase"].plural
    assert by_raw["filtered"].clause_start and not by_raw["filtered"].sentence_start
    assert by_raw["open"].parenthesised and not by_raw["vendor"].parenthesised
    assert "42" not in by_raw and "3" in by_raw  # an amount is never an id


def test_details_and_tool_names_are_not_the_subject(searcher: Searcher) -> None:
    analysis = searcher.analyze(
        "Get-CWMPurchaseOrder: Returns purchase orders, optionally filtered by vendor or status."
    )
    assert analysis.head.text == "purchase orders"
    assert {c.text for c in analysis.concepts if c.detail} == {"vendor", "status"}
    assert searcher.analyze("Disable-CWMMember: Deactivates a member.").intent == "action"


def test_descriptions_match_lexicon_phrases_as_bags_of_words() -> None:
    gloss = default_lexicon().gloss()
    best = gloss.match({"clock", "running", "support", "request"}, least=2)
    assert best and best[0][0][-1] == "stopwatch"
    assert gloss.match({"clock"}, least=2) == []  # one shared word is not a description


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("kick back time sheet 77, hours are wrong", ("POST", "/time/sheets/{id}/reject")),
        ("change history of ticket 5", ("GET", "/system/audittrail")),  # a thing to read, not a change
    ],
)
def test_everyday_verbs_and_names_over_mcp(server: McpSession, query: str, first: tuple[str, str]) -> None:
    result = server.call("natural_language_api_search", query=query, max_results=3)
    top_hit = result.data["results"][0]
    assert (top_hit["method"], top_hit["path"]) == first, query


@pytest.mark.parametrize("kind", ["plain", "paraphrase", "action", "count", "by-id", "child", "typo", "jargon"])
def test_dev_set_queries_over_mcp(server: McpSession, kind: str) -> None:
    """One dev-set query of each kind, answered through the real MCP tool."""
    queries = [json.loads(line) for line in DEV_SET.read_text().splitlines() if line.strip()]
    sample = next(q for q in queries if q["kind"] == kind)
    result = server.call("natural_language_api_search", query=sample["query"], max_results=5)
    found = [[r["method"], r["path"]] for r in result.data["results"]]
    assert any(expected in found for expected in sample["expected"]), (sample["query"], found)


@pytest.mark.parametrize(
    "query",
    [
        "set 8120 to waiting on vendor",
        "reassign 4471 to priya",
        "change the status of 6093 to in progress",
        "put 6120 on hold",  # put/make with a bare number changes it
        "7315 should be priority 1",  # the state wanted, no verb
        "shove 2290 over to the onsite board",  # an opening verb the lexicon does not know
        "3377 needs to go to the onsite board",  # "needs" is a verb here, not a count of needs
        "close out 6632",  # a particle between the verb and the number
        "on 4521 change the board to network",  # the record first, then the verb
    ],
)
def test_a_bare_number_in_a_change_is_a_service_ticket(searcher: Searcher, query: str) -> None:
    """In an MSP's chat a record number without a noun is a service ticket: its own update comes first."""
    assert top(searcher, query, 1) in (["PATCH /service/tickets/{id}"], ["PUT /service/tickets/{id}"]), query


@pytest.mark.parametrize(
    "query",
    [
        "log 2 hours on the printer ticket",  # a quantity
        "set the list price of catalog item 55 to 1299",  # an amount after "to"
        "move schedule entry 91 to 4 pm",  # a time
        "show 20 open tickets",  # a read never implies a record
        "set the budget for 2027 to 5000",  # a year
    ],
)
def test_quantities_times_and_amounts_are_not_ticket_numbers(searcher: Searcher, query: str) -> None:
    assert [c.text for c in searcher.analyze(query).concepts if c.source == "implied"] == [], query


@pytest.mark.parametrize(
    ("query", "record"),
    [
        ("set proseware's territory to east", "/company/companies/{id}"),  # not the territories
        ("change litware's status to inactive", "/company/companies/{id}"),  # not the company statuses
        ("change priya's work role to senior engineer", "/system/members/{id}"),  # not the work roles
        ("set kevin's security role to admin", "/system/members/{id}"),
        ("change lisa taylor's title to office manager", "/company/contacts/{id}"),  # a full name: a contact
    ],
)
def test_an_unknown_names_possessive_field_changes_that_record(searcher: Searcher, query: str, record: str) -> None:
    assert top(searcher, query, 1) in (["PATCH " + record], ["PUT " + record]), query


@pytest.mark.parametrize(
    "query", ["push schedule entry 3340 to 4pm", "slide my 10am visit, schedule entry 5531, to 11:30"]
)
def test_moving_a_schedule_entry_to_a_clock_time_changes_it(searcher: Searcher, query: str) -> None:
    assert top(searcher, query, 1) in (["PATCH /schedule/entries/{id}"], ["PUT /schedule/entries/{id}"]), query


@pytest.mark.parametrize(
    ("query", "record"),
    [
        ("mark 5180 as resolved", "/service/tickets/{id}"),  # the verb's own word ("markAs") takes no number
        ("push 7044 to the dispatch board", "/service/tickets/{id}"),  # "push" read as export takes none either
        ("catalog item RT-310 list price should be 249", "/procurement/catalog/{id}"),  # a product code's number
        ("set the cost of RT-310 to 180", "/procurement/catalog/{id}"),  # a product code alone: a catalog item
        ("RT-310 should cost 199", "/procurement/catalog/{id}"),  # the amount after "cost" is no id
        ("agreement 61 should end on friday", "/finance/agreements/{id}"),  # a date wanted
        ("push the close date on opportunity 77 to end of month", "/sales/opportunities/{id}"),
        ("set wide world importers' territory to north", "/company/companies/{id}"),  # a possessive after s
        ("change omar's title to dispatcher", "/system/members/{id}"),  # a first name alone: a colleague
        ("set dana's hourly cost to 45", "/system/members/{id}"),  # "hourly cost" is her field, not a record
        ("change the default location for priya to tampa", "/system/members/{id}"),  # the owner after "for"
        ("set proseware to inactive", "/company/companies/{id}"),  # a name alone, then its new state
        # an opening verb the lexicon does not know, one record described, and where it should go
        ("nudge the northwind scanner ticket over to the network board", "/service/tickets/{id}"),
        # a word the lexicon reads as another record ("renewal" -> agreement) describes the noun after it
        ("bump the woodgrove renewal opportunity to 80 percent", "/sales/opportunities/{id}"),
        ("flip the tailspin firewall opportunity to lost", "/sales/opportunities/{id}"),  # not a configuration's
        ("update the due date on the litware migration project to march 3", "/project/projects/{id}"),  # a date
        # an unknown word opens the new value's name: the board is where the project goes, not the target
        ("move the tailspin website project to the residential services board", "/project/projects/{id}"),
        ("update the territory for acme corp to west", "/company/companies/{id}"),  # "corp" ends a name
        ("change omar's default department to support", "/system/members/{id}"),  # two words, one property
    ],
)
def test_verbs_codes_and_possessives_around_the_record_keep_its_update_first(
    searcher: Searcher, query: str, record: str
) -> None:
    assert top(searcher, query, 1) in (["PATCH " + record], ["PUT " + record]), query


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("cancel agreement 52", "PATCH /finance/agreements/{id}"),  # agreements have a cancelled flag
        ("product 553 should be cancelled", "PATCH /procurement/products/{id}"),
        ("cancel schedule entry 55", "DELETE /schedule/entries/{id}"),  # no such flag: cancelling deletes
        ("delete agreement 52", "DELETE /finance/agreements/{id}"),
    ],
)
def test_cancelling_a_record_with_a_cancelled_flag_sets_it(searcher: Searcher, query: str, first: str) -> None:
    """Deleting an agreement loses its history; cancelling it is a change of the record."""
    assert top(searcher, query, 1) in ([first], [first.replace("PATCH", "PUT")]), query


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # everyday words for a resource's children: remarks are notes, a crew is the team, a stage of a project
        ("jot a quick remark on ticket 31", "POST /service/tickets/{parentId}/notes"),
        ("the remarks on opportunity 8", "GET /sales/opportunities/{parentId}/notes"),
        ("the crew on project 7", "GET /project/projects/{parentId}/teamMembers"),
        ("who covers for member 4", "GET /system/members/{parentId}/delegations"),
        ("work breakdown of project 3", "GET /project/projects/{id}/projectWorkplan"),
        ("categories of problems on board 2", "GET /service/boards/{parentId}/types"),
        ("the groups of engineers on the support queue", "GET /service/boards/{parentId}/teams"),
        ("the hour cards from last week", "GET /time/sheets"),
        ("the follow-up sequences we use", "GET /company/tracks"),
        # someone's own calendar is their appointments; "calendars" alone stay the business-hours list
        ("put it in my calendar for friday", "POST /schedule/entries"),
        ("list calendars", "GET /schedule/calendars"),
        ("log an outage for contoso", "POST /service/tickets"),
        ("log a complaint from contoso", "POST /service/tickets"),
        ("who is on shift tomorrow", "GET /schedule/entries"),
        # "stage" is the sales stage unless a project owns it
        ("add a stage to project 5", "POST /project/projects/{parentId}/phases"),
        ("stages of the sales pipeline", "GET /sales/stages"),
        # everyday verbs: fold = merge, hand = reassign, kick off = start a new one
        ("fold ticket 8 into ticket 9", "POST /service/tickets/{parentId}/merge"),
        ("hand ticket 40 to Dana", "PATCH /service/tickets/{id}"),
        ("kick off a project for Contoso", "POST /project/projects"),
        ("hire a new engineer", "POST /system/members"),
        ("onboard contoso as a client", "POST /company/companies"),
    ],
)
def test_everyday_words_with_no_api_word_reach_the_resource(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


def test_number_between_a_record_and_its_id_is_filler(searcher: Searcher) -> None:
    analysis = searcher.analyze("look up case number 72")
    assert analysis.head is not None and analysis.head.text == "case"
    assert [(value, concept.text) for value, concept in analysis.ids] == [("72", "case")]


@pytest.mark.parametrize("query", ["the people on mailing list 7", "client people on project 12"])
def test_a_number_after_a_phrase_holding_its_owner_is_the_owners(searcher: Searcher, query: str) -> None:
    """The phrase names records under an owner; the number is the owner's, so the list comes first."""
    assert "{id}" not in top(searcher, query, 1)[0]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # back-office wording with no word of the API: each word reads the same in any request
        ("amounts still owing from last quarter", "GET /finance/invoices"),
        ("invoices not yet posted", "GET /finance/accounting/unpostedinvoices"),
        ("what is sitting on the shelf in bin 4", "GET /procurement/warehouseBins/{parentId}/inventoryOnHand"),
        ("volume discount tiers", "GET /procurement/pricingschedules"),
        ("item groups we sell", "GET /procurement/categories"),
        ("the travel claims waiting", "GET /expense/reports"),
        ("offboard the leaver Sam", "POST /system/members/{id}/deactivate"),
        ("certificates our engineers hold", "GET /system/members/{parentId}/certifications"),
        ("groups of permissions", "GET /system/securityroles"),
        # "turn on/off" switches a record, it does not convert it ("turn into")
        ("turn off the workflow for overdue tickets", "PATCH /system/workflows/{id}"),
    ],
)
def test_back_office_paraphrases_reach_the_resource(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first], query


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # "the number of X" asks for X's count: "number" names no serial numbers
        ("Returns the number of contacts.", "GET /company/contacts/count"),
        ("Gets the total number of configurations in the system.", "GET /company/configurations/count"),
        # the product's own name, written in camel case, names no ConnectWise-hosted screens
        ("Returns every company stored in ConnectWise Manage.", "GET /company/companies"),
        # "in the system" is where every record lives, not the system module
        ("Counts the members in the system.", "GET /system/members/count"),
        # a plural read "for" a parent without a nested path: the head's own list, not the parent's
        ("Retrieves the work types available for time entries.", "GET /time/workTypes"),
        # "where X is used" asks for X's /usages; "the currencies used on invoices" for currencies
        ("Shows where a work role is used.", "GET /time/workRoles/{id}/usages"),
        ("Returns the currencies used on invoices.", "GET /finance/currencies"),
        # an action named with its target ("convertToServiceTicket"): the joining word needs no saying
        ("Converts the opportunity to a service ticket.", "POST /sales/opportunities/{id}/convertToServiceTicket"),
    ],
)
def test_documentation_filler_leaves_the_thing_and_its_parent(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


def test_a_placing_participle_leaves_the_thing_as_head_and_its_parent(searcher: Searcher) -> None:
    """ "teams defined on a service board": the teams are asked for, on their board."""
    analysis = searcher.analyze("Gets the teams defined on a service board.")
    assert analysis.head.text == "teams"
    assert [c.text for c in analysis.parents] == ["service board"]


@pytest.mark.parametrize(
    ("query", "head"),
    [
        ("Return information about the current user.", "current user"),
        ("Retrieves information on the configured currencies.", "currencies"),
    ],
)
def test_information_about_a_thing_asks_for_the_thing(searcher: Searcher, query: str, head: str) -> None:
    assert searcher.analyze(query).head.text == head


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("print out invoice 318 for the client", "GET /finance/invoices/{id}/pdf"),
        ("the bookkeeping program we sync with", "GET /finance/accountingPackages"),
        ("list our product groupings", "GET /procurement/categories"),
        ("set up a custom dropdown for tickets", "POST /system/userDefinedFields"),
        ("list the canned notes", "GET /system/standardNotes"),
        ("show my own profile", "GET /system/myMembers"),
        ("stages a po goes through", "GET /procurement/purchaseorderstatuses"),
        ("one off credit on agreement 7", "GET /finance/agreements/{parentId}/adjustments"),
        ("extra charges on contract 8", "GET /finance/agreements/{parentId}/additions"),
    ],
)
def test_everyday_words_for_finance_procurement_and_setup_records(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # "the specified/requested X": documentation naming the one record whose id the caller passes
        ("Gets the requested invoice", "GET /finance/invoices/{id}"),
        ("Returns the supplied work role", "GET /time/workRoles/{id}"),
        ("Retrieve all sites for a given company", "GET /company/companies/{parentId}/sites"),
        # a description that opens with "Counts" asks for the count operation
        ("Counts the tasks on the specified ticket", "GET /service/tickets/{parentId}/tasks/count"),
        ("Counts the contacts", "GET /company/contacts/count"),
        # "Performs a bulk update of X", "Bulk deletes X": the verb after the opener gives the intent
        ("Performs a bulk update of configurations", "PUT /company/configurations/bulk"),
        ("Bulk updates configurations", "PUT /company/configurations/bulk"),
        # "for a ticket ID": the id is the parent's, so the notes are listed, not one note read
        ("Lists the ticket notes for a ticket ID", "GET /service/tickets/{parentId}/notes"),
    ],
)
def test_documentation_phrasing_reaches_the_operation_it_describes(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # prefixed names (subcategories, recalculate) written as one word in the request
        (
            "Returns the subcategories of a given product category",
            "GET /procurement/categories/{parentId}/subcategories/",
        ),
        ("Recalculates the commissions of an invoice", "POST /finance/invoices/{parentId}/commissions/recalculate"),
    ],
)
def test_one_word_the_paths_spell_in_pieces_finds_its_resource(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


# -- spelling: words joined or split, typos (issue 14) ---------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("SubCategories", ["subcategory"]),  # a bound prefix is part of the word, however it is written
        ("BoardSubTypeInfos", ["board", "subtype", "info"]),
        ("sub category", ["subcategory"]),
        ("re-calculate", ["recalculate"]),
        ("sub 2", ["sub", "2"]),
    ],
)
def test_bound_prefixes_join_the_word_they_belong_to(source: str, expected: list[str]) -> None:
    assert text.tokens(source) == expected


def test_a_request_joins_a_prefix_written_apart_but_not_a_contraction() -> None:
    assert [t.word for t in tokenize("un-batch the sub categories")] == ["unbatch", "the", "subcategory"]
    assert [t.word for t in tokenize("we're adding a note re ticket 5")][:2] == ["we", "re"]
    assert [t.word for t in tokenize("note re ticket 5")] == ["note", "re", "ticket", "5"]  # "regarding"


@pytest.mark.parametrize(
    ("query", "first", "keyword"),
    [
        ("sub categories", "GET /procurement/subcategories/", True),  # the literal search too
        ("show the kb sub sections", "GET /service/knowledgeBaseSubCategories", False),  # a lexicon phrase
    ],
)
def test_a_prefix_written_apart_meets_the_catalog_word(
    searcher: Searcher, query: str, first: str, keyword: bool
) -> None:
    assert top(searcher, query, 1, keyword=keyword) == [first]


def test_compounds_split_only_into_real_words() -> None:
    vocabulary = {"re", "set", "sub", "categories", "agreement", "rec", "ap", "gl", "paths", "on", "hand"}
    assert text.segment_compound("reset", vocabulary) == ["reset"]
    assert text.segment_compound("subcategories", vocabulary) == ["subcategories"]
    assert text.segment_compound("agreementrecap", vocabulary) == ["agreementrecap"]  # not agreement rec ap
    assert text.segment_compound("glpaths", vocabulary) == ["gl", "paths"]
    assert text.segment_compound("onhand", vocabulary) == ["on", "hand"]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # the catalog used to read these paths as "re set", "re calculate", "sub type", "agreement rec ap"
        ("reset all the schedule colors", "POST /schedule/colors/reset"),
        ("re calculate invoice 9 commissions", "POST /finance/invoices/{parentId}/commissions/recalculate"),
        ("show the sub types of campaign type 3", "GET /marketing/campaigns/types/{parentId}/subTypes"),
        ("agreement recap for agreement 5", "GET /finance/agreementrecap/{id}"),
    ],
)
def test_words_joined_or_split_meet_the_path_word(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # two letters swapped, the first two too
        ("add a ntoe to ticket 77", "POST /service/tickets/{parentId}/notes"),
        ("show the ocmpanies", "GET /company/companies"),
        ("log tiem on ticket 4", "POST /time/entries"),  # time, not item: a swap keeping the first letter first
        # run together around a short word: "of", "gl", "os"
        ("show the unitofmeasure list", "GET /procurement/unitOfMeasures"),
        ("list the glaccounts", "GET /finance/glAccounts"),
        ("show the osgradeweights", "GET /system/osgradeweights"),
        ("list timeentires for ticket 4", "GET /service/tickets/{parentId}/timeentries"),  # and a swap
        (
            "show the quantity onhand for catalog item 5",
            "GET /procurement/catalog/{catalogItemIdentifier}/quantityOnHand",
        ),
        # British spellings are the same words
        ("show the colours on the schedule", "GET /schedule/colors"),
        ("list the customised items", "GET /system/mySecurity/customizeItems/"),
    ],
)
def test_slips_and_spellings_reach_the_catalog_word(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "written", "read"),
    [
        ("show the colours on the schedule", "colours", "color"),
        ("list the customised items", "customised", "customize"),
        # the new readings leave these alone
        ("creat a purchase order", "creat", "create"),  # a clipped word, not "created"
        ("note on the acme ticket", "acme", "acme"),  # a name is no swap of "came"
        ("pre-filled ticket forms", "filled", "filled"),  # no British "filed"
        ("Returns a financial summary", "financial", "financial"),  # a word, not clipped "financialrecap"
        ("the printer was rebooted, log a ticket", "rebooted", "rebooted"),  # a verb, not "reported"
    ],
)
def test_words_are_read_as_the_catalog_spells_them(searcher: Searcher, query: str, written: str, read: str) -> None:
    words = {t.raw.lower(): t.word for t in searcher.analyze(query).tokens}
    assert words[written] == read


def test_british_spellings_have_american_variants() -> None:
    assert "color" in text.spelling_variants("colour")
    assert "catalog" in text.spelling_variants("catalogue")
    assert "customized" in text.spelling_variants("customised")
    assert "cancelled" in text.spelling_variants("canceled")  # ConnectWise writes "cancelledFlag"
    assert "filed" not in text.spelling_variants("filled")


# -- docs7: third-party documentation phrasing (cmdlet help, MCP tool descriptions, SDK comments) ------


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # the first sentence names the operation; later ones explain it and name other records
        (
            "Deletes a configuration. Service tickets and agreements that use it keep their history.",
            "DELETE /company/configurations/{id}",
        ),
        (
            "Gets all schedule entries. An entry may belong to a ticket, an activity or a project.",
            "GET /schedule/entries",
        ),
        (
            "Returns work roles. Each work role has an hourly rate and may be limited to locations.",
            "GET /time/workRoles",
        ),
        # ids a later sentence mentions ask for no one record
        ("list_members: Lists all members. Use it to find member IDs before scheduling.", "GET /system/members"),
    ],
)
def test_a_descriptions_later_sentences_do_not_pull_the_ranking(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # how to call it ("the -Condition parameter") is not what it is about (custom report parameters)
        ("Returns the number of opportunities matching the -Condition parameter.", "GET /sales/opportunities/count"),
        ("Returns the count of companies that match the conditions parameter.", "GET /company/companies/count"),
        # framing words name nothing: not an endpoint (a device), not objects
        ("This endpoint returns an array of invoice objects.", "GET /finance/invoices"),
        # one record deleted: its /{id}, not the DELETE that empties the collection
        ("Removes a line item from a purchase order.", "DELETE /procurement/purchaseorders/{parentId}/lineitems/{id}"),
        ("Returns the server version of ConnectWise Manage.", "GET /system/info"),
    ],
)
def test_documentation_framing_and_call_details_name_nothing(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


def test_a_multi_sentence_tool_description_over_mcp(server: McpSession) -> None:
    query = "Creates a new purchase order. Line items are added separately; the vendor and warehouse must exist."
    result = server.call("natural_language_api_search", query=query, max_results=3)
    top_hit = result.data["results"][0]
    assert (top_hit["method"], top_hit["path"]) == ("POST", "/procurement/purchaseorders")


# -- what a request wants done to which record (issue 14: phrasal verbs, owners, conversions,
# templates, parent and child tickets) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("kick timesheet 88 back to dave", "POST /time/sheets/{id}/reject"),
        ("back time sheet 91 out", "POST /time/sheets/{id}/reverse"),
        ("send expense report 31 in", "POST /expense/reports/{id}/submit"),
        ("sign expense report 31 off", "POST /expense/reports/{id}/approve"),
        ("open ticket 81 back up", "PATCH /service/tickets/{id}"),  # not "open ticket" and a "backup"
        ("set litware up with a new agreement", "POST /finance/agreements"),  # what is made, not a detail
    ],
)
def test_a_phrasal_verb_split_by_its_object_is_the_whole_verb(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 3)[0] == first, query


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("what's northwind's status", "GET /company/companies"),  # not the company status definitions
        ("what's litware's territory", "GET /company/companies"),
        ("priya's skills", "GET /system/members/{parentId}/skills"),  # hers, not the skill list
        ("look northwind up", "GET /company/companies"),  # a name alone is a company, contact or member
        ("what's the status of litware's migration project", "GET /project/projects"),  # the project's status
    ],
)
def test_a_possessive_name_in_a_read_reads_the_owner_or_what_it_owns(
    searcher: Searcher, query: str, first: str
) -> None:
    assert top(searcher, query, 3)[0] == first, query


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("make ticket 812 a child of 800", "POST /service/tickets/{parentId}/attachChildren"),
        ("nest ticket 77 under ticket 70", "POST /service/tickets/{parentId}/attachChildren"),
        ("merge 903 into 902", "POST /service/tickets/{parentId}/merge"),  # bare numbers are tickets
    ],
)
def test_one_ticket_put_under_or_into_another_uses_the_tickets_action(
    searcher: Searcher, query: str, first: str
) -> None:
    assert top(searcher, query, 3)[0] == first, query


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("make opportunity 61 a project", "POST /sales/opportunities/{id}/convertToProject"),
        ("turn ticket 812 into a project ticket", "POST /service/tickets/{parentId}/convert"),
        ("make project ticket 71 a service ticket", "POST /project/tickets/{parentId}/convert"),
        ("convert config 31 from a laptop to a desktop", "PATCH /company/configurations/{id}/changeType"),
        ("make this project ticket a service ticket", "POST /project/tickets/{parentId}/convert"),
        ("move project ticket 40 over to the help desk as a normal ticket", "POST /project/tickets/{parentId}/convert"),
        ("turn ticket 52 into a proper project", "POST /service/tickets/{parentId}/convert"),
    ],
)
def test_a_record_made_into_another_kind_is_converted(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 3)[0] == first, query


APPLY_TEMPLATE = (
    "POST /project/projects/{parentId}/applyTemplates",
    "POST /project/projects/{parentId}/applyTemplate/{id}",
)


@pytest.mark.parametrize(
    ("query", "answers"),
    [
        ("kick off a ticket from the monthly patching template", ("POST /service/templates/{id}/generate",)),
        ("use the new starter template to create a ticket", ("POST /service/templates/{id}/generate",)),
        ("add the tasks from the standard template to project 14", APPLY_TEMPLATE),
        ("start a project from the website build template", ("POST /project/projects",)),  # projectTemplateId
        ("make a template out of project 14", ("POST /project/projectTemplates/createFromProject/{id}",)),
        ("use template 6 on project 31", APPLY_TEMPLATE),
    ],
)
def test_records_made_from_a_template(searcher: Searcher, query: str, answers: tuple[str, ...]) -> None:
    assert top(searcher, query, 3)[0] in answers, query


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("change the type of ticket 44 to project", "PATCH /service/tickets/{id}"),  # a field, not a conversion
        ("on ticket 5 change the board to Projects", "PATCH /service/tickets/{id}"),
        ("kick 6603 back to the help desk board", "PATCH /service/tickets/{id}"),  # a bare number is moved
        ("log 3 hours under ticket 44", "POST /time/entries"),  # a quantity, not a child ticket
        ("tailspin's sites", "GET /company/companies/{parentId}/sites"),
        ("change the priority on a ticket", "PATCH /service/tickets/{id}"),  # a priority converts into nothing
        ("move ticket 601 out from under ticket 600", "PATCH /service/tickets/{id}"),  # no child any more
    ],
)
def test_field_changes_quantities_and_lists_keep_their_operation(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 3)[0] == first, query


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("make ticket 812 a child of 800", ("POST", "/service/tickets/{parentId}/attachChildren")),
        ("make opportunity 61 a project", ("POST", "/sales/opportunities/{id}/convertToProject")),
        ("what's northwind's status", ("GET", "/company/companies")),
        ("kick timesheet 88 back to dave", ("POST", "/time/sheets/{id}/reject")),
    ],
)
def test_what_is_done_to_which_record_over_mcp(server: McpSession, query: str, first: tuple[str, str]) -> None:
    result = server.call("natural_language_api_search", query=query, max_results=3)
    top_hit = result.data["results"][0]
    assert (top_hit["method"], top_hit["path"]) == first, query


# -- technician chat (chat8): reads, creates and deletes, counts, a record's own lists ------------------


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # a new record, the name it is for, then its summary or name: no record to attach it to
        ("raise a ticket for northwind scanner jammed", "POST /service/tickets"),
        ("open a new ticket for adatum outlook crashing", "POST /service/tickets"),
        ("add a site for adatum east office", "POST /company/companies/{parentId}/sites"),
        # what it is for is its kind or subject, when nothing of its kind is added under that
        ("add an expense for parking", "POST /expense/entries"),
        ("create an expense for the hotel in denver", "POST /expense/entries"),
        ("create a ticket for the adatum printer", "POST /service/tickets"),
        # a word that creates before an article creates before a person's name
        ("schedule bob for the contoso install friday", "POST /schedule/entries"),
        ("schedule jen for the fabrikam migration tuesday", "POST /schedule/entries"),
    ],
)
def test_a_new_records_content_names_no_parent(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("total configs we have for adatum", "GET /company/configurations/count"),
        ("# of projects for contoso", "GET /project/projects/count"),
        ("count of contacts flagged as billing contacts", "GET /company/contacts/count"),
        ("companies marked as prospects", "GET /company/companies"),
        ("projects opened this month, just the count", "GET /project/projects/count"),
        ("time entries last week, just the number", "GET /time/entries/count"),
        ("open tickets for contoso, only the number", "GET /service/tickets/count"),
    ],
)
def test_counts_and_filters_worded_in_chat_read_the_records(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "first", "never"),
    [
        (
            "remove dave from marketing group 9",
            "DELETE /marketing/groups/{parentId}/contacts/{id}",
            "DELETE /marketing/groups/{id}",
        ),
        (
            "delete sam from the sales team",
            "DELETE /sales/salesTeams/{parentId}/members/{id}",
            "DELETE /sales/salesTeams/{id}",
        ),
        ("add lisa to marketing group 2", "POST /marketing/groups/{parentId}/contacts", "POST /marketing/groups"),
    ],
)
def test_a_person_joins_or_leaves_a_record_never_made_or_deleted_itself(
    searcher: Searcher, query: str, first: str, never: str
) -> None:
    hits = top(searcher, query, 5)
    assert hits[0] == first
    assert never != hits[0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a bare number after "on"/"to" that holds the thing before it is a ticket
        ("last note on 6617", {"GET /service/tickets/{parentId}/notes", "GET /service/tickets/{parentId}/allNotes"}),
        ("add a note to 6617 client confirmed the fix", {"POST /service/tickets/{parentId}/notes"}),
        ("delete the note on 6617", {"DELETE /service/tickets/{parentId}/notes/{id}"}),
        # a word that only ends one of the record's fields, naming a list under it, is that list
        ("time on ticket 7710", {"GET /service/tickets/{parentId}/timeentries", "GET /time/entries"}),
    ],
)
def test_a_records_own_lists_in_chat(searcher: Searcher, query: str, expected: set[str]) -> None:
    assert top(searcher, query, 1)[0] in expected


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # the field the records are filtered or sorted on is a detail, not the thing listed
        ("projects by status", "GET /project/projects"),
        ("contacts by type for adatum", "GET /company/contacts"),
        ("opps by stage for contoso", "GET /sales/opportunities"),
        ("tickets opened this week", "GET /service/tickets"),
        ("tickets rgomez opened yesterday", "GET /service/tickets"),
        # where the records are filters them
        ("configs at the fabrikam hq site", "GET /company/configurations"),
        ("workstations at the contoso hq site", "GET /company/configurations"),
        # a plural opening word is the noun, not the action verb it also spells
        ("invoices last month", "GET /finance/invoices"),
    ],
)
def test_filter_words_do_not_head_a_read(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


# --- team leads and service managers (issue 14, helper "leads") -------------------------------------


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # "money" and "dollar" alone are amounts, not the currency list
        ("outstanding money from our clients", "GET /finance/invoices"),
        ("how much money did we make last month", "GET /finance/invoices"),
        ("total dollars invoiced to contoso", "GET /finance/invoices"),
        # a state after a noun ("past due") describes the record named, and is not the invoice list
        ("tickets past due for contoso", "GET /service/tickets"),
        ("projects past due", "GET /project/projects"),
        # a plural noun that is also a verb, followed by its state, is still the noun: a read, not a write
        ("invoices past due for fabrikam", "GET /finance/invoices"),
        # an -ing form before a plural noun describes the records ("expiring", "renewing"): no change
        ("renewing agreements next month", "GET /finance/agreements"),
        ("escalated tickets for contoso", "GET /service/tickets"),
        # "new" before plural records and a time lists the records made lately; it makes none
        ("new tickets today", "GET /service/tickets"),
        ("new customers this year", "GET /company/companies"),
        ("new deals this week", "GET /sales/opportunities"),
        # a state the lexicon reads as a status, after a record, is the state that record is in
        ("invoices ready to send", "GET /finance/invoices"),
        ("tickets awaiting response", "GET /service/tickets"),
        ("tickets waiting on a third party", "GET /service/tickets"),
        # a participle after a noun and a time describes the noun
        ("tickets opened yesterday", "GET /service/tickets"),
        ("invoices sent this week", "GET /finance/invoices"),
    ],
)
def test_a_state_around_a_record_keeps_the_record_and_the_read(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("customers with the most devices", "GET /company/configurations"),
        ("techs with the most open tickets", "GET /service/tickets"),
        ("clients with the fewest contacts", "GET /company/contacts"),
        # "X by Y" groups the X: the Y is a detail, and "invoices" before it is a noun, not a verb
        ("give me a breakdown of tickets by board", "GET /service/tickets"),
        ("tickets by priority this week", "GET /service/tickets"),
        ("invoices by client this year", "GET /finance/invoices"),
        ("open opportunities by stage", "GET /sales/opportunities"),
        # a report or summary "of" records asks for those records
        ("monthly report of invoices sent", "GET /finance/invoices"),
        ("a report of tickets closed last week", "GET /service/tickets"),
        ("summary of what we billed fabrikam", "GET /finance/invoices"),
    ],
)
def test_records_ranked_or_grouped_by_something_list_the_ones_asked_for(
    searcher: Searcher, query: str, first: str
) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # won and lost deals are deals, not the list of deal statuses
        ("deals we lost last month", "GET /sales/opportunities"),
        ("lost deals for contoso", "GET /sales/opportunities"),
        ("most active clients", "GET /company/companies"),
        ("how many deals did we win in march", "GET /sales/opportunities/count"),
        # capacity and effort are measured on schedule and time entries
        ("engineers overbooked next week", "GET /schedule/entries"),
        ("time my team logged last week", "GET /time/entries"),
        # stale tickets are tickets nobody updated, not the workflow that chases them
        ("stale tickets for contoso", "GET /service/tickets"),
        ("what's sitting in the warehouse in leeds", "GET /procurement/warehouseBins/{parentId}/inventoryOnHand"),
        ("hardware margins this quarter", "GET /procurement/products"),
        ("invoices we haven't pushed to quickbooks", "GET /finance/accounting/unpostedinvoices"),
        # unbilled time is time entries not yet invoiced
        ("unbilled time for contoso", "GET /time/entries"),
        ("quota attainment for each rep", "GET /sales/quotas"),
        ("who's working this weekend", "GET /schedule/entries"),
        ("how busy is the help desk today", "GET /service/tickets"),
        ("resource plan for next month", "GET /schedule/entries"),
        ("campaign results last quarter", "GET /marketing/campaigns"),
        ("items awaiting delivery from suppliers", "GET /procurement/purchaseorders"),
        ("which techs have not submitted timesheets", "GET /time/sheets"),
        # a quote is a deal in Manage, not the setup of the quoting tool
        ("open quotes for fabrikam", "GET /sales/opportunities"),
        ("win rate this year", "GET /sales/opportunities"),
    ],
)
def test_team_lead_wording_reaches_the_records_it_means(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # "JSON Patch" asks for PATCH, even beside the patch's "replace" operations
        (
            "Updates a contact with a JSON Patch document; replace operations set each field.",
            "PATCH /company/contacts/{id}",
        ),
        # a verb that only reads ("Search X") is not the tickets' /search endpoint
        ("Search-CWMCompany: Searches ConnectWise companies by name.", "GET /company/companies"),
        # "internal ID" says which id, nothing of the record (not an internal-flag field)
        ("Gets one catalog item by its internal ID.", "GET /procurement/catalog/{id}"),
        # the path's own key: a member's login identifier
        ("Get-CWMMember -Identifier: Gets a member by login identifier.", "GET /system/members/{memberIdentifier}"),
        ("Retrieves a member by login identifier.", "GET /system/members/{memberIdentifier}"),
    ],
)
def test_documentation_says_how_a_record_is_addressed(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # a numbered record added to another that takes records of its kind joins that list ...
        ("add config 4410 to ticket 8123", "POST /service/tickets/{parentId}/configurations"),
        ("link contact 77 to opportunity 610", "POST /sales/opportunities/{parentId}/contacts"),
        ("add company 31 to marketing group 6", "POST /marketing/groups/{parentId}/companies"),
    ],
)
def test_a_numbered_record_added_to_another_joins_its_list(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("holidays in holiday list 2", "GET /schedule/holidayLists/{parentId}/holidays"),
        ("periods of time period setup 3", "GET /time/timePeriodSetups/{parentId}/periods"),
    ],
)
def test_a_number_belongs_to_the_record_it_names_best(searcher: Searcher, query: str, first: str) -> None:
    """The child's name is part of its parent's ("holiday" in "holiday list"): the number is the
    parent's, so the children are listed, not one child with that number."""
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    "query",
    [
        "change mike's default service board to tier 2",
        "set mike's project default board to implementation",
        "change alice's schedule default department to field services",
        "move jim's service default location to tampa",
    ],
)
def test_a_field_named_in_several_words_is_the_owners(searcher: Searcher, query: str) -> None:
    """Each word of a member's serviceDefaultBoard belongs to the field: the member is changed, not
    the board's definition for everyone, nor a project or a schedule entry."""
    assert top(searcher, query, 1) == ["PATCH /system/members/{id}"]


@pytest.mark.parametrize(
    "query", ["set contoso's default contact to bob", "change fabrikam's default contact to jane smith"]
)
def test_a_named_owners_field_changes_the_owner_not_a_record_named_like_the_field(
    searcher: Searcher, query: str
) -> None:
    """A company's defaultContact: the company is changed, not some contact's own record."""
    assert top(searcher, query, 1) == ["PATCH /company/companies/{id}"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("clients that have open tickets", "GET /service/tickets"),
        ("techs with overdue tickets", "GET /service/tickets"),
        ("customers with unpaid invoices", "GET /finance/invoices"),
        ("companies with type customer", "GET /company/companies"),
    ],
)
def test_owners_with_records_of_theirs_list_those_records(searcher: Searcher, query: str, expected: str) -> None:
    """Tickets and invoices name their company; the company list cannot be filtered by them. A field
    of the owner ("type customer") still filters the owners."""
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("invoices older than 90 days", "GET /finance/invoices"),
        ("opportunities bigger than 10k", "GET /sales/opportunities"),
        ("unapproved timesheets from last period", "GET /time/sheets"),
    ],
)
def test_words_around_a_filter_are_read_as_written(searcher: Searcher, query: str, expected: str) -> None:
    """A comparative before "than" is no slip ("older" is not "order", a purchase), and a phrase never
    runs across "from" ("timesheets ... period" is no timesheet period)."""
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bills 60 days overdue", "GET /finance/invoices"),
        ("tickets 3 weeks old", "GET /service/tickets"),
        ("ticket 55", "GET /service/tickets/{id}"),
    ],
)
def test_a_number_of_days_or_weeks_is_never_a_records_number(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize("query", ["labels for returned merchandise", "labels on rmas"])
def test_a_plural_before_its_owners_preposition_is_a_noun(searcher: Searcher, query: str) -> None:
    """ "labels for ...": a noun asking for records, not the verb "label" changing one."""
    assert top(searcher, query, 1) == ["GET /procurement/rmaTags"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tickets from sales order 30", "GET /service/tickets"),
        ("projects from opportunity 5", "GET /project/projects"),
        ("orders for opportunity 5", "GET /sales/orders"),
        ("invoices for agreement 77", "GET /finance/invoices"),
    ],
)
def test_records_named_without_a_verb_are_listed_not_made_by_an_action(
    searcher: Searcher, query: str, expected: str
) -> None:
    """No verb asks to convert anything: the records are listed, not convertToServiceTicket and the like."""
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    "query", ["is invoice 10023 paid", "did jenny log time on ticket 5000", "do we have a po for the contoso laptops"]
)
def test_a_yes_no_question_reads(searcher: Searcher, query: str) -> None:
    """Asking whether something was done reads; it never does it (again)."""
    assert top(searcher, query, 1)[0].startswith("GET ")


@pytest.mark.parametrize("query", ["remove jenny from ticket 50211", "remove bob from ticket 4410"])
def test_a_person_taken_off_a_record_with_no_people_changes_it(searcher: Searcher, query: str) -> None:
    """A ticket lists no people of its own: taking someone off it edits its resources, and the ticket
    itself is never the thing deleted."""
    assert top(searcher, query, 1) == ["PATCH /service/tickets/{id}"]


@pytest.mark.parametrize("query", ["put 45 min on 51234 for the printer fix", "put 1.5h on ticket 4521"])
def test_time_put_on_a_ticket_is_logged(searcher: Searcher, query: str) -> None:
    """ "put 45 min on 51234": a new time entry, not a change to the ticket."""
    assert top(searcher, query, 1) == ["POST /time/entries"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("total value of invoices this month", "GET /finance/invoices"),
        ("the value of open opportunities", "GET /sales/opportunities"),
        ("the values of survey question 5", "GET /system/surveys/{grandparentId}/questions/{parentId}/values"),
    ],
)
def test_a_sum_over_records_reads_the_records(searcher: Searcher, query: str, expected: str) -> None:
    """ "the value of open opportunities" sums opportunities; a numbered question's values are its own."""
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hours still waiting for my approval", "GET /time/sheets"),
        ("expenses that need sign-off", "GET /expense/reports"),
        ("time entries awaiting approval", "GET /time/entries"),
    ],
)
def test_what_waits_for_approval_is_what_is_approved(searcher: Searcher, query: str, expected: str) -> None:
    """Time is approved by time sheet, expenses by expense report; time entries named as such stay."""
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Gets one or more ConnectWise Manage companies.", "GET /company/companies"),
        ("Get the configurations linked to a ticket.", "GET /service/tickets/{parentId}/configurations"),
        ("which tickets are linked to ticket 9", "GET /service/ticketLinks"),
    ],
)
def test_documentation_phrases_around_the_noun(searcher: Searcher, query: str, expected: str) -> None:
    """ "one or more" lists; "linked to a ticket" places the records under it, unless the link is a
    record of its own (a ticket linked to a ticket)."""
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize("query", ["what territory is fabrikam in", "which territory is contoso in"])
def test_a_question_about_a_named_records_field_reads_the_owner(searcher: Searcher, query: str) -> None:
    """The name after "is" owns the field asked about, as "fabrikam's territory" would."""
    assert top(searcher, query, 1) == ["GET /company/companies"]


def test_a_preposition_before_a_numbered_record_opens_no_lexicon_phrase(searcher: Searcher) -> None:
    """ "on order 702" is sales order 702, not the purchasing state "on order"."""
    assert top(searcher, "set the sales rep on order 702 to mike", 1) == ["PATCH /sales/orders/{id}"]


def test_a_record_named_by_its_module_gets_its_own_update(searcher: Searcher) -> None:
    """ "expense 3302" is an expense entry (/expense/entries/{id}); its type is a field, not the
    expense type definitions."""
    assert top(searcher, "set the expense type on expense 3302 to meals", 1) == ["PATCH /expense/entries/{id}"]


def test_a_purpose_after_the_record_is_no_new_value(searcher: Searcher) -> None:
    """ "to check the backups" says what the new task is for; nothing of ticket 51000 changes."""
    query = "add a task to ticket 51000 to check the backups"
    assert top(searcher, query, 1) == ["POST /service/tickets/{parentId}/tasks"]


def test_a_number_for_the_first_word_of_a_compound_resource_is_not_its_id(searcher: Searcher) -> None:
    """ "ticket 50123" numbers a ticket: the stopwatches for it are listed, not stopwatch 50123."""
    assert top(searcher, "stopwatch for ticket 50123", 1) == ["GET /time/ticketstopwatches"]


def test_a_plural_before_a_placing_participle_is_a_noun(searcher: Searcher) -> None:
    """ "batches exported to quickbooks" lists batches; it makes none ("batch" is also a verb)."""
    assert top(searcher, "batches exported to xero", 1) == ["GET /finance/accounting/batches"]


def test_paperwork_is_documents(searcher: Searcher) -> None:
    assert top(searcher, "the paperwork attached to ticket 50123", 1) == ["GET /service/tickets/{parentId}/documents"]


@pytest.mark.parametrize("query", ["who can approve timesheets", "who is jim's expense approver"])
def test_who_approves_is_a_member(searcher: Searcher, query: str) -> None:
    """Approvers are members' fields (timeApprover, expenseApprover), not the sheets to approve."""
    assert top(searcher, query, 1) == ["GET /system/members"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("fabrikam's projects", "GET /project/projects"),
        ("mike's skills", "GET /system/members/{parentId}/skills"),
    ],
)
def test_an_owners_records_listed_under_it_or_by_its_field(searcher: Searcher, query: str, expected: str) -> None:
    """Skills hang under their member; projects only name their company in a field, so they are listed."""
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("agreement 77 invoices", "GET /finance/invoices"),
        ("member 23 time entries", "GET /time/entries"),
        ("project 41 tickets", "GET /project/tickets"),
        ("opp 2210 contacts", "GET /sales/opportunities/{parentId}/contacts"),
        ("board 8 types", "GET /service/boards/{parentId}/types"),
        ("member 61 expenses", "GET /expense/entries"),  # expense entries name their member
        # controls: the records under the number, the number alone, the verb "invoice"
        ("ticket 908 notes", "GET /service/tickets/{parentId}/notes"),
        ("agreement 77", "GET /finance/agreements/{id}"),
        ("invoice agreement 77", "POST /finance/agreements/{id}/invoice"),
        # a list that is no one's: the record's own field ("company 47 currencies" is its currency)
        ("company 47 currencies", "GET /company/companies/{id}"),
        ("opportunity 3306 stages", "GET /sales/opportunities/{id}"),
        ("board 8 members", "GET /service/boards/{id}"),  # (a board's team's members are the team's)
    ],
)
def test_records_named_after_a_numbered_record_are_its_list(searcher: Searcher, query: str, expected: str) -> None:
    """ "agreement 77 invoices" says what "invoices for agreement 77" says: the invoices are listed,
    by their agreement; agreement 77 itself is not the answer."""
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "wrong"),
    [
        ("team members for opportunity 2210", "GET /project/projects/{parentId}/teamMembers"),
        ("opportunity 2210 team members", "GET /project/projects/{parentId}/teamMembers"),
        ("work type exclusions for board 8", "GET /finance/agreements/{parentId}/workTypeExclusions"),
    ],
)
def test_a_list_under_a_numbered_record_is_not_another_records_list(searcher: Searcher, query: str, wrong: str) -> None:
    """A project's team members are no opportunity's: records listed under a numbered parent do not
    come from under a parent the request never names."""
    assert top(searcher, query, 1) != [wrong]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("invoice 4417 status", "GET /finance/invoices/{id}"),
        ("invoice 4417 due date 3/15", "PATCH /finance/invoices/{id}"),
        ("batch 12 status", "GET /finance/accounting/batches/{id}"),
        ("batch 12 created by", "GET /finance/accounting/batches/{id}"),  # a participle is no verb
        # a verb after the number says what to do with the record
        ("invoice 4417 add payment", "POST /finance/invoices/{parentId}/payments"),
        ("invoice 4417 delete", "DELETE /finance/invoices/{id}"),
        ("batch 12 export to quickbooks", "POST /finance/accounting/batches/{id}/export"),
    ],
)
def test_a_verb_that_names_a_record_before_its_number_is_that_record(
    searcher: Searcher, query: str, expected: str
) -> None:
    """ "invoice 4417 status" asks about invoice 4417; it invoices nothing and creates no invoice.
    A verb after the number acts on that record."""
    assert top(searcher, query, 1) == [expected]


def test_a_verb_before_a_number_keeps_its_object(searcher: Searcher) -> None:
    """ "link 6110 to 6111" links two records: the number is no link's."""
    assert top(searcher, "link 6110 to 6111", 1)[0].startswith("POST ")


def test_hyphenated_to_dos_are_tasks(searcher: Searcher) -> None:
    assert top(searcher, "the to-dos on ticket 50123", 1) == ["GET /service/tickets/{parentId}/tasks"]


def test_a_pronoun_before_a_possessive_name_is_no_part_of_it(searcher: Searcher) -> None:
    """ "show me fabrikam's company record": the owner is "fabrikam" (a company), not a person "me fabrikam"."""
    assert top(searcher, "show me fabrikam's company record", 1) == ["GET /company/companies"]


def test_unlinking_deletes_the_link(searcher: Searcher) -> None:
    query = "unlink config 55 from ticket 901"
    assert top(searcher, query, 1) == ["DELETE /service/tickets/{parentId}/configurations/{id}"]


def test_a_does_question_about_a_named_records_field_reads_the_owner(searcher: Searcher) -> None:
    assert top(searcher, "which security role does mike have", 1) == ["GET /system/members"]


def test_applying_a_json_patch_updates(searcher: Searcher) -> None:
    query = "update_opportunity(opp_id, ops): apply a JSON patch to an opportunity"
    assert top(searcher, query, 1) == ["PATCH /sales/opportunities/{id}"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("make jane the owner of 50123", "PATCH /service/tickets/{id}"),
        ("make a ticket for 50123", "POST /service/tickets"),
    ],
)
def test_making_someone_the_field_of_a_bare_number_changes_that_ticket(
    searcher: Searcher, query: str, expected: str
) -> None:
    """ "the owner of 50123": a bare number after a field is the ticket changed; "a ticket for 50123"
    is still a new ticket."""
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize("query", ["show the calendar for everyone", "what is on the calendar for tomorrow"])
def test_a_calendar_of_people_or_days_is_the_schedule(searcher: Searcher, query: str) -> None:
    """Technicians' "calendar" of a team or a day is schedule entries, not the business-hours calendars."""
    assert top(searcher, query, 1) == ["GET /schedule/entries"]


def test_a_description_opening_with_this_api_reads_its_verb(searcher: Searcher) -> None:
    """ "This API returns ...": "returns" is the verb, not RMA returns."""
    assert top(searcher, "This API returns the list of boards.", 1) == ["GET /service/boards"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pull up 50123", "GET /service/tickets/{id}"),
        ("what's the status of 50123", "GET /service/tickets/{id}"),
        ("who is working 50123", "GET /service/tickets/{id}"),
        ("how long has 50123 been open", "GET /service/tickets/{id}"),
        ("tickets from 2024", "GET /service/tickets"),
    ],
)
def test_a_bare_ticket_number_in_a_read_is_a_ticket(searcher: Searcher, query: str, expected: str) -> None:
    """In MSP chat a bare number of four digits or more is a service ticket in a read too; a year is not."""
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("anything new on the network board", "GET /service/tickets"),
        ("what's in the escalations queue", "GET /service/tickets"),
        ("what statuses are on the helpdesk board", "GET /service/boards/{parentId}/statuses"),
    ],
)
def test_what_is_on_a_board_is_its_tickets(searcher: Searcher, query: str, expected: str) -> None:
    """Tickets are what sits on a board; a board's own parts named as such stay its parts."""
    assert top(searcher, query, 1) == [expected]


def test_a_pronoun_is_no_owner_of_a_field(searcher: Searcher) -> None:
    """ "what boards do we have": "we" names no company, member or contact."""
    assert top(searcher, "what boards do we have", 1) == ["GET /service/boards"]


@pytest.mark.parametrize("query", ["add ticket 8123 to project 40", "add opportunity 612 to campaign 3"])
def test_a_record_added_where_none_of_its_kind_can_be_added_is_changed(searcher: Searcher, query: str) -> None:
    """... but no ticket is added under a project: "add ticket 8123 to project 40" changes the ticket."""
    assert top(searcher, query, 1)[0].split()[0] in ("PATCH", "PUT")


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # chat shorthand for a new record under a numbered one, its content after a colon or dash
        ("note on 7302: parts arrive monday", "POST /service/tickets/{parentId}/notes"),
        ("task on ticket 7302 - toner for reception", "POST /service/tickets/{parentId}/tasks"),
    ],
)
def test_a_record_on_a_numbered_one_with_its_content_is_created(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # a record described by what it is for, in words the API never uses
        ("the ticket folders", "GET /service/boards"),
        ("ticket buckets for the help desk", "GET /service/boards"),
        ("the people we invoice", "GET /company/companies"),
        ("the person to call at fabrikam", "GET /company/contacts"),
        ("show me their gear", "GET /company/configurations"),
        ("the hours we promised acme", "GET /service/SLAs"),
        ("how severe is the outage", "GET /service/severities"),
        ("problems phoned in today", "GET /service/tickets"),
        ("how likely a deal is to close", "GET /sales/probabilities"),
        ("what reps earn per deal", "GET /sales/commissions"),
        ("how bills go out to customers, mail or email", "GET /finance/deliveryMethods"),
        ("where we keep parts", "GET /procurement/warehouses"),
        ("special discounts for contoso", "GET /procurement/pricingschedules"),
        ("items sold by the box", "GET /procurement/unitOfMeasures"),
        ("heads up before a visit", "GET /schedule/reminderTimes"),
        ("money I spent at the conference", "GET /expense/entries"),
        ("which engineers are out today", "GET /system/inOutBoards"),
        ("onboarding paperwork for a new starter", "GET /system/membertemplates/"),
        ("everything contoso signed up for", "GET /finance/agreements"),
        ("what clients think of us", "GET /service/surveys/{parentId}/results"),
        ("how much do we charge per hour for a senior engineer", "GET /time/workRoles"),
        ("the people who report to dave", "GET /system/members"),
        ("list the places we ship from", "GET /procurement/warehouses"),
        ("stuff we resell to clients", "GET /procurement/catalog"),
        ("show how we grade our techs", "GET /system/reportCards"),
        ("which inbox do tickets come in by email", "GET /system/emailConnectors"),
        ("how much we made on the contoso contract", "GET /finance/agreementrecap/"),
        ("the credit card I paid with", "GET /expense/paymentTypes"),
        ("a log of every change to records", "GET /system/audittrail"),
        ("where are our staff based", "GET /system/locations"),
        ("everyone who buys from us", "GET /company/companies"),
        ("the phone and email details for a contact", "GET /company/contacts/{parentId}/communications"),
        ("everyone who sells for us", "GET /sales/salesTeams/{parentId}/members"),
        ("the stuff still waiting to be received", "GET /procurement/purchaseorders/{parentId}/lineitems"),
    ],
)
def test_a_record_described_without_its_name_is_found(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # a lexicon phrase may end on the small word that opens the details after it
        ("who we deal with at contoso", "GET /company/contacts"),
        ("the card staff pay with when travelling", "GET /expense/paymentTypes"),
    ],
)
def test_a_lexicon_phrase_ending_on_with_is_read_whole(searcher: Searcher, query: str, first: str) -> None:
    assert top(searcher, query, 1) == [first]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("activity 300 is done", "PATCH /sales/activities/{id}"),
        ("time entry 9 was 2 hours not 3", "PATCH /time/entries/{id}"),
        ("50123 belongs on the network board", "PATCH /service/tickets/{id}"),
        ("ticket 5 is still open?", "GET /service/tickets/{id}"),
        ("which board does ticket 5 belong to", "GET /service/tickets/{id}"),
    ],
)
def test_a_numbered_record_told_its_state_is_changed(searcher: Searcher, query: str, expected: str) -> None:
    """ "activity 300 is done": a request that opens with a record and says what it is states its change;
    a question about it still reads."""
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("contoso's phone number changed to 555-0100", "PATCH /company/companies/{id}"),
        ("sam lee's cell changed", "PATCH /company/contacts/{id}"),
        ("the phone number for contoso changed to 555-0100", "PATCH /company/companies/{id}"),
    ],
)
def test_an_owners_field_said_to_change_is_changed(searcher: Searcher, query: str, expected: str) -> None:
    """ "contoso's phone number changed to ...": an owner's field with a change stated and no verb."""
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize("query", ["push project 12's end date out a month", "push ticket 5 back 2 weeks"])
def test_a_record_pushed_out_by_a_span_of_time_is_changed(searcher: Searcher, query: str) -> None:
    assert top(searcher, query, 1)[0].startswith("PATCH ")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("I need ticket 500's priority raised", "PATCH /service/tickets/{id}"),
        ("po 330 needs the vendor changed", "PATCH /procurement/purchaseorders/{id}"),
        ("I need the tickets closed last week", "GET /service/tickets"),
    ],
)
def test_a_change_wanted_with_its_participle_last_is_a_change(searcher: Searcher, query: str, expected: str) -> None:
    """ "needs the vendor changed": wanting a record's field changed; a participle that describes
    records ("closed last week") still lists them."""
    assert top(searcher, query, 1) == [expected]


def test_a_bare_number_that_owns_a_field_is_the_ticket(searcher: Searcher) -> None:
    assert top(searcher, "i want 4521's board changed to escalations", 1) == ["PATCH /service/tickets/{id}"]


def test_unchecking_a_flag_is_a_change(searcher: Searcher) -> None:
    assert top(searcher, "uncheck billable on time entry 9", 1) == ["PATCH /time/entries/{id}"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tickets past their due date", "GET /service/tickets"),  # a due date is no billing term
        ("projects behind schedule", "GET /project/projects"),  # late, not their schedule entries
        ("who's overloaded right now", "GET /service/tickets"),
        ("what did our customers rate us last month", "GET /service/surveys/{parentId}/results"),
    ],
)
def test_a_leads_words_for_late_busy_and_rated(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Applies a JSON Patch document to the contact record.", "PATCH /company/contacts/{id}"),
        ("Apply a JSON patch to ticket 5", "PATCH /service/tickets/{id}"),
        ("upload a document to ticket 5", "POST /system/documents"),
    ],
)
def test_an_action_word_inside_a_longer_verb_is_no_action(searcher: Searcher, query: str, expected: str) -> None:
    """ "apply a JSON patch" updates: it applies no project template, and its document is no document."""
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("i spent an hour on 4521", "POST /time/entries"),
        ("worked 2 hrs on ticket 88", "POST /time/entries"),
        ("how many hours did we spend on contoso", "GET /time/entries"),
    ],
)
def test_time_spent_on_a_record_is_logged(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


def test_a_plain_verb_after_to_is_a_purpose_not_a_new_value(searcher: Searcher) -> None:
    assert top(searcher, "add a task to 4521 to replace toner", 1) == ["POST /service/tickets/{parentId}/tasks"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("set contoso's default billing contact to jane", "PATCH /company/companies/{id}"),
        ("mike's default board should be help desk", "PATCH /system/members/{id}"),
        (
            "set the default board for agreement 5 to help desk",
            "PATCH /finance/agreements/{parentId}/boardDefaults/{id}",
        ),
    ],
)
def test_default_before_an_owners_field_says_which_field(searcher: Searcher, query: str, expected: str) -> None:
    """ "mike's default board" is the member's serviceDefaultBoard, not an agreement's board defaults."""
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("which deals are stuck", "GET /sales/opportunities"),  # not stock
        ("show me the time entires", "GET /time/entries"),  # a slip is still mended
    ],
)
def test_everyday_words_are_no_slips(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("can we get 4521 moved to the network board", "PATCH /service/tickets/{id}"),
        ("get me the tickets moved to the network board last week", "GET /service/tickets"),
        ("for 4521, the type should be hardware", "PATCH /service/tickets/{id}"),
    ],
)
def test_a_numbered_record_got_changed_or_set_apart_is_changed(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("PO 2290 vendor invoice # is INV-88812", "PATCH /procurement/purchaseorders/{id}"),
        (
            "qty on the M365 E3 addition for agreement 512 is 47 now",
            "PATCH /finance/agreements/{parentId}/additions/{id}",
        ),
        ("what is open on ticket 5 now", "GET /service/tickets/{id}"),
        ("contact 9021 left the company, make them inactive", "PATCH /company/contacts/{id}"),
        ("invoice 10442 due date should be the 30th", "PATCH /finance/invoices/{id}"),
        ("alice needs to be on site at fabrikam on monday, put that on her schedule please", "POST /schedule/entries"),
    ],
)
def test_what_a_record_is_now_or_is_made_is_its_change(searcher: Searcher, query: str, expected: str) -> None:
    """A field's new value told after the record ("... is 47 now"), "make them inactive", and a verb
    that names a resource with a number ("invoice 10442") before a stated change."""
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("project progress conditions", "GET /project/statuses"),
        ("opportunity progress flags", "GET /sales/opportunities/statuses"),
        ("list the monetary units we accept", "GET /finance/currencies"),
    ],
)
def test_paraphrases_for_statuses_and_money(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("make Kelly the territory manager for Fabrikam", "PATCH /company/companies/{id}"),
        ("make a ticket for contoso", "POST /service/tickets"),
    ],
)
def test_a_person_made_the_holder_of_a_records_field_changes_the_record(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("set the status of the Cutover phase on project 12 to done", "PATCH /project/projects/{parentId}/phases/{id}"),
        ("change the status on project 12 to done", "PATCH /project/projects/{id}"),
    ],
)
def test_a_named_child_of_a_numbered_parent_is_the_record_changed(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


def test_a_roster_of_clients_is_the_companies(searcher: Searcher) -> None:
    assert top(searcher, "our full client roster", 1) == ["GET /company/companies"]
    assert top(searcher, "who is on the roster tomorrow", 1) == ["GET /schedule/entries"]


def test_shades_and_palettes_are_colors(searcher: Searcher) -> None:
    assert top(searcher, "what shades are used on the dispatch board", 1) == ["GET /schedule/colors"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("invoice templates", "GET /finance/invoiceTemplates"),
        ("invoice email templates for contoso", "GET /finance/invoiceEmailTemplates"),
        ("invoice contoso for march", "POST /finance/invoices"),
        ("ticket 4521 - change type to hardware", "PATCH /service/tickets/{id}"),  # "to" opens a new value
    ],
)
def test_a_verb_that_opens_a_resources_name_is_that_resource(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("list the office 365 email setups", "GET /system/office365/emailSetups"),
        ("our microsoft 365 mail connector settings", "GET /system/office365/emailSetups"),
        ("authorise the office 365 email setup 2", "POST /system/office365/emailSetups/{id}/authorize"),
        ("ticket 365 notes", "GET /service/tickets/{parentId}/notes"),  # a number after a record is its id
    ],
)
def test_the_number_in_a_products_name_is_no_id(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("the Fabrikam VoIP deal is at Proposal stage now", "PATCH /sales/opportunities/{id}"),
        ("Fabrikam's VoIP deal is in the Proposal stage now", "PATCH /sales/opportunities/{id}"),
        ("the Fabrikam VoIP deal should be at Proposal stage", "PATCH /sales/opportunities/{id}"),
        ("the acme deal is still open?", "GET /sales/opportunities"),  # a question reads
    ],
)
def test_a_named_record_told_its_state_is_changed_not_its_fields_setup(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("the contoso agreement should end on 12/31", "PATCH /finance/agreements/{id}"),
        ("book mike at contoso on 12/14 for the server swap", "POST /schedule/entries"),
    ],
)
def test_a_date_is_no_records_id(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("change Contoso's main phone number to 555-0100", "PATCH /company/companies/{id}"),
        ("contoso's main number is 555-0100 now", "PATCH /company/companies/{id}"),
        ("set mike's primary email to mike@fabrikam.com", "PATCH /system/members/{id}"),
    ],
)
def test_main_or_primary_after_an_owners_possessive_says_which_field(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("set up Blue Yonder Airlines as a new prospect company", "POST /company/companies"),
        ("list our prospect companies", "GET /company/companies"),
        ("company types", "GET /company/companies/types"),  # the attribute's own list, named
    ],
)
def test_a_kind_said_before_a_record_describes_that_record(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Contoso has a new contact, Jane Roe", "POST /company/contacts"),
        ("fabrikam got a new site in Dallas", "POST /company/companies/{parentId}/sites"),
        ("which clients have a new contract this month", "GET /finance/agreements"),  # a question reads
    ],
)
def test_a_name_that_has_a_new_record_adds_it(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ticket 2231 po# is PO-55781", "PATCH /service/tickets/{id}"),
        ("invoice 10442 terms are net 30 now", "PATCH /finance/invoices/{id}"),
        ("ticket 6120 goes on the Projects board, not the help desk", "PATCH /service/tickets/{id}"),
    ],
)
def test_what_a_numbered_records_field_is_names_no_record(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("List the customer's locations.", "GET /company/companies/{parentId}/sites"),
        ("the client's office addresses", "GET /company/companies/{parentId}/sites"),
        ("the customer's tickets", "GET /service/tickets"),
    ],
)
def test_a_clients_possessive_reads_as_the_lexicons_client_phrase(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SLA breaches this week", "GET /service/tickets"),
        ("which tickets breached their sla", "GET /service/tickets"),
        ("our SLA definitions", "GET /service/SLAs"),
    ],
)
def test_sla_breaches_are_tickets_not_the_sla_definitions(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("how much did we spend with dell this year", "GET /procurement/purchaseorders"),
        ("vendor spend this quarter", "GET /procurement/purchaseorders"),
        ("what contoso bought from us", "GET /procurement/products"),
    ],
)
def test_what_we_spend_with_a_vendor_is_purchase_orders(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("the mistakes we corrected after the stock count", "GET /procurement/adjustments"),
        ("ticket count for contoso", "GET /service/tickets/count"),
    ],
)
def test_count_that_ends_a_named_thing_counts_nothing(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


def test_the_http_method_put_named_in_capitals_is_put(searcher: Searcher) -> None:
    assert top(searcher, "PUT schedule entry 5", 1) == ["PUT /schedule/entries/{id}"]
    assert top(searcher, "update schedule entry 5", 1) == ["PATCH /schedule/entries/{id}"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("which companies are on a monthly contract", "GET /finance/agreements"),
        ("which clients have open tickets", "GET /service/tickets"),
    ],
)
def test_owners_picked_by_the_plan_they_are_on_list_the_plans(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Northwind has a new Denver office", "POST /company/companies/{parentId}/sites"),
        ("list the office locations for fabrikam", "GET /company/companies/{parentId}/sites"),
        ("add a new office for our company in Austin", "POST /system/locations"),
        ("office locations", "GET /system/locations"),
    ],
)
def test_a_place_said_of_a_client_by_name_is_its_site(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("what certifications has dana passed", "GET /system/members/{parentId}/certifications"),
        ("what tickets has mike closed", "GET /service/tickets"),
    ],
)
def test_a_name_asked_about_with_has_owns_the_records(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("what can a purchase order be marked as", "GET /procurement/purchaseorderstatuses"),
        ("which options can a project be set to", "GET /project/statuses"),
        ("can a ticket be moved to another board", "GET /service/tickets"),  # a yes/no question
        # the word that asks is the status, never the catalog's states (regions) or sales stages
        ("what states can a PO be in", "GET /procurement/purchaseorderstatuses"),
        ("list the stages a customer order can be in", "GET /sales/orders/statuses"),
        ("what statuses can an appointment have", "GET /schedule/statuses"),
        # an opportunity's stages are the sales stages
        ("which stages can an opportunity have", "GET /sales/stages"),
    ],
)
def test_what_a_record_can_be_is_its_statuses(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("invoices that haven't been paid", "GET /finance/invoices"),
        ("invoices not yet paid", "GET /finance/invoices"),
        ("what has been paid against invoice 1042", "GET /finance/invoices/{parentId}/payments"),
        ("things customers have asked us to fix this week", "GET /service/tickets"),
    ],
)
def test_a_clause_saying_the_records_state_filters_them(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("write up what I did on ticket 4411", "POST /service/tickets/{parentId}/notes"),
        ("jot down what we found on case 812", "POST /service/tickets/{parentId}/notes"),
    ],
)
def test_what_is_made_on_a_numbered_record_is_made_under_it(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("give agreement 7 an extra addition for backup", "POST /finance/agreements/{parentId}/additions"),
        ("give contract 40 a one-time credit for the outage", "POST /finance/agreements/{parentId}/adjustments"),
        ("give ticket 5 a higher priority", "PATCH /service/tickets/{id}"),
    ],
)
def test_a_record_given_a_new_thing_it_holds_gets_it_made_under_it(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("get the contact record for id 19", "GET /company/contacts/{id}"),
        ("the agreement with number 77", "GET /finance/agreements/{id}"),
    ],
)
def test_an_id_linked_to_its_noun_by_for_or_with_is_that_records(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("the work types we track", "GET /time/workTypes"),
        ("the billing terms we offer", "GET /finance/billingTerms"),
    ],
)
def test_a_word_after_we_in_a_clause_is_a_verb_not_a_thing(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("deal outcome options", "GET /sales/opportunities/statuses"),
        ("workflow trigger options", "GET /system/workflows/triggers/options"),
    ],
)
def test_options_of_a_thing_are_its_values_not_option_records(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


def test_sections_of_a_library_are_its_categories(searcher: Searcher) -> None:
    assert top(searcher, "what sections does the knowledge base have", 1) == ["GET /service/knowledgeBaseCategories"]
    assert top(searcher, "articles filed under networking", 1) == ["GET /service/knowledgeBaseArticles"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("finance settings of a company", "GET /finance/companyFinance/"),
        ("the notes of a ticket", "GET /service/tickets/{parentId}/notes"),
    ],
)
def test_an_owner_before_the_heads_first_word_can_name_a_resource(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


def test_child_tickets_are_tickets_not_the_ticket_link_setup(searcher: Searcher) -> None:
    """ServiceTicketLink is a URL shown on tickets (name, url, linkText), no relation between tickets."""
    assert top(searcher, "show the child tickets of 812", 1) == ["GET /service/tickets"]
    assert top(searcher, "make ticket 600 a child of 599", 1) == ["POST /service/tickets/{parentId}/attachChildren"]


def test_recompute_is_recalculate(searcher: Searcher) -> None:
    assert top(searcher, "recompute the commissions on invoice 7700", 1) == [
        "POST /finance/invoices/{parentId}/commissions/recalculate"
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("what's on purchase order 77", "GET /procurement/purchaseorders/{parentId}/lineitems"),
        ("whats on sales order 12", "GET /sales/orders/{parentId}/lineitems/"),
        ("whats on ticket 51877", "GET /service/tickets/{id}"),
    ],
)
def test_what_is_on_an_order_is_its_line_items(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("invoice 1042", "GET /finance/invoices/{id}"),
        ("order 55", "GET /sales/orders/{id}"),
        ("invoice agreement 7", "POST /finance/agreements/{id}/invoice"),
    ],
)
def test_a_verb_naming_a_resource_then_only_a_number_is_that_record(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("put Sarah on project 88's team", "POST /project/projects/{parentId}/teamMembers"),
        ("put Sarah on the team for project 88", "POST /project/projects/{parentId}/teamMembers"),
        ("put the status of ticket 12 to closed", "PATCH /service/tickets/{id}"),
    ],
)
def test_someone_put_on_a_list_a_record_holds_joins_it(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("what's in the helpdesk queue right now", "GET /service/tickets"),
        ("show user rights", "GET /system/securityroles"),
    ],
)
def test_right_now_says_when_and_names_nothing(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("fill out an expense for the hotel", "POST /expense/entries"),
        ("fill in for mike", "POST /system/members/{parentId}/delegations"),
    ],
)
def test_fill_in_and_fill_out_make_a_record(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("how many deals did Ravi win this quarter", "GET /sales/opportunities/count"),
        ("how many deals did Sarah win last month", "GET /sales/opportunities/count"),
    ],
)
def test_what_a_subject_did_to_the_records_describes_no_other_thing(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("opportunity notes on 4410", "GET /sales/opportunities/{parentId}/notes"),
        ("oppurtunity notes on 4410", "GET /sales/opportunities/{parentId}/notes"),
        ("the last note on 4521", "GET /service/tickets/{parentId}/notes"),
    ],
)
def test_a_bare_number_after_an_owners_records_is_the_owners(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("opportunity 4410 expected close moves to the 30th", "PATCH /sales/opportunities/{id}"),
        ("ticket 55 switches to the network board", "PATCH /service/tickets/{id}"),
        ("recent changes to ticket 55", "GET /service/tickets/{id}"),
    ],
)
def test_a_numbered_record_that_moves_to_a_value_is_changed(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("log 1.5 hrs on ticket 7720 for the onsite printer fix", "POST /time/entries"),
        ("log 1 hour on ticket 55 for the email issue", "POST /time/entries"),
        ("add a note to ticket 55 for the customer", "POST /service/tickets/{parentId}/notes"),
    ],
)
def test_what_work_was_for_describes_it_and_is_not_made(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


def test_where_tickets_come_in_from_is_their_sources(searcher: Searcher) -> None:
    assert top(searcher, "where do our tickets come in from", 1) == ["GET /service/sources"]


def test_who_makes_the_hardware_is_the_manufacturers(searcher: Searcher) -> None:
    assert top(searcher, "who makes the hardware we sell", 1) == ["GET /procurement/manufacturers"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a value dropped to is changed; the record is never deleted
        ("drop the priority on ticket 55 to low", "PATCH /service/tickets/{id}"),
        ("drop the price of catalog item 72 to 899", "PATCH /procurement/catalog/{id}"),
        ("the probability on opp 4410 dropped to 30%", "PATCH /sales/opportunities/{id}"),
        ("the close date on opp 4410 slipped to March", "PATCH /sales/opportunities/{id}"),
        # a record dropped is still deleted
        ("drop the addition from agreement 77", "DELETE /finance/agreements/{parentId}/additions/{id}"),
    ],
)
def test_a_value_dropped_to_is_a_change_not_a_delete(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # what a named record should do from now on is a change of it
        (
            "the Stale Tickets Escalation workflow should point at the Service Desk board",
            "PATCH /system/workflows/{id}",
        ),
        ("the 'Open in RMM' ticket link should point to the new RMM URL", "PATCH /service/ticketLinks/{id}"),
        ("the ticket for contoso should have closed", "PATCH /service/tickets/{id}"),
        ("the Proposal sales stage should carry a 60% probability", "PATCH /sales/stages/{id}"),
        # a question about what should happen changes nothing
        ("should I close ticket 55", "GET /service/tickets/{id}"),
        ("Should ticket 55 be closed?", "GET /service/tickets/{id}"),
        ("which tickets should we close", "GET /service/tickets"),
    ],
)
def test_what_a_named_record_should_do_is_a_change_of_it(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a named child's field, said before the numbered parent: the child changes
        (
            "change the Network Admin work role rate on agreement 77 to $150",
            "PATCH /finance/agreements/{parentId}/workroles/{id}",
        ),
        (
            "the Discovery phase budget on project 412 should be 40 hours",
            "PATCH /project/projects/{parentId}/phases/{id}",
        ),
        # the parent's own field still changes the parent
        ("change the rate on agreement 77 to $150", "PATCH /finance/agreements/{id}"),
    ],
)
def test_a_named_childs_field_before_its_numbered_parent_changes_the_child(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    "query",
    [
        "change Jordan Price's department to Professional Services",
        "update Chris Case's mobile number to 555-0101",
    ],
)
def test_a_full_name_ending_in_a_catalog_word_is_a_person_whose_field_changes(searcher: Searcher, query: str) -> None:
    # "Price", "Case" end a person's name: the person changes, never a ticket or the department definitions
    person = ("PATCH /company/contacts/{id}", "PATCH /company/contacts/{parentId}/communications/{id}")
    assert top(searcher, query, 1)[0] in (*person, "PATCH /system/members/{id}")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "Rachel Oduya's mobile comm item should be 330-555-0167",
            "PATCH /company/contacts/{parentId}/communications/{id}",
        ),
        ("list the communication items for contact 12", "GET /company/contacts/{parentId}/communications"),
    ],
)
def test_a_comm_item_is_a_contacts_phone_or_email(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # raised to a value: a change of the record named
        ("raise the hourly rate on the Network Admin work role to $140", "PATCH /time/workRoles/{id}"),
        ("raise the ticket to the network team", "PATCH /service/tickets/{id}"),
        # a ticket raised is still a new one
        ("raise a ticket to the network team about the printer", "POST /service/tickets"),
    ],
)
def test_raising_the_named_record_to_a_value_is_a_change(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a named child on a named parent: the child changes
        (
            "the Closed status on the Help Desk board should be marked closed",
            "PATCH /service/boards/{parentId}/statuses/{id}",
        ),
        (
            "the Go-Live phase on the Fabrikam Rollout project should end on Friday",
            "PATCH /project/projects/{parentId}/phases/{id}",
        ),
    ],
)
def test_a_named_child_on_a_named_parent_is_the_record_changed(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a code in capitals and dashes after the noun is the record's identifier, as a number is
        ("unit of measure on catalog item NET-C6-10 should be Each", "PATCH /procurement/catalog/{id}"),
        ("the manufacturer on config SRV-DC-01 should be Dell", "PATCH /company/configurations/{id}"),
    ],
)
def test_a_code_after_the_noun_names_the_record(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    "query",
    ["who is the territory manager for Pinecrest Veterinary?", "what's the territory for Contoso"],
)
def test_a_field_asked_of_a_name_reads_that_record(searcher: Searcher, query: str) -> None:
    # the company is looked up (by name, or by its id once known), not the field's own resource
    assert top(searcher, query, 1)[0] in ("GET /company/companies", "GET /company/companies/{id}")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("make Ana Lopez the dispatcher on the Network board", "PATCH /service/boards/{id}"),
        ("make Kelly the territory manager for Fabrikam", "PATCH /company/companies/{id}"),
    ],
)
def test_a_person_made_the_holder_of_a_field_changes_the_record(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


def test_an_in_out_board_entry_is_one_record_not_a_service_board(searcher: Searcher) -> None:
    assert top(searcher, "update Maya's in/out board entry, she is back at noon", 1) == [
        "PATCH /system/inOutBoards/{id}"
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("shorten the due date on project 88", "PATCH /project/projects/{id}"),
        ("lengthen the budget on phase 3 of project 88 by 10 hours", "PATCH /project/projects/{parentId}/phases/{id}"),
    ],
)
def test_shortening_or_lengthening_a_value_is_a_change(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # only members have a deactivate action: contact 55 is switched off by its own flag, never member 55
        ("deactivate contact 55", "PATCH /company/contacts/{id}"),
        ("deactivate agreement 77", "PATCH /finance/agreements/{id}"),
        ("deactivate a technician who left", "POST /system/members/{id}/deactivate"),
    ],
)
def test_deactivating_a_record_without_that_action_changes_its_flag(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "wrong_record"),
    [
        ("unbatch invoice 55", "POST /procurement/purchaseorders/{id}/unbatch"),
        ("approve invoice 55", "POST /time/sheets/{id}/approve"),
        ("clone project 88", "POST /service/boards/copy"),
    ],
)
def test_an_act_of_another_kind_of_record_never_comes_first(searcher: Searcher, query: str, wrong_record: str) -> None:
    # its {id} would be the number given for another kind of record: PO 55 unbatched for invoice 55
    assert top(searcher, query, 1) != [wrong_record]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("unbatch PO 55", "POST /procurement/purchaseorders/{id}/unbatch"),
        ("approve expense report 14", "POST /expense/reports/{id}/approve"),
        ("authorise the office 365 email setup 2", "POST /system/office365/emailSetups/{id}/authorize"),
    ],
)
def test_an_act_of_the_numbered_record_still_comes_first(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a field taken away is cleared: the record is changed, never deleted
        ("remove the due date from project 88", "PATCH /project/projects/{id}"),
        ("delete the PO number on invoice 1042", "PATCH /finance/invoices/{id}"),
        ("remove the contact from ticket 55", "PATCH /service/tickets/{id}"),
        ("remove the due date from the Contoso migration project", "PATCH /project/projects/{id}"),
        ("remove the end date from the Fabrikam agreement", "PATCH /finance/agreements/{id}"),
        # records of their own under it are still deleted
        ("delete the note on ticket 55", "DELETE /service/tickets/{parentId}/notes/{id}"),
        ("remove config 7 from ticket 55", "DELETE /service/tickets/{parentId}/configurations/{id}"),
        ("remove the addition from the Fabrikam agreement", "DELETE /finance/agreements/{parentId}/additions/{id}"),
        ("delete ticket 55", "DELETE /service/tickets/{id}"),
    ],
)
def test_a_field_removed_from_a_numbered_record_is_cleared_not_the_record_deleted(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # "item" after the catalog's own name of a record is that record
        ("set the quantity on product item 7701 to 4", "PATCH /procurement/products/{id}"),
        # a board's items are records of their own
        ("board item 5", "GET /service/boards/{parentId}/items/{id}"),
        # so is "entry": "site entry 2" is site 2; a batch's entries are records of their own
        (
            "on agreement 55 site entry 2, change the site to Main Office",
            "PATCH /finance/agreements/{parentId}/sites/{id}",
        ),
        (
            "catalog item 4410 minimum stock entry 2: raise the minimum to 12",
            "PATCH /procurement/catalog/{parentId}/minimumStockByWarehouse/{id}",
        ),
        ("show batch 3 entry 5", "GET /finance/accounting/batches/{parentId}/entries/{id}"),
    ],
)
def test_a_bare_item_after_a_records_name_is_that_record(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # the record named before a field told of changes, never the field's definition for everyone
        ("the acme ticket priority is now high", "PATCH /service/tickets/{id}"),
        ("the contoso project status is now on hold", "PATCH /project/projects/{id}"),
        ("the Fabrikam VoIP deal is at Proposal stage now", "PATCH /sales/opportunities/{id}"),
    ],
)
def test_a_field_told_of_a_described_record_changes_the_record(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # "take X off Y" removes X from Y: the person's place in the list, never the list
        ("take Rita Gomez off the holiday newsletter list", "DELETE /marketing/groups/{parentId}/contacts/{id}"),
        ("take bob off the project team", "DELETE /project/projects/{parentId}/teamMembers/{id}"),
        (
            "take the old Synology off agreement 802's covered devices",
            "DELETE /finance/agreements/{parentId}/configurations/{id}",
        ),
    ],
)
def test_taking_something_off_a_record_removes_it_from_that_record(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


def test_taking_a_record_off_a_state_deletes_nothing(searcher: Searcher) -> None:
    assert not [op for op in top(searcher, "take ticket 55 off hold", 5) if op.startswith("DELETE")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a numbered record taken off a value of its own field is moved, never deleted
        ("take ticket 55 off the escalations board", "PATCH /service/tickets/{id}"),
        ("remove ticket 55 from the queue", "PATCH /service/tickets/{id}"),
        # what the other record holds is unlinked from it
        ("remove config 7 from ticket 55", "DELETE /service/tickets/{parentId}/configurations/{id}"),
        ("delete ticket 55", "DELETE /service/tickets/{id}"),
    ],
)
def test_a_record_taken_off_its_own_fields_value_is_moved_not_deleted(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # hours a new booking spans
        ("book Priya onsite at Meridian Foods Friday 9 to noon", "POST /schedule/entries"),
        ("book mike at contoso tuesday 1 to 3pm", "POST /schedule/entries"),
        # a booking moved from one hour to another changes
        ("move mike's friday appointment from 9 to 11", "PATCH /schedule/entries/{id}"),
    ],
)
def test_hours_a_booking_spans_make_it_never_move_it(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a name in the catalog's or lexicon's words before a record's definition field names the definition
        ("the On Hold project status shouldn't allow time to be entered", "PATCH /project/statuses/{id}"),
        ("the Managed Services agreement type should default to the Gold SLA", "PATCH /finance/agreements/types/{id}"),
        ("make the High ticket priority red", "PATCH /service/priorities/{id}"),
        # a client's name names the record; a value given to the field changes the record
        ("the contoso project status is now on hold", "PATCH /project/projects/{id}"),
        ("set the Network Refresh project status to on hold", "PATCH /project/projects/{id}"),
        ("the acme ticket priority is now high", "PATCH /service/tickets/{id}"),
    ],
)
def test_a_definition_named_in_catalog_words_is_changed_for_everyone(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a record is renamed, never a field: the board's ticket type, not the board nor a ticket
        (
            "rename the ticket type on the Help Desk board to Hardware Failure",
            "PATCH /service/boards/{parentId}/types/{id}",
        ),
        ("rename the status on the Help Desk board to Waiting", "PATCH /service/boards/{parentId}/statuses/{id}"),
        ("rename the fabrikam renewal opportunity to Fabrikam 2027", "PATCH /sales/opportunities/{id}"),
    ],
)
def test_what_is_renamed_is_a_record(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # the values a client may be tagged with name the kinds of client, never the tag links
        ("client vs prospect vs vendor labels", "GET /company/companies/types"),
        ("number of deals lost to competitors", "GET /sales/opportunities/count"),
        # a contact of a kind is a contact, found by its type
        ("billing contacts at Contoso", "GET /company/contacts"),
        ("kinds of contacts", "GET /company/contacts/types"),
    ],
)
def test_values_of_a_clients_kind_name_the_kinds(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("permitted upload extensions", "GET /system/allowedfiletypes/"),
        ("what access profiles can we give staff", "GET /system/securityroles"),
        ("company closure days", "GET /schedule/holidayLists"),
        ("the mailbox hookups that turn incoming email into tickets", "GET /system/emailConnectors"),
    ],
)
def test_everyday_names_of_setup_lists_find_them(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # only a member has a default department: the name is a member's
        ("change Jordan Price's default department to Professional Services", "PATCH /system/members/{id}"),
        # a department alone: a person by full name is a client's contact first
        ("change Jane Doe's department to Finance", "PATCH /company/contacts/{id}"),
    ],
)
def test_a_field_only_one_reading_of_a_name_has_picks_that_reading(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a name the catalog does not know, after the field and "on", owns the field
        ("switch the territory on Kessler & Moore Law to Central Ohio", "PATCH /company/companies/{id}"),
        ("switch the territory on Contoso to Central Ohio", "PATCH /company/companies/{id}"),
        ("set the status on ticket 55 to closed", "PATCH /service/tickets/{id}"),
    ],
)
def test_a_field_on_a_named_client_changes_that_client(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a circumstance after the request says why, not what: the phone call is no activity
        ("Start a stopwatch on ticket 41102 while I'm on the phone with the client.", "POST /time/ticketstopwatches"),
        ("Set Crescent Bakery's company status to Inactive since they cancelled.", "PATCH /company/companies/{id}"),
    ],
)
def test_a_reason_after_the_request_names_nothing_asked_for(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # the stages a record moves through are its statuses; an opportunity's are the sales stages
        ("list the stages a defective part return moves through", "GET /procurement/rmaStatuses"),
        ("Lists the sales pipeline stages opportunities can move through.", "GET /sales/stages"),
        ("the milestones a prospect passes through on the way to a signed deal", "GET /sales/stages"),
        ("the steps a deal moves through", "GET /sales/stages"),
    ],
)
def test_the_stages_a_record_moves_through_are_its_statuses(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("the scorecards for my techs", "GET /system/reportCards"),
        ("scorecard lines for mike", "GET /system/reportCards/{parentId}/details"),
    ],
)
def test_scorecards_are_report_cards_and_their_lines_the_details(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("how much stock do we have of the dell monitor", "GET /procurement/catalog/{parentId}/inventory"),
        ("invoice layouts", "GET /finance/invoiceTemplates"),
    ],
)
def test_stock_is_a_catalog_items_inventory_and_layouts_the_invoice_templates(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a supplier is a vendor, what's on a plate are schedule entries
        ("what have we bought from our suppliers that hasn't arrived?", "GET /procurement/purchaseorders"),
        ("what's on my plate tomorrow", "GET /schedule/entries"),
    ],
)
def test_everyday_words_read_as_their_first_meaning(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("who approved time entry 812 and when", "GET /time/entries/{parentId}/audits"),
        ("approval history of expense report 90", "GET /expense/reports/{parentId}/audits"),
    ],
)
def test_who_approved_a_record_is_read_in_its_audits(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a value corrected ("actually", ", not 10"), a state told of a child, an approximate amount,
        # an amount it is now
        ("agreement 300 actually ends on 6/30/2027", "PATCH /finance/agreements/{id}"),
        ("time entry 77 started at 9, not 10", "PATCH /time/entries/{id}"),
        ("phase 2 on project 88 is done", "PATCH /project/projects/{parentId}/phases/{id}"),
        ("project 91 is about 70 percent done", "PATCH /project/projects/{id}"),
        ("product 55 sells for $90 now", "PATCH /procurement/products/{id}"),
        # questions, and reads with no value corrected, stay reads
        ("is project 88 about 40 percent done?", "GET /project/projects/{id}"),
        ("ticket 55 notes actually", "GET /service/tickets/{parentId}/notes"),
        ("tickets for company 19, not closed", "GET /service/tickets"),
        ("time entries on ticket 55, not billable", "GET /service/tickets/{parentId}/timeentries"),
        ("ticket 4521 now", "GET /service/tickets/{id}"),
        ("open tickets for company 19 now", "GET /service/tickets"),
    ],
)
def test_a_statement_about_a_numbered_record_tells_its_new_value(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("raise the hourly rate on the Tier 2 work role to 140", "PATCH /time/workRoles/{id}"),
        ("raise the cost of the Gold agreement type to 1200", "PATCH /finance/agreements/types/{id}"),
        ("raise a ticket for the printer and add a note to 4521", "POST /service/tickets/{parentId}/notes"),
    ],
)
def test_a_number_a_value_is_raised_to_is_no_ticket(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # only time sheets and expense reports have an approve action: any other record's approval is
        # a change of it, never a new record
        ("approve PO 4410", "PATCH /procurement/purchaseorders/{id}"),
        ("approve sales order 300", "PATCH /sales/orders/{id}"),
        ("approve time sheet 9921", "POST /time/sheets/{id}/approve"),
        ("reject expense report 71", "POST /expense/reports/{id}/reject"),
        ("unapprove time sheet 5", "POST /time/sheets/{id}/reverse"),
    ],
)
def test_approving_a_record_with_no_approve_action_changes_it(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("agreement 77, addition 3: quantity to 25", "PATCH /finance/agreements/{parentId}/additions/{id}"),
        ("project 88, phase 2 - budget hours to 40", "PATCH /project/projects/{parentId}/phases/{id}"),
        ("ticket 55: budget hours to 12", "PATCH /service/tickets/{id}"),
        # records the ticket holds are no field of it
        ("ticket 55: time entries to 2", "GET /service/tickets/{parentId}/timeentries"),
        ("ticket 55, notes to 3", "GET /service/tickets/{parentId}/notes"),
    ],
)
def test_a_field_to_a_value_after_a_numbered_record_is_a_change(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("which work types count towards utilisation", "GET /time/workTypes"),
        ("which ticket statuses count as closed", "GET /service/boards/{parentId}/statuses"),
        ("how many tickets did we open as of today", "GET /service/tickets/count"),
    ],
)
def test_what_counts_as_something_is_listed_not_counted(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a field of a record under the numbered one, named in the same clause, changes that record
        (
            "change Dana Lee's project role on project 77's team to Architect",
            "PATCH /project/projects/{parentId}/teamMembers/{id}",
        ),
        (
            "set the revenue on the licensing forecast item of opportunity 912 to 3000",
            "PATCH /sales/opportunities/{parentId}/forecast/{id}",
        ),
        # the record's own field stays its own; records named in another clause change nothing
        ("set the primary sales rep on opportunity 8 to Dan", "PATCH /sales/opportunities/{id}"),
        ("update the Contoso agreement's end date to June 30, the additions too", "PATCH /finance/agreements/{id}"),
    ],
)
def test_a_field_of_a_child_record_named_beside_its_parent_changes_the_child(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("notify our middleware whenever a company changes", "POST /system/callbacks"),
        ("tell our app whenever an invoice is paid", "POST /system/callbacks"),
        # told to a person, or to a team named after a machine: nothing is set up
        ("email the system admin whenever a ticket closes", "GET /service/tickets"),
        ("send the api team a note whenever ticket 55 changes", "GET /service/tickets/{parentId}/notes"),
    ],
)
def test_a_message_to_a_machine_whenever_something_happens_is_a_new_subscription(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tkt 5512 waiting on parts", "PATCH /service/tickets/{id}"),
        ("project 88 done", "PATCH /project/projects/{id}"),
        ("ticket 4521 closed?", "GET /service/tickets/{id}"),
        ("ticket 55 completed tasks", "GET /service/tickets/{parentId}/tasks"),
        ("tickets for company 19 closed", "GET /service/tickets"),
        ("was ticket 55 resolved", "GET /service/tickets/{id}"),
        ("ticket 4521 closed on friday", "GET /service/tickets/{id}"),
    ],
)
def test_a_state_said_after_a_numbered_record_is_its_new_state(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # the first numbered record holds the second: the contact's group, not the group's contact
        ("contact 2207 group 9", "GET /company/contacts/{parentId}/groups/{id}"),
        ("contact 5512 group 3: remove it", "DELETE /company/contacts/{parentId}/groups/{id}"),
        ("ticket 90 configuration 3", "GET /service/tickets/{parentId}/configurations/{id}"),
    ],
)
def test_a_record_numbered_after_another_is_under_it(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a module's entries are typed by the module's types
        ("types of calendar entries", "GET /schedule/types"),
        ("types of onsite visits we book", "GET /schedule/types"),
        ("kinds of agreements", "GET /finance/agreements/types"),
    ],
)
def test_kinds_of_a_modules_entries_are_the_modules_types(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a numbered record, then a clause making or raising one of its fields: a change, never a new priority
        ("ticket 55: make the priority high", "PATCH /service/tickets/{id}"),
        ("ticket 55: raise the priority to high", "PATCH /service/tickets/{id}"),
        ("agreement 300, make the billing cycle Quarterly", "PATCH /finance/agreements/{id}"),
        (
            "raise the minimum on catalog item 4410 to 12",
            "PATCH /procurement/catalog/{parentId}/minimumStockByWarehouse/{id}",
        ),
        # something new made or raised for the record is still new
        ("ticket 55: make a note that the user called", "POST /service/tickets/{parentId}/notes"),
        ("ticket 55, raise a PO for the parts", "POST /procurement/purchaseorders"),
    ],
)
def test_a_field_made_or_raised_after_a_numbered_record_is_changed(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a verb that names a resource, with its number and then a clause, is the record the clause acts on
        ("invoice 4001: change the status to Sent", "PATCH /finance/invoices/{id}"),
        ("invoice 4002, switch the terms to Net 45", "PATCH /finance/invoices/{id}"),
        ("invoice 4001: what's the balance", "GET /finance/invoices/{id}"),
    ],
)
def test_a_numbered_record_opening_a_clause_is_no_verb(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a field set equal to a value after a numbered record is a change; the value is no record's number
        ("for ticket 4003, summary = VPN down", "PATCH /service/tickets/{id}"),
        ("project 88: manager = Priya", "PATCH /project/projects/{id}"),
        ("for project 4002, budget hours = 120", "PATCH /project/projects/{id}"),
        ("for config 4001, serial number = SN-889", "PATCH /company/configurations/{id}"),
        # a filter reads
        ("ticket 4001 where status = open", "GET /service/tickets/{id}"),
    ],
)
def test_a_field_set_equal_to_a_value_is_a_change(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # right after the record's number, a field "to" a name, a number or an amount is a change
        ("ticket 5121 contact to Dana Lee", "PATCH /service/tickets/{id}"),
        ("sales order 5107 due date to Friday", "PATCH /sales/orders/{id}"),
        ("catalog item 5100 price to $99", "PATCH /procurement/catalog/{id}"),
        # words that name nothing, or a participle, before "to" are no field
        ("project 88 tasks due up to Friday", "GET /project/projects/{id}"),
        ("ticket 55 sent to Dana", "GET /service/tickets/{id}"),
    ],
)
def test_a_field_to_a_named_value_right_after_a_numbered_record_is_a_change(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a record's everyday name ("deal", "config") and then a field of it: that record's field changes
        ("switch the Northwind firewall deal stage to Proposal", "PATCH /sales/opportunities/{id}"),
        ("the Northwind firewall deal needs its status changed to Won", "PATCH /sales/opportunities/{id}"),
        ("can you switch the Fabrikam server config status to Retired", "PATCH /company/configurations/{id}"),
        # the definitions themselves, named or renamed, are still the definitions
        ("rename the deal stage Proposal to Quote", "PATCH /sales/stages/{id}"),
        ("change the probability on the Proposal deal stage to 40%", "PATCH /sales/stages/{id}"),
        ("show me the deal stages", "GET /sales/stages"),
    ],
)
def test_a_field_after_a_records_everyday_name_is_that_records_field(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # "make <record>'s <field> <Value>": the name after the field is its new value, no record to change
        ("make the Northwind firewall deal's stage Proposal", "PATCH /sales/opportunities/{id}"),
        ("make the Fabrikam migration project's type Migration", "PATCH /project/projects/{id}"),
        ("make the Contoso printer ticket's source Phone", "PATCH /service/tickets/{id}"),
        ("make the Help Desk board's default status New", "PATCH /service/boards/{id}"),
        # a record named before a colon is the one whose field is told
        ("the Northwind firewall deal: status should be Won", "PATCH /sales/opportunities/{id}"),
        ("the Fabrikam server config: location should be HQ", "PATCH /company/configurations/{id}"),
    ],
)
def test_a_value_made_or_told_of_a_named_records_field_changes_that_record(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a capitalised name right after the verb, then a field and its new value: the name's record
        ("set Contoso status to Inactive", "PATCH /company/companies/{id}"),
        ("can you switch Contoso market to Healthcare", "PATCH /company/companies/{id}"),
        # a name the catalog knows is that record ("Help Desk" is a board)
        ("set Help Desk status to Closed", "PATCH /service/boards/{parentId}/statuses/{id}"),
    ],
)
def test_a_field_right_after_a_name_is_that_names_field(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # shorthand: the record and its number, a field, and a value no catalog word names
        ("PO 77 vendor Ingram", "PATCH /procurement/purchaseorders/{id}"),
        ("company 19 territory east", "PATCH /company/companies/{id}"),
        ("opp 4410 probability 60%", "PATCH /sales/opportunities/{id}"),
        # the field of the last record numbered: a child's
        ("agreement 300 addition 3 quantity 25", "PATCH /finance/agreements/{parentId}/additions/{id}"),
        ("project 88 phase 2 budget hours 40", "PATCH /project/projects/{parentId}/phases/{id}"),
        ("ticket 5512 task 3 notes", "GET /service/tickets/{parentId}/tasks/{id}"),
        # a record it holds, a record found by name, a time of something read, a verb: reads
        ("company 19 site austin", "GET /company/companies/{parentId}/sites"),
        ("company 19 contact Dana Lee", "GET /company/contacts"),
        ("member 17 schedule Monday", "GET /system/members/{id}"),
        ("ticket 5512 history Friday", "GET /service/tickets/{id}"),
    ],
)
def test_shorthand_field_and_value_after_a_numbered_record_is_a_change(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # companies have no SLA field: not a change of the SLA definition
        ("company 19 sla Gold", "GET"),
        # a field the record has
        ("ticket 5512 sla Gold", "PATCH"),
        ("agreement 300 sla Gold", "PATCH"),
    ],
)
def test_shorthand_reads_a_field_only_of_a_record_that_has_it(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1)[0].split()[0] == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a person's field the numbered record lacks is the field of the person's entry under it
        ("change Dana Lee's role on project 88 to Architect", "PATCH /project/projects/{parentId}/teamMembers/{id}"),
        (
            "change Mike Ross's role on opportunity 4410 to Decision Maker",
            "PATCH /sales/opportunities/{parentId}/contacts/{id}",
        ),
        # a field the record has stays the record's
        ("set Contoso's status on ticket 55 to closed", "PATCH /service/tickets/{id}"),
    ],
)
def test_a_persons_field_on_a_numbered_record_is_their_entrys(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # near the change rules, but reads: another record's number, a period, something sent or measured
        ("ticket 55 time entry 3", "GET /service/tickets/{parentId}/timeentries"),
        ("project 88 ticket 77", "GET /project/tickets/{id}"),
        ("company 19 revenue 2024", "GET /company/companies/{id}"),
        ("ticket 55 email Dana", "GET /service/tickets/{id}"),
        ("ticket 55 message to Dana", "GET /service/tickets/{id}"),
        ("project 88 time Priya", "GET /project/projects/{id}"),
        ("company 19 territory manager", "GET /company/companies/{id}"),
        # filters and the API's own parameters after "="
        ("company 19 tickets status=open", "GET /company/companies/{id}"),
        ("ticket 4001 orderBy=id desc", "GET /service/tickets/{id}"),
        # something made for a numbered record stays new
        ("ticket 55: make the schedule entry for tomorrow", "POST /schedule/entries"),
        ("agreement 300: make the invoice for March", "POST /finance/agreements/{id}/invoice"),
        ("ticket 55: make the follow-up call tomorrow", "POST /sales/activities"),
        # the definitions, by their list or default, and a person's schedule, a list of records, a name and more
        ("update the deal stage list", "PATCH /sales/stages/{id}"),
        ("set the default deal stage to Prospect", "PATCH /sales/stages/{id}"),
        ("set Mike schedule to Friday", "PATCH /schedule/entries/{id}"),
        ("make Mike's time entries Billable", "PATCH /time/entries/{id}"),
        ("make Contoso's site Main Office the default", "PATCH /company/companies/{parentId}/sites/{id}"),
        # and the changes the rules are for
        ("tkt 5512 type hardware", "PATCH /service/tickets/{id}"),
        ("ticket 55: make the due date Friday", "PATCH /service/tickets/{id}"),
    ],
)
def test_requests_near_the_change_rules_keep_their_meaning(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # no verb: a name opens the request, and a client's field is told of it after a colon or "its"
        ("Contoso: status should be Inactive", "PATCH /company/companies/{id}"),
        ("Contoso needs its status changed to Inactive", "PATCH /company/companies/{id}"),
        ("Fabrikam: territory should be East", "PATCH /company/companies/{id}"),
        # a list told of a name is read
        ("Contoso: tickets should be closed", "GET /service/tickets"),
    ],
)
def test_a_field_told_of_a_name_that_opens_the_request_changes_it(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a child named in quotes, in any case, under a numbered parent is the record changed
        ("close the 'backup check' phase on project 88", "PATCH /project/projects/{parentId}/phases/{id}"),
        ("mark the 'call vendor' task on ticket 5512 done", "PATCH /service/tickets/{parentId}/tasks/{id}"),
        # a possessive is no quote
        ("set Contoso's status to Inactive", "PATCH /company/companies/{id}"),
    ],
)
def test_a_quoted_child_under_a_numbered_record_is_changed(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # words in quotes beside a kind of record are its name, whatever they could name alone
        ("the 'Laptops Not Charging' kb article: category Hardware", "PATCH /service/knowledgeBaseArticles/{id}"),
        ("make the 'Dental Clients' marketing group public", "PATCH /marketing/groups/{id}"),
        ("update the 'Printer Setup Steps' standard note with the new driver link", "PATCH /system/standardNotes/{id}"),
        ("which dates are on the 'Canada Staff 2026' holiday list", "GET /schedule/holidayLists/{parentId}/holidays"),
        # a word of the name that says its kind again still names it
        ("set the color of the 'Priority 1 Emergency' ticket priority to red", "PATCH /service/priorities/{id}"),
    ],
)
def test_words_quoted_beside_a_kind_are_a_records_name(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a person's name and one of their fields: that person's record, never a new member or department
        ("make Dana Lee's title CFO", "PATCH /company/contacts/{id}"),
        ("Dana Lee: title should be CFO", "PATCH /company/contacts/{id}"),
        ("can you switch Dana Lee title to CFO", "PATCH /company/contacts/{id}"),
        ("make bob's new ticket", "POST /service/tickets"),
    ],
)
def test_a_persons_field_said_after_their_name_changes_them(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a name's field told with no value, asked, checked or followed by another request is no change
        ("Contoso: status should be what?", "GET /project/statuses"),
        ("Contoso: status should be reviewed", "GET /project/statuses"),
        ("Contoso: status should be Inactive and show me their agreements", "GET /finance/agreements"),
        # a client has no priority or stage of its own: the name rule leaves them alone
        ("Contoso: priority should be High", "GET /service/priorities"),
        # a day is no name
        ("Monday: status should be Closed on all tickets", "GET /service/tickets"),
        # "make sure", and a name's things that are no field of theirs, make no change of the name
        ("make Dana Lee's appointment for Friday", "POST /schedule/entries"),
        ("make Dana Lee's laptop a configuration", "POST /company/configurations"),
    ],
)
def test_a_name_told_of_something_else_is_not_changed(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # how technicians clip record names in chat
        ("agr 300 end 12/31", "PATCH /finance/agreements/{id}"),
        ("agmt 300 status cancelled", "PATCH /finance/agreements/{id}"),
        ("cfg 881 status retired", "PATCH /company/configurations/{id}"),
        ("mbr 17 details", "GET /system/members/{id}"),
        ("inv 10442 due date 7/30", "PATCH /finance/invoices/{id}"),
    ],
)
def test_clipped_record_names_are_the_records(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # words one of the record's own properties is named by, then a value
        ("time entry 9120 billable option: do not bill", "PATCH /time/entries/{id}"),
        ("quota 31 june revenue 80000", "PATCH /sales/quotas/{id}"),
        ("agreement 410 addition 2 cancelled date 3/31", "PATCH /finance/agreements/{parentId}/additions/{id}"),
        ("agreement 410 addition 2 qty 12", "PATCH /finance/agreements/{parentId}/additions/{id}"),
        # no value, a record of its own listed, a question: reads
        ("time entry 9120 billable option", "GET /time/entries/{id}"),
        ("agreement 410 board defaults", "GET /finance/agreements/{parentId}/boardDefaults"),
        ("quota 31 june revenue?", "GET /sales/quotas/{id}"),
    ],
)
def test_shorthand_names_a_field_by_the_records_own_property(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a field word after the record, then a question: a read
        ("purchase order 2290 - status and who approved it", "GET /procurement/purchaseorders/{id}"),
        ("ticket 3315 priority, and when was it opened", "GET /service/tickets/{id}"),
        # a field word and a value: a change
        ("ticket 3315 priority high", "PATCH /service/tickets/{id}"),
    ],
)
def test_a_field_word_followed_by_a_question_reads_the_record(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # records listed after a property's words, a property named in full with no value, a verb: reads
        ("agreement 640 work role exclusions", "GET /finance/agreements/{parentId}/workRoleExclusions"),
        ("company 44 parent company sites", "GET /company/companies/{parentId}/sites"),
        ("member 23 time sheet start date", "GET /system/members/{id}"),
        ("ticket 71 automatic email cc flag", "GET /service/tickets/{id}"),
        ("ticket 71 email contact Dana", "GET /service/tickets/{id}"),
        # the field said in other words than the property's: still the record's change
        ("ticket 71 tech Priya", "PATCH /service/tickets/{id}"),
        ("company 44 industry healthcare", "PATCH /company/companies/{id}"),
        ("project 61 project manager Priya", "PATCH /project/projects/{id}"),
    ],
)
def test_a_records_own_property_opens_shorthand_only_when_named_whole(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # after a colon, the value may open with a preposition, or be a name in capitals of any words
        ("task 7 on project ticket 8812 status: in progress", "PATCH /project/tickets/{parentId}/tasks/{id}"),
        ("phase 3 on project 412 status: on hold", "PATCH /project/projects/{parentId}/phases/{id}"),
        ("invoice 5521 template: Time and Materials Detail", "PATCH /finance/invoices/{id}"),
        ("service board 12 team 4 name: Tier 2 Escalations", "PATCH /service/boards/{parentId}/teams/{id}"),
        # records in the plural after a colon, as written in chat: listed
        ("agreement 640: work role exclusions", "GET /finance/agreements/{parentId}/workRoleExclusions"),
    ],
)
def test_a_fields_value_after_a_colon_is_a_change(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a record the ticket points to, named as its field and valued after a colon: the ticket changes
        ("service ticket 3190 contact: Omar Haddad", "PATCH /service/tickets/{id}"),
        ("tkt 3190 site: Riverside Clinic", "PATCH /service/tickets/{id}"),
        ("project 207 company: Adatum Corp", "PATCH /project/projects/{id}"),
        # without the colon the name finds the record; records the owner holds are still listed
        ("service ticket 3190 contact Omar Haddad", "GET /service/tickets/{id}"),
        ("ticket 3190 configuration: FS02", "GET /service/tickets/{parentId}/configurations"),
    ],
)
def test_a_linked_record_valued_after_a_colon_is_the_owners_field(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    "query",
    [
        # asked of a change already made: the record or its history is read, nothing is written
        "who changed ticket 6120 status to Resolved",
        "when was ticket 6120 moved to the Network board",
        "when did ticket 6120 change to Closed",
        "who deleted ticket 6120",
        "has the 'Backup Failed' kb article been moved to the Storage category?",
        "did ticket 6120 get moved to the Network board",
    ],
)
def test_a_question_about_a_change_made_reads(searcher: Searcher, query: str) -> None:
    assert top(searcher, query, 1)[0].startswith("GET ")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a verb alone after a field's colon is the field's value: a status called New or Open
        ("ticket 6120 status: New", "PATCH /service/tickets/{id}"),
        ("Open Service Tickets Status: New", "GET /service/tickets"),
        ("project tickets status: Open", "GET"),
        # a verb with its object after the colon is the request's
        ("Help Desk board: new ticket for Adatum, scanner offline", "POST /service/tickets"),
    ],
)
def test_a_verb_alone_after_a_fields_colon_is_its_value(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1)[0].startswith(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("when you get a chance, close ticket 6120", "PATCH /service/tickets/{id}"),
        ("have PO 7781 set to ship via UPS Ground", "PATCH /procurement/purchaseorders/{id}"),
        # a past statement, then the request in a later clause
        ("did the reboot, now close ticket 6120", "PATCH /service/tickets/{id}"),
        ("was onsite this morning, close ticket 6120", "PATCH /service/tickets/{id}"),
    ],
)
def test_a_lead_in_or_an_order_keeps_the_change(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # added to a record named by its name, as to one given by its number: under it, no new record
        ("add Labour Day to the 'Canada Staff 2026' holiday list", "POST /schedule/holidayLists/{parentId}/holidays"),
        ("add Labour Day to holiday list 6", "POST /schedule/holidayLists/{parentId}/holidays"),
        # a new record for something named is still new
        ("add a holiday list for the Canada office", "POST /schedule/holidayLists"),
        # what the named record does not hold is not added under it: the client's territory changes
        ("add Adatum to the 'Great Lakes' territory", "PATCH /company/companies/{id}"),
    ],
)
def test_what_is_added_to_a_named_record_goes_under_it(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # many records in one request: the /bulk variant
        ("Creates configuration records in a single call.", "POST /company/configurations/bulk"),
        ("Updates many configurations in one request.", "PUT /company/configurations/bulk"),
        # one record, or a question, whatever "in one call" says: no /bulk
        ("delete config 4410 in one call", "DELETE /company/configurations/{id}"),
        ("Updates a configuration in one request.", "PATCH /company/configurations/{id}"),
        ("were the 30 configs created in one call?", "GET /company/configurations"),
        ("create a config for FS-02 in a single request", "POST /company/configurations"),
        # several numbers, or a count of them, are many
        ("delete configs 4410 and 4411 in one call", "DELETE /company/configurations/bulk"),
        ("add 12 line items to PO 7781 in one go", "POST /procurement/purchaseorders/{parentId}/lineitems/bulk"),
        # a verb before how many it makes is still the verb ("Creates many ..." is no list of creates)
        ("Creates many configuration records.", "POST /company/configurations"),
        ("Creates a configuration.", "POST /company/configurations"),
        # what Manage would fill in for a new record: its /defaults
        ("get the default values for a new time entry", "POST /time/entries/defaults"),
    ],
)
def test_bulk_and_default_variants_are_named_in_everyday_words(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a child named by its name under a parent named by its owner: the child changes
        (
            "the Network Engineer work role on Blue Yonder Airlines' agreement should bill at 180 an hour",
            "PATCH /finance/agreements/{parentId}/workroles/{id}",
        ),
        (
            "the Kickoff phase on Adatum's rollout project should end friday",
            "PATCH /project/projects/{parentId}/phases/{id}",
        ),
        # the owner's own record, with no child named: it changes
        ("change Adatum's agreement billing cycle to monthly", "PATCH /finance/agreements/{id}"),
    ],
)
def test_a_named_child_under_an_owners_record_is_changed(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a numbered record, one of its notes unnumbered, and text after a colon: a new note
        ("tkt 7730 note: spoke to Dana, waiting on a callback", "POST /service/tickets/{parentId}/notes"),
        ("project 412 note: go-live moved to the 14th", "POST /project/projects/{parentId}/notes"),
        # one word, a question, or the notes listed: reads
        ("tkt 7730 note: internal", "GET"),
        ("tkt 7730 note: is it internal?", "GET"),
        ("tkt 7730 note: who reported this", "GET"),
        ("tkt 7730 - note: spoke to Dana", "GET"),
        ("tkt 7730 notes", "GET /service/tickets/{parentId}/notes"),
    ],
)
def test_text_after_a_records_note_and_colon_is_a_new_note(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1)[0].startswith(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a phone field and a phone number after it: the record's change, the number's digits no record's id
        ("contact 4410 phone 720-555-0187", "PATCH /company/contacts/{id}"),
        ("company 233 phone: (720) 555-0187", "PATCH /company/companies/{id}"),
        ("site 2 on company 233 phone 555-0187", "PATCH /company/companies/{parentId}/sites/{id}"),
        # no number, or the number is called: reads
        ("contact 4410 phone", "GET /company/contacts/{id}"),
        ("call contact 4410 at 720-555-0187", "GET /company/contacts/{id}"),
    ],
)
def test_a_phone_number_after_a_phone_field_is_its_new_value(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a client's name, one of its fields and the value after a colon: the client changes
        ("Tailspin Toys territory: Great Lakes", "PATCH /company/companies/{id}"),
        ("Adatum market: Manufacturing", "PATCH /company/companies/{id}"),
        ("Tailspin Toys status: Inactive", "PATCH /company/companies/{id}"),
        # asked, news rather than a value, or records of a kind in capitals, not a name: reads
        ("Tailspin Toys status: active?", "GET"),
        ("Tailspin Toys status: waiting on their signed renewal", "GET"),
        ("Devices Type: Router", "GET"),
    ],
)
def test_a_clients_name_then_its_field_after_a_colon_is_its_change(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1)[0].startswith(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a word saying which kind of record may open the shorthand: still the record's change
        ("project board 7 team 3 location: Austin", "PATCH /project/boards/{parentId}/teams/{id}"),
        ("Contoso ticket 4521 priority high", "PATCH /service/tickets/{id}"),
        ("Blue Yonder Airlines contact 31 title: Office Manager", "PATCH /company/contacts/{id}"),
        # with no value, or records named after the number: reads
        ("closed ticket 4521 board history", "GET /service/tickets/{id}"),
        ("my ticket 4521 notes", "GET /service/tickets/{parentId}/notes"),
        ("Northwind Traders Ticket 4521 Notes", "GET /service/tickets/{parentId}/notes"),
    ],
)
def test_shorthand_may_open_with_a_word_before_the_record(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a field and its value after the parent's number belong to the record placed on it
        ("addition 5 on agreement 610 qty 12", "PATCH /finance/agreements/{parentId}/additions/{id}"),
        # a field with no value: read
        ("note 7 on ticket 5512 text", "GET /service/tickets/{parentId}/notes/{id}"),
    ],
)
def test_a_field_after_the_parents_number_is_the_childs(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a record called by its name, then after a colon one of its fields and a value: its change
        ("Spring Promo campaign: budget 5000", "PATCH /marketing/campaigns/{id}"),
        ("Winter Sale campaign: end date 1/31", "PATCH /marketing/campaigns/{id}"),
        ("the Dell manufacturer: inactive yes", "PATCH /procurement/manufacturers/{id}"),
        ("Acme Corp company: territory West", "PATCH /company/companies/{id}"),
        # its records, or words about a field: reads
        ("the Contoso agreement: additions", "GET /finance/agreements/{parentId}/additions"),
        ("Acme Corp company: sites", "GET /company/companies/{parentId}/sites"),
        ("Spring Promo campaign: budget history", "GET /marketing/campaigns"),
    ],
)
def test_a_named_records_field_after_a_colon_is_its_change(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # the kind first, then the record's name in capitals, one of its fields and a value
        ("SLA Platinum respond hrs 2", "PATCH /service/SLAs/{id}"),
        ("manufacturer Lenovo inactive yes", "PATCH /procurement/manufacturers/{id}"),
        # after an arrow the field may itself name records: the record named is still what changes
        ("charge code Holiday -> work type: Paid Holiday", "PATCH /time/chargeCodes/{id}"),
        ("Network board -> work role: Tier 2 Engineer", "PATCH /service/boards/{id}"),
        # its records, or a field with no value: reads
        ("SLA Gold priorities", "GET /service/SLAs/{parentId}/priorities"),
        ("contact Janet Ruiz phone", "GET /company/contacts"),
    ],
)
def test_a_record_called_by_name_after_its_kind_is_changed(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a record given by its code, then a field and a value: its change
        ("tax code TX-AUS rate 8.25%", "PATCH /finance/taxCodes/{id}"),
        # with words about a field: a read
        ("tax code TX-AUS history", "GET /finance/taxCodes/{id}"),
    ],
)
def test_shorthand_after_a_records_code(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a name's words do not decide which record it is: the kind said does
        ("Holiday Cheer campaign: budget 9000", "PATCH /marketing/campaigns/{id}"),
        ("Remote Assist work type: billable no", "PATCH /time/workTypes/{id}"),
        # words about the field in capitals, a question, a check, a pick, alternatives, a comparison: reads
        ("ticket 3390 priority: Audit Trail", "GET /service/tickets/{id}"),
        ("Was ticket 3390 resolved", "GET /service/tickets/{id}"),
        ("Confirm PO 812 vendor Ingram", "GET /procurement/purchaseorders/{id}"),
        ("Latest campaign: budget 7500", "GET /marketing/campaigns"),
        ("Fabrikam company: territory North or South", "GET /company/companies"),
        ("Summer Push campaign: budget under 3000", "GET /marketing/campaigns"),
    ],
)
def test_a_name_in_capitals_is_told_a_value_only_when_it_names_the_record(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # shorthand with a question mark asks, and after a checking word checks: reads
        ("ticket 6120 status: Waiting?", "GET /service/tickets/{id}"),
        ("Audit ticket 6120 priority high", "GET /service/tickets/{id}"),
        ("Has ticket 6120 priority changed", "GET /service/tickets/{id}"),
        ("Does ticket 6120 status closed", "GET /service/tickets/{id}"),
        # values the words drop (decimals, thousands, addresses, ISO dates) are values all the same
        ("expense 712 amount: 61.25", "PATCH /expense/entries/{id}"),
        ("campaign 22 budget 7,500", "PATCH /marketing/campaigns/{id}"),
        ("configuration 3302 ip address 10.1.2.3", "PATCH /company/configurations/{id}"),
        # a verb opening one of the record's fields, with a value: the field changes, nothing starts
        ("campaign 22 start date 2026-03-01", "PATCH /marketing/campaigns/{id}"),
        # a verb alone after the number is still the act
        ("ticket 6120 close", "PATCH /service/tickets/{id}"),
    ],
)
def test_shorthand_asks_checks_and_takes_any_value(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # records listed before a numbered parent, then a field and a value: a filter, never the parent's change
        ("tickets on board 12 priority urgent", "GET /service/tickets"),
        ("tickets for company 44: status waiting", "GET /service/tickets"),
        # the numbered record itself, then its field and value: its change
        ("for ticket 51 priority urgent", "PATCH /service/tickets/{id}"),
    ],
)
def test_records_listed_under_a_numbered_parent_are_filtered_not_changed(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a title after the colon, no field of the record: the record is read
        ("Invoice 7710: April Support Hours", "GET /finance/invoices/{id}"),
        # one of its fields in capitals, or in plain words: its change
        ("ticket 4521: Priority High", "PATCH /service/tickets/{id}"),
        ("invoice 7710: due date 5/1", "PATCH /finance/invoices/{id}"),
    ],
)
def test_a_title_after_a_records_number_is_no_change(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a lead-in clause of its own, or a polite question: still the change
        ("Review done, ticket 6120 status: Resolved", "PATCH /service/tickets/{id}"),
        ("First, ticket 6120 status: In Progress", "PATCH /service/tickets/{id}"),
        ("ticket 6120 priority: High please?", "PATCH /service/tickets/{id}"),
        ("Fabrikam Hotels ticket 6120 status: Resolved", "PATCH /service/tickets/{id}"),
        # values to choose between: a read
        ("opp 3301 stage Won or Lost", "GET /sales/opportunities/{id}"),
        ("ticket 6120 status: Closed, Resolved", "GET /service/tickets/{id}"),
        ("ticket 6120 status: In Progress, then notify Dana", "PATCH /service/tickets/{id}"),
    ],
)
def test_a_lead_in_or_please_keeps_a_change_and_alternatives_read(
    searcher: Searcher, query: str, expected: str
) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # an amount with thousands and cents is one amount, never a record's number
        ("record payment 2,480.00 on invoice 8812", "POST /finance/invoices/{parentId}/payments"),
        ("find invoices total: 2,480.00", "GET /finance/invoices"),
    ],
)
def test_an_amount_with_thousands_and_cents_is_no_record_number(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a numbered record, then a verb that makes something: what it makes, on that record
        ("ticket 3308 log 2 hours", "POST /time/entries"),
        ("ticket 3308 add note: left voicemail", "POST /service/tickets/{parentId}/notes"),
        ("project 88 add phase Design", "POST /project/projects/{parentId}/phases"),
    ],
)
def test_what_a_verb_after_a_record_makes_is_made_on_it(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # the verb right after the record's number is the request's; after its colon comes what it writes
        ("ticket 6120 new note: Replace the fuser next visit", "POST /service/tickets/{parentId}/notes"),
        ("ticket 6120 add note: Remove old printer driver first", "POST /service/tickets/{parentId}/notes"),
        ("ticket 6120 close: customer confirmed the fix", "PATCH /service/tickets/{id}"),
        # a record and its number, then a clause with the verb: that verb
        ("invoice 4001: change the status to Sent", "PATCH /finance/invoices/{id}"),
    ],
)
def test_words_after_a_verbs_colon_are_what_it_writes(searcher: Searcher, query: str, expected: str) -> None:
    assert top(searcher, query, 1) == [expected]
