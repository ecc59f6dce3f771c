"""Query limits hold with the parse and validation caches: a cached document is still refused."""

from __future__ import annotations

from typing import Any

from schema.context import Context
from schema.schema import schema


async def _execute(query: str) -> list[dict[str, Any]]:
    result = await schema.execute(query, context_value=Context())
    return [e.formatted for e in result.errors or []]


async def test_too_deep_documents_are_refused_every_time() -> None:
    nested = "parent { " * 12 + "code" + " }" * 12
    query = f"{{ halls {{ {nested} }} }}"
    for _ in range(2):
        errors = await _execute(query)
        assert "exceeds maximum operation depth" in errors[0]["message"]


async def test_too_many_aliases_are_refused_every_time() -> None:
    query = "{ " + " ".join(f"a{n}: __typename" for n in range(31)) + " }"
    for _ in range(2):
        errors = await _execute(query)
        assert "aliases" in errors[0]["message"]


async def test_too_many_tokens_are_refused() -> None:
    query = "{ " + " ".join("__typename" for _ in range(4001)) + " }"
    errors = await _execute(query)
    assert "token" in errors[0]["message"].lower()


async def test_documents_within_the_limits_run() -> None:
    query = "{ " + " ".join(f"a{n}: __typename" for n in range(30)) + " }"
    assert await _execute(query) == []
    assert await _execute(query) == []
