"""Which named thing the request is about, which are its parents, and which are only details.

"notes on ticket 4521" -> head "notes", parent "ticket"; "a ticket about the printer" -> head "ticket".
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from .analysis import (
    CHANGE_MARKERS,
    GENERIC_HEADS,
    ID_WORDS,
    LITERAL,
    NEW_RECORD_WORDS,
    PARENT_PREPOSITIONS,
    PARTICLES,
    PREAMBLE,
    RANKING_WORDS,
    STATE_VERBS,
    SUBJECT_MATTER,
    Analysis,
    Concept,
    Token,
    Vocabulary,
    possessive,
)
from .concepts import head_of, parents_of, participle, read_concepts
from .lexicon import SKIPPABLE, Lexicon
from .records import find_ids

GENERIC_NOUNS = frozenset("account accounts record records profile profiles".split())
COUNT_WORD = frozenset(("count",))
PLACE_PREPOSITIONS = frozenset(("at",))  # "configs at the hq site": where the records are
# "add mike to group 4", "remove mike from group 4", "take bob off the team": where a person joins or leaves
JOIN_PREPOSITIONS = {"create": frozenset(("to", "onto", "into")), "delete": frozenset(("from", "off"))}
JOIN_VERBS = frozenset("add remove delete del drop take kick".split())
# ... as the record's member or contact: group contacts, team members, project team members
JOINED_PERSON: tuple[tuple[tuple[str, ...], float], ...] = ((("member",), 0.9), (("contact",), 0.9))
CONTENT_FOR = frozenset(("for", "at"))  # "a ticket for contoso printer down": the name, then the content
# "get a single company by its numeric ID": one record is wanted, though no id is given.
ONE_RECORD_WORDS = frozenset("single specific particular individual one".split())
# "Returns the specified member", "Gets the requested invoice": documentation's way of naming one
# record whose id the caller passes; only before a singular noun ("the specified members" may be many).
DESIGNATED_WORDS = frozenset("specified given provided supplied requested designated indicated selected".split())
ID_INTRODUCERS = frozenset("by its their numeric given unique internal with specified provided supplied login".split())
CONTENTS_OPENERS = frozenset("what whats anything anythings".split())  # "whats on the help desk board"
BOARD, TICKET = ("board",), ("ticket",)
TICKET_STATES = frozenset("open new closed overdue urgent pending waiting unassigned late stuck".split())
APPROVAL_WORDS = frozenset("approval approvals approve signoff unapproved".split())
# What is approved, for time or expenses named loosely ("hours", "expense claims")
APPROVAL_BATCHES = (
    (frozenset({("hour",), ("time",)}), ("time", "sheet")),
    (frozenset({("expense",), ("expense", "claim")}), ("expense", "report")),
)
REPORT_WORDS = frozenset("report summary overview breakdown rundown rollup recap".split())
# "the dollar value of open deals", "total of invoices this month": a sum over records, read from them
MEASURE_WORDS = frozenset("value total sum worth amount".split())
VALUE_OPENERS = frozenset("our my their his her new".split())  # "to our new sales rep Dan"
# Companies, members and contacts own the records that name them: "customers with open tickets".
OWNER_RECORDS = frozenset((("company",), ("member",), ("contact",)))
HAVING = (("with",), ("having",), ("that", "have"), ("who", "have"), ("which", "have"))
# "which customers are on a monthly retainer": owners picked by the one plan each is on
ON_A_PLAN = (("are", "on", "a"), ("are", "on", "an"), ("who", "are", "on", "a"), ("that", "are", "on", "a"))


def _reported(head: Concept | None, concepts: list[Concept], tokens: list[Token], lexicon: Lexicon) -> Concept | None:
    """ "a weekly report of tickets opened", "summary of invoices sent": the report is made of records,
    and those records are what is asked for. (A report's own parts, "columns of a report", are not.)"""
    if head is None or head.end - head.start != 1:
        return None
    word = tokens[head.start].word
    if word not in REPORT_WORDS | MEASURE_WORDS or head.end >= len(tokens) or tokens[head.end].word not in ("of", "on"):
        return None
    following = [c for c in concepts if c.start > head.end]
    measured = head_of(following, tokens, lexicon) if following and following[0].start <= head.end + 2 else None
    if measured is not None and word in MEASURE_WORDS and not tokens[measured.end - 1].plural:
        return None  # "the values of question 5" are the question's own
    return measured


def _owners_with(
    head: Concept | None, concepts: list[Concept], tokens: list[Token], lexicon: Lexicon
) -> Concept | None:
    """ "customers with unpaid invoices", "techs who have overdue tickets": owners picked by records
    of theirs. Each of those records names its company or member, so the records are listed; the
    owners' own list cannot be filtered by them. (A field, "companies with type customer", is no
    plural record and leaves the owners the head.)"""
    if head is None or not any(words in OWNER_RECORDS for words, conf in head.alternatives if conf >= 0.9):
        return None
    words = tuple(t.word for t in tokens)
    having = next((h for h in HAVING + ON_A_PLAN if words[head.end : head.end + len(h)] == h), None)
    if having is None:
        return None
    start = head.end + len(having)
    following = [c for c in concepts if c.start >= start and not c.value]
    if not following or following[0].start > start + 1:
        return None
    owned = head_of(following, tokens, lexicon)
    one_each = having in ON_A_PLAN  # each is on one plan; the plans are listed
    if owned is None or not (one_each or tokens[owned.end - 1].plural) or _owner_alone(owned):
        return None
    return owned


def _owner_alone(concept: Concept) -> bool:
    """ "clients with contacts": one owner kind with another is still a list of owners."""
    return all(words in OWNER_RECORDS for words, conf in concept.alternatives if conf >= 0.9)


def _counted(concepts: list[Concept], tokens: list[Token], lexicon: Lexicon) -> Concept | None:
    """The thing counted after "the most" (or "the fewest"), when the request ranks records by it."""
    for i, token in enumerate(tokens[:-1]):
        if token.word in RANKING_WORDS and i > 0 and tokens[i - 1].word == "the":
            # an adjective may stand between: "the most open tickets"
            after = [c for c in concepts if i <= c.start <= i + 2 and not c.value]
            if after:
                return head_of(after, tokens, lexicon)
    return None


def read_things(
    analysis: Analysis,
    lexicon: Lexicon,
    known: dict[str, int],
    vocabulary: Vocabulary,
    expand: bool,
    imply: bool = True,
) -> None:
    """The concepts a request names, the ids given for them, its head noun and its parents."""
    tokens = analysis.tokens
    words = [t.word for t in tokens]
    concepts = read_concepts(
        tokens,
        words,
        lexicon,
        known,
        expand,
        analysis.intent == "update",
        vocabulary.action_words(),
        vocabulary.resource_names(),
    )
    # "Search companies by name": a verb that only reads names no endpoint, though tickets have a /search
    actions = vocabulary.action_words() if analysis.intent != "read" else frozenset()
    analysis.concepts = _without_verb(concepts, tokens, lexicon, analysis.verb, actions)
    quoted = _quoted_names(analysis.concepts, tokens)
    for concept in analysis.concepts:
        concept.detail = id(concept) in quoted or all(t.detail for t in tokens[concept.start : concept.end])
        concept.aside = all(t.aside for t in tokens[concept.start : concept.end])
        concept.parenthesised = all(t.parenthesised for t in tokens[concept.start : concept.end])
    implied = find_ids(analysis, lexicon, known, vocabulary, imply and expand)
    bulk_only_for_many(analysis)
    if analysis.intent == "update":
        _mark_new_values(analysis.concepts, tokens, lexicon.stop)
        _mark_values_made(analysis)
        _mark_change_verb(analysis)
    if implied is not None:
        implied.value = implied.detail = False  # the record changed, never its new value
    if analysis.intent in ("create", "update"):
        # "reassign the ticket about outlook to alice": what a record is about names no resource
        _mark_subject_matter(analysis.concepts, tokens, analysis.verb)
    if analysis.intent == "create":
        _mark_new_record_content(analysis, lexicon.stop, vocabulary.holds)
    _mark_generic_nouns(analysis.concepts)
    _mark_names_of_kind(analysis.concepts, tokens)
    analysis.head = _find_head(analysis, lexicon)
    _mark_clause_verbs(analysis)
    _approved_in_batches(analysis)
    _board_contents(analysis)
    _order_contents(analysis, vocabulary.holds)
    analysis.parents = [c for c in parents_of(analysis.concepts, tokens, analysis.head) if not c.value]
    _made_on_record(analysis)
    _listed_after_number(analysis, vocabulary)
    _owner_compound(analysis, vocabulary.resource_names())
    _mark_participle_filters(analysis, lexicon.all_words(), known)
    _mark_places(analysis)
    _person_joined(analysis, lexicon.stop, vocabulary.holds)


def _made_on_record(analysis: Analysis) -> None:
    """ "ticket 4521 log 2 hours", "ticket 4521 add note": a numbered record, then a verb that makes
    something: what the verb makes is asked for, on that record (as in "log 2 hours on ticket 4521")."""
    head, verb, tokens = analysis.head, analysis.verb, analysis.tokens
    if analysis.intent != "create" or head is None or verb is None or head.end > verb[0]:
        return
    if all(head is not record for _, record in analysis.ids):
        return
    start = verb[1] + 1 if verb[1] < len(tokens) and tokens[verb[1]].is_number else verb[1]
    made = next((c for c in analysis.concepts if c.start == start and not c.value and not c.aside), None)
    if made is not None:
        analysis.head, analysis.parents = made, [head, *analysis.parents]


def _listed_after_number(analysis: Analysis, vocabulary: Vocabulary) -> None:
    """ "agreement 512 tickets", "member 17 time entries": records named in the plural right after a
    numbered record, ending the request, are that record's list, as in "tickets for agreement 512"."""
    head, tokens = analysis.head, analysis.tokens
    if head is None or analysis.intent not in (None, "read") or len(analysis.ids) != 1:
        return
    number, record = analysis.ids[0]
    if record is not head or head.end >= len(tokens) or tokens[head.end].word != number:
        return
    listed = next((c for c in analysis.concepts if c.start == head.end + 1), None)
    if listed is None or listed.end != len(tokens):
        return
    if not tokens[listed.end - 1].plural or listed.value or listed.aside:
        return
    words = listed.alternatives[0][0]
    if words not in vocabulary.resource_names() and not (len(words) == 1 and vocabulary.names(words[0])):
        return
    # Only records that belong to it: under it in a path (a board's types), or pointing back at it by
    # a field (an invoice's agreement). "company 19 currencies" asks for the company's currency, not
    # the currency list.
    owners = [owner for owner, _ in record.alternatives]
    # (the records as named, or a longer name of them: expenses -> expense entries; not a synonym)
    kinds = [kind for kind, _ in listed.alternatives if set(words) <= set(kind)]
    if any(_belongs(kind, owner, vocabulary) for owner in owners for kind in kinds):
        listed.detail = False
        analysis.head, analysis.parents = listed, [record, *analysis.parents]
        analysis.listed_after_number = True


def _belongs(records: tuple[str, ...], owner: tuple[str, ...], vocabulary: Vocabulary) -> bool:
    """Are ``records`` one ``owner``'s: listed under it, or naming it in a field?"""
    return vocabulary.lists_under(owner, records) or vocabulary.points_to(records, owner)


def _owner_compound(analysis: Analysis, names: frozenset[tuple[str, ...]]) -> None:
    """ "the finance settings of a company": the owner's name before the head's first word names a
    resource of its own (company finance), which is what is asked for."""
    head, tokens = analysis.head, analysis.tokens
    if head is None:
        return
    for parent in analysis.parents:
        between = [t.word for t in tokens[head.end : parent.start]]
        if parent.start < head.end or not between or between[0] not in ("of", "for") or len(between) > 2:
            continue
        found = [
            owner + words[:k]
            for owner, conf in parent.alternatives
            if conf >= 0.9
            for words, literal in head.alternatives
            if literal >= LITERAL  # the head's words as written, not what the lexicon reads them as
            for k in range(1, len(words) + 1)
            if owner + words[:k] in names
        ]
        if found:
            head.alternatives = [(found[0], 1.0), *head.alternatives]
            return


def _approved_in_batches(analysis: Analysis) -> None:
    """ "hours that need my sign-off", "expenses waiting for approval": time is approved a time sheet
    at a time and expenses an expense report at a time, so those are what wait for approval. (Time
    entries named as such stay time entries: they have an approval status of their own.)"""
    head = analysis.head
    if head is None or analysis.intent not in (None, "read", "count"):
        return
    approval = [c for c in analysis.concepts if set(c.tokens()) & APPROVAL_WORDS and c is not head]
    if not approval and not any(t.word in APPROVAL_WORDS for t in analysis.tokens):
        return
    best = max(conf for _, conf in head.alternatives)
    named = {words for words, conf in head.alternatives if conf >= best}
    batch = next((b for loose, b in APPROVAL_BATCHES if named and named <= loose), None)
    if batch is None:
        return
    head.alternatives = [(batch, 1.0), *((words, min(conf, 0.8)) for words, conf in head.alternatives)]
    for concept in approval:
        concept.detail = True  # the sign-off asked for, not the service sign-off records


def _board_contents(analysis: Analysis) -> None:
    """ "whats open on the help desk board", "anything new in the network queue": what is on a board
    is its tickets (each names its board); the board's own record is not asked for."""
    tokens, head = analysis.tokens, analysis.head
    if head is None or analysis.intent not in (None, "read") or not tokens:
        return
    if tokens[0].raw.lower().replace("'", "") not in CONTENTS_OPENERS:
        return
    boards = [c for c in analysis.concepts if any(words == BOARD and conf >= 0.9 for words, conf in c.alternatives)]
    states = head.end - head.start == 1 and tokens[head.start].word in TICKET_STATES
    if not boards or (head not in boards and not states):
        return  # ("what statuses are on the helpdesk board" asks for statuses)
    before = [t.word for t in tokens[max(0, boards[0].start - 3) : boards[0].start]]
    if not set(before) & {"on", "in"}:
        return
    for board in boards:
        board.detail = True  # the board the tickets are on: matched by their board field
    tickets = Concept(tokens[0].raw, [(TICKET, 1.0)], 0, 1, "implied")
    analysis.concepts = sorted(
        [*(c for c in analysis.concepts if c is not head or head in boards), tickets], key=lambda c: c.start
    )
    analysis.head = tickets


LINE_ITEM = ("line", "item")


def _order_contents(analysis: Analysis, holds: Callable[[tuple[str, ...], tuple[str, ...]], bool]) -> None:
    """ "what's on supplier order 3310", "whats on sales order 332": what is on an order is its line
    items. ("whats on ticket 51877" reads the ticket: tickets hold no line items.)"""
    tokens, head = analysis.tokens, analysis.head
    if head is None or analysis.intent not in (None, "read") or len(tokens) < 3:
        return
    if tokens[0].raw.lower().replace("'", "") not in CONTENTS_OPENERS:
        return
    numbered = {id(c) for _, c in analysis.ids}
    if id(head) not in numbered or not {"on", "in"} & {t.word for t in tokens[max(0, head.start - 2) : head.start]}:
        return
    if not any(holds(words, LINE_ITEM) for words, conf in head.alternatives if conf >= 0.9):
        return
    items = Concept(tokens[0].raw, [(LINE_ITEM, 1.0)], 0, 1, "implied")
    analysis.concepts = sorted([*analysis.concepts, items], key=lambda c: c.start)
    analysis.head = items


OPTION_WORDS = frozenset(("option", "choice"))
# the records that have options of their own (workflow triggers, survey questions)
OPTION_HOLDERS = frozenset(("trigger", "question", "survey", "workflow"))


def _without_option_word(subjects: list[Concept], concepts: list[Concept]) -> list[Concept]:
    """ "deal outcome options", "the whereabouts options": "options" asks for the values a thing can
    take, the thing's own list; it names no option records unless their holders are named."""
    options = [c for c in subjects if c.tokens() <= OPTION_WORDS]
    if not options or len(options) == len(subjects) or any(c.tokens() & OPTION_HOLDERS for c in concepts):
        return subjects
    for concept in options:
        concept.detail = True
    return [c for c in subjects if c not in options]


def _find_head(analysis: Analysis, lexicon: Lexicon) -> Concept | None:
    """The head noun among the things the request is about (not details, asides or new values)."""
    tokens = analysis.tokens
    subjects = [c for c in analysis.concepts if not (c.detail or c.aside or c.parenthesised)]
    # "contoso called about a printer, log a ticket for them": a verb in a later clause says
    # what it acts on after it; the clause before gives the reason.
    later = analysis.verb is not None and tokens[analysis.verb[0]].clause_start and analysis.verb[0] > 0
    if later and analysis.intent == "create":
        subjects = [c for c in subjects if c.start >= analysis.verb[1]] or subjects
    if analysis.count:
        # "count of companies", "ticket count for contoso": the word asks for the count; the thing counted is the head
        subjects = [c for c in subjects if c.tokens() != COUNT_WORD] or subjects
    subjects = _without_option_word(subjects, analysis.concepts)
    head = head_of(subjects or analysis.concepts, tokens, lexicon)
    if analysis.intent in (None, "read") and not analysis.count:
        owned = _owners_with(head, analysis.concepts, tokens, lexicon)
        if owned is not None:
            owned.detail = False
        head = _counted(subjects, tokens, lexicon) or _reported(head, subjects, tokens, lexicon) or owned or head
    if head is not None:
        # "open a new ticket for Contoso: printer on 3rd floor jammed": after the sentence that
        # names what is made or changed comes its content, not another thing to make. And in a
        # description, "Removes a configuration. Tickets that reference it keep their history.":
        # the sentence with the verb and its object names the operation; the next ones explain it.
        changes = analysis.intent in ("create", "update")
        start = explanation_start(analysis, head, changes)
        for concept in analysis.concepts:
            if concept.start >= start:
                concept.detail = True
    return head


def explanation_start(analysis: Analysis, head: Concept | None = None, colon: bool = False) -> int:
    """Where the sentences after the one naming the operation (its verb and head) begin, or the
    request's end. ``colon``: a colon ends the sentence too ("a new ticket: printer jammed")."""
    tokens = analysis.tokens
    head = head or analysis.head
    if head is None:
        return len(tokens)
    operative = max(head.end, analysis.verb[1] if analysis.verb else 0)
    return next(
        (i for i in range(operative, len(tokens)) if tokens[i].full_stop or (colon and tokens[i].sentence_start)),
        len(tokens),
    )


SUBJECT_PRONOUNS = frozenset("we i they you he she".split())


def _mark_clause_verbs(analysis: Analysis) -> None:
    """ "the tax rates we charge", "the template we use": after the head, a word right after "we"
    is what we do with the records, a verb, not a thing of its own (charge codes, uses)."""
    head, tokens = analysis.head, analysis.tokens
    if head is None:
        return
    for concept in analysis.concepts:
        if concept.start <= head.start or concept.source != "word" or concept.end - concept.start != 1:
            continue
        before = tokens[concept.start - 1]
        if before.word in SUBJECT_PRONOUNS and not before.clause_start:
            concept.detail = True


def _mark_generic_nouns(concepts: list[Concept]) -> None:
    """ "a member account", "the contact record": after a resource named literally, a generic noun
    says nothing more (and "account" must not turn a member into a company)."""
    for previous, concept in itertools.pairwise(concepts):
        literal = previous.source == "word" or any(conf >= 1.0 for _, conf in previous.alternatives)
        if literal and previous.end == concept.start and concept.text.lower() in GENERIC_NOUNS:
            concept.detail = True


def _mark_names_of_kind(concepts: list[Concept], tokens: list[Token]) -> None:
    """ "the help desk board": a phrase the lexicon reads as the very kind named right after it
    is that record's name, not a second mention of the kind ("a project's phases. Phases contain
    ...": the next sentence's first word names nothing before it)."""
    for previous, concept in itertools.pairwise(concepts):
        if previous.end != concept.start or previous.source != "lexicon" or tokens[concept.start].sentence_start:
            continue
        kinds = {phrase for phrase, conf in concept.alternatives if conf >= 1.0}
        readings = {phrase for phrase, _ in previous.alternatives}
        if kinds and readings and readings <= kinds:
            previous.detail = True


def _mark_subject_matter(concepts: list[Concept], tokens: list[Token], verb: tuple[int, int] | None = None) -> None:
    """ "raise a ticket for Contoso about the broken printer": what a new record is about is its
    content, not a record to attach it to. A verb after it starts the request proper:
    "contoso called about a broken printer, log a ticket for them"."""
    opened = next((t.index for t in tokens if t.word in SUBJECT_MATTER), None)
    if opened is None:
        return
    ends = verb[0] if verb is not None and verb[0] > opened else len(tokens)
    for concept in concepts:
        if opened < concept.start < ends and not any(t.sentence_start for t in tokens[opened + 1 : concept.start + 1]):
            concept.detail = True


def _mark_new_record_content(
    analysis: Analysis, stop: frozenset[str], holds: Callable[[tuple[str, ...], tuple[str, ...]], bool] | None = None
) -> None:
    """ "create a ticket for contoso printer down", "add a site for tailspin downtown office": after a
    new record and the name it is for, the words are its summary or name, not records to attach it to.

    Only for a record made anew ("a", "new" before it) and a name the catalog does not know right
    after "for"/"at"; "add a note to the contoso project" and "... to ticket 55" name real parents.
    """
    if analysis.verb is None:
        return
    tokens, concepts = analysis.tokens, analysis.concepts
    following = [c for c in concepts if c.start >= analysis.verb[1]]
    # "open a new ticket": the verb's own span may hold the article
    if not following or not any(t.word in NEW_RECORD_WORDS for t in tokens[analysis.verb[0] : following[0].start]):
        return
    covered = {p for c in concepts for p in range(c.start, c.end)}
    numbered = {id(c) for _, c in analysis.ids}
    for i in range(following[0].end, len(tokens) - 1):
        if tokens[i].word not in CONTENT_FOR or tokens[i].sentence_start:
            continue
        end = i + 1
        while end < len(tokens) and end not in covered and _for_name(tokens[end], stop):
            end += 1
        content = [c for c in concepts if c.start >= end and not tokens[c.start].sentence_start]
        if end > i + 1 and content and content[0].start == end and not any(id(c) in numbered for c in content):
            for concept in content:
                concept.value = concept.detail = True
        elif tokens[i].word == "for" and holds is not None:
            # "an expense for the hotel", "a ticket for the contoso printer": what the new record is
            # for is its kind or subject, unless records of its kind are added under it ("a note for
            # the fabrikam project")
            head = following[0]
            run = [c for c in content if id(c) not in numbered and c.start > i]
            run = run[:1] + [c for previous, c in itertools.pairwise(run) if c.start == previous.end]
            if run and not any(held_by(c, head, holds) for c in run):
                for concept in run:
                    concept.value = concept.detail = True
        return


def held_by(container: Concept, record: Concept, holds: Callable[[tuple[str, ...], tuple[str, ...]], bool]) -> bool:
    """Are records of ``record``'s kind added under ``container``'s?"""
    return any(holds(parent, child) for parent, _ in container.alternatives for child, _ in record.alternatives)


def _for_name(token: Token, stop: frozenset[str]) -> bool:
    """A word of the name a new record is for ("contoso", "blue yonder"): no number, no small word."""
    return token.raw.isalpha() and token.word not in stop and token.word not in PARENT_PREPOSITIONS


def _mark_new_values(concepts: list[Concept], tokens: list[Token], stop: frozenset[str] = frozenset()) -> None:
    """In a change, what comes after "to"/"as"/"into" is the new value, not another thing to change.

    "change the work role of time entry 77 to Senior Engineer": Senior Engineer is a work role
    the entry gets, so it is matched as a detail (by the entry's fields), never as the target.
    """
    covered = {p for c in concepts for p in range(c.start, c.end)}
    for previous, concept in itertools.pairwise(concepts):
        before = concept.start - 1
        # "to Contoso Group": a name may open the value
        while before >= previous.end and (
            tokens[before].word in SKIPPABLE
            or tokens[before].word in VALUE_OPENERS
            or tokens[before].proper
            or tokens[before].is_number  # "to Fabrikam 2027 renewal"
            or _unknown_name(
                tokens[before], before in covered or tokens[before].word in stop
            )  # "to the professional services board"
        ):
            before -= 1
        after_marker = before >= 0 and tokens[before].word in CHANGE_MARKERS
        # "to Fixed Fee": the value may be read as several concepts side by side
        if after_marker or (previous.value and previous.end == concept.start):
            concept.value = concept.detail = True


def _mark_values_made(analysis: Analysis) -> None:
    """ "make the Contoso printer ticket's type Hardware": after make/put, an owner's field and then a
    name, the name is the field's new value (no "to" says so)."""
    tokens, verb = analysis.tokens, analysis.verb
    if verb is None or tokens[verb[0]].word not in STATE_VERBS:
        return
    owned = [c for c in analysis.concepts if c.start > verb[1] and possessive(tokens, c.start - 1)]
    if not owned:
        return
    field = owned[0]
    # (not a list, "make Mike's time entries Billable", nor a name and more, "... site Main Office the default")
    values = [c for c in analysis.concepts if c.start >= field.end]
    ends = values and values[-1].end == len(tokens) and all(a.end == b.start for a, b in itertools.pairwise(values))
    if any(t.plural for t in tokens[field.start : field.end]) or not ends:
        return
    for concept in values:
        if concept.start == field.end and tokens[concept.start].raw[:1].isupper():
            concept.value = concept.detail = True
            field = concept  # "Block Time", "New Business": a value read as several concepts


def _unknown_name(token: Token, covered: bool) -> bool:
    """A word no concept reads and no preposition: part of a name ("professional" services board)."""
    return not covered and token.word not in PARENT_PREPOSITIONS | CHANGE_MARKERS | PARTICLES and token.raw.isalpha()


BULK: tuple[str, ...] = ("bulk",)
MANY_WORDS = frozenset("many several multiple all every".split())
ONE_WORDS = frozenset("a an one".split())


def bulk_only_for_many(analysis: Analysis) -> None:
    """ "Creates configuration records in a single call": many records written in one request are the
    /bulk operation; one record ("delete config 311 in one call", "create a config ...") or a question
    ("were the configs created in one go?") is not, whatever "in one call" says."""
    # (the word "bulk" itself is the user's own: "line items bulk" asks for it)
    bulk = [c for c in analysis.concepts if c.source != "word" and any(words == BULK for words, _ in c.alternatives)]
    verb, tokens = analysis.verb, analysis.tokens
    if not bulk:
        return
    written = verb is not None and analysis.intent in ("create", "update", "delete")
    end = min((c.start for c in bulk if written and c.start >= verb[1]), default=len(tokens))
    between = tokens[verb[1] : end] if written else []
    # (what is written, not where it goes: "add 20 line items to PO 4417 in one go")
    written_of = between[: next((i for i, t in enumerate(between) if t.word in PARENT_PREPOSITIONS), len(between))]
    # ("config 311 and 312": several numbers are many; "config 311" or "a config" is one; "add 20 line
    # items" counts them)
    numbers = sum(t.is_number and t.index != verb[1] for t in written_of)
    one = not written or numbers == 1 or (bool(between) and between[0].word in ONE_WORDS)
    many = numbers > 1 or any(t.plural or t.word in MANY_WORDS for t in written_of)
    if one or not many:
        analysis.concepts = [c for c in analysis.concepts if c not in bulk]


def _quoted_names(concepts: list[Concept], tokens: list[Token]) -> set[int]:
    """ "the 'Printer Jams' kb article", "holiday 'day after thanksgiving'": words in quotes beside the
    kind of record they name are that record's name, matched by its fields only (ids of the concepts)."""
    named: set[int] = set()
    for start, end in _quoted_spans(tokens):
        kinds = [c for c in concepts if c.end == start] + _run_from(concepts, tokens, end)
        # (a word of the name that says its kind again still says it: "the 'Priority 3 - Standard'
        # ticket priority")
        said = {word for kind in kinds for words, _ in kind.alternatives for word in words}
        for concept in concepts if kinds else []:
            inside = start <= concept.start and concept.end <= end
            if inside and not any(words[0] in said for words, _ in concept.alternatives):
                named.add(id(concept))
    return named


def _run_from(concepts: list[Concept], tokens: list[Token], start: int) -> list[Concept]:
    """The concepts side by side from ``start`` in one clause: "ticket priority"."""
    run: list[Concept] = []
    while (following := next((c for c in concepts if c.start == start), None)) is not None:
        if run and tokens[start].clause_start:
            break
        run.append(following)
        start = following.end
    return run


def _quoted_spans(tokens: list[Token]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for token in tokens:
        if not token.quoted:
            continue
        if spans and spans[-1][1] == token.index:
            spans[-1] = (spans[-1][0], token.index + 1)
        else:
            spans.append((token.index, token.index + 1))
    return spans


def _without_verb(
    concepts: list[Concept],
    tokens: list[Token],
    lexicon: Lexicon,
    verb: tuple[int, int] | None,
    actions: frozenset[str],
) -> list[Concept]:
    """Drop the lexicon's reading of a verb that opens a clause.

    "Return the open projects", "Returns how often ...": "return" is the verb, not RMA
    returns; "returns for Acme" and a lone "returns" keep them. "Switch a configuration"
    changes it. Verbs that create or act keep their reading: "upload" names a document,
    "book" a schedule entry, "combine" a merge.
    """
    words = [t.word for t in tokens]
    dropped: set[int] = set()
    if verb is not None:
        # "open a new ticket": "open" is said as the verb, not a ticket's open flag. An action's word
        # inside a longer verb is no action: "apply a JSON patch" updates, it applies no template.
        longer = verb[1] - verb[0] > 1
        dropped.update(
            id(c)
            for c in concepts
            if c.source == "word" and verb[0] <= c.start and c.end <= verb[1] and (longer or not c.tokens() & actions)
        )
    for index, token in enumerate(tokens):
        if not token.clause_start:
            continue
        position = index
        while position < len(words) and words[position] in PREAMBLE:
            position += 1
        found = lexicon.intent_at(words, position) if position < len(words) else None
        if not found or found[0] not in ("read", "update", "delete"):
            continue
        end = position + found[1]
        # "Switch an existing configuration": a change verb is not a network switch. A read verb
        # keeps its noun reading only before a preposition or at the end ("returns for Acme").
        changes = found[0] != "read"
        if changes or (end < len(tokens) and tokens[end].word not in PARENT_PREPOSITIONS):
            dropped.update(id(c) for c in concepts if c.source == "lexicon" and c.start >= position and c.end <= end)
    return [c for c in concepts if id(c) not in dropped]


def _mark_change_verb(analysis: Analysis) -> None:
    """ "mark the deal as lost": a change verb that also opens an action's name ("markAs") is a
    detail when a thing to change follows it; the thing is the subject."""
    if analysis.verb is None:
        return
    start, end = analysis.verb
    inside = [c for c in analysis.concepts if start <= c.start and c.end <= end]
    if inside and any(c.start >= end and not c.value for c in analysis.concepts):
        for concept in inside:
            concept.detail = True


def names_one_record(analysis: Analysis) -> bool:
    """Does the request ask for one record without giving its id ("a single company by its ID")?"""
    if analysis.ids or analysis.head is None:
        return False
    words = [t.word for t in analysis.tokens]
    # "a single company" asks for one; "all contacts for a specific company" lists the contacts
    things = [c for c in analysis.concepts if c.text.lower() not in ONE_RECORD_WORDS | DESIGNATED_WORDS]
    noun = _compound_start(things, _real_head(analysis, analysis.head))
    starts = [c.start for c in things]
    singular = not analysis.tokens[analysis.head.end - 1].plural
    for i, word in enumerate(words[:noun]):
        # the written word: "requested" must not be read as the noun "request"
        designated = analysis.tokens[i].raw.lower() in DESIGNATED_WORDS
        # ("Gets one or more companies": the cmdlet's way of saying it lists them)
        one = (word in ONE_RECORD_WORDS and words[i + 1 : i + 2] != ["or"]) or (singular and designated)
        if one and not any(i < start < noun for start in starts):
            return True
    # "by its ID", "the given ID", "-ProjectID", "get_schedule_entry(id)"
    introducers = ID_INTRODUCERS | {t.word for t in analysis.tokens[analysis.head.start : analysis.head.end]}
    # "the notes for a ticket ID": the id is the parent's, whose records are listed
    parents = [p for p in analysis.parents if p is not analysis.head]
    # ("Use this to find board IDs", a later sentence's or a plural's ids, ask for no one record)
    tokens = analysis.tokens
    return any(
        w in ID_WORDS
        and i > 0
        and words[i - 1] in introducers
        and not any(p.start <= i < p.end for p in parents)
        and tokens[i].raw.lower() not in ("ids", "identifiers")
        and not any(t.full_stop for t in tokens[analysis.head.end : i])
        for i, w in enumerate(words)
    )


def _real_head(analysis: Analysis, head: Concept) -> Concept:
    """The head, or the record it is a generic part of: "the details of a single opportunity"."""
    if head.text.lower() in GENERIC_HEADS and analysis.parents:
        return analysis.parents[0]
    return head


def _compound_start(concepts: list[Concept], head: Concept) -> int:
    """Where the head's compound begins: "expense" of "a single expense entry"."""
    start = head.start
    while any(c.end == start and c.start < start for c in concepts):
        start = next(c.start for c in concepts if c.end == start and c.start < start)
    return start


def _person_joined(
    analysis: Analysis, stop: frozenset[str], holds: Callable[[tuple[str, ...], tuple[str, ...]], bool]
) -> None:
    """ "remove mike from marketing group 4", "add jane doe to the newsletter group", "take bob off the
    project team": a person named right after the verb joins or leaves the record after "to"/"from".
    That record is the parent; the person's place in it (its member or contact) is what is made or
    removed, never the group itself."""
    if analysis.verb is None or analysis.intent not in ("create", "delete"):
        return
    tokens = analysis.tokens
    if not any(t.word in JOIN_VERBS for t in tokens[analysis.verb[0] : analysis.verb[1]]):
        return  # "dispatch bob to ticket 55" books his visit: only adding and removing is joining
    covered = {p for c in analysis.concepts for p in range(c.start, c.end)}
    start = end = analysis.verb[1]
    while end < len(tokens) and end not in covered and _person_word(tokens[end], stop):
        end += 1
    joins = JOIN_PREPOSITIONS[analysis.intent]
    # "take bob off the project team" is read "take off bob the project team": the particle moved
    moved = tokens[analysis.verb[1] - 1].word in joins and analysis.verb[1] - analysis.verb[0] > 1
    if end == start or end + 1 >= len(tokens) or (tokens[end].word not in joins and not moved):
        return
    containers = [c for c in analysis.concepts if c.start >= end + (not moved) and not c.detail]
    if not containers:
        return
    if not any(_holds_people(c, holds) for c in containers):
        # "remove jenny from ticket 50211": a ticket lists no people of its own; she leaves its
        # resources, a change to the ticket, which is never deleted for it
        analysis.intent = "update"
        return
    person = Concept(" ".join(t.raw for t in tokens[start:end]), list(JOINED_PERSON), start, end, "person")
    analysis.concepts = sorted([*analysis.concepts, person], key=lambda c: c.start)
    analysis.head = person
    analysis.parents = containers


def _holds_people(container: Concept, holds: Callable[[tuple[str, ...], tuple[str, ...]], bool]) -> bool:
    """Can members or contacts be added under the container ("group 4", "the project team")?"""
    names = {words for words, _ in container.alternatives} | {words[-1:] for words, _ in container.alternatives}
    return any(holds(name, person) for name in names for person, _ in JOINED_PERSON)


def _person_word(token: Token, stop: frozenset[str]) -> bool:
    """A word of a person's name as chat writes it ("mike", "jane doe"): letters, no small word."""
    return token.raw.isalpha() and token.word not in stop and token.word not in PARTICLES


# "invoices that haven't been paid", "invoices not yet paid": words of a clause saying the records' state
STATE_MARKERS = frozenset("not t never yet been that which".split())
STATE_CLAUSE_WORDS = STATE_MARKERS | frozenset("have has haven hasn was were is are still already".split())


def _mark_participle_filters(analysis: Analysis, words: frozenset[str], known: dict[str, int]) -> None:
    """ "tickets opened this week", "companies marked as prospects": a participle after the head
    filters its records (and so does a value after "as"), matched by their fields, not their names."""
    head, tokens = analysis.head, analysis.tokens
    if head is None or analysis.intent not in (None, "read", "count"):
        return
    after = [c for c in analysis.concepts if c.start >= head.end]
    if not after or not participle(tokens[after[0].start]):
        return
    between = tokens[head.end : after[0].start]
    # "invoices that haven't been paid", "invoices not yet paid": a clause says the records' state
    clause = bool(between) and all(t.word in STATE_CLAUSE_WORDS for t in between)
    clause = clause and any(t.word in STATE_MARKERS for t in between)  # not "techs are certified in"
    if after[0].source not in OWN_WORDS and not clause:
        return  # "engineers overbooked next week": a word the lexicon reads names records of its own
    # "tickets jsmith opened this week": who did it may stand between
    named = all(t.raw.isalpha() and not t.clause_start and t.word not in known and t.word not in words for t in between)
    if not clause and (len(between) > 2 or not named):
        return  # (a name: no word the catalog or the lexicon knows)
    after[0].detail = True
    filters = [after[0]]
    as_value = after[0].end < len(tokens) and tokens[after[0].end].word == "as"
    if as_value and len(after) > 1 and after[1].start == after[0].end + 1:
        after[1].detail = True
        filters.append(after[1])
    analysis.parents = [c for c in analysis.parents if c not in filters]


def _mark_places(analysis: Analysis) -> None:
    """ "configs at the fabrikam hq site", "members at the tampa location": in a read, where the
    records are is a filter on them, matched by their fields (a site, a location), not a list of places."""
    head, tokens = analysis.head, analysis.tokens
    if head is None or analysis.intent not in (None, "read", "count"):
        return
    numbered = {id(c) for _, c in analysis.ids}
    at = next((t.index for t in tokens[head.end :] if t.word in PLACE_PREPOSITIONS), None)
    if at is None:
        return
    places = [c for c in analysis.concepts if c.start > at and id(c) not in numbered]
    places = [c for c in places if not any(t.clause_start for t in tokens[at + 1 : c.start + 1])]
    for concept in places:
        concept.detail = True
    analysis.parents = [c for c in analysis.parents if c not in places]


OWN_WORDS = ("word", "corrected")  # concepts named in the request's own words, not read by the lexicon
