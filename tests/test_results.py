"""The result contract and the tool layer as plain functions: text rendered from data, tools called with
the runtime of the call, categories grouped."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from cwm_gateway import discovery, tools
from cwm_gateway.results import ToolError, ok, render
from cwm_gateway.server import call_tool


def test_the_text_is_rendered_from_the_data_alone() -> None:
    result = ok({"n": 2, "notes": ["Cut at 2."]}, lambda data: [f"{data['n']} items."])
    assert result.text == "2 items.\nCut at 2."
    result.data["n"] = 3  # the text follows the data; there is no text of its own to go stale
    result.data["warnings"] = ["x is unknown."]
    assert result.text == "3 items.\nCut at 2.\nWarning: x is unknown."


def test_the_common_keys_are_said_in_one_order() -> None:
    data = {
        "data_source": "SANDBOX",
        "save_hint": "save_to_fast_memory(...)",
        "next_step": "Call again with page 2.",
        "hint": "See the details.",
        "suggestions": ["a", "b"],
        "warnings": ["w"],
        "notes": ["n"],
    }
    assert render(data, lambda d: ["head"], lambda d: ["[]"]).splitlines() == [
        "[SANDBOX]",
        "head",
        "n",
        "Warning: w",
        "Did you mean: a; b",
        "See the details.",
        "Call again with page 2.",
        "To keep this query: save_to_fast_memory(...)",
        "[]",
    ]


def test_an_error_says_its_field_errors_from_its_data() -> None:
    errors = [{"field": "board", "message": "Board is required"}]
    result = ToolError("Rejected.", status=400, errors=errors, hint="Add a board.").result()
    assert result.is_error and result.data == {
        "error": "Rejected.",
        "status": 400,
        "errors": errors,
        "hint": "Add a board.",
    }
    assert result.text == "Rejected.\n- board: Board is required\nAdd a board."


def test_categories_are_grouped_by_the_paths_first_segment(catalog) -> None:
    groups = discovery.category_groups(catalog)
    assert groups["service"]["Tickets"] == 28
    assert "TicketNotes" in groups["service"] and "TicketNotes" in groups["project"]  # under both paths
    listed = discovery.list_categories(catalog)
    assert [g["group"] for g in listed.data["groups"]] == sorted(groups)
    one = discovery.list_categories(catalog, " /Service ")
    assert one.data["group"] == "service" and one.data["total"] == len(groups["service"])


def test_each_call_gets_its_runtime_from_runtime_of(catalog) -> None:
    """What a server serving several users needs: the runtime is looked up per call, not at build time."""
    runtimes = [SimpleNamespace(catalog=lambda: catalog, data_note=note) for note in ("ONE", "TWO")]
    asked: list[Any] = []

    def runtime_of() -> Any:
        asked.append(1)
        return runtimes[len(asked) - 1]

    spec = next(s for s in tools.ALL if s.name == "list_api_categories")
    first = call_tool(spec, runtime_of, {"group": "service"})
    second = call_tool(spec, runtime_of, {"group": None})
    assert first.structured_content["data_source"] == "ONE" and "categories" in first.structured_content  # type: ignore[index]
    assert second.structured_content["data_source"] == "TWO" and "groups" in second.structured_content  # type: ignore[index]
    assert first.content[0].text.startswith("[ONE]\nservice: ")  # type: ignore[union-attr]


def test_a_tools_arguments_are_its_own_the_call_is_not_one() -> None:
    spec = next(s for s in tools.ALL if s.name == "get_api_data")
    names = [p.name for p in spec.parameters()]
    assert names[:4] == ["path", "params", "all_pages", "max_items"] and "call" not in names
    assert spec.title and spec.description.splitlines()[-1].startswith("Example: get_api_data(")


def test_a_runtime_that_cannot_be_had_is_the_calls_error_result() -> None:
    def runtime_of() -> Any:
        raise ToolError("No ConnectWise credentials for this user.", hint="Run cwm-gateway setup.")

    spec = next(s for s in tools.ALL if s.name == "list_fast_memory")
    result = call_tool(spec, runtime_of, {"search_term": None})
    assert result.is_error and result.structured_content == {
        "error": "No ConnectWise credentials for this user.",
        "hint": "Run cwm-gateway setup.",
    }
