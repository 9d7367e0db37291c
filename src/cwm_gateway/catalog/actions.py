"""Named actions between records: converting, attaching, merging, templates, split verbs.

"turn ticket 600 into a project" -> convert; "make 600 a child of 599" -> attach children.
"""

from __future__ import annotations

from .analysis import (
    CHANGE_MARKERS,
    CONVERSION_KINDS,
    CONVERSION_MARKERS,
    CONVERSION_VERBS,
    CONVERTIBLE,
    DEFINITE_WORDS,
    LITERAL,
    PARENT_PREPOSITIONS,
    PARTICLES,
    PREAMBLE,
    QUESTION_WORDS,
    RELATION_WORDS,
    SPLIT_OBJECT,
    SPLIT_PARTICLES,
    TICKET_ACTIONS,
    TIME_WORDS,
    Analysis,
    Concept,
    Token,
    singular,
)
from .lexicon import Lexicon, Phrase, phrase

# After a particle left behind its object: the clause goes on with a preposition, a time or nothing.
# ("take the product off the ticket": "off" opens a place there, it is no particle of "take")
AFTER_PARTICLE = PARENT_PREPOSITIONS | CHANGE_MARKERS | frozenset("with and at by till until".split())
_split_verbs: dict[int, tuple[Lexicon, dict[str, list[Phrase]]]] = {}
NAME_PARTICLES = PARTICLES | {"off"}
OBJECT_PREPOSITIONS = frozenset(("for", "of"))
RECORD_DETERMINERS = frozenset("the a an this that our my his her their its".split())


def join_split_verbs(tokens: list[Token], lexicon: Lexicon) -> list[Token]:
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
        word = tokens[verb].word if verb < len(tokens) else ""
        for tail in phrases.get(word, ()):
            removes = (word, *tail) in lexicon.intents.get("delete", ())
            at = _particle_after_object(tokens, verb, tail, removes)
            if at is not None:
                moved = tokens[at : at + len(tail)]
                tokens = [*tokens[: verb + 1], *moved, *tokens[verb + 1 : at], *tokens[at + len(tail) :]]
                for index, t in enumerate(tokens):
                    t.index = index
                for t in moved:
                    t.clause_start = t.sentence_start = False
                break
    return tokens


def _record_follows(tokens: list[Token], at: int) -> bool:
    """ "the newsletter list", "agreement 802": a record, by its article or its number."""
    if at >= len(tokens):
        return False
    numbered = at + 1 < len(tokens) and tokens[at + 1].is_number
    return tokens[at].word in RECORD_DETERMINERS or numbered


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


def _particle_after_object(tokens: list[Token], verb: int, tail: Phrase, removes: bool) -> int | None:
    """Where ``tail`` stands after the verb's object, or None: the object is a few words of one
    clause with no preposition in it, and the particle ends the clause or comes before a preposition.
    A removal's "off" is a preposition too: "take Rita off the newsletter list"."""
    for at in range(verb + 2, min(len(tokens), verb + 2 + SPLIT_OBJECT)):
        between = tokens[verb + 1 : at]
        # "turn notifications for mike off": an object may say whose; "on", "to", "in" open places
        if any(t.clause_start or t.word in PARENT_PREPOSITIONS - OBJECT_PREPOSITIONS for t in between):
            return None
        if tuple(t.word for t in tokens[at : at + len(tail)]) != tail:
            continue
        after = at + len(tail)
        # "off the newsletter list", "off agreement 802": the record it is taken from follows
        # (not a state: "take ticket 55 off hold" changes the ticket)
        takes_object = removes and tail == ("off",) and _record_follows(tokens, after)
        if after == len(tokens) or tokens[after].clause_start or tokens[after].word in AFTER_PARTICLE or takes_object:
            return at
    return None


ATTACH_CHILDREN = phrase("attach children")


def find_relation(analysis: Analysis, units: set[str]) -> int | None:
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


def ticket_action(analysis: Analysis, lexicon: Lexicon, relation: int | None) -> bool:
    """ "merge 700 into 701", "nest 45 under 40": an action a ticket has, so a bare number is a ticket."""
    if analysis.intent != "action" or analysis.verb is None:
        return False
    verb = tuple(t.word for t in analysis.tokens[analysis.verb[0] : analysis.verb[1]])
    readings = {verb[0], *(target[0] for target in lexicon.synonyms.get(verb, ()))}
    return relation is not None or bool(readings & TICKET_ACTIONS)


def attach_children(analysis: Analysis, relation: int) -> None:
    """The relation word names the operation that puts records under a parent (attachChildren)."""
    token = analysis.tokens[relation]
    kept = [c for c in analysis.concepts if not c.start <= relation < c.end]
    attach = Concept(token.raw, [(ATTACH_CHILDREN, 1.0)], relation, relation + 1, "lexicon")
    analysis.concepts = sorted([*kept, attach], key=lambda c: c.start)
    analysis.records = []


CONVERT: Phrase = ("convert",)
CHANGE_TYPE: Phrase = ("change", "type")


def conversion(analysis: Analysis, lexicon: Lexicon) -> bool:
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


def made_from_template(analysis: Analysis) -> bool:
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


def template_made_from(analysis: Analysis) -> bool:
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


def owned_records(head: Concept, tokens: list[Token]) -> bool:
    """After an owner's name, does the head name records the owner has ("mike's skills", "dave's
    schedule", "contoso's network gear") rather than one of its fields ("contoso's status")? A plural,
    or a word the lexicon reads as another kind of record."""
    return not singular(head, tokens) or any(conf < LITERAL for _, conf in head.alternatives)
