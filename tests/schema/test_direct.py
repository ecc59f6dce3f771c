"""Direct execution of known documents: the same result as `Schema.execute`, or no answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import strawberry
from graphql import parse
from strawberry.types.graphql import OperationType

from schema.context import Context
from schema.direct import DirectExecution
from schema.limits.budget import Spent
from schema.limits.guard import VALID
from schema.limits.policy import QueryPolicy
from schema.schema import schema
from tests.conftest import Servers

QUERIES = (OperationType.QUERY,)
BOTH = (OperationType.QUERY, OperationType.MUTATION)


@dataclass
class CountingBudget:
    """A budget that records each spend and allows the first `allowed` of them."""

    allowed: int = 1_000
    spends: list[tuple[str, int]] = field(default_factory=list)

    async def spend(self, who: str, cost: int) -> Spent:
        self.spends.append((who, cost))
        ok = len(self.spends) <= self.allowed
        return Spent(allowed=ok, remaining=self.allowed, limit=9, reset_in=7)


async def _both(
    query: str, variables: dict[str, Any] | None, make_context: Any, allowed: Any = BOTH
) -> tuple[Any, Any]:
    """(Schema.execute's result, the direct result) with a fresh context each."""
    expected = await schema.execute(
        query,
        variable_values=variables,
        context_value=make_context(),
        allowed_operation_types=allowed,
    )
    direct = DirectExecution(schema)
    got = await direct.execute(
        query,
        variables,
        make_context(),
        operation_name=None,
        allowed=allowed,
        operation_extensions=None,
    )
    return expected, got


def _formatted(result: Any) -> tuple[Any, Any, Any]:
    return result.data, [e.formatted for e in result.errors or []], result.extensions


async def test_a_known_document_gives_strawberrys_result(db: Servers) -> None:
    budget = CountingBudget()
    query = "query($code: String!){ hall(code: $code) { name } }"
    for variables in ({"code": "JN"}, {}, {"code": 1}, {"code": "J" * 500}):
        await schema.execute(query, variable_values=variables, context_value=Context())  # known
        expected, got = await _both(query, variables, lambda: Context(budget=budget))
        assert got is not None, variables
        assert _formatted(got) == _formatted(expected), variables
    assert len(budget.spends) == 8  # one per request on each path


async def test_throttled_requests_are_refused_alike(db: Servers) -> None:
    query = "{ __typename }"
    await schema.execute(query, context_value=Context())
    budget = CountingBudget(allowed=0)
    expected, got = await _both(query, None, lambda: Context(budget=budget))
    assert got is not None
    assert _formatted(got) == _formatted(expected)
    assert got.data is None
    assert [e.extensions["code"] for e in got.errors or []] == ["THROTTLED"]


async def test_what_guard_must_check_itself_is_left_to_strawberry(db: Servers) -> None:
    budget = CountingBudget()
    query = "{ __typename }"
    for known in (query, "mutation { __typename }", "subscription { __typename }"):
        await schema.execute(known, context_value=Context())
    direct = DirectExecution(schema)

    async def run(context: Any, text: str = query, allowed: Any = BOTH) -> Any:
        return await direct.execute(
            text, None, context, operation_name=None, allowed=allowed, operation_extensions=None
        )

    # An API key: its scopes and its own rate limit.
    assert await run(SimpleNamespace(api_key=object(), budget=budget)) is None
    # Free text where only registered documents are accepted, even when known valid.
    only = QueryPolicy(trusted_documents_only=True)
    VALID.put(query, only, parse(query))
    assert await run(Context(policy=only, budget=budget)) is None
    # A document never validated, an operation type not allowed, a subscription.
    assert await run(Context(budget=budget), "{ __typename  }") is None
    assert await run(Context(budget=budget), "mutation { __typename }", QUERIES) is None
    assert await run(Context(budget=budget), "subscription { __typename }") is None
    # A NUL character in a variable.
    nul = "query($c: String!){ hall(code: $c) { name } }"
    await schema.execute(nul, variable_values={"c": "JN"}, context_value=Context())
    assert (
        await direct.execute(
            nul,
            {"c": "J\x00"},
            Context(budget=budget),
            operation_name=None,
            allowed=BOTH,
            operation_extensions=None,
        )
        is None
    )
    assert budget.spends == []
    assert direct.runs == 0


def test_a_schema_with_other_extensions_is_never_run_directly() -> None:
    @strawberry.type
    class Query:
        ok: bool = True

    assert not DirectExecution(strawberry.Schema(Query)).enabled
    assert DirectExecution(schema).enabled
