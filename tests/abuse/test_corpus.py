"""Every hostile document is refused with its stable code, and no resolver runs."""

from __future__ import annotations

import time
from typing import Any

import pytest

from schema.context import Context
from schema.limits.policy import QueryPolicy
from schema.schema import schema
from tests.abuse.corpus import Hostile, corpus
from tests.conftest import ResolverCalls

PRODUCTION = QueryPolicy(introspection=False, suggestions=False)
CORPUS = corpus()


async def _run(hostile: Hostile) -> tuple[list[dict[str, Any]], float]:
    started = time.perf_counter()
    result = await schema.execute(
        hostile.query, variable_values=hostile.variables, context_value=Context(policy=PRODUCTION)
    )
    elapsed = time.perf_counter() - started
    assert result.data is None, hostile.name
    return [dict(e.formatted) for e in result.errors or []], elapsed


def test_the_corpus_is_large_and_names_are_unique() -> None:
    assert len(CORPUS) >= 300
    assert len({h.name for h in CORPUS}) == len(CORPUS)


async def test_the_counter_counts_resolvers(resolver_calls: type[ResolverCalls]) -> None:
    result = await schema.execute("{ a: __typename b: __typename }", context_value=Context())
    assert result.errors is None
    assert resolver_calls.calls == 2


@pytest.mark.parametrize("hostile", CORPUS, ids=[h.name for h in CORPUS])
async def test_hostile_documents_are_refused_before_any_resolver(
    hostile: Hostile, resolver_calls: type[ResolverCalls]
) -> None:
    errors, elapsed = await _run(hostile)
    assert errors, hostile.name
    codes = {e["extensions"]["code"] for e in errors}
    assert codes <= hostile.codes, (hostile.name, errors[:2])
    assert resolver_calls.calls == 0
    assert not any("Did you mean" in e["message"] for e in errors)
    assert elapsed < 1.0, (hostile.name, elapsed)  # nothing blows up (CI machines are slow)


async def test_suggestions_and_introspection_stay_on_in_development(
    resolver_calls: type[ResolverCalls],
) -> None:
    result = await schema.execute("{ hals { code } }", context_value=Context())
    assert "Did you mean" in (result.errors or [])[0].message
    result = await schema.execute('{ __type(name: "Hall") { name } }', context_value=Context())
    assert result.errors is None
    assert result.data == {"__type": {"name": "Hall"}}
