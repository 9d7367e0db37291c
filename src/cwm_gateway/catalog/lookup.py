"""The answer to a path that names no catalog operation, shared by the tools that take a path."""

from __future__ import annotations

from ..results import ToolError
from .store import Catalog


def unknown_path(catalog: Catalog, path: str, method: str) -> ToolError:
    """``No ConnectWise operation matches GET /x``, with the closest paths and where to look."""
    return ToolError(
        f"No ConnectWise operation matches {method.upper()} {path}.",
        suggestions=catalog.suggest_paths(path),
        hint="Use natural_language_api_search to find the right path.",
    )
