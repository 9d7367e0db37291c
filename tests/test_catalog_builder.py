"""The catalog builder on a small definition written to exercise each quirk."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cwm_gateway import locations
from cwm_gateway.catalog.builder import build_catalog
from cwm_gateway.catalog.details import describe
from cwm_gateway.catalog.spec import SpecError
from cwm_gateway.catalog.store import Catalog, CatalogError

FIXTURE = Path(__file__).parent / "fixtures" / "mini-openapi.json"


@pytest.fixture
def mini(tmp_path: Path) -> Catalog:
    out = tmp_path / "mini.db"
    build_catalog(FIXTURE, out)
    catalog = Catalog(out)
    yield catalog
    catalog.close()


def write_spec(tmp_path: Path, document: object | str) -> Path:
    path = tmp_path / "spec.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def test_operations_parameters_and_metadata_are_recorded(mini: Catalog) -> None:
    assert mini.counts() == {"operations": 10, "categories": 4, "schemas": 6}
    assert mini.api_version == "2022.1"
    listing = mini.resolve("/service/tickets").method("GET")
    assert listing.summary == "Get List of Ticket"  # .NET type-name noise removed
    assert listing.returns_list and listing.resource_schema == "Ticket"
    params = {p.name: p for p in mini.parameters(listing.id)}
    assert params["clientId"].auth and params["clientId"].location == "header"
    assert not params["conditions"].auth
    assert params["pageSize"].type == "integer"


def test_deprecation_notes_become_flags_and_replacements(mini: Catalog) -> None:
    op = mini.resolve("/service/tickets/5/timeentries").method("GET")
    assert op.deprecated and op.replacement == "/time/entries"
    assert op.summary == "Get List of TimeEntryReference"
    assert "Please use the /time/entries" in op.description


def test_original_path_and_missing_schema_are_kept(mini: Catalog) -> None:
    member = mini.resolve("/system/members/jdoe").method("GET")
    assert member.original_path.startswith("/system/members/{memberIdentifier:regex")
    m365 = mini.resolve("/company/m365contact").method("GET")
    assert m365.response_missing_schema == "M365Contact"
    details = describe(mini, m365)
    assert "M365Contact" in details["response"]["note"]


def test_vendor_media_types_are_recorded(mini: Catalog) -> None:
    op = mini.resolve("/service/tickets/1").method("GET")
    assert op.response_media_type == "application/vnd.connectwise.com+json; version=2022.1"


def test_cyclic_schemas_expand_to_a_bounded_field_list(mini: Catalog) -> None:
    post = mini.resolve("/service/tickets").method("POST")
    body = describe(mini, post)["request_body"]
    names = [f["name"] for f in body["fields"]]
    assert names[0] == "summary"  # required fields first
    assert body["required_fields"] == ["summary"]
    by_name = {f["name"]: f for f in body["fields"]}
    assert by_name["summary"]["maxLength"] == 100
    assert by_name["severity"]["enum"] == ["Low", "Medium", "High"]
    assert by_name["company"]["fields"] == {"id": "integer", "identifier": "string", "name": "string"}
    assert by_name["notes"]["type"] == "array of ServiceNote"
    assert "_info" not in names
    # Ticket.parentTicket is a Ticket: the cycle is cut, not followed forever.
    assert by_name["parentTicket"]["type"] == "Ticket"
    assert "fields" not in by_name["parentTicket"]


def test_self_referencing_schema_does_not_loop(mini: Catalog) -> None:
    op = mini.resolve("/service/tickets/5/timeentries").method("GET")
    details = describe(mini, op)
    assert details["list_query"]["conditions_fields"] == {"string": ["name"]}
    assert details["response"]["fields"] == ["name: string", "next: Node"]


def test_list_query_fields_cover_references_and_types(mini: Catalog) -> None:
    details = describe(mini, mini.resolve("/service/tickets/count").method("GET"))
    fields = details["list_query"]["conditions_fields"]
    assert "company/identifier" in fields["string"]
    assert "dateEntered" in fields["date"]
    assert "closedFlag" in fields["boolean"]


def test_patch_body_is_described_as_json_patch(mini: Catalog) -> None:
    body = describe(mini, mini.resolve("/service/tickets/7").method("PATCH"))["request_body"]
    assert body["type"] == "array of PatchOperation"
    assert body["example"][0]["op"] == "replace"
    assert "summary: string" in body["patchable_fields"]


def test_rebuild_is_idempotent(tmp_path: Path) -> None:
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    build_catalog(FIXTURE, first)
    build_catalog(FIXTURE, second)
    build_catalog(FIXTURE, second)  # rebuilding over an existing catalog
    dump = lambda p: list(sqlite3.connect(p).iterdump())  # noqa: E731
    assert dump(first) == dump(second)


@pytest.mark.parametrize(
    ("document", "message", "pointer"),
    [
        ('{"openapi": "3.0.1", "paths": {', "not valid JSON", ""),
        ({"swagger": "2.0", "paths": {}}, "Swagger 2.0", "/swagger"),
        ({"info": {}, "paths": {}}, "not an OpenAPI 3 document", "/openapi"),
        ({"openapi": "3.0.1", "paths": []}, "'paths' must be an object", "/paths"),
        (
            {
                "openapi": "3.0.1",
                "paths": {
                    "/a/b": {
                        "get": {
                            "responses": {
                                "200": {
                                    "description": "x",
                                    "content": {
                                        "application/json": {"schema": {"$ref": "#/components/schemas/Missing"}}
                                    },
                                }
                            }
                        }
                    }
                },
            },
            "unresolved $ref '#/components/schemas/Missing'",
            "/paths/~1a~1b/get/responses/200/content/application~1json/schema/$ref",
        ),
        (
            {"openapi": "3.0.1", "paths": {"/a": {"get": {"responses": {"200": {"$ref": "other.json#/x"}}}}}},
            "points outside this file",
            "/paths/~1a/get/responses/200/$ref",
        ),
    ],
)
def test_bad_definitions_are_rejected_with_the_problem_and_pointer(
    tmp_path: Path, document: object, message: str, pointer: str
) -> None:
    with pytest.raises(SpecError) as caught:
        build_catalog(write_spec(tmp_path, document), tmp_path / "out.db")
    assert message in str(caught.value)
    assert caught.value.pointer == pointer
    assert not (tmp_path / "out.db").exists()


def test_failed_rebuild_keeps_the_previous_catalog_and_leaves_no_temp_files(tmp_path: Path) -> None:
    out = tmp_path / "catalog.db"
    build_catalog(FIXTURE, out)
    before = out.read_bytes()
    with pytest.raises(SpecError):
        build_catalog(write_spec(tmp_path, {"openapi": "3.0.1", "paths": {"/x": {"get": {"$ref": 3}}}}), out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog.db", "spec.json"]


def test_a_build_that_dies_half_way_leaves_the_old_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer fails after rows went into the temporary file: the rename never happens."""
    from cwm_gateway.catalog import builder

    out = tmp_path / "catalog.db"
    build_catalog(FIXTURE, out)
    before = out.read_bytes()

    def dies_after_schemas(conn, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(builder, "_insert_operations", dies_after_schemas)
    with pytest.raises(OSError, match="disk full"):
        build_catalog(FIXTURE, out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["catalog.db"]


def test_catalog_is_opened_read_only(mini: Catalog) -> None:
    with pytest.raises(sqlite3.OperationalError):
        mini.query("DELETE FROM operations")


def test_catalog_from_another_format_version_asks_for_a_rebuild(tmp_path: Path) -> None:
    out = tmp_path / "old.db"
    build_catalog(FIXTURE, out)
    with sqlite3.connect(out) as conn:
        conn.execute("PRAGMA user_version = 1")
    with pytest.raises(CatalogError, match="rebuild it"):
        Catalog(out)


def test_missing_or_corrupt_catalog_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="not found"):
        Catalog(tmp_path / "nope.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CatalogError, match="not a usable API catalog"):
        Catalog(junk)


def test_build_db_command_reports_errors_and_success(tmp_path: Path) -> None:
    bad = write_spec(tmp_path, '{"openapi": ')
    run = subprocess.run(
        [sys.executable, "-m", "cwm_gateway", "build-db", str(bad), "--out", str(tmp_path / "o.db")],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert "not valid JSON" in run.stderr and "line 1" in run.stderr
    good = subprocess.run(
        [sys.executable, "-m", "cwm_gateway", "build-db", str(FIXTURE), "--out", str(tmp_path / "o.db")],
        capture_output=True,
        text=True,
    )
    assert good.returncode == 0, good.stderr
    assert "10 operations" in good.stdout
    assert Catalog(tmp_path / "o.db").counts()["operations"] == 10


def opened_default() -> Path:
    catalog = locations.open_catalog()
    catalog.close()
    return catalog.path


def test_a_catalog_built_by_the_user_is_preferred_to_the_packaged_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packaged, built = tmp_path / "package" / "catalog.db", tmp_path / "user" / "catalog.db"
    build_catalog(FIXTURE, packaged)
    monkeypatch.setattr(locations, "PACKAGED_CATALOG", packaged)  # the source tree ships none; the pyz does
    monkeypatch.delenv("CWM_CATALOG", raising=False)
    monkeypatch.setenv("CWM_DATA_DIR", str(built.parent))
    assert opened_default() == packaged  # nothing built yet
    build_catalog(FIXTURE, built)
    assert opened_default() == built
    with sqlite3.connect(built) as conn:  # an old format falls back to the packaged one
        conn.execute("PRAGMA user_version = 1")
    assert opened_default() == packaged
    packaged.unlink()
    with pytest.raises(CatalogError, match="No API catalog"):
        locations.open_catalog()


# -- words the paths are indexed under (the repository's definition) ---------------------


def indexed(catalog: Catalog, method: str, path: str) -> tuple[str, str]:
    """(resource words, path structure) an operation is indexed under."""
    op = catalog.resolve(path.replace("{parentId}", "1").replace("{id}", "2")).method(method)
    rows = catalog.query("SELECT resource_terms, path_terms FROM operations WHERE id = ?", (op.id,))
    return tuple(rows[0])


@pytest.mark.parametrize(
    ("method", "path", "resource", "structure"),
    [
        # a bound prefix is no word: the compound stays whole
        ("GET", "/procurement/subcategories/", "subcategory", "procurement/subcategory"),
        (
            "GET",
            "/procurement/categories/{parentId}/subcategories/",
            "subcategory",
            "procurement/category/{}/subcategory",
        ),
        (
            "POST",
            "/finance/invoices/{parentId}/commissions/recalculate",
            "recalculate",
            "finance/invoice/{}/commission/recalculate",
        ),
        ("POST", "/schedule/colors/reset", "reset", "schedule/color/reset"),
        ("POST", "/procurement/purchaseorders/{id}/rebatch", "rebatch", "procurement/purchase order/{}/rebatch"),
        # written camelCase it is the same word
        ("GET", "/marketing/campaigns/subTypes", "subtype", "marketing/campaign/subtype"),
        ("GET", "/service/boards/{parentId}/subtypes", "subtype", "service/board/{}/subtype"),
        (
            "GET",
            "/service/knowledgeBaseSubCategories",
            "knowledge base subcategory",
            "service/knowledge base subcategory",
        ),
        # real words still split, a short one among them too
        ("GET", "/procurement/purchaseorderstatuses", "purchase order status", "procurement/purchase order status"),
        ("GET", "/system/osgradeweights", "os grade weight", "system/os grade weight"),
        ("GET", "/procurement/onhandserialnumbers", "on hand serial number", "procurement/on hand serial number"),
        # two abbreviations in a row are a word the camelCase names spell whole: AgreementRecaps
        ("GET", "/finance/agreementrecap/", "agreement recap", "finance/agreement recap"),
        # "submit" is a path word of its own
        (
            "POST",
            "/system/ssoConfigurations/{id}/submitmembers",
            "submit member",
            "system/sso configuration/{}/submit member",
        ),
    ],
)
def test_path_compounds_are_indexed_as_whole_words(
    catalog: Catalog, method: str, path: str, resource: str, structure: str
) -> None:
    assert indexed(catalog, method, path) == (resource, structure)


def test_no_operation_is_indexed_under_a_bare_prefix(catalog: Catalog) -> None:
    columns = "resource_terms, path_terms, category_terms, summary_terms, field_terms"
    words = {w for row in catalog.query(f"SELECT {columns} FROM operations") for c in row for w in c.split()}
    assert {"re", "sub", "un"} & words == set()
    assert {"reset", "recalculate", "subcategory", "subtype"} <= words
