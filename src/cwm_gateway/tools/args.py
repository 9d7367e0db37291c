"""Argument types shared by the tools: each carries its description and bounds into the input schema.

Bounds are published (``minimum``/``maximum``) and checked by the tool bodies, which name the range in
a structured error; the SDK's own validation would answer in pydantic's words, in the text only.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def bounded(description: str, low: int, high: int) -> Any:
    return Field(description=description, json_schema_extra={"minimum": low, "maximum": high})


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


# The schema says the enum; "get" and " Patch " are accepted all the same.
Method = Annotated[
    Literal["GET", "POST", "PUT", "PATCH", "DELETE"], BeforeValidator(_upper), Field(description="HTTP method.")
]
Path = Annotated[str, Field(description="e.g. /service/tickets/4521")]
# Objects are what the schema asks for; a JSON string of one is accepted too (some clients send those).
Params = Annotated[
    dict[str, Any] | str | None,
    WithJsonSchema(
        {"type": "object", "description": 'Query params, e.g. {"conditions":"closedFlag=false","pageSize":25}'}
    ),
]
Data = Annotated[
    dict[str, Any] | list[Any] | str | None,
    WithJsonSchema(
        {
            "type": ["object", "array"],
            "description": 'JSON body; PATCH: [{"op":"replace","path":"status/id","value":5}]',
        }
    ),
]
Confirm = Annotated[bool, Field(description="true after the user agreed.")]
AllPages = Annotated[bool, Field(description="Follow all pages.")]
MaxItems = Annotated[int, bounded("Cap for all_pages.", 1, 100_000)]
IncludeInfo = Annotated[bool, Field(description="Keep _info metadata.")]
DryRun = Annotated[bool, Field(description="Preview; sends nothing.")]
QueryId = Annotated[int, Field(description="Saved query id.", json_schema_extra={"minimum": 1})]


def text(description: str) -> Any:
    """An optional text argument: published as a string (null is its default, not a type to choose)."""
    return WithJsonSchema({"type": "string", "description": description})
