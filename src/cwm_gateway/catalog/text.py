"""Word handling shared by the catalog builder and the search.

Both sides of every comparison go through the same functions, so a path segment
like ``knowledgeBaseArticles`` and a query like "knowledge base article" meet as
the same tokens (``knowledge base article``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# A word; a bound prefix written apart ("sub categories", "un-assigned", "re-calculate") is part
# of it, as in the catalog ("subcategory"). "re" only with a hyphen ("re ticket 5" is "regarding"),
# and never after an apostrophe ("we're").
WORD_RE = re.compile(r"(?:(?<![A-Za-z0-9'\u2019])(?:(?:sub|un)[ -]|re-)(?=[A-Za-z]))?[A-Za-z0-9]+", re.IGNORECASE)
_SEPARATOR_RE = re.compile(r"[ -]")
# Split camelCase and acronym boundaries: "GLExport" -> GL Export, "workTypes" -> work Types.
# "SLAs"/"KPIs" are plural acronyms, kept whole so they fold to "sla"/"kpi".
_CAMEL_RE = re.compile(r"[A-Z]{2,}s(?![a-z])|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_NOISE_RE = re.compile(r"ConnectWise(?:\.[A-Za-z0-9_]+)*\.([A-Za-z0-9_]+)")

# Endings that look plural but are not ("status", "analysis", "address").
_KEEP_ENDINGS = ("ss", "us", "is", "ous")
# Prefixes that are never words on their own: "subcategories" is one word, not "sub categories",
# and "reset" is not "re set". Written camelCase ("SubType", "reAssign") they stay joined too,
# so that every spelling of a name meets as the same token.
BOUND_PREFIXES = frozenset({"re", "sub", "un"})
# Pieces shorter than this are abbreviations or small words ("gl", "os", "on", "url").
_SHORT_PIECE = 4


def stem(word: str) -> str:
    """Fold a lower-case English plural onto its singular, conservatively.

    Only consistency matters (index and query are stemmed alike), so the rules are
    few and predictable rather than linguistically complete.
    """
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("uses") and len(word) > 4:  # "uses" itself is "use"
        # statuses -> status, but warehouses -> warehouse
        return word[:-2] if word[-5] not in "aeiou" else word[:-1]
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith(_KEEP_ENDINGS):
        return word
    if word.endswith("s"):
        return word[:-1]
    return word


def split_identifier(text: str) -> list[str]:
    """Split text into lower-case words, breaking camelCase and digits apart."""
    words: list[str] = []
    for chunk in WORD_RE.findall(text):
        chunk = _SEPARATOR_RE.sub("", chunk)  # "sub Categories" is SubCategories
        prefix = ""  # a bound prefix waiting for the word it belongs to: "SubType" is "subtype"
        for part in _CAMEL_RE.findall(chunk):
            plural_acronym = len(part) > 2 and part[-1] == "s" and part[:-1].isupper()
            word = part[:-1].lower() if plural_acronym else part.lower()
            if prefix and word.isalpha():
                word, prefix = prefix + word, ""
            elif prefix:
                words.append(prefix)
                prefix = ""
            if word in BOUND_PREFIXES and not part.isupper():
                prefix = word
            else:
                words.append(word)
        if prefix:
            words.append(prefix)
    return words


def tokens(text: str) -> list[str]:
    """Lower-case, camelCase-split, plural-folded tokens of ``text``."""
    out: list[str] = []
    for chunk in WORD_RE.findall(text):
        out.extend(_chunk_tokens(chunk))
    return out


@lru_cache(maxsize=8192)
def _chunk_tokens(chunk: str) -> tuple[str, ...]:
    return tuple(stem(word) for word in split_identifier(chunk))


def clean_summary(summary: str) -> str:
    """First line of a ConnectWise summary with the .NET type-name noise removed.

    ``Get List of ConnectWise.Apis.v3_0.v2015_3.Service.Ticket.Ticket`` becomes
    ``Get List of Ticket``.
    """
    first = summary.strip().splitlines()[0].strip() if summary.strip() else ""
    return _NOISE_RE.sub(r"\1", first)


def segment_compound(word: str, vocabulary: set[str] | frozenset[str], min_piece: int = 2) -> list[str]:
    """Split an all-lower-case compound (``purchaseorders``) into known words.

    Dynamic programming over split points, preferring few long pieces (score is the
    sum of squared piece lengths). A bound prefix is never a piece ("reset" stays whole),
    and at most one piece may be short: "glpaths" is GL paths, but "agreementrecap" is not
    "agreement rec ap" (two abbreviations in a row mean a word the vocabulary lacks).
    Returns ``[word]`` when no such split exists: the whole word is then the token.
    """
    if word in vocabulary or len(word) < 2 * min_piece:
        return [word]
    n = len(word)
    # best[end][shorts]: (score, pieces) of the best split of word[:end] using `shorts` short pieces
    best: list[list[tuple[int, list[str]] | None]] = [[None, None] for _ in range(n + 1)]
    best[0][0] = (0, [])
    for end in range(min_piece, n + 1):
        for start in range(0, end - min_piece + 1):
            piece = word[start:end]
            if piece not in vocabulary or piece in BOUND_PREFIXES:
                continue
            short = int(len(piece) < _SHORT_PIECE)
            for shorts in range(2 - short):
                prev = best[start][shorts]
                if prev is None:
                    continue
                score = prev[0] + len(piece) ** 2
                current = best[end][shorts + short]
                if current is None or score > current[0]:
                    best[end][shorts + short] = (score, [*prev[1], piece])
    finals = [f for f in best[n] if f and len(f[1]) > 1]
    return max(finals, key=lambda f: f[0])[1] if finals else [word]


def unique(items: Iterable[str]) -> list[str]:
    """Items in first-seen order without repeats."""
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, capped at ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev_prev: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        row_min = row[0]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, prev_prev[j - 2] + 1)
            row[j] = value
            row_min = min(row_min, value)
        if row_min > limit:
            return limit + 1
        prev_prev, prev = prev, row
    return prev[-1]


def inflections(word: str) -> list[str]:
    """Base forms a verb form may come from: scheduled -> schedule, logged -> log, closing -> close."""
    out: list[str] = []
    for ending in ("ing", "ed"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            base = word[: -len(ending)]
            out += [base, base + "e"]
            if len(base) > 2 and base[-1] == base[-2]:
                out.append(base[:-1])  # logged -> log
            if ending == "ed" and base.endswith("i"):
                out.append(base[:-1] + "y")  # applied -> apply
    return out


def plurals(word: str) -> tuple[str, ...]:
    """Plural forms a stemmed word may be written in: entry -> entries, box -> boxes, note -> notes."""
    forms = [word + "s", word + "es"]
    if word.endswith("y") and len(word) > 2:
        forms.append(word[:-1] + "ies")
    return tuple(forms)


def swapped(a: str, b: str) -> bool:
    """Is ``b`` ``a`` with two neighbouring letters swapped ("entires", "entries")?"""
    if len(a) != len(b):
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def transpositions(word: str) -> list[str]:
    """``word`` with each pair of neighbouring letters swapped, in order: "ntoe" -> tnoe, note, nteo."""
    return [word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)]


# British spellings and their American forms: (written, meant) at one place in a word.
# ConnectWise writes American ("color", "catalog", "customize") except "cancelled": the
# doubled l goes both ways, and only a variant the catalog knows is ever used.
_UK_US = (
    ("our", "or"),  # colour, behaviour, favourite
    ("ise", "ize"),  # customise(d), authorise, prioritise
    ("isa", "iza"),  # organisation, customisation
    ("isi", "izi"),  # customising
    ("yse", "yze"),  # analyse
    ("ogue", "og"),  # catalogue, dialogue
    ("tre", "ter"),  # centre, metre
    ("ence", "ense"),  # licence, defence
    ("mme", "m"),  # programme
    ("elled", "eled"),  # labelled, travelled ("filled" is no "filed")
    ("elling", "eling"),  # travelling, modelling
    ("eled", "elled"),  # canceled -> cancelled, the catalog's spelling
    ("eling", "elling"),
)


def spelling_variants(word: str) -> list[str]:
    """The other side's spellings of ``word``: colour -> color, catalogue -> catalog, canceled -> cancelled.

    Each variant changes one place after the first two letters ("our", "ise" alone are no words).
    """
    out: list[str] = []
    for written, meant in _UK_US:
        start = word.find(written, 2)
        while start != -1:
            out.append(word[:start] + meant + word[start + len(written) :])
            start = word.find(written, start + 1)
    return unique(out)
