"""Catalog and fast-memory rows are written and read by column name; shared names are defined once."""

from __future__ import annotations

import ast
import dataclasses
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from cwm_gateway.catalog import names, search
from cwm_gateway.catalog.builder import build_catalog
from cwm_gateway.catalog.schema import DDL, insert_statement
from cwm_gateway.catalog.store import Catalog, Operation, Parameter, from_rows, select_list
from cwm_gateway.memory import MemoryStore

FIXTURE = Path(__file__).parent / "fixtures" / "mini-openapi.json"
CATALOG_PACKAGE = Path(__file__).parents[1] / "src" / "cwm_gateway" / "catalog"


@pytest.fixture
def mini(tmp_path: Path) -> Catalog:
    out = tmp_path / "mini.db"
    build_catalog(FIXTURE, out)
    catalog = Catalog(out)
    yield catalog
    catalog.close()


def table_columns(table: str) -> list[str]:
    conn = sqlite3.connect(":memory:")
    conn.executescript(DDL)
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


@pytest.mark.parametrize(("cls", "table"), [(Operation, "operations"), (Parameter, "parameters")])
def test_every_field_of_a_row_class_is_a_column_of_its_table(cls: type, table: str) -> None:
    fields = [f.name for f in dataclasses.fields(cls)]
    assert set(fields) <= set(table_columns(table))
    assert select_list(cls) == ", ".join(fields)


def test_a_catalog_built_from_the_fixture_reads_back_by_name(mini: Catalog) -> None:
    post = mini.resolve("/service/tickets").method("POST")
    assert (post.method, post.path, post.category, post.resource_schema) == (
        "POST",
        "/service/tickets",
        "Tickets",
        "Ticket",
    )
    assert post.request_required is True and post.returns_list is False and post.deprecated is False
    listing = mini.resolve("/service/tickets").method("GET")
    assert listing.returns_list is True  # a bool, not the stored 1
    assert listing.response_media_type == "application/vnd.connectwise.com+json; version=2022.1"
    old = mini.resolve("/service/tickets/5/timeentries").method("GET")
    assert old.deprecated is True and old.replacement == "/time/entries"
    by_name = {p.name: p for p in mini.parameters(listing.id)}
    assert by_name["clientId"].auth is True and by_name["clientId"].required is True
    assert by_name["pageSize"].schema == {"type": "integer", "format": "int32", "nullable": True}  # JSON, decoded
    assert (by_name["pageSize"].type, by_name["pageSize"].format, by_name["pageSize"].location) == (
        "integer",
        "int32",
        "query",
    )
    assert by_name["conditions"].auth is False and by_name["conditions"].required is False


def test_reading_another_column_is_one_field(mini: Catalog) -> None:
    """Adding a column to what readers get is a field on the dataclass: the SELECT and conversion follow."""

    @dataclass(frozen=True)
    class WithSegments(Operation):
        segment_count: int = 0
        raw_summary: str = ""

    rows = mini.query(f"SELECT {select_list(WithSegments)} FROM operations WHERE path = ?", ("/service/tickets/{id}",))
    read = from_rows(WithSegments, rows)
    assert {op.segment_count for op in read} == {3}
    assert all(op.raw_summary and isinstance(op.deprecated, bool) for op in read)


def test_columns_are_matched_by_name_not_position(mini: Catalog) -> None:
    names = [f.name for f in dataclasses.fields(Parameter)]
    reversed_rows = mini.query(f"SELECT {', '.join(reversed(names))} FROM parameters WHERE name = 'clientId' LIMIT 1")
    (read,) = from_rows(Parameter, reversed_rows)
    assert (read.name, read.location, read.auth, read.schema) == ("clientId", "header", True, {"type": "string"})
    missing = mini.query("SELECT name, location FROM parameters LIMIT 1")
    with pytest.raises(ValueError, match="did not select: required, type, format"):
        from_rows(Parameter, missing)


def test_a_row_missing_a_column_fails_loudly_instead_of_shifting(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "t.db")
    conn.executescript(DDL)
    statement = insert_statement(conn, "parameters")
    row = {"operation": 1, "position": 0, "name": "id", "location": "path", "required": True, "type": "integer"}
    row.update(format=None, description="", schema="{}", auth=False)
    conn.execute(statement, row)
    del row["format"]
    row["position"] = 1
    with pytest.raises(sqlite3.ProgrammingError, match="format"):
        conn.execute(statement, row)


def test_builder_and_store_share_one_method_order(tmp_path: Path) -> None:
    """Methods written in any order come out GET, POST, PUT, PATCH, DELETE, numbered in that order."""
    answer = {"responses": {"200": {"description": "ok"}}}
    methods = ["delete", "patch", "put", "post", "get"]
    spec = {
        "openapi": "3.0.1",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a/b": dict.fromkeys(methods, answer)},
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    build_catalog(tmp_path / "spec.json", tmp_path / "order.db")
    catalog = Catalog(tmp_path / "order.db")
    listed = catalog.operations_for_template("/a/b")
    assert [op.method for op in listed] == ["GET", "POST", "PUT", "PATCH", "DELETE"]
    assert [op.id for op in listed] == [1, 2, 3, 4, 5]
    assert [op.method for op in catalog.category_operations(listed[0].category)] == [op.method for op in listed]
    catalog.close()


def test_every_penalised_or_askable_modifier_is_a_modifier_segment() -> None:
    assert set(search.MODIFIER_PENALTY) <= names.MODIFIER_TERMS
    assert search.ASKABLE_MODIFIERS <= names.MODIFIER_TERMS
    assert "count" in names.MODIFIER_TERMS and "usage" in names.MODIFIER_TERMS  # /usages, as the terms spell it


def test_the_catalog_package_imports_nothing_of_the_server() -> None:
    """The catalog may use the dependency-free results (its error type) and files modules, nothing else."""
    outside = set()
    for module in CATALOG_PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                outside.add(node.module)
    assert outside <= {"results", "files"}, outside


def test_fast_memory_rows_read_back_by_name(tmp_path: Path) -> None:
    store = MemoryStore(tmp_path / "memory.db")
    entry, created = store.save(
        "get", "/service/tickets", "/service/tickets", "open", {"conditions": "closedFlag=false"}
    )
    assert created and (entry.id, entry.method, entry.usage_count, entry.last_used) == (1, "GET", 0, None)
    assert entry.params == {"conditions": "closedFlag=false"} and entry.data is None
    store.record_use(entry.id)
    again = store.get(entry.id)
    assert again is not None and again.usage_count == 1 and again.last_used
    assert store.usage_by_endpoint(max_age=0) == {("GET", "/service/tickets"): 1}
    exported, _ = store.export()
    copy = MemoryStore(tmp_path / "copy.db")
    report = copy.import_entries(exported)
    assert (report.added, report.duplicates) == (1, 0)
    assert copy.list()[0].as_dict() == {**exported[0], "id": 1}
    assert copy.import_entries(exported).duplicates == 1


def test_an_unreadable_memory_row_is_marked_by_column_name(tmp_path: Path) -> None:
    store = MemoryStore(tmp_path / "memory.db")
    entry, _ = store.save("POST", "/service/tickets", "/service/tickets", "new ticket", data={"summary": "x"})
    with sqlite3.connect(tmp_path / "memory.db") as conn:
        conn.execute("UPDATE saved_queries SET data = '{broken' WHERE id = ?", (entry.id,))
    broken = store.get(entry.id)
    assert broken is not None and broken.data is None and broken.description == "new ticket"
    assert "its data cannot be read" in (broken.unreadable or "")
    assert f"delete_from_fast_memory({entry.id})" in (broken.unreadable or "")
