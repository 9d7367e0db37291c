"""Calling ConnectWise for the assistant: check, guard, send, page, and shape the answer.

Everything a call needs is checked before anything is sent, and before credentials
load: the path must be a catalog operation, the method one it allows, DELETE
confirmed, read-only and allow-list policies respected, query parameters ones the
operation takes, ``conditions``/``orderBy``/``fields`` well formed and naming real
fields, the body matching the definition (see ``checks``), the URL not too long.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from . import audit, checks, conditions, logs, settings
from .catalog.fields import SchemaLookup, expand, query_fields, schema_name
from .catalog.store import PLACEHOLDER_RE, Catalog, Operation, PathMatch
from .client import (
    MAX_RETRY_AFTER,
    ApiError,
    ConnectionFailed,
    ConnectWiseClient,
    ConnectWiseError,
    RequestTimeout,
    Response,
    UnsafeRequest,
    check_path,
    parse_retry_after,
    without_userinfo,
)
from .credentials import Settings
from .discovery import unknown_path_error
from .keycheck import REJECTED_KEYS
from .memory import FastMemoryError, MemoryStore, SavedQuery
from .rawrequest import METHODS, RawRequestError, parse_query, parse_raw
from .results import Result, error
from .shaping import DEFAULT_MAX_CHARS, TooDeep, compact, connectwise_error, fit, parse_json, summarize_body

log = logging.getLogger(__name__)

PATCH_OPS = ("add", "replace", "remove", "copy", "move", "test")
MAX_PAGES = 10_000
CW_DEFAULT_PAGE_SIZE = 25  # what ConnectWise sends when no pageSize is given
_PAGING = ("page", "pagesize", "pageid")
_REJECTED_FIELD = re.compile(r"(?:filter on|order by|order on) field '([^']{1,200})'", re.IGNORECASE)


@dataclass(frozen=True)
class Policy:
    """What the gateway may send, from the environment."""

    read_only: bool = False
    write_allow: frozenset[tuple[str, str]] | None = None
    max_chars: int = DEFAULT_MAX_CHARS
    timeout: float = 30.0
    write_allow_problems: tuple[str, ...] = ()  # CWM_WRITE_ALLOW entries that allow nothing, and why

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Policy:
        """The policy the settings give (``settings`` reads and documents each of them)."""
        given = settings.calls(env)
        return cls(
            read_only=given.read_only,
            write_allow=given.write_allow,
            max_chars=given.max_chars,
            timeout=given.timeout,
            write_allow_problems=given.write_allow_problems,
        )

    def resolved(self, catalog: Catalog) -> Policy:
        """The allow-list matched to catalog operations (``{ticketId}`` finds ``{id}``); misses become problems.

        An entry that names no operation allows nothing: writes stay refused (fail closed),
        and the problem is reported at start, by ``doctor`` and in the refusal itself.
        """
        if self.write_allow is None:
            return self
        allowed: set[tuple[str, str]] = set()
        problems = list(self.write_allow_problems)
        for method, path in sorted(self.write_allow):
            template, problem = _allow_entry(catalog, method, path)
            if template is None:
                problems.append(problem)
            else:
                allowed.add((method, template))
        return replace(self, write_allow=frozenset(allowed), write_allow_problems=tuple(problems))


def _allow_entry(catalog: Catalog, method: str, path: str) -> tuple[str | None, str]:
    """(the operation's template, "") or (None, why the entry names no operation)."""
    entry = f"'{method} {path}'"
    match = catalog.resolve(path)
    if match is None:
        close = catalog.suggest_paths(path, limit=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        return None, f"{entry} names no operation: there is no path {path}{hint}"
    if match.values:
        return None, f"{entry} names one record, not an operation; write the template: {method} {match.template}"
    if match.method(method) is None:
        return None, f"{entry} names no operation: {match.template} takes {', '.join(match.methods)}"
    return match.template, ""


def write_allow_report(catalog: Catalog, policy: Policy | None = None) -> Policy:
    """Log (to stderr and the log file) every CWM_WRITE_ALLOW entry that allows nothing."""
    resolved = (policy or Policy.from_env()).resolved(catalog)
    for problem in resolved.write_allow_problems:
        log.warning("CWM_WRITE_ALLOW: %s", problem)
    return resolved


def reads_only(op: Operation, lookup: SchemaLookup) -> bool:
    """GET, and the POSTs the definition describes as queries.

    A POST only reads when it answers 200 (not 201 Created) with records (a list of the
    resource, or a Count) and takes a filter (a body with ``conditions``): that is
    ``POST /service/tickets/search``. The path says nothing: ``/procurement/invoicegrouping/count``
    is "Post InvoiceGrouping", answering 201, and ``/system/bundles/count`` runs any request.
    """
    if op.method == "GET":
        return True
    if op.method != "POST" or op.response_status != "200" or not op.request_schema:
        return False
    response = json.loads(op.response_schema) if op.response_schema else None
    if not (op.returns_list or schema_name(response) == "Count"):
        return False
    body = expand(json.loads(op.request_schema), lookup, max_depth=1)
    return any(entry.path.lower() == "conditions" for entry in body)


@dataclass
class Call:
    """One request on its way to ConnectWise."""

    method: str
    path: str
    query: list[tuple[str, str]]
    body: Any = None
    has_body: bool = False
    notes: list[str] = field(default_factory=list)
    op: Operation | None = None
    match: PathMatch | None = None
    saved: SavedQuery | None = None  # the saved query this call came from or reused

    @property
    def template(self) -> str:
        return self.op.path if self.op else self.path

    def params(self) -> dict[str, str]:
        return dict(self.query)


class Executor:
    def __init__(
        self,
        catalog: Catalog,
        settings: Callable[[], Settings],
        policy: Policy | None = None,
        client_factory: Callable[[Settings, str, float], ConnectWiseClient] | None = None,
        memory: MemoryStore | None = None,
    ) -> None:
        self.catalog = catalog
        self.memory = memory
        self._settings = settings
        self.policy = (policy or Policy.from_env()).resolved(catalog)
        self._client_factory = client_factory or (lambda s, v, t: ConnectWiseClient(s, v, timeout=t))
        self._client: ConnectWiseClient | None = None
        self._lock = threading.Lock()
        self._fields_cache: dict[int, dict[str, str]] = {}
        self._check_cache: dict[tuple[str, int], Any] = {}  # per operation: reads_only, parameters, fields
        self.profile: str | None = None

    # -- entry points ------------------------------------------------------

    def execute(
        self,
        path: str,
        method: str = "GET",
        params: Any = None,
        data: Any = None,
        confirm: bool = False,
        all_pages: bool = False,
        max_items: int = 1000,
        include_info: bool = False,
    ) -> Result:
        method = (method or "GET").strip().upper()
        if method not in METHODS:
            return error(f"Unsupported method {method!r}; use one of {', '.join(METHODS)}.")
        try:
            query = normalize_params(params)
            body, has_body = normalize_data(data)
        except ValueError as exc:
            return error(str(exc))
        path = (path or "").strip()
        if "?" in path:
            path, _, inline = path.partition("?")
            try:
                query = parse_query(inline) + query
            except RawRequestError as exc:
                return error(f"Could not read the query in the path: {exc}")
        call = Call(method, path, query, body, has_body)
        return self.run(
            call,
            confirm=confirm,
            all_pages=all_pages,
            max_items=max_items,
            include_info=include_info,
            reuse_saved=params is None,  # params={} means "no filters", not "use the saved ones"
        )

    def execute_raw(self, raw_request: str, confirm: bool = False) -> Result:
        try:
            raw = parse_raw(raw_request)
        except RawRequestError as exc:
            return error(
                f"Could not read the raw request: {exc}.",
                hint='Write it as "METHOD /path?query [JSON body]", e.g. "GET /service/tickets?pageSize=5".',
            )
        return self.run(Call(raw.method, raw.path, raw.query, raw.body, raw.has_body), confirm=confirm)

    # -- the pipeline --------------------------------------------------------

    def run(
        self,
        call: Call,
        confirm: bool = False,
        all_pages: bool = False,
        max_items: int = 1000,
        include_info: bool = False,
        reuse_saved: bool = False,
    ) -> Result:
        # Every argument is checked before credentials load: a bad argument is reported as
        # such even where no credentials are set up.
        if max_items < 1:
            return error("max_items must be at least 1 (it caps how many records all_pages collects).")
        problem = self._prepare(call, confirm)
        if problem is not None:
            return problem
        if reuse_saved and call.method == "GET" and not call.query:
            self._reuse_saved_params(call)
        try:
            client = self.client()
        except ConnectWiseError as exc:
            return error(str(exc), operation=f"{call.method} {call.template}")
        max_items = min(int(max_items), 100_000)
        try:
            response, items, pages, next_query = self._send(client, call, all_pages, max_items)
        except ApiError as exc:
            return self._api_error(call, exc)
        except UnsafeRequest as exc:
            return error(str(exc), operation=f"{call.method} {call.template}")
        except (RequestTimeout, ConnectionFailed, ConnectWiseError) as exc:
            self._audit(call, None, "failed: " + type(exc).__name__)
            return error(str(exc), operation=f"{call.method} {call.template}", path=call.path)
        self._audit(call, response.status, "ok")
        return self._success(call, response, items, pages, next_query, all_pages, max_items, include_info)

    def _prepare(self, call: Call, confirm: bool) -> Result | None:
        """Everything checked before sending; returns an error result or None."""
        if "://" in call.path:
            return error("Give the API path only (like /service/tickets/5), not a full URL.")
        filled = self._fill_placeholders(call)
        if filled is not None:
            return filled
        try:
            check_path(call.path)
        except UnsafeRequest as exc:
            return error(str(exc))
        match = self.catalog.resolve(call.path)
        if match is None:
            return unknown_path_error(self.catalog, call.path, call.method)
        op = match.method(call.method)
        if op is None:
            return error(
                f"{match.template} does not take {call.method}; it takes {', '.join(match.methods)}.",
                available_methods=match.methods,
            )
        call.op, call.match = op, match
        refused = self._policy_check(call, confirm)
        if refused is not None:
            return refused
        body_problem = self._check_body(call)
        if body_problem is not None:
            return body_problem
        return self._check_query(call)

    def _reuse_saved_params(self, call: Call) -> None:
        """A GET without parameters takes those of the endpoint's most used saved query."""
        if self.memory is None or call.op is None:
            return
        try:
            saved = self.memory.best_for("GET", call.op.path)
        except FastMemoryError:
            return
        if saved is None or not saved.params:
            return
        try:
            trial = replace(call, query=normalize_params(saved.params), notes=[])
        except ValueError:
            trial = None
        if trial is None or self._check_query(trial) is not None:
            # A saved filter that no longer checks out is not forced on anyone.
            call.notes.append(f"Saved query #{saved.id} was not reused: its parameters no longer check out.")
            return
        call.method, call.path, call.query, call.body, call.has_body = (
            trial.method,
            trial.path,
            trial.query,
            trial.body,
            trial.has_body,
        )
        call.op, call.match, call.saved = trial.op, trial.match, saved
        call.notes += [
            f"Reused the parameters of saved query #{saved.id} ({saved.description}): {compact(saved.params)}. "
            "Pass params to override.",
            *trial.notes,
        ]

    def _fill_placeholders(self, call: Call) -> Result | None:
        names = PLACEHOLDER_RE.findall(call.path)
        if not names:
            return None
        values = dict(call.query)
        missing = [n for n in names if n not in values]
        if missing:
            return error(
                f"The path {call.path} needs a value for {', '.join('{' + n + '}' for n in missing)}.",
                hint=f"Give a concrete path such as {PLACEHOLDER_RE.sub('123', call.path)} "
                "or pass the value in params, e.g. params={'" + missing[0] + "': 123}.",
            )
        path = call.path
        for name in names:
            value = str(values[name])
            if not value or "/" in value or value in (".", ".."):
                return error(f"The value for {{{name}}} must be a single path segment (got {value!r}).")
            path = path.replace("{" + name + "}", quote(value, safe=""))
        call.path = path
        call.query = [(k, v) for k, v in call.query if k not in names]
        return None

    def _policy_check(self, call: Call, confirm: bool) -> Result | None:
        op = call.op
        assert op is not None
        label = f"{call.method} {op.path}"
        if not self._reads_only(op):
            if self.policy.read_only:
                return error(
                    f"Refused {label}: the gateway is in read-only mode (CWM_READ_ONLY=1), which allows GET "
                    "and the POST queries that only read (such as POST /service/tickets/search)."
                )
            if self.policy.write_allow is not None and (call.method, op.path) not in self.policy.write_allow:
                problems = self.policy.write_allow_problems
                unused = f" Entries there that allow nothing: {'; '.join(problems)}." if problems else ""
                return error(
                    f"Refused {label}: it is not in CWM_WRITE_ALLOW.{unused}",
                    allowed=sorted(f"{m} {p}" for m, p in self.policy.write_allow),
                )
        if call.method == "DELETE" and not confirm:
            return error(
                f"DELETE {call.path} permanently removes the record. Ask the user, then call again with "
                "confirm=true to go ahead.",
                operation=label,
            )
        return None

    def _check_body(self, call: Call) -> Result | None:
        op = call.op
        assert op is not None
        if call.method in ("GET", "DELETE") and call.has_body:
            return error(
                f"{call.method} takes no body. Put filters in params, "
                "e.g. params={'conditions': \"status/name='Open'\"}."
            )
        if call.method not in ("POST", "PUT", "PATCH"):
            return None
        if not call.has_body and op.has_body and op.request_required:
            required = self._required_fields(op)
            needed = f" Required fields: {', '.join(required)}." if required else ""
            saved = self._saved_with_body(call.method, op.path)
            reuse = (
                f" Saved query #{saved.id} ({saved.description}) has one: run_saved_query({saved.id})." if saved else ""
            )
            return error(
                f"{call.method} {op.path} needs a request body (data).{needed} "
                f"See get_api_endpoint_details for every field.{reuse} A saved body is never reused silently.",
                operation=f"{call.method} {op.path}",
            )
        if call.has_body:
            try:
                checks.check_plain(call.body, "data")  # saved bodies come this way too
            except checks.CheckError as exc:
                return error(f"{exc} Nothing was sent.", **exc.details)
        if call.method == "PATCH" and call.has_body:
            if isinstance(call.body, dict):
                call.body = [{"op": "replace", "path": key, "value": value} for key, value in call.body.items()]
                call.notes.append(
                    "data was an object; sent as JSON Patch replace operations for: "
                    + ", ".join(op_["path"] for op_ in call.body)
                )
            if not isinstance(call.body, list) or not call.body:
                return error(
                    'PATCH takes a list of operations, e.g. [{"op": "replace", "path": "summary", "value": "New"}].'
                )
            for index, item in enumerate(call.body):
                if not isinstance(item, dict) or item.get("op") not in PATCH_OPS or not item.get("path"):
                    return error(
                        f"PATCH operation {index + 1} must look like "
                        '{"op": "replace", "path": "status/id", "value": 5}; '
                        f"op is one of {', '.join(PATCH_OPS)}."
                    )
        return self._check_fields_of_body(call)

    def _check_fields_of_body(self, call: Call) -> Result | None:
        """The body against the definition: field names, required fields, types, enums, maxLength."""
        op = call.op
        assert op is not None
        if not call.has_body:
            return None
        lookup = self.catalog.schema
        try:
            if call.method == "PATCH":
                resource = op.resource_schema
                notes = checks.check_patch(call.body, resource, lookup) if resource else []
            elif op.request_schema:
                # Creating or replacing a record needs its required fields; a query's filter does not.
                require = call.method in ("POST", "PUT") and not self._reads_only(op)
                notes = checks.check_body(call.body, json.loads(op.request_schema), lookup, require)
            else:
                notes = []
        except checks.CheckError as exc:
            return error(
                f"{call.method} {op.path}: {exc} Nothing was sent; get_api_endpoint_details"
                f"({op.path!r}, {call.method!r}) lists every field.",
                operation=f"{call.method} {op.path}",
                **exc.details,
            )
        call.notes.extend(notes)
        return None

    def _saved_with_body(self, method: str, template: str) -> SavedQuery | None:
        if self.memory is None:
            return None
        try:
            return next(
                (q for q in self.memory.list() if q.method == method and q.template == template and q.data), None
            )
        except FastMemoryError:
            return None

    def _required_fields(self, op: Operation) -> list[str]:
        if not op.request_schema:
            return []
        try:
            schema = json.loads(op.request_schema)
        except ValueError:
            return []
        return [f.path for f in expand(schema, self.catalog.schema, max_depth=1) if f.required]

    def _check_query(self, call: Call) -> Result | None:
        """Parameter names and values, the URL's length, then conditions, orderBy and fields."""
        op = call.op
        assert op is not None
        try:
            accepted = self._accepted_parameters(op)
            checks.check_parameter_names(call.query, accepted, f"{call.method} {op.path}")
            checks.check_parameter_values(call.query, accepted)
            self._fit_url(call)
        except checks.CheckError as exc:
            return error(f"{exc} Nothing was sent.", **exc.details)
        op = call.op  # a long GET may have become its POST .../search
        assert op is not None
        texts: list[tuple[str, str]] = [(k, v) for k, v in call.query]
        if call.method == "POST" and isinstance(call.body, dict):
            texts += [(k, str(v)) for k, v in call.body.items() if isinstance(v, str)]
        notes: list[str] = []
        for name, value in texts:
            lowered = name.lower()
            if lowered not in ("conditions", "childconditions", "customfieldconditions", "orderby", "fields"):
                continue
            if not value.strip():
                continue
            if len(value) > checks.MAX_CONDITIONS_CHARS:
                return error(
                    f"{name} is {len(value):,} characters; ConnectWise takes at most {checks.MAX_CONDITIONS_CHARS:,}. "
                    "Narrow it (a range like id >= 100 and id < 200 instead of a list of ids) or split the call."
                )
            try:
                notes += self._check_expression(op, lowered, value)
            except (conditions.ConditionError, checks.FieldListError) as exc:
                usable = "fields" if lowered == "fields" else "conditions"
                return error(
                    f"{name} is not valid: {exc.message}{'' if exc.message.endswith('?') else '.'}",
                    parameter=name,
                    position=exc.position + 1,
                    suggestion=exc.suggestion,
                    hint=f"  {value}\n  {' ' * exc.position}^\nget_api_endpoint_details lists the fields "
                    f"usable in {usable}.",
                )
        call.notes.extend(notes)
        return None

    def _check_expression(self, op: Operation, lowered: str, value: str) -> list[str]:
        """Raise for a malformed value or a typo of a known field; notes on fields unlike any known one."""
        if lowered == "fields":
            names = self._field_names(op)
            unknown = checks.check_field_list(value, names) if names is not None else []
            return [f"fields: {', '.join(unknown)} not in the API definition; sent as given."] if unknown else []
        known = self._known_fields(op)
        if lowered == "orderby":
            _check_order_by(value, known)
            return []
        tree = conditions.parse(value)
        if lowered != "conditions" or not known:
            return []
        unknown = conditions.check_fields(value, tree, known)
        if not unknown:
            return []
        return [f"conditions: {', '.join(unknown)} not in the API definition; sent as given (newer fields exist)."]

    def _accepted_parameters(self, op: Operation) -> dict[str, tuple[str, str]]:
        key = ("parameters", op.id)
        if key not in self._check_cache:
            defined = {p.name: p.type or "string" for p in self.catalog.parameters(op.id) if p.location == "query"}
            list_query = self._reads_only(op) and (op.returns_list or op.is_count or op.method == "POST")
            self._check_cache[key] = checks.accepted_parameters(defined, list_query)
        accepted: dict[str, tuple[str, str]] = self._check_cache[key]
        return accepted

    def _reads_only(self, op: Operation) -> bool:
        key = ("reads_only", op.id)
        if key not in self._check_cache:
            self._check_cache[key] = reads_only(op, self.catalog.schema)
        return bool(self._check_cache[key])

    def _field_names(self, op: Operation) -> checks.FieldNames | None:
        """What ``fields`` may name: the records a read answers with (None when unknown)."""
        key = ("fields", op.id)
        if key not in self._check_cache:
            schema = self.catalog.list_schema_for(op) if op.method == "GET" else None
            if op.method == "POST" and self._reads_only(op):
                schema = self.catalog.list_schema_for(op) or schema_name(
                    json.loads(op.response_schema) if op.response_schema else None
                )
            self._check_cache[key] = checks.FieldNames.of(schema, self.catalog.schema) if schema else None
        names: checks.FieldNames | None = self._check_cache[key]
        return names

    def _fit_url(self, call: Call) -> None:
        """A URL longer than ConnectWise takes is refused, or sent as the operation's POST .../search."""
        length = checks.url_length(call.path, call.query)
        if length <= checks.MAX_URL_CHARS:
            return
        moved = self._as_search(call)
        if moved is not None and checks.url_length(moved.path, moved.query) <= checks.MAX_URL_CHARS:
            names = ", ".join(moved.body)
            call.method, call.path, call.query, call.body, call.has_body = (
                moved.method,
                moved.path,
                moved.query,
                moved.body,
                True,
            )
            call.op, call.match = moved.op, moved.match
            call.notes.append(
                f"The URL would have been {length:,} characters (ConnectWise takes at most "
                f"{checks.MAX_URL_CHARS:,}), so this was sent as POST {moved.template} with {names} in the body."
            )
            return
        raise checks.CheckError(
            f"The URL would be {length:,} characters; ConnectWise takes at most {checks.MAX_URL_CHARS:,} and resets "
            "the connection on longer ones. Shorten conditions (a range like id >= 100 and id < 200 instead of "
            "a list of ids) or split the call.",
            url_length=length,
        )

    def _as_search(self, call: Call) -> Call | None:
        """The same list read as ``POST {path}/search``, its filters in the body, where the operation has one."""
        op = call.op
        if op is None or call.method != "GET" or not op.returns_list:
            return None
        template = op.path.rstrip("/") + "/search"
        search = next((o for o in self.catalog.operations_for_template(template) if o.method == "POST"), None)
        if search is None or not self._reads_only(search) or not search.request_schema:
            return None
        filters = {
            entry.path.lower(): entry.path
            for entry in expand(json.loads(search.request_schema), self.catalog.schema, max_depth=1)
        }
        body = {filters[k.lower()]: v for k, v in call.query if k.lower() in filters}
        if not body:
            return None
        path = call.path.rstrip("/") + "/search"
        query = [(k, v) for k, v in call.query if k.lower() not in filters]
        moved = Call("POST", path, query, body, True, op=search, match=self.catalog.resolve(path))
        return moved

    def _known_fields(self, op: Operation) -> dict[str, str]:
        cached = self._fields_cache.get(op.id)
        if cached is None:
            cached = self._fields_cache[op.id] = self._load_known_fields(op)
        return cached

    def _load_known_fields(self, op: Operation) -> dict[str, str]:
        if op.method == "GET" and not (op.returns_list or op.is_count):
            return {}
        if op.method == "POST" and not self._reads_only(op):
            return {}
        schema = self.catalog.list_schema_for(op)
        if schema is None and op.method == "POST":
            base = op.path.rstrip("/").rsplit("/", 1)[0]
            listing = next((o for o in self.catalog.operations_for_template(base) if o.method == "GET"), None)
            schema = self.catalog.list_schema_for(listing) if listing else None
        return query_fields(schema, self.catalog.schema, max_depth=3) if schema else {}

    # -- sending -------------------------------------------------------------

    def client(self) -> ConnectWiseClient:
        with self._lock:
            if self._client is None:
                settings = self._settings()
                version = settings.get("api_version") or self.catalog.api_version
                self._client = self._client_factory(settings, version, self.policy.timeout)
                self.profile = settings.profile
            return self._client

    def _send(
        self, client: ConnectWiseClient, call: Call, all_pages: bool, max_items: int
    ) -> tuple[Response, list[Any] | None, int, _Trail]:
        """Send the call; with ``all_pages``, follow rel="next" until ``max_items``.

        Returns (last response, items when paging, pages fetched, the trail of pages fetched).
        """
        op = call.op
        assert op is not None
        headers: dict[str, str] = {}
        params = {k.lower() for k, _ in call.query}
        paging = all_pages and op.returns_list and self._reads_only(op)
        forward_only = call.method == "GET" and (
            "pageid" in params
            or (paging and "orderby" not in params and "page" not in params and self._supports_page_id(op))
        )
        if forward_only:
            headers["pagination-type"] = "forward-only"
        body = call.body if call.has_body else None
        response = self._fetch(client, call, call.query, body, headers)
        trail = _Trail(forward_only)
        if not paging:
            return response, None, 1, trail
        items = _json_list(response)
        trail.add(call.query, len(items), _next_query(response))
        while trail.next_query is not None and len(items) < max_items and len(trail.pages) < MAX_PAGES:
            # The next page's query goes to the same configured origin and path: a Link that
            # names another host (an alias, an explicit :443) can neither redirect nor break paging.
            query = trail.next_query
            response = self._fetch(client, call, query, body, headers)
            batch = _json_list(response)
            items.extend(batch)
            trail.add(query, len(batch), _next_query(response) if batch else None)
        return response, items, len(trail.pages), trail

    def _fetch(
        self, client: ConnectWiseClient, call: Call, query: list[tuple[str, str]], body: Any, headers: dict[str, str]
    ) -> Response:
        response = client.request(call.method, call.path, query, body, headers)
        self._raise_for_status(response)
        op = call.op
        if (
            response.status != 204
            and call.method != "HEAD"
            and op is not None
            and self._reads_only(op)
            and not response.body.strip()
        ):
            # An empty answer to a read is never "no records" (that is []): it was lost or cut off.
            raise ConnectionFailed(
                f"ConnectWise answered {response.status} to {call.method} {call.path} with an empty body: the "
                "answer was lost or cut off on the way. Nothing was shown; try again."
            )
        return response

    def _supports_page_id(self, op: Operation) -> bool:
        return any(p.name == "pageId" for p in self.catalog.parameters(op.id))

    def _raise_for_status(self, response: Response) -> None:
        status = response.status
        if 200 <= status < 300:
            return
        content_type = response.header("content-type")
        if 300 <= status < 400:
            target = logs.redact(without_userinfo(response.header("location") or "another address"))[:300]
            raise ApiError(
                status,
                f"ConnectWise answered with a redirect to {target}; it was not followed, so no credentials "
                "went there. Check CONNECTWISE_API_URL (cloud sites use the api- host).",
                attempts=response.attempts,
            )
        code, message, errors = connectwise_error(response.body, content_type)
        retry_after = parse_retry_after(response.header("retry-after"))
        # An error body may echo our own request, Authorization and clientId headers included.
        code, errors = (logs.redact(code) if code else None), _redacted(errors)
        raise ApiError(status, logs.redact(message), code, errors, retry_after, response.attempts)

    # -- results ---------------------------------------------------------------

    def _success(
        self,
        call: Call,
        response: Response,
        items: list[Any] | None,
        pages: int,
        trail: _Trail,
        all_pages: bool,
        max_items: int,
        include_info: bool,
    ) -> Result:
        op = call.op
        assert op is not None
        if items is None:
            try:
                payload = _json_body(response)
            except TooDeep as exc:
                return _too_deep(response, exc)
            except ValueError:
                summary = logs.redact(summarize_body(response.body, response.header("content-type"), 120))
                return error(
                    f"ConnectWise answered {response.status} but the body is not readable JSON ({summary}); the "
                    "answer may have been cut off. Try again, or page with a smaller pageSize.",
                    status=response.status,
                )
            if isinstance(payload, list):
                trail.add(call.query, len(payload), _next_query(response))
        else:
            payload = items
        stopped_early = False
        if isinstance(payload, list) and all_pages and len(payload) > max_items:
            payload = payload[:max_items]
            stopped_early = True
        elif all_pages and items is not None and trail.next_query:
            stopped_early = True
        try:
            fitted = fit(payload, self.policy.max_chars, keep_info=include_info)
        except TooDeep as exc:
            return _too_deep(response, exc)
        count = len(payload) if isinstance(payload, list) else None
        shown, paging = count, None
        if count is not None:
            shown, paging = _resume(trail, fitted.shown or 0, payload)
            if shown < len(fitted.data):
                fitted.data = fitted.data[:shown]
                fitted.text = compact(fitted.data)
        redacted = logs.redact(fitted.text)  # what is shown, not all that was read: cheap for 10,000 records
        if redacted != fitted.text:
            fitted.text, fitted.data = redacted, json.loads(redacted)
        data: dict[str, Any] = {
            "status": response.status,
            "operation": f"{call.method} {op.path}",
            "path": call.path,
            "data": fitted.data,
            "item_count": count,
            "next_page": _page_hint(paging, call.params()),
            "truncated": fitted.truncated or stopped_early or (count is not None and shown != count),
        }
        if all_pages:
            data["pages_fetched"] = pages
        if count is not None and shown != count:
            data["items_shown"] = shown
        if fitted.omitted_fields:
            data["omitted_fields"] = fitted.omitted_fields
        lines = [self._headline(call, response, count, pages, all_pages)]
        if stopped_early:
            lines.append(f"Stopped at max_items={max_items}; more records exist.")
        if count is not None and shown != count:
            why = (
                f"to stay under {self.policy.max_chars} characters; narrow with conditions or fields=..., or page "
                "with pageSize"
                if fitted.truncated
                else "so that next_page starts right after the last one shown"
            )
            lines.append(f"Showing {shown} of {count} items {why}.")
        elif fitted.truncated:
            lines.append(f"Large values were left out: {', '.join(fitted.omitted_fields)}.")
        if data["next_page"]:
            same_body = " and the same data" if call.has_body else ""
            also = "" if all_pages else ", or all_pages=true"
            lines.append(f"More records: call again with params {compact(data['next_page'])}{same_body}{also}.")
        elif count is not None and 0 < shown < count and trail.forward_only:
            lines.append("No next_page: these records carry no id to resume after; include id in fields.")
        if not include_info and payload not in (None, [], {}):
            lines.append("(_info metadata removed; include_info=true keeps it)")
        lines += call.notes
        self._memory_outcome(call, data, lines)
        lines.append(fitted.text)
        return Result(data, "\n".join(lines))

    def _memory_outcome(self, call: Call, data: dict[str, Any], lines: list[str]) -> None:
        """Count a saved query's use, or offer the exact call that saves this one."""
        if call.saved is not None:
            data["saved_query"] = {"id": call.saved.id, "description": call.saved.description}
            if self.memory is not None:
                try:
                    self.memory.record_use(call.saved.id)
                except Exception as exc:  # the call succeeded; bookkeeping must never turn it into an error
                    log.warning("could not count the use of saved query %s: %s", call.saved.id, exc)
            return
        if call.method == "DELETE" or self.memory is None or call.op is None:
            return
        arguments = [f"path={json.dumps(call.path)}", f"method={json.dumps(call.method)}", 'description="..."']
        if call.query:
            arguments.append(f"params={compact(dict(call.query))}")
        if call.has_body:
            arguments.append(f"data={compact(call.body)}")
        hint = f"save_to_fast_memory({', '.join(arguments)})"
        data["save_hint"] = hint
        lines.append(f"To keep this query: {hint}")

    def _headline(self, call: Call, response: Response, count: int | None, pages: int, all_pages: bool) -> str:
        what = f"{call.method} {call.path}"
        if count is not None:
            across = f" across {pages} pages" if all_pages and pages > 1 else ""
            return f"{response.status}: {count} items from {what}{across}."
        if response.status == 204 or not response.body:
            return f"{response.status}: {what} done (no content)."
        return f"{response.status}: {what}."

    def _api_error(self, call: Call, exc: ApiError) -> Result:
        self._audit(call, exc.status, "error")
        op_label = f"{call.method} {call.template}"
        details: dict[str, Any] = {
            "status": exc.status,
            "operation": op_label,
            "path": call.path,
            "code": exc.code,
            "errors": exc.errors,
        }
        if exc.retry_after is not None:
            details["retry_after"] = exc.retry_after
        if exc.attempts > 1:
            details["attempts"] = exc.attempts
        reason = exc.message.rstrip(".")
        tried = _retries_said(call.method, exc)
        if exc.status == 401:
            message = f"{REJECTED_KEYS} 'cwm-gateway doctor' shows where each comes from."
        elif exc.status == 403:
            message = (
                f"ConnectWise refused {op_label} (403): the API member's security role does not allow it. {exc.message}"
            )
        elif exc.status == 404:
            message = f"Not found (404): {reason} ({call.path})."
        elif exc.status == 429:
            wait = f" Retry after {exc.retry_after:g} s." if exc.retry_after is not None else ""
            message = f"ConnectWise is rate limiting (429): {reason}.{wait}{tried}"
        elif exc.status >= 500:
            wait = f" Retry after {exc.retry_after:g} s." if exc.retry_after is not None else ""
            message = f"ConnectWise server error ({exc.status}): {reason}.{wait}{tried}"
        elif 300 <= exc.status < 400:
            message = exc.message
        else:
            code = f" {exc.code}" if exc.code else ""
            message = f"ConnectWise rejected {op_label} ({exc.status}{code}): {reason}."
        field_lines = []
        for item in exc.errors:
            if isinstance(item, dict):
                where = item.get("field") or item.get("resource") or "/".join(map(str, item.get("location") or []))
                field_lines.append(f"- {where}: {item.get('message') or item.get('code')}".replace("- : ", "- "))
        field_lines += self._rejected_field_help(call, exc, details)
        text = "\n".join([message, *field_lines])
        result = error(message, **{k: v for k, v in details.items() if v not in (None, [])})
        result.text = text
        return result

    def _rejected_field_help(self, call: Call, exc: ApiError, details: dict[str, Any]) -> list[str]:
        """For "Cannot filter on field 'x'": the fields this operation can filter and sort on."""
        rejected = _REJECTED_FIELD.search(exc.message) if exc.status == 400 else None
        if rejected is None or call.op is None:
            return []
        known = sorted(self._known_fields(call.op))
        if not known:
            return []
        import difflib

        details["filterable_fields"] = known
        close = difflib.get_close_matches(rejected.group(1), known, n=3, cutoff=0.6)
        if close:
            details["suggestions"] = close
        shown = ", ".join(known[:80]) + (f", ... ({len(known)} in all)" if len(known) > 80 else "")
        lines = [f"ConnectWise does not accept '{rejected.group(1)}' there. Fields it can filter on: {shown}."]
        if close:
            lines.append(f"Did you mean: {'; '.join(close)}?")
        return lines

    def _audit(self, call: Call, status: int | None, outcome: str) -> None:
        if call.method == "GET" or call.op is None:
            return
        size = len(compact(call.body)) if call.has_body else 0
        audit.record(call.method, call.path, call.op.path, status, size, outcome, self.profile)


# -- helpers ---------------------------------------------------------------------


def normalize_params(params: Any) -> list[tuple[str, str]]:
    """Query parameters from a dict, a JSON object string, or pairs; values as ConnectWise wants them."""
    if params is None or params == "":
        return []
    if isinstance(params, str):
        try:
            params = checks.load_json(params, "params")
        except checks.CheckError:
            raise
        except ValueError:
            raise ValueError(
                'params must be a JSON object such as {"conditions": "closedFlag=false", "pageSize": 10}.'
            ) from None
    checks.check_plain(params, "params")
    if isinstance(params, dict):
        items = list(params.items())
    elif isinstance(params, list) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in params):
        items = [(p[0], p[1]) for p in params]
    else:
        raise ValueError('params must be an object of query parameters, e.g. {"pageSize": 10}.')
    out = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            if any(isinstance(v, (dict, list, tuple)) for v in value):
                raise ValueError(f"params[{key!r}] is a list of lists or objects; give plain values, e.g. [1, 2].")
            text = ",".join(_param_text(v) for v in value)
        elif isinstance(value, dict):
            raise ValueError(f"params[{key!r}] is an object; query parameters are plain values.")
        else:
            text = _param_text(value)
        out.append((str(key), text))
    return out


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def normalize_data(data: Any) -> tuple[Any, bool]:
    if data is None:
        return None, False
    if isinstance(data, str):
        if not data.strip():
            return None, False
        try:
            return checks.load_json(data, "data"), True
        except checks.CheckError:
            raise
        except ValueError as exc:
            raise ValueError(f"data is not valid JSON: {exc}") from None
    if isinstance(data, (dict, list)):
        checks.check_plain(data, "data")
        return data, True
    raise ValueError("data must be a JSON object or a list (for PATCH: a list of operations).")


def _redacted(value: Any) -> Any:
    """``value`` (parsed from ConnectWise) with our own secrets replaced by ``***``, wherever they are."""
    text = compact(value)
    redacted = logs.redact(text)
    return value if redacted == text else json.loads(redacted)


def _too_deep(response: Response, exc: TooDeep) -> Result:
    return error(
        f"ConnectWise answered {response.status}, but {exc}, more than can be handed on; nothing was "
        "shown. Ask for fewer fields (fields=...) or the record's parts one by one.",
        status=response.status,
    )


def _retries_said(method: str, exc: ApiError) -> str:
    """What the error says about retrying: only what happened, counted."""
    if exc.attempts > 1:
        again = {2: "once", 3: "twice"}.get(exc.attempts, f"{exc.attempts - 1} times")
        return f" {method} was retried {again} with backoff before giving up."
    if method not in ("GET", "HEAD"):
        return " It was not retried: a write is sent once."
    if exc.status not in (429, 502, 503, 504):
        return ""
    if exc.retry_after is not None and exc.retry_after > MAX_RETRY_AFTER:
        return f" It was sent once: waiting over {MAX_RETRY_AFTER:g} s is left to you."
    return " It was sent once: no time was left before the call's deadline (CWM_DEADLINE)."


def _links(response: Response) -> dict[str, str]:
    """``rel -> URL`` from a Link header, in one pass over it (a hostile header costs linear time)."""
    header = response.header("link") or ""
    links: dict[str, str] = {}
    position = 0
    while True:
        opening = header.find("<", position)
        closing = header.find(">", opening + 1) if opening >= 0 else -1
        if closing < 0:
            return links
        following = header.find("<", closing + 1)
        params = header[closing + 1 : following if following >= 0 else len(header)]
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "rel":
                for rel in value.strip(" \t,").strip('"').lower().split():
                    links.setdefault(rel, header[opening + 1 : closing].strip())
        if following < 0:
            return links
        position = following


def _json_body(response: Response) -> Any:
    if not response.body.strip():
        return None
    return parse_json(response.body)


def _json_list(response: Response) -> list[Any]:
    try:
        payload = _json_body(response)
    except TooDeep as exc:
        raise ConnectionFailed(f"ConnectWise sent a page in which {exc}; stopped paging.") from None
    except ValueError:
        raise ConnectionFailed(
            "ConnectWise sent a page that is not readable JSON (cut off?); stopped paging."
        ) from None
    if isinstance(payload, list):
        return payload
    raise ConnectionFailed("Expected a list of records while paging, got something else; stopped paging.")


def _next_query(response: Response) -> list[tuple[str, str]] | None:
    """The query of the Link: rel="next" page, if ConnectWise names one."""
    url = _links(response).get("next")
    if not url:
        return None
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


@dataclass
class _Page:
    query: list[tuple[str, str]]  # the query that fetched it
    count: int  # records in it
    next_query: list[tuple[str, str]] | None  # its Link rel="next"


@dataclass
class _Trail:
    """The pages one call fetched, in order: enough to say exactly where the next call resumes."""

    forward_only: bool
    pages: list[_Page] = field(default_factory=list)

    def add(self, query: list[tuple[str, str]], count: int, next_query: list[tuple[str, str]] | None) -> None:
        self.pages.append(_Page(query, count, next_query))

    @property
    def next_query(self) -> list[tuple[str, str]] | None:
        return self.pages[-1].next_query if self.pages else None


def _resume(trail: _Trail, shown: int, items: list[Any]) -> tuple[int, dict[str, Any] | None]:
    """How many of ``items`` to show, and the paging params that continue right after the last one shown.

    A cut at the end of a fetched page continues with that page's Link. A cut inside a page
    continues after the last record's id (forward-only), or with a page number and a page size
    that put a page boundary right after it (``page=4, pageSize=5`` after 15 of pages of 10);
    when no exact boundary is near, a few records go unshown rather than skipped.
    """
    if not trail.pages or shown <= 0:
        return max(shown, 0), None
    located = _locate(trail, shown)
    if located is None:
        return shown, None
    index, start = located
    page = trail.pages[index]
    if shown == start + page.count:
        return shown, _paging_of(page.next_query)
    if trail.forward_only:
        last = items[shown - 1]
        ident = last.get("id") if isinstance(last, dict) else None
        if isinstance(ident, int) and not isinstance(ident, bool):
            size = _lowered(page.query).get("pagesize")
            return shown, {"pageId": ident, **({"pageSize": _number(size)} if size else {})}
        if index > 0:  # records without ids: back to the last whole page
            return start, _paging_of(trail.pages[index - 1].next_query)
        return shown, None
    number, size = _position(page)
    offset = (number - 1) * size
    realigned = _realign(offset, shown - start, size)
    if realigned is None and index > 0:  # no page size near this one fits: back to the last whole page
        return start, _paging_of(trail.pages[index - 1].next_query)
    kept, next_number, next_size = realigned or _shrink(offset, shown - start, size)
    return start + kept, {"page": next_number, "pageSize": next_size}


def _locate(trail: _Trail, shown: int) -> tuple[int, int] | None:
    """(index of the page holding the last record shown, records before that page)."""
    start = 0
    for index, page in enumerate(trail.pages):
        if shown <= start + page.count:
            return index, start
        start += page.count
    return None


def _position(page: _Page) -> tuple[int, int]:
    """(page number, page size) of a numbered page."""
    query = _lowered(page.query)
    following = _lowered(page.next_query or [])
    number = _number(query.get("page", "1"))
    size = _number(query.get("pagesize") or following.get("pagesize") or "0")
    number = number if isinstance(number, int) and number >= 1 else 1
    if not isinstance(size, int) or size < 1:
        size = page.count if number == 1 else CW_DEFAULT_PAGE_SIZE
    return number, max(1, size)


def _realign(offset: int, kept: int, limit: int) -> tuple[int, int, int] | None:
    """(records to keep, page, pageSize) so that ``page`` starts right after the last record kept.

    ``offset`` records come before the page that was cut after ``kept`` of its records. Page
    sizes from ``limit`` down to half of it are tried: first one that keeps them all, then the
    largest that keeps at least one. None when none does.
    """
    target = offset + kept
    sizes = range(max(1, limit), max(1, (limit + 1) // 2) - 1, -1)
    exact = next((size for size in sizes if target % size == 0), None)
    if exact is not None:
        return kept, target // exact + 1, exact
    for size in sizes:
        boundary = target // size * size
        if boundary > offset:
            return boundary - offset, boundary // size + 1, size
    return None


def _shrink(offset: int, kept: int, limit: int) -> tuple[int, int, int]:
    """Like _realign with any page size: the largest that keeps at least half (size 1 keeps all)."""
    target = offset + kept
    for size in range(max(1, limit), 0, -1):
        boundary = target // size * size
        if boundary > offset and (boundary - offset) * 2 >= kept:
            return boundary - offset, boundary // size + 1, size
    return kept, target + 1, 1


def _lowered(query: list[tuple[str, str]]) -> dict[str, str]:
    return {k.lower(): v for k, v in query}


def _number(value: str) -> int | str:
    return int(value) if value.isascii() and value.isdigit() else value


def _paging_of(next_query: list[tuple[str, str]] | None) -> dict[str, Any] | None:
    """The paging params (page, pageId, pageSize) of a Link's query."""
    if not next_query:
        return None
    names = {"page": "page", "pagesize": "pageSize", "pageid": "pageId"}
    paging = {names[k.lower()]: _number(v) for k, v in next_query if k.lower() in names}
    return paging or None


def _page_hint(paging: dict[str, Any] | None, params: dict[str, str]) -> dict[str, Any] | None:
    """The complete params of the call that fetches the next records: the call's own, with the paging replaced."""
    if not paging:
        return None
    hint: dict[str, Any] = {k: v for k, v in params.items() if k.lower() not in _PAGING}
    for key, value in params.items():
        if key.lower() == "pagesize" and "pageSize" not in paging:
            hint[key] = _number(value)
    hint.update(paging)
    return hint


def _check_order_by(value: str, known: Mapping[str, str]) -> None:
    if not known:
        return
    lowered = {k.lower(): k for k in known}
    position = 0
    for part in value.split(","):
        stripped = part.strip()
        offset = value.index(part, position) + (len(part) - len(part.lstrip()))
        position += len(part) + 1
        if not stripped:
            raise conditions.ConditionError("empty orderBy entry", value, offset)
        words = stripped.split()
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise conditions.ConditionError("orderBy entries look like 'field' or 'field desc'", value, offset)
        if words[0].lower() not in lowered:
            import difflib

            close = difflib.get_close_matches(words[0].lower(), list(lowered), n=1, cutoff=0.6)
            suggestion = lowered[close[0]] if close else None
            hint = f"; did you mean '{suggestion}'?" if suggestion else ""
            raise conditions.ConditionError(f"unknown field '{words[0]}'{hint}", value, offset, suggestion)
