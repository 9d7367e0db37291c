"""What a request reads as: its tokens, the things it names, and the words that decide them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from .lexicon import Phrase

# Words that may come before the verb without hiding it ("please close ...", "I need to add ...").
PREAMBLE = frozenset(
    "please pls plz kindly can could would will you u i we need needs want wants to let lets s help me us go ahead "
    "and then just quickly now also hey hi ok okay so like try trying gonna going have got d ll re "
    # how tool and API documentation opens: "This function will ...", "Allows you to ...", "Used to ..."
    "this function cmdlet command tool method operation endpoint helper api will shall allows allow lets "
    "used use is be able "
    # "Performs a bulk update of configurations", "Bulk deletes tickets": the verb is the noun or verb after
    "perform performs performing a an bulk".split()
)
PARENT_PREPOSITIONS = frozenset("on of in for under against to from within inside".split())
# "ticket number 4521", "PO no. 77"
ID_FILLERS = frozenset("no num nbr number id record".split())
INTENT_METHODS = {
    "create": ("POST",),
    "action": ("POST",),
    "update": ("PATCH", "PUT"),
    "delete": ("DELETE",),
    "read": ("GET",),
}
# "priority raised to critical", "status changed to closed": a change stated after the fact.
CHANGE_MARKERS = frozenset(("to", "as", "into"))
ARROWS = ("->", "=>", "\u2192")  # "ticket 4521 -> closed": a change, and a new clause
# "activity 300 is done", "invoice 10442 terms are net 30 now": what a record is (or was) told to be
TOLD_WORDS = frozenset("is was are were".split())
LITERAL = 0.95  # confidence of a lexicon target written in the request itself
# "make the status of ticket 12 Closed": a create verb that also states what something becomes
STATE_VERBS = frozenset(("make", "put"))
# "raise the rate on the Senior Engineer role to $175": a create verb ("raise a ticket") that also lifts a
# value to something
LIFTING_VERBS = frozenset(("raise",))
PARTICLES = frozenset("out up down over back forward".split())  # "push ... out to Friday", "bump ... up to P1"
# "sign acme up for ...", "send my timesheet in", "shut his account off": particles a verb may leave
# behind its object; "in", "on", "off" also open places, so only before a preposition or the end.
SPLIT_PARTICLES = PARTICLES | frozenset("in on off away".split())
SPLIT_OBJECT = 6  # words an object may have between a verb and its particle ("expense report 20")
NEW_RECORD_WORDS = frozenset("a an new another".split())
# "make ticket 600 a child of 599", "nest 45 under 40": one numbered record put under another
RELATION_WORDS = frozenset("child children parent subticket nest nested under beneath".split())
# Records one kind of record can be converted into (convertToProject, tickets' convert to a project
# ticket or issue); as the catalog spells them ("sales order" is "sale order").
CONVERSION_KINDS = frozenset(
    tuple(words.split())
    for words in "ticket, service ticket, project ticket, project issue, project, agreement, sale order".split(", ")
)
# The records that convert (opportunities/{id}/convertTo..., orders/{id}/convertToServiceTicket, tickets' convert)
CONVERTIBLE = frozenset(
    tuple(words.split())
    for words in "opportunity, sale order, order, ticket, service ticket, project ticket".split(", ")
)
# "make opportunity 40 a service ticket", "turn 600 into a project": a verb that may make one record another
CONVERSION_VERBS = frozenset("make turn change convert move switch transform".split())
CONVERSION_MARKERS = frozenset("into to as a an".split())
# What a bare number's ticket can have done to it (/service/tickets/{id}/merge, attachChildren, convert, copy)
TICKET_ACTIONS = frozenset("merge attach convert copy".split())
DEFINITE_WORDS = frozenset("the my our".split())  # one record already there ("put that on her schedule" adds one)
TIME_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday tomorrow today tonight next later noon midnight "
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    # "push the close date to end of month", "slide it to q3"
    "end eom eod eow day week month quarter q1 q2 q3 q4".split()
)
CLOCK_WORDS = frozenset(("am", "pm", "oclock"))  # "2pm", "4 pm": a time, never a record


class Vocabulary(Protocol):
    def known(self, words: set[str]) -> dict[str, int]:
        """Document frequency of each word the catalog uses (unknown words are absent)."""

    def stats(self, words: set[str]) -> dict[str, tuple[int, int]]:
        """(operations using the word, operations whose path or category uses it) per known word."""

    def correct(self, word: str, raw: str | None = None) -> str | None:
        """The catalog or lexicon word a misspelt or abbreviated ``word`` (written ``raw``) most likely means."""

    def correct_plural(self, raw: str, swaps_only: bool = False) -> str | None:
        """The catalog word whose plural ``raw`` misspells ("entires" -> entry), if any."""

    def respelled(self, written: str) -> str | None:
        """The catalog's word that ``written`` spells the other (British) way: colours -> color."""

    def base_form(self, word: str) -> str | None:
        """The uninflected word ("scheduled" -> "schedule") when only that one names an operation."""

    def names(self, word: str) -> bool:
        """Does the word name something (a path segment or category), not just a field?"""

    def name_words(self) -> frozenset[str]:
        """Every word that names a path segment or category."""

    def segment(self, word: str) -> list[str] | None:
        """A run-together compound split into words that name things: "timeentries" -> time, entries."""

    def action_words(self) -> frozenset[str]:
        """Words that open an action endpoint's last segment: generate, deactivate, convert."""

    def resource_names(self) -> frozenset[tuple[str, ...]]:
        """The catalog's resource names of two words or more: (work, type), (security, role)."""

    def holds(self, parent: tuple[str, ...], child: tuple[str, ...]) -> bool:
        """Can ``child`` records be added under one ``parent`` record (POST tickets/{parentId}/configurations)?"""

    def lists_under(self, parent: tuple[str, ...], child: tuple[str, ...]) -> bool:
        """Are ``child`` records read under one ``parent`` record (GET tickets/{parentId}/notes)?"""

    def points_to(self, record: tuple[str, ...], owner: tuple[str, ...]) -> bool:
        """Does a ``record`` have a field naming one ``owner`` record (an invoice's agreement)?"""

    def numbered(self, word: str) -> bool:
        """Is ``word`` a record's one-word name, read one by one by number (GET /finance/invoices/{id})?"""

    def has_field(self, record: tuple[str, ...], field: tuple[str, ...], whole: bool = False) -> bool | None:
        """Does a ``record`` have a property whose words run ``field`` (``whole``: all of its name, or its
        first word)? None when the record is not known."""


@dataclass
class Token:
    word: str
    raw: str
    index: int
    proper: bool = False  # capitalised mid-sentence: a name (Dave, Contoso), never "corrected"
    corrected_from: str | None = None
    clause_start: bool = False  # first word of the request or after , . ; : ! ? -
    sentence_start: bool = False  # first word or after . ; : ! ? (not a comma)
    full_stop: bool = False  # after . ; ! ? (not a colon, not "e.g."): a sentence of its own follows
    switch: bool = False  # written "-Condition": a cmdlet's parameter, not a thing the request names
    plural: bool = False  # written as a plural ("notes"), before folding
    detail: bool = False  # after "with", "including", "filter by": a detail, not the subject
    parenthesised: bool = False  # "(On-Site, Remote)", "(-TicketID)": examples or asides
    aside: bool = False  # part of a tool's name before its description ("Get-CWMTicket: ...")
    introduces: bool = False  # "called", "including": introduces a name or details, names nothing itself
    in_name: bool = False  # the number in a product's name ("office 365"), never a record's id
    assigned: bool = False  # after "=": "budget hours = 120" sets a value, it names no record
    quoted: bool = False  # inside quotes: "the 'verify MFA enrollment' task" is a name
    code: str | None = None  # part of a code written in capitals and dashes ("CW-HP-PROBOOK"): the code
    phone: bool = False  # digits of a phone number ("555-0142"): a value, never a record's id

    @property
    def is_number(self) -> bool:
        return self.word.isdigit() and not self.in_name


@dataclass
class Concept:
    """One thing the request names, with the catalog phrases that may express it."""

    text: str
    alternatives: list[tuple[Phrase, float]]
    start: int
    end: int  # exclusive token index
    source: str = "word"  # word | lexicon | corrected

    detail: bool = False  # named as a detail ("with a status"), not as the subject
    aside: bool = False  # only in a tool's name ("cw_get_calendar - ..."): the description says more
    parenthesised: bool = False  # "(user licence)": an aside, never the head
    value: bool = False  # in a change, the new value ("to Senior Engineer"): a detail, never a parent

    def tokens(self) -> set[str]:
        return {t for phrase, _ in self.alternatives for t in phrase}


@dataclass
class Analysis:
    query: str
    tokens: list[Token]
    concepts: list[Concept] = field(default_factory=list)
    intent: str | None = None  # create | update | delete | action | read
    count: bool = False
    ids: list[tuple[str, Concept]] = field(default_factory=list)
    head: Concept | None = None
    parents: list[Concept] = field(default_factory=list)  # "notes on a project": project
    listed_after_number: bool = False  # "agreement 77 invoices": the head's records, listed under that record
    # Records the request points at: "ticket 12", "on case 12", "contact 55's": their fields may be named.
    records: list[tuple[Concept, bool]] = field(default_factory=list)
    verb: tuple[int, int] | None = None  # token span of the verb that gives the intent
    one_record: bool = False  # "get a single company by its ID": the {id} form, though no id is given
    qualifiers: set[str] = field(default_factory=set)

    @property
    def methods(self) -> tuple[str, ...]:
        return INTENT_METHODS.get(self.intent or "", ())


def possessive(tokens: list[Token], index: int) -> bool:
    """Is ``tokens[index]`` the "s" of "ticket's"?"""
    return index > 0 and index < len(tokens) and tokens[index].word == "s" and tokens[index].raw.lower() == "s"


def singular(concept: Concept, tokens: list[Token]) -> bool:
    """Were the concept's words written in the singular ("status", not "notes")?"""
    return not any(t.plural for t in tokens[concept.start : concept.end])


GENERIC_HEADS = frozenset("details detail information info data summary overview".split())
SUBJECT_MATTER = frozenset("about regarding concerning".split())  # "a ticket about the printer"
ID_WORDS = frozenset("id identifier recid".split())
# "the budget on project 18 needs to be 120 hours", "ticket 77 should be on the board":
# a numbered record and the state it should be in.
WANTED = (
    "should be, should go, must be, need to, need be, has to, have to, ought to, is now, are now, now is, now be, "
    "should read, should say, should show, "
    # "50123 belongs on the network board": where a record should be
    "belong on, belong in, belong to, belong under, goe on, goe in, goe to, goe under, "
    # "agreement 44 should end on friday", "FW-200 should cost 1299": a date or amount wanted
    "should end, should start, should expire, should cost, should close"
)
QUESTION_WORDS = frozenset("what who whom whose when where which why how is are does do did can could".split())
# A word this many operations use names a kind of record ("invoice", "schedule"), not only an
# action ("approve", "merge"): "Invoices past due" lists invoices, "Approves pending sheets" acts.
RECORD_WORD_USES = 40
# "techs with the most overtime", "clients with the fewest tickets": records ranked by how many of
# another thing they have. The thing counted is what must be listed; the records only group it.
RANKING_WORDS = frozenset("most fewest least".split())
