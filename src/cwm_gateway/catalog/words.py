"""A request's words: split, spelled as the catalog spells them, and marked for what they do.

"tickets past due, filtered by board" -> tokens; "filtered by board" marked as a detail, not a thing asked for.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import replace

from . import text
from .analysis import (
    ARROWS,
    ID_WORDS,
    PARENT_PREPOSITIONS,
    PREAMBLE,
    RANKING_WORDS,
    RECORD_WORD_USES,
    SPLIT_PARTICLES,
    SUBJECT_MATTER,
    Analysis,
    Token,
    Vocabulary,
)
from .lexicon import Lexicon

# Fields named beside the subject: "with a status", "including its totals", "filtered by vendor".
# (Examples, "such as net 30", are not details: they are often the best hint at the subject.)
DETAIL_OPENERS = frozenset("with including include includes incl".split())
# "a company called Fabrikam": the words after it are the new record's name, not things to find.
NAME_INTRODUCERS = frozenset("called named titled entitled".split())
SUBJECT_PRONOUNS = frozenset("who which that i we you they he she it".split())
FILTER_WORDS = frozenset("filter filtered filtering sorted sort ordered searchable".split())
# "the teams defined on a service board", "members configured in the system": documentation's
# participles between a thing and what it belongs to name neither.
PLACING_PARTICIPLES = frozenset(
    "defined configured available registered stored recorded belonging kept linked attached associated tied".split()
)
# "Return information about the current user", "details of an opportunity": the thing is what is asked for.
ABOUT_WORDS = frozenset(("information",))  # "details", "data" are stop words already
# "an array of tickets", "a collection of agreement objects": documentation's lists of records
CONTAINER_WORDS = frozenset("array collection page".split())
OBJECT_WORDS = frozenset("object objects".split())
ID_KINDS = frozenset("numeric internal unique record".split())
PAGING_WORDS = frozenset("paged paginated pageable pagination".split())  # a paged list is a list
MODIFIER_WORDS = frozenset(("bulk",))  # opens a description ("Bulk deletes tickets") and names a variant
# The API's query parameters, as a description names them ("the conditions parameter").
QUERY_PARAMETERS = frozenset("condition conditions filter field fields page size order".split())
_DECIMAL_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+[.,]\d+")  # "1.5 h", "1,250.00": quantities
# "303-555-0142", "(303) 555-0142", "+1 303.555.0142", "555-0142": a phone number, whose digits are no ids
PHONE = r"(?:\+?1[-.\s])?(?:\(\d{3}\)\s?|\b\d{3}[-.\s])?\b\d{3}[-.]\d{4}\b"
_PHONE_RE = re.compile(PHONE)
_DATE_RE = re.compile(r"\b\d{1,4}[/-]\d{1,2}(?:[/-]\d{2,4})?\b")  # "12/31", "2027-01-15": dates, never ids
_AMOUNT_RE = re.compile(r"[$€£]\s*\d+|\d+\s*%")  # "$42 parking", "80%": amounts, never ids
_NUMBER_OF_RE = re.compile(r"#\s*of\b", re.IGNORECASE)  # "# of open pos": the number of them
QUOTE_MARKS = "'\"\u2018\u2019\u201c\u201d"
_QUOTE_OPENS = re.compile(rf"\s[{QUOTE_MARKS}]$")
_QUOTE_CLOSES = re.compile(rf"[{QUOTE_MARKS}](?:\s|[,.;:!?)]|$)")
_CHUNK_RE = text.WORD_RE  # "sub categories" is one word, as the catalog writes it
# "CW-HP-PROBOOK", "CAB-C6-25", "ADJ-0042": capitals and digits joined by dashes, a record's code
_CODE_RE = re.compile(r"(?<![\w-])(?=[A-Z0-9-]*[A-Z])[A-Z0-9]+(?:-[A-Z0-9]+)+(?![\w-])")


def tokenize(query: str) -> list[Token]:
    """Words of a request with what ranking needs to know about each.

    Decimals ("1.5 h") are quantities and "12/31" dates, never ids, so they are dropped here.
    """
    cleaned = _AMOUNT_RE.sub(" ", _DECIMAL_RE.sub(" ", _DATE_RE.sub(" ", _NUMBER_OF_RE.sub("number of", query))))
    out: list[Token] = []
    depth = 0  # parentheses: "(On-Site, Remote, In-House)" are examples or asides
    quoted = False  # "the 'verify MFA enrollment' task": a name, whatever its case
    previous_end = 0
    chunks = list(_CHUNK_RE.finditer(cleaned))
    capitalised = [_capitalised(m.group(0)) for m in chunks[1:] if m.group(0).isalpha()]
    # "Get Ticket Notes By Id" is written in title case: its capitals mark no names.
    title_case = len(capitalised) >= 2 and sum(capitalised) * 2 > len(capitalised)
    codes = [m.span() for m in _CODE_RE.finditer(cleaned)]
    phones = [m.span() for m in _PHONE_RE.finditer(cleaned)]
    for chunk_index, match in enumerate(chunks):
        chunk = match.group(0)
        proper = chunk_index > 0 and not title_case and _capitalised(chunk)
        gap = cleaned[previous_end : match.start()]
        # A clause starts after , . ; : ! ? or a free-standing dash, not inside "break-fix" nor
        # before a cmdlet's parameter ("the -Condition parameter").
        switch = gap.endswith("-") and gap[:1].isspace()
        dash = gap.strip() in ("-", "–", "—") and " " in gap and not switch
        arrow = any(mark in gap for mark in ARROWS)  # "charge code Vacation -> work type: PTO"
        starts_clause = chunk_index == 0 or dash or arrow or any(c in ",.;:!?" for c in gap)
        depth = max(0, depth + gap.count("(") - gap.count(")"))
        quoted = _quote_opens(gap, chunk_index) if not quoted else not _QUOTE_CLOSES.match(gap)
        for piece_index, piece in enumerate(text.split_identifier(chunk)):
            word = text.stem(piece)
            token = Token(word, chunk, len(out), proper=proper, clause_start=starts_clause and not piece_index)
            token.plural, token.parenthesised, token.quoted = word != piece, depth > 0, quoted
            token.sentence_start = not piece_index and (chunk_index == 0 or dash or any(c in ".;:!?" for c in gap))
            token.full_stop = not piece_index and chunk_index > 0 and _full_stop(gap, chunks[chunk_index - 1].group(0))
            token.switch = switch
            token.code = next((cleaned[a:b] for a, b in codes if a <= match.start() < b), None)
            token.phone = any(a <= match.start() < b for a, b in phones)
            # (and so is the rest of a code said after it: "serial number = SN-889")
            same_code = token.code is not None and bool(out) and out[-1].code == token.code
            token.assigned = "=" in gap or (same_code and out[-1].assigned)
            out.append(token)
        after = cleaned[match.end() : match.end() + 2]
        if not quoted and chunk[-1:] in ("s", "S") and after[:1] in ("'", "\u2019") and not after[1:].isalnum():
            # "adventure works' territory": the possessive of a name ending in s, as "works's" would be
            # (not the quote closing a name: "the 'Printer Jams' article")
            out.append(Token("s", "s", len(out), clause_start=False))
        previous_end = match.end()
    return out


def _quote_opens(gap: str, chunk_index: int) -> bool:
    """A quote mark after a space, or opening the request, opens a quoted name (not "Contoso's")."""
    mark = gap.strip()[-1:]
    return bool(_QUOTE_OPENS.search(gap)) or (chunk_index == 0 and mark != "" and mark in QUOTE_MARKS)


def _full_stop(gap: str, previous: str) -> bool:
    """Does the gap end one sentence and open another ("... ticket. Notes are ...")? Not a colon,
    which opens an elaboration ("billed: monthly, quarterly"), nor "e.g." or "i.e."."""
    return any(mark + " " in gap + " " for mark in ".;!?") and len(previous) > 1


def _capitalised(chunk: str) -> bool:
    return chunk[0].isupper() and not chunk.isupper() and chunk[1:].islower()


def read_words(
    tokens: list[Token], lexicon: Lexicon, vocabulary: Vocabulary, expand: bool
) -> tuple[list[Token], dict[str, int]]:
    """The request's words as the catalog spells them, and how many operations use each."""
    lexicon_words = lexicon.all_words()
    _product_names(tokens, lexicon, vocabulary)
    _numbers_in_names(tokens, lexicon, vocabulary)
    known = vocabulary.known({t.word for t in tokens if not t.is_number})
    if expand:
        tokens = _moved_through(_states_asked(_mend_words(tokens, vocabulary, known, lexicon_words, lexicon)))
        known.update(vocabulary.known({t.word for t in tokens if not t.is_number} - set(known)))
    _mark_details(tokens, vocabulary)
    _mark_reasons(tokens)
    _mark_placing_participles(tokens, vocabulary.resource_names())
    _mark_parameters(tokens)
    if expand:
        for token, following in zip(tokens, [*tokens[1:], None], strict=True):
            # "older than 60 days": a comparative, whatever catalog word it resembles ("order")
            comparative = following is not None and following.word == "than"
            if not token.is_number and len(token.word) >= 4 and not comparative:
                _correct_word(token, known, lexicon, vocabulary)
    known.update(vocabulary.known({t.word for t in tokens if not t.is_number} - set(known)))
    return tokens, known


# "what can a booking be marked as", "states a device can be in": the states a record can be in
STATE_CLOSERS = frozenset("in marked set".split())
STATE_NOUNS = frozenset("states stages conditions options".split())
MOVING_VERBS = frozenset("go goes move moves pass passes progress progresses flow flows".split())
# ("steps" and "phases" a project goes through are its phases: the lexicon reads those)
STAGE_WORDS = frozenset("stages states statuses milestones".split())
# Sales stages are the steps an opportunity moves through: "the stages a deal can be in" asks for them.
STAGED_RECORDS = frozenset("opportunity opp deal sale pipeline".split())
STATE_NAMES = frozenset("states stages statuses".split())
STATE_QUESTIONS = STATE_NOUNS | frozenset("what which statuses".split())


def _states_asked(tokens: list[Token]) -> list[Token]:
    """ "what can a booking be marked as: tentative, firm, done?", "states a device can be in": a
    question of what a record can be asks for its statuses; the word "status" is read in after it."""
    words = [t.raw.lower() for t in tokens]
    for i, word in enumerate(words):
        closes = word == "be" and i + 1 < len(words) and words[i + 1] in STATE_CLOSERS
        if not closes and word != "have":
            continue
        can = next((j for j in range(i - 1, max(-1, i - 6), -1) if words[j] == "can"), None)
        # "what statuses can an appointment have": only a word for states asks it ("what options
        # can a ticket have" asks nothing of the kind)
        asking = STATE_QUESTIONS if closes else STATE_NAMES
        if can is None or asking.isdisjoint(words[:can]):
            return tokens  # "can a ticket be set to closed by a tech?" asks no list of states
        if can + 1 < i and words[can + 1] in ("a", "an", "the"):
            end = i  # "can a booking be": the record is between
        elif closes and can > 0 and can + 1 == i:
            end = can  # "a device can be in": the record is before
        else:
            return tokens
        if "stages" in words[:can] and not STAGED_RECORDS.isdisjoint(t.word for t in tokens[max(0, can - 3) : i]):
            return tokens
        for token in tokens[:can]:
            # "what states can a PO be in", "the stages an order can be in": the word that asks is
            # the status read in below, never the catalog's states (regions) or sales stages
            token.introduces = token.introduces or words[token.index] in STATE_NOUNS
        status = Token("status", "status", end)
        out = [*tokens[:end], status, *tokens[end:]]
        for index, token in enumerate(out):
            token.index = index
        return out
    return tokens


def _moved_through(tokens: list[Token]) -> list[Token]:
    """ "the steps a deal moves through", "stages a customer return goes through": the stages of what
    moves are asked for; a deal's are the sales stages, any other record's are its statuses."""
    words = [t.raw.lower() for t in tokens]
    at = next((i for i in range(2, len(words)) if words[i] == "through" and words[i - 1] in MOVING_VERBS), None)
    if at is None:
        return tokens
    verb = at - 1 - (words[at - 2] == "can")
    asking = next((j for j in range(verb - 1, max(-1, verb - 6), -1) if words[j] in STAGE_WORDS), None)
    if asking is None or asking + 1 >= verb:
        return tokens
    record = tokens[asking + 1 : verb]
    if not STAGED_RECORDS.isdisjoint(t.word for t in record):
        for token in record:
            token.detail = True  # "the pipeline stages opportunities move through": the stages asked
        if words[asking] == "stages":
            return tokens
        word, place = "stage", asking + 1
    else:
        tokens[asking].introduces = True
        word, place = "status", verb
    out = [*tokens[:place], Token(word, word, place), *tokens[place:]]
    for index, token in enumerate(out):
        token.index = index
    return out


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


def _numbers_in_names(tokens: list[Token], lexicon: Lexicon, vocabulary: Vocabulary) -> None:
    """ "office 365", "m365 contacts": a number that, with the word before it, names a product the
    catalog or the lexicon knows is part of that name, not a record's id."""
    for before, token in itertools.pairwise(tokens):
        if not token.word.isdigit():
            continue
        pair = (before.word, token.word)
        if pair in lexicon.numbered_names() or pair in _numbered(vocabulary.resource_names()):
            token.in_name = True


@functools.lru_cache(maxsize=4)
def _numbered(names: frozenset[tuple[str, ...]]) -> frozenset[tuple[str, str]]:
    return frozenset((a, b) for name in names for a, b in itertools.pairwise(name) if b.isdigit() and not a.isdigit())


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
    elif token.proper or _adverb(word, lexicon_words) or token.raw.lower() in lexicon.real:
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


def _names_relation(tokens: list[Token], i: int, names: frozenset[tuple[str, ...]]) -> bool:
    """ "tickets linked to ticket 9": the link between two tickets is a record of its own (ticket links)."""
    root = tokens[i].word.removesuffix("ed")
    return any((t.word, root) in names for t in tokens[:i])


def _adverb(word: str, lexicon_words: frozenset[str]) -> bool:
    """ "permanently", "quickly": an adverb the catalog and the lexicon have no use for."""
    return len(word) > 4 and word.endswith("ly") and word not in lexicon_words


def _mark_placing_participles(tokens: list[Token], names: frozenset[tuple[str, ...]]) -> None:
    """ "teams defined on a board": the participle only places the teams; without it "teams" is
    the head and "board" their parent (not "defined", as in user-defined fields)."""
    for i in range(1, len(tokens) - 1):
        placed = tokens[i].word in PLACING_PARTICIPLES and tokens[i + 1].word in PARENT_PREPOSITIONS
        if placed and not tokens[i].sentence_start and not _names_relation(tokens, i, names):
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


def mark_preamble(analysis: Analysis) -> None:
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


def mark_containers(tokens: list[Token]) -> None:
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


# "... since they cancelled", "... now that it's verified": a reason or circumstance follows
REASON_OPENERS = frozenset("because since while".split())
REASON_PAIRS = frozenset((("now", "that"), ("so", "that")))


def _mark_reasons(tokens: list[Token]) -> None:
    """ "Start a stopwatch on ticket 41102 while I'm on the phone with the client", "... since they
    cancelled": a reason or a circumstance after the request says why, not what; its words are
    details (the phone call is no activity to time)."""
    for i, token in enumerate(tokens[3:], start=3):
        pair = (tokens[i - 1].word, token.word)
        if token.word in REASON_OPENERS or pair in REASON_PAIRS:
            for later in tokens[i + 1 :]:
                if later.sentence_start:
                    break
                later.detail = True
            return


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
