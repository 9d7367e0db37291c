"""Which records a request points at: ids after their nouns, bare ticket numbers, product codes, owners."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from .analysis import (
    CHANGE_MARKERS,
    CLOCK_WORDS,
    DEFINITE_WORDS,
    ID_FILLERS,
    LIFTING_VERBS,
    LITERAL,
    NEW_RECORD_WORDS,
    PARENT_PREPOSITIONS,
    PARTICLES,
    PREAMBLE,
    QUESTION_WORDS,
    STATE_VERBS,
    TIME_WORDS,
    TOLD_WORDS,
    Analysis,
    Concept,
    Token,
    Vocabulary,
    possessive,
    singular,
)
from .concepts import participle
from .lexicon import SKIPPABLE, Lexicon, Phrase

LEVEL_WORDS = frozenset("priority tier level severity impact urgency p".split())
# "show me fabrikam's record", "what boards do we have": a pronoun is no part of a name
PRONOUNS = frozenset("me us him them you we i they he she".split())
NAME_BOUNDARIES = DEFINITE_WORDS | PARENT_PREPOSITIONS | CHANGE_MARKERS | NEW_RECORD_WORDS | PRONOUNS
# "set 4521 to waiting on client": in an MSP's chat a bare record number is a service ticket.
IMPLIED_TICKET: Phrase = ("ticket",)
# "set the price of FW-200 to 1299": a product code alone names a catalog item
IMPLIED_ITEM: tuple[tuple[Phrase, float], ...] = ((("catalog", "item"), 1.0), (("catalog",), 1.0), (("product",), 0.9))
# "contoso's status", "jane doe's title": someone's record whose field is named; the schema of each
# decides which has the field, the order which is meant when several do.
# A first name alone is most often a colleague ("mike's default board"), a full name a client's
# contact ("jane doe's title"); a company's own fields (status, territory) are only the company's.
OWNER_RECORDS: tuple[tuple[Phrase, float], ...] = ((("company",), 1.0), (("member",), 0.95), (("contact",), 0.6))
FULL_NAME_RECORDS: tuple[tuple[Phrase, float], ...] = ((("company",), 1.0), (("contact",), 0.95), (("member",), 0.6))
# "acme corp", "contoso ltd": the end of a company's name, whatever else the word may mean
COMPANY_SUFFIXES = frozenset("inc corp ltd llc gmbh plc pty co corporation incorporated limited".split())
DESCRIBING_WORDS = frozenset(("default", "primary", "main"))
# "the due date on 3318", "the status of 9014": a field, a preposition, then the record's number
RECORD_PREPOSITIONS = frozenset(("on", "of", "for", "in"))
# "the acme deal is at Proposal stage now", "contoso's agreement should be ...": words that tell a record's state
STATE_COPULAS = TOLD_WORDS | frozenset("should needs must".split())
# "the notes on 4521", "add a note to 4521": the record that holds the thing named before it
OWNER_PREPOSITIONS = frozenset(("on", "to", "against"))


def find_ids(
    analysis: Analysis, lexicon: Lexicon, known: dict[str, int], vocabulary: Vocabulary, imply: bool
) -> Concept | None:
    """The ids given for the records named ("ticket 4521"); with ``imply``, the record a bare number
    or product code stands for ("set 4521 to ...", "the price of FW-200"), which is returned."""
    tokens = analysis.tokens
    analysis.ids = _ids(tokens, analysis.concepts, vocabulary.holds) or _coded(tokens, analysis.concepts)
    if analysis.verb is not None:
        # "mark 4410 as closed", "push 5502 to ...": the verb is no noun the number belongs to
        start, end = analysis.verb
        # (but "invoice 55 ..." may open with the record it acts on: only a change or a lexicon reading)
        verb_only = analysis.intent == "update"
        analysis.ids = [
            (n, c)
            for n, c in analysis.ids
            if not (start <= c.start and c.end <= end and (verb_only or c.source == "lexicon"))
        ]
    if analysis.intent in ("create", "update"):
        # "make the outage ticket priority 1": in a change, a level with its number is a value, not a record
        analysis.ids = [(n, c) for n, c in analysis.ids if not set(c.text.lower().split()) & LEVEL_WORDS]
        # "should cost 1299", "budget 40": after a word that names no resource, a number is its value
        analysis.ids = [(n, c) for n, c in analysis.ids if any(vocabulary.names(w) for w in c.tokens())]
    implied = None
    if imply and not analysis.ids:
        implied = _product_code(analysis) or _bare_record_number(analysis, lexicon, known, vocabulary)
        implied = implied or _holding_number(analysis, vocabulary)
    if implied is not None:
        analysis.concepts = sorted([*analysis.concepts, implied], key=lambda c: c.start)
        analysis.ids = [(tokens[implied.start].word, implied)]
    if analysis.intent == "create" and not analysis.ids:
        analysis.ids = _named_where_added(analysis, vocabulary.holds)
    return implied


def _named_where_added(
    analysis: Analysis, holds: Callable[[tuple[str, ...], tuple[str, ...]], bool]
) -> list[tuple[str, Concept]]:
    """ "add Boxing Day to the 'UK Staff 2025' holiday list": what is added goes under a record named by
    its name, as under one given by its number ("... to holiday list 4"); no new list is made. Only what
    the record holds is added under it: "add Contoso to the 'West' territory" changes Contoso."""
    tokens, verb = analysis.tokens, analysis.verb
    for concept in analysis.concepts if verb is not None else []:
        the = name_opening(tokens, concept.start)
        last = concept.end == len(tokens) or tokens[concept.end].clause_start
        if the is None or not last or the - 1 <= verb[1] or tokens[the - 1].word not in ADDED_TO:
            continue
        added = [c for c in analysis.concepts if verb[1] <= c.start and c.end < the]
        kinds = [(kind, words) for kind, _ in concept.alternatives for c in added for words, _ in c.alternatives]
        if any(holds(kind, words) for kind, words in kinds):
            return [(" ".join(t.raw for t in tokens[the + 1 : concept.start]), concept)]
    return []


ADDED_TO = frozenset(("to", "into", "onto"))


def _bare_record_number(
    analysis: Analysis, lexicon: Lexicon, known: dict[str, int], vocabulary: Vocabulary
) -> Concept | None:
    """A number with no noun before it, in a change: "set 4521 to waiting on client".

    In an MSP's chat a bare record number is a service ticket, unless it is a quantity, a time, a
    date or an amount ("log 2 hours", "at 4pm", "should be 1299"): it must stand where the changed
    record stands (right after the verb, opening the request, or after "the status of").
    """
    tokens = analysis.tokens
    for token in tokens:
        if (
            token.is_number
            and not token.phone
            and _bare_number_is_record(analysis, token.index, lexicon, known, vocabulary)
        ):
            return Concept(token.raw, [(IMPLIED_TICKET, 1.0)], token.index, token.index + 1, "implied")
    return None


def _product_code(analysis: Analysis) -> Concept | None:
    """ "set the price of FW-200 to 1299", "SW-24 should cost 410": capital letters and a number, no
    noun before them, in a change: a catalog item's identifier."""
    if analysis.intent not in ("update", None):
        return None
    tokens = analysis.tokens
    covered = {p for c in analysis.concepts for p in range(c.start, c.end)}
    for i in range(len(tokens) - 1):
        letters, number = tokens[i], tokens[i + 1]
        if letters.word in CHANGE_MARKERS:
            return None  # "rename the core switch to ACME-SW-01": a code in the new value
        if _code_letters(letters) and i not in covered and number.is_number and number.raw.isdigit():
            return Concept(f"{letters.raw}-{number.raw}", list(IMPLIED_ITEM), i, i + 2, "implied")
    return None


def _bare_number_is_record(
    analysis: Analysis, i: int, lexicon: Lexicon, known: dict[str, int], vocabulary: Vocabulary
) -> bool:
    tokens = analysis.tokens
    token = tokens[i]
    if not token.raw.isdigit() or len(token.raw) < 2:  # "2pm", "4": a time or a small quantity
        return False
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    # "2 hours", "3 tickets", "15 march": a quantity or a date
    counted = following is not None and following.plural and any(c.start == i + 1 for c in analysis.concepts)
    if following is not None and (
        following.word in lexicon.units or following.word in CLOCK_WORDS or counted or following.word in TIME_WORDS
    ):
        return False
    verb_end = analysis.verb[1] if analysis.verb else 0
    verb = tokens[verb_end - 1].word if analysis.verb else ""
    # "close out 6632", "hand over 4498": a particle may stand between the verb and its record
    at_verb = analysis.verb is not None and all(t.word in PARTICLES for t in tokens[verb_end:i]) and i >= verb_end
    # "8812 should be ...", "kick 6603 back to ...": the number opens the request, or follows a verb we do not know
    opening = i == 0 or (i == 1 and analysis.verb is None and _unknown_word(tokens[0], lexicon, known))
    # "on 4521 change the board to network", "for 4521 set the source": the record, then the verb
    verb_follows = analysis.verb is not None and analysis.verb[0] == i + 1
    # "for 4521, the type should be hardware": the record set apart before the clause about it
    set_apart = i + 1 < len(tokens) and tokens[i + 1].clause_start
    opening = opening or (i == 1 and tokens[0].word in RECORD_PREPOSITIONS and (verb_follows or set_apart))
    if possessive(tokens, i + 1) and _ticket_sized(token.raw) and analysis.intent in (None, "read", "update"):
        return True  # "change 4521's board to ...", "4521's status": a bare number that owns a field
    if analysis.intent == "update":
        if at_verb or opening:
            return True
        # "the status of 9014": a field, a preposition, the number
        previous = tokens[i - 1].word if i else ""
        year = len(token.raw) == 4 and token.raw[:2] in ("19", "20")  # "the budget for 2027"
        field_before = any(c.end == i - 1 and not c.value for c in analysis.concepts)
        return previous in RECORD_PREPOSITIONS and field_before and not year
    if analysis.intent == "create":
        # "put 2231 on hold", "make 1180 high priority", "make jane the owner of 50123"
        return verb in STATE_VERBS and (at_verb or _definite_field_of(analysis, i))
    if analysis.intent == "action":
        return at_verb  # "push 5502 to the escalations board": kept only if read as a change
    if analysis.intent is None and opening:
        # "8812 should be priority 2", "kick 6603 back to ...": kept only if a change is stated
        return True
    if analysis.intent in (None, "read"):
        return _read_ticket_number(analysis, i, vocabulary)
    return False


def read_ticket(analysis: Analysis) -> bool:
    """Does a read name its ticket by a bare number ("pull up 50123")? Then the ticket stays implied."""
    if analysis.intent not in (None, "read"):
        return False
    implied = [c for _, c in analysis.ids if c.source == "implied" and c.end - c.start == 1]
    return any(_ticket_sized(analysis.tokens[c.start].raw) for c in implied)


def _ticket_sized(raw: str) -> bool:
    """Four digits or more, and no year: "50123", not "2024" nor "30"."""
    return raw.isdigit() and len(raw) >= 4 and not (len(raw) == 4 and raw[:2] in ("19", "20"))


def _read_ticket_number(analysis: Analysis, i: int, vocabulary: Vocabulary) -> bool:
    """ "pull up 50123", "status of 50123", "who is working 50123": in a read, a number of four digits
    or more that ends the request, right after the verb or a preposition, is a service ticket's.
    (Not a year: "invoices from 2024"; not a quantity or an amount: "over 5000".)"""
    tokens = analysis.tokens
    raw = tokens[i].raw
    if not _ticket_sized(raw):
        return False
    previous = tokens[i - 1] if i else None
    if previous is not None and previous.raw.lower() in ("is", "has", "was", "did"):
        return True  # "how long has 50123 been open", "is 50123 closed"
    if i != len(tokens) - 1:
        return False
    verb_end = analysis.verb[1] if analysis.verb else -1
    # "pull up 50123", "show me 50123": right after the verb (and whom it is for)
    at_verb = verb_end >= 0 and all(t.word in PARTICLES or t.word in ("me", "us") for t in tokens[verb_end:i])
    after_preposition = previous is not None and previous.word in RECORD_PREPOSITIONS
    if after_preposition and _owners_number(analysis, i, vocabulary):
        return False
    after_verb_word = previous is not None and previous.raw.lower().endswith("ing")  # "working 50123"
    return at_verb or after_preposition or after_verb_word


def _definite_field_of(analysis: Analysis, i: int) -> bool:
    """ "the owner of 50123": a field named with "the", a preposition, then the number."""
    tokens = analysis.tokens
    if i < 2 or tokens[i - 1].word not in RECORD_PREPOSITIONS:
        return False
    field = next((c for c in analysis.concepts if c.end == i - 1 and not c.value), None)
    return field is not None and field.start > 0 and tokens[field.start - 1].word == "the"


def _holding_number(analysis: Analysis, vocabulary: Vocabulary) -> Concept | None:
    """The ticket a bare number names when it holds the thing before it: "notes on 4521" (in a change,
    a number after "to" is the new value: "set acme's phone to 555 0100")."""
    if analysis.intent == "update":
        return None
    for token in analysis.tokens:
        if token.is_number and token.raw.isdigit() and _owns_a_list(analysis, token.index, vocabulary):
            return Concept(token.raw, [(IMPLIED_TICKET, 1.0)], token.index, token.index + 1, "held")
    return None


def _owns_a_list(analysis: Analysis, i: int, vocabulary: Vocabulary) -> bool:
    """ "the last note on 4521", "add a note to 4521 ...", "delete the task on 8812": a number of three
    digits or more after "on"/"to", right after a thing a ticket holds (not a year: "the budget for 2027")."""
    tokens = analysis.tokens
    raw = tokens[i].raw
    year = len(raw) == 4 and raw[:2] in ("19", "20")
    if i < 2 or len(raw) < 3 or tokens[i - 1].word not in OWNER_PREPOSITIONS or year:
        return False
    if _owners_number(analysis, i, vocabulary) or _raised_to(analysis, i):
        return False
    held = [c for c in analysis.concepts if c.end == i - 1 and not c.value]  # "open on 640" holds nothing
    return any(vocabulary.names(word) for c in held for word in c.tokens())


def _raised_to(analysis: Analysis, i: int) -> bool:
    """ "raise the hourly rate of the Senior Engineer work role to 185": what a value is raised to is the
    value ("raise a ticket" is a create, so this is asked before any change is read)."""
    verb = analysis.verb
    return verb is not None and analysis.tokens[verb[0]].word in LIFTING_VERBS and analysis.tokens[i - 1].word == "to"


def _owners_number(analysis: Analysis, i: int, vocabulary: Vocabulary) -> bool:
    """ "opportunity notes on 4410": the number after records of a kind (not a ticket) that holds them,
    named just before them, is that owner's."""
    for held in (c for c in analysis.concepts if c.end == i - 1 and not c.value):
        owner = next((c for c in analysis.concepts if c.end == held.start), None)
        kinds = [words for words, conf in owner.alternatives if conf >= 0.8] if owner else []
        if IMPLIED_TICKET not in kinds and any(vocabulary.holds(k, w) for k in kinds for w, _ in held.alternatives):
            return True
    return False


def _unknown_word(token: Token, lexicon: Lexicon, known: dict[str, int]) -> bool:
    """A word neither the catalog nor the lexicon knows: in first place, most often a verb ("kick")."""
    word = token.word
    if token.is_number or word in known or word in PREAMBLE or word in lexicon.stop or (word,) in lexicon.synonyms:
        return False
    return not any((word,) in phrases for phrases in lexicon.intents.values())


def unknown_verb_change(analysis: Analysis, lexicon: Lexicon, known: dict[str, int]) -> bool:
    """ "shove ticket 4410 over to the projects board", "slide my 10am visit, entry 55, to 11:30": an
    opening word we do not know, a numbered record after it, then "to"/"as"/"into" a new value."""
    tokens = analysis.tokens
    if analysis.intent is not None or analysis.count or len(tokens) < 3:
        return False
    if not _unknown_word(tokens[0], lexicon, known):
        return False
    if analysis.ids:
        first = min(c.start for _, c in analysis.ids)
    elif tokens[1].word in DEFINITE_WORDS and analysis.head is not None and singular(analysis.head, tokens):
        first = analysis.head.end  # "kick the contoso printer ticket over to the onsite board"
    else:
        return False
    return any(t.word in CHANGE_MARKERS for t in tokens[first:])


ID_LINKS = frozenset(("for", "with", "by", "of"))


def _ids(
    tokens: list[Token], concepts: list[Concept], holds: Callable[[tuple[str, ...], tuple[str, ...]], bool]
) -> list[tuple[str, Concept]]:
    """Numbers that name a record: they follow the noun they identify ("ticket 4521", "PO #77")."""
    by_end = {c.end - 1: c for c in concepts}
    out: list[tuple[str, Concept]] = []
    for token in tokens:
        if not token.is_number or token.assigned or token.phone or token.quoted or _span_of_time(tokens, token.index):
            continue
        j = token.index - 1
        # "company record id 19": the noun may itself end in a filler word
        # and "catalog item FW-200": a product code's letters stand between the noun and the number
        while j >= 0 and j not in by_end and (tokens[j].word in ID_FILLERS or _code_letters(tokens[j])):
            j -= 1
            # "the company record for id 19", "the ticket with number 5": the id is the noun's
            linked = j > 0 and tokens[j].word in ID_LINKS and tokens[j + 1].word in ID_FILLERS
            if linked and (j - 1 in by_end or tokens[j - 1].word in ID_FILLERS):
                j -= 1
        concept = by_end.get(j)
        # "product item 55120", "team entry 8": a bare "item" or "entry" after the name of a record is
        # that record (a board's items and a batch's entries are records of their own: "board item 5")
        before = _filler_owner(concept, by_end)
        if before is not None and not holds(before.alternatives[0][0], (concept.text.lower(),)):
            concept = before
        # "june 1" is a date
        if concept is not None and concept.text.lower() not in TIME_WORDS and not _owner_inside(concept, tokens):
            out.append((token.word, concept))
    return out


FILLER_RECORDS = {"item": ("word",), "entry": ("word", "lexicon")}


def _filler_owner(concept: Concept | None, by_end: dict[int, Concept]) -> Concept | None:
    """The record named before a generic "item" or "entry", if any."""
    if concept is None or concept.text.lower() not in FILLER_RECORDS:
        return None
    before = by_end.get(concept.start - 1)
    return before if before is not None and before.source in FILLER_RECORDS[concept.text.lower()] else None


def _span_of_time(tokens: list[Token], index: int) -> bool:
    """ "bills 60 days overdue", "tickets 3 weeks old": a number of days or weeks, never a record's."""
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return following is not None and following.word in SPAN_UNITS


def _coded(tokens: list[Token], concepts: list[Concept]) -> list[tuple[str, Concept]]:
    """ "catalog item CW-HP-PROBOOK", "config CFO-LAPTOP": a code right after the noun is the record's
    identifier, as a number would be."""
    out = []
    for concept in concepts:
        code = tokens[concept.end].code if concept.end < len(tokens) else None
        if code and not tokens[concept.end - 1].code:
            out.append((code, concept))
    return out


def _code_letters(token: Token) -> bool:
    """ "FW" of "FW-200", "SW" of "SW-24": the capital letters that open a product code."""
    return token.raw.isalpha() and token.raw.isupper() and len(token.raw) <= 4


def _owner_inside(concept: Concept, tokens: list[Token]) -> bool:
    """'people on mailing list 4': a lexicon phrase that holds its owner names the owner's number,
    not one of its own records, so the number picks no single record of the phrase."""
    if concept.source != "lexicon" or concept.end - concept.start < 3:
        return False
    return any(tokens[k].word in PARENT_PREPOSITIONS for k in range(concept.start + 1, concept.end - 1))


# Fields whose values are definitions of their own (/project/statuses, /finance/agreements/types)
DEFINITION_FIELDS = frozenset("status type priority stage source impact severity".split())
# A client's or a person's fields a name may be followed by: "set Contoso status to Inactive", "Dana Lee:
# title should be CFO"
CLIENT_FIELDS = DEFINITION_FIELDS | frozenset(
    "market territory terms currency manager calendar title department email phone mobile role".split()
)
# ... of which those a name alone is told of (a client has no priority, stage or phone field of its own)
NAME_FIELDS = frozenset("status type market territory terms currency title department".split())
LIST_WORDS = frozenset("list lists names definitions options values setup settings".split())
RENAMING_VERBS = frozenset("rename retitle relabel".split())
ASSIGNING = frozenset("is are was to as".split())  # "... status is now on hold", "... to Closed"
SPAN_UNITS = frozenset("minute hour day week month year".split())
# "what territory is fabrikam in", "which security role does mike have"
QUESTION_VERBS = frozenset("is are does do has have did".split())
QUESTION_CLOSERS = frozenset("in on at under have has use uses hold".split())


def records_named(
    analysis: Analysis,
    tokens: list[Token],
    stop: frozenset[str] = frozenset(),
    names: Callable[[str], bool] | None = None,
    known: Callable[[str], bool] | None = None,
) -> list[tuple[Concept, bool]]:
    """Concepts that name one particular record, and whether it is pinned down.

    A field of that record may be what is to be changed or read. Pinned: given an id
    ("ticket 12"), or in a change a possessive or a parent ("contact's department", "the
    urgency on case 12"). Loose: in a change, the first noun of a compound ("change ticket
    priority"), which may also be the name of a resource of its own ("project type").
    """
    out = [(concept, True) for _, concept in analysis.ids]
    if analysis.intent != "update":
        # "the client's sites" lists sites; in a read only an id or a name pins the record down.
        if analysis.intent not in (None, "read"):
            return []
        owner = None if out else _possessive_owner(analysis, tokens) or _questioned_owner(analysis, tokens)
        owner = owner or (None if out else _asked_of(analysis, tokens))
        owned = _possessed(analysis, owner)
        head = analysis.head
        if owned is not None and head is not None and head.end <= owner.start and singular(head, tokens):
            # "the status of contoso's onboarding project": the project is the record whose field is read
            return [(owned, True)]
        if owner is not None:
            # "what's contoso's status", "mike's skills": the owner's record, or its records listed
            analysis.concepts = [c for c in analysis.concepts if not owner.start <= c.start < owner.end]
            out.append((owner, True))
        return out
    if out:
        # "put opportunity 55 in the Negotiation stage": the numbered record is the one changed;
        # what follows names its fields and values.
        _values_told(analysis, tokens, out[0][0])
        return out
    owner = _owner_record(analysis, tokens, stop)
    if owner is not None:
        # "wide world importers' territory": a word of the name is no thing of its own
        inside = range(owner.start, owner.end)
        analysis.concepts = [c for c in analysis.concepts if c.start not in inside]
        # "set contoso to inactive", "Contoso status: Inactive": what follows is the new value
        told_at = owner.end + 1 if owner.end < len(tokens) and tokens[owner.end].word in CHANGE_MARKERS else None
        field = next((c for c in analysis.concepts if c.start == owner.end), None)
        if told_at is None and field is not None and valued_after(tokens, field.end):
            told_at = field.end
        for concept in analysis.concepts if told_at is not None else []:
            if concept.start >= told_at:
                concept.value = concept.detail = True
    told = _told_of(tokens, analysis.concepts)
    if told is not None:
        # "the Fabrikam VoIP deal is at Proposal stage now": the named record the change is told of;
        # the words before it name it, those after name its field and new value
        # (but a catalog word right before it names the record whose field it is: "the acme ticket
        # priority is now high" changes the ticket, never the priority everyone's tickets use)
        # (and so does any record named before a colon: "the Northwind firewall deal: stage should be ...")
        colon = tokens[told.start].sentence_start
        before = [c for c in analysis.concepts if c.end == told.start and (c.source == "word" or colon)]
        analysis.concepts = [
            c for c in analysis.concepts if c is told or c in before or not told.start - 4 <= c.start < told.end
        ]
        if not (before and known is not None and _definition_named(tokens, before[0], told, known, stop)):
            out.append((before[0] if before else told, True))
    # (a record told its state is the one record; the others name it, its field or its value)
    for index, concept in enumerate(analysis.concepts if told is None else []):
        if concept.value or (concept.start > 0 and tokens[concept.start - 1].word in CHANGE_MARKERS):
            continue  # "to Remote Support", "as Mileage": the new value, not a record
        if possessive(tokens, concept.end) or concept in analysis.parents:
            out.append((concept, True))
        elif index + 1 < len(analysis.concepts) and _compound(concept, analysis.concepts[index + 1]):
            if known is not None and _definition_named(tokens, concept, analysis.concepts[index + 1], known, stop):
                continue  # "the On Hold project status shouldn't allow time": that status, for everyone
            if concept.tokens() <= DESCRIBING_WORDS:
                # "contoso's default billing contact", "mike's default board": which of the owner's
                # fields, not a record of board defaults
                continue
            # (but before a field of its own, a record's everyday name is that record: "the deal status")
            field_next = _field_of_its_own(tokens, concept, analysis.concepts[index + 1])
            if names is not None and _describes(concept, names) and not field_next:
                # "the tailspin renewal opportunity": a renewal is what the opportunity is for
                described = analysis.concepts[index + 1]
                pinned = _owned(tokens, concept, analysis.concepts) or _named(tokens, concept, analysis.concepts)
                out.append((described, pinned))
                concept.detail = True  # what the record is about, matched by its fields only
                continue
            if _renamed(analysis):
                continue  # "rename the ticket type on the Help Desk board": a record is renamed, never a field
            # "fabrikam's company type": an owner's record of that kind, so the type is its field
            # ("the litware scanner ticket type": the ticket's type; "scanner" only describes it)
            following = analysis.concepts[index + 2 : index + 3]
            pair = not following or following[0].start != analysis.concepts[index + 1].end
            named = pair and _named(tokens, concept, analysis.concepts)
            out.append((concept, _owned(tokens, concept, analysis.concepts) or named))
    if owner is not None:
        # "mike's hourly cost": the owner's field, though "hourly" may read as a record of its kind;
        # beside another record ("bob's time entry") the owner is only named, not counted as a thing
        out.append((owner, True))
    return out


# "ticket 5120 belongs on the Projects board": where a record is told to go is a value, no record
PLACING_WORDS = frozenset("belongs belong goes go".split())


def _values_told(analysis: Analysis, tokens: list[Token], record: Concept) -> None:
    """ "ticket 2231 po# is PO-55781": after the record and a field, what it "is" is the new value."""
    told = TOLD_WORDS | PLACING_WORDS
    copula = next((t.index for t in tokens[record.end : record.end + 5] if t.raw.lower() in told), None)
    if copula is None or record.start > 1:
        return
    for concept in analysis.concepts:
        if concept.start > copula:
            concept.value = concept.detail = True


def _compound(concept: Concept, following: Concept) -> bool:
    """Two things side by side, the second not a new value ("make the ticket's board Network")."""
    return following.start == concept.end and not following.value


def _field_of_its_own(tokens: list[Token], concept: Concept, following: Concept) -> bool:
    """ "the Northwind deal status": a field word after a record's everyday name, in lower case and read
    as records that are none of the field's values (not "the waiting on vendor status"), is that
    record's field."""
    field = following.text.lower()
    if field not in DEFINITION_FIELDS or concept.text != concept.text.lower():
        return False  # ("the Proposal stage": a name, capitalised, is the definition's own)
    # ("the default deal stage", "the deal stage list": the definitions)
    before = tokens[concept.start - 1].word if concept.start else ""
    after = tokens[following.end].word if following.end < len(tokens) else ""
    if before in DESCRIBING_WORDS or after in LIST_WORDS:
        return False
    return not any(field in phrase for phrase, _ in concept.alternatives)


def _describes(concept: Concept, names: Callable[[str], bool]) -> bool:
    """A word that names no resource as written, only through the lexicon ("renewal" -> agreement):
    before another noun it says what kind that record is, it is not a record of its own."""
    literal = [phrase for phrase, conf in concept.alternatives if conf >= LITERAL]
    return concept.source == "lexicon" and not any(names(word) for phrase in literal for word in phrase)


def named_alone(analysis: Analysis, tokens: list[Token], stop: frozenset[str]) -> Concept | None:
    """ "look up contoso", "pull up jane doe", "who is jane doe": a read of nothing but a name the
    catalog does not know, which is a company, a contact or a member."""
    if analysis.concepts or analysis.count or analysis.intent not in (None, "read"):
        return None
    start = analysis.verb[1] if analysis.verb else 0
    while start < len(tokens) and (tokens[start].word in stop or tokens[start].word in PREAMBLE):
        start += 1
    if start == len(tokens) or not _name_word(tokens[start], stop):
        return None
    end = start + 1  # a name's later words may be stop words in any other place ("jane doe")
    while end < len(tokens) and _name_word(tokens[end], frozenset()) and tokens[end].raw.isalpha():
        end += 1
    if end != len(tokens) or end - start > 3 or tokens[start].word in PREAMBLE:
        return None
    return _owner(tokens, start, end)


def _possessed(analysis: Analysis, owner: Concept | None) -> Concept | None:
    """The record right after an owner's possessive: "project" of "contoso's website project"."""
    if owner is None:
        return None
    found = None
    for concept in analysis.concepts:
        if concept.start == (found.end if found else owner.end + 1):
            found = concept
    return found


def _possessive_owner(analysis: Analysis, tokens: list[Token]) -> Concept | None:
    """ "contoso's status", "jane doe's phone number": a name the catalog does not know, with a
    possessive, before the thing asked for."""
    covered = {p for c in analysis.concepts for p in range(c.start, c.end)}
    verb_end = analysis.verb[1] if analysis.verb else 0
    for p in range(1, len(tokens) - 1):
        if not possessive(tokens, p) or _field_after(tokens, p) not in covered:
            continue
        start = p
        while start - 1 >= verb_end and start - 1 not in covered and _name_word(tokens[start - 1], frozenset()):
            start -= 1
        if start < p:
            return _owner(tokens, start, p)
    return None


def _field_after(tokens: list[Token], p: int) -> int:
    """Where the owned thing starts after a possessive: "contoso's main phone number" may say which
    of the owner's fields first."""
    return p + 2 if p + 2 < len(tokens) and tokens[p + 1].word in DESCRIBING_WORDS else p + 1


def _questioned_owner(analysis: Analysis, tokens: list[Token]) -> Concept | None:
    """ "what territory is fabrikam in", "which security role does mike have": a question about one
    field of a name the catalog does not know, said after "is" or "does"; the name owns the field, as
    with a possessive."""
    head = analysis.head
    if head is None or not tokens or tokens[0].word not in ("what", "which") or head.start > 2:
        return None
    start = head.end + 1
    if head.end >= len(tokens) or tokens[head.end].raw.lower() not in QUESTION_VERBS or start >= len(tokens):
        return None
    covered = {p for c in analysis.concepts for p in range(c.start, c.end)}
    end = start
    last = len(tokens) - 1  # "... does mike have": the last word closes the question, it names no one
    # "what certificates has tom earned": a participle closes it too
    closer = tokens[last].raw.lower() in QUESTION_CLOSERS or (last > start and tokens[last].raw.lower().endswith("ed"))
    while end < len(tokens) and end not in covered and _name_word(tokens[end], frozenset()):
        if end == last and closer:
            break
        end += 1
    closing = end == len(tokens) or (end == last and closer)
    return _owner(tokens, start, end) if start < end <= start + 3 and closing else None


def _asked_of(analysis: Analysis, tokens: list[Token]) -> Concept | None:
    """ "what's the territory for contoso", "who is the territory manager for Pinecrest Veterinary": a
    question about one field, then "for"/"of" and a name the catalog does not know that ends it."""
    head = analysis.head
    if head is None or not tokens or tokens[0].word not in ("what", "who", "which") or head.start > 4:
        return None
    if head.end >= len(tokens) or tokens[head.end].word not in ("for", "of") or not singular(head, tokens):
        return None
    covered = {p for c in analysis.concepts for p in range(c.start, c.end)}
    start = end = head.end + 1
    while end < len(tokens) and end not in covered and _name_word(tokens[end], frozenset()):
        end += 1
    return _owner(tokens, start, end) if start < end <= start + 3 and end == len(tokens) else None


def _owner_record(analysis: Analysis, tokens: list[Token], stop: frozenset[str]) -> Concept | None:
    """ "change contoso's status", "jane doe's job title": a name the catalog does not know, with a
    possessive, owns the field after it. The owner is a company, a contact or a member: the one whose
    schema has the field is the record to change, never the field's own definitions."""
    covered = {p for c in analysis.concepts for p in range(c.start, c.end)}
    # "Adventure Works", "Wide World Importers": a name may end in a plural or a word read as a slip
    in_name = {
        c.start
        for c in analysis.concepts
        if c.end == c.start + 1
        and c is not analysis.head
        and (
            c.source == "corrected"
            or tokens[c.start].plural
            or tokens[c.start].raw.lower() in COMPANY_SUFFIXES
            or _surname(tokens, c.start, covered)
        )
    }
    verb_end = analysis.verb[1] if analysis.verb else 0
    for p in range(1, len(tokens) - 1):
        if not possessive(tokens, p) or _field_after(tokens, p) not in covered:
            continue
        start = p
        while start - 1 >= verb_end and (start - 1 not in covered or start - 1 in in_name):
            if not _name_word(tokens[start - 1], frozenset()):  # "jane doe's": a possessive says it is a name
                break
            start -= 1
        while start < p and start in covered:
            start += 1  # the name opens with a word the catalog does not know
        if start < p:
            return _owner(tokens, start, p)
    return _named_after(analysis, tokens, covered, stop) or _name_told(analysis, tokens, covered)


def _name_told(analysis: Analysis, tokens: list[Token], covered: set[int]) -> Concept | None:
    """ "Contoso: status should be Inactive", "Contoso needs its status changed to Inactive": with no
    verb, a capitalised name the catalog does not know opens the request; a client's field follows."""
    field = next((c for c in analysis.concepts if c.start > 0), None)
    if analysis.verb is not None or field is None or field.text.lower() not in NAME_FIELDS:
        return None
    end = told_name_end(tokens, field.start, covered)
    return _owner(tokens, 0, end) if end and value_follows(tokens, field.end) else None


TOLD_ITS = (["its"], ["need", "its"], ["needs", "its"])
MAX_VALUE_WORDS = 3  # "Mountain West", "Not Approved": a field's value after a colon is short
PERSONAL_PRONOUNS = frozenset("they them their we our us he him his she her it".split())


def told_name_end(tokens: list[Token], field_start: int, covered: set[int] | None = None) -> int:
    """Where a capitalised name opening the request ends, when the field at ``field_start`` is told of
    it after a colon or "its" ("Contoso: status ...", "Contoso needs its status ..."); else 0."""
    end = 0
    while end < min(field_start, 3) and tokens[end].raw[:1].isupper() and tokens[end].raw.isalpha():
        if (covered is not None and end in covered) or tokens[end].word in TIME_WORDS:
            break  # ("Monday: status should be Closed on all tickets": no name)
        end += 1
    between = [t.word for t in tokens[end:field_start]]
    told = field_start < len(tokens) and (tokens[field_start].sentence_start or between in TOLD_ITS)
    # ("Pinecrest Logistics territory: Mountain West": the field right after the name, valued after a colon)
    valued = not between and _colon_follows(tokens, field_start)
    return end if told or valued else 0


def _colon_follows(tokens: list[Token], field_start: int) -> bool:
    """A colon or an arrow closes the one- or two-word field at ``field_start``."""
    return any(valued_after(tokens, field_start + width) for width in (1, 2))


def valued_after(tokens: list[Token], end: int) -> bool:
    """A colon (or a dash, an arrow) closes the words before ``end``: what follows is their value."""
    return end < len(tokens) and tokens[end].clause_start


def value_follows(tokens: list[Token], field_end: int) -> bool:
    """ "... should be Inactive", "... changed to East": a new value ends the request after the field (not
    "should be what?", "should be reviewed", "... and show me their agreements")."""
    rest = tokens[field_end:]
    marker = next((i for i, t in enumerate(rest) if t.word in ("be", "to")), None)
    value = rest[marker + 1 :] if marker is not None else []
    if rest and rest[0].clause_start:  # "territory: Mountain West", "status -> Inactive"
        # (a value, not news: "status: on hold until their budget is approved" is an update to note)
        if len(rest) > MAX_VALUE_WORDS or any(t.word in PERSONAL_PRONOUNS for t in rest):
            return False
        value = rest
    if not value or value[0].word in QUESTION_WORDS or participle(value[0]) or tokens[-1].raw == "?":
        return False
    return not any(t.clause_start or t.word == "and" for t in value[1:])


def _surname(tokens: list[Token], index: int, covered: set[int]) -> bool:
    """ "Jordan Price's", "Chris Case's": a capitalised word after a capitalised name the catalog does not
    know is the rest of that name, though it is a word of the catalog too."""
    before = index - 1
    return (
        before >= 0
        and before not in covered
        and tokens[index].raw[:1].isupper()
        and tokens[before].raw[:1].isupper()
        and tokens[before].raw.isalpha()
    )


def _named_after(analysis: Analysis, tokens: list[Token], covered: set[int], stop: frozenset[str]) -> Concept | None:
    """ "change the default location for mike to tampa", "set contoso to inactive": a name the catalog
    does not know, after the field and "for"/"of" or right after the verb, before the new value."""
    verb_end = analysis.verb[1] if analysis.verb else 0
    for start in range(verb_end, len(tokens)):
        # ("the territory on Kessler Law": "on" a name, as on a record)
        after_field = start > 0 and tokens[start - 1].word in ("for", "of", "on") and start - 2 in covered
        if not (after_field or (start == verb_end and analysis.verb is not None)):
            continue
        end = start
        # "the phone number for contoso should be ...": with no verb, the change stated ends the name
        stated = STATED_CHANGES if analysis.verb is None else frozenset()
        while end < len(tokens) and _name_word(tokens[end], stop) and tokens[end].raw.lower() not in stated:
            suffix = end > start and tokens[end].raw.lower() in COMPANY_SUFFIXES  # "acme corp"
            if end in covered and not suffix:
                break
            end += 1
        if start < end < len(tokens) and (tokens[end].word in CHANGE_MARKERS or tokens[end].raw.lower() in stated):
            return _owner(tokens, start, end)
        if start == verb_end and start < end and _field_then_value(analysis, tokens, start, end):
            return _owner(tokens, start, end)  # "set Contoso status to Inactive"
        # "make Kelly the territory manager for Fabrikam": the new value came first, the owner ends it
        made = analysis.verb is not None and tokens[analysis.verb[0]].word in ("make", "name", "appoint")
        if made and after_field and start < end == len(tokens) and end - start <= 3:
            return _owner(tokens, start, end)
    return None


def _field_then_value(analysis: Analysis, tokens: list[Token], start: int, end: int) -> bool:
    """ "set Contoso status to Inactive": a capitalised name right after the verb, then a field a client
    has and its new value ("set Mike schedule to Friday" names no client's field)."""
    field = next((c for c in analysis.concepts if c.start == end), None)
    if field is None or not tokens[start].raw[:1].isupper() or analysis.verb is None:
        return False
    if field.text.lower().split()[-1] not in CLIENT_FIELDS:
        return False
    return field.end < len(tokens) and tokens[field.end].word in CHANGE_MARKERS


# Words that open a change stated after a name: "... for contoso should be", "... for bob changed to"
STATED_CHANGES = frozenset("should must needs is changed moved switched".split())


def _owner(tokens: list[Token], start: int, end: int) -> Concept:
    kinds = OWNER_RECORDS if end - start == 1 else FULL_NAME_RECORDS
    return Concept(" ".join(t.raw for t in tokens[start:end]), list(kinds), start, end, "implied")


def _name_word(token: Token, stop: frozenset[str]) -> bool:
    """A word that may be part of a name: "jane doe", "adventure works" (not "the", "it", "up", "12")."""
    word = token.raw.lower()  # as written: "world" is no slip for "would" in a name
    return not token.is_number and word not in NAME_BOUNDARIES | SKIPPABLE | PARTICLES and word not in stop


def _owned(tokens: list[Token], concept: Concept, concepts: list[Concept]) -> bool:
    """ "acme's company", "bob's time entry": a record named by its owner, not by a number."""
    owner = concept.start - 2
    return owner >= 0 and possessive(tokens, concept.start - 1) and not any(c.start <= owner < c.end for c in concepts)


def _told_of(tokens: list[Token], concepts: list[Concept]) -> Concept | None:
    """The record a change opens with and tells the state of: "the acme deal is ...", "contoso's VoIP
    deal should be ...": a name or owner, the record's kind, then is/should/needs."""
    for concept in concepts:
        if concept.end >= len(tokens) or tokens[concept.end].raw.lower() not in STATE_COPULAS:
            continue
        start = concept.start
        while start > 0 and concept.start - start < 4 and _name_word(tokens[start - 1], frozenset()):
            start -= 1
        if any(t.word in DESCRIBING_WORDS for t in tokens[start : concept.start]):
            return None  # "mike's default board should be ...": which of the owner's fields
        opened = start > 0 and (tokens[start - 1].word in DEFINITE_WORDS or possessive(tokens, start - 1))
        first = start - 2 if start > 1 and possessive(tokens, start - 1) else start - 1
        if start < concept.start and opened and first <= 1:
            return concept
        return None
    return None


def _renamed(analysis: Analysis) -> bool:
    return analysis.verb is not None and analysis.tokens[analysis.verb[0]].word in RENAMING_VERBS


def _definition_named(
    tokens: list[Token], record: Concept, field: Concept, known: Callable[[str], bool], stop: frozenset[str]
) -> bool:
    """ "the On Hold project status shouldn't allow time", "the Managed Services agreement type should
    default to Gold": a capitalised name in the catalog's or lexicon's words ("Hold", "Services") before a
    record's definition field names that definition, which the request changes; a company's name
    ("the Contoso project status") is unknown to the catalog and names the record. A value given
    to the field ("... status is now on hold", "... to Closed") still changes the record."""
    if field.tokens().isdisjoint(DEFINITION_FIELDS) or record.source != "word" or field.source != "word":
        return False
    start = record.start
    while start > 0 and record.start - start < 3 and tokens[start - 1].proper:
        start -= 1
    name = tokens[start : record.start]
    if not name or start == 0 or tokens[start - 1].word != "the":
        return False
    if not all(known(t.word) or t.word in stop for t in name):
        return False
    after = [t.word for t in tokens[field.end : field.end + 3] if t.word != "now"]
    return not (after and (after[0] in ASSIGNING or after[:2] in (["should", "be"], ["must", "be"])))


def _named(tokens: list[Token], concept: Concept, concepts: list[Concept]) -> bool:
    """ "set the acme company status to inactive": names between the article and a compound say
    which company; the status is that record's field, not the list of company statuses."""
    covered = {p for c in concepts for p in range(c.start, c.end)}
    j = concept.start - 1
    names = 0
    while j >= 0 and j not in covered and not tokens[j].is_number and tokens[j].word not in NAME_BOUNDARIES:
        names, j = names + 1, j - 1
    return names > 0 and j >= 0 and tokens[j].word in DEFINITE_WORDS


def named_child(analysis: Analysis, holds: Callable[[tuple[str, ...], tuple[str, ...]], bool]) -> Concept | None:
    """ "the end of the Discovery phase on project 412": in a change, a record named by its name under a
    numbered parent that holds records of its kind is the one changed; the parent only says where."""
    if analysis.intent != "update":
        return None
    tokens = analysis.tokens
    numbered = [c for _, c in analysis.ids]
    # (or a parent named as the child is: "the Closed status on the Help Desk board")
    parents = {id(c): c.start for c in numbered}
    parents |= {id(c): opening for c in analysis.concepts if (opening := name_opening(tokens, c.start)) is not None}
    # (or by its owner's name: "the Senior Engineer work role on Meridian Credit Union's agreement")
    parents |= {id(c): opening for c in analysis.concepts if (opening := _owner_opening(tokens, c.start)) is not None}
    for parent in [c for c in analysis.concepts if id(c) in parents]:
        opens = parents[id(parent)]
        for child in analysis.concepts:
            # (the child's field may follow it: "the Senior Engineer work role rate on agreement 1203")
            field = next((c for c in analysis.concepts if c.start == child.end and c.end + 1 == opens), None)
            before = field.end if field is not None else child.end
            if child in numbered or child is parent or before + 1 != opens or not singular(child, tokens):
                continue
            if tokens[before].word not in ("on", "in", "of", "for", "under") or child.start < 2:
                continue
            # "the Discovery phase", "the Senior Engineer ...", or any record renamed ("rename the ticket type on ...")
            if name_opening(tokens, child.start) is None and not _renamed(analysis):
                continue
            if any(holds(p, c) for p, _ in parent.alternatives for c, _ in child.alternatives):
                return child
    return None


def _owner_opening(tokens: list[Token], start: int) -> int | None:
    """Where a capitalised owner's name opens before its possessive and the word at ``start``
    ("Meridian Credit Union's agreement"), if one does."""
    if start < 2 or not possessive(tokens, start - 1):
        return None
    name = _capitals_before(tokens, start - 1, 4)
    return name if name < start - 1 else None


def _capitals_before(tokens: list[Token], end: int, most: int) -> int:
    """Where the run of up to ``most`` capitalised words (no numbers) ending before ``end`` starts."""
    name = end
    while name > 0 and end - name < most and tokens[name - 1].raw[:1].isupper() and not tokens[name - 1].is_number:
        name -= 1
    return name


def name_opening(tokens: list[Token], start: int) -> int | None:
    """Where "the" opens a capitalised or quoted name before the word at ``start`` ("the Discovery phase",
    "the Senior Engineer work role", "the 'verify MFA enrollment' task"), if it does."""
    name = _capitals_before(tokens, start, 3)
    # (or a quoted name, in any case: "the 'verify MFA enrollment' task")
    while name > 0 and start - name < 6 and tokens[name - 1].quoted:
        name -= 1
    return name - 1 if start - name > 0 and name > 0 and tokens[name - 1].word == "the" else None


def kinds_before_records(concepts: list[Concept]) -> None:
    """ "a new prospect company", "our reseller companies": a word the lexicon reads only as one of the
    next record's attributes ("company type") says what kind of record that is; it names no
    attribute records of its own and is matched by the record's fields only."""
    for kind, record in itertools.pairwise(concepts):
        literal = [words for words, conf in record.alternatives if conf >= LITERAL]
        if kind.source != "lexicon" or kind.end != record.start or not literal:
            continue
        if all(any(len(p) > len(w) and p[: len(w)] == w for w in literal) for p, _ in kind.alternatives):
            kind.detail = True


def kinds_of_entries(concepts: list[Concept], tokens: list[Token], typed_modules: frozenset[str]) -> None:
    """ "kinds of calendar bookings", "types of expense entries": a module's entries are typed by the
    module's own types (/schedule/types, /expense/types), which name no entry."""
    for kind, record in itertools.pairwise(concepts):
        typed = any(words == ("type",) for words, _ in kind.alternatives)
        if not typed or [t.word for t in tokens[kind.end : record.start]] != ["of"]:
            continue
        for words, confidence in record.alternatives:
            if len(words) == 2 and words[1] == "entry" and words[0] in typed_modules:
                record.alternatives = [((words[0], "type"), confidence), *record.alternatives]
                break


def purpose_after_record(analysis: Analysis) -> None:
    """ "log 1.5 hrs on ticket 7720 for the onsite printer fix": in a create, "for ..." after the record
    it is made under says what the work was for; the things named there describe it, they are not made."""
    if analysis.intent != "create" or not analysis.ids:
        return
    tokens = analysis.tokens
    last = max(c.end + (c.end < len(tokens) and tokens[c.end].is_number) for _, c in analysis.ids)
    if last >= len(tokens) or tokens[last].word != "for":
        return
    numbered = {id(c) for _, c in analysis.ids}
    for concept in analysis.concepts:
        if concept.start > last and id(concept) not in numbered:
            concept.detail = True


# "our offices" are our locations; a client's offices are its sites
OUR_WORDS = frozenset("our we us my ours".split())
CLIENT_PLACE: Phrase = ("company", "site")


def client_places(analysis: Analysis, tokens: list[Token], stop: frozenset[str]) -> None:
    """ "add a second office location for contoso", "Contoso has a new Austin office": a place said
    of a client by name is one of the client's sites, not one of our own locations."""
    if analysis.intent == "update":
        return  # "change the default location for priya": a field of the owner's, no place of theirs
    places = [c for c in analysis.concepts if any(words == ("location",) for words, _ in c.alternatives)]
    if not places or any(t.word in OUR_WORDS for t in tokens) or not _client_named(analysis, tokens, stop):
        return
    for concept in places:
        concept.alternatives = [(CLIENT_PLACE, 1.0), *concept.alternatives]


def _client_named(analysis: Analysis, tokens: list[Token], stop: frozenset[str]) -> bool:
    """A name the catalog does not know after "for" or "at", or before "has" or a possessive."""
    covered = {p for c in analysis.concepts for p in range(c.start, c.end)}
    for i, token in enumerate(tokens):
        if i in covered or not _name_word(token, stop) or token.word in PREAMBLE:
            continue
        before = tokens[i - 1].word if i else ""
        after = tokens[i + 1].raw.lower() if i + 1 < len(tokens) else ""
        if before in ("for", "at") or after in ("has", "s") or (i == 0 and token.proper):
            return True
    return False
