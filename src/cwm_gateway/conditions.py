"""ConnectWise ``conditions`` expressions: parsing and checking against known fields.

    status/name = 'Open' and closedFlag = false
    dateEntered > [2026-01-01T00:00:00Z] or (priority/id in (1, 2) and summary like "%VPN%")

The gateway parses a request's conditions before sending it, so a typo costs a clear
message instead of a ConnectWise 400. (The sandbox's stand-in reads conditions with its own,
independent evaluator, ``sandbox/conditions.py``, so a misreading here is not mirrored there.)
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union

COMPARISONS = ("=", "!=", "<>", "<=", ">=", "<", ">")
_FIELD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*")
_NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?")


class ConditionError(ValueError):
    """A conditions string that ConnectWise would reject; ``position`` is 0-based."""

    def __init__(self, message: str, source: str, position: int, suggestion: str | None = None) -> None:
        self.message = message
        self.source = source
        self.position = position
        self.suggestion = suggestion
        caret = f"\n  {source}\n  {' ' * position}^"
        super().__init__(f"{message} (at character {position + 1}){caret}")


@dataclass(frozen=True)
class Value:
    kind: str  # string | number | boolean | null | date | list
    value: Any
    quote: str = ""


@dataclass(frozen=True)
class Comparison:
    field: str
    operator: str  # =, !=, <, <=, >, >=, contains, like, in (each optionally negated with "not ")
    value: Value
    position: int


@dataclass(frozen=True)
class Logical:
    operator: str  # and | or
    operands: tuple[Node, ...]  # n-ary, so a thousand "or" terms do not nest a thousand deep


@dataclass(frozen=True)
class Negation:
    operand: Node


Node = Union[Comparison, Logical, Negation]  # noqa: UP007 - evaluated at runtime on 3.10


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0

    # -- lexing helpers ----------------------------------------------------

    def _skip(self) -> None:
        while self.pos < len(self.source) and self.source[self.pos].isspace():
            self.pos += 1

    def _peek_word(self) -> str:
        self._skip()
        match = re.compile(r"[A-Za-z]+").match(self.source, self.pos)
        return match.group(0).lower() if match else ""

    def _take_word(self, word: str) -> bool:
        self._skip()
        end = self.pos + len(word)
        if self.source[self.pos : end].lower() == word and (end >= len(self.source) or not self.source[end].isalnum()):
            self.pos = end
            return True
        return False

    def fail(self, message: str, position: int | None = None) -> ConditionError:
        return ConditionError(message, self.source, self.pos if position is None else position)

    # -- grammar -------------------------------------------------------------

    def parse(self) -> Node:
        self._skip()
        if self.pos >= len(self.source):
            raise self.fail("conditions is empty")
        node = self._or()
        self._skip()
        if self.pos < len(self.source):
            if self.source[self.pos] == ")":
                raise self.fail("unbalanced ')': no '(' opens it")
            raise self.fail(f"expected 'and' or 'or' before {self.source[self.pos :][:20]!r}")
        return node

    def _or(self) -> Node:
        operands = [self._and()]
        while self._take_word("or"):
            operands.append(self._and())
        return operands[0] if len(operands) == 1 else Logical("or", tuple(operands))

    def _and(self) -> Node:
        operands = [self._unary()]
        while self._take_word("and"):
            operands.append(self._unary())
        return operands[0] if len(operands) == 1 else Logical("and", tuple(operands))

    def _unary(self) -> Node:
        self._skip()
        if self._peek_word() == "not" and not self._looks_like_field_named_not():
            self._take_word("not")
            return Negation(self._unary())
        if self.pos < len(self.source) and self.source[self.pos] == "(":
            opened = self.pos
            self.pos += 1
            node = self._or()
            self._skip()
            if self.pos >= len(self.source) or self.source[self.pos] != ")":
                raise self.fail("unbalanced '(': missing ')'", opened)
            self.pos += 1
            return node
        return self._comparison()

    def _looks_like_field_named_not(self) -> bool:
        rest = self.source[self.pos + 3 :].lstrip()
        return rest[:1] in ("=", "!", "<", ">") or rest[:1] == ""

    def _comparison(self) -> Comparison:
        self._skip()
        start = self.pos
        match = _FIELD_RE.match(self.source, self.pos)
        if not match:
            found = self.source[self.pos : self.pos + 1] or "end of text"
            raise self.fail(f"expected a field name (like status/name), found {found!r}")
        field = match.group(0)
        if field.lower() in ("and", "or"):
            raise self.fail(f"'{field}' needs a comparison before it")
        self.pos = match.end()
        operator = self._operator()
        value = self._value(operator)
        return Comparison(field, operator, value, start)

    def _operator(self) -> str:
        self._skip()
        for symbol in COMPARISONS:
            if self.source.startswith(symbol, self.pos):
                self.pos += len(symbol)
                return "!=" if symbol == "<>" else symbol
        negated = self._take_word("not")
        for word in ("contains", "like", "in"):
            if self._take_word(word):
                return f"not {word}" if negated else word
        found = self.source[self.pos : self.pos + 12] or "end of text"
        raise self.fail(f"expected an operator (= != < <= > >= contains like in not), found {found!r}")

    def _value(self, operator: str) -> Value:
        self._skip()
        if self.pos >= len(self.source):
            raise self.fail(f"missing value after '{operator}'")
        char = self.source[self.pos]
        if operator.endswith("in"):
            if char != "(":
                raise self.fail(f"'{operator}' takes a list in parentheses, like (1, 2, 3)")
            return self._list()
        if char in "'\"":
            return self._string()
        if char == "[":
            return self._date()
        match = _NUMBER_RE.match(self.source, self.pos)
        if match:
            self.pos = match.end()
            text = match.group(0)
            return Value("number", float(text) if "." in text else int(text))
        word = self._peek_word()
        if word in ("true", "false"):
            self._take_word(word)
            return Value("boolean", word == "true")
        if word == "null":
            self._take_word(word)
            return Value("null", None)
        bare = re.compile(r"[^\s()]+").match(self.source, self.pos)
        text = bare.group(0) if bare else char
        raise self.fail(f"text values must be quoted: '{text}' (single or double quotes)")

    def _string(self) -> Value:
        quote = self.source[self.pos]
        start = self.pos
        self.pos += 1
        out = []
        while self.pos < len(self.source):
            char = self.source[self.pos]
            if char == "\\" and self.pos + 1 < len(self.source):
                out.append(self.source[self.pos + 1])
                self.pos += 2
                continue
            if char == quote:
                if self.source[self.pos + 1 : self.pos + 2] == quote:  # doubled quote inside
                    out.append(quote)
                    self.pos += 2
                    continue
                self.pos += 1
                return Value("string", "".join(out), quote)
            out.append(char)
            self.pos += 1
        raise self.fail(f"unclosed {quote} quote", start)

    def _date(self) -> Value:
        start = self.pos
        end = self.source.find("]", self.pos)
        if end < 0:
            raise self.fail("unclosed '[': dates are written [2026-01-01T00:00:00Z]", start)
        text = self.source[self.pos + 1 : end].strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?", text):
            raise self.fail(f"'{text}' is not a date; write [2026-01-01T00:00:00Z]", start + 1)
        self.pos = end + 1
        return Value("date", text)

    def _list(self) -> Value:
        opened = self.pos
        self.pos += 1
        items: list[Value] = []
        while True:
            self._skip()
            if self.pos >= len(self.source):
                raise self.fail("unbalanced '(': missing ')'", opened)
            if self.source[self.pos] == ")" and not items:
                raise self.fail("empty list: give at least one value")
            items.append(self._value("="))
            self._skip()
            if self.pos < len(self.source) and self.source[self.pos] == ",":
                self.pos += 1
                continue
            if self.pos < len(self.source) and self.source[self.pos] == ")":
                self.pos += 1
                return Value("list", items)
            raise self.fail("expected ',' or ')' in the list")


MAX_NESTING = 50


def parse(source: str) -> Node:
    """Parse a conditions string; raise ConditionError with the position of the first problem."""
    if source.count("(") > MAX_NESTING * 20 or _nesting(source) > MAX_NESTING:
        raise ConditionError(f"parentheses nest deeper than {MAX_NESTING} levels", source, 0)
    return _Parser(source).parse()


def _nesting(source: str) -> int:
    depth = deepest = 0
    for char in source:
        depth += (char == "(") - (char == ")")
        deepest = max(deepest, depth)
    return deepest


def comparisons(node: Node) -> list[Comparison]:
    """Every comparison in the tree, in order."""
    out: list[Comparison] = []
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Comparison):
            out.append(current)
        elif isinstance(current, Negation):
            stack.append(current.operand)
        else:
            stack.extend(reversed(current.operands))
    return out


def check_fields(source: str, node: Node, known: Mapping[str, str]) -> list[str]:
    """Raise ConditionError for a misspelt field or a value of the wrong shape.

    ``known`` maps field paths to the kinds from ``catalog.fields.query_fields``
    (string, number, boolean, date). Matching ignores letter case, as ConnectWise does.
    A field close to a known one (``status/nam``) is an error with a suggestion; one
    unlike any known field may be newer than the definition, so it is returned, not refused.
    """
    lowered = {path.lower(): (path, kind) for path, kind in known.items()}
    unknown: list[str] = []
    for comparison in comparisons(node):
        entry = lowered.get(comparison.field.lower())
        if entry is None:
            if comparison.field.lower().startswith(("_info/", "customfield")):
                continue
            close = difflib.get_close_matches(comparison.field.lower(), list(lowered), n=1, cutoff=0.75)
            if not close:
                unknown.append(comparison.field)
                continue
            suggestion = lowered[close[0]][0]
            raise ConditionError(
                f"unknown field '{comparison.field}'; did you mean '{suggestion}'?",
                source,
                comparison.position,
                suggestion,
            )
        path, kind = entry
        value = comparison.value
        values = value.value if value.kind == "list" else [value]
        for item in values:
            if kind == "date" and item.kind == "string":
                example = item.value or "2026-01-01T00:00:00Z"
                raise ConditionError(
                    f"'{path}' is a date: write it in brackets, like {path} > [{example}]",
                    source,
                    comparison.position,
                )
    return unknown
