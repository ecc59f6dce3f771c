"""Runs the frontend's registered operation documents against the schema."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor

from api.auth import Tokens
from models.accounts.tables import User
from models.common.actor import Actor
from models.common.limits import RateLimiter
from schema.context import Context
from schema.schema import schema
from tests.factories import NOW

OPERATIONS = Path(__file__).resolve().parents[1] / "frontend-contract" / "operations"
# Registered operations some test has run against the real schema and database (or server).
EXECUTED: set[str] = set()
TOKENS = Tokens(key="test-signing-key-" + "x" * 32, ttl=timedelta(hours=12))


@cache
def _definitions() -> tuple[dict[str, OperationDefinitionNode], dict[str, FragmentDefinitionNode]]:
    operations: dict[str, OperationDefinitionNode] = {}
    fragments: dict[str, FragmentDefinitionNode] = {}
    for path in sorted(OPERATIONS.glob("*.graphql")):
        for definition in parse(path.read_text(encoding="utf-8")).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                assert definition.name.value not in operations, definition.name.value
                operations[definition.name.value] = definition
            elif isinstance(definition, FragmentDefinitionNode):
                fragments[definition.name.value] = definition
    return operations, fragments


def _spreads(node: Any) -> set[str]:
    found: set[str] = set()

    class Collect(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: Any) -> None:
            found.add(spread.name.value)

    visit(node, Collect())
    return found


def document(name: str) -> str:
    """The named operation with the fragments it uses, as one document."""
    operations, fragments = _definitions()
    needed: set[str] = set()
    todo = _spreads(operations[name])
    while todo:
        fragment = todo.pop()
        if fragment not in needed:
            needed.add(fragment)
            todo |= _spreads(fragments[fragment])
    parts = [operations[name], *(fragments[f] for f in sorted(needed))]
    return "\n\n".join(print_ast(DocumentNode(definitions=tuple(parts))).split("\n\n"))


def sent(name: str) -> str:
    """The named operation's document, noted as executed (for tests that send it to a server)."""
    EXECUTED.add(name)
    return document(name)


def all_operation_names() -> list[str]:
    """Every registered operation."""
    return sorted(_definitions()[0])


async def run(
    name: str,
    variables: dict[str, Any] | None = None,
    *,
    actor: Actor | None = None,
    user: User | None = None,
    now: datetime = NOW,
    limiter: RateLimiter | None = None,
) -> dict[str, Any]:
    """Execute a registered operation as `actor`; returns {"data", "errors"} like the HTTP API."""
    EXECUTED.add(name)
    context = Context(actor=actor, user=user, tokens=TOKENS, clock=lambda: now, limiter=limiter)
    result = await schema.execute(
        document(name), variable_values=variables, context_value=context, operation_name=name
    )
    return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}
