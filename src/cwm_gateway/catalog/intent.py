"""Reading a request: which things it names, and what it wants done with them.

"close ticket 123" -> concepts [ticket], intent update (PATCH/PUT), id 123 on ticket.
"how many open tickets" -> count. "notes on a project" -> head noun "notes".
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

from . import text
from .analysis import (
    CHANGE_MARKERS,
    CLOCK_WORDS,
    DEFINITE_WORDS,
    ID_FILLERS,
    LITERAL,
    NEW_RECORD_WORDS,
    PARENT_PREPOSITIONS,
    PARTICLES,
    PREAMBLE,
    STATE_VERBS,
    TIME_WORDS,
    Analysis,
    Concept,
    Token,
    Vocabulary,
    possessive,
    singular,
)
from .lexicon import SKIPPABLE, Lexicon, Phrase
from .records import find_ids, records_named, unknown_verb_change

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
# "get a single company by its numeric ID": one record is wanted, though no id is given.
ONE_RECORD_WORDS = frozenset("single specific particular individual one".split())
# "Returns the specified member", "Gets the requested invoice": documentation's way of naming one
# record whose id the caller passes; only before a singular noun ("the specified members" may be many).
DESIGNATED_WORDS = frozenset("specified given provided supplied requested designated indicated selected".split())
ID_WORDS = frozenset("id identifier recid".split())
ID_INTRODUCERS = frozenset("by its their numeric given unique internal with specified provided supplied".split())
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
_CHUNK_RE = re.compile(r"[A-Za-z0-9]+")


def tokenize(query: str) -> list[Token]:
    """Words of a request with what ranking needs to know about each.

    Decimals ("1.5 h") are quantities, never ids, so they are dropped here.
    """
    cleaned = _AMOUNT_RE.sub(" ", _DECIMAL_RE.sub(" ", query))
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
        # A clause starts after , . ; : ! ? or a free-standing dash, not inside "break-fix".
        dash = gap.strip() in ("-", "–", "—") and " " in gap
        starts_clause = chunk_index == 0 or dash or any(c in ",.;:!?" for c in gap)
        depth = max(0, depth + gap.count("(") - gap.count(")"))
        for piece_index, piece in enumerate(text.split_identifier(chunk)):
            word = text.stem(piece)
            token = Token(word, chunk, len(out), proper=proper, clause_start=starts_clause and not piece_index)
            token.plural, token.parenthesised = word != piece, depth > 0
            token.sentence_start = not piece_index and (chunk_index == 0 or dash or any(c in ".;:!?" for c in gap))
            out.append(token)
        after = cleaned[match.end() : match.end() + 2]
        if chunk[-1:] in ("s", "S") and after[:1] in ("'", "\u2019") and not after[1:].isalnum():
            # "adventure works' territory": the possessive of a name ending in s, as "works's" would be
            out.append(Token("s", "s", len(out), clause_start=False))
        previous_end = match.end()
    return out


def _capitalised(chunk: str) -> bool:
    return chunk[0].isupper() and not chunk.isupper() and chunk[1:].islower()


def analyze(query: str, lexicon: Lexicon, vocabulary: Vocabulary, expand: bool = True) -> Analysis:
    """Read a request: its words (mended and corrected), its verb, the things it names and how they relate."""
    tokens, known = _read_words(tokenize(query), lexicon, vocabulary, expand)
    analysis = Analysis(query, tokens)
    after_verb = _find_intent(analysis, lexicon, vocabulary, known)
    opening = analysis.verb[0] if analysis.verb else None
    analysis.count = _count_intent([t.word for t in tokens], lexicon, tokens, opening)
    _read_things(analysis, lexicon, known, vocabulary, expand)
    revised = _revised_intent(analysis, after_verb, lexicon, vocabulary.action_words())
    if revised is None and unknown_verb_change(analysis, lexicon, known):
        revised = "update"  # "kick 6603 back to the help desk board": a verb we do not know, moving a record
    if revised != analysis.intent:
        analysis.intent = revised
        _read_things(analysis, lexicon, known, vocabulary, expand)
    if analysis.intent != "update" and any(c.source == "implied" for c in analysis.concepts):
        _read_things(analysis, lexicon, known, vocabulary, expand, imply=False)  # no change: no ticket implied
    analysis.records = records_named(analysis, tokens, lexicon.stop, vocabulary.names)
    owners = [r for r, _ in analysis.records if r.source == "implied" and r not in analysis.concepts]
    if owners and all(
        pinned is False or r in owners for r, pinned in analysis.records
    ):  # "contoso's status": the owner is named, as a company, contact or member
        analysis.concepts = sorted([*analysis.concepts, *owners], key=lambda c: c.start)
    analysis.one_record = _one_record(analysis)
    if expand:
        described = _described(analysis, lexicon)
        if described is not None:
            analysis.concepts.append(described)
    mentioned = {t for c in analysis.concepts for t in c.tokens()}
    analysis.qualifiers = {qualifier for noun, qualifier in lexicon.qualifiers.items() if noun in mentioned}
    return analysis


def _read_words(
    tokens: list[Token], lexicon: Lexicon, vocabulary: Vocabulary, expand: bool
) -> tuple[list[Token], dict[str, int]]:
    """The request's words as the catalog spells them, and how many operations use each."""
    lexicon_words = lexicon.all_words()
    _product_names(tokens, lexicon)
    known = vocabulary.known({t.word for t in tokens if not t.is_number})
    if expand:
        tokens = _mend_words(tokens, vocabulary, known, lexicon_words)
        known.update(vocabulary.known({t.word for t in tokens if not t.is_number} - set(known)))
    _mark_details(tokens, vocabulary)
    _mark_placing_participles(tokens)
    if expand:
        for token in tokens:
            if not token.is_number and len(token.word) >= 4:
                _correct_word(token, known, lexicon, vocabulary)
    known.update(vocabulary.known({t.word for t in tokens if not t.is_number} - set(known)))
    return tokens, known


def _product_names(tokens: list[Token], lexicon: Lexicon) -> None:
    """ "in ConnectWise Manage", "from ConnectWise.": the product's name, written in camel case, is
    one stop word, not "connect" and "wise". Before a word that says more ("ConnectWise hosted
    setups") it stays: there it names a resource."""
    for i, token in enumerate(tokens):
        name = token.raw.lower()
        following = next((t for t in tokens[i + 1 :] if t.raw != token.raw), None)
        split = len(text.split_identifier(token.raw)) > 1
        if split and name in lexicon.stop and (following is None or following.raw.lower() in lexicon.stop):
            token.word = name


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
        found = _pronoun_object_verb(words, lexicon)
    if not found[0]:
        found = _deletion_anywhere(tokens, lexicon)
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
        _noun_not_verb(tokens, verb_start, after_verb, vocabulary)
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
    names = vocabulary.stats({tokens[index - 1].word}).get(tokens[index - 1].word, (0, 0))[1]
    if names < RECORD_WORD_USES:
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


def _mend_words(
    tokens: list[Token], vocabulary: Vocabulary, known: dict[str, int], lexicon_words: frozenset[str]
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
            if joined in names and not (token.word in names and following.word in names):
                out.append(replace(token, word=joined, raw=token.raw + following.raw, plural=following.plural))
                i += 2
                continue
        pieces = None
        unknown = token.word not in known and token.word not in lexicon_words
        if unknown and not token.is_number and not token.proper and len(token.raw) >= 7:
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


def _noun_not_verb(tokens: list[Token], start: int, end: int, vocabulary: Vocabulary) -> bool:
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
    # "invoices past due", "schedules this week": a plural noun described by what follows it. A
    # description's verb ("Invoices the client", "Logs time on a ticket") takes an object.
    following = tokens[end]
    return (
        tokens[start].plural
        and vocabulary.known({tokens[start].word}).get(tokens[start].word, 0) >= RECORD_WORD_USES
        and not (following.is_number or following.proper)
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
    analysis.concepts = _without_verb(concepts, tokens, lexicon, analysis.verb, vocabulary.action_words())
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
    _mark_generic_nouns(analysis.concepts)
    _mark_names_of_kind(analysis.concepts)
    analysis.head = _find_head(analysis, lexicon)
    analysis.parents = [c for c in _parents(analysis.concepts, tokens, analysis.head) if not c.value]


def _find_head(analysis: Analysis, lexicon: Lexicon) -> Concept | None:
    """The head noun among the things the request is about (not details, asides or new values)."""
    tokens = analysis.tokens
    subjects = [c for c in analysis.concepts if not (c.detail or c.aside or c.parenthesised)]
    # "contoso called about a printer, log a ticket for them": a verb in a later clause says
    # what it acts on after it; the clause before gives the reason.
    later = analysis.verb is not None and tokens[analysis.verb[0]].clause_start and analysis.verb[0] > 0
    if later and analysis.intent == "create":
        subjects = [c for c in subjects if c.start >= analysis.verb[1]] or subjects
    head = _head(subjects or analysis.concepts, tokens, lexicon)
    if analysis.intent in (None, "read") and not analysis.count:
        head = _counted(subjects, tokens, lexicon) or _reported(head, subjects, tokens, lexicon) or head
    if head is not None and analysis.intent in ("create", "update"):
        # "open a new ticket for Contoso: printer on 3rd floor jammed": after the sentence that
        # names what is made or changed comes its content, not another thing to make.
        sentences = [i for i in range(head.end, len(tokens)) if tokens[i].sentence_start]
        for concept in analysis.concepts:
            if sentences and concept.start >= sentences[0]:
                concept.detail = True
    return head


def _mark_generic_nouns(concepts: list[Concept]) -> None:
    """ "a member account", "the contact record": after a resource named literally, a generic noun
    says nothing more (and "account" must not turn a member into a company)."""
    for previous, concept in itertools.pairwise(concepts):
        literal = previous.source == "word" or any(conf >= 1.0 for _, conf in previous.alternatives)
        if literal and previous.end == concept.start and concept.text.lower() in GENERIC_NOUNS:
            concept.detail = True


def _mark_names_of_kind(concepts: list[Concept]) -> None:
    """ "the help desk board": a phrase the lexicon reads as the very kind named right after it
    is that record's name, not a second mention of the kind."""
    for previous, concept in itertools.pairwise(concepts):
        if previous.end != concept.start or previous.source != "lexicon":
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
    return any(
        w in ID_WORDS and i > 0 and words[i - 1] in introducers and not any(p.start <= i < p.end for p in parents)
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
    analysis: Analysis, after_verb: int, lexicon: Lexicon, actions: frozenset[str] = frozenset()
) -> str | None:
    """A change the opening verb hides: a record that already has an id is not being created.

    "make ticket 12 high priority", "put ticket 5 on the Network board": a create verb
    whose object is a numbered record. "the urgency of incident 4410 raised to critical":
    no opening verb, but a numbered record and a change verb's participle before "to"/"as".
    """
    numbered = {id(concept) for _, concept in analysis.ids}
    tokens = analysis.tokens
    moves = analysis.intent in ("create", "action") and not _names_action(tokens, analysis.verb, actions)
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
    verb_acts = analysis.intent in ("create", "action") and not _names_action(tokens, analysis.verb, actions)
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
    counts = False
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
    reader.phrases_of_content_words(_resource_name_spans(words, lexicon, resource_names))
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
        self._add_phrases(positions, with_small_words=True)

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
        head = following
    return head


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
