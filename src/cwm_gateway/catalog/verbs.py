"""What a request wants done: read, create, update, delete or count.

"close ticket 123" -> update; "how many open tickets" -> count; "change history of ticket 5" -> read.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import NamedTuple

from . import text
from .analysis import (
    ARROWS,
    CHANGE_MARKERS,
    CLOCK_WORDS,
    DEFINITE_WORDS,
    GENERIC_HEADS,
    LIFTING_VERBS,
    NEW_RECORD_WORDS,
    PARENT_PREPOSITIONS,
    PARTICLES,
    PREAMBLE,
    QUESTION_WORDS,
    RECORD_WORD_USES,
    STATE_VERBS,
    TIME_WORDS,
    TOLD_WORDS,
    WANTED,
    Analysis,
    Concept,
    Token,
    Vocabulary,
    possessive,
    singular,
)
from .concepts import is_plain_verb, participle
from .lexicon import SKIPPABLE, Lexicon
from .records import NAME_FIELDS, told_name_end, value_follows, valued_after
from .subjects import SUBJECT_PRONOUNS, held_by
from .words import PHONE, tokenize

# ", go ahead and delete it", ", can you add her", ", ok to delete it now": politeness before a later
# clause's verb. (Not "i"/"we": ", so I can remind them" states a purpose, not a request.)
LATER_CLAUSE_PREAMBLE = frozenset(
    "please pls kindly and then now also just go ahead can could would you ok okay so to".split()
)
# "get rid of it", "log that for me": a verb whose object is a pronoun is the request's verb
# wherever it stands ("time entry 88 is a dupe so delete it").
OBJECT_PRONOUNS = frozenset("it them that this those these him her".split())
ASKING_WORDS = frozenset("and just please pls kindly".split())
CLOSING_WORDS = frozenset("for me us now please pls out off away asap today thanks thx too as well".split())
# "how many vacation and sick hours": a unit this close after "how many" makes it an amount.
UNIT_WINDOW = 4
JOINING_VERBS = frozenset("add link associate attach tie connect".split())  # "add config 55 to ticket 901"
JOINING_MARKERS = frozenset(("to", "onto", "into", "with"))
PLACED_ON = frozenset(("on", "onto", "in", "into", "to"))  # "put Sarah on project 88's team"
ARTICLES = frozenset(("a", "an", "the"))
TOTAL_WORDS = frozenset(("total",))
# A description matched as a bag of words: how many words, how strong, how many phrases, how sure.
GLOSS_LEAST_WORDS = 2
GLOSS_LEAST_SCORE = 4.0
GLOSS_TOP = 3
GLOSS_CONFIDENCE = 0.7
NOUN_PHRASE_OPENERS = frozenset(
    "the a an all every each any list information info detail details one my our your their its this these those "
    "current currently some many several multiple".split()
)
STATE_WANTED = frozenset(tuple(pair.split()) for pair in WANTED.split(", "))
# A state said right after a record's number: "ticket 4521 resolved", "tkt 50233 waiting on cust"
TERSE_STATES = frozenset("waiting done complete completed resolved closed fixed finished cancelled canceled".split())
# Fields whose new value may follow them with no verb: "ticket 4521 priority high", "opp 612 stage won"
TERSE_FIELDS = frozenset("status state priority severity impact urgency stage board owner".split())
# "template: Time and Materials Detail": a name given as a field's new value, in capitals
MAX_NAME_WORDS = 6
NAME_JOINERS = frozenset("and of the for".split())
# Capitalised opening words that are no client's or record's name: "Verify company 19 territory West"
# checks a value, "Largest company: territory West" picks one out
NOT_NAMES = frozenset(
    "check verify confirm compare validate audit review inspect see latest largest biggest smallest newest "
    "oldest highest lowest most least top first last next previous recent".split()
)
# "budget over 5000", "territory West or East": a filter, not a value given
COMPARISONS = frozenset("over under above below more less than greater fewer exceeds exceeding between".split())
ABOUT_A_FIELD = GENERIC_HEADS | frozenset("history report log change changes audit trail list count option".split())
CHANGE_PARTICIPLES = frozenset(("raise", "lower", "bump", "change", "set", "move", "switch", "flip", "update"))
# "the close date on opp 4410 slipped to March", "probability dropped to 30%": a value moved to,
# told of a record ("rose" and "fell" have no regular past to find their verb by)
MOVED_TO_VERBS = frozenset("drop slip slide rise rose fall fell jump climb grow grew shrink".split())
# "the Proposal stage should carry 60%", "product 55120 should ship from Columbus": what a named
# record should do from now on is a change of it ("shouldn't" is read as "shouldn" and "t")
MODALS = frozenset("should shouldn must mustn".split())
POLITE_ENDINGS = frozenset("please pls plz thanks thx".split())  # "... priority: High please?" asks for it
# "deactivate member 12" has its own action; "deactivate contact 55" sets the contact's inactive flag
SWITCHING_ACTIONS = frozenset("deactivate activate reactivate inactivate".split())
# "approve PO 4410": only time sheets and expense reports have an approve action; others are changed
APPROVING = frozenset("approve reject".split())
# "ping our server whenever a case changes": a message to a machine, sent whenever, is a subscription
TELLING_VERBS = frozenset("notify ping tell alert email message text post send call hit inform warn".split())
MACHINES = frozenset("app application server system endpoint url webhook api integration middleware".split())
# "drop the priority on ticket 55 to low": a delete verb that also lowers a value to something
LOWERING_VERBS = frozenset(("drop",))
# Words that open when something happened: "opened today", "sent last week", "closed and invoiced".
RECENT_WORDS = frozenset("today yesterday week month quarter year since ago".split())
PASSIVE_AUXILIARIES = frozenset("be get got been getting".split())  # "should be deleted", "get it removed"
# "Get-CWMTicket:", "get_ticket_notes(ticket_id):", "cw_get_calendar -": a tool's name, then what it does
# (a cmdlet's parameters may follow its name: "Get-CWMExpenseEntry -ExpenseID: ...")
_TOOL_NAME_RE = re.compile(
    r"\s*[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)+(?:\([^)]*\))?(?:\s+-[A-Za-z]+)*\s*(?::|\s[-\u2013\u2014]\s)"
)


# A request opening with these asks whether something is so ("is invoice 10023 paid"); "do" and
# "have" only before their subject ("do we have ...", not "do a time entry").
QUESTION_OPENERS = frozenset("is are was were has hasnt does doesnt did didnt isnt arent wasnt werent".split())
QUESTION_SUBJECTS = frozenset("we you i they he she it".split())
DID_WORDS = frozenset(("did",))  # what happened; "what do we sell" describes what is sold


HOUR_WORDS = frozenset(("noon", "midnight"))
DURATION_UNITS = frozenset("h hr hrs hour hours min mins minute minutes".split())
# "ticket 5 is still open", "ticket 5 is about the printer": what follows "is" says no new state
TOLD_NOT_STATES = frozenset("still it there this that about from in a an the not".split())
APPROXIMATE = frozenset("about around roughly nearly almost".split())  # "project 427 is about 60 percent done"
AMOUNT_NOW = re.compile(r"(?:[$€£]\s*\d[\d,.]*|\d\s*%)\s+now\W*$", re.IGNORECASE)  # "costs us $412 now", "40% now"
# ", not 2", ", not $1,520": the old value, last, after a new one ("tickets for company 19, not closed")
OLD_VALUE = re.compile(r"\d.*,\s*not\s+[$€£]?\d[\d,.:]*\s*(?:am|pm|%|h|hrs?|hours?)?\W*$", re.IGNORECASE)
# Records a name after them finds ("contact Dana Lee", "team Priya"), not a field's new value
NAMED_RECORDS = frozenset("contact member team company site configuration".split())
# Fields whose value is one of a list of definitions, named: "type hardware", "department finance"
CHOSEN_FIELDS = frozenset(
    "status type priority stage source impact severity department terms role phase territory market location "
    "board category sla warehouse currency calendar tier level".split()
)
# Records numbered in their own right: "ticket 55 time entry 3", "project 88 ticket 77"
RECORD_KINDS = frozenset(
    "ticket entry project opportunity agreement invoice order configuration activity task note phase".split()
)
# What is sent, not a field: "ticket 55 email Dana", "ticket 55 message to Dana"
SENT_THINGS = frozenset(
    "email mail call page text callback message ping phone reply respond response quote reminder notification".split()
)
# What is measured for a period or a person, read: "company 19 revenue 2024", "project 88 time Priya"
MEASURES = frozenset("time cost revenue margin utilization utilisation spend profit billing".split())
PERIOD_WORDS = frozenset("ytd mtd qtd q1 q2 q3 q4 year month quarter week last this".split())
YEAR = re.compile(r"(?:19|20)\d\d")
DATE_FIELD_WORDS = frozenset("date due start end deadline".split())
# "... probability 60%", "amount: 45.60", "budget 5,000": amounts, which the words drop
AMOUNT_AT_END = re.compile(r"(?:[$€£]\s*\d[\d,.]*|\d[\d,.]*\s*%|\d+[.,]\d+)\W*$")
AMOUNT_END = re.compile(r"\bto\s+(?:[$€£]\s*\d[\d,.]*|\d[\d,.]*\s*%)\W*$", re.IGNORECASE)  # "price to $99"
# How fields are clipped in chat ("qty 25", "dept accounting"); longer clippings complete by themselves ("prio")
FIELD_ABBREVIATIONS = {
    "qty": "quantity",
    "amt": "amount",
    "desc": "description",
    "addr": "address",
    "mgr": "manager",
    "dept": "department",
    "hrs": "hour",
    "ph": "phone",
    "tel": "phone",
    "pct": "percent",
}
PHONE_AT_END = re.compile(PHONE + r"\W*$")  # "contact 312 phone 303-555-0142"
PHONE_FIELD_WORDS = frozenset("phone cell mobile fax telephone".split())
# "... end 12/31", "start date 2025-04-01": a date, which the words drop
DATE_AT_END = re.compile(r"\b(?:\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?|\d{4}-\d{1,2}-\d{1,2})\W*$")
WH_WORDS = frozenset("what who whom whose when where which why how".split())  # "status and who placed it"
ASSIGNED = re.compile(r"[a-z]\s*(?::?=|=>)\s*\S", re.IGNORECASE)  # "summary = VPN down", "manager := Priya"
SUBJECT_MATTER_WORDS = frozenset(("about", "that", "saying"))
QUERY_PARAMETERS = frozenset("conditions childconditions customfieldconditions orderby page pagesize fields".split())
FILTERING = re.compile(r"\b(?:where|whose|if|when|filter(?:ed)?|with)\b", re.IGNORECASE)
ACTUAL_VALUE = re.compile(r"\bactually\b.*\d", re.IGNORECASE)  # "actually runs through 8/31/2027"
WANTING = frozenset("need needs want wants like".split())  # "... needs the vendor changed"
SPENDING_WORDS = frozenset("spent spend worked did".split())
PLACING_VERBS = frozenset("put throw stick slap chuck pop".split())


OBJECT_OPENERS = frozenset("the a an his her their our my its".split())  # "to check the backups"


# "contoso has a new office", "acme got a new contact": the owner has something new
OWNING_WORDS = frozenset("has have got gets hired opened".split())


def find_intent(analysis: Analysis, lexicon: Lexicon, vocabulary: Vocabulary, known: dict[str, int]) -> int:
    """Set the request's intent and its verb's span; returns the index after the verb."""
    tokens, query = analysis.tokens, analysis.query
    words = [t.word for t in tokens]
    adverbs = frozenset(w for w in words if len(w) > 4 and w.endswith("ly") and w not in known)
    clause_starts = [t.clause_start for t in tokens]
    found = None
    if prefix := _tool_name_length(query, tokens):
        # "Disable-CWMMember: Deactivates a member": the description's verb says more than the name's.
        for t in tokens[:prefix]:
            t.aside = True
        found = _intent(words, [False] * prefix + clause_starts[prefix:], lexicon, adverbs)
    if not found or not found[0]:
        found = _intent(words, clause_starts, lexicon, adverbs)
        found = _verb_before_content(tokens, found, lexicon, adverbs)
    if not found[0]:
        found = _use_to_verb(tokens, lexicon)
    if not found[0]:
        found = _pronoun_object_verb(words, lexicon)
    if not found[0]:
        found = _deletion_anywhere(tokens, lexicon)
    if not found[0]:
        found = _verb_before_person(tokens, lexicon, known)
    if not found[0]:
        found = _has_a_new(tokens)
    if not found[0]:
        # "for ticket 33 set the source to Phone": the verb may follow the record it is about.
        # ("incident 4410 raised to critical" states a change with a participle: see revised_intent)
        after_ids = [start or _follows_number(tokens, i) for i, start in enumerate(clause_starts)]
        found = _intent(words, after_ids, lexicon, adverbs)
    after_record = found[0] is not None and _record_named(tokens, found[1], found[2], vocabulary, lexicon)
    if after_record:
        # "invoice 4417 status", "batch 12 export", "invoice 4001: change the status": the record and its
        # number; a verb after them says what to do with it, and with none it is read
        found = _verb_after_number(tokens, clause_starts, found[2] + 1, lexicon, adverbs)
    found = _then_write(words, found, lexicon)
    analysis.intent, verb_start, after_verb = found
    # (a verb told after a record's number is one, "batch 12 export to quickbooks"; a plural is not,
    # "batch 12 invoices")
    told = after_record and analysis.intent is not None and not tokens[verb_start].plural
    if (
        analysis.intent
        and not told
        and (
            _noun_not_verb(tokens, verb_start, after_verb, vocabulary, lexicon.stop)
            or _recent_records(tokens, verb_start, after_verb)
            or _verb_opens_a_name(words, verb_start, after_verb, lexicon, vocabulary)
            or _verb_opens_a_resource(words, verb_start, after_verb, vocabulary)
            or (
                _yes_no_question([t.raw.lower() for t in tokens], verb_start)
                and not in_later_clause(tokens, verb_start)
            )
            or _value_of_a_field(tokens, verb_start, after_verb)
        )
    ):
        analysis.intent = None
    analysis.verb = (verb_start, after_verb) if analysis.intent else None
    return after_verb


def _value_of_a_field(tokens: list[Token], verb_start: int, after_verb: int) -> bool:
    """ "ticket 4521 status: New", "Open Tickets Status: New": a verb alone after a field and its colon
    is the field's value (a status called New), not the request's verb ("board: new ticket for ..." is)."""
    opens = verb_start > 0 and tokens[verb_start].sentence_start and tokens[verb_start - 1].word in CHOSEN_FIELDS
    return opens and (after_verb == len(tokens) or tokens[after_verb].clause_start)


def _verb_before_content(
    tokens: list[Token], found: tuple[str | None, int, int], lexicon: Lexicon, adverbs: frozenset[str]
) -> tuple[str | None, int, int]:
    """ "ticket 4521 new note: Replaced toner", "ticket 4521 close: customer confirmed the fix": a verb
    right after a record's number, whose clause a colon ends, is the request's; the words after the
    colon are what it writes, whatever verb opens them."""
    if not found[0] or not tokens[found[1]].sentence_start:
        return found
    before_colon = [i < found[1] and _follows_number(tokens, i) for i in range(len(tokens))]
    earlier = _intent([t.word for t in tokens], before_colon, lexicon, adverbs)
    if not earlier[0] or any(t.clause_start for t in tokens[earlier[2] : found[1]]):
        return found
    return earlier


def _follows_number(tokens: list[Token], index: int) -> bool:
    """A verb may stand right after a record's number ("ticket 4521 close"), not a participle ("closed")."""
    return index > 0 and tokens[index - 1].is_number and not tokens[index].raw.endswith("ed")


def _record_named(tokens: list[Token], start: int, end: int, vocabulary: Vocabulary, lexicon: Lexicon) -> bool:
    """A verb that is a record's name, right before the record's number, names that record:
    - a record read by number, anywhere: "invoice 4417 status", "batch 12 export";
    - any resource opening the request, when a new clause, a change stated or nothing follows the
      number: "invoice 4001: change the status", "invoice 10442 due date should be the 30th".
    ("link 4521 to 4522" and "invoice 4417 for 3 hours" keep the verb: its object follows the number.)"""
    if end - start != 1 or end >= len(tokens) or not tokens[end].is_number:
        return False
    rest = tokens[end + 1 :]
    if rest and rest[0].word in PARENT_PREPOSITIONS:
        return False
    word = tokens[start].word
    if vocabulary.numbered(word):
        return True
    if start != 0 or not vocabulary.names(word):
        return False
    told = any(t.raw.lower() in TOLD_WORDS for t in rest[:4])
    return not rest or rest[0].clause_start or told or _change_stated(rest, _change_verbs(lexicon))


def _verb_after_number(
    tokens: list[Token], clause_starts: list[bool], after: int, lexicon: Lexicon, adverbs: frozenset[str]
) -> tuple[str | None, int, int]:
    """The verb right after a record's number, or opening a later clause (not a participle right
    after it: "batch 12 created by" names who made it)."""
    allowed = [
        (i == after and not tokens[i].raw.endswith("ed")) or (i > after and start)
        for i, start in enumerate(clause_starts)
    ]
    return _intent([t.word for t in tokens], allowed, lexicon, adverbs)


def _then_write(words: list[str], found: tuple[str | None, int, int], lexicon: Lexicon) -> tuple[str | None, int, int]:
    """ "pull up and close the acme ticket": a look first, then the change that is the point."""
    intent, _, end = found
    if intent != "read" or end + 1 >= len(words) or words[end] != "and":
        return found
    then = lexicon.intent_at(words, end + 1)
    if then and then[0] in ("update", "delete", "create", "action"):
        return then[0], end + 1, end + 1 + then[1]
    return found


def _deletion_anywhere(tokens: list[Token], lexicon: Lexicon) -> tuple[str | None, int, int]:
    """A request to delete, worded around the verb: "... so feel free to delete 77", "ticket 55
    should be deleted", "get time entry 33 removed". Only deleting is this safe to read anywhere:
    its verbs name nothing else. A past tense ("who deleted ...") reports and asks nothing."""
    words = [t.word for t in tokens]
    deletes = lexicon.one_word_verbs("delete")
    for position, token in enumerate(tokens):
        raw = token.raw.lower()
        found = lexicon.intent_at(words, position)
        if found and found[0] == "delete" and not raw.endswith(("ed", "ing")):
            return "delete", position, position + found[1]
        passive = position > 0 and words[position - 1] in PASSIVE_AUXILIARIES
        if passive and raw.endswith("ed") and set(text.inflections(raw)) & deletes:
            return "delete", position, position + 1
    return None, 0, 0


def _use_to_verb(tokens: list[Token], lexicon: Lexicon) -> tuple[str | None, int, int]:
    """ "use the onboarding template to create a ticket": what is used, then the verb after "to".
    The verb opens the clause that names the thing made; "use" itself names nothing."""
    words = [t.word for t in tokens]
    if not words or words[0] not in ("use", "using"):
        return None, 0, 0
    for i in range(1, len(words) - 1):
        found = lexicon.intent_at(words, i + 1) if words[i] == "to" else None
        if found and found[0] in ("create", "action"):
            tokens[0].introduces = True
            tokens[i + 1].clause_start = True
            return found[0], i + 1, i + 1 + found[1]
    return None, 0, 0


def _verb_before_person(tokens: list[Token], lexicon: Lexicon, known: dict[str, int]) -> tuple[str | None, int, int]:
    """ "schedule kim on ticket 4521 tomorrow": a word that creates before an article ("schedule a")
    creates before a person's name too; "schedule for bob" stays his schedule."""
    start = 0
    while start + 1 < len(tokens) and tokens[start].word in PREAMBLE:
        start += 1
    if start + 1 >= len(tokens) or lexicon.intent_at([tokens[start].word, "a"], 0) != ("create", 2):
        return None, 0, 0
    name = tokens[start + 1]
    lexicon_word = name.word in lexicon.all_words() or name.word in known
    if not name.raw.isalpha() or lexicon_word or name.word in lexicon.stop or name.word in PARTICLES:
        return None, 0, 0
    return "create", start, start + 1


def _has_a_new(tokens: list[Token]) -> tuple[str | None, int, int]:
    """ "Contoso has a new Austin office", "acme got a new contact": a record a name now has, to add."""
    for i in range(1, min(len(tokens) - 3, 4)):
        owns = tokens[i].raw.lower() in OWNING_WORDS and all(t.raw.isalpha() for t in tokens[:i])
        if owns and tokens[i + 1].word in ("a", "an") and tokens[i + 2].word == "new":
            return "create", i, i + 3
    return None, 0, 0


def _pronoun_object_verb(words: list[str], lexicon: Lexicon) -> tuple[str | None, int, int]:
    """A closing request to create or delete "it": "... is a dupe, so go ahead and get rid of it for me".

    The verb is asked for ("and", "just", "please" before it) and ends the request but for
    politeness; a pronoun object elsewhere ("who may delete them") is no request.
    """
    for position in range(1, len(words)):
        found = lexicon.intent_at(words, position)
        if not found or found[0] not in ("delete", "create") or words[position - 1] not in ASKING_WORDS:
            continue
        end = position + found[1]
        if end < len(words) and words[end] in OBJECT_PRONOUNS and set(words[end + 1 :]) <= CLOSING_WORDS:
            return found[0], position, end
    return None, 0, 0


def described_concept(analysis: Analysis, lexicon: Lexicon) -> Concept | None:
    """What the request's words together describe, by the lexicon's descriptions (a bag of words).

    Only added when the best description shares several words with the request and is not
    already one of its concepts: a hint for requests that share no phrase with the lexicon.
    """
    verb = range(*analysis.verb) if analysis.verb else range(0)
    done = _done_by_subject(analysis.tokens)
    words = {
        t.word
        for t in analysis.tokens
        if t.index not in verb
        and t.index not in done
        and not t.is_number
        and not t.proper
        and not t.introduces
        and len(t.word) > 2
        and t.word not in lexicon.stop
        and t.word not in PREAMBLE
        and not is_plain_verb(t.word, lexicon)  # "log", "open": what to do, not what it is
    }
    # At least one word no concept has used: otherwise the description adds nothing.
    used = {i for c in analysis.concepts for i in range(c.start, c.end)}
    free = {t.word for t in analysis.tokens if t.index not in used} & words
    matches = lexicon.gloss().match(words, GLOSS_LEAST_WORDS, free)
    if not matches or matches[0][1] < GLOSS_LEAST_SCORE:
        return None
    named = {phrase for c in analysis.concepts for phrase, _ in c.alternatives}
    best = matches[0][1]
    alternatives = [
        (phrase, GLOSS_CONFIDENCE * score / best) for phrase, score, _ in matches[:GLOSS_TOP] if phrase not in named
    ]
    if not alternatives or matches[0][0] in named:
        return None
    end = len(analysis.tokens)
    return Concept("(described)", alternatives, end, end, "gloss")


def _done_by_subject(tokens: list[Token]) -> set[int]:
    """ "how many deals did Ravi win", "which tickets did we close": the verb after a question's
    subject says what happened to the records asked about; it describes no other thing."""
    done = set()
    for t in tokens[:-2]:
        subject = tokens[t.index + 1]
        if t.word in DID_WORDS and (subject.proper or subject.word in QUESTION_SUBJECTS):
            done.add(t.index + 2)
    return done


def _tool_name_length(query: str, tokens: list[Token]) -> int:
    """Tokens of a tool or cmdlet name that opens a description ("Get-CWMTicket: Retrieves ..."), or 0."""
    match = _TOOL_NAME_RE.match(query)
    if not match or len(match.group(0)) >= len(query.rstrip()):
        return 0
    length = len(tokenize(match.group(0)))
    return length if length < len(tokens) else 0


def in_later_clause(tokens: list[Token], index: int) -> bool:
    """ "did the fix, now close ticket 4521": the word at ``index`` opens or follows a later clause, so
    a question or a statement opening the request is not about it."""
    return any(t.clause_start for t in tokens[1 : index + 1])


def _yes_no_question(words: list[str], verb_start: int) -> bool:
    """ "is invoice 10023 paid", "did jenny log time on 5000", "do we have a po for it": a question
    about what was done asks to read, not to do it again."""
    if verb_start == 0 or not words:
        return False
    first = words[0]
    if first in QUESTION_OPENERS:
        return True
    return first in ("do", "have") and len(words) > 1 and words[1] in QUESTION_SUBJECTS


def _verb_opens_a_resource(words: list[str], start: int, end: int, vocabulary: Vocabulary) -> bool:
    """ "invoice templates", "invoice email templates for contoso": a verb that opens the name of one of
    the catalog's resources, which then ends the request or meets a preposition, is that resource."""
    if end - start != 1:
        return False
    for name in vocabulary.resource_names():
        stop = start + len(name)
        if tuple(words[start:stop]) != name:
            continue
        # ("change type to hardware": a change and its new value, "to" opens no owner)
        if stop == len(words) or (words[stop] in PARENT_PREPOSITIONS and words[stop] not in CHANGE_MARKERS):
            return True
    return False


def _verb_opens_a_name(words: list[str], start: int, end: int, lexicon: Lexicon, vocabulary: Vocabulary) -> bool:
    """ "change history of ticket 5", "edit history for company 3": the verb is the first word of a
    longer name the lexicon knows, standing alone or before a preposition or a number: a thing, not
    a request. ("log time on ticket 5" stays a request: "time" names a resource, the verb's object.)"""
    found = lexicon.synonyms_at(words, start)
    if not found or found[0] <= end - start or vocabulary.names(words[end]):
        return False
    stop = start + found[0]
    # a longer name may end in the record a number then picks ("change history of ticket 5"); a
    # two-word one before a number is a verb and its object again ("write off 3 keyboards")
    numbered = found[0] > 2 and words[stop].isdigit() if stop < len(words) else False
    return stop == len(words) or words[stop] in PARENT_PREPOSITIONS or numbered


def _noun_not_verb(
    tokens: list[Token], start: int, end: int, vocabulary: Vocabulary, stop: frozenset[str] = frozenset()
) -> bool:
    """ "invoices for company 12", "batch from last month": a verb that names a resource, used as
    that noun (followed by a preposition or nothing) rather than with an object."""
    if end - start != 1:
        return False
    if _participle_before_noun(tokens, start, end):
        return True
    # "labels for returned merchandise", "updates on ticket 5", "batches exported to quickbooks": a
    # plural before the preposition to its owner, or a participle describing it, is a noun, whether
    # or not the catalog names it; a verb takes its object first.
    plural = tokens[start].plural and tokens[start].word not in stop  # not "whats on the calendar"
    if plural and end < len(tokens) and (tokens[end].word in PARENT_PREPOSITIONS or _placed_by(tokens, end)):
        return True
    if not vocabulary.names(tokens[start].word):
        return False
    if end == len(tokens) or tokens[end].word in PARENT_PREPOSITIONS:
        return True
    following = tokens[end]
    if following.is_number or following.proper or following.raw[:1].isupper():
        return False  # "Searches ConnectWise companies", "Invoices Contoso": a name is the verb's object
    # "invoices last month", "invoices by date": a plural before a small word that opens no object
    small = following.word in stop and following.word not in NOUN_PHRASE_OPENERS | NEW_RECORD_WORDS
    if tokens[start].plural and small:
        return True
    # "invoices past due", "schedules this week": a plural noun described by what follows it. A
    # description's verb ("Invoices the client", "Logs time on a ticket") takes an object.
    return (
        tokens[start].plural
        and vocabulary.known({tokens[start].word}).get(tokens[start].word, 0) >= RECORD_WORD_USES
        and following.word not in NOUN_PHRASE_OPENERS
        and (following.word == "by" or not vocabulary.names(following.word))  # "invoices by client"
    )


def _placed_by(tokens: list[Token], index: int) -> bool:
    """ "exported to quickbooks": a participle with its preposition (not "selected properties")."""
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return participle(tokens[index]) and (following is None or following.word in PARENT_PREPOSITIONS)


def _recent_records(tokens: list[Token], start: int, end: int) -> bool:
    """ "new tickets today", "new customers this year": records made lately, listed, not one to make.
    ("new ticket for contoso" and "new contacts for acme: ..." still make them: no time is given.)"""
    if end - start != 1 or tokens[start].word != "new" or end >= len(tokens) or not tokens[end].plural:
        return False
    return any(t.word in RECENT_WORDS for t in tokens[end + 1 :])


def _participle_before_noun(tokens: list[Token], start: int, end: int) -> bool:
    """ "renewing contracts this quarter", "escalated tickets": a verb's -ing or -ed form before a
    plural noun describes those records (as "expiring" or "pending" would); it asks for no change.
    With a record's number it stays a request: "closing ticket 12 now"."""
    return (
        tokens[start].raw.lower().endswith(("ing", "ed"))
        and end < len(tokens)
        and tokens[end].plural
        and not any(t.is_number for t in tokens)
    )


def revised_intent(
    analysis: Analysis,
    after_verb: int,
    lexicon: Lexicon,
    vocabulary: Vocabulary,
) -> str | None:
    """A change the opening verb hides: a record that already has an id is not being created.

    "make ticket 12 high priority", "put ticket 5 on the Network board": a create verb
    whose object is a numbered record. "the urgency of incident 4410 raised to critical":
    no opening verb, but a numbered record and a change verb's participle before "to"/"as".
    """
    numbered = {id(concept) for _, concept in analysis.ids}
    tokens, holds, actions = analysis.tokens, vocabulary.holds, vocabulary.action_words()
    verb_field = analysis.verb is not None and _verb_is_a_field(analysis, analysis.verb[0], vocabulary)
    if verb_field and _terse_change(analysis, lexicon, vocabulary):
        return "update"  # "campaign 14 start date 2025-04-01": a field of the record numbered and its value
    if analysis.intent == "delete" and _lowered_to(analysis, after_verb):
        return "update"
    if analysis.intent in ("create", "update") and _time_put_on(analysis, after_verb):
        return "create"
    if _joins_under(analysis, after_verb, numbered, holds):
        return analysis.intent  # "add config 55 to ticket 901": a new link under the ticket, not a change
    if _given_a_new(analysis, after_verb, holds):
        return "create"  # "give contract 12 a one-time credit": a new record under the one given it
    if analysis.intent is None and _terse_new(analysis, numbered, holds):
        return "create"
    if analysis.intent is None and _standing_order(tokens):
        return "create"
    if analysis.intent == "action" and _switched_off_elsewhere(analysis, holds):
        return "update"
    names_action = _names_action(tokens, analysis.verb, actions) or _reads_as_action(analysis, lexicon, actions)
    moves = analysis.intent in ("create", "action") and not names_action
    if moves and _moved_in_time(tokens, after_verb):
        return "update"
    if analysis.intent == "read" and _gets_it_changed(analysis, after_verb, lexicon):
        return "update"
    if analysis.intent == "create" and _makes_it_so(tokens, after_verb):
        return "update"  # "contact 9021 left, make them inactive": "them" is a record already there
    if analysis.intent == "create" and (
        _lifts_its_field(analysis, after_verb) or _told_after_record(analysis, after_verb)
    ):
        return "update"
    if analysis.intent is None and record_told_by_name(analysis, lexicon, vocabulary) is not None:
        return "update"
    if not numbered:
        return _unnumbered_change(analysis, after_verb, lexicon)
    if _text_for_child(analysis, holds):
        return "create"  # "ticket 4521 note: replaced the toner": a new note with that text, on the ticket
    if analysis.intent is None and _time_spent(tokens):
        return "create"  # "i spent an hour on 4521": time logged, a new time entry
    if analysis.intent is None and (
        _terse_change(analysis, lexicon, vocabulary)
        or _state_told(analysis)
        or _moves_to(analysis, lexicon)
        or _corrected(analysis)
        or _assigned(analysis)
        or _field_to_value(analysis, holds)
    ):
        return "update"
    if analysis.intent == "create":
        following = [c for c in analysis.concepts if c.start >= after_verb]
        if following and id(following[0]) in numbered:
            between = tokens[after_verb : following[0].start]
            # ("jot down what I did on case 4411": a record after "on" holds what is made)
            placed = bool(between) and between[-1].word in PARENT_PREPOSITIONS
            if all(t.word in lexicon.stop or t.word in SKIPPABLE for t in between) and not placed:
                return "update"
        if following and _makes_state(tokens, after_verb, following, numbered):
            return "update"
    # "raise the priority on ticket 12 to high", "push the due date on ticket 9 to Monday"
    verb_acts = analysis.intent in ("create", "action") and not names_action
    if verb_acts and _value_after_record(analysis, lexicon):
        return "update"
    if analysis.intent == "read" and _state_after_late_verb(analysis):
        return "update"
    if analysis.intent is None and (_change_stated(tokens, _change_verbs(lexicon)) or _now_so(tokens, analysis.query)):
        return "update"
    return analysis.intent


def _verb_is_a_field(analysis: Analysis, start: int, vocabulary: Vocabulary) -> bool:
    """ "campaign 14 start date 2025-04-01", "schedule entry 5512 start: 10:30": a verb (at ``start``) right
    after a record's number that opens one of the record's properties, named in more words or before a colon."""
    if start == 0 or start not in {index + 1 for index in _id_numbers(analysis)}:
        return False
    record = _numbered_at(analysis, start - 1)
    if record is None:
        return False
    rest = analysis.tokens[start:]
    named = _own_property(rest, [kind for kind, _ in record.alternatives], vocabulary)
    return named is not None and (len(named.words) > 1 or valued_after(analysis.tokens, named.end))


def _moves_to(analysis: Analysis, lexicon: Lexicon) -> bool:
    """ "opp 4410 expected close moves to the 30th", "ticket 55 switches to the network board": after a
    numbered record, a change verb in the present tense, then "to"/"as", states the record's change."""
    first = min(c.end for _, c in analysis.ids)
    verbs = _change_verbs(lexicon)
    return any(
        t.raw.lower().endswith("s") and t.word != t.raw.lower() and t.word in verbs and following.word in CHANGE_MARKERS
        for t, following in itertools.pairwise(analysis.tokens[first:])
    )


def _change_verbs(lexicon: Lexicon) -> frozenset[str]:
    return CHANGE_PARTICIPLES | MOVED_TO_VERBS | lexicon.one_word_verbs("update")


def _change_stated(tokens: list[Token], change_verbs: frozenset[str]) -> bool:
    """ "raised to critical", "should be on the network board", "is now jane@contoso.com": a change
    stated with no verb that opens the request."""
    wanted = False
    for position, (token, following) in enumerate(itertools.pairwise(tokens), start=1):
        forms = {token.raw.lower(), *text.inflections(token.raw.lower())}
        if following.word in CHANGE_MARKERS and forms & change_verbs:
            return True
        if token.word in MODALS and token.index > 0 and following.word not in SUBJECT_PRONOUNS:
            return True  # (not "should I close ticket 55", "what should we do with ticket 55")
        # "I need ticket 500's priority raised", "po 330 needs the vendor changed": the participle closes
        # the request ("I need the tickets closed last week" lists them)
        wanted = wanted or token.raw.lower() in WANTING
        participle = following.raw.lower()
        closing = all(t.word in CLOSING_WORDS for t in tokens[position + 1 :])
        if (
            wanted
            and closing
            and participle.endswith("ed")
            and {participle, *text.inflections(participle)} & change_verbs
        ):
            return True
        if (token.word, following.word) in STATE_WANTED or (token.word == "need" and following.raw.endswith("ing")):
            return True
    return False


def _switched_off_elsewhere(analysis: Analysis, holds: Callable[[tuple[str, ...], tuple[str, ...]], bool]) -> bool:
    """ "deactivate contact 55", "deactivate the Onsite work type": only members have a deactivate action;
    any other record is switched off by its own inactive flag, a change of it. So with approvals: only
    time sheets and expense reports have an approve action; "approve PO 4410" sets the order's approval
    (never a new order)."""
    if analysis.verb is None or analysis.tokens[analysis.verb[0]].word not in SWITCHING_ACTIONS | APPROVING:
        return False
    start, end = analysis.verb
    verb = analysis.tokens[start].word
    named = [c for _, c in analysis.ids if not start <= c.start < end]
    # (a record with its number, in the catalog's own words: "the tech who left", "mike's login" or
    # "the user account for bob" may well be a member, who can be deactivated; any reading that holds
    # the approval keeps it: "approve Sam's hour card 55")
    literal = bool(named) and (verb in APPROVING or all(c.source == "word" for c in named))
    # (an action hangs under the path's last segment: "time sheet" is .../sheets/{id}/approve)
    return literal and not any(
        holds(words, (verb,)) or holds(words[-1:], (verb,)) for c in named for words, _ in c.alternatives
    )


def _lowered_to(analysis: Analysis, after_verb: int) -> bool:
    """ "drop the priority on ticket 55 to low", "drop opp 4410 to 30%": what a value drops to is its
    new value. A record dropped ("drop Dave from the team", "drop the addition") is deleted."""
    tokens = analysis.tokens
    if analysis.verb is None or not {t.word for t in tokens[analysis.verb[0] : after_verb]} & LOWERING_VERBS:
        return False
    to = next((t.index for t in tokens[after_verb:] if t.word == "to"), None)
    # ("drop the addition to agreement 77": the record it is dropped from, numbered, is no value)
    return to is not None and not any(concept.start > to for _, concept in analysis.ids)


# Records that are mostly their text: "ticket 4521 note: called client, left vm" writes a new one
TEXT_RECORDS = frozenset(("note", "comment"))


def _text_for_child(analysis: Analysis, holds: Callable[[tuple[str, ...], tuple[str, ...]], bool]) -> bool:
    """ "tkt 6302 note: called client, left vm", "project 88 note: kickoff moved to monday": a numbered
    record, one of its text records named without a number, and words after a colon are a new one's text."""
    tokens = analysis.tokens
    _, record = analysis.ids[0]
    at = record.end + 1 if record.end < len(tokens) and tokens[record.end].is_number else record.end
    child = next((c for c in analysis.concepts if c.start == at), None)
    # (the record named, not implied by a bare number; the note right after it, not after a dash)
    if child is None or record.source == "implied" or tokens[at].clause_start or not singular(child, tokens):
        return False
    # (a question, "note: who reported this", asks; one word, "note: internal", says which)
    text = tokens[child.end :]
    if not valued_after(tokens, child.end) or len(text) < 2 or text[0].word in QUESTION_WORDS:
        return False
    if _asks_or_checks(analysis):
        return False
    kinds = [words for words, _ in child.alternatives if words[-1] in TEXT_RECORDS]
    return any(holds(owner, kind) for owner, _ in record.alternatives for kind in kinds)


def _time_put_on(analysis: Analysis, after_verb: int) -> bool:
    """ "put 45 min on 51234", "throw 1.5h on ticket 4521": time put on a record is logged, a new
    time entry; the record itself does not change. (Other verbs, "extend", "raise", change a total.)"""
    tokens = analysis.tokens
    if analysis.verb is None or not {t.word for t in tokens[analysis.verb[0] : after_verb]} & PLACING_VERBS:
        return False
    i = after_verb + 1 if after_verb < len(tokens) and tokens[after_verb].is_number else after_verb
    # (decimals are dropped as no ids: "1.5h" leaves its unit alone)
    return i < len(tokens) and tokens[i].word in DURATION_UNITS


def _time_spent(tokens: list[Token]) -> bool:
    """ "i spent an hour on 4521", "worked 2 hrs on ticket 88": a duration spent on something."""
    for token, following in itertools.pairwise(tokens):
        if token.raw.lower() not in SPENDING_WORDS:
            continue
        i = following.index + 1 if following.is_number or following.word in ("a", "an") else following.index
        if i < len(tokens) and tokens[i].word in DURATION_UNITS:
            return True
    return False


# "give contract 12 a one-time credit", "give mike a new skill": verbs whose second object is made
GIVING_VERBS = frozenset(("give", "grant"))
GIVEN_OWNERS: tuple[tuple[str, ...], ...] = (("company",), ("member",), ("contact",))


def _given_a_new(
    analysis: Analysis, after_verb: int, holds: Callable[[tuple[str, ...], tuple[str, ...]], bool]
) -> bool:
    """A record given a new thing that records of its kind hold (agreements/{parentId}/adjustments):
    the thing is made under it. ("give ticket 5 a higher priority" changes a field: tickets hold no
    priorities.)"""
    verb = analysis.verb
    if verb is None or analysis.intent != "update" or analysis.tokens[verb[0]].word not in GIVING_VERBS:
        return False
    tokens = analysis.tokens
    article = next((t.index for t in tokens[after_verb:] if t.word in NEW_RECORD_WORDS), None)
    if article is None:
        return False
    before = [c for c in analysis.concepts if after_verb <= c.start < article]
    # "a one-time credit": any noun of the thing given, up to the end of its clause
    given = [
        c
        for c in analysis.concepts
        if c.start > article and not any(t.clause_start for t in tokens[article : c.start + 1])
    ]
    if not given or len(before) > 1:
        return False
    owners = [words for words, _ in before[0].alternatives] if before else list(GIVEN_OWNERS)
    # ("agreement adjustment" is an agreement's adjustments: the owner's name opens it)
    children = {
        child[len(o) :] if child[: len(o)] == o else child for o in owners for c in given for child, _ in c.alternatives
    }
    return any(holds(owner, child) for owner in owners for child in children if child)


def _joins_under(
    analysis: Analysis, after_verb: int, numbered: set[int], holds: Callable[[tuple[str, ...], tuple[str, ...]], bool]
) -> bool:
    """ "add config 55 to ticket 901", "link contact 12 to opportunity 2201": a numbered record added to
    another under which records of its kind are added (tickets/{parentId}/configurations) joins that list.
    ("add ticket 55 to project 12" moves the ticket: no ticket is added under a project.)"""
    verb = analysis.verb
    if verb is None or analysis.intent not in ("create", "action"):
        return False
    if not any(t.word in JOINING_VERBS for t in analysis.tokens[verb[0] : verb[1]]):
        return False
    following = [c for c in analysis.concepts if c.start >= after_verb]
    if len(following) < 2 or id(following[0]) not in numbered:
        return False
    tokens, record = analysis.tokens, following[0]
    marker = next((t.index for t in tokens[record.end :] if t.word in JOINING_MARKERS or t.clause_start), None)
    if marker is None or tokens[marker].clause_start:
        return False
    run = [c for c in following[1:] if c.start > marker]
    if not run or any(t.clause_start for t in tokens[marker : run[0].start + 1]):
        return False
    # "to the newsletter marketing group": the noun that ends the words run together
    containers = [run[0]] + [c for previous, c in itertools.pairwise(run) if c.start == previous.end]
    return any(
        holds(parent, child)
        for container in containers
        for parent, _ in container.alternatives
        for child, _ in record.alternatives
    )


def _terse_new(
    analysis: Analysis, numbered: set[int], holds: Callable[[tuple[str, ...], tuple[str, ...]], bool]
) -> bool:
    """ "note on 4521: waiting on parts", "quick task on 8812 - check the backups": chat shorthand for a
    new record under a numbered one, its content after a colon or dash (the list would be "notes")."""
    head, tokens = analysis.head, analysis.tokens
    if head is None or id(head) in numbered or not singular(head, tokens):
        return False
    parents = [c for c in analysis.parents if id(c) in numbered and c.start > head.start]
    if not parents or not any(held_by(parent, head, holds) for parent in parents):
        return False
    # "ticket 4521" or a bare "4521" read as the ticket: the content follows its number
    number = next((t.index for t in tokens[parents[0].end - 1 :] if t.is_number), None)
    return number is not None and number + 2 < len(tokens) and tokens[number + 1].sentence_start


def _id_numbers(analysis: Analysis) -> list[int]:
    """Where the records' numbers stand in the request (or where their codes end: "tax code CO-DEN")."""
    ids, tokens = {word for word, _ in analysis.ids}, analysis.tokens
    code_ends = {
        t.index for t in tokens if t.code in ids and (t.index + 1 == len(tokens) or tokens[t.index + 1].code != t.code)
    }
    return [t.index for t in tokens if (t.is_number and t.word in ids) or t.index in code_ends]


def _numbered_at(analysis: Analysis, index: int) -> Concept | None:
    """The record whose number (or code) ends at ``index``."""
    token = analysis.tokens[index]
    return next((c for word, c in analysis.ids if word in (token.word, token.code)), None)


def _asked(analysis: Analysis) -> bool:
    """A question mark asks: "ticket 4521 closed?", "ticket 5 is still open?"."""
    return analysis.query.rstrip().endswith("?")


def _terse_change(analysis: Analysis, lexicon: Lexicon, vocabulary: Vocabulary) -> bool:
    """ "ticket 4521 -> closed", "ticket 4521 priority high": chat shorthand for a change, no verb.

    Only an arrow, a state right after the record, a field that holds a state or a level followed by
    its new value, or one field of a numbered record and a plain value ("PO 77 vendor Ingram") reads
    as a change: "ticket 4521 notes" and "ticket 4521 status" stay reads.
    """
    tokens = analysis.tokens
    if _asks_or_checks(analysis):
        return False
    if any(arrow in analysis.query for arrow in ARROWS):
        return True
    numbers = _id_numbers(analysis)
    if not numbers:
        return False
    after = tokens[numbers[0] + 1 :]
    # "tkt 50233 waiting on cust", "ticket 4521 resolved": the record opens the request and a state ends
    # it, or says whom it waits on ("ticket 55 completed tasks" names tasks, "tickets for company 19
    # closed" lists tickets, "ticket 4521 closed on friday" asks when)
    first = min(c.start for _, c in analysis.ids)
    opening = _opens_shorthand(tokens[:first], lexicon.stop)
    state = bool(after) and after[0].raw.lower() in TERSE_STATES
    waits = len(after) > 1 and after[0].raw.lower() == "waiting" and after[1].word in ("on", "for")
    if opening and state and (len(after) == 1 or waits):
        return not _asked(analysis)
    # "project 88 status report", "ticket 4521 board history": something about the field, no value;
    # "agreement 512 board defaults" names records of their own, listed
    named = next((c for c in analysis.concepts if c.start == after[0].index), None) if after else None
    listed = named is not None and named.end > named.start + 1 and analysis.tokens[named.end - 1].plural
    # ("sales order 1180 - status and who placed it" asks)
    following = {t.word for t in after[1:]}
    # ("tickets on board 7 priority high" lists the board's tickets of that priority)
    records_listed = _records_listed_before(analysis, first, lexicon.stop)
    # ("priority high or medium", "status: Closed, Resolved": values to filter by)
    alternatives = "or" in following or any(_another_value(tokens, t.index) for t in after[2:])
    if len(after) >= 2 and after[0].word in TERSE_FIELDS and not following & (ABOUT_A_FIELD | WH_WORDS):
        return not listed and not records_listed and not alternatives
    if not opening:
        return False
    # the field of the last record numbered ("agreement 300 addition 3 quantity 25": the addition's), or
    # of one placed under it ("addition 3 on agr 327 qty 45": the addition's too)
    for index in reversed(numbers):
        rest = tokens[index + 1 :]
        owner = _numbered_at(analysis, index)
        if owner is None:
            continue
        for record in (owner, *(_placed_under(analysis, numbers, owner) if index == numbers[-1] else ())):
            # ("ticket 5512 email Dana": a verb, not a field; "invoice description" is a field)
            verb = lexicon.intent_at([t.word for t in tokens], index + 1) if rest else None
            if verb is not None:
                named = _own_property(rest, [kind for kind, _ in record.alternatives], vocabulary)
                verb = None if named is not None and len(named.words) > 1 else verb
            if rest and verb is None and _field_and_value(analysis, rest, record, vocabulary):
                return True
    return False


def _opens_shorthand(before: list[Token], stop: frozenset[str]) -> bool:
    """What may come before the record in shorthand: nothing, a word naming which kind of record
    ("project board 3 team 2 location: Denver"), or the client's name ("Whitman Hotels team entry 5
    role: Account Manager"); not a small word, a check or a pick ("Was", "Verify", "Latest")."""
    if not before:
        return True
    if len(before) == 1 and not before[0].is_number and not _plain_word(before[0], stop):
        return True
    return all(_in_name(t, stop) for t in before)


def _records_listed_before(analysis: Analysis, first: int, stop: frozenset[str]) -> bool:
    """Records named in the plural before the first numbered record ("tickets on board 7 ..."), not a
    client's name ("Whitman Hotels ticket 4521 ...")."""
    tokens = analysis.tokens
    return any(
        tokens[c.end - 1].plural and not c.value and not all(_in_name(t, stop) for t in tokens[c.start : c.end])
        for c in analysis.concepts
        if c.end <= first
    )


def _placed_under(analysis: Analysis, numbers: list[int], parent: Concept) -> list[Concept]:
    """Numbered records said to be on, of or in ``parent``: "addition 3 on agr 327"."""
    tokens, placed = analysis.tokens, []
    for index in numbers:
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is not None and following.word in PARENT_PREPOSITIONS and parent.start > index:
            record = _numbered_at(analysis, index)
            placed += [record] if record is not None and record is not parent else []
    return placed


def _another_value(tokens: list[Token], index: int) -> bool:
    """A comma and then only words in capitals: "Closed, Resolved" (not "In Progress, then notify Dana")."""
    token = tokens[index]
    return token.clause_start and not token.sentence_start and all(t.raw[:1].isupper() for t in tokens[index:])


# "who changed ...", "when was ... moved", "why did ... close": a question about what was done to a record
ASKED_OF_THE_PAST = frozenset("who when why".split())
PAST_AUXILIARIES = frozenset("did was were has had have".split())


def asks_what_was_done(tokens: list[Token]) -> bool:
    """ "who changed ticket 4521 status to Closed", "when was ticket 4521 moved to the Help Desk board",
    "has the VPN article been moved to Hardware?": a question about a change already made reads the
    record or its history; it changes nothing."""
    if len(tokens) < 2:
        return False
    if tokens[0].raw.lower() in PAST_AUXILIARIES - {"have"}:  # ("have PO 9903 set to ...": an order)
        return True
    said = tokens[1].raw.lower()
    return tokens[0].word in ASKED_OF_THE_PAST and (said in PAST_AUXILIARIES or said.endswith("ed"))


def _asks_or_checks(analysis: Analysis) -> bool:
    """ "ticket 4521 status: In Progress?", "Has ticket 4521 priority changed", "Verify ticket 4521 status
    closed": a question or a check of the value, not a change. (Not "ticket 4521 priority: High please?",
    nor a word opening a clause of its own: "Review done, ticket 4521 status: Resolved".)"""
    tokens = analysis.tokens
    if _asked(analysis) and tokens[-1].word not in POLITE_ENDINGS:
        return True
    first = min((c.start for _, c in analysis.ids), default=len(tokens))
    if in_later_clause(tokens, first):
        return False
    opening = tokens[0]
    return opening.raw.lower() in QUESTION_WORDS | QUESTION_OPENERS | MODALS or _checks_or_picks(opening)


def _field_and_value(analysis: Analysis, after: list[Token], owner: Concept, vocabulary: Vocabulary) -> bool:
    """ "PO 77 vendor Ingram", "company 19 territory east", "opp 4410 probability 60%": after a record's
    number, one field and then a value no catalog word names."""
    field = _shorthand_field(analysis, after, owner, vocabulary)
    if field is None:
        return False
    value = [t for t in after if t.index >= field.end]
    dated = bool(set(field.words) & DATE_FIELD_WORDS)
    if not value:  # "probability 60%", "end 12/31"
        return AMOUNT_AT_END.search(analysis.query) is not None or (
            dated and DATE_AT_END.search(analysis.query) is not None
        )
    words = {t.word for t in value}
    ids = set(_id_numbers(analysis))
    # ("billable option: no charge", "status: in progress": after a colon or dash, any words are the value;
    # "template: Time and Materials Detail", a name in capitals, whatever its words say)
    after_colon = value[0].clause_start
    a_name = after_colon and _title_cased(value)
    # (another record and its number, "ticket 55 time entry 3"; "to", "sent to Dana"; about the field)
    numbered = any(t.index in ids for t in value) and field.words[-1] in RECORD_KINDS
    too_long = len(value) > (MAX_NAME_WORDS if a_name else 3)
    if too_long or numbered or (not after_colon and words & (CHANGE_MARKERS | PARENT_PREPOSITIONS)):
        return False
    # (several values, "territory West, East", "West or East", or a comparison, "budget over 5000": a filter)
    commas = any(t.clause_start and not t.sentence_start for t in value[1:])
    joined = "or" in words or ("and" in words and not a_name) or commas
    if joined or words & COMPARISONS:
        return False
    # ("billable option" is a property of time entries, not words about a field; a name in capitals is
    # about the field only when all of it is: "status: Change History")
    about_words = ABOUT_A_FIELD | NAME_JOINERS
    named = a_name and not words <= about_words
    about = (set() if named else words) | (set() if field.own else set(field.words))
    # ("agreement 512 work role exclusions" lists records)
    listed = any(t.plural and t.word not in DURATION_UNITS for t in value)
    free = after_colon and (a_name or not listed)
    if about & ABOUT_A_FIELD or not (free or _plain_value(analysis, field.words, value)):
        return False
    # (a time is a value only of a date: "member 17 schedule Monday", "company 19 revenue 2024" read)
    timed = words & (TIME_WORDS | PERIOD_WORDS) or any(YEAR.fullmatch(t.raw) for t in value)
    return dated or not timed


def _phone_given(analysis: Analysis, field: tuple[str, ...]) -> bool:
    """ "contact 312 phone 555-0142": a phone field, and a phone number ends the request."""
    return bool(set(field) & PHONE_FIELD_WORDS) and PHONE_AT_END.search(analysis.query) is not None


def _title_cased(value: list[Token]) -> bool:
    """ "Time and Materials Detail", "Server Migration Phase 2": a name as written in the product."""
    opening = value[0].raw[:1]
    return opening.isupper() and all(
        t.raw[:1].isupper() or t.raw[:1].isdigit() or t.word in NAME_JOINERS for t in value
    )


class _Named(NamedTuple):
    """A field named in shorthand: where its words end, the words, and whether they name one of the
    record's own properties."""

    end: int
    words: tuple[str, ...]
    own: bool


def _shorthand_field(analysis: Analysis, after: list[Token], owner: Concept, vocabulary: Vocabulary) -> _Named | None:
    """The field named right after a record's number: one field of the record (not "time entries",
    "sent", a record it holds, "company 19 site austin", one found by name, "company 19 contact Dana
    Lee", or one it does not have, "company 19 sla Gold")."""
    if not after or _asked(analysis):
        return None
    kinds = [kind for kind, _ in owner.alternatives]
    # "billable option: no charge", "cancelled date 12/31": words one of the record's own properties
    # is named by (more than one word says which, whatever a word of them could name alone)
    run = _own_property(after, kinds, vocabulary)
    if run is not None and (len(run.words) > 1 or _phone_given(analysis, run.words)):
        return run
    field = next((c for c in analysis.concepts if c.start == after[0].index), None)
    # ("ticket 4521 contact: Dana Lee": a record the ticket points to, given its value after a colon, is
    # the ticket's field; without the colon, "company 19 contact Dana Lee" finds the contact by name)
    valued = run is not None and field is not None and run.end == field.end and valued_after(analysis.tokens, run.end)
    if field is not None and not _may_be_field(analysis, field, owner, vocabulary.holds, valued):
        return None
    # ("project 88 project manager Priya": the catalog's words for the field, read further)
    if field is None or (run is not None and run.end >= field.end):
        return run
    # ("company 19 sla Gold": a definition's name for a field the record lacks; "ticket 55 tech Priya"
    # says the resource in other words)
    chosen = field.text.lower() in CHOSEN_FIELDS
    if chosen and all(vocabulary.has_field(k, (field.text.lower(),)) is False for k in kinds):
        return None
    # ("Invoice 5521: March Managed Services": a title after the colon, no field of the record)
    if after[0].clause_start and after[0].raw[:1].isupper():
        return None
    return _Named(field.end, tuple(field.text.lower().split()), False)


def _may_be_field(
    analysis: Analysis,
    field: Concept,
    owner: Concept,
    holds: Callable[[tuple[str, ...], tuple[str, ...]], bool],
    valued: bool = False,
) -> bool:
    """Not records it lists (plural; "budget hours" is one field), a record it holds, what is sent or
    measured ("ticket 55 email Dana", "project 88 time Priya"), a record found by name unless ``valued``."""
    tokens = analysis.tokens[field.start : field.end]
    if any((t.plural and t.word not in DURATION_UNITS) or participle(t) for t in tokens):
        return False
    if any(holds(kind, words) for kind, _ in owner.alternatives for words, _ in field.alternatives):
        return False
    reading = field.alternatives[0][0]
    return (valued or reading[-1] not in NAMED_RECORDS) and not {t.word for t in tokens} & (SENT_THINGS | MEASURES)


def _own_property(after: list[Token], kinds: list[tuple[str, ...]], vocabulary: Vocabulary) -> _Named | None:
    """The longest run of words (up to four, one clause) opening ``after`` that names a property of the
    record: all of its name, or one word opening it ("end" of endDate; "email contact" is no property,
    only words inside "automaticEmailContactFlag")."""
    for width in (4, 3, 2, 1):
        run = after[:width]
        if len(run) < width or any(t.clause_start for t in run[1:]):
            continue
        # (records it lists are plural; "cancelled date" is one field, "closed" a state)
        plural = any(t.plural and t.word not in DURATION_UNITS for t in run)
        if plural or any(t.is_number for t in run) or (width == 1 and participle(run[0])):
            continue
        words = tuple(FIELD_ABBREVIATIONS.get(t.word, t.word) for t in run)
        if any(vocabulary.has_field(kind, words, whole=True) for kind in kinds):
            return _Named(run[-1].index + 1, words, True)
    return None


def _plain_value(analysis: Analysis, field: tuple[str, ...], value: list[Token]) -> bool:
    """A value no catalog word names, or a definition's name the lexicon knows for a field chosen from
    definitions ("tkt 5512 type hardware"; "company 19 territory manager" names another field)."""
    chosen = field[-1] in CHOSEN_FIELDS
    covered = {p for c in analysis.concepts for p in range(c.start, c.end)}
    lexicon_words = {p for c in analysis.concepts if c.source == "lexicon" for p in range(c.start, c.end)}
    return not any(
        t.index in covered
        and not t.raw[:1].isupper()
        and not t.is_number
        and not (chosen and not t.plural and t.index in lexicon_words)
        for t in value
    )


def _state_told(analysis: Analysis) -> bool:
    """ "activity 300 is done", "time entry 9 was 2 hours not 3": a request that opens with a numbered
    record and says what it is (or was) tells the record's new state. A question asks instead:
    "is ticket 5 closed", "ticket 5 is still open?"."""
    tokens = analysis.tokens
    if _asked(analysis):
        return False
    opening = [c for _, c in analysis.ids if c.start == 0]
    numbers = _id_numbers(analysis)
    if not opening or not numbers or numbers[0] + 2 >= len(tokens):
        return False
    # "ticket 2231 po# is PO-55781": a few words of the field may come between
    window = tokens[numbers[0] + 1 : numbers[0] + 5]
    copula = next((t.index for t in window if t.raw.lower() in TOLD_WORDS), None)
    if copula is None or copula + 1 >= len(tokens):
        return False
    between = tokens[numbers[0] + 1 : copula]
    # (the record's parent may come between: "task 3 on ticket 51402 is done")
    if any(t.word in QUESTION_WORDS or (t.is_number and t.index not in numbers) for t in between):
        return False
    state = tokens[copula + 1]
    # ("project 427 is about 60 percent done": about a number, not about a subject)
    approximate = state.word in APPROXIMATE and copula + 2 < len(tokens) and tokens[copula + 2].is_number
    return approximate or state.word not in TOLD_NOT_STATES | QUESTION_WORDS


def _makes_it_so(tokens: list[Token], after_verb: int) -> bool:
    """ "make them inactive", "put it on hold", "make it open-ended": make/put with a pronoun object."""
    verb = tokens[after_verb - 1].word if after_verb else ""
    if verb not in STATE_VERBS or after_verb + 1 >= len(tokens):
        return False
    # ("put that on her schedule" adds what "that" describes; "put it in my calendar" adds it there)
    if tokens[after_verb].word not in ("it", "them") or tokens[after_verb + 1].word in NEW_RECORD_WORDS:
        return False
    return not any(
        t.word in ("my", "his", "her", "our", "their", "your") for t in tokens[after_verb + 1 : after_verb + 3]
    )


def _standing_order(tokens: list[Token]) -> bool:
    """ "ping our server whenever a case changes", "tell our app whenever a ticket closes": a message
    to a machine whenever something happens is a subscription to set up, a new record ("tickets that
    reopen whenever we close them" are read)."""
    if tokens[0].word not in TELLING_VERBS:
        return False
    # told to a machine, named just before "whenever" ("notify my app url whenever ..."); not "alert me
    # every time ...", nor "email the system admin whenever ...", nor "send the api team a note ..."
    told = [t for t in tokens[1:] if t.word not in ("my", "our", "the", "us")]
    machine = list(itertools.takewhile(lambda t: t.word in MACHINES, told))
    return bool(machine) and len(told) > len(machine) and told[len(machine)].word == "whenever"


def _field_to_value(analysis: Analysis, holds: Callable[[tuple[str, ...], tuple[str, ...]], bool]) -> bool:
    """ "opportunity 1411, sales team member 2: commission percent to 40": after the numbered record and
    a break, a field, "to" and a number is shorthand for a change ("ticket 55: notes to 3" names the
    notes the ticket holds, no field of it)."""
    tokens = analysis.tokens
    numbers = _id_numbers(analysis)
    rest = tokens[max(numbers) + 1 :] if numbers else []
    if not rest or rest[0].word in QUESTION_WORDS or _asked(analysis):
        return False
    to = next((i for i, t in enumerate(rest) if t.word == "to"), None)
    if to is None or not 1 <= to <= 3:
        return False
    value = rest[to + 1 :]
    # after a break, a number ("...: quantity to 25"); right after the number, a name or an amount
    # ("ticket 5121 contact to Dana Lee", "catalog item 5100 price to $99")
    if rest[0].clause_start and not (len(value) == 1 and value[0].is_number):
        return False
    if not rest[0].clause_start and not _named_value(value, analysis.query):
        return False
    # (every word before "to" names a thing, none a participle: not "tasks due up to Friday", "ticket 55
    # sent to Dana")
    named_words = {p for c in analysis.concepts for p in range(c.start, c.end)}
    if not all(t.index in named_words and not participle(t) for t in rest[:to]):
        return False
    if {t.word for t in rest[:to]} & SENT_THINGS:
        return False  # "ticket 55 email to Dana": something sent
    # (records the numbered one holds, or any plural but a unit, are no field of it: "ticket 55: notes to
    # 3", "ticket 55: time entries to 2"; "budget hours to 12" is one)
    field = rest[to - 1]
    if field.plural and field.word not in DURATION_UNITS:
        return False
    owners = [words for _, c in analysis.ids for words, _ in c.alternatives]
    named = [
        words for c in analysis.concepts if rest[0].index <= c.start < rest[to].index for words, _ in c.alternatives
    ]
    return not any(holds(owner, words) for owner in owners for words in named)


def _named_value(value: list[Token], query: str) -> bool:
    """A value written as a name, a number or an amount: "Dana Lee", "Friday", "8", "$99"."""
    if not value:
        return AMOUNT_END.search(query) is not None
    return len(value) <= 4 and (value[0].raw[:1].isupper() or value[0].is_number)


def _now_so(tokens: list[Token], query: str) -> bool:
    """ "the Fabrikam VoIP deal is at Proposal stage now", "qty on addition 3 is 47 now", "catalog item
    NET-SW-24 costs us $412 now": what a record is now, or an amount it is now, said at the end, is its
    new state (not a question: "what is open now")."""
    if len(tokens) < 3 or tokens[-1].raw.lower() != "now" or tokens[0].word in QUESTION_WORDS:
        return False
    # (amounts are no tokens: "$412 now" is read from the request)
    return any(t.raw.lower() in ("is", "are") for t in tokens[1:-1]) or AMOUNT_NOW.search(query) is not None


def _corrected(analysis: Analysis) -> bool:
    """ "schedule entry 660412 runs until 4pm, not 2", "config 7120's warranty actually runs through
    8/31/2027": a statement about a numbered record that corrects a value tells its new value."""
    tokens = analysis.tokens
    if not analysis.ids or tokens[0].word in QUESTION_WORDS or _asked(analysis):
        return False
    # after the records' numbers, a value said "actually", or a new value and then the old one after ", not"
    after = _after_numbers(analysis)
    return ACTUAL_VALUE.search(after) is not None or OLD_VALUE.search(after) is not None


def _after_numbers(analysis: Analysis) -> str:
    """The request's text after the numbers of the records it names."""
    after = analysis.query
    for index in _id_numbers(analysis):
        found = re.search(rf"\b{analysis.tokens[index].raw}\b", after)
        after = after[found.end() :] if found else after
    return after


def _assigned(analysis: Analysis) -> bool:
    """ "for ticket 4003, summary = VPN down", "project 88: manager := Priya": after a numbered record, a
    field set equal to a value (not a filter: "ticket 55 where status = open")."""
    if not analysis.ids or _asked(analysis):
        return False
    after = _after_numbers(analysis)
    found = ASSIGNED.search(after)
    if found is None or FILTERING.search(after[: found.start()]):
        return False
    # (records listed, "company 19 tickets status=open", or the API's own parameters, "orderBy=id", filter)
    tokens, numbers = analysis.tokens, _id_numbers(analysis)
    value = next((t.index for t in tokens if t.assigned), len(tokens))
    left = tokens[max(numbers, default=-1) + 1 : value]
    return not any((t.plural and t.word not in DURATION_UNITS) or t.raw.lower() in QUERY_PARAMETERS for t in left)


def _gets_it_changed(analysis: Analysis, after_verb: int, lexicon: Lexicon) -> bool:
    """ "can we get 4521 moved to the network board", "get ticket 5 changed to closed": "get" a
    numbered record changed is no read ("get me the tickets moved last week" lists them)."""
    verb, tokens = analysis.verb, analysis.tokens
    if verb is None or tokens[verb[0]].raw.lower() not in ("get", "got"):
        return False
    if not any(t.is_number for t in tokens[after_verb : after_verb + 2]):
        return False
    return _change_stated(tokens[after_verb:], _change_verbs(lexicon))


def _state_after_late_verb(analysis: Analysis) -> bool:
    """ "catalog item FW-200 list price should be 1299": a verb read after the record ("list") is a
    word of the field when the state wanted follows it."""
    verb, tokens = analysis.verb, analysis.tokens
    if verb is None or tokens[verb[0]].clause_start:
        return False
    return any((t.word, f.word) in STATE_WANTED for t, f in itertools.pairwise(tokens[verb[1] :]))


def _unnumbered_change(analysis: Analysis, after_verb: int, lexicon: Lexicon) -> str | None:
    """A change to one record named by its description, not its number.

    "put the contoso new hire ticket on hold", "make the northwind outage ticket priority 1":
    make/put with a definite object. "the fabrikam vpn ticket needs to go to the network
    board": no verb, one record and the state wanted for it.
    """
    tokens = analysis.tokens
    verb = tokens[after_verb - 1].word if after_verb else ""
    definite_object = _definite_object(analysis, after_verb)
    if analysis.intent == "create" and verb in STATE_VERBS and (definite_object or _person_made(analysis, after_verb)):
        return "update"
    head = analysis.head
    # (one record: "the Proposal sales stage" is one stage, its last word says so)
    if analysis.intent is not None or head is None or tokens[head.end - 1].plural:
        return analysis.intent
    owned = _owner_opens(analysis, head)
    if tokens[0].word not in DEFINITE_WORDS and not owned:
        return analysis.intent
    rest, change_verbs = tokens[head.end :], _change_verbs(lexicon)
    if _change_stated(rest, change_verbs) or _now_so(tokens, analysis.query):
        return "update"
    # "Pinecrest Logistics territory: Mountain West": the owner's field valued after a colon
    if owned and rest and rest[0].clause_start and not _asks_or_checks(analysis):
        return "update"
    # "sam lee's cell changed": an owner's field said to have changed, its new value to follow
    last = rest[-1].raw.lower() if rest else ""
    if owned and last.endswith("ed") and {last, *text.inflections(last)} & change_verbs:
        return "update"
    return analysis.intent


def record_told_by_name(
    analysis: Analysis, lexicon: Lexicon, vocabulary: Vocabulary
) -> tuple[Concept, tuple[int, int]] | None:
    """A record called by its name in capitals, then one of its fields and the value it gets: "Spring
    Promo campaign: budget 5000", "the Dell manufacturer -> inactive yes", or the kind first, "SLA Gold
    respond hrs 1", "charge code Vacation -> work type: PTO". Returns the record and its name's token
    span. A name before a kind is read first: "Holiday Blitz campaign: status Active" is a campaign,
    whatever "Holiday" could name."""
    tokens = analysis.tokens
    records = [
        record
        for record in analysis.concepts
        # (records listed; a record numbered first is shorthand of its own)
        if not tokens[record.end - 1].plural and not any(c.start < record.end for _, c in analysis.ids)
    ]
    for name_first in (True, False):
        for record in records:
            after = _after_name(tokens, record, name_first, lexicon.stop)
            if after is None or not any(_read_one_by_one(kind, vocabulary) for kind, _ in record.alternatives):
                continue
            if _field_and_value(analysis, tokens[after:], record, vocabulary):
                named_from = next(t.index for t in tokens if t.word not in ARTICLES)
                return record, ((named_from, record.start) if name_first else (record.end, after))
    return None


def _after_name(tokens: list[Token], record: Concept, name_first: bool, stop: frozenset[str]) -> int | None:
    """Where the field starts after a record called by name: the name, then its kind and a colon or an
    arrow; or the kind, then the name. None when the record is not called so."""
    name = [t for t in tokens[: record.start] if t.word not in ARTICLES]
    if name_first:
        if not name or not all(_in_name(t, stop) for t in name):
            return None
        after = record.end
        return after if after < len(tokens) and tokens[after].clause_start else None
    if name:
        return None
    after = next((t.index for t in tokens[record.end :] if not _in_name(t, stop)), len(tokens))
    if after == record.end or after >= len(tokens) or tokens[after].proper:
        return None
    return after


def _in_name(token: Token, stop: frozenset[str]) -> bool:
    """A word of a name in capitals ("Spring Promo", "Whitman Hotels"), not "Was", "Any", "Verify"; or any
    word in quotes ("the 'Laptops Not Charging' kb article")."""
    return token.quoted or (token.raw[:1].isupper() and not token.is_number and not _plain_word(token, stop))


def _plain_word(token: Token, stop: frozenset[str]) -> bool:
    return token.word in stop or _checks_or_picks(token)


def _checks_or_picks(token: Token) -> bool:
    """A word that checks or picks out ("Verify", "Largest"), as written or as read ("confirmed")."""
    return token.word in NOT_NAMES or token.raw.lower() in NOT_NAMES


def _read_one_by_one(kind: tuple[str, ...], vocabulary: Vocabulary) -> bool:
    return kind in vocabulary.resource_names() or (len(kind) == 1 and vocabulary.numbered(kind[0]))


def _owner_opens(analysis: Analysis, head: Concept) -> bool:
    """ "jane doe's email ...", "mike's default board ...": the request opens with a name's possessive."""
    tokens = analysis.tokens
    if tokens[0].word in QUESTION_WORDS:
        return False
    return any(possessive(tokens, i) for i in range(1, min(head.start, 4))) or _name_opens(analysis, head)


def _name_opens(analysis: Analysis, head: Concept) -> bool:
    """ "Contoso: status should be Inactive", "Contoso needs its status changed": a capitalised name opens
    the request, and a client's field follows it after a colon or "its" (a word the catalog knows is no
    name: "Configurations Type: Firewall" lists them)."""
    tokens, covered = analysis.tokens, {p for c in analysis.concepts for p in range(c.start, c.end)}
    told = told_name_end(tokens, head.start, covered) > 0 and value_follows(tokens, head.end)
    return head.text.lower() in NAME_FIELDS and told


def _person_made(analysis: Analysis, after_verb: int) -> bool:
    """ "make Kelly the territory manager for Fabrikam", "make Tomas Rivera the dispatcher on the Help
    Desk board": a name made "the" holder of a field of a record."""
    tokens = analysis.tokens
    the = next((i for i in range(after_verb + 1, min(after_verb + 3, len(tokens))) if tokens[i].word == "the"), None)
    if the is None or the + 1 >= len(tokens) or not all(t.raw.isalpha() for t in tokens[after_verb:the]):
        return False
    # (a name of two words is written with capitals: "make Tomas Rivera the ...")
    if the - after_verb > 1 and not all(t.raw[:1].isupper() for t in tokens[after_verb:the]):
        return False
    named = any(c.start <= i < c.end for c in analysis.concepts for i in range(after_verb, the))
    later = tokens[the + 1 :]
    return not named and any(t.word in ("for", "of", "on") for t in later)


def _moved_in_time(tokens: list[Token], after_verb: int) -> bool:
    """ "push contoso's migration project out to friday": a record moved to another time is changed."""
    rest = tokens[after_verb:]
    for token, following in itertools.pairwise(rest):
        if token.word not in CHANGE_MARKERS and token.word not in PARTICLES:
            continue
        moved_from = any(t.word == "from" for t in tokens[max(0, token.index - 3) : token.index])
        hours = token.index > 0 and _hour_at(tokens, token.index - 1) and _hour_at(tokens, following.index)
        if token.word == "to" and hours and not moved_from:
            continue  # "friday 9 to noon": hours, the new record's ("from 9 to 11" moves one)
        # "out a month", "back 2 weeks", "out by a day": how far it moves
        span = following.index + 1
        while span < len(tokens) and span - following.index < 3 and _measure_word(tokens[span - 1]):
            span += 1
        if any(t.word in TIME_WORDS or _clock_time(tokens, t.index) for t in tokens[following.index : span]):
            return True
    return False


def _hour_at(tokens: list[Token], index: int) -> bool:
    """ "9", "3pm", "noon": an hour of the day (a bare number of one or two digits is one)."""
    token = tokens[index]
    return (token.is_number and len(token.raw) <= 2) or token.word in HOUR_WORDS or _clock_time(tokens, index)


def _measure_word(token: Token) -> bool:
    return token.word in ("a", "an", "by", "one", "two", "few", "couple") or (token.is_number and len(token.raw) < 3)


def _clock_time(tokens: list[Token], index: int) -> bool:
    """ "4pm", "4 pm", "11:30": a time of day."""
    token = tokens[index]
    if not token.is_number:
        return False
    if token.raw.lower().endswith(tuple(CLOCK_WORDS)):
        return True
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return following is not None and (
        following.word in CLOCK_WORDS or (following.is_number and len(following.raw) == 2)
    )


def _reads_as_action(analysis: Analysis, lexicon: Lexicon, actions: frozenset[str]) -> bool:
    """ "kick expense report 20 back to mike", "bounce it back": an action verb the lexicon reads as
    an endpoint's action ("kick back" -> reject), said of a record named as such. A bare number
    is a ticket moved, not rejected: "kick 6603 back to the help desk board"."""
    if analysis.intent != "action" or analysis.verb is None or analysis.verb[1] - analysis.verb[0] < 2:
        return False  # "push" alone may move a record in time ("push the call out to friday")
    if any(c.source == "implied" for _, c in analysis.ids):
        return False
    verb = tuple(t.word for t in analysis.tokens[analysis.verb[0] : analysis.verb[1]])
    return any(target[0] in actions for target in lexicon.synonyms.get(verb, ()))


def _names_action(tokens: list[Token], verb: tuple[int, int] | None, actions: frozenset[str]) -> bool:
    """Is the verb an endpoint's own action ("convert opportunity 5 to a project")?"""
    return verb is not None and any(t.word in actions for t in tokens[verb[0] : verb[1]])


def _value_after_record(analysis: Analysis, lexicon: Lexicon) -> bool:
    """A numbered record followed by "to"/"as" and a plain value: "... on ticket 12 to high".

    Not another record ("apply payment 5 to invoice 12"): the value must name no concept.
    """
    ids = {word for word, _ in analysis.ids}
    # "push 5502 to the escalations board": a bare number is a ticket, so a named value is its new place
    implied = any(c.source == "implied" for _, c in analysis.ids)
    named = set() if implied else {p for c in analysis.concepts for p in range(c.start, c.end)}
    tokens = analysis.tokens
    for i, token in enumerate(tokens):
        if not (token.is_number and token.word in ids):
            continue
        rest = [t for t in tokens[i + 1 :] if t.word not in SKIPPABLE and t.word not in PARTICLES]
        # "on ticket 8 out to Friday": the particle of "push out", "bump up" may come between
        if len(rest) > 1 and rest[0].word in CHANGE_MARKERS:
            value = rest[1]
            if not value.is_number and value.index not in named and not _purpose(tokens, value.index, lexicon):
                return True
    return False


def _purpose(tokens: list[Token], index: int, lexicon: Lexicon) -> bool:
    """ "add a task to ticket 51000 to check the backups", "... to 4521 to replace toner": after "to",
    a verb with its object says what for; a new value ("to high", "to the escalations board") takes
    no article after its word, and is no plain verb."""
    if index + 1 >= len(tokens):
        return False
    if tokens[index + 1].word in OBJECT_OPENERS:
        return True
    # ("to the dispatch board": after an article, a verb's word names the value)
    found = lexicon.intent_at([t.word for t in tokens], index) if tokens[index - 1].word == "to" else None
    return found is not None and not tokens[index].raw.lower().endswith("ed")


def _definite_object(analysis: Analysis, after_verb: int) -> bool:
    """ "make the ...", "raise our ...": the verb's object is one already there; so is an owner's
    ("make bob's default board Help Desk")."""
    tokens = analysis.tokens
    if after_verb < len(tokens) and tokens[after_verb].word in DEFINITE_WORDS:
        return True
    if possessive(tokens, after_verb + 1):
        return tokens[min(after_verb + 2, len(tokens) - 1)].word != "new"
    # ("make Dana Lee's title CFO": a capitalised name of two or three words, then a field of theirs)
    names = after_verb
    while names < min(after_verb + 3, len(tokens)) and tokens[names].raw[:1].isupper():
        names += 1
        if possessive(tokens, names) and names - after_verb > 1:
            return names + 1 < len(tokens) and tokens[names + 1].word in NAME_FIELDS
    return False


def _lifts_its_field(analysis: Analysis, after_verb: int) -> bool:
    """ "raise the hourly rate on the Senior Engineer work role to $175", "raise the minimum on catalog
    item 4410 to 12": raising something already there to a value changes it (no ticket is raised)."""
    tokens = analysis.tokens
    verb = tokens[after_verb - 1].word if after_verb else ""
    lifted = verb in LIFTING_VERBS and any(t.word == "to" for t in tokens[after_verb:])
    return lifted and _definite_object(analysis, after_verb)


def _told_after_record(analysis: Analysis, after_verb: int) -> bool:
    """ "ticket 55: make the priority high", "agreement 300, make the billing cycle Quarterly": a numbered
    record opens the request and the clause after it makes one of its fields a value."""
    if not analysis.ids or analysis.verb is None or analysis.ids[0][1].start != 0:
        return False
    tokens, start = analysis.tokens, analysis.verb[0]
    verb = tokens[after_verb - 1].word
    opened = tokens[start].clause_start and all(c.end <= start for _, c in analysis.ids)
    if not (opened and verb in STATE_VERBS and _definite_object(analysis, after_verb)):
        return False
    # the object and then its value: "the priority high" (not "the schedule entry for tomorrow", "the
    # follow-up call tomorrow", "the change request": something made)
    thing = next((c for c in analysis.concepts if c.start > after_verb), None)
    value = [t.word for t in tokens[thing.end :]] if thing is not None else []
    if not value or value[0] in PARENT_PREPOSITIONS | CHANGE_MARKERS | SUBJECT_MATTER_WORDS:
        return False
    # (a time is the value only of a date: "make the due date Friday")
    return bool(set(thing.text.lower().split()) & DATE_FIELD_WORDS) or not set(value) & TIME_WORDS


def _makes_state(tokens: list[Token], after_verb: int, following: list[Concept], numbered: set[int]) -> bool:
    """ "make the status of ticket 12 Closed": "make"/"put" with a definite object of a numbered record
    states a change; "make a ticket for contact 12" still creates one."""
    verb = tokens[after_verb - 1].word if after_verb else ""
    if verb not in STATE_VERBS or not any(id(c) in numbered for c in following):
        return False
    between = tokens[after_verb : following[0].start]
    # "put Sarah on project 88's team": someone put on a list the record holds joins it
    placed = [t.word for t in between if t.word not in ARTICLES]
    if len(following) > 1 and len(placed) > 1 and placed[-1] in PLACED_ON and between[0].proper:
        return False
    return not any(t.word in NEW_RECORD_WORDS for t in between)


def _intent(
    words: list[str], clause_starts: list[bool], lexicon: Lexicon, adverbs: frozenset[str] = frozenset()
) -> tuple[str | None, int, int]:
    """The verb that opens the request or one of its clauses, after any politeness.

    "please close ticket 12" and "Josh left on Friday, deactivate his account" both
    say what to do; "which agreements renew next month" does not. Adverbs ("permanently
    remove") do not hide the verb either. Returns (intent, index of the verb, index after it).
    """
    for start, is_start in enumerate(clause_starts):
        if not is_start:
            continue
        position = start
        # Later clauses must open with the verb: ", so I can remind them" is not a request to remind.
        skippable = (PREAMBLE if start == 0 else LATER_CLAUSE_PREAMBLE) | adverbs
        while position < len(words) and words[position] in skippable:
            found = lexicon.intent_at(words, position)
            if found:
                return found[0], position, position + found[1]
            position += 1
        found = lexicon.intent_at(words, position) if position < len(words) else None
        if found:
            return found[0], position, position + found[1]
    return None, 0, 0


def count_intent(words: list[str], lexicon: Lexicon, tokens: list[Token], opening: int | None = None) -> bool:
    counts = _total_of(words, lexicon, tokens)
    for position in range(len(words)):
        found = lexicon.intent_at(words, position)
        # "the serial numbers of stock" names numbers; "the number of tickets" counts, and so does
        # the opening verb of a description ("Counts the notes on a project")
        if found and found[0] == "count" and (not tokens[position].plural or position == opening):
            if words[position] == "count" and _ends_a_phrase(words, position, lexicon):
                continue  # "stock count corrections": a thing the lexicon names, counted by nobody
            if words[position] == "count" and words[position + 1 : position + 2] in (["as"], ["toward"], ["towards"]):
                continue  # "which statuses count as won": are taken as, not counted
            after = words[position + found[1] : position + found[1] + UNIT_WINDOW]
            if not any(word in lexicon.units for word in after):
                _mark_count_words(tokens[position : position + found[1]])
                counts = True
    return counts


def _ends_a_phrase(words: list[str], position: int, lexicon: Lexicon) -> bool:
    """Is the word at ``position`` the end of a lexicon phrase that starts before it ("cycle count")?"""
    for start in range(max(0, position - 3), position):
        found = lexicon.synonyms_at(words, start)
        if found and start + found[0] > position:
            return True
    return False


def _total_of(words: list[str], lexicon: Lexicon, tokens: list[Token]) -> bool:
    """ "total contacts we have for litware", "pls total open tickets for contoso": "total" opening a
    request before a plural counts those records ("total hours" is an amount, "the total on invoice
    55" a field)."""
    start = 0
    while start < len(words) and words[start] in PREAMBLE:
        start += 1
    if start >= len(words) or words[start] not in TOTAL_WORDS:
        return False
    following = list(itertools.takewhile(lambda t: t.word not in PARENT_PREPOSITIONS, tokens[start + 1 :]))
    plural = next((t for t in following[:UNIT_WINDOW] if t.plural), None)
    if plural is None or any(t.word in lexicon.units for t in following[: plural.index - start]):
        return False
    tokens[start].introduces = True
    return True


def _mark_count_words(phrase: list[Token]) -> None:
    """ "Gets the number of companies": "number" asks for a count and names no serial numbers.
    "count" itself stays a word: the catalog's count operations are named by it."""
    for token in phrase:
        if token.word != "count":
            token.introduces = True
