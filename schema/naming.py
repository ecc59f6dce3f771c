"""Names as clients see them: snake_case domain names in camelCase."""

from __future__ import annotations


def camel(name: str) -> str:
    """promised_limit -> promisedLimit."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
