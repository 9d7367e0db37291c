"""Finding the operation a request means among ~3,000.

Two stages. Retrieval: BM25 over the field-aware FTS5 index (resource, path,
category, summary, operationId, schema fields) with the request's words and their
lexicon synonyms, for a few hundred candidates. Ranking: each candidate is scored
on how well its *structure* answers the request: is its resource the thing asked
for, does its path explain the other things named, does its method fit the verb,
is it the /count or the /{id} form the request implies, and is it a plain resource
rather than an /info, /usages or deprecated variant.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from . import text
from .analysis import INTENT_METHODS, NEW_RECORD_WORDS, PARENT_PREPOSITIONS, Analysis, Concept, possessive, singular
from .bm25 import Bm25Index
from .intent import analyze
from .lexicon import Lexicon, default_lexicon
from .names import MODIFIER_TERMS as MODIFIER_SEGMENTS  # the stored path terms' spelling ("usage")
from .store import Catalog, Operation

# bm25() column weights: resource, path, category, summary, operation_id.
COLUMN_WEIGHTS = (8.0, 4.0, 2.0, 2.0, 1.0)
CANDIDATES = 120
FIELD_CANDIDATES = 40
# Where in an operation a request's word is found, and what that match is worth.
FIELD_WEIGHT = {"resource": 1.0, "path": 0.85, "category": 0.6, "summary": 0.5, "fields": 0.3}
# Trailing segments that qualify a resource; unasked-for ones cost rank.
MODIFIER_PENALTY = {"info": 1.0, "usage": 1.0, "bulk": 0.5, "default": 0.6, "search": 0.5, "list": 0.3}
ASKABLE_MODIFIERS = frozenset(("info", "usage", "bulk", "default"))
USAGE_ASKED = 0.3
# Ranking weights. Coverage terms are shares in [0, 1]; the rest are flat bonuses.
COVERAGE = 3.75  # weighted share of the request's concepts the operation matches
RESOURCE_EXPLAINED = 1.0  # share of the operation's resource words the request names
PATH_CONNECTORS = frozenset("to from by for of on in with and".split())  # small words inside action names
PATH_EXPLAINED = 1.0  # share of its path words (below the module) the request names
HEAD_IS_RESOURCE = 0.625  # the request's main noun is the operation's resource
METHOD_MATCH = 1.25  # method fits the verb (create -> POST ...), or costs as much if not
READ_DEFAULT = 0.4  # no verb: reading is the likely wish
ACTION_UNASKED = 0.6  # no verb: "invoices for agreement 77" names no act of invoicing
ACTION_ON_ANOTHER = 1.5  # "unbatch invoice 55" is never purchase order 55's unbatch
WHOLE_WORDS = frozenset("replace overwrite entire whole full".split())  # "replaces an entire opportunity": PUT
PARTIAL_WORDS = frozenset("patch partial partially".split())  # "a JSON Patch", "partially updates": PATCH
COUNT_MATCH = 1.2
COUNT_UNASKED = 1.2
ID_PLACEHOLDER = 0.6  # "ticket 4521" and a path with {id} or {parentId} after tickets
ID_ITEM = 0.3
PARENT_ITEM = 0.3  # "time entries for member 12": member 12's own record is not what is listed
PARENT_PLACEHOLDER = 0.375  # "phases in a project template": .../projectTemplates/{parentId}/phases
NEW_RECORD_PARENT = 1.0  # a record being created cannot be the parent an operation hangs under
# "change the email on the contact for tom": no opportunity is named, so not opportunities/{parentId}/contacts/{id}
UNNAMED_PARENT = 0.5
PARENT_UNASKED = 0.5  # "the work roles available for time entries": the time entries are not listed
ID_NAMED = 0.05
PERSON_ENTRIES = frozenset(("member", "contact"))  # a person's entry under a record: team members, contacts
NESTED_REVERSED = 0.6  # "contact 90412 group 4": the contact's group 4, not group 4's contact
ITEM_UNASKED = 1.125  # no id given: prefer the collection to one record
KEY_WORDS = frozenset(("identifier", "name"))
KEY_INTRODUCERS = frozenset(("login", "report"))  # "by identifier" alone is as often the id
KEY_NAMED = 0.3
ONE_WRITE_COLLECTION = 0.2  # one record changed or deleted, and the operation acts on the whole collection
DEPRECATED_PENALTY = 0.5
QUALIFIER_BONUS = 0.3  # unqualified "ticket" means a service ticket
BM25_SHARE = 0.375
FIELD_ONLY_WEIGHT = 0.525  # a word that names no path or category ("responded") is likely a detail
PARTIAL_NAME = 0.6  # share of a match for a name that is mostly, not wholly, the resource
MAX_USAGE_BOOST = 0.3
FIELD_SUFFIXES = frozenset(("nbr", "flag"))
DETAIL_WEIGHT = 0.4  # "filtered by status", "(Workstation, Server)": details weigh less than the subject
VALUE_WEIGHT = 0  # "to Projects": a new value is a name, and names match fields only by chance
ASIDE_WEIGHT = 1.0  # a concept only in a tool's name, before its description
GLOSS_WEIGHT = 1.0  # a described concept's weight, as a share of the named concepts' average
# "set the urgency on case 12": urgency names a field of the case (a ticket), not the
# priority definitions every ticket shares.
ATTRIBUTE_FIELD = 0.9  # share of a match for a field of the record the request points at
ATTRIBUTE_DEFINITION = 1.5  # cost of editing the field's own definition instead of the record
RECORD_UPDATE = 1.0  # bonus for the pointed-at record's own PATCH/PUT when one of its fields is named
PART_OF_FIELD = 0.5  # the record has only the last word of the field named ("department" of "default department")
QUALIFIED_FIELD = 0.8  # "location" for a member's defaultLocation: the same thing, qualified
UNLISTED_FIELD = 0.5
GENERIC_FIELD_WORDS = frozenset(
    "number name type date code id flag".split()
)  # "the charge code of time entry 12": a field the schema does not name as such


@dataclass(frozen=True)
class Hit:
    operation: Operation
    score: float


_Fields = tuple[frozenset[frozenset[str]], frozenset[frozenset[str]]]


@dataclass(frozen=True)
class _Shape:
    """An operation's words by place, precomputed once per operation."""

    op: Operation
    resource: frozenset[str]
    resource_context: frozenset[str]  # the resource with the segment before it
    path: frozenset[str]
    below_module: frozenset[str]  # path words after the first segment
    module: str
    segments: tuple[tuple[frozenset[str], bool], ...]  # (words, followed by a placeholder)
    category: frozenset[str]
    summary: frozenset[str]
    fields: frozenset[str]
    field_names: frozenset[frozenset[str]]  # each property of the resource schema, as words
    field_tails: frozenset[frozenset[str]]  # ends of longer property names: defaultLocation -> location
    modifiers: frozenset[str]
    item: bool  # ends with a placeholder: one record
    key: frozenset[str] = frozenset()  # a last placeholder that is no plain id: {reportName} -> report, name
    noun: str = ""  # the resource's last word: "stopwatch" of ticketStopwatches
    action: bool = False  # a POST that does something to a record: /agreements/{id}/invoice, /tickets/{id}/merge
    connectors: frozenset[str] = frozenset()  # small words joining an action's name: "to" of convertToServiceTicket


def catalog_lexicon(catalog: Catalog) -> Lexicon:
    """The lexicon compiled into the catalog at build time, or lexicon.txt for older catalogs."""
    compiled = catalog.meta.get("lexicon")
    return Lexicon.from_json(compiled) if compiled else default_lexicon()


class SqlVocabulary:
    """The catalog's words (and the lexicon's), for lookups and spelling correction.

    The catalog has about a thousand distinct words and a few hundred resource names: both
    are read once, on first use, and kept in memory.
    """

    def __init__(self, catalog: Catalog, lexicon: Lexicon) -> None:
        self.catalog = catalog
        self._lexicon_set = lexicon.all_words()
        self._lexicon_by_letter: dict[str, list[str]] = {}
        for word in sorted(self._lexicon_set):
            self._lexicon_by_letter.setdefault(word[:1], []).append(word)
        self._words: dict[str, tuple[int, int]] | None = None
        self._by_letter: dict[str, list[tuple[str, int]]] = {}
        self._names: frozenset[str] = frozenset()
        self._resources: dict[tuple[str, ...], list[int]] | None = None
        self._resource_names: frozenset[tuple[str, ...]] = frozenset()
        self._actions: frozenset[str] | None = None
        # Requests repeat their words; a correction costs a few dozen edit distances.
        self._corrections: dict[tuple[str, str | None], str | None] = {}
        # (Every plural's candidates are compared letter by letter, ~1 ms: worth keeping.)
        self._plural_corrections = lru_cache(maxsize=4096)(self._correct_plural_uncached)
        self._surface: frozenset[str] | None = None
        self._held: dict[tuple[str, bool], frozenset[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        self._numbered: frozenset[str] | None = None
        self._module_types: frozenset[str] | None = None
        self._record_fields: dict[tuple[str, ...], frozenset[tuple[str, ...]] | None] = {}

    def _all_words(self) -> dict[str, tuple[int, int]]:
        if self._words is None:
            rows = self.catalog.query("SELECT word, doc_count, name_count FROM vocabulary")
            words = {word: (docs, names) for word, docs, names in rows}
            by_letter: dict[str, list[tuple[str, int]]] = {}
            for word, (docs, _) in sorted(words.items()):
                by_letter.setdefault(word[:1], []).append((word, docs))
            # Built aside and published last: searches on other threads see all or nothing.
            self._by_letter = by_letter
            self._names = frozenset(word for word, (_, names) in words.items() if names)
            self._words = words
        return self._words

    def stats(self, words: set[str]) -> dict[str, tuple[int, int]]:
        """(operations using the word, operations whose path or category uses it) per known word."""
        known = self._all_words()
        return {w: known[w] for w in words if w in known}

    def known(self, words: set[str]) -> dict[str, int]:
        return {w: docs for w, (docs, _) in self.stats(words).items()}

    def resources(self) -> dict[tuple[str, ...], list[int]]:
        """Operation ids by the words of their resource: (time, entry) -> /time/entries, ..."""
        if self._resources is None:
            resources: dict[tuple[str, ...], list[int]] = {}
            for op_id, terms in self.catalog.query("SELECT id, resource_terms FROM operations"):
                resources.setdefault(tuple(terms.split()), []).append(op_id)
            self._resource_names = frozenset(words for words in resources if len(words) > 1)
            self._resources = resources
        return self._resources

    def names(self, word: str) -> bool:
        """Does the word name something (a path segment or category), not just a field?"""
        found = self.stats({word}).get(word)
        return bool(found and found[1])

    def base_form(self, word: str) -> str | None:
        """ "scheduled" -> "schedule" when only the base form names something."""
        if self.names(word):
            return None
        for variant in text.inflections(word):
            if self.names(variant):
                return variant
        return None

    def holds(self, parent: tuple[str, ...], child: tuple[str, ...]) -> bool:
        """Can ``child`` records be added under one ``parent`` record (POST tickets/{parentId}/configurations)?"""
        return (parent, child) in self._under("POST")

    def lists_under(self, parent: tuple[str, ...], child: tuple[str, ...]) -> bool:
        """Are ``child`` records read under one ``parent`` record (GET tickets/{parentId}/notes)?"""
        return (parent, child) in self._under("GET", nearest=True)

    def _under(self, method: str, nearest: bool = False) -> frozenset[tuple[tuple[str, ...], tuple[str, ...]]]:
        """(parent, resource) of every path of ``method`` with the resource under a parent's placeholder;
        ``nearest``: only the parent right above it (a board's team's members are no board's members)."""
        if (method, nearest) not in self._held:
            pairs = set()
            sql = "SELECT DISTINCT path_terms, resource_terms FROM operations WHERE method = ?"
            for terms, resource in self.catalog.query(sql, (method,)):
                segments = terms.split("/")
                parents = [seg for seg, following in itertools.pairwise(segments) if seg != "{}" and following == "{}"]
                if nearest:  # (the one above the resource's own placeholder, if the path ends in one)
                    parents = parents[-2:-1] if segments[-1] == "{}" else parents[-1:]
                pairs.update((tuple(parent.split()), tuple(resource.split())) for parent in parents)
            self._held[(method, nearest)] = frozenset(pairs)
        return self._held[(method, nearest)]

    def numbered(self, word: str) -> bool:
        """Is ``word`` a record's one-word name, read one by one by number (GET /finance/invoices/{id})?"""
        if self._numbered is None:
            sql = "SELECT DISTINCT resource_terms FROM operations WHERE method = 'GET' AND path LIKE '%/{id}'"
            self._numbered = frozenset(terms for (terms,) in self.catalog.query(sql) if " " not in terms)
        return word in self._numbered

    def has_field(self, record: tuple[str, ...], field: tuple[str, ...], whole: bool = False) -> bool | None:
        """Does a ``record`` have a property whose words run ``field`` ("vendor" of a purchase order's
        vendorCompany)? ``whole``: all of its name, or one word opening it ("end" of endDate). None for
        a record the catalog never updates."""
        names = self._fields_named(record)
        if names is None:
            return None
        if whole:
            return field in names or (len(field) == 1 and any(name[:1] == field for name in names))
        width = len(field)
        return any(name[i : i + width] == field for name in names for i in range(len(name) - width + 1))

    def points_to(self, record: tuple[str, ...], owner: tuple[str, ...]) -> bool:
        """Does a ``record`` have a field naming one ``owner`` record (an invoice's agreement)?"""
        names = self._fields_named(record)
        return names is not None and owner in names

    def _fields_named(self, record: tuple[str, ...]) -> frozenset[tuple[str, ...]] | None:
        if record not in self._record_fields:
            self._record_fields[record] = self._updated_fields(record)
        return self._record_fields[record]

    def _updated_fields(self, record: tuple[str, ...]) -> frozenset[tuple[str, ...]] | None:
        """The property names of a record the catalog updates (PATCH or PUT of one), None if it updates
        none so named. Read per record when first asked: every schema at once costs a first search 0.2 s."""
        suffixes = [" ".join(record[i:]) for i in range(len(record))]
        sql = (
            "SELECT DISTINCT resource_terms, path_terms, resource_schema FROM operations"
            " WHERE method IN ('PATCH', 'PUT') AND path LIKE '%}' AND resource_schema IS NOT NULL"
            f" AND resource_terms IN ({','.join('?' * len(suffixes))})"
        )
        names: set[tuple[str, ...]] | None = None
        for terms, path_terms, schema in self.catalog.query(sql, suffixes):
            resource = tuple(terms.split())
            # a time entry is (time, entry) as well as (entry): the segment before names it too
            literal = [segment for segment in path_terms.split("/") if segment != "{}"]
            if record == resource or (len(literal) > 1 and record == tuple(literal[-2].split()) + resource):
                names = (names or set()) | set(_property_words(self.catalog.schema(schema) or {}))
        return frozenset(names) if names is not None else None

    def resource_names(self) -> frozenset[tuple[str, ...]]:
        """The catalog's resource names of two words or more: (work, type), (security, role)."""
        self.resources()
        return self._resource_names

    def module_types(self) -> frozenset[str]:
        """Modules whose records are typed by the module's own types: schedule (/schedule/types), expense."""
        if self._module_types is None:
            rows = self.catalog.query("SELECT DISTINCT path_terms FROM operations WHERE resource_terms = 'type'")
            self._module_types = frozenset(
                m for (terms,) in rows if len(parts := terms.split("/")) == 2 for m in parts[:1]
            )
        return self._module_types

    def name_words(self) -> frozenset[str]:
        """Every word that names a path segment or category (a few hundred)."""
        self._all_words()
        return self._names

    def action_words(self) -> frozenset[str]:
        """First words of the last segment of POST endpoints: generate, deactivate, convert, merge."""
        if self._actions is None:
            rows = self.catalog.query("SELECT path FROM operations WHERE method = 'POST'")
            last = (path.rstrip("/").rsplit("/", 1)[-1] for (path,) in rows)
            self._actions = frozenset(
                words[0] for segment in last if not segment.startswith("{") if (words := text.tokens(segment))
            )
        return self._actions

    def _letter(self, letter: str) -> list[tuple[str, int]]:
        self._all_words()
        return self._by_letter.get(letter, [])

    def segment(self, word: str) -> list[str] | None:
        """A run-together compound split into words that name things: "timeentries" -> time, entries."""
        if self._surface is None:
            self._surface = frozenset(form for name in self.name_words() for form in (name, *text.plurals(name)))
        pieces = text.segment_compound(word, self._surface)
        if len(pieces) > 1:
            return pieces
        # "timeentires": run together and two letters swapped
        found = {tuple(p) for v in text.transpositions(word) if len(p := text.segment_compound(v, self._surface)) > 1}
        return list(found.pop()) if len(found) == 1 else None

    def correct(self, word: str, raw: str | None = None) -> str | None:
        """The catalog or lexicon word meant by ``word``; ``raw`` is how it was written.

        The written form matters for slips in plurals: "entires" folds to "entire", which is
        far from "entry", but it is one swap away from "entries".
        """
        key = (word, raw)
        if key not in self._corrections:
            if len(self._corrections) > 4096:
                self._corrections.clear()
            self._corrections[key] = self._correct_uncached(word, raw)
        return self._corrections[key]

    def _correct_uncached(self, word: str, raw: str | None) -> str | None:
        for variant in text.inflections(word):  # "scheduled" is schedule, not a typo of something else
            if self._is_word(variant):
                return variant
        # Two letters swapped is the commonest slip, the first two too ("ntoe"), though less
        # often: "tiem" is time before item. Only into a catalog word: a name ("acme") is not
        # a slip for a lexicon word ("came").
        swaps = text.transpositions(raw or word)
        for group in (swaps[1:], swaps[:1]):
            found = {form for v in group if (form := text.stem(v)) != word and self.known({form})}
            if len(found) == 1:
                return found.pop()
        best = self._correct(word)
        if best is None and raw and raw != word:
            best = self.correct_plural(raw)
        return best

    def _is_word(self, word: str) -> bool:
        return word in self._lexicon_set or bool(self.known({word}))

    def respelled(self, written: str) -> str | None:
        """ "colours", "customised": the catalog's word in the other spelling, which is no slip."""
        for variant in text.spelling_variants(written):
            for form in (text.stem(variant), *text.inflections(variant)):
                if self.known({form}):
                    return form
        return None

    def correct_plural(self, raw: str, swaps_only: bool = False) -> str | None:
        """The catalog word whose plural ``raw`` misspells ("entires" -> entry), if any.

        ``swaps_only``: only two neighbouring letters swapped, for words that are real words
        too ("scores" is not a slip in "stores").
        """
        return self._plural_corrections(raw, swaps_only)

    def _correct_plural_uncached(self, raw: str, swaps_only: bool) -> str | None:
        found = self._correct(raw, plural=True)
        if found and swaps_only and not any(text.swapped(raw, form) for form in text.plurals(found)):
            return None
        return found

    def _correct(self, word: str, plural: bool = False) -> str | None:
        # Typos keep the first letter; two slips are allowed only in long words, and
        # short words ("main") are too often real words to be read as slips.
        if len(word) < 5:
            return self._completion(word)
        limit = 1 if len(word) < 8 or text.inflections(word) else 2
        # (Two slips in a verb form are more likely a verb the catalog lacks: "rebooted" is
        # not "reported", nor "remapping" "remaining".)
        # The catalog has about a thousand words: those of the same first letter and a
        # length in reach are few enough to compare one by one, and no slip is missed.
        candidates = {
            candidate: doc_count
            for candidate, doc_count in self._letter(word[:1])
            if abs(len(candidate) - len(word)) <= limit + (2 if plural else 0) or candidate.startswith(word)
        }
        for lexicon_word in () if plural else self._lexicon_by_letter.get(word[:1], ()):
            if abs(len(lexicon_word) - len(word)) <= limit:
                candidates.setdefault(lexicon_word, 1)
        best: tuple[int, int, int, str] | None = None
        for candidate, doc_count in candidates.items():
            if candidate == word or len(candidate) < 3 or candidate[0] != word[0]:
                continue
            if candidate.startswith(word) and len(word) >= 3 and not plural:
                rest = candidate[len(word) :]
                if len(rest) >= 3 and self._is_word(text.stem(rest)):
                    continue  # "financial" is a word of its own, not clipped "financialrecap"
                # An abbreviation ("proj") or a clipped word ("creat"): the shortest completion wins.
                rank = (1, len(candidate) - len(word), -doc_count, candidate)
            else:
                forms = text.plurals(candidate) if plural else (candidate,)
                distance = min(text.edit_distance(word, form, limit) for form in forms)
                if distance > limit:
                    continue
                rank = (distance, 0, -doc_count, candidate)
            if best is None or rank < best:
                best = rank
        return best[3] if best else None

    def _completion(self, word: str) -> str | None:
        """A clipped word ("proj", "creat") completed to the most used word it begins."""
        rows = self.catalog.query(
            "SELECT word FROM vocabulary WHERE word > ? AND word < ? AND name_count > 0"
            " ORDER BY length(word), doc_count DESC LIMIT 1",
            (word, word + "\uffff"),
        )
        return rows[0][0] if rows and len(word) >= 3 else None


class Searcher:
    """Ranked operation search over one catalog. Thread-safe for reading."""

    def __init__(
        self,
        catalog: Catalog,
        lexicon: Lexicon | None = None,
        usage: Callable[[], dict[tuple[str, str], int]] | None = None,
    ) -> None:
        self.catalog = catalog
        self.lexicon = lexicon or catalog_lexicon(catalog)
        self.vocabulary = SqlVocabulary(catalog, self.lexicon)
        self.usage = usage
        self._shapes: dict[int, _Shape] = {}
        self._field_names: dict[str, _Fields] = {}
        self._lock = threading.Lock()
        self._operations = int(catalog.meta.get("operations", "3000") or 3000)
        self._central_ops: list[tuple[Operation, bool, bool]] | None = None
        self._by_names = Bm25Index(catalog, "operations_fts", COLUMN_WEIGHTS)
        self._by_fields = Bm25Index(catalog, "fields_fts")

    # -- public -------------------------------------------------------------

    def natural(self, query: str, limit: int = 5) -> tuple[list[Hit], int]:
        """Forgiving search: synonyms, spelling correction, intent."""
        return self._search(query, limit, expand=True)

    def keyword(self, query: str, limit: int = 10) -> tuple[list[Hit], int]:
        """Precise search: only the words given (plural-folded, camelCase-split), still ranked by intent."""
        return self._search(query, limit, expand=False)

    def analyze(self, query: str, expand: bool = True) -> Analysis:
        return analyze(query, self.lexicon, self.vocabulary, expand=expand)

    # -- retrieval ---------------------------------------------------------

    def _search(self, query: str, limit: int, expand: bool) -> tuple[list[Hit], int]:
        """Ranked hits, never none for a request with words: a precise search that finds nothing
        ("tciket") is retried forgivingly, and a request that names nothing the catalog knows
        ("delete it", "pullup") gets the central records in the way its verb asks for."""
        direct = self._path_lookup(query)
        if direct:
            return [Hit(op, 10.0) for op in direct[:limit]], len(direct)
        analysis = self.analyze(query, expand=expand)
        hits, total = self._ranked(analysis, limit)
        if not hits and not expand:
            analysis = self.analyze(query, expand=True)
            hits, total = self._ranked(analysis, limit)
        if not hits and limit > 0:
            hits = self._fallback(analysis, limit)
            total = len(hits)
        return hits, total

    def _fallback(self, analysis: Analysis, limit: int) -> list[Hit]:
        """The most central records' operations that fit the verb (a read without one), least sure."""
        if analysis.count:
            wanted: tuple[str, ...] = ("count",)
        else:
            wanted = INTENT_METHODS.get(analysis.intent or "read", ("GET",))
        one = bool(analysis.ids) or analysis.intent in ("update", "delete")
        fits = [
            op
            for op, item, count in self._central()
            if (op.method in wanted and item == one and not count) or ("count" in wanted and count)
        ]
        # What this installation calls most comes first; the catalog's own shape decides the rest.
        usage = self.usage() if self.usage else {}
        fits.sort(key=lambda op: -usage.get((op.method, op.path), 0))
        return [Hit(op, 0.0) for op in fits[:limit]]

    def _central(self) -> list[tuple[Operation, bool, bool]]:
        """Top-level resources' operations (/module/resource, /{id}, /count), the resources with
        the most operations under them first: tickets, companies, projects before their settings."""
        if self._central_ops is None:
            rows = self.catalog.query("SELECT id, path FROM operations WHERE deprecated = 0")
            under: dict[str, int] = {}
            for _, path in rows:
                parts = path.split("/")
                if len(parts) > 2:
                    under["/".join(parts[:3])] = under.get("/".join(parts[:3]), 0) + 1
            top = []
            for op_id, path in rows:
                parts = path.split("/")
                base = "/".join(parts[:3])
                if len(parts) == 3 or (len(parts) == 4 and parts[3] in ("{id}", "count")):
                    top.append(
                        (-under.get(base, 0), base, op_id, len(parts) == 4 and parts[3] == "{id}", parts[-1] == "count")
                    )
            top.sort()
            operations = self.catalog.operations_by_ids([t[2] for t in top])
            self._central_ops = [(operations[t[2]], t[3], t[4]) for t in top]
        return self._central_ops

    def _ranked(self, analysis: Analysis, limit: int) -> tuple[list[Hit], int]:
        if not analysis.concepts:
            return [], 0
        terms = sorted({t for c in analysis.concepts for t in c.tokens()} | analysis.qualifiers)
        rows = self._by_names.top(terms, CANDIDATES)
        # Operations found only by their fields ("budget hours", "SLA") join as a smaller group.
        seen = {row[0] for row in rows}
        by_fields = self._by_fields.top(terms, FIELD_CANDIDATES)
        rows += [(op_id, 0.0) for op_id, _ in by_fields if op_id not in seen]
        # The thing asked for and the records pointed at are always candidates, however
        # many other operations share their words ("member 44" among all the member lists).
        seen = {row[0] for row in rows}
        named = [c for c in (analysis.head, *(r for r, _ in analysis.records)) if c is not None]
        for phrase in {p for c in named for p, _ in c.alternatives}:
            for op_id in self.vocabulary.resources().get(phrase, ()):
                if op_id not in seen:
                    rows.append((op_id, 0.0))
                    seen.add(op_id)
        if not rows:
            return [], 0
        best_bm25 = -rows[0][1] or 1.0
        shapes = self._shapes_for([r[0] for r in rows])
        prepared = self._prepare(analysis, shapes)
        usage = self.usage() if self.usage else {}
        scored = []
        for shape, (_, bm25) in zip(shapes, rows):
            value = score(shape, prepared) + BM25_SHARE * (-bm25 / best_bm25)
            uses = usage.get((shape.op.method, shape.op.path))
            if uses:
                value += min(MAX_USAGE_BOOST, 0.1 * math.log2(1 + uses))
            scored.append((value, -len(shape.op.path), shape.op))
        scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return [Hit(op, round(value, 3)) for value, _, op in scored[:limit]], len(rows)

    def _path_lookup(self, query: str) -> list[Operation]:
        """A query that is itself a path ("/service/tickets/{id}", "GET /company/companies")."""
        parts = query.strip().split()
        if not parts or len(parts) > 2 or not parts[-1].startswith("/"):
            return []
        match = self.catalog.resolve(parts[-1])
        if match is None:
            return []
        if len(parts) == 2:
            op = match.method(parts[0])
            return [op] if op else match.operations
        return match.operations

    def _concept_weights(self, concepts: list[Concept]) -> list[float]:
        """Rarer words weigh more; words that only ever name fields weigh less."""
        stats = self.vocabulary.stats({t for c in concepts for t in c.tokens()})
        n = self._operations
        weights = []
        for concept in concepts:
            best = 0.0
            for phrase, _ in concept.alternatives:
                found = [stats.get(t) for t in phrase]
                if not all(found):
                    continue
                rarity = math.log((n + 1) / (min(f[0] for f in found) + 0.5))  # type: ignore[index]
                if not any(f[1] for f in found):  # type: ignore[index]
                    rarity *= FIELD_ONLY_WEIGHT
                best = max(best, rarity)
            weights.append(min(max(best, 0.5), 5.0))
        weights = [w * DETAIL_WEIGHT if c.detail else w for c, w in zip(concepts, weights)]
        weights = [w * ASIDE_WEIGHT if c.aside else w for c, w in zip(concepts, weights)]
        weights = [w * VALUE_WEIGHT if c.value else w for c, w in zip(concepts, weights)]
        named = [w for c, w in zip(concepts, weights) if c.source != "gloss"]
        if named:
            # A description is a hint: it weighs no more than the things the request names.
            cap = GLOSS_WEIGHT * sum(named) / len(named)
            weights = [min(w, cap) if c.source == "gloss" else w for c, w in zip(concepts, weights)]
        return weights

    # -- operation shapes ----------------------------------------------------

    # ... and whether nothing can be read at the operation's path: a POST there does something
    # (/agreements/{id}/invoice) rather than add a record to a list (/tickets/{parentId}/notes)
    _TERMS_SQL = (
        "SELECT id, resource_terms, path_terms, category_terms, summary_terms, field_terms,"
        " NOT EXISTS (SELECT 1 FROM operations AS r WHERE r.path = o.path AND r.method = 'GET')"
        " FROM operations AS o"
    )

    def _shapes_for(self, ids: list[int]) -> list[_Shape]:
        """Shapes of ``ids``, loading the ones not seen before in one query."""
        missing = [i for i in ids if i not in self._shapes]
        if missing:
            marks = ",".join("?" * len(missing))
            operations = self.catalog.operations_by_ids(missing)
            rows = self.catalog.query(f"{self._TERMS_SQL} WHERE id IN ({marks})", missing)
            made = [
                _make_shape(operations[row[0]], row[1:6], self._fields_of(operations[row[0]]), row[6]) for row in rows
            ]
            with self._lock:
                for shape in made:
                    self._shapes[shape.op.id] = shape
        return [self._shapes[i] for i in ids]

    def _fields_of(self, op: Operation) -> _Fields:
        """The property names of an operation's resource schema: (each as a set of words, last words)."""
        name = op.resource_schema
        if not name:
            return frozenset(), frozenset()
        found = self._field_names.get(name)
        if found is None:
            names = _property_words(self.catalog.schema(name) or {})
            # "defaultPhoneNbr", "inactiveFlag": ConnectWise's suffixes; the phone is the field's subject
            names += [n[:-1] for n in names if len(n) > 1 and n[-1] in FIELD_SUFFIXES]
            # "sales rep" is the end of primarySalesRep, "location" of defaultLocation
            tails = frozenset(frozenset(n[i:]) for n in names for i in range(1, len(n)))
            found = frozenset(frozenset(n) for n in names if n), tails
            self._field_names[name] = found
        return found

    # -- ranking -----------------------------------------------------------

    def _prepare(self, analysis: Analysis, shapes: list[_Shape]) -> _Query:
        cleared = _field_cleared(analysis, shapes) or _taken_off_its_field(analysis, shapes)
        if analysis.intent == "delete" and (_cancelled_by_flag(analysis, shapes) or cleared):
            analysis.intent = "update"
        weights = self._concept_weights(analysis.concepts)
        attributes = _attributes(analysis, shapes)
        concepts = tuple(
            (weight, _alternatives(concept), concept is analysis.head, concept.detail)
            for concept, weight in zip(analysis.concepts, weights)
        )
        return _Query(
            concepts=concepts,
            attributes=attributes,
            total_weight=sum(weights) or 1.0,
            methods=analysis.methods,
            update=analysis.intent == "update",
            whole=_whole(analysis),
            count=analysis.count,
            id_words=tuple(frozenset(c.tokens()) for _, c in analysis.ids)
            or ((frozenset(analysis.head.tokens()),) if analysis.one_record and analysis.head else ()),
            parent_words=tuple(frozenset(c.tokens()) for c in analysis.parents),
            qualifiers=frozenset(analysis.qualifiers),
            # "ticket info", "bulk line items": a variant named in the request is not penalised
            asked_modifiers=_asked_modifiers([t.word for t in analysis.tokens]),
            listed_under=_listed_under(analysis) or _child_head(analysis, shapes),
            listing_parents=_listing_parents(analysis),
            one_write=_one_write(analysis),
            new_record=_new_record(analysis),
            keys=_keys(analysis),
            owner_kinds=_owner_kinds(analysis, attributes),
            plural_head=_opening_plural(analysis),
            head_words=frozenset(t.word for t in analysis.tokens[analysis.head.start : analysis.head.end])
            if analysis.head
            else frozenset(),
            plural_of_owner=_plural_of_owner(analysis),
            nested=_nested(analysis),
            head_readings=frozenset(words for words, _ in _alternatives(analysis.head))
            if analysis.head
            else frozenset(),
        )


_Alternatives = tuple[tuple[frozenset[str], float], ...]
CANCELLED_FIELDS = (frozenset(("cancelled",)), frozenset(("cancelled", "flag")))


def _opening_plural(analysis: Analysis) -> bool:
    """ "invoices for agreement 77", "the open tickets ...": no verb, and the request opens with its
    head in the plural (or closes with it, right after the numbered record: "agreement 77 invoices")."""
    head, tokens = analysis.head, analysis.tokens
    if analysis.intent is not None or head is None or not tokens[head.end - 1].plural:
        return False
    if analysis.listed_after_number:
        return True
    return all(t.word in ("the", "all", "any") for t in tokens[: head.start])


def _plural_of_owner(analysis: Analysis) -> bool:
    """ "tickets from sales order 30": an opening plural followed by what the records belong to.
    (Not "Tests the connection ...": a description's verb, which takes its object.)"""
    head, tokens = analysis.head, analysis.tokens
    if not _opening_plural(analysis) or head is None:
        return False
    return head.end == len(tokens) or tokens[head.end].word in PARENT_PREPOSITIONS


def _owner_kinds(analysis: Analysis, attributes: tuple[_Attribute, ...]) -> frozenset[frozenset[str]]:
    """The kinds of record a name alone may be, when it is the only record the request points at
    (words of its field, "default" of "default contact", are no records)."""
    fields = {id(analysis.concepts[index]) for index, *_ in attributes}
    records = [record for record, _ in analysis.records if id(record) not in fields]
    if len(records) != 1 or records[0].source != "implied":
        return frozenset()
    return frozenset(words for words, _ in _alternatives(records[0]))


def _cancelled_by_flag(analysis: Analysis, shapes: list[_Shape]) -> bool:
    """ "cancel agreement 44": a record with a cancelled flag is cancelled by setting it (its update),
    not deleted with its history."""
    verb = analysis.tokens[analysis.verb[0] : analysis.verb[1]] if analysis.verb else []
    if not any(t.raw.lower().startswith("cancel") for t in verb):
        return False
    named = [c for _, c in analysis.ids] or ([analysis.head] if analysis.head else [])
    readings = {frozenset(phrase) for c in named for phrase, _ in c.alternatives}
    return any(shape.resource in readings and any(f in shape.field_names for f in CANCELLED_FIELDS) for shape in shapes)


def _field_cleared(analysis: Analysis, shapes: list[_Shape]) -> bool:
    """ "remove the due date from project 88", "delete the PO number on invoice 1042": a field of a
    numbered record, taken away, is cleared by its update; the record stays. ("delete the note on
    ticket 55" deletes the note: notes are records of their own, listed under the ticket.)"""
    head, tokens = analysis.head, analysis.tokens
    if len(analysis.ids) > 1 or head is None or not singular(head, tokens):
        return False
    record = analysis.ids[0][1] if analysis.ids else _taken_from(analysis, head)
    if record is None or head.end > record.start:
        return False
    kinds, owner = _alternatives(head), _alternatives(record)
    owners = [s for s in shapes if any(_is_record(words, s) for words, _ in owner)]
    if not any(_record_field(words, owner, s) for s in owners for words, _ in kinds):
        return False
    return not _child_of(kinds, owner, [s for s in shapes if not s.op.deprecated])


def _taken_off_its_field(analysis: Analysis, shapes: list[_Shape]) -> bool:
    """ "take ticket 55 off the escalations board", "remove ticket 55 from the queue": a numbered record
    taken off a value of its own field (its board) is moved; the record stays. ("remove config 7
    from ticket 55" unlinks the config: a ticket holds its configurations.)"""
    if len(analysis.ids) != 1 or analysis.verb is None:
        return False
    record = analysis.ids[0][1]
    tokens, verb_end = analysis.tokens, analysis.verb[1]
    if any(c.start >= verb_end for c in analysis.concepts if c.end <= record.start):
        return False  # the record is not what the verb takes: "remove the note from ticket 55"
    moved_off = tokens[verb_end - 1].word == "off"  # "take off ticket 55 the escalations board"
    later = [c for c in analysis.concepts if c.start > record.end]
    if not later or not (moved_off or any(t.word in ("from", "off") for t in tokens[record.end : later[-1].start])):
        return False
    place, owner = _alternatives(later[-1]), _alternatives(record)
    owners = [s for s in shapes if any(_is_record(words, s) for words, _ in owner)]
    if not any(_record_field(words, owner, s) for s in owners for words, _ in place):
        return False
    return not _child_of(owner, place, [s for s in shapes if not s.op.deprecated])


def _taken_from(analysis: Analysis, head: Concept) -> Concept | None:
    """ "remove the due date from the Contoso migration project": the one record a field is taken from."""
    tokens = analysis.tokens
    if head.end + 1 >= len(tokens) or tokens[head.end].word not in ("from", "on", "of", "off"):
        return None
    if tokens[head.end + 1].word != "the":
        return None
    later = [c for c in analysis.concepts if c.start > head.end]
    return later[-1] if later and singular(later[-1], tokens) else None


def _whole(analysis: Analysis) -> bool:
    """Is the whole record replaced (PUT)? "Replaces an opportunity", but not "Updates it with a
    JSON Patch (replace /stage/id)" nor "Partially updates": those are PATCH."""
    words = {t.word for t in analysis.tokens}
    if analysis.intent == "update" and any(t.raw == "PUT" for t in analysis.tokens):
        return True  # "PUT schedule entry 5": the HTTP method, named
    return analysis.intent == "update" and not WHOLE_WORDS.isdisjoint(words) and PARTIAL_WORDS.isdisjoint(words)


def _keys(analysis: Analysis) -> frozenset[str]:
    """Words naming what a record is found by, other than its id: "by identifier", "-ReportName"
    (not "its unique identifier", which is the id)."""
    tokens = analysis.tokens
    return frozenset(
        t.word
        for i, t in enumerate(tokens)
        if t.word in KEY_WORDS and (t.switch or (i > 0 and tokens[i - 1].word in KEY_INTRODUCERS))
    )


def _one_write(analysis: Analysis) -> bool:
    """Does the request change or delete one record ("Updates an opportunity's forecast item")?"""
    head = analysis.head
    return analysis.intent in ("update", "delete") and head is not None and singular(head, analysis.tokens)


def _listed_under(analysis: Analysis) -> frozenset[str]:
    """The words of a plural head read under a numbered parent ("time entries for member 12"), else none.

    Such a request lists the head's records; the parent's own record is not the answer.
    """
    head = analysis.head
    numbered = [c for _, c in analysis.ids]
    if head is None or analysis.intent not in (None, "read") or any(c is head for c in numbered):
        return frozenset()
    if singular(head, analysis.tokens) or not any(c in analysis.parents for c in numbered):
        return frozenset()
    return frozenset(head.tokens())


def _new_record(analysis: Analysis) -> frozenset[str]:
    """The head's words when it is created anew ("create a ticket", "open a new ticket"), else none."""
    head, verb = analysis.head, analysis.verb
    if analysis.intent != "create" or head is None or verb is None or any(c is head for _, c in analysis.ids):
        return frozenset()
    if not any(t.word in NEW_RECORD_WORDS for t in analysis.tokens[verb[0] : head.start]):
        return frozenset()
    return frozenset(head.tokens())


def _child_head(analysis: Analysis, shapes: list[_Shape]) -> frozenset[str]:
    """ "time on ticket 3101", "the configuration on ticket 5": a singular head that names a resource
    under the numbered parent reads that list, like a plural head; the parent's record is no answer."""
    head = analysis.head
    if head is None or analysis.intent not in (None, "read") or any(c is head for _, c in analysis.ids):
        return frozenset()
    parents = [c for _, c in analysis.ids if c in analysis.parents]
    head_alts = _alternatives(head)
    for parent in parents:
        parent_alts = _alternatives(parent)
        owners = [s for s in shapes if any(words == s.resource for words, _ in parent_alts)]
        if _child_not_field(head_alts, parent_alts, owners, shapes):
            break
    else:
        return frozenset()
    return frozenset(head.tokens())


def _asked_modifiers(words: list[str]) -> frozenset[str]:
    """Variants the request names: "ticket info", "bulk line items", and "where an SLA is used"
    (the /usages of one record; "the currencies used on invoices" asks for currencies)."""
    asked = frozenset(words) & ASKABLE_MODIFIERS
    where = words.index("where") if "where" in words else len(words)
    if "used" in words[where:]:
        asked |= {"usage"}
    return asked


def _listing_parents(analysis: Analysis) -> tuple[frozenset[str], ...]:
    """The parents' words of a plural head that is read ("Retrieve all notes for a given ticket").

    The request lists the head's records: an operation on the parent alone answers something else.
    """
    head = analysis.head
    if head is None or analysis.intent not in (None, "read") or analysis.ids or singular(head, analysis.tokens):
        return ()
    head_words = frozenset(head.tokens())
    return tuple(words for c in analysis.parents if not (words := frozenset(c.tokens())) <= head_words)


def _alternatives(concept: Concept) -> _Alternatives:
    """A concept's readings as word sets."""
    return tuple((frozenset(p), conf) for p, conf in concept.alternatives)


# (index of a concept naming a field, the record's alternatives, record pinned down, field in its schema,
# the field's words when named with the words before it: "daily capacity", "default service board")
_Attribute = tuple[int, _Alternatives, bool, bool, _Alternatives]


def _attributes(analysis: Analysis, shapes: list[_Shape]) -> tuple[_Attribute, ...]:
    """Concepts that name a field of a record the request points at.

    "set the urgency on case 12 to high": case 12 is a ticket, and tickets have a
    priority field, so urgency is the ticket's field, not the priority definitions.
    Found structurally, from the candidates' schemas: a record whose resource is named
    and another concept equal to one of that resource's property names. In a change,
    "the X of record 12" is taken as a field even when the schema does not list X, unless
    X is a resource that hangs under that record ("the note on ticket 5").
    """
    out = []
    records = {id(concept) for concept, _ in analysis.records}
    for record, pinned in analysis.records:
        record_alts = _alternatives(record)
        owners = [s for s in shapes if any(_is_record(words, s) for words, _ in record_alts)]
        children = _children_named(analysis, record, shapes) if analysis.intent == "update" else []
        for index, concept in enumerate(analysis.concepts):
            if id(concept) in records or concept.value:
                continue
            if any(_field_of(_alternatives(concept), shape) for shape in _others(children, concept)):
                continue  # "the project role on project 530's team": a field of the team member, not the project
            if analysis.intent != "update" and not (concept is analysis.head and singular(concept, analysis.tokens)):
                continue  # "the status of opportunity 9" is one field; "the notes of ticket 5" a list
            alts = _alternatives(concept)
            compound, first = _compound_field(analysis.concepts, index, owners)
            if compound:
                # every word of the field is the record's: "default" and "service" of "mike's default
                # service board" are no records or modules of their own
                out.extend((part, record_alts, pinned, True, compound) for part in range(first, index + 1))
            elif any(_record_field(words, record_alts, shape) for shape in owners for words, _ in alts):
                if analysis.intent != "update" and _child_not_field(alts, record_alts, owners, shapes):
                    continue  # "time on ticket 3101": its time entries, not the end of its billTime field
                out.append((index, record_alts, pinned, True, ()))
            elif entry := _persons_entry(analysis, concept, record_alts, shapes):
                out.append((index, entry, pinned, True, ()))  # "Dana Lee's role on project 88": her team entry's
            elif _unlisted_field(analysis, concept, record, pinned) and not _child_of(alts, record_alts, shapes):
                out.append((index, record_alts, pinned, False, ()))
    # ("default" of "default department" is no field of its own: the compound names the field)
    compounded = {(index, id(alts)) for index, alts, _, _, compound in out if compound}
    return tuple(a for a in out if a[4] or (a[0], id(a[1])) not in compounded)


def _persons_entry(
    analysis: Analysis, concept: Concept, record_alts: _Alternatives, shapes: list[_Shape]
) -> _Alternatives:
    """ "change Dana Lee's role on project 88 to Architect", "Mike Ross's role on opportunity 4410": in a
    change, a person's field that the record lacks is the field of the person's entry under the record
    (its team member, its contact), as that entry's update names it."""
    tokens, start = analysis.tokens, concept.start
    named = start > 1 and possessive(tokens, start - 1) and tokens[start - 2].raw[:1].isupper()
    if analysis.intent != "update" or not named:
        return ()
    entries = [
        shape.resource
        for shape in shapes
        if shape.item
        and shape.op.method == "PATCH"
        and shape.noun in PERSON_ENTRIES
        and _hangs_under(shape, record_alts)
        and _field_of(_alternatives(concept), shape)
    ]
    return ((entries[0], 1.0),) if entries else ()


def _children_named(analysis: Analysis, record: Concept, shapes: list[_Shape]) -> list[tuple[Concept, _Shape]]:
    """The updates of records under the record that a concept names in the same clause, with that
    concept: "project 530's team" (its team members), "the forecast item of opp 4433" (its forecast)."""
    out = []
    records = {id(concept) for concept, _ in analysis.records}
    record_alts = _alternatives(record)
    own = frozenset(w for words, _ in record_alts for w in words)
    for concept in analysis.concepts:
        if id(concept) in records or concept.value or concept.detail:
            continue
        first, last = sorted((concept.start, record.start))
        if any(t.clause_start for t in analysis.tokens[first + 1 : last + 1]):
            continue  # (another clause: "... end date to June 30, the additions too")
        for words, _ in _alternatives(concept):
            if words & own:
                continue
            out.extend(
                (concept, shape)
                for shape in shapes
                if shape.item
                and shape.op.method == "PATCH"
                and (words <= shape.resource or shape.resource <= words)
                and _hangs_under(shape, record_alts)
            )
    return out


def _hangs_under(shape: _Shape, record_alts: _Alternatives) -> bool:
    """Does the operation's record hang under the named record's placeholder (projects/{parentId}/...)?"""
    return any(r <= segment for segment, followed in shape.segments[:-1] if followed for r, _ in record_alts)


def _others(children: list[tuple[Concept, _Shape]], field: Concept) -> list[_Shape]:
    """The children named by a concept other than the field, nor touching it ("contact" of "primary
    contact" is a word of the field itself)."""
    return [
        shape
        for concept, shape in children
        if concept is not field and concept.end != field.start and field.end != concept.start
    ]


def _field_of(alternatives: _Alternatives, shape: _Shape) -> bool:
    return any(_field_match(words, shape) for words, _ in alternatives)


def _compound_field(concepts: list[Concept], index: int, owners: list[_Shape]) -> tuple[_Alternatives, int]:
    """ "mike's default service board": words read as several concepts that together are one of the
    record's properties (defaultServiceBoard), ending with this concept; and the first concept's index."""
    words: frozenset[str] = frozenset()
    for start in range(index, max(-1, index - 3), -1):
        concept = concepts[start]
        if (start < index and concept.end != concepts[start + 1].start) or concept.value:
            break
        words |= frozenset(concept.alternatives[0][0])
        if start < index and any(words in shape.field_names for shape in owners):
            return ((words, 1.0),), start
    return (), index


def _unlisted_field(analysis: Analysis, concept: Concept, record: Concept, pinned: bool) -> bool:
    """ "change the charge code of time entry 12": the head of a change, said of a numbered record."""
    numbered = any(r is record for _, r in analysis.ids)
    return (
        analysis.intent == "update" and pinned and numbered and concept is analysis.head and record in analysis.parents
    )


def _child_not_field(
    alts: _Alternatives, record_alts: _Alternatives, owners: list[_Shape], shapes: list[_Shape]
) -> bool:
    """A word that only ends one of the record's fields but names a resource under it is that list."""
    exact = any(words in shape.field_names for shape in owners for words, _ in alts)
    return not exact and _child_of(alts, record_alts, shapes)


def _child_of(alts: _Alternatives, record_alts: _Alternatives, shapes: list[_Shape]) -> bool:
    """Is the concept a resource under the record's placeholder (tickets/{parentId}/notes)?"""
    return any(
        words <= shape.resource
        and any(r <= segment for segment, followed in shape.segments if followed for r, _ in record_alts)
        for shape in shapes
        for words, _ in alts
    )


@dataclass(frozen=True)
class _Query:
    """A request prepared for scoring many candidates quickly."""

    concepts: tuple[tuple[float, _Alternatives, bool, bool], ...]  # weight, alternatives, head, detail
    attributes: tuple[_Attribute, ...]  # "urgency" of "case 12"
    total_weight: float
    methods: tuple[str, ...]
    update: bool
    whole: bool  # the whole record is replaced: PUT before PATCH
    count: bool
    id_words: tuple[frozenset[str], ...]
    parent_words: tuple[frozenset[str], ...]
    qualifiers: frozenset[str]
    asked_modifiers: frozenset[str]
    listed_under: frozenset[str]  # a plural head under a numbered parent: that parent's record is no answer
    listing_parents: tuple[frozenset[str], ...]  # parents of a plural head that is read
    one_write: bool = False  # "Deletes a purchase order line item": one record changed, not all of them
    new_record: frozenset[str] = frozenset()  # "create a ticket ...": the head made anew, no one's parent yet
    keys: frozenset[str] = frozenset()  # "a member by identifier", "-ReportName": what a record is found by
    head_readings: frozenset[frozenset[str]] = frozenset()  # the head's readings, as word sets
    # "contoso's default contact": a name alone owns the field; it says what kind of record it is
    # (a company, a member, a contact), as explained as if the request had named that kind
    owner_kinds: frozenset[frozenset[str]] = frozenset()
    plural_head: bool = False  # "invoices for agreement 77": no verb, records named in the plural
    head_words: frozenset[str] = frozenset()  # the head as written
    plural_of_owner: bool = False  # ... and then what they belong to
    nested: tuple[frozenset[str], frozenset[str]] | None = None  # "ticket 5 task 3": (ticket, task)

    @cached_property
    def named_words(self) -> frozenset[str]:
        """Every word of every reading of what the request names."""
        return frozenset(word for _, alternatives, _, _ in self.concepts for words, _ in alternatives for word in words)


def score(shape: _Shape, query: _Query) -> float:
    """How well one operation answers the request (higher is better)."""
    attribute_levels, penalty = _attribute_fit(shape, query)
    match = _coverage(shape, query, attribute_levels)
    explained = (match.explained | shape.resource) if shape.resource in query.owner_kinds else match.explained
    total = COVERAGE * match.covered / query.total_weight + _explained(shape, explained)
    if match.head_on_resource:
        total += HEAD_IS_RESOURCE
    elif query.listing_parents and any(_place(words, shape) == "resource" for words in query.listing_parents):
        total -= PARENT_UNASKED
    elif query.new_record and any(query.new_record <= words for words, followed in shape.segments if followed):
        total -= NEW_RECORD_PARENT  # "create a ticket for the printer": no ticket's {parentId} exists yet
    total += intent_fit(shape, query) - _variant_cost(shape, match.explained) - penalty
    if (query.update or query.listed_under) and _unnamed_parent(shape, query):
        total -= UNNAMED_PARENT
    if shape.module in query.qualifiers:
        total += QUALIFIER_BONUS
    if query.nested and _nested_reversed(shape, *query.nested):
        total -= NESTED_REVERSED
    if "usage" in shape.modifiers and "usage" in query.asked_modifiers:
        total += USAGE_ASKED  # "where an SLA is used" names no "usages" word for the path to explain
    return total


def _nested(analysis: Analysis) -> tuple[frozenset[str], frozenset[str]] | None:
    """ "contact 90412 group 4": a numbered record named right after another's number is under it."""
    if len(analysis.ids) != 2:
        return None
    (_, outer), (_, inner) = analysis.ids
    between = analysis.tokens[outer.end : inner.start]
    if len(between) != 1 or not between[0].is_number:
        return None
    return frozenset(outer.alternatives[0][0]), frozenset(inner.alternatives[0][0])


def _nested_reversed(shape: _Shape, outer: frozenset[str], inner: frozenset[str]) -> bool:
    """Does the path hang the outer record under the inner one (groups/{parentId}/contacts)?"""
    parents = [words for words, followed in shape.segments[:-1] if followed]
    return outer <= shape.resource and not inner <= shape.resource and any(inner <= words for words in parents)


def _unnamed_parent(shape: _Shape, query: _Query) -> bool:
    """Does the path hang the record under a parent record the request never names?"""
    parents = [words for words, followed in shape.segments[:-1] if followed]
    if not parents:
        return False
    return any(words.isdisjoint(query.named_words) for words in parents)


@dataclass
class _Match:
    """What of the request an operation matches: the weighted concepts, the words its path explains."""

    covered: float = 0.0
    explained: set[str] = field(default_factory=set)
    head_on_resource: bool = False


def _coverage(shape: _Shape, query: _Query, attribute_levels: dict[int, float]) -> _Match:
    """Each concept's best match in the operation, by where it is found (resource, path, summary ...)."""
    covered, explained, on_resource = 0.0, set(query.asked_modifiers), False
    partial: set[str] = set()  # resource words a longer name shares ("knowledge base" of an article)
    for index, (weight, alternatives, is_head, detail) in enumerate(query.concepts):
        if detail:
            covered += weight * _detail_level(shape, alternatives, query.head_readings)
            continue
        level = attribute_levels.get(index, 0.0)
        on_resource = on_resource or (bool(level) and is_head)
        for words, confidence in alternatives:
            place = _place(words, shape)
            if place is None:
                continue
            if place == "partial":
                partial |= words & shape.resource_context
                value = PARTIAL_NAME * len(words & shape.resource_context) / len(words)
            elif place == "resource" and is_head and shape.action and query.plural_of_owner:
                # "invoices for agreement 77": the plural names records, not the act of invoicing
                value = FIELD_WEIGHT["summary"]
                explained |= words
            else:
                value = FIELD_WEIGHT[place]
                if place == "resource" or place == "path":
                    explained |= words
                    on_resource = on_resource or (is_head and place == "resource")
            level = max(level, confidence * value)
        covered += weight * level
    return _Match(covered, explained | partial, on_resource)


def _place(words: frozenset[str], shape: _Shape) -> str | None:
    """Where in the operation a phrase is found, best place first."""
    resource, context = shape.resource, shape.resource_context
    if words <= resource or (words <= context and not words.isdisjoint(resource)):
        return "resource"  # "time entry" is the resource of /time/entries as much as of .../timeentries
    # Spelled out, not looped over by name: this runs for every concept of every candidate.
    if words <= shape.path:
        return "path"
    if words <= shape.category:
        return "category"
    if words <= shape.summary:
        return "summary"
    if words <= shape.fields:
        return "fields"
    if len(words) > 1 and len(words & context) * 2 >= len(words) and not words.isdisjoint(resource):
        return "partial"  # most of a longer name: "knowledge base article" near "knowledge base category"
    return None


def _explained(shape: _Shape, explained: set[str]) -> float:
    """Shares of the operation's resource and path words the request explains.

    Words of the path the request does not explain (the module aside) cost rank:
    "tasks on a project ticket" is not a project *template* ticket's task.
    """
    total = 0.0
    if shape.connectors:
        # "convertToServiceTicket", "createFromProject": a request never needs to say the joining word
        explained = explained | shape.connectors
    if shape.resource:
        total += RESOURCE_EXPLAINED * len(shape.resource & explained) / len(shape.resource)
    path_words = shape.path if shape.module in explained else shape.below_module
    if path_words:
        total += PATH_EXPLAINED * len(path_words & explained) / len(path_words)
    return total


def _variant_cost(shape: _Shape, explained: set[str]) -> float:
    """Unasked-for /info, /usages, /bulk variants and deprecated operations rank lower."""
    cost = DEPRECATED_PENALTY if shape.op.deprecated else 0.0
    if shape.modifiers:
        cost += sum(MODIFIER_PENALTY.get(m, 0.0) for m in shape.modifiers if m not in explained)
    return cost


def _detail_level(shape: _Shape, alternatives: _Alternatives, head: frozenset[frozenset[str]] = frozenset()) -> float:
    """A detail ("filtered by vendor, status") is matched by the operation's fields, not its name:
    purchase orders have a status; purchase order statuses are not what was asked for."""
    level = 0.0
    for words, confidence in alternatives:
        # "Gets work roles. Each work role has a rate": the head described again names this resource
        if words in head and _place(words, shape) == "resource":
            level = max(level, confidence)
            continue
        match = _field_match(words, shape) or (FIELD_WEIGHT["fields"] if words <= shape.fields else 0.0)
        level = max(level, confidence * match)
    return level


_NO_LEVELS: dict[int, float] = {}  # (read only)


def _attribute_fit(shape: _Shape, query: _Query) -> tuple[dict[int, float], float]:
    """Credit for the record whose field is named; a cost for editing that field's definition.

    Returns ({concept index: match level}, penalty).
    """
    if not query.attributes:
        return _NO_LEVELS, 0.0
    levels: dict[int, float] = {}
    penalty = 0.0
    for index, record_alts, pinned, listed, compound in query.attributes:
        alternatives = query.concepts[index][1] + compound
        # The record itself: "expense 77" is an expense entry, not an expense type exemption.
        if any(_is_record(words, shape) for words, _ in record_alts):
            level = max((conf * _record_field(words, record_alts, shape) for words, conf in alternatives), default=0.0)
            level = level or (0.0 if listed else UNLISTED_FIELD)
            # "jordan price's default department": of a name's readings, one without the field so named
            # (a contact's department is no default department) is the less likely
            whole = not compound or len(record_alts) == 1 or any(_field_match(words, shape) for words, _ in compound)
            level *= 1.0 if whole else PART_OF_FIELD
            if level:
                levels[index] = max(levels.get(index, 0.0), level * ATTRIBUTE_FIELD)
                if pinned and query.update and shape.item and shape.op.method in ("PATCH", "PUT"):
                    # The rule, not a weight: a numbered record and one of its fields -> its own update.
                    # (As sure as the record's reading: "alice's title" is a member's before a contact's.)
                    sure = max(conf for words, conf in record_alts if _is_record(words, shape))
                    penalty = -RECORD_UPDATE * sure * (1.0 if whole else PART_OF_FIELD)
        elif (query.update or (pinned and listed)) and any(words <= shape.resource for words, _ in alternatives):
            # (A read too, when the record is pinned and the field is its own: "what's contoso's status".)
            # The field's own resource is still right when it hangs under the record
            # ("tickets/{parentId}/notes") or, for a loose compound, is named by it ("project type").
            if pinned:
                related = any(
                    words <= segment for segment, followed in shape.segments if followed for words, _ in record_alts
                )
            else:
                related = any(words <= shape.resource_context for words, _ in record_alts)
            if not related:
                penalty = ATTRIBUTE_DEFINITION
    return levels, penalty


def _is_record(words: frozenset[str], shape: _Shape) -> bool:
    """Is the operation's resource the record so named: "ticket" for /tickets, "expense entry" for
    /expense/entries (its name with the segment before it)?"""
    return words == shape.resource or (len(words) > 1 and words == shape.resource_context)


def _record_field(words: frozenset[str], record_alts: _Alternatives, shape: _Shape) -> float:
    """A field of the record, also when named with the record's own name: a project's "project type"
    is its type field, a ticket's "ticket status" its status."""
    match = _field_match(words, shape)
    if match or len(words) < 2:
        return match
    for record, _ in record_alts:
        rest = words - record
        if rest and rest != words:
            match = max(match, _field_match(rest, shape))
    # "job title", "list price": a kind of one of its fields, named more closely (not "mobile number":
    # a word that ends many names says nothing of the field)
    own = frozenset(w for record, _ in record_alts for w in record)  # "contact communication" of a contact
    if not match and any(frozenset((w,)) in shape.field_names for w in words - GENERIC_FIELD_WORDS - own):
        match = QUALIFIED_FIELD
    return match


def _field_match(words: frozenset[str], shape: _Shape) -> float:
    """Is ``words`` a property of the operation's resource (1), or the end of one (less)?"""
    if words in shape.field_names:
        return 1.0
    if words in shape.field_tails:
        return QUALIFIED_FIELD
    return 0.0


def intent_fit(shape: _Shape, query: _Query) -> float:
    """Method, /count and /{id} fit to what the request wants done."""
    method = shape.op.method
    fit = 0.0
    if query.methods:
        fit += METHOD_MATCH if method in query.methods else -METHOD_MATCH
        if query.update and method == ("PUT" if query.whole else "PATCH"):
            fit += 0.05  # PATCH changes only what is named; PUT replaces the record ("replace", "entire")
    else:
        fit += READ_DEFAULT if method == "GET" else -READ_DEFAULT
        if shape.action and query.plural_head:
            fit -= ACTION_UNASKED

    is_count = "count" in shape.modifiers
    if query.count:
        fit += COUNT_MATCH if is_count else -0.3
    elif is_count:
        fit -= COUNT_UNASKED

    # "ticket 4521": the segment naming the ticket is followed by a placeholder.
    if query.id_words and any(
        words <= id_words for words, followed in shape.segments if followed for id_words in query.id_words
    ):
        fit += ID_PLACEHOLDER
    if shape.action and query.id_words and _acts_elsewhere(shape, query.id_words):
        fit -= ACTION_ON_ANOTHER
    # "tasks on a ticket": a path where the parent named is followed by its placeholder.
    if query.parent_words and any(
        words <= parent_words for words, followed in shape.segments if followed for parent_words in query.parent_words
    ):
        fit += PARENT_PLACEHOLDER
    names_the_record = bool(query.id_words) and _numbers_record(shape, query)
    if names_the_record and shape.item and shape.op.path.endswith("/{id}"):
        fit += ID_NAMED  # "member 17" is the {id}, not a {memberIdentifier} or {ssoid}
    if shape.item and method == "GET":
        if names_the_record and query.listed_under and not shape.resource <= query.listed_under:
            fit -= PARENT_ITEM  # "time entries for member 12" lists time entries, not member 12
        elif names_the_record:
            fit += ID_ITEM
        else:
            # One record of something no id was given for: the list is the likelier wish.
            fit -= ITEM_UNASKED
    elif shape.item and names_the_record and method in query.methods:
        fit += ID_ITEM  # "change the hours on project 310": that project is the record to change
    if shape.key and query.keys and shape.item and method == "GET" and query.keys & shape.key:
        fit += KEY_NAMED  # "Gets a member by identifier": /members/{memberIdentifier}, not /members/{id}
    if query.one_write and not shape.item and method in query.methods:
        fit -= ONE_WRITE_COLLECTION  # DELETE .../lineitems removes them all
    return fit


def _numbers_record(shape: _Shape, query: _Query) -> bool:
    # ("agreement recap for agreement 5": the whole name is said, and the number is the agreement's key)
    whole = shape.resource <= query.head_words
    return any(_numbers_resource(shape, id_words, whole) for id_words in query.id_words)


def _acts_elsewhere(shape: _Shape, id_words: tuple[frozenset[str], ...]) -> bool:
    """ "approve invoice 55", "clone project 88": an act on another kind of record (time sheet 55's
    approval, a board's copy) would act on the wrong record. The segments between the module and the
    act name what it acts on."""
    return all(words.isdisjoint(numbered) for words, _ in shape.segments[1:-1] for numbered in id_words)


def _numbers_resource(shape: _Shape, id_words: frozenset[str], whole: bool = False) -> bool:
    """Does the numbered record name this operation's resource? Not when a parent's segment names
    it better: in /holidayLists/{parentId}/holidays/{id}, "holiday list 2" is the list's number."""
    if shape.resource.isdisjoint(id_words) or (shape.noun and shape.noun not in id_words and not whole):
        return False  # (and "ticket 50123" numbers no ticket *stopwatch*: the stopwatch is the noun)
    overlap = len(shape.resource & id_words)
    return all(len(words & id_words) <= overlap for words, _ in shape.segments[:-1])


def _make_shape(op: Operation, terms: tuple[str, ...], fields_of_schema: _Fields, unreadable: bool = False) -> _Shape:
    resource, path_terms, category, summary, fields = terms
    raw_segments = path_terms.split("/")
    segments = []
    for index, segment in enumerate(raw_segments):
        if segment == "{}":
            continue
        followed = index + 1 < len(raw_segments) and raw_segments[index + 1] == "{}"
        segments.append((frozenset(segment.split()), followed))
    literal = [s for s in raw_segments if s != "{}"]
    resource_words = frozenset(resource.split())
    context = set(resource_words)
    for index, segment in enumerate(literal):
        if resource_words and frozenset(segment.split()) == resource_words and index > 0:
            context.update(literal[index - 1].split())
    path = frozenset(w for s in literal for w in s.split())
    return _Shape(
        op=op,
        resource=resource_words,
        resource_context=frozenset(context),
        path=path,
        below_module=frozenset(w for s in literal[1:] for w in s.split()),
        module=literal[0] if literal else "",
        segments=tuple(segments),
        category=frozenset(category.split()),
        summary=frozenset(summary.split()),
        fields=frozenset(fields.split()),
        field_names=fields_of_schema[0],
        field_tails=fields_of_schema[1],
        modifiers=frozenset(s for s in literal[1:] if s in MODIFIER_SEGMENTS),
        item=bool(raw_segments) and raw_segments[-1] == "{}",
        key=_key_words(op.path),
        noun=resource.split()[-1] if resource.split() else "",
        action=bool(unreadable) and op.method == "POST" and bool(raw_segments) and raw_segments[-1] != "{}",
        connectors=(path | resource_words) & PATH_CONNECTORS,
    )


def _key_words(path: str) -> frozenset[str]:
    """The words of a path's last placeholder when it is not a plain id: {memberIdentifier}, {reportName}."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    if not last.startswith("{") or last.lower().endswith(("id}", "id")):
        return frozenset()
    return frozenset(text.tokens(last.strip("{}")))


def _property_words(schema: dict[str, Any]) -> list[tuple[str, ...]]:
    """The words of each property a schema declares (not "_info"), empty names left out."""
    return [words for prop in schema.get("properties") or {} if prop[:1] != "_" if (words := _field_words(prop))]


def _field_words(prop: str) -> tuple[str, ...]:
    """ "budgetHours" -> (budget, hour); "boardId" -> (board,): an id field names the thing it refers to."""
    words = text.tokens(prop)
    if len(words) > 1 and words[-1] in ("id", "identifier"):
        words = words[:-1]
    return tuple(words)
