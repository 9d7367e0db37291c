"""The things a request names: phrases read as catalog resources, literally or through the lexicon.

"the client's open jobs" -> concepts [company (client), ticket (jobs)]; the head noun among adjacent ones.
"""

from __future__ import annotations

import itertools

from .analysis import (
    CHANGE_MARKERS,
    ID_FILLERS,
    LITERAL,
    PARENT_PREPOSITIONS,
    TIME_WORDS,
    Concept,
    Token,
    possessive,
)
from .lexicon import SKIPPABLE, Lexicon, Phrase

STATE_WORDS = frozenset(("status", "state"))
IN_STATE = 0.9  # "deals we lost": the deals, read as opportunity beside opportunity status
WHEN_WORDS = TIME_WORDS | frozenset("this last yesterday since before after during between ago and or".split())
GROUP_REACH = 4  # words a preposition may stand before its noun: "of the big Contoso deal"


def read_concepts(
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


# "the customer's locations" reads as "customer locations": the lexicon's phrases for what clients have
CLIENT_WORDS = frozenset(("client", "customer"))


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
            owned = possessive(self.tokens, i) and self.tokens[i - 1].word not in CLIENT_WORDS
            breaks = token is None or token.is_number or token.introduces or owned
            # "look up a contact by email address": a record and the key it is found by, two things
            breaks = breaks or token.sentence_start or token.word == "by"
            # "mark the deal as lost": in a change, the record and its new value are two things
            breaks = breaks or (self.change and token is not None and token.word in CHANGE_MARKERS)
            # "timesheets from last period": what the records belong to is no part of their name
            breaks = breaks or (token is not None and token.word in PARENT_PREPOSITIONS and token.word != "to")
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
            if is_plain_verb(token.word, self.lexicon) and token.word not in actions:
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

        def accept(source: Phrase) -> bool:
            # a phrase over a word already read gives way to a shorter one; a small word that only
            # opens details may end it ("people we deal with", "card we pay with")
            span = positions[i : i + len(source)]
            # "on order 702": the preposition opens a numbered record, not the state "on order"
            end = span[-1] + 1
            numbered = source[0] in PARENT_PREPOSITIONS and end < len(self.tokens) and self.tokens[end].is_number
            taken = any(self.taken[p] and not self._small_opener(p) for p in span)
            return not taken and not numbered and self._accept(source)

        match = self.lexicon.synonyms_at(sequence, i, with_small_words, accept=accept)
        if match and match[0] == 1 and positions[i] in self.in_names:
            return None  # "purchase orders" is the resource name, not "purchase" and "orders"
        if match and len({self.tokens[p].detail for p in positions[i : i + match[0]]}) > 1:
            return None  # "tickets by priority": the subject and a detail make no phrase together
        return match

    def _small_opener(self, position: int) -> bool:
        token = self.tokens[position]
        return token.introduces and token.word in self.lexicon.stop

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
        # ("deal stage": a word the lexicon reads as a record is known as well as the catalog's own)
        if (
            not self.change
            or len(source) < 2
            or not all(w in self.known or (w,) in self.lexicon.synonyms for w in source)
        ):
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


def is_plain_verb(word: str, lexicon: Lexicon) -> bool:
    """An intent verb with no meaning of its own ("close", "set"; not "remind" or "approve")."""
    phrases = lexicon.intents
    if (word,) in phrases["action"] or (word,) in lexicon.synonyms:
        return False
    return any((word,) in phrases[name] for name in ("create", "update", "delete", "read"))


def head_of(concepts: list[Concept], tokens: list[Token], lexicon: Lexicon) -> Concept | None:
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
        if _state_after(head, following):
            break
        if participle(tokens[following.start]) and following.end == following.start + 1:
            break  # "tickets opened this week", "configs expired last month": a filter on the noun, not a compound
        head = following
    return head


# "invoices not yet paid", "deals won last month", "quotes sent": past participles not ending in -ed
IRREGULAR_PARTICIPLES = frozenset("paid sent won lost made done built held spent bought sold written taken".split())


def participle(token: Token) -> bool:
    """A past participle as written ("opened", "logged", "expired"), which follows a noun to filter it."""
    raw = token.raw.lower()
    return (len(raw) > 4 and raw.endswith("ed") and raw.isalpha()) or raw in IRREGULAR_PARTICIPLES


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


def parents_of(concepts: list[Concept], tokens: list[Token], head: Concept | None) -> list[Concept]:
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
