"""Names the builder, the store and the search must agree on, each defined once."""

from __future__ import annotations

from . import text

# The methods an OpenAPI path item may hold, in the order operations are listed and built.
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
METHOD_ORDER = {method.upper(): index for index, method in enumerate(HTTP_METHODS)}

# Trailing literal path segments that qualify a resource rather than name one (/tickets/count,
# /boards/info): the builder skips them to find an operation's resource.
MODIFIER_SEGMENTS = frozenset({"count", "info", "list", "bulk", "search", "default", "usages"})
# The same segments as the catalog's search terms spell them ("usages" -> "usage"): the ranking
# reads them from the stored path terms.
MODIFIER_TERMS = frozenset(text.stem(segment) for segment in MODIFIER_SEGMENTS)
