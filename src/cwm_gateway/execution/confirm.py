"""Human confirmation: which calls ask the person, the words of the question, and the answer to a "no".

The question names the operation and the record as ConnectWise has it just before (``current``):
"Delete service ticket #1003 'VPN down' (Contoso)?"; for PATCH and PUT it lists each field that
changes as current -> new. Values of fields that look like secrets are never shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..person import Answer
from ..results import Result, ok
from ..shaping import compact
from .current import Current
from .facts import Facts
from .policy import Policy
from .request import Request

MAX_CHANGES = 12  # lines of current -> new in a question; the rest are counted
MAX_VALUE = 80  # characters of one value shown
HIDDEN = "(hidden)"
_SECRET_FIELD = re.compile(r"pass(word|phrase)?|secret|token|private.?key|api.?key|credential", re.IGNORECASE)
_NAME_FIELDS = ("summary", "name", "identifier", "title", "subject", "description")
_VERBS = {"DELETE": "Delete", "PATCH": "Change", "PUT": "Replace", "POST": "Create"}


@dataclass(frozen=True)
class Change:
    """One field a PATCH or PUT changes: its path (``status/id``), its value now and the one sent."""

    field: str
    current: Any
    new: Any
    known: bool = True  # False: the current record could not be read

    def as_dict(self) -> dict[str, Any]:
        shown = {"field": self.field, "new": _masked(self.field, self.new)}
        if self.known:
            shown["current"] = _masked(self.field, self.current)
        return shown

    def line(self) -> str:
        return change_text(self.as_dict())


def change_text(change: dict[str, Any]) -> str:
    """``status/id: 14 -> 5`` for a change as ``Change.as_dict`` gives it (no current: ``-> 5``)."""
    new = value_text(change["new"])
    if "current" not in change:
        return f"{change['field']}: -> {new}"
    return f"{change['field']}: {value_text(change['current'])} -> {new}"


def needs_person(request: Request, facts: Facts, policy: Policy) -> bool:
    """A DELETE always; with CWM_CONFIRM_WRITES, every call that writes."""
    if request.method == "DELETE":
        return True
    return policy.confirm_writes and request.op is not None and not facts.reads_only(request.op)


def question(request: Request, current: Current | None) -> str:
    """The question put to the person, e.g. "Delete service ticket #1003 'VPN down' (Contoso)?"."""
    verb = _VERBS.get(request.method, f"Send {request.method} to")
    record = current.record if current is not None else None
    if current is None:  # nothing named by the path: a create, or an action on a collection
        target = f"{noun(request)} ({request.path})"
    elif record is not None:
        target = f"{noun(request)} {display_name(record)}"
    else:
        target = f"{noun(request)} {request.path} (it could not be read first: {current.problem})"
    lines = [f"{verb} {target}?"]
    if request.method in ("PATCH", "PUT"):
        lines += _change_lines(changes(request, current))
    elif request.method == "POST" and request.has_body:
        lines += _field_lines(request.body)
    return "\n".join(lines)


def declined(answer: Answer, request: Request) -> Result:
    """The result when the person said no or dismissed the question: nothing was sent, and no retry."""
    data = {
        "sent": False,
        "confirmation": answer.action,
        "question": answer.question,
        "operation": request.label,
        "next_step": "Do not call again (not even with confirm=true): ask the user what they want instead.",
    }
    return ok(data, _declined_lines)


def _declined_lines(data: dict[str, Any]) -> list[str]:
    said = "declined" if data["confirmation"] == "decline" else "dismissed the question without accepting (cancel)"
    return [f"Not sent: the person {said}. Nothing was sent to ConnectWise.", f"They were asked: {data['question']}"]


# -- the record and its changes -------------------------------------------------------------------


def noun(request: Request) -> str:
    """What the operation acts on, in words: ``/service/tickets/{id}/notes`` -> "service ticket note"."""
    template = request.op.path if request.op is not None else request.path
    static = [part for part in template.strip("/").split("/") if part and not part.startswith("{")]
    words: list[str] = []
    for index, part in enumerate(static):
        word = _words(part if index == 0 else _singular(part))
        if not words or words[-1] != word:  # /company/companies -> "company"
            words.append(word)
    return " ".join(words) or "record"


def display_name(record: dict[str, Any]) -> str:
    """``#1003 'VPN down' (Contoso)``: the id, the first of summary/name/identifier/..., the company."""
    parts = []
    if record.get("id") is not None:
        parts.append(f"#{record['id']}")
    name = next((record[key] for key in _NAME_FIELDS if isinstance(record.get(key), str) and record[key]), None)
    if name is None and isinstance(record.get("firstName"), str):
        name = " ".join(str(record.get(key) or "") for key in ("firstName", "lastName")).strip()
    if name:
        parts.append(repr(_cut(name)))
    company = record.get("company")
    if isinstance(company, dict):
        company_name = company.get("name") or company.get("identifier")
        if company_name:
            parts.append(f"({_cut(str(company_name))})")
    return " ".join(parts) or "(a record without id or name)"


def changes(request: Request, current: Current | None) -> list[Change]:
    """Each field a PATCH (its operations) or PUT (its body's fields that differ) changes."""
    record = current.record if current is not None else None
    known = record is not None
    if request.method == "PATCH" and isinstance(request.body, list):
        found = []
        for item in request.body:
            if not isinstance(item, dict):
                continue
            path = str(item.get("path", "")).strip("/")
            new = "(removed)" if item.get("op") == "remove" else item.get("value")
            found.append(Change(path, at(record, path) if known else None, new, known))
        return found
    if request.method == "PUT" and isinstance(request.body, dict):
        return [
            Change(key, record.get(key) if record is not None else None, value, known)
            for key, value in request.body.items()
            if not known or not _same(record.get(key) if record is not None else None, value)
        ]
    return []


def at(record: dict[str, Any] | None, path: str) -> Any:
    """The value at a JSON Patch path (``status/id``) in ``record``; None when it is not there."""
    value: Any = record
    for part in path.split("/"):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def value_text(value: Any) -> str:
    """A value as a person reads it: 'text', 5, a reference by its name, JSON for the rest; cut short."""
    if isinstance(value, str):
        return repr(_cut(value)) if value not in ("(removed)", HIDDEN) else value
    if isinstance(value, dict) and set(value) & {"id", "name", "identifier"}:
        return _reference(value)
    if value is None:
        return "(empty)"
    return _cut(compact(value))


# -- helpers ----------------------------------------------------------------------------------------


def _reference(value: dict[str, Any]) -> str:
    """A reference to another record: 'In Progress' (id 22), or id 5 when only the id is given."""
    name = value.get("name") or value.get("identifier")
    if name is None:
        return f"id {value.get('id')}"
    return f"{_cut(str(name))!r}" + (f" (id {value['id']})" if value.get("id") is not None else "")


def _change_lines(found: list[Change]) -> list[str]:
    lines = [f"  {change.line()}" for change in found[:MAX_CHANGES]]
    if len(found) > MAX_CHANGES:
        lines.append(f"  ... and {len(found) - MAX_CHANGES} more fields")
    return lines


def _field_lines(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return [f"  {_cut(compact(body))}"]
    items = list(body.items())
    lines = [f"  {key}: {value_text(_masked(key, value))}" for key, value in items[:MAX_CHANGES]]
    if len(items) > MAX_CHANGES:
        lines.append(f"  ... and {len(items) - MAX_CHANGES} more fields")
    return lines


def _masked(field: str, value: Any) -> Any:
    """A secret-looking field's value is never shown (a password set on a member, an API key)."""
    if _SECRET_FIELD.search(field.replace("/", " ")) and value not in (None, "(removed)"):
        return HIDDEN
    if isinstance(value, dict):
        return {k: _masked(k, v) for k, v in value.items()}
    return value


def _same(current: Any, new: Any) -> bool:
    """A PUT field that keeps its value: references compare by id (``{"id": 5}`` keeps ``{"id": 5, "name": ...}``)."""
    if isinstance(current, dict) and isinstance(new, dict) and set(new) <= {"id", "name", "identifier"}:
        return all(current.get(key) == value for key, value in new.items())
    return bool(current == new)


def _singular(word: str) -> str:
    lowered = word.lower()
    if lowered.endswith("ies"):
        return word[:-3] + "y"
    if lowered.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if lowered.endswith("s") and not lowered.endswith("ss"):
        return word[:-1]
    return word


def _words(name: str) -> str:
    """``serviceTickets`` -> "service tickets"."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."
