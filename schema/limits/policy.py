"""The limits a request is held to, and the stable codes of what breaks them."""

from __future__ import annotations

from dataclasses import astuple, dataclass

QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
TOO_MANY_FIELDS = "TOO_MANY_FIELDS"
TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
BAD_USER_INPUT = "BAD_USER_INPUT"  # an oversize page: the paging rule's own code and reason
PAGE_OUT_OF_RANGE = "OUT_OF_RANGE"
THROTTLED = "THROTTLED"
INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"

# The largest registered operation has about 200 tokens and 270 fields (fragments expanded);
# graphql-core's validation grows faster than linearly with the fields of a document.
MAX_TOKENS = 2000


@dataclass(frozen=True)
class QueryPolicy:
    """Per-process limits (from settings); the defaults are those of development."""

    max_depth: int = 12
    max_aliases: int = 30
    max_fields: int = 500
    max_cost: int = 5000
    max_page: int = 100
    list_size: int = 10
    mutation_cost: int = 10
    introspection: bool = True
    suggestions: bool = True
    trusted_documents_only: bool = False  # free text refused: registered documents only

    def __hash__(self) -> int:
        """The fields' hash, computed once (every cached document and cost is keyed by it)."""
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(astuple(self))
            object.__setattr__(self, "_hash", cached)
        return cached


DEFAULT_POLICY = QueryPolicy()
