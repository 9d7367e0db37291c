"""The stand-in's own reading of ConnectWise ``conditions``: which records a filter keeps.

    status/name = 'New' and (priority/id in (4, 5) or summary like "%VPN%")
    dateEntered >= [2026-01-01T00:00:00Z] and not closedFlag = true

The gateway checks conditions with its own parser (``cwm_gateway.conditions``) before sending
them; this module shares nothing with it on purpose, so a misreading in one is not repeated by
the other and the tests, which compare the stand-in's answers with expectations written by hand,
can catch it. The syntax is ConnectWise's: ``field operator value`` with ``= != <> < <= > >=``,
``contains``, ``like`` (``%`` any text, ``_`` one character), ``in (a, b)``, each word operator
optionally preceded by ``not``; ``and`` binds tighter than ``or``; ``not`` and parentheses group;
values are quoted text ('x' or "x", a doubled quote or a backslash escapes one), numbers,
``[dates]``, ``true``, ``false`` and ``null``; fields are paths into nested objects
(``company/identifier``). Text compares without regard to letter case, as ConnectWise's
database does. A field missing from a record meets no comparison except ``= null``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

Lookup = Callable[[Mapping[str, Any], str], Any]
Test = Callable[[Mapping[str, Any], Lookup], bool]

MAX_DEPTH = 100  # parentheses and "not"s inside one another; deeper is refused, not a stack overflow

_SPACE = re.compile(r"\s*")
_TOKEN = re.compile(
    r"""(?:
      (?P<punct>[(),])
    | (?P<symbol><>|!=|<=|>=|=|<|>)
    | (?P<quoted>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")
    | (?P<date>\[[^\]]*\])
    | (?P<number>-?\d+(?:\.\d+)?(?![\w/]))
    | (?P<name>[A-Za-z_]\w*(?:/[A-Za-z_]\w*)*)
    )""",
    re.VERBOSE | re.DOTALL,
)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?")


class ConditionsError(ValueError):
    """A conditions text the stand-in cannot read; ``position`` counts from 0."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Token:
    kind: str  # punct | symbol | quoted | date | number | name | end
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    tokens, position = [], _SPACE.match(text).end()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            start = position
            quote = text[start]
            if quote in "'\"":
                raise ConditionsError(f"the text starting with {quote} has no closing {quote}", start)
            if quote == "[":
                raise ConditionsError("a date opened with [ has no closing ]", start)
            raise ConditionsError(f"unexpected {text[start : start + 10]!r}", start)
        kind = match.lastgroup
        tokens.append(Token(kind, match.group(kind), match.start(kind)))
        position = _SPACE.match(text, match.end()).end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# -- values ------------------------------------------------------------------------------------------------------------


def unquote(token: Token) -> str:
    quote, body = token.text[0], token.text[1:-1]
    return re.sub(r"\\(.)|" + quote * 2, lambda m: m.group(1) or quote, body, flags=re.DOTALL)


def as_moment(value: Any) -> datetime | None:
    """An ISO date or date-time (``2026-01-01``, ``2026-01-01T08:30:00Z``) as an aware datetime; UTC if no zone."""
    match = _DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    if zone in (None, "Z"):
        return moment.replace(tzinfo=timezone.utc)
    return datetime.fromisoformat(f"{moment.isoformat()}{zone[:3]}:{zone[-2:]}")


@dataclass(frozen=True)
class Literal:
    kind: str  # text | number | date | boolean | null
    value: Any


def read_value(token: Token) -> Literal:
    if token.kind == "quoted":
        return Literal("text", unquote(token))
    if token.kind == "number":
        return Literal("number", float(token.text) if "." in token.text else int(token.text))
    if token.kind == "date":
        moment = as_moment(token.text[1:-1])
        if moment is None:
            raise ConditionsError(f"{token.text} is not a date; write one like [2026-01-31T00:00:00Z]", token.position)
        return Literal("date", moment)
    word = token.text.lower()
    if token.kind == "name" and word in ("true", "false"):
        return Literal("boolean", word == "true")
    if token.kind == "name" and word == "null":
        return Literal("null", None)
    if token.kind == "end":
        raise ConditionsError("a value is missing at the end", token.position)
    raise ConditionsError(f"text values must be quoted: write '{token.text}' in quotes", token.position)


# -- comparing a record's value with a literal -----------------------------------------------------------------------


def _same(actual: Any, literal: Literal) -> bool:
    if literal.kind == "null":
        return actual is None
    if actual is None:
        return False
    if literal.kind == "boolean":
        return isinstance(actual, bool) and actual == literal.value
    if literal.kind == "number":
        return isinstance(actual, (int, float)) and not isinstance(actual, bool) and actual == literal.value
    if literal.kind == "date":
        return as_moment(actual) == literal.value
    return isinstance(actual, str) and actual.casefold() == literal.value.casefold()


def _order(actual: Any, literal: Literal) -> tuple[Any, Any] | None:
    """Both sides in a form ``<`` can compare, or None when they cannot be ordered."""
    if literal.kind == "number" and isinstance(actual, (int, float)) and not isinstance(actual, bool):
        return actual, literal.value
    if literal.kind == "date":
        moment = as_moment(actual)
        return (moment, literal.value) if moment else None
    if literal.kind == "text" and isinstance(actual, str):
        return actual.casefold(), literal.value.casefold()
    return None


def _like(actual: Any, pattern: str) -> bool:
    if not isinstance(actual, str):
        return False
    parts = ("." if char == "_" else ".*" if char == "%" else re.escape(char) for char in pattern)
    return re.fullmatch("".join(parts), actual, re.IGNORECASE | re.DOTALL) is not None


ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def comparison(operator: str, value: Literal) -> Callable[[Any], bool]:
    """``actual -> bool`` for one operator (not ``in``) and its value."""
    if operator == "=":
        return lambda actual: _same(actual, value)
    if operator == "!=":
        if value.kind == "null":
            return lambda actual: actual is not None
        return lambda actual: actual is not None and not _same(actual, value)
    if operator == "contains":
        needle = str(value.value).casefold()
        return lambda actual: isinstance(actual, str) and needle in actual.casefold()
    if operator == "like":
        return lambda actual: _like(actual, str(value.value))
    ordering = ORDERINGS[operator]

    def ordered(actual: Any) -> bool:
        pair = _order(actual, value)
        return pair is not None and ordering(*pair)

    return ordered


def membership(values: list[Literal]) -> Callable[[Any], bool]:
    return lambda actual: any(_same(actual, item) for item in values)


# -- the grammar: or > and > not / ( ) / comparison --------------------------------------------------------------------


class _Reader:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.fields: list[str] = []

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.peek()
        self.index += 1
        return token

    def word(self, *words: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token.kind == "name" and token.text.lower() in words

    def either(self, depth: int) -> Test:
        options = [self.both(depth)]
        while self.word("or"):
            self.take()
            options.append(self.both(depth))
        if len(options) == 1:
            return options[0]
        return lambda record, lookup: any(option(record, lookup) for option in options)

    def both(self, depth: int) -> Test:
        parts = [self.single(depth)]
        while self.word("and"):
            self.take()
            parts.append(self.single(depth))
        if len(parts) == 1:
            return parts[0]
        return lambda record, lookup: all(part(record, lookup) for part in parts)

    def single(self, depth: int) -> Test:
        if depth > MAX_DEPTH:
            raise ConditionsError(f"parentheses and 'not' nest more than {MAX_DEPTH} deep", self.peek().position)
        token = self.peek()
        if self.word("not") and self.peek(1).kind != "symbol":
            self.take()
            inner = self.single(depth + 1)
            return lambda record, lookup: not inner(record, lookup)
        if token.text == "(":
            self.take()
            inner = self.either(depth + 1)
            if self.take().text != ")":
                raise ConditionsError("a ( is not closed", token.position)
            return inner
        return self.compare()

    def compare(self) -> Test:
        field = self.take()
        if field.kind != "name" or field.text.lower() in ("and", "or"):
            raise ConditionsError(f"expected a field name, found {field.text or 'the end'!r}", field.position)
        operator = self.operator()
        positive = operator.removeprefix("not ")
        test = membership(self.values()) if positive == "in" else comparison(positive, read_value(self.take()))
        path = field.text
        self.fields.append(path)
        if operator.startswith("not "):
            return lambda record, lookup: (actual := lookup(record, path)) is not None and not test(actual)
        return lambda record, lookup: test(lookup(record, path))

    def operator(self) -> str:
        token = self.take()
        if token.kind == "symbol":
            return "!=" if token.text == "<>" else token.text
        negated = token.kind == "name" and token.text.lower() == "not"
        if negated:
            token = self.take()
        if token.kind == "name" and token.text.lower() in ("contains", "like", "in"):
            return ("not " if negated else "") + token.text.lower()
        found = token.text or "the end"
        message = f"expected an operator (= != < <= > >= contains like in), found {found!r}"
        raise ConditionsError(message, token.position)

    def values(self) -> list[Literal]:
        opened = self.take()
        if opened.text != "(":
            raise ConditionsError("in takes a list in parentheses, like in (1, 2)", opened.position)
        items = [read_value(self.take())]
        while self.peek().text == ",":
            self.take()
            items.append(read_value(self.take()))
        if self.take().text != ")":
            raise ConditionsError("the list after in is not closed with )", opened.position)
        return items


@dataclass(frozen=True)
class Conditions:
    """A parsed conditions text: the fields it names, and which records it keeps."""

    fields: tuple[str, ...]
    _test: Test

    def keeps(self, record: Mapping[str, Any], lookup: Lookup) -> bool:
        return self._test(record, lookup)


def read_conditions(text: str) -> Conditions:
    """Parse ``text``; raise ConditionsError naming the first problem and where it is."""
    reader = _Reader(text)
    if reader.peek().kind == "end":
        raise ConditionsError("conditions is empty", 0)
    test = reader.either(0)
    rest = reader.peek()
    if rest.kind != "end":
        raise ConditionsError(f"expected 'and', 'or' or the end, found {rest.text!r}", rest.position)
    return Conditions(tuple(reader.fields), test)
