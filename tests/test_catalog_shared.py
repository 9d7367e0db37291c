"""The catalog built from the shared ConnectWise definition."""

from __future__ import annotations

import json
from pathlib import Path

from cwm_gateway.catalog.details import describe
from cwm_gateway.catalog.store import Catalog

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def test_whole_api_is_in_the_catalog(catalog: Catalog) -> None:
    counts = catalog.counts()
    assert counts["operations"] >= 3000
    assert counts["categories"] >= 500
    assert counts["schemas"] >= 700
    assert catalog.api_version == "2022.1"


def test_repaired_paths_keep_their_original_template(catalog: Catalog) -> None:
    match = catalog.resolve("/system/members/jdoe")
    # The literal-free {id} and {memberIdentifier} templates overlap; either way the values are kept.
    assert match is not None and list(match.values.values()) == ["jdoe"]
    repaired = catalog.resolve("/system/members/{memberIdentifier}")
    assert repaired.template == "/system/members/{memberIdentifier}"
    assert repaired.operations[0].original_path.startswith("/system/members/{memberIdentifier:")


def test_literal_segments_win_over_placeholders(catalog: Catalog) -> None:
    assert catalog.resolve("/service/tickets/count").template == "/service/tickets/count"
    assert catalog.resolve("/service/tickets/12/notes/3").template == "/service/tickets/{parentId}/notes/{id}"
    assert catalog.resolve("/SERVICE/Tickets/12/").template == "/service/tickets/{id}"
    full = catalog.resolve("https://api-na.myconnectwise.net/v4_6_release/apis/3.0/company/companies/7?fields=id")
    assert full.template == "/company/companies/{id}" and full.values == {"id": "7"}


def test_deprecated_ticket_sub_lists_point_to_their_replacement(catalog: Catalog) -> None:
    op = catalog.resolve("/service/tickets/9/timeentries").method("GET")
    assert op.deprecated and op.replacement == "/time/entries"


def test_every_operation_can_be_described(catalog: Catalog, shared_spec: Path) -> None:
    """Details never fail, whatever the schema shape (cycles, missing schemas, multipart), and say what the
    definition says: every path parameter, and a request body exactly where the operation takes one."""
    spec = json.loads(shared_spec.read_text())
    defined = {
        operation["operationId"]: operation
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }
    ids = [row[0] for row in catalog.query("SELECT id FROM operations")]
    described = set()
    for op in catalog.operations_by_ids(ids).values():
        details = describe(catalog, op)
        json.dumps(details)  # a tool result carries it as JSON
        original = defined[details["operation_id"]]
        in_path = {p["name"] for p in original.get("parameters", []) if p["in"] == "path"}
        assert {p["name"] for p in details["path_parameters"]} == in_path, op.path
        assert ("request_body" in details) == ("requestBody" in original), (op.method, op.path)
        described.add(details["operation_id"])
    assert described == set(defined)
