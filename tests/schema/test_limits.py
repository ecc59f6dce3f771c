"""Query limits hold with the parse and validation caches: a cached document is still refused."""

from __future__ import annotations

from typing import Any

from graphql import get_introspection_query, parse
from graphql.language import Lexer, Source, TokenKind

from schema.context import Context
from schema.limits.cost import operation_cost
from schema.limits.nesting import measure
from schema.limits.policy import DEFAULT_POLICY
from schema.limits.tokens import more_tokens_than
from schema.schema import schema
from tests.operations import all_operation_names, document


async def _execute(query: str, variables: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    result = await schema.execute(query, variable_values=variables, context_value=Context())
    return [dict(e.formatted) for e in result.errors or []]


def _codes(errors: list[dict[str, Any]]) -> list[str]:
    return [e["extensions"]["code"] for e in errors]


async def test_too_deep_documents_are_refused_every_time() -> None:
    nested = "parent { " * 12 + "code" + " }" * 12
    query = f"{{ halls {{ {nested} }} }}"
    for _ in range(2):
        assert _codes(await _execute(query)) == ["QUERY_TOO_DEEP"]


async def test_too_many_aliases_are_refused_every_time() -> None:
    query = "{ " + " ".join(f"a{n}: __typename" for n in range(31)) + " }"
    for _ in range(2):
        errors = await _execute(query)
        assert _codes(errors) == ["TOO_MANY_ALIASES"]
        assert errors[0]["extensions"]["actual"] == 31


async def test_aliases_are_counted_after_expanding_fragments() -> None:
    query = (
        "{ ...A ...A ...A } fragment A on Query { "
        + " ".join(f"a{n}: __typename" for n in range(11))
        + " }"
    )
    errors = await _execute(query)
    assert _codes(errors) == ["TOO_MANY_ALIASES"]
    assert errors[0]["extensions"]["actual"] == 33


def test_a_fragment_bomb_is_measured_in_linear_time() -> None:
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(100))
    document_node = parse(f"{{ ...F0 }} {chain} fragment F100 on Query {{ a: __typename }}")
    assert measure(document_node).aliases == 10**9  # 2**100, saturated


async def test_too_many_tokens_are_refused() -> None:
    query = "{ " + " ".join("__typename" for _ in range(2001)) + " }"
    errors = await _execute(query)
    assert _codes(errors) == ["TOO_MANY_TOKENS"]


async def test_syntax_errors_keep_their_message_and_position() -> None:
    errors = await _execute("{ halls { code }")
    assert _codes(errors) == ["GRAPHQL_PARSE_FAILED"]
    assert errors[0]["message"].startswith("Syntax Error")
    assert errors[0]["locations"] == [{"line": 1, "column": 17}]


async def test_oversize_pages_and_costly_documents_are_refused() -> None:
    assert _codes(await _execute("{ cases(first: 101) { totalCount } }")) == ["BAD_USER_INPUT"]
    paged = "query($n: Int!) { cases(first: $n) { totalCount } }"
    assert _codes(await _execute(paged, {"n": 5000})) == ["BAD_USER_INPUT"]
    page = "cases(first: 100) { nodes { events { __typename } subtasks { __typename } } }"
    costly = "{ " + " ".join(f"a{n}: {page}" for n in range(20)) + " }"
    errors = await _execute(costly)
    assert _codes(errors) == ["QUERY_TOO_COMPLEX"]
    assert errors[0]["extensions"]["actual"] == 20 * (1 + 100 * 3)


def test_every_registered_operation_fits_the_limits() -> None:
    for name in all_operation_names():
        node = parse(document(name))
        measured = measure(node)
        assert measured.depth - 1 <= DEFAULT_POLICY.max_depth, name
        assert measured.aliases <= DEFAULT_POLICY.max_aliases, name
        assert measured.fields <= DEFAULT_POLICY.max_fields, name
        assert operation_cost(schema._schema, node, name, {}, DEFAULT_POLICY) <= (
            DEFAULT_POLICY.max_cost
        ), name


async def test_documents_within_the_limits_run_and_report_their_cost() -> None:
    query = "{ " + " ".join(f"a{n}: __typename" for n in range(30)) + " }"
    for _ in range(2):
        result = await schema.execute(query, context_value=Context())
        assert result.errors is None
        assert result.extensions == {"cost": {"requested": 0, "limit": DEFAULT_POLICY.max_cost}}


def test_the_quick_token_count_never_counts_more_than_the_parser() -> None:
    samples = [document(name) for name in all_operation_names()] + [
        '{ a(s: "x y z", b: """ block "quoted" \\""" """, n: -1.5e10, l: [1, 2]) # c o m m e n t\n }',
        "query($v: [Int!]! = [1]) @d { ...F ... on Query { __typename } } fragment F on Query { b }",
    ]
    for text in samples:
        lexer = Lexer(Source(text))
        count = 0
        while lexer.advance().kind is not TokenKind.EOF:
            count += 1
        assert not more_tokens_than(text, count), text[:60]
        assert more_tokens_than(text, count - 1) or count == 0, text[:60]


async def test_subscription_events_carry_no_cost() -> None:
    """Charged once at the start; events are shared by grouped screens, so nothing per caller."""
    stream = await schema.subscribe(
        "subscription { heartbeat(intervalSeconds: 1) { seq } }", context_value=Context()
    )
    assert hasattr(stream, "__aiter__")
    async for result in stream:
        assert result.extensions == {}
        break


async def test_graphiqls_introspection_query_runs_in_development() -> None:
    for options in ({}, {"descriptions": True, "input_value_deprecation": True}):
        result = await schema.execute(get_introspection_query(**options), context_value=Context())
        assert result.errors is None
        assert result.data is not None


async def test_remembered_costs_follow_the_variables_and_still_refuse() -> None:
    paged = "query($n: Int!) { cases(first: $n) { nodes { events { __typename } } } }"
    for _ in range(2):  # the second time from the remembered costs
        small = await schema.execute(paged, variable_values={"n": 2}, context_value=Context())
        large = await schema.execute(paged, variable_values={"n": 90}, context_value=Context())
        assert small.extensions == {"cost": {"requested": 1 + 2 * 2, "limit": 5000}}
        assert large.extensions == {"cost": {"requested": 1 + 90 * 2, "limit": 5000}}
        refused = await _execute(paged, {"n": 5000})
        assert _codes(refused) == ["BAD_USER_INPUT"]
    costly = (
        "query($n: Int!) { "
        + " ".join(
            f"a{n}: cases(first: $n) {{ nodes {{ events {{ __typename }} subtasks {{ __typename }} }} }}"
            for n in range(20)
        )
        + " }"
    )
    for _ in range(2):
        assert _codes(await _execute(costly, {"n": 100})) == ["QUERY_TOO_COMPLEX"]
        assert _codes(await _execute(costly, {"n": 1})) != ["QUERY_TOO_COMPLEX"]
