"""The domain lexicon (lexicon.txt): MSP vocabulary, intent words, stop words."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import text

Phrase = tuple[str, ...]
LEXICON_FILE = Path(__file__).with_name("lexicon.txt")
# Order breaks ties between equally long phrases: "submit" is an action before it is a create.
INTENTS = ("action", "create", "update", "delete", "count", "read")


# Skipped inside phrases, on both sides: "out of the office" is "out of office", "who's" is "who".
JOINABLE_INTENTS = frozenset(("read", "update", "delete", "count"))
SKIPPABLE = frozenset("the a an s t ve ll re d m are is am".split())


def phrase(words: str) -> Phrase:
    return tuple(text.tokens(words))


def source_phrase(words: str) -> Phrase:
    """A left-hand phrase as queries are matched against it (articles and contraction pieces dropped)."""
    tokens = phrase(words)
    kept = tuple(t for t in tokens if t not in SKIPPABLE)
    return kept or tokens


@dataclass
class Gloss:
    """Each catalog phrase described by the words of every lexicon phrase that leads to it.

    The lexicon's left-hand sides are descriptions as much as synonyms: "notify our app when
    a record changes", "webhook", "callback url" all lead to callback. Matched as bags of
    words, they also catch a rewording no line spells out ("URLs pinged whenever a record
    changes"). Scored like BM25 over those descriptions.
    """

    targets: list[Phrase]
    postings: dict[str, list[int]]
    lengths: list[int]

    def to_json_value(self) -> dict[str, Any]:
        return {"targets": [list(t) for t in self.targets], "postings": self.postings, "lengths": self.lengths}

    @classmethod
    def from_json_value(cls, value: dict[str, Any]) -> Gloss:
        return cls([tuple(t) for t in value["targets"]], value["postings"], value["lengths"])

    def match(self, words: set[str], least: int = 2, free: set[str] | None = None) -> list[tuple[Phrase, float, int]]:
        """(phrase, score, words shared) for phrases sharing ``least`` words or more, best first.

        With ``free``, a phrase must also share one of those words.
        """
        n = len(self.targets)
        average = sum(self.lengths) / n if n else 1.0
        scores: dict[int, float] = {}
        shared: dict[int, int] = {}
        for word in words:
            found = self.postings.get(word)
            if not found:
                continue
            idf = math.log(1 + (n - len(found) + 0.5) / (len(found) + 0.5))
            for index in found:
                norm = 1.2 * (0.25 + 0.75 * self.lengths[index] / average)
                scores[index] = scores.get(index, 0.0) + idf * 2.2 / (1 + norm)
                shared[index] = shared.get(index, 0) + 1
        if free is not None:
            anchored = {i for word in free for i in self.postings.get(word, ())}
            scores = {i: v for i, v in scores.items() if i in anchored}
        ranked = sorted((i for i in scores if shared[i] >= least), key=lambda i: -scores[i])
        return [(self.targets[i], scores[i], shared[i]) for i in ranked]


def build_gloss(synonyms: dict[Phrase, list[Phrase]], stop: set[str]) -> Gloss:
    words_of: dict[Phrase, set[str]] = {}
    for source, targets in synonyms.items():
        content = {w for w in source if w not in stop and len(w) > 2 and not w.isdigit()}
        for target in targets:
            words_of.setdefault(target, set()).update(content - set(target))
    targets = sorted(t for t, words in words_of.items() if words)
    postings: dict[str, list[int]] = {}
    for index, target in enumerate(targets):
        for word in words_of[target]:
            postings.setdefault(word, []).append(index)
    return Gloss(targets, postings, [len(words_of[t]) for t in targets])


@dataclass
class Lexicon:
    synonyms: dict[Phrase, list[Phrase]] = field(default_factory=dict)
    intents: dict[str, set[Phrase]] = field(default_factory=lambda: {name: set() for name in INTENTS})
    qualifiers: dict[str, str] = field(default_factory=dict)
    units: set[str] = field(default_factory=set)
    stop: set[str] = field(default_factory=set)
    real: set[str] = field(default_factory=set)  # everyday words, never read as slips

    def __post_init__(self) -> None:
        self._longest = 1
        self._all_words: frozenset[str] | None = None
        self._intents_by_first: dict[str, list[tuple[str, Phrase]]] | None = None
        self._gloss: Gloss | None = None
        self._one_word_verbs: dict[str, frozenset[str]] = {}
        self._numbered_names: frozenset[tuple[str, str]] | None = None

    def gloss(self) -> Gloss:
        if self._gloss is None:
            self._gloss = build_gloss(self.synonyms, self.stop)
        return self._gloss

    def one_word_verbs(self, intent: str) -> frozenset[str]:
        """The intent's verbs of one word ("change", "close"), worked out once."""
        if intent not in self._one_word_verbs:
            self._one_word_verbs[intent] = frozenset(p[0] for p in self.intents[intent] if len(p) == 1)
        return self._one_word_verbs[intent]

    def numbered_names(self) -> frozenset[tuple[str, str]]:
        """Word-number pairs that lexicon phrases name things with: ("office", "365")."""
        if self._numbered_names is None:
            self._numbered_names = frozenset(
                (a, b)
                for source in self.synonyms
                for a, b in itertools.pairwise(source)
                if b.isdigit() and not a.isdigit()
            )
        return self._numbered_names

    def to_json(self) -> str:
        """The parsed lexicon, for the catalog to carry: loading it is much faster than parsing."""
        return json.dumps(
            {
                "synonyms": [[list(k), [list(t) for t in v]] for k, v in sorted(self.synonyms.items())],
                "intents": {name: sorted(list(p) for p in phrases) for name, phrases in self.intents.items()},
                "qualifiers": self.qualifiers,
                "units": sorted(self.units),
                "stop": sorted(self.stop),
                "real": sorted(self.real),
                "longest": self._longest,
                "gloss": self.gloss().to_json_value(),
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, data: str) -> Lexicon:
        raw = json.loads(data)
        lexicon = cls(
            synonyms={tuple(k): [tuple(t) for t in v] for k, v in raw["synonyms"]},
            intents={name: {tuple(p) for p in phrases} for name, phrases in raw["intents"].items()},
            qualifiers=dict(raw["qualifiers"]),
            units=set(raw["units"]),
            stop=set(raw["stop"]),
            real=set(raw.get("real", ())),
        )
        lexicon._longest = int(raw["longest"])
        if "gloss" in raw:  # catalogs built before descriptions existed compute them on first use
            lexicon._gloss = Gloss.from_json_value(raw["gloss"])
        return lexicon

    def all_words(self) -> frozenset[str]:
        """Every word the lexicon knows, for typo correction to aim at."""
        if self._all_words is None:
            self._all_words = frozenset(self._collect_words())
        return self._all_words

    def _collect_words(self) -> set[str]:
        words = set(self.stop) | set(self.units)
        for source, targets in self.synonyms.items():
            words.update(source)
            for target in targets:
                words.update(target)
        for phrases in self.intents.values():
            for p in phrases:
                words.update(p)
        return {w for w in words if not w.isdigit()}

    def synonyms_at(
        self,
        tokens: list[str],
        start: int,
        with_small_words: bool | None = None,
        accept: Callable[[Phrase], bool] | None = None,
    ) -> tuple[int, list[Phrase]] | None:
        """Longest lexicon phrase starting at ``tokens[start]``: (length, targets).

        ``with_small_words`` True keeps only phrases containing a stop word ("out of
        office"), False only phrases without one; None accepts both. ``accept`` may
        turn a phrase down, so that a shorter one is tried.
        """
        for length in range(min(self._longest, len(tokens) - start), 0, -1):
            source = tuple(tokens[start : start + length])
            targets = self.synonyms.get(source)
            if targets is None:
                continue
            if with_small_words is not None and any(w in self.stop for w in source) != with_small_words:
                continue
            if accept is not None and not accept(source):
                continue
            return length, targets
        return None

    def intent_at(self, tokens: list[str], start: int) -> tuple[str, int] | None:
        """The intent phrase starting at ``tokens[start]``, longest first: (intent, length)."""
        if self._intents_by_first is None:
            index: dict[str, list[tuple[str, Phrase]]] = {}
            for name in INTENTS:
                for p in self.intents[name]:
                    index.setdefault(p[0], []).append((name, p))
            self._intents_by_first = index
        best: tuple[str, int] | None = None
        for name, p in self._intents_by_first.get(tokens[start], ()):
            if tuple(tokens[start : start + len(p)]) == p and (best is None or len(p) > best[1]):
                best = (name, len(p))
        return best


def parse(source: str) -> Lexicon:
    lexicon = Lexicon()
    longest = 1
    for number, raw in enumerate(source.splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("@") else raw.strip()
        if not line:
            continue
        if "=" not in line:
            raise ValueError(f"lexicon line {number}: expected 'words = targets': {raw!r}")
        left, right = (part.strip() for part in line.split("=", 1))
        items = [item.strip() for item in right.split(",") if item.strip()]
        if left.startswith("@qualify "):
            noun = phrase(left.split(None, 1)[1])
            lexicon.qualifiers[noun[0]] = phrase(right)[0]
        elif left == "@unit":
            lexicon.units.update(w for item in items for w in phrase(item))
        elif left == "@real":
            lexicon.real.update(items)
        elif left == "@stop":
            # Stop words are matched unstemmed too ("does" must not become "doe").
            lexicon.stop.update(w for item in items for w in [*phrase(item), *text.split_identifier(item)])
        elif left.startswith("@"):
            name = left[1:]
            if name not in INTENTS:
                raise ValueError(f"lexicon line {number}: unknown intent {left}")
            phrases = [phrase(item) for item in items]
            lexicon.intents[name].update(phrases)
            if name in JOINABLE_INTENTS:
                # "pullup", "handover", "wipeout": a two-word verb is also typed as one word
                # (not "setup": that one is also a noun in the API, "opportunity setups")
                lexicon.intents[name].update((p[0] + p[1],) for p in phrases if len(p) == 2 and p[1] not in SKIPPABLE)
        else:
            targets = [phrase(t) for t in right.split("|") if phrase(t)]
            for source in (source_phrase(item) for item in left.split(",")):
                if source:
                    known = lexicon.synonyms.setdefault(source, [])
                    known.extend(t for t in targets if t not in known and t != source)
                    longest = max(longest, len(source))
    lexicon._longest = longest
    return lexicon


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return parse(LEXICON_FILE.read_text(encoding="utf-8"))
