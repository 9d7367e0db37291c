"""Reading a request: which things it names, and what it wants done with them.

"close ticket 123" -> concepts [ticket], intent update (PATCH/PUT), id 123 on ticket.
"how many open tickets" -> count. "notes on a project" -> head noun "notes".
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import replace

from . import text
from .analysis import (
    CHANGE_MARKERS,
    CLOCK_WORDS,
    CONVERSION_KINDS,
    CONVERSION_MARKERS,
    CONVERSION_VERBS,
    CONVERTIBLE,
    DEFINITE_WORDS,
    ID_FILLERS,
    LITERAL,
    NEW_RECORD_WORDS,
    PARENT_PREPOSITIONS,
    PARTICLES,
    PREAMBLE,
    RELATION_WORDS,
    SPLIT_OBJECT,
    SPLIT_PARTICLES,
    STATE_VERBS,
    TICKET_ACTIONS,
    TIME_WORDS,
    Analysis,
    Concept,
    Token,
    Vocabulary,
    possessive,
    singular,
)
from .lexicon import SKIPPABLE, Lexicon, Phrase, phrase
from .records import find_ids, named_alone, records_named, unknown_verb_change

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
# Fields named beside the subject: "with a status", "including its totals", "filtered by vendor".
# (Examples, "such as net 30", are not details: they are often the best hint at the subject.)
DETAIL_OPENERS = frozenset("with including include includes incl".split())
# "a company called Fabrikam": the words after it are the new record's name, not things to find.
NAME_INTRODUCERS = frozenset("called named titled entitled".split())
SUBJECT_PRONOUNS = frozenset("who which that i we you they he she it".split())
GENERIC_HEADS = frozenset("details detail information info data summary overview".split())
GENERIC_NOUNS = frozenset("account accounts record records profile profiles".split())
SUBJECT_MATTER = frozenset("about regarding concerning".split())  # "a ticket about the printer"
COUNT_WORD = frozenset(("count",))
PLACE_PREPOSITIONS = frozenset(("at",))  # "configs at the hq site": where the records are
JOINING_VERBS = frozenset("add link associate attach tie connect".split())  # "add config 55 to ticket 901"
JOINING_MARKERS = frozenset(("to", "onto", "into", "with"))
# "add mike to group 4", "remove mike from group 4", "take bob off the team": where a person joins or leaves
JOIN_PREPOSITIONS = {"create": frozenset(("to", "onto", "into")), "delete": frozenset(("from", "off"))}
JOIN_VERBS = frozenset("add remove delete del drop take kick".split())
# ... as the record's member or contact: group contacts, team members, project team members
JOINED_PERSON: tuple[tuple[tuple[str, ...], float], ...] = ((("member",), 0.9), (("contact",), 0.9))
TOTAL_WORDS = frozenset(("total",))
CONTENT_FOR = frozenset(("for", "at"))  # "a ticket for contoso printer down": the name, then the content
FILTER_WORDS = frozenset("filter filtered filtering sorted sort ordered searchable".split())
# "the teams defined on a service board", "members configured in the system": documentation's
# participles between a thing and what it belongs to name neither.
PLACING_PARTICIPLES = frozenset("defined configured available registered stored recorded belonging kept".split())
# "Return information about the current user", "details of an opportunity": the thing is what is asked for.
ABOUT_WORDS = frozenset(("information",))  # "details", "data" are stop words already
# A description matched as a bag of words: how many words, how strong, how many phrases, how sure.
GLOSS_LEAST_WORDS = 2
GLOSS_LEAST_SCORE = 4.0
GLOSS_TOP = 3
GLOSS_CONFIDENCE = 0.7
# "an array of tickets", "a collection of agreement objects": documentation's lists of records
CONTAINER_WORDS = frozenset("array collection page".split())
OBJECT_WORDS = frozenset("object objects".split())
ID_KINDS = frozenset("numeric internal unique record".split())
PAGING_WORDS = frozenset("paged paginated pageable pagination".split())  # a paged list is a list
MODIFIER_WORDS = frozenset(("bulk",))  # opens a description ("Bulk deletes tickets") and names a variant
# The API's query parameters, as a description names them ("the conditions parameter").
QUERY_PARAMETERS = frozenset("condition conditions filter field fields page size order".split())
# "get a single company by its numeric ID": one record is wanted, though no id is given.
ONE_RECORD_WORDS = frozenset("single specific particular individual one".split())
# "Returns the specified member", "Gets the requested invoice": documentation's way of naming one
# record whose id the caller passes; only before a singular noun ("the specified members" may be many).
DESIGNATED_WORDS = frozenset("specified given provided supplied requested designated indicated selected".split())
ID_WORDS = frozenset("id identifier recid".split())
ID_INTRODUCERS = frozenset("by its their numeric given unique internal with specified provided supplied login".split())
NOUN_PHRASE_OPENERS = frozenset(
    "the a an all every each any list information info detail details one my our your their its this these those "
    "current currently some".split()
)
# "the budget on project 18 needs to be 120 hours", "ticket 77 should be on the board":
# a numbered record and the state it should be in.
_WANTED = (
    "should be, should go, must be, need to, need be, has to, have to, ought to, is now, are now, now is, now be, "
    "should read, should say, should show, "
    # "agreement 44 should end on friday", "FW-200 should cost 1299": a date or amount wanted
    "should end, should start, should expire, should cost, should close"
)
STATE_WANTED = frozenset(tuple(pair.split()) for pair in _WANTED.split(", "))
ARROWS = ("->", "=>", "\u2192")  # "ticket 4521 -> closed"
# Fields whose new value may follow them with no verb: "ticket 4521 priority high", "opp 612 stage won"
TERSE_FIELDS = frozenset("status state priority severity impact urgency stage board owner".split())
ABOUT_A_FIELD = GENERIC_HEADS | frozenset("history report log change changes audit trail list count option".split())
QUESTION_WORDS = frozenset("what who whom whose when where which why how is are does do did can could".split())
CHANGE_PARTICIPLES = frozenset(("raise", "lower", "bump", "change", "set", "move", "switch", "flip", "update"))
STATE_WORDS = frozenset(("status", "state"))
# A word this many operations use names a kind of record ("invoice", "schedule"), not only an
# action ("approve", "merge"): "Invoices past due" lists invoices, "Approves pending sheets" acts.
RECORD_WORD_USES = 40
IN_STATE = 0.9  # "deals we lost": the deals, read as opportunity beside opportunity status
# "techs with the most overtime", "clients with the fewest tickets": records ranked by how many of
# another thing they have. The thing counted is what must be listed; the records only group it.
RANKING_WORDS = frozenset("most fewest least".split())
REPORT_WORDS = frozenset("report summary overview breakdown rundown rollup recap".split())
# Words that open when something happened: "opened today", "sent last week", "closed and invoiced".
RECENT_WORDS = frozenset("today yesterday week month quarter year since ago".split())
WHEN_WORDS = TIME_WORDS | frozenset("this last yesterday since before after during between ago and or".split())
GROUP_REACH = 4  # words a preposition may stand before its noun: "of the big Contoso deal"
PASSIVE_AUXILIARIES = frozenset("be get got been getting".split())  # "should be deleted", "get it removed"
VALUE_OPENERS = frozenset("our my their his her new".split())  # "to our new sales rep Dan"
_DECIMAL_RE = re.compile(r"\d+[.,]\d+")
# "Get-CWMTicket:", "get_ticket_notes(ticket_id):", "cw_get_calendar -": a tool's name, then what it does
# (a cmdlet's parameters may follow its name: "Get-CWMExpenseEntry -ExpenseID: ...")
_TOOL_NAME_RE = re.compile(
    r"\s*[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)+(?:\([^)]*\))?(?:\s+-[A-Za-z]+)*\s*(?::|\s[-\u2013\u2014]\s)"
)
_AMOUNT_RE = re.compile(r"[$€£]\s*\d+|\d+\s*%")  # "$42 parking", "80%": amounts, never ids
_NUMBER_OF_RE = re.compile(r"#\s*of\b", re.IGNORECASE)  # "# of open pos": the number of them
_CHUNK_RE = text.WORD_RE  # "sub categories" is one word, as the catalog writes it


def tokenize(query: str) -> list[Token]:
    """Words of a request with what ranking needs to know about each.

    Decimals ("1.5 h") are quantities, never ids, so they are dropped here.
    """
    cleaned = _AMOUNT_RE.sub(" ", _DECIMAL_RE.sub(" ", _NUMBER_OF_RE.sub("number of", query)))
    out: list[Token] = []
    depth = 0  # parentheses: "(On-Site, Remote, In-House)" are examples or asides
    previous_end = 0
    chunks = list(_CHUNK_RE.finditer(cleaned))
    capitalised = [_capitalised(m.group(0)) for m in chunks[1:] if m.group(0).isalpha()]
    # "Get Ticket Notes By Id" is written in title case: its capitals mark no names.
    title_case = len(capitalised) >= 2 and sum(capitalised) * 2 > len(capitalised)
    for chunk_index, match in enumerate(chunks):
        chunk = match.group(0)
        proper = chunk_index > 0 and not title_case and _capitalised(chunk)
        gap = cleaned[previous_end : match.start()]
        # A clause starts after , . ; : ! ? or a free-standing dash, not inside "break-fix" nor
        # before a cmdlet's parameter ("the -Condition parameter").
        switch = gap.endswith("-") and gap[:1].isspace()
        dash = gap.strip() in ("-", "–", "—") and " " in gap and not switch
        starts_clause = chunk_index == 0 or dash or any(c in ",.;:!?" for c in gap)
        depth = max(0, depth + gap.count("(") - gap.count(")"))
        for piece_index, piece in enumerate(text.split_identifier(chunk)):
            word = text.stem(piece)
            token = Token(word, chunk, len(out), proper=proper, clause_start=starts_clause and not piece_index)
            token.plural, token.parenthesised = word != piece, depth > 0
            token.sentence_start = not piece_index and (chunk_index == 0 or dash or any(c in ".;:!?" for c in gap))
            token.full_stop = not piece_index and chunk_index > 0 and _full_stop(gap, chunks[chunk_index - 1].group(0))
            token.switch = switch
            out.append(token)
        after = cleaned[match.end() : match.end() + 2]
        if chunk[-1:] in ("s", "S") and after[:1] in ("'", "\u2019") and not after[1:].isalnum():
            # "adventure works' territory": the possessive of a name ending in s, as "works's" would be
            out.append(Token("s", "s", len(out), clause_start=False))
        previous_end = match.end()
    return out


def _full_stop(gap: str, previous: str) -> bool:
    """Does the gap end one sentence and open another ("... ticket. Notes are ...")? Not a colon,
    which opens an elaboration ("billed: monthly, quarterly"), nor "e.g." or "i.e."."""
    return any(mark + " " in gap + " " for mark in ".;!?") and len(previous) > 1


def _capitalised(chunk: str) -> bool:
    return chunk[0].isupper() and not chunk.isupper() and chunk[1:].islower()


def analyze(query: str, lexicon: Lexicon, vocabulary: Vocabulary, expand: bool = True) -> Analysis:
    """Read a request: its words (mended and corrected), its verb, the things it names and how they relate."""
    tokens, known = _read_words(tokenize(query), lexicon, vocabulary, expand)
    tokens = _join_split_verbs(tokens, lexicon)
    analysis = Analysis(query, tokens)
    after_verb = _find_intent(analysis, lexicon, vocabulary, known)
    _mark_preamble(analysis)
    _mark_containers(tokens)
    opening = analysis.verb[0] if analysis.verb else None
    analysis.count = _count_intent([t.word for t in tokens], lexicon, tokens, opening)
    _read_things(analysis, lexicon, known, vocabulary, expand)
    revised = _revised_intent(analysis, after_verb, lexicon, vocabulary.action_words(), vocabulary.holds)
    if revised is None and unknown_verb_change(analysis, lexicon, known):
        revised = "update"  # "kick 6603 back to the help desk board": a verb we do not know, moving a record
    relation = _relation(analysis, lexicon.units)
    if relation is not None:
        revised = "action"  # "make ticket 600 a child of 599": attach it, no field of it changes
    if revised != analysis.intent:
        analysis.intent = revised
        _read_things(analysis, lexicon, known, vocabulary, expand)
    implied = any(c.source == "implied" for c in analysis.concepts)
    if implied and analysis.intent != "update" and not _ticket_action(analysis, lexicon, relation):
        _read_things(analysis, lexicon, known, vocabulary, expand, imply=False)  # no change: no ticket implied
    analysis.records = records_named(analysis, tokens, lexicon.stop, vocabulary.names)
    # (a precise search reads no names: "tciket" is retried forgivingly, as a slip)
    if expand and (name := named_alone(analysis, tokens, frozenset(lexicon.stop))) is not None:
        analysis.concepts, analysis.head = [name], name  # "look up contoso": its record
    owners = [r for r, _ in analysis.records if r.source == "implied" and r not in analysis.concepts]
    if owners and all(
        pinned is False or r in owners for r, pinned in analysis.records
    ):  # "contoso's status": the owner is named, as a company, contact or member
        analysis.concepts = sorted([*analysis.concepts, *owners], key=lambda c: c.start)
        head = analysis.head
        if analysis.intent in (None, "read") and head is not None and _owned_records(head, tokens):
            # "mike's skills", "dave's schedule": the owner's records are listed (members/{parentId}/skills),
            # the owner's fields are not what is asked for
            analysis.parents += [o for o in owners if o.end <= head.start]
            analysis.records = [(r, pinned) for r, pinned in analysis.records if r not in owners]
    if relation is not None:
        _attach_children(analysis, relation)
    elif _conversion(analysis, lexicon):
        analysis.records = []  # the record becomes another: none of its fields is what changes
    else:
        _made_from_template(analysis) or _template_made_from(analysis)
    analysis.one_record = _one_record(analysis)
    if expand:
        described = _described(analysis, lexicon)
        if described is not None:
            analysis.concepts.append(described)
    # (a later sentence, "Tickets that use it keep their history", does not say which module is meant)
    explained = _explanation_start(analysis)
    mentioned = {t for c in analysis.concepts if c.start < explained for t in c.tokens()}
    analysis.qualifiers = {qualifier for noun, qualifier in lexicon.qualifiers.items() if noun in mentioned}
    return analysis


# After a particle left behind its object: the clause goes on with a preposition, a time or nothing.
# ("take the product off the ticket": "off" opens a place there, it is no particle of "take")
AFTER_PARTICLE = PARENT_PREPOSITIONS | CHANGE_MARKERS | frozenset("with and at by till until".split())
_split_verbs: dict[int, tuple[Lexicon, dict[str, list[Phrase]]]] = {}
NAME_PARTICLES = PARTICLES | {"off"}
OBJECT_PREPOSITIONS = frozenset(("for", "of"))


def _join_split_verbs(tokens: list[Token], lexicon: Lexicon) -> list[Token]:
    """ "sign acme up for managed services", "kick expense report 20 back to mike", "close ticket 44
    out": a phrasal verb the object splits is read as if written whole ("sign up acme ..."), so the
    lexicon's verbs ("kick back", "send in", "look up") are found wherever the particle stands."""
    phrases = _phrasal_verbs(lexicon)
    for start, token in enumerate(tokens):
        if not token.clause_start:
            continue
        verb = start
        while verb < len(tokens) and tokens[verb].word in PREAMBLE and tokens[verb].word not in phrases:
            verb += 1
        for tail in phrases.get(tokens[verb].word if verb < len(tokens) else "", ()):
            at = _particle_after_object(tokens, verb, tail)
            if at is not None:
                moved = tokens[at : at + len(tail)]
                tokens = [*tokens[: verb + 1], *moved, *tokens[verb + 1 : at], *tokens[at + len(tail) :]]
                for index, t in enumerate(tokens):
                    t.index = index
                for t in moved:
                    t.clause_start = t.sentence_start = False
                break
    return tokens


def _phrasal_verbs(lexicon: Lexicon) -> dict[str, list[Phrase]]:
    """The lexicon's verbs with particles ("kick back", "open back up", "write off"), by first word:
    their particles, longest first. Synonyms count when their first word is a verb of its own."""
    cached = _split_verbs.get(id(lexicon))
    if cached is not None and cached[0] is lexicon:
        return cached[1]
    verbs = {p[0] for phrases in lexicon.intents.values() for p in phrases if len(p) == 1}
    intents = {p for phrases in lexicon.intents.values() for p in phrases}
    # a name that opens with a verb: "write off" (an adjustment) is a verb too, "add on" (an addition) not
    names = {p for p in lexicon.synonyms if p[0] in verbs and all(w in NAME_PARTICLES for w in p[1:])}
    found: dict[str, list[Phrase]] = {}
    for p in intents | names:
        # "who is off" asks a question: only verbs leave their particles behind
        if len(p) > 1 and p[0] not in QUESTION_WORDS and all(w in SPLIT_PARTICLES for w in p[1:]):
            found.setdefault(p[0], []).append(p[1:])
    for tails in found.values():
        tails.sort(key=len, reverse=True)
    _split_verbs[id(lexicon)] = (lexicon, found)
    return found


def _particle_after_object(tokens: list[Token], verb: int, tail: Phrase) -> int | None:
    """Where ``tail`` stands after the verb's object, or None: the object is a few words of one
    clause with no preposition in it, and the particle ends the clause or comes before a preposition."""
    for at in range(verb + 2, min(len(tokens), verb + 2 + SPLIT_OBJECT)):
        between = tokens[verb + 1 : at]
        # "turn notifications for mike off": an object may say whose; "on", "to", "in" open places
        if any(t.clause_start or t.word in PARENT_PREPOSITIONS - OBJECT_PREPOSITIONS for t in between):
            return None
        if tuple(t.word for t in tokens[at : at + len(tail)]) != tail:
            continue
        after = at + len(tail)
        if after == len(tokens) or tokens[after].clause_start or tokens[after].word in AFTER_PARTICLE:
            return at
    return None


ATTACH_CHILDREN = phrase("attach children")


def _relation(analysis: Analysis, units: set[str]) -> int | None:
    """ "make ticket 600 a child of 599", "nest 45 under 40", "make 599 the parent ticket of 600":
    a word that puts one numbered record under another, between their numbers (its index)."""
    tokens = analysis.tokens
    if analysis.intent in ("read", "delete") or analysis.count or tokens[0].word in QUESTION_WORDS:
        return None
    numbers = [t.index for t in tokens if t.is_number]
    if len(numbers) < 2 or not all(_ticket_number(analysis, i, units) for i in (numbers[0], numbers[-1])):
        return None
    found = next((i for i in range(numbers[0] + 1, numbers[-1]) if tokens[i].word in RELATION_WORDS), None)
    if found is not None and tokens[found - 1].word in ("from", "out", "off"):
        return None  # "move ticket 601 out from under ticket 600": taken from under its parent
    return found


def _ticket_number(analysis: Analysis, index: int, units: set[str]) -> bool:
    """A ticket's number: after "ticket", or bare and no quantity ("2 hours under ticket 44" is time)."""
    named = next((c for word, c in analysis.ids if c.start < index and word == analysis.tokens[index].word), None)
    if named is not None:
        return any("ticket" in p for p, _ in named.alternatives)
    following = analysis.tokens[index + 1] if index + 1 < len(analysis.tokens) else None
    quantity = following is not None and (following.word in units or following.word in TIME_WORDS)
    return not quantity and len(analysis.tokens[index].raw) >= 2


def _ticket_action(analysis: Analysis, lexicon: Lexicon, relation: int | None) -> bool:
    """ "merge 700 into 701", "nest 45 under 40": an action a ticket has, so a bare number is a ticket."""
    if analysis.intent != "action" or analysis.verb is None:
        return False
    verb = tuple(t.word for t in analysis.tokens[analysis.verb[0] : analysis.verb[1]])
    readings = {verb[0], *(target[0] for target in lexicon.synonyms.get(verb, ()))}
    return relation is not None or bool(readings & TICKET_ACTIONS)


def _attach_children(analysis: Analysis, relation: int) -> None:
    """The relation word names the operation that puts records under a parent (attachChildren)."""
    token = analysis.tokens[relation]
    kept = [c for c in analysis.concepts if not c.start <= relation < c.end]
    attach = Concept(token.raw, [(ATTACH_CHILDREN, 1.0)], relation, relation + 1, "lexicon")
    analysis.concepts = sorted([*kept, attach], key=lambda c: c.start)
    analysis.records = []


CONVERT: Phrase = ("convert",)
CHANGE_TYPE: Phrase = ("change", "type")


def _conversion(analysis: Analysis, lexicon: Lexicon) -> bool:
    """ "make opportunity 40 a service ticket", "turn ticket 600 into a project": a numbered record
    made into another kind is converted (convertToServiceTicket, tickets/{id}/convert), not changed.
    The new kind names the conversion ("convert to service ticket"), not a record of its own: the
    project of "turn ticket 600 into a project" is no project ticket. Made into the same kind, a
    record changes type: "convert config 88 from a workstation to a server" (configurations' changeType)."""
    if analysis.verb is None or analysis.intent in ("read", "delete"):
        return False
    tokens = analysis.tokens
    verb = tuple(t.word for t in tokens[analysis.verb[0] : analysis.verb[1]])
    readings = {verb[-1], *(target[0] for target in lexicon.synonyms.get(verb, ()))}
    if not readings & CONVERSION_VERBS:
        return False
    if analysis.ids:
        word, source = analysis.ids[0]
        number = _number_index(tokens, word, source)
    else:  # "make this project ticket a service ticket": the one record meant, named by its kind
        source = _pointed_at(analysis)
        if source is None:
            return False
        number = source.end - 1
    target = _conversion_target(analysis, number)
    if not target or (target[-1].end < len(tokens) and tokens[target[-1].end].is_number):
        return False  # "move ticket 44 to project 9": a place, not a kind
    if not singular(target[-1], tokens):
        return False  # "change the board to Projects": a name
    whole = target
    describing = [c for c in target if not _reads_as_kind(c)]
    target = [c for c in target if c not in describing] or whole
    source_words = _kind_words(analysis, source)
    numbered = {id(c) for _, c in analysis.ids}
    kind_start = source.end - len(source_words)
    # "change the type of ticket 44 to project", "on ticket 5 change the board to Projects": a field of
    # the record named before it, or after the verb when the record came first, is what changes.
    # (After the record's number come places: "move ticket 812 over to the service desk as a ...")
    fields_end = kind_start if source.start >= analysis.verb[1] else target[0].start
    between = [c for c in analysis.concepts if analysis.verb[1] <= c.start and c.end <= fields_end]
    if any(id(c) not in numbered for c in between):
        return False
    target_words = tuple(t.word for t in tokens[target[0].start : target[-1].end])
    convertible = source_words in CONVERTIBLE or any(p in CONVERTIBLE for p, _ in source.alternatives)
    if convertible and target_words in CONVERSION_KINDS and target_words != source_words:
        fused = [(("convert", "to", *target_words), 1.0)]
        # ("sales order" read as "order" too: convertToSalesOrder, orders' convertToServiceTicket)
        fused += [
            (("convert", "to", *p), conf)
            for p, conf in target[-1].alternatives
            if len(target) == 1 and p != target_words
        ]
        made = Concept(" ".join(c.text for c in target), fused, target[0].start, target[-1].end, "lexicon")
        # A ticket is converted with its new kind in the request's body (tickets/{id}/convert), other
        # records by the action that names it (opportunities/{id}/convertToProject).
        made.detail = "ticket" in source_words
        intent = "action"
    elif "convert" in readings and _same_kind(source, whole):
        target, describing = whole, []
        made = Concept(" ".join(c.text for c in target), [(CHANGE_TYPE, 1.0)], target[0].start, target[-1].end)
        intent = "update"
    else:
        return False
    kept = [c for c in analysis.concepts if c not in target]
    if intent == "action" and not any(CONVERT in [p for p, _ in c.alternatives] for c in kept):
        start, end = analysis.verb
        kept = [c for c in kept if not start <= c.start < end]
        kept.append(Concept(tokens[start].raw, [(CONVERT, 1.0)], start, end, "lexicon"))
    for concept in describing:
        concept.detail = concept.value = True
    for concept in kept:
        if concept.start > made.end:
            concept.value = concept.detail = True  # "... to a server": the kind it becomes, said again
    analysis.concepts = sorted([*kept, made], key=lambda c: c.start)
    analysis.parents = [c for c in analysis.parents if c in analysis.concepts and not c.value]
    analysis.intent = intent
    return True


POINTING_WORDS = frozenset("this that the".split())


def _pointed_at(analysis: Analysis) -> Concept | None:
    """ "make this project ticket a ...": the last noun of the kind right after the verb and "this"."""
    tokens, verb_end = analysis.tokens, analysis.verb[1] if analysis.verb else 0
    if verb_end >= len(tokens) or tokens[verb_end].word not in POINTING_WORDS:
        return None
    run = [c for c in analysis.concepts if c.start > verb_end]
    source = None
    for concept in run:
        if concept.start != (source.end if source else verb_end + 1):
            break
        source = concept
    return source


def _number_index(tokens: list[Token], word: str, concept: Concept) -> int:
    """The index of a record's number: ``word`` after its noun (or the noun itself, a bare number)."""
    return next((t.index for t in tokens[concept.start :] if t.is_number and t.word == word), concept.end)


def _conversion_target(analysis: Analysis, number: int) -> list[Concept]:
    """The run of concepts after "into"/"to"/"as"/"a" behind the record's number: the new kind."""
    tokens = analysis.tokens
    later = [c for c in analysis.concepts if c.start > number]
    for index, concept in enumerate(later):
        before = concept.start - 1
        # "as a regular ticket", "into a full project": a word or two describing the new kind
        while before > concept.start - 3 and tokens[before].raw.isalpha():
            if tokens[before].word in CONVERSION_MARKERS | DEFINITE_WORDS | PARENT_PREPOSITIONS:
                break  # ("to the service desk" is a place, not a kind)
            before -= 1
        if before < 0 or tokens[before].word not in CONVERSION_MARKERS:
            continue
        run = [c for c in later[:index] if c.start > before]  # "full" of "into a full project"
        run.append(concept)
        for following in later[index + 1 :]:
            if following.start != run[-1].end:
                break
            run.append(following)
        return run
    return []


def _reads_as_kind(concept: Concept) -> bool:
    """Does a concept name a kind of record that conversions make or start from ("project", "ticket")?"""
    return any(w in kind for p, _ in concept.alternatives for w in p for kind in CONVERSION_KINDS | CONVERTIBLE)


def _kind_words(analysis: Analysis, source: Concept) -> Phrase:
    """ "project ticket" of "project ticket 55": the numbered noun with the nouns right before it."""
    start = source.start
    while any(c.end == start for c in analysis.concepts):
        start = next(c.start for c in analysis.concepts if c.end == start)
    return tuple(t.word for t in analysis.tokens[start : source.end])


def _same_kind(source: Concept, target: list[Concept]) -> bool:
    """ "config 88 ... to a server": the new value reads as the record's own kind (a configuration)."""
    kinds = {p for p, _ in source.alternatives}
    return len(target) == 1 and any(p in kinds for p, _ in target[0].alternatives)


TEMPLATE = "template"
GENERATE: Phrase = ("generate",)
APPLY_TEMPLATE: Phrase = ("apply", "template")
TEMPLATE_SOURCES = frozenset("from using use with off of".split())  # "from the onboarding template", "out of"
TEMPLATE_TARGETS = frozenset("to on onto into".split())  # "... to project 5"
USED_ON = TEMPLATE_TARGETS | {"for"}  # "use template 8 for project 20"


def _made_from_template(analysis: Analysis) -> bool:
    """ "kick off a ticket from the new-hire template", "use the onboarding template to create a
    ticket", "add the phases from the onboarding template to project 5": records made from a template.

    Applied to a numbered record, the template is applied to it (projects/{id}/applyTemplate); tickets
    are generated from their templates (service/templates/{id}/generate); any other record names its
    template in a field (a project's projectTemplateId), so the template is a detail of it."""
    head, tokens = analysis.head, analysis.tokens
    used = next((c for c in analysis.concepts if _names_template(c)), None)
    if used is not None and tokens[0].word in ("use", "using") and analysis.intent is None:
        # "use template 3 on project 20": the template is applied to the numbered record
        target = next((c for _, c in analysis.ids if c.start > used.end and tokens[c.start - 1].word in USED_ON), None)
        if target is not None:
            applied = Concept(used.text, [(APPLY_TEMPLATE, 1.0)], used.start, used.end, "lexicon")
            kept = [c for c in analysis.concepts if c.start > 0 and c is not used]  # "use" says what to do
            analysis.concepts = sorted([*kept, applied], key=lambda c: c.start)
            analysis.head, analysis.intent, analysis.records = applied, "action", []
            return True
    if analysis.intent != "create" or head is None:
        return False
    if _names_template(head) and any(t.word in TEMPLATE_SOURCES for t in tokens[head.start : head.end]):
        # "create ticket from template 6", read as one phrase "ticket template": a ticket generated
        analysis.concepts.append(Concept(head.text, [(GENERATE, 1.0)], head.end, head.end, "lexicon"))
        return True
    template = next((c for c in analysis.concepts if c is not head and _names_template(c)), None)
    if template is None or not _template_is_source(tokens, template):
        return False
    named = [c for c in analysis.concepts if c.start < template.start and _template_name(tokens, c, template)]
    for concept in named:
        concept.detail = True  # "new-hire" of "the new-hire template": which template, not a thing to make
    target = next((c for w, c in analysis.ids if c.start > template.end and _after_target_word(tokens, c)), None)
    if target is not None:
        applied = Concept(template.text, [(APPLY_TEMPLATE, 1.0)], template.start, template.end, "lexicon")
        analysis.concepts = [applied if c is template else c for c in analysis.concepts]
        head.detail = head is not target
        analysis.intent = "action"
    elif any(p[-1:] == ("ticket",) for p, _ in head.alternatives):
        generate = Concept(template.text, [(GENERATE, 1.0)], template.end, template.end, "lexicon")
        analysis.concepts.append(generate)
    else:
        template.detail = True  # "a project from the onboarding template": the project's template field
    return True


def _names_template(concept: Concept) -> bool:
    return any(p[-1:] == (TEMPLATE,) for p, _ in concept.alternatives)


def _template_is_source(tokens: list[Token], template: Concept) -> bool:
    """ "from the onboarding template", "using template 4", "use the X template to ...": a source
    word at most a few words (the template's name) before it."""
    for i in range(template.start - 1, max(-1, template.start - 5), -1):
        if tokens[i].word in TEMPLATE_SOURCES:
            return True
        if tokens[i].is_number or tokens[i].clause_start:
            break
    return False


def _template_name(tokens: list[Token], concept: Concept, template: Concept) -> bool:
    """Is the concept part of the template's name: between the source word and the template?"""
    return all(tokens[i].word not in TEMPLATE_SOURCES for i in range(concept.end, template.start)) and any(
        tokens[i].word in TEMPLATE_SOURCES for i in range(max(0, concept.start - 3), concept.start)
    )


def _after_target_word(tokens: list[Token], concept: Concept) -> bool:
    return concept.start > 0 and tokens[concept.start - 1].word in TEMPLATE_TARGETS


def _template_made_from(analysis: Analysis) -> bool:
    """ "make a template out of project 5", "save project 5 as a project template": a template made
    from a numbered record (projectTemplates/createFromProject/{id})."""
    head, tokens = analysis.head, analysis.tokens
    if analysis.intent not in ("create", "update") or head is None or not analysis.ids:
        return False
    template = next((c for c in analysis.concepts if _names_template(c)), None)
    source = analysis.ids[0][1]
    if template is None or source is template or any(c is template for _, c in analysis.ids):
        return False
    before = tokens[template.start - 1].word if template.start else ""
    made_as = source.end <= template.start and before in ("as", "a", "an", "into")  # "save project 5 as a template"
    out_of = template.end <= source.start and any(t.word in ("from", "of") for t in tokens[template.end : source.start])
    if not (made_as or out_of):
        return False
    source_words = _kind_words(analysis, source)
    made = Concept(source.text, [(("create", "from", *source_words), 1.0)], source.start, source.end, "lexicon")
    analysis.concepts = sorted([*analysis.concepts, made], key=lambda c: c.start)
    analysis.intent, analysis.records = "create", []
    return True


def _owned_records(head: Concept, tokens: list[Token]) -> bool:
    """After an owner's name, does the head name records the owner has ("mike's skills", "dave's
    schedule", "contoso's network gear") rather than one of its fields ("contoso's status")? A plural,
    or a word the lexicon reads as another kind of record."""
    return not singular(head, tokens) or any(conf < LITERAL for _, conf in head.alternatives)


def _read_words(
    tokens: list[Token], lexicon: Lexicon, vocabulary: Vocabulary, expand: bool
) -> tuple[list[Token], dict[str, int]]:
    """The request's words as the catalog spells them, and how many operations use each."""
    lexicon_words = lexicon.all_words()
    _product_names(tokens, lexicon, vocabulary)
    known = vocabulary.known({t.word for t in tokens if not t.is_number})
    if expand:
        tokens = _mend_words(tokens, vocabulary, known, lexicon_words, lexicon)
        known.update(vocabulary.known({t.word for t in tokens if not t.is_number} - set(known)))
    _mark_details(tokens, vocabulary)
    _mark_placing_participles(tokens)
    _mark_parameters(tokens)
    if expand:
        for token in tokens:
            if not token.is_number and len(token.word) >= 4:
                _correct_word(token, known, lexicon, vocabulary)
    known.update(vocabulary.known({t.word for t in tokens if not t.is_number} - set(known)))
    return tokens, known


def _product_names(tokens: list[Token], lexicon: Lexicon, vocabulary: Vocabulary) -> None:
    """ "in ConnectWise Manage", "from ConnectWise.", "the ConnectWise instance": the product's name,
    written in camel case, is one stop word, not "connect" and "wise". Before a word that names
    something ("ConnectWise hosted setups") it stays: there it names a resource."""
    for i, token in enumerate(tokens):
        name = token.raw.lower()
        following = next((t for t in tokens[i + 1 :] if t.raw != token.raw), None)
        split = len(text.split_identifier(token.raw)) > 1
        if split and name in lexicon.stop and not _names_with(token, following, vocabulary):
            token.word = name


def _names_with(product: Token, following: Token | None, vocabulary: Vocabulary) -> bool:
    """Does the product's name open a resource name with the word after it ("ConnectWise hosted setups";
    not "ConnectWise companies")?"""
    if following is None:
        return False
    pieces = tuple(text.stem(piece) for piece in text.split_identifier(product.raw))
    return any(
        name[: len(pieces)] == pieces and following.word in name[len(pieces) :] for name in vocabulary.resource_names()
    )


def _correct_word(token: Token, known: dict[str, int], lexicon: Lexicon, vocabulary: Vocabulary) -> None:
    """One word put in the catalog's form: its base form, or the word a slip was meant to be."""
    word = token.word
    lexicon_words = lexicon.all_words()
    if word in known:
        # "scheduled" only names fields; "schedule" names operations.
        base = vocabulary.base_form(word)
        if base and word not in lexicon_words:
            token.word = base
    elif token.proper or _adverb(word, lexicon_words):
        return  # names are not slips, and "safely", "carefully" are not "safety", "careful"
    elif respelled := vocabulary.respelled(token.raw.lower()):
        token.word = respelled  # "colours", "customised": the catalog's word, spelt the British way
    elif word not in lexicon_words:
        fixed = vocabulary.correct(word, token.raw.lower())
        if fixed and fixed != word:
            token.corrected_from, token.word = word, fixed
    elif (word,) not in lexicon.synonyms and word not in lexicon.stop and token.raw.lower() != word:
        # "entires" folds to "entire", a word only some lexicon phrase uses: a slip in "entries".
        fixed = vocabulary.correct_plural(token.raw.lower(), swaps_only=True)
        if fixed:
            token.corrected_from, token.word = word, fixed


def _adverb(word: str, lexicon_words: frozenset[str]) -> bool:
    """ "permanently", "quickly": an adverb the catalog and the lexicon have no use for."""
    return len(word) > 4 and word.endswith("ly") and word not in lexicon_words


def _find_intent(analysis: Analysis, lexicon: Lexicon, vocabulary: Vocabulary, known: dict[str, int]) -> int:
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
    if not found[0]:
        found = _use_to_verb(tokens, lexicon)
    if not found[0]:
        found = _pronoun_object_verb(words, lexicon)
    if not found[0]:
        found = _deletion_anywhere(tokens, lexicon)
    if not found[0]:
        found = _verb_before_person(tokens, lexicon, known)
    if not found[0]:
        # "for ticket 33 set the source to Phone": the verb may follow the record it is about.
        # ("incident 4410 raised to critical" states a change with a participle: see _revised_intent)
        after_ids = [
            start or (i > 0 and tokens[i - 1].is_number and not tokens[i].raw.endswith("ed"))
            for i, start in enumerate(clause_starts)
        ]
        found = _intent(words, after_ids, lexicon, adverbs)
    found = _then_write(words, found, lexicon)
    analysis.intent, verb_start, after_verb = found
    if analysis.intent and (
        _noun_not_verb(tokens, verb_start, after_verb, vocabulary, lexicon.stop)
        or _recent_records(tokens, verb_start, after_verb)
        or _verb_opens_a_name(words, verb_start, after_verb, lexicon, vocabulary)
    ):
        analysis.intent = None
    analysis.verb = (verb_start, after_verb) if analysis.intent else None
    return after_verb


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
    deletes = {p[0] for p in lexicon.intents["delete"] if len(p) == 1}
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


def _described(analysis: Analysis, lexicon: Lexicon) -> Concept | None:
    """What the request's words together describe, by the lexicon's descriptions (a bag of words).

    Only added when the best description shares several words with the request and is not
    already one of its concepts: a hint for requests that share no phrase with the lexicon.
    """
    verb = range(*analysis.verb) if analysis.verb else range(0)
    words = {
        t.word
        for t in analysis.tokens
        if t.index not in verb
        and not t.is_number
        and not t.proper
        and not t.introduces
        and len(t.word) > 2
        and t.word not in lexicon.stop
        and t.word not in PREAMBLE
        and not _is_plain_verb(t.word, lexicon)  # "log", "open": what to do, not what it is
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


def _tool_name_length(query: str, tokens: list[Token]) -> int:
    """Tokens of a tool or cmdlet name that opens a description ("Get-CWMTicket: Retrieves ..."), or 0."""
    match = _TOOL_NAME_RE.match(query)
    if not match or len(match.group(0)) >= len(query.rstrip()):
        return 0
    length = len(tokenize(match.group(0)))
    return length if length < len(tokens) else 0


def _mark_placing_participles(tokens: list[Token]) -> None:
    """ "teams defined on a board": the participle only places the teams; without it "teams" is
    the head and "board" their parent (not "defined", as in user-defined fields)."""
    for i in range(1, len(tokens) - 1):
        placed = tokens[i].word in PLACING_PARTICIPLES and tokens[i + 1].word in PARENT_PREPOSITIONS
        if placed and not tokens[i].sentence_start:
            tokens[i].introduces = True
        about = tokens[i].word in ABOUT_WORDS and tokens[i + 1].word in SUBJECT_MATTER | PARENT_PREPOSITIONS
        if about and not tokens[i].detail:
            tokens[i].introduces = True
    # "... in the system", "across the whole system": where every record lives, not the system module
    for i in range(2, len(tokens)):
        before = [t.word for t in tokens[max(0, i - 3) : i]]
        in_the = "the" in before[-2:] and any(word in PARENT_PREPOSITIONS for word in before)
        ends = i + 1 == len(tokens) or tokens[i + 1].clause_start
        if tokens[i].word == "system" and in_the and ends:
            tokens[i].introduces = True


def _mark_preamble(analysis: Analysis) -> None:
    """ "Use this tool to look up a contact", "This endpoint returns agreements": the words before
    the verb that only frame it (skipped to find the verb) name nothing either: not a tool, not
    an endpoint (which the lexicon reads as a device)."""
    if analysis.verb is None:
        return
    tokens = analysis.tokens
    i = analysis.verb[0] - 1
    while i >= 0 and tokens[i].word in PREAMBLE and tokens[i].word not in MODIFIER_WORDS:
        tokens[i].introduces = True
        if tokens[i].clause_start:
            break
        i -= 1


def _mark_containers(tokens: list[Token]) -> None:
    """ "an array of agreement objects", "a paged collection of invoices": how documentation says "a list".
    And "by its internal ID", "its unique identifier": what kind of id it is says nothing of the record."""
    for i, token in enumerate(tokens):
        following = tokens[i + 1].word if i + 1 < len(tokens) else ""
        if token.word in ID_KINDS and following in ID_WORDS:
            token.introduces = True
        if (token.word in CONTAINER_WORDS and following == "of") or (token.word in OBJECT_WORDS and i > 0):
            token.introduces = True
        if token.raw.lower() in PAGING_WORDS:
            token.introduces = True


def _mark_parameters(tokens: list[Token]) -> None:
    """ "The -Condition parameter filters opportunities", "the conditions parameter": how to call
    the operation, not what it is about. A cmdlet's parameter is a detail (a field, at most), and
    "parameter" after it names no custom report parameters."""
    for i, token in enumerate(tokens):
        if token.switch:
            token.detail = True
        if token.word == "parameter" and i > 0 and (tokens[i - 1].switch or tokens[i - 1].word in QUERY_PARAMETERS):
            token.introduces = tokens[i - 1].detail = True


def _mark_details(tokens: list[Token], vocabulary: Vocabulary | None = None) -> None:
    """Words after "with", "including", "filtered by" up to the sentence's end are details.

    "Returns purchase orders, optionally filtered by vendor, status or date": the fields to
    filter on, not the thing asked for. "associated with a company" is a relation, not a detail.
    """
    inside = False
    for i, token in enumerate(tokens):
        if token.sentence_start:
            inside = False  # a list of details runs over commas, not past the sentence
        previous = tokens[i - 1].word if i else ""
        if _names_a_value(tokens, i):
            token.introduces = inside = True  # "a company called Fabrikam Phone Repair": a name follows
            continue
        relation = token.word == "with" and (previous.endswith("ed") or previous == "along")
        # "set northwind up with a new agreement": what is made for someone, not a detail of it
        relation = relation or (token.word == "with" and "new" in [t.word for t in tokens[i + 1 : i + 3]])
        relation = relation or _ranks_by_count(tokens, i)  # "with the most overtime" names what is counted
        filtering = token.word in ("by", "on") and previous in FILTER_WORDS
        grouped = vocabulary is not None and _grouped_by(tokens, i, vocabulary)
        if (token.word in DETAIL_OPENERS and not relation) or filtering or grouped:
            inside = True
            # "tickets by priority" is not the "ticket priority" list: "by" parts the two
            token.introduces = token.word in DETAIL_OPENERS or grouped
        elif inside:
            token.detail = True


def _grouped_by(tokens: list[Token], index: int, vocabulary: Vocabulary) -> bool:
    """ "tickets by priority", "a breakdown of invoices by client": records grouped or filtered by a
    field; what follows "by" is not the thing asked for. Only after a word that names records
    ("rates by job title" are the job titles' rates). "Tickets by ID" names a record, and "time
    entries by member 12" a parent: a number or an id word keeps them."""
    if tokens[index].word != "by" or index == 0 or not tokens[index - 1].plural:
        return False
    uses, names = vocabulary.stats({tokens[index - 1].word}).get(tokens[index - 1].word, (0, 0))
    # a word the catalog seldom spells ("opps") is the lexicon's name for records
    if uses >= RECORD_WORD_USES and names < RECORD_WORD_USES:
        return False
    following = tokens[index + 1 : index + 3]
    return bool(following) and not any(t.is_number or t.word in ID_WORDS for t in following)


def _ranks_by_count(tokens: list[Token], index: int) -> bool:
    """ "with the most ...", "has the fewest ...": what follows is counted, not a detail."""
    following = [t.word for t in tokens[index + 1 : index + 3]]
    return len(following) == 2 and following[0] == "the" and following[1] in RANKING_WORDS


def _reported(head: Concept | None, concepts: list[Concept], tokens: list[Token], lexicon: Lexicon) -> Concept | None:
    """ "a weekly report of tickets opened", "summary of invoices sent": the report is made of records,
    and those records are what is asked for. (A report's own parts, "columns of a report", are not.)"""
    if head is None or head.end - head.start != 1 or tokens[head.start].word not in REPORT_WORDS:
        return None
    if head.end >= len(tokens) or tokens[head.end].word not in ("of", "on"):
        return None
    following = [c for c in concepts if c.start > head.end]
    return _head(following, tokens, lexicon) if following and following[0].start <= head.end + 2 else None


def _counted(concepts: list[Concept], tokens: list[Token], lexicon: Lexicon) -> Concept | None:
    """The thing counted after "the most" (or "the fewest"), when the request ranks records by it."""
    for i, token in enumerate(tokens[:-1]):
        if token.word in RANKING_WORDS and i > 0 and tokens[i - 1].word == "the":
            # an adjective may stand between: "the most open tickets"
            after = [c for c in concepts if i <= c.start <= i + 2 and not c.value]
            if after:
                return _head(after, tokens, lexicon)
    return None


def _names_a_value(tokens: list[Token], index: int) -> bool:
    """ "a company called Fabrikam", "a board named Escalations" (but not "customers who called",
    nor "contoso called about a printer": a phone call)."""
    token = tokens[index]
    if token.raw.lower() not in NAME_INTRODUCERS or index == 0 or index + 1 >= len(tokens):
        return False
    following = tokens[index + 1].word
    return tokens[index - 1].word not in SUBJECT_PRONOUNS and following not in SUBJECT_MATTER | PARENT_PREPOSITIONS


def _verb_and_particle(token: Token, following: Token, lexicon: Lexicon | None, opens: bool) -> bool:
    """ "sign off on timesheet 4", "open ticket 44 back up": a verb and its particle, or two particles,
    are words of their own, not the name they spell together (signoff, backup)."""
    if following.word not in SPLIT_PARTICLES:
        return False
    if token.word in SPLIT_PARTICLES:
        return True
    # only as the request's verb: "time cards waiting for sign off" name the signoff
    return opens and lexicon is not None and (lexicon.intent_at([token.word, following.word], 0) or ("", 0))[1] == 2


def _mend_words(
    tokens: list[Token],
    vocabulary: Vocabulary,
    known: dict[str, int],
    lexicon_words: frozenset[str],
    lexicon: Lexicon | None = None,
) -> list[Token]:
    """Words written together split ("timeentries"), a name written apart joined ("work flows")."""
    names = vocabulary.name_words()
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if following is not None and not token.is_number and not following.is_number and not following.clause_start:
            joined = token.word + following.word
            clause = [t for t in out if not t.clause_start][-3:] if not token.clause_start else []
            opens = token.clause_start or (
                bool(out) and len(clause) < 3 and all(t.word in PREAMBLE for t in clause) and out[-1].word in PREAMBLE
            )
            if (
                joined in names
                and not (token.word in names and following.word in names)
                and not _verb_and_particle(token, following, lexicon, opens)
            ):
                out.append(replace(token, word=joined, raw=token.raw + following.raw, plural=following.plural))
                i += 2
                continue
        pieces = None
        unknown = token.word not in known and token.word not in lexicon_words
        if unknown and not token.is_number and not token.proper and len(token.raw) >= 6:
            pieces = vocabulary.segment(token.raw.lower())
        if not pieces:
            out.append(token)
        else:
            for n, piece in enumerate(pieces):
                first = n == 0
                word = text.stem(piece)
                out.append(
                    replace(
                        token,
                        word=word,
                        raw=piece,
                        plural=word != piece,
                        clause_start=token.clause_start and first,
                        sentence_start=token.sentence_start and first,
                    )
                )
        i += 1
    for index, token in enumerate(out):
        token.index = index
    return out


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


def _read_things(
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
    concepts = _concepts(
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
    for concept in analysis.concepts:
        concept.detail = all(t.detail for t in tokens[concept.start : concept.end])
        concept.aside = all(t.aside for t in tokens[concept.start : concept.end])
        concept.parenthesised = all(t.parenthesised for t in tokens[concept.start : concept.end])
    implied = find_ids(analysis, lexicon, known, vocabulary, imply and expand)
    if analysis.intent == "update":
        _mark_new_values(analysis.concepts, tokens, lexicon.stop)
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
    analysis.parents = [c for c in _parents(analysis.concepts, tokens, analysis.head) if not c.value]
    _mark_participle_filters(analysis, lexicon.all_words(), known)
    _mark_places(analysis)
    _person_joined(analysis, lexicon.stop)


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
    head = _head(subjects or analysis.concepts, tokens, lexicon)
    if analysis.intent in (None, "read") and not analysis.count:
        head = _counted(subjects, tokens, lexicon) or _reported(head, subjects, tokens, lexicon) or head
    if head is not None:
        # "open a new ticket for Contoso: printer on 3rd floor jammed": after the sentence that
        # names what is made or changed comes its content, not another thing to make. And in a
        # description, "Removes a configuration. Tickets that reference it keep their history.":
        # the sentence with the verb and its object names the operation; the next ones explain it.
        changes = analysis.intent in ("create", "update")
        start = _explanation_start(analysis, head, changes)
        for concept in analysis.concepts:
            if concept.start >= start:
                concept.detail = True
    return head


def _explanation_start(analysis: Analysis, head: Concept | None = None, colon: bool = False) -> int:
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
            if run and not any(_held_by(c, head, holds) for c in run):
                for concept in run:
                    concept.value = concept.detail = True
        return


def _held_by(container: Concept, record: Concept, holds: Callable[[tuple[str, ...], tuple[str, ...]], bool]) -> bool:
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


def _unknown_name(token: Token, covered: bool) -> bool:
    """A word no concept reads and no preposition: part of a name ("professional" services board)."""
    return not covered and token.word not in PARENT_PREPOSITIONS | CHANGE_MARKERS | PARTICLES and token.raw.isalpha()


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
        # "open a new ticket": "open" is said as the verb, not a ticket's open flag.
        dropped.update(
            id(c)
            for c in concepts
            if c.source == "word" and verb[0] <= c.start and c.end <= verb[1] and not c.tokens() & actions
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


def _one_record(analysis: Analysis) -> bool:
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
        one = word in ONE_RECORD_WORDS or (singular and designated)
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


def _revised_intent(
    analysis: Analysis,
    after_verb: int,
    lexicon: Lexicon,
    actions: frozenset[str] = frozenset(),
    holds: Callable[[tuple[str, ...], tuple[str, ...]], bool] | None = None,
) -> str | None:
    """A change the opening verb hides: a record that already has an id is not being created.

    "make ticket 12 high priority", "put ticket 5 on the Network board": a create verb
    whose object is a numbered record. "the urgency of incident 4410 raised to critical":
    no opening verb, but a numbered record and a change verb's participle before "to"/"as".
    """
    numbered = {id(concept) for _, concept in analysis.ids}
    tokens = analysis.tokens
    if holds is not None and _joins_under(analysis, after_verb, numbered, holds):
        return analysis.intent  # "add config 55 to ticket 901": a new link under the ticket, not a change
    if holds is not None and analysis.intent is None and _terse_new(analysis, numbered, holds):
        return "create"
    names_action = _names_action(tokens, analysis.verb, actions) or _reads_as_action(analysis, lexicon, actions)
    moves = analysis.intent in ("create", "action") and not names_action
    if moves and _moved_in_time(tokens, after_verb):
        return "update"
    if not numbered:
        return _unnumbered_change(analysis, after_verb, lexicon)
    if analysis.intent is None and _terse_change(analysis):
        return "update"
    if analysis.intent == "create":
        following = [c for c in analysis.concepts if c.start >= after_verb]
        if following and id(following[0]) in numbered:
            between = tokens[after_verb : following[0].start]
            if all(t.word in lexicon.stop or t.word in SKIPPABLE for t in between):
                return "update"
        if following and _makes_state(tokens, after_verb, following, numbered):
            return "update"
    # "raise the priority on ticket 12 to high", "push the due date on ticket 9 to Monday"
    verb_acts = analysis.intent in ("create", "action") and not names_action
    if verb_acts and _value_after_record(analysis):
        return "update"
    if analysis.intent == "read" and _state_after_late_verb(analysis):
        return "update"
    if analysis.intent is None:
        change_verbs = {p[0] for p in lexicon.intents["update"] if len(p) == 1}
        for token, following in itertools.pairwise(tokens):
            forms = {token.raw.lower(), *text.inflections(token.raw.lower())}
            if following.word in CHANGE_MARKERS and (forms & change_verbs or forms & CHANGE_PARTICIPLES):
                return "update"
            if (token.word, following.word) in STATE_WANTED or (token.word == "need" and following.raw.endswith("ing")):
                return "update"
    return analysis.intent


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
    if not parents or not any(_held_by(parent, head, holds) for parent in parents):
        return False
    # "ticket 4521" or a bare "4521" read as the ticket: the content follows its number
    number = next((t.index for t in tokens[parents[0].end - 1 :] if t.is_number), None)
    return number is not None and number + 2 < len(tokens) and tokens[number + 1].sentence_start


def _terse_change(analysis: Analysis) -> bool:
    """ "ticket 4521 -> closed", "ticket 4521 priority high": chat shorthand for a change, no verb.

    Only an arrow, or a field that holds a state or a level followed by its new value, reads as
    a change: "ticket 4521 notes" and "ticket 4521 status" stay reads.
    """
    tokens = analysis.tokens
    if tokens[0].word in QUESTION_WORDS:
        return False
    if any(arrow in analysis.query for arrow in ARROWS):
        return True
    numbers = [t.index for t in tokens if t.is_number and any(word == t.word for word, _ in analysis.ids)]
    if not numbers:
        return False
    after = tokens[numbers[0] + 1 :]
    # "project 88 status report", "ticket 4521 board history": something about the field, no value
    return len(after) >= 2 and after[0].word in TERSE_FIELDS and not {t.word for t in after[1:]} & ABOUT_A_FIELD


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
    # "make bob's default board Help Desk": an owner's record is one already there too
    definite_object = after_verb < len(tokens) and (
        tokens[after_verb].word in DEFINITE_WORDS
        or (possessive(tokens, after_verb + 1) and tokens[min(after_verb + 2, len(tokens) - 1)].word != "new")
    )
    if analysis.intent == "create" and verb in STATE_VERBS and definite_object:
        return "update"
    head = analysis.head
    one_record = head is not None and singular(head, tokens) and tokens[0].word in DEFINITE_WORDS
    if analysis.intent is None and head is not None and one_record:
        pairs = itertools.pairwise(tokens[head.end :])
        if any((token.word, following.word) in STATE_WANTED for token, following in pairs):
            return "update"
    return analysis.intent


def _moved_in_time(tokens: list[Token], after_verb: int) -> bool:
    """ "push contoso's migration project out to friday": a record moved to another time is changed."""
    rest = tokens[after_verb:]
    for token, following in itertools.pairwise(rest):
        if (token.word in CHANGE_MARKERS or token.word in PARTICLES) and (
            following.word in TIME_WORDS or _clock_time(tokens, following.index)
        ):
            return True
    return False


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


def _value_after_record(analysis: Analysis) -> bool:
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
            if not value.is_number and value.index not in named:
                return True
    return False


def _makes_state(tokens: list[Token], after_verb: int, following: list[Concept], numbered: set[int]) -> bool:
    """ "make the status of ticket 12 Closed": "make"/"put" with a definite object of a numbered record
    states a change; "make a ticket for contact 12" still creates one."""
    verb = tokens[after_verb - 1].word if after_verb else ""
    if verb not in STATE_VERBS or not any(id(c) in numbered for c in following):
        return False
    return not any(t.word in NEW_RECORD_WORDS for t in tokens[after_verb : following[0].start])


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


def _count_intent(words: list[str], lexicon: Lexicon, tokens: list[Token], opening: int | None = None) -> bool:
    counts = _total_of(words, lexicon, tokens)
    for position in range(len(words)):
        found = lexicon.intent_at(words, position)
        # "the serial numbers of stock" names numbers; "the number of tickets" counts, and so does
        # the opening verb of a description ("Counts the notes on a project")
        if found and found[0] == "count" and (not tokens[position].plural or position == opening):
            after = words[position + found[1] : position + found[1] + UNIT_WINDOW]
            if not any(word in lexicon.units for word in after):
                _mark_count_words(tokens[position : position + found[1]])
                counts = True
    return counts


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


def _concepts(
    tokens: list[Token],
    words: list[str],
    lexicon: Lexicon,
    known: dict[str, int],
    expand: bool,
    change: bool = False,
    actions: frozenset[str] = frozenset(),
    resource_names: frozenset[tuple[str, ...]] = frozenset(),
) -> list[Concept]:
    """The things a request names, left to right: lexicon phrases, resource names, then single words."""
    reader = _ConceptReader(tokens, words, lexicon, known, expand, change)
    reader.phrases_with_small_words()
    sentence = _sentence_numbers(tokens)
    spans = _resource_name_spans(words, lexicon, resource_names)
    reader.phrases_of_content_words([(a, b) for a, b in spans if sentence[a] == sentence[b - 1]])
    reader.single_words(actions)
    return sorted(reader.found, key=lambda c: c.start)


def _records_in_state(source: Phrase, targets: list[Phrase]) -> list[tuple[Phrase, float]]:
    """ "deals we lost", "laptops out of warranty": a state named without the word "status" is most
    often a filter on the records in it, so the records are a reading too (beside the status list)."""
    if STATE_WORDS & set(source):
        return []
    found = [target[:-1] for target in targets if len(target) > 1 and target[-1] in STATE_WORDS]
    return [(record, IN_STATE) for record in found if record not in targets]


class _ConceptReader:
    """Reads concepts off a request's tokens, each token used by one concept at most."""

    def __init__(
        self, tokens: list[Token], words: list[str], lexicon: Lexicon, known: dict[str, int], expand: bool, change: bool
    ) -> None:
        self.tokens, self.words, self.lexicon, self.known = tokens, words, lexicon, known
        self.expand, self.change = expand, change
        self.taken = [t.introduces for t in tokens]  # "called", "including" name nothing themselves
        self.found: list[Concept] = []
        self.in_names: set[int] = set()

    def phrases_with_small_words(self) -> None:
        """Phrases written with their small words ("out of office", "good at").

        Articles and contraction pieces are skipped ("out of the office" is "out of office"),
        and so is a name's possessive: "on Jenny's calendar" is "on calendar".
        """
        tokens = self.tokens
        positions = [
            i for i, t in enumerate(tokens) if t.word not in SKIPPABLE and not (t.proper and possessive(tokens, i + 1))
        ]
        # A phrase never runs into the next sentence: "a purchase order. Line items are ..."
        sentence = _sentence_numbers(tokens)
        for _, run in itertools.groupby(positions, key=sentence.__getitem__):
            self._add_phrases(list(run), with_small_words=True)

    def phrases_of_content_words(self, names: list[tuple[int, int]]) -> None:
        """Phrases over content words only ("office is closed" -> "office closed"), then resource names.

        Never across a number or a possessive: "ticket 55012's status" and "the ticket's board"
        are a ticket and one of its fields. Resource names of several words the lexicon does not
        list ("work type", "security role") are kept whole.
        """
        self.in_names = {p for start, end in names for p in range(start, end)}
        run: list[int] = []
        for i, token in enumerate([*self.tokens, None]):
            breaks = token is None or token.is_number or token.introduces or possessive(self.tokens, i)
            # "look up a contact by email address": a record and the key it is found by, two things
            breaks = breaks or token.sentence_start or token.word == "by"
            # "mark the deal as lost": in a change, the record and its new value are two things
            breaks = breaks or (self.change and token is not None and token.word in CHANGE_MARKERS)
            if breaks and run:
                self._add_phrases(run, with_small_words=False)
                run = []
            if token is not None and not token.is_number and not self.taken[i] and token.word not in self.lexicon.stop:
                run.append(i)
        for start, end in names:
            if not any(self.taken[start:end]):
                phrase = tuple(self.words[start:end])
                self._take(Concept(" ".join(t.raw for t in self.tokens[start:end]), [(phrase, 1.0)], start, end))

    def single_words(self, actions: frozenset[str]) -> None:
        """Every other word the catalog knows, except verbs that only say what to do.

        Verbs may open phrases ("log hours", "mailing list") but never stand alone as the thing
        searched for: "close", "set" say what to do, not what to do it to. Action verbs
        ("approve", "merge") and verbs with an endpoint ("generate") name an operation, so they stay.
        """
        for i, token in enumerate(self.tokens):
            if self.taken[i] or token.is_number or token.word in self.lexicon.stop or token.word not in self.known:
                continue
            if _is_plain_verb(token.word, self.lexicon) and token.word not in actions:
                continue
            if self._fills_id(i):
                continue
            weight = 0.85 if token.corrected_from else 1.0
            source = "corrected" if token.corrected_from else "word"
            self._take(Concept(token.raw, [((token.word,), weight)], i, i + 1, source))

    def _fills_id(self, i: int) -> bool:
        """'case number 72': "number" only joins a record to its id, it names no record itself."""
        token = self.tokens[i]
        following = i + 1 < len(self.tokens) and self.tokens[i + 1].is_number
        return token.word in ID_FILLERS and following and i > 0 and self.taken[i - 1]

    def _take(self, concept: Concept) -> None:
        self.found.append(concept)
        for p in range(concept.start, concept.end):
            self.taken[p] = True

    def _add_phrases(self, positions: list[int], with_small_words: bool) -> None:
        """The longest lexicon phrase over ``positions`` (indexes into tokens), left to right."""
        sequence = [self.words[p] for p in positions]
        i = 0
        while i < len(positions):
            match = self._match_at(sequence, positions, i, with_small_words)
            if match is None:
                i += 1
                continue
            length, targets = match
            span = positions[i : i + length]
            self._take(self._phrase_concept(tuple(sequence[i : i + length]), targets, span))
            i += length

    def _match_at(
        self, sequence: list[str], positions: list[int], i: int, with_small_words: bool
    ) -> tuple[int, list[Phrase]] | None:
        if self.taken[positions[i]] or not self.expand:
            return None
        match = self.lexicon.synonyms_at(sequence, i, with_small_words, accept=self._accept)
        if match and match[0] == 1 and positions[i] in self.in_names:
            return None  # "purchase orders" is the resource name, not "purchase" and "orders"
        if match and any(self.taken[p] for p in positions[i : i + match[0]]):
            return None
        if match and len({self.tokens[p].detail for p in positions[i : i + match[0]]}) > 1:
            return None  # "tickets by priority": the subject and a detail make no phrase together
        return match

    def _phrase_concept(self, source: Phrase, targets: list[Phrase], span: list[int]) -> Concept:
        alternatives: list[tuple[Phrase, float]] = []
        if all(w in self.known for w in source) and not all(w in self.lexicon.stop for w in source):
            alternatives.append((source, 1.0))
        # A target the request spells out ("catalog" in "catalog item") is a literal reading, and
        # a literal reading outranks the lexicon's other guesses ("product").
        alternatives += [(target, LITERAL if set(target) <= set(source) else 0.9) for target in targets]
        alternatives += _records_in_state(source, targets)
        raw = " ".join(self.tokens[p].raw for p in span)
        return Concept(raw, alternatives, span[0], span[-1] + 1, "lexicon")

    def _accept(self, source: Phrase) -> bool:
        return not self._structural(source) and not self._qualified_noun(source)

    def _structural(self, source: Phrase) -> bool:
        """ "phases in a project template" names two things and how they relate: left to the
        head/parent analysis rather than swallowed as one lexicon phrase."""
        known, stop = self.known, self.lexicon.stop
        for k in range(1, len(source) - 1):
            if source[k] in PARENT_PREPOSITIONS and source[k - 1] in known and source[k + 1] in known:
                return source[k - 1] not in stop and source[k + 1] not in stop
        return False

    def _qualified_noun(self, source: Phrase) -> bool:
        """In a change, "ticket priority" is the ticket's priority field, not the priority list the
        lexicon reads it as: a phrase that only qualifies its own last word ("ticket status" ->
        board status) is left as two words, a record and its field."""
        if not self.change or len(source) < 2 or not all(w in self.known for w in source):
            return False
        return any(target[-1] == source[-1] for target in self.lexicon.synonyms[source])


def _sentence_numbers(tokens: list[Token]) -> list[int]:
    """Each token's sentence, counted from 0."""
    return list(itertools.accumulate(int(t.sentence_start and i > 0) for i, t in enumerate(tokens)))


def _resource_name_spans(
    words: list[str], lexicon: Lexicon, resource_names: frozenset[tuple[str, ...]]
) -> list[tuple[int, int]]:
    """Spans of words that spell a resource name of several words, longest first, left to right."""
    spans = []
    i = 0
    while i < len(words):
        for length in (4, 3, 2):
            phrase = tuple(words[i : i + length])
            if len(phrase) == length and phrase in resource_names and not any(w in lexicon.stop for w in phrase):
                spans.append((i, i + length))
                i += length
                break
        else:
            i += 1
    return spans


def _is_plain_verb(word: str, lexicon: Lexicon) -> bool:
    """An intent verb with no meaning of its own ("close", "set"; not "remind" or "approve")."""
    phrases = lexicon.intents
    if (word,) in phrases["action"] or (word,) in lexicon.synonyms:
        return False
    return any((word,) in phrases[name] for name in ("create", "update", "delete", "read"))


def _head(concepts: list[Concept], tokens: list[Token], lexicon: Lexicon) -> Concept | None:
    """The main noun: the last word of the first run of adjacent concepts.

    "tasks on a project ticket" -> tasks; "project phases" -> phases.
    """
    if not concepts:
        return None
    head = concepts[0]
    for following in concepts[1:]:
        # "project phases", and "the client's sites": the thing owned is the head.
        adjacent = following.start == head.end or (following.start == head.end + 1 and possessive(tokens, head.end))
        if not adjacent or tokens[following.start].sentence_start:  # "new expense: parking" is an expense
            break
        if _participle_after(following, tokens) or _state_after(head, following):
            break
        if _participle(tokens[following.start]) and following.end == following.start + 1:
            break  # "tickets opened this week", "configs expired last month": a filter on the noun, not a compound
        head = following
    return head


def _person_joined(analysis: Analysis, stop: frozenset[str]) -> None:
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
    if end == start or end + 1 >= len(tokens) or tokens[end].word not in joins:
        return
    containers = [c for c in analysis.concepts if c.start > end and not c.detail]
    if not containers:
        return
    person = Concept(" ".join(t.raw for t in tokens[start:end]), list(JOINED_PERSON), start, end, "person")
    analysis.concepts = sorted([*analysis.concepts, person], key=lambda c: c.start)
    analysis.head = person
    analysis.parents = containers


def _person_word(token: Token, stop: frozenset[str]) -> bool:
    """A word of a person's name as chat writes it ("mike", "jane doe"): letters, no small word."""
    return token.raw.isalpha() and token.word not in stop and token.word not in PARTICLES


def _mark_participle_filters(analysis: Analysis, words: frozenset[str], known: dict[str, int]) -> None:
    """ "tickets opened this week", "companies marked as prospects": a participle after the head
    filters its records (and so does a value after "as"), matched by their fields, not their names."""
    head, tokens = analysis.head, analysis.tokens
    if head is None or analysis.intent not in (None, "read", "count"):
        return
    after = [c for c in analysis.concepts if c.start >= head.end]
    if not after or not _participle(tokens[after[0].start]):
        return
    if after[0].source not in OWN_WORDS:
        return  # "engineers overbooked next week": a word the lexicon reads names records of its own
    # "tickets jsmith opened this week": who did it may stand between
    between = tokens[head.end : after[0].start]
    named = all(t.raw.isalpha() and not t.clause_start and t.word not in known and t.word not in words for t in between)
    if len(between) > 2 or not named:
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


def _participle(token: Token) -> bool:
    """A past participle as written ("opened", "logged", "expired"), which follows a noun to filter it."""
    raw = token.raw.lower()
    return len(raw) > 4 and raw.endswith("ed") and raw.isalpha()


OWN_WORDS = ("word", "corrected")  # concepts named in the request's own words, not read by the lexicon


def _state_after(head: Concept, concept: Concept) -> bool:
    """ "tickets waiting on a third party", "deals closed won": a state the lexicon reads as a status,
    after a record named literally, is the state that record is in, not the list of statuses."""
    if concept.source != "lexicon" or not any(conf >= 1.0 for _, conf in head.alternatives):
        return False
    guesses = {phrase for phrase, conf in concept.alternatives if conf < 1.0}
    statuses = {phrase for phrase in guesses if phrase[-1] in STATE_WORDS}
    # beside a status, the records in it are a reading too ("billing" beside "billing status")
    in_state = {phrase for phrase in guesses if any((*phrase, word) in statuses for word in STATE_WORDS)}
    return bool(statuses) and guesses <= statuses | in_state


def _participle_after(concept: Concept, tokens: list[Token]) -> bool:
    """ "tickets opened today", "invoices sent last week": a participle after a noun, then when,
    describes the noun. ("the members excluded from a board" names the exclusions: no time follows.)"""
    single = concept.end - concept.start == 1 and concept.source in ("word", "corrected", "lexicon")
    if not single or concept.start == 0 or not tokens[concept.start].raw.lower().endswith("ed"):
        return False
    return concept.end < len(tokens) and tokens[concept.end].word in WHEN_WORDS


def _parents(concepts: list[Concept], tokens: list[Token], head: Concept | None) -> list[Concept]:
    """Things the head belongs to: concepts right after "on/of/in/for/under/against/to/from" behind it.

    "tasks on a project ticket" -> project ticket; "phases in a project template" -> project template.
    """
    if head is None:
        return []
    out = []
    named = {p for c in concepts for p in range(c.start, c.end)}
    for concept in concepts:
        if concept.start <= head.start:
            continue
        if any(t.full_stop for t in tokens[head.end : concept.start + 1]):
            break  # "Gets work roles. Each may be limited to locations.": the next sentence explains
        window = tokens[max(0, concept.start - 3) : concept.start + 1]
        # The preposition must be in the concept's own sentence: "for Contoso: printer" is no parent.
        starts = [i for i, t in enumerate(window) if t.sentence_start]
        before = [t.word for t in window[starts[-1] if starts else 0 : -1]]
        if any(word in PARENT_PREPOSITIONS for word in before) or _after_preposition(tokens, concept, named):
            out.append(concept)
    return out


def _after_preposition(tokens: list[Token], concept: Concept, named: set[int]) -> bool:
    """ "the priority of the Contoso printer ticket": the noun closing a group of names and
    modifiers that a preposition opens."""
    j = concept.start - 1
    reach = max(0, concept.start - GROUP_REACH)
    while j >= reach and not tokens[j + 1].sentence_start and _modifier(tokens[j], j in named):
        j -= 1
    return j >= 0 and j + 1 < concept.start and tokens[j].word in PARENT_PREPOSITIONS


def _modifier(token: Token, named: bool) -> bool:
    """A word that may stand between a preposition and its noun: a name, an article, an adjective."""
    return token.proper or named or (token.word not in PARENT_PREPOSITIONS and not token.is_number)
