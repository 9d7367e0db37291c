"""Reading a request: which things it names, and what it wants done with them.

"close ticket 123" -> concepts [ticket], intent update (PATCH/PUT), id 123 on ticket.
"how many open tickets" -> count. "notes on a project" -> head noun "notes".
"""

from __future__ import annotations

from collections.abc import Callable

from .actions import (
    attach_children,
    conversion,
    find_relation,
    join_split_verbs,
    made_from_template,
    owned_records,
    template_made_from,
    ticket_action,
)
from .analysis import (
    Analysis,
    Concept,
    Vocabulary,
)
from .lexicon import Lexicon
from .records import (
    client_places,
    kinds_before_records,
    kinds_of_entries,
    named_alone,
    named_child,
    purpose_after_record,
    read_ticket,
    records_named,
    unknown_verb_change,
)
from .subjects import bulk_only_for_many, explanation_start, names_one_record, read_things
from .verbs import (
    asks_what_was_done,
    count_intent,
    described_concept,
    find_intent,
    in_later_clause,
    record_told_by_name,
    revised_intent,
)
from .words import mark_containers, mark_preamble, read_words, tokenize


def analyze(query: str, lexicon: Lexicon, vocabulary: Vocabulary, expand: bool = True) -> Analysis:
    """Read a request: its words (mended and corrected), its verb, the things it names and how they relate."""
    tokens, known = read_words(tokenize(query), lexicon, vocabulary, expand)
    tokens = join_split_verbs(tokens, lexicon)
    analysis = Analysis(query, tokens)
    after_verb = find_intent(analysis, lexicon, vocabulary, known)
    mark_preamble(analysis)
    mark_containers(tokens)
    opening = analysis.verb[0] if analysis.verb else None
    analysis.count = count_intent([t.word for t in tokens], lexicon, tokens, opening)
    read_things(analysis, lexicon, known, vocabulary, expand)
    revised = revised_intent(analysis, after_verb, lexicon, vocabulary)
    if revised is None and unknown_verb_change(analysis, lexicon, known):
        revised = "update"  # "kick 6603 back to the help desk board": a verb we do not know, moving a record
    relation = find_relation(analysis, lexicon.units)
    if relation is not None:
        revised = "action"  # "make ticket 600 a child of 599": attach it, no field of it changes
    later = analysis.verb is not None and in_later_clause(tokens, analysis.verb[0])
    if revised in WRITES and asks_what_was_done(tokens) and not later:
        revised = "read"  # "who changed ticket 4521 status to Closed": asked of a change already made
    if revised != analysis.intent:
        analysis.intent = revised
        read_things(analysis, lexicon, known, vocabulary, expand)
    implied = any(c.source == "implied" for c in analysis.concepts)
    # (a read keeps only a ticket its bare number names: "pull up 50123")
    kept = ticket_action(analysis, lexicon, relation) or read_ticket(analysis)
    if implied and analysis.intent != "update" and not kept:
        read_things(analysis, lexicon, known, vocabulary, expand, imply=False)  # no change: no ticket implied
    analysis.records = records_named(analysis, tokens, lexicon.stop, vocabulary.names, _words_known(known, lexicon))
    kinds_before_records(analysis.concepts)
    kinds_of_entries(analysis.concepts, tokens, vocabulary.module_types())
    purpose_after_record(analysis)
    client_places(analysis, tokens, frozenset(lexicon.stop))
    if (child := named_child(analysis, vocabulary.holds)) is not None:
        analysis.records = [(child, True)]  # "the Discovery phase on project 412": the phase changes
    elif analysis.intent == "update" and (told := record_told_by_name(analysis, lexicon, vocabulary)) is not None:
        # "charge code Vacation -> work type: PTO", "Holiday Blitz campaign: budget 12000": the charge code,
        # the campaign changes; the words of its name name nothing ("Remote Support" is no support agreement)
        named, (start, end) = told
        analysis.records, analysis.head = [(named, True)], named
        for concept in analysis.concepts:
            if start <= concept.start and concept.end <= end:
                concept.value = concept.detail = True
    # (a precise search reads no names: "tciket" is retried forgivingly, as a slip)
    if expand and (name := named_alone(analysis, tokens, frozenset(lexicon.stop))) is not None:
        analysis.concepts, analysis.head = [name], name  # "look up contoso": its record
    owners = [r for r, _ in analysis.records if r.source == "implied" and r not in analysis.concepts]
    if owners and all(
        pinned is False or r in owners for r, pinned in analysis.records
    ):  # "contoso's status": the owner is named, as a company, contact or member
        analysis.concepts = sorted([*analysis.concepts, *owners], key=lambda c: c.start)
        head = analysis.head
        if analysis.intent in (None, "read") and head is not None and owned_records(head, tokens):
            # "mike's skills", "dave's schedule": the owner's records are listed (members/{parentId}/skills),
            # the owner's fields are not what is asked for
            analysis.parents += [o for o in owners if o.end <= head.start]
            analysis.records = [(r, pinned) for r, pinned in analysis.records if r not in owners]
            if not _held_by_owner(head, owners, vocabulary.holds):
                for owner in owners:
                    owner.detail = True  # "contoso's projects": projects name their company in a field
    if relation is not None:
        attach_children(analysis, relation)
    elif conversion(analysis, lexicon):
        analysis.records = []  # the record becomes another: none of its fields is what changes
    else:
        made_from_template(analysis) or template_made_from(analysis)
    analysis.one_record = names_one_record(analysis)
    if expand:
        described = described_concept(analysis, lexicon)
        if described is not None:
            analysis.concepts.append(described)
            bulk_only_for_many(analysis)  # (a description's words may say "bulk" too)
    # (a later sentence, "Tickets that use it keep their history", does not say which module is meant)
    explained = explanation_start(analysis)
    mentioned = {t for c in analysis.concepts if c.start < explained for t in c.tokens()}
    analysis.qualifiers = {qualifier for noun, qualifier in lexicon.qualifiers.items() if noun in mentioned}
    return analysis


WRITES = frozenset(("create", "update", "delete", "action"))


def _held_by_owner(
    head: Concept, owners: list[Concept], holds: Callable[[tuple[str, ...], tuple[str, ...]], bool]
) -> bool:
    """Do the owner's kinds list the head's records under them ("mike's skills": members/{id}/skills)?"""
    kinds = {words for owner in owners for words, _ in owner.alternatives}
    return any(holds(kind, words) for kind in kinds for words, _ in head.alternatives)


def _words_known(known: dict[str, int], lexicon: Lexicon) -> Callable[[str], bool]:
    """Is a word the catalog's or the lexicon's ("Hold" of "On Hold" is the lexicon's; "Contoso" no one's)?"""
    words = lexicon.all_words()
    return lambda word: word in known or word in words
