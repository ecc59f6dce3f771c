"""Errors as clients see them: a bad variable value is the client's input, never INTERNAL."""

from __future__ import annotations

from typing import Any

import pytest

from models.accounts.tables import Role
from schema.context import Context
from schema.schema import schema
from tests import factories as f
from tests.operations import TOKENS

HALL = "query Hall($c: String!) { hall(code: $c) { name } }"
CASES = "query Cases($first: Int, $filter: CaseFilter) { cases(first: $first, filter: $filter) { totalCount } }"


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (HALL, None),  # a required variable not sent
        (HALL, {"c": None}),
        (HALL, {"c": 5}),
        (HALL, {"c": ["JN"]}),
        (CASES, {"first": "x"}),
        (CASES, {"first": 1.5}),
        (CASES, {"filter": {"dueBefore": "not-a-date"}}),
        (CASES, {"filter": {"nope": 1}}),
        (CASES, {"filter": "JN"}),
    ],
)
async def test_bad_variable_values_are_bad_user_input(
    db: Any, query: str, variables: dict[str, Any] | None
) -> None:
    result = await schema.execute(query, variable_values=variables, context_value=Context())
    assert result.data is None
    error = (result.errors or [])[0]
    assert (error.extensions or {})["code"] == "BAD_USER_INPUT", error.message
    assert (error.extensions or {})["reason"] == "INVALID_VARIABLE"
    assert "$" in error.message  # names the variable


@pytest.mark.parametrize("node_id", ["", "x", "Zm9v"])
async def test_a_malformed_global_id_is_bad_user_input(db: Any, node_id: str) -> None:
    result = await schema.execute(
        "query N($id: ID!) { node(id: $id) { id } }",
        variable_values={"id": node_id},
        context_value=Context(),
    )
    error = (result.errors or [])[0]
    assert (error.extensions or {})["code"] == "BAD_USER_INPUT", error.message
    assert (error.extensions or {})["reason"] == "INVALID_VALUE"


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ('{ caseProgress(number: "\\u0000", verification: "1234") { number } }', None),
        (
            'mutation { caseComplete(input: {number: "JN\\u0000", outcome: APPROVED, note: ""})'
            " { __typename } }",
            None,
        ),
        (
            'query P($n: String!) { caseProgress(number: $n, verification: "1") { number } }',
            {"n": "a\x00"},
        ),
        (
            "mutation C($i: CaseCompleteInput!) { caseComplete(input: $i) { __typename } }",
            {"i": {"number": "JN-1", "outcome": "APPROVED", "note": "x\x00"}},
        ),
    ],
)
async def test_a_nul_character_is_refused_before_anything_runs(
    db: Any, query: str, variables: dict[str, Any] | None
) -> None:
    """PostgreSQL cannot hold U+0000: such texts were INTERNAL_SERVER_ERROR (schema fuzzing)."""
    _, admin = await f.user("director", Role.ADMIN, of=await f.hall("JN"))
    context = Context(actor=admin, tokens=TOKENS)
    result = await schema.execute(query, variable_values=variables, context_value=context)
    assert result.data is None
    error = (result.errors or [])[0]
    assert (error.extensions or {})["code"] == "BAD_USER_INPUT", error.message
    assert (error.extensions or {})["reason"] == "NUL_CHARACTER"


LONG = "X" * 300


@pytest.mark.parametrize(
    "query",
    [
        f'{{ hall(code: "{LONG}") {{ code }} }}',
        f'{{ serviceItem(code: "{LONG}") {{ code }} }}',
        f'mutation {{ apiKeyRevoke(input: {{prefix: "{LONG}"}}) {{ __typename }} }}',
        f'mutation {{ appointmentCheckIn(input: {{code: "{LONG}", phone: "1"}}) {{ __typename }} }}',
        f'mutation {{ appointmentCancel(input: {{code: "{LONG}", phone: "1"}}) {{ __typename }} }}',
    ],
)
async def test_a_lookup_by_a_text_longer_than_its_column_is_bad_user_input(
    db: Any, query: str
) -> None:
    """tortoise refuses such filter values: they were INTERNAL_SERVER_ERROR (schema fuzzing)."""
    _, admin = await f.user("director", Role.ADMIN, of=await f.hall("JN"))
    result = await schema.execute(query, context_value=Context(actor=admin, tokens=TOKENS))
    error = (result.errors or [])[0]
    assert (error.extensions or {})["code"] == "BAD_USER_INPUT", error.message
    assert (error.extensions or {})["reason"] == "INVALID_VALUE"
    assert LONG not in error.message
