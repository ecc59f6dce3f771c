"""Known documents executed from their kept parts answer exactly as graphql-core's `execute`."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import ExecutionResult, OperationDefinitionNode, execute, parse
from strawberry.dataloader import DataLoader
from strawberry.execution import optimized_is_awaitable

from schema.compiled.prepared import PreparedOperations, find_parts
from tests.schema.test_compiled_semantics import COMPILED, DOCUMENTS, load, settled, snapshot

SCHEMA = COMPILED._schema
TWO = "query A { items { id } } query B { rows { n label } }"
FRAGMENT_VARIABLES = "query Q { item(id: 1) { ...Bits } } fragment Bits($x: Int) on Item { id }"
BAD_FRAGMENT = "query Q { item(id: 1) { ...Bits } } fragment Bits($x: Nope) on Item { id }"
CASES: list[tuple[str, str | None, dict[str, Any] | None]] = [
    *((text, None, {"t": 2} if name == "Arguments" else None) for name, text in DOCUMENTS.items()),
    (DOCUMENTS["Arguments"], None, None),  # a required variable missing
    (DOCUMENTS["Arguments"], None, {"t": "two"}),  # a variable of the wrong type
    (DOCUMENTS["Arguments"], "Arguments", {"t": 3, "n": "名"}),
    (TWO, "A", None),
    (TWO, "B", None),
    (TWO, None, None),  # several operations and no name
    (TWO, "C", None),  # no such operation
    ('mutation M { first second: first(label: "second") }', None, None),
    (FRAGMENT_VARIABLES, None, None),
    (BAD_FRAGMENT, None, None),  # a fragment variable of an unknown type
]


async def _run(
    prepared: PreparedOperations | None, text: str, name: str | None, variables: Any
) -> str:
    document = parse(text, experimental_fragment_arguments=True)
    context = {"loader": DataLoader(load_fn=load)}
    if prepared is None:
        result: Any = execute(
            SCHEMA,
            document,
            variable_values=variables,
            operation_name=name,
            context_value=context,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
            executor_class=COMPILED.execution_context_class,
            operation_extensions=None,
        )
    else:
        result = prepared.execute(
            document,
            variable_values=variables,
            operation_name=name,
            context_value=context,
            is_awaitable=optimized_is_awaitable,
            operation_extensions=None,
        )
    if not isinstance(result, ExecutionResult):
        result = await result
    await settled()
    return snapshot(result)


@pytest.mark.parametrize(("text", "name", "variables"), CASES)
async def test_the_same_answer_as_graphql_cores_execute(
    text: str, name: str | None, variables: dict[str, Any] | None
) -> None:
    prepared = PreparedOperations(SCHEMA, COMPILED.execution_context_class)
    reference = await _run(None, text, name, variables)
    assert await _run(prepared, text, name, variables) == reference
    assert await _run(prepared, text, name, variables) == reference  # from the kept parts


def test_parts_are_found_once_per_document_and_name_and_bounded() -> None:
    prepared = PreparedOperations(SCHEMA, COMPILED.execution_context_class, size=2)
    document = parse(TWO)
    a = prepared.parts(document, "A")
    assert a is not None
    assert a.operation.name is not None
    assert a.operation.name.value == "A"
    assert prepared.parts(document, "A") is a
    assert prepared.parts(document, None) is None  # graphql-core reports it
    others = [parse("{ items { id } }") for _ in range(3)]
    for other in others:
        prepared.parts(other, None)
    assert len(prepared._parts) == 2
    assert prepared.parts(document, "A") is not a  # forgotten, found again


def test_what_build_reports_is_left_to_graphql_core() -> None:
    document = parse(FRAGMENT_VARIABLES, experimental_fragment_arguments=True)
    assert find_parts(SCHEMA, document, None) is not None
    bad = parse(BAD_FRAGMENT, experimental_fragment_arguments=True)
    assert find_parts(SCHEMA, bad, None) is None
    assert find_parts(SCHEMA, parse(TWO), "C") is None


class Counted(COMPILED.execution_context_class):  # type: ignore[misc,name-defined]
    """The compiled executor, counting the executors made."""

    made = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        Counted.made += 1


@pytest.mark.parametrize(
    ("text", "variables", "constant"),
    [
        ("{ __typename }", None, True),
        ("{ __typename again: __typename }", None, True),
        ("query C($x: Boolean!) { __typename items @include(if: $x) { id } }", {"x": False}, True),
        ("query C($x: Boolean!) { __typename items @include(if: $x) { id } }", {"x": True}, False),
        ("{ __typename items { id } }", None, False),
    ],
)
async def test_a_query_that_resolves_nothing_needs_no_executor_once_planned(
    text: str, variables: dict[str, Any] | None, constant: bool
) -> None:
    prepared = PreparedOperations(SCHEMA, Counted)
    document = parse(text)
    answers = []
    Counted.made = 0
    for _ in range(3):
        result = prepared.execute(
            document,
            variable_values=variables,
            operation_name=None,
            context_value={"loader": DataLoader(load_fn=load)},
            is_awaitable=optimized_is_awaitable,
            operation_extensions=None,
        )
        answers.append(snapshot(result if isinstance(result, ExecutionResult) else await result))
    assert answers == [await _run(None, text, None, variables)] * 3
    assert Counted.made == (1 if constant else 3)  # the first request plans it


def test_coerced_variables_are_remembered_per_operation_and_values() -> None:
    prepared = PreparedOperations(SCHEMA, COMPILED.execution_context_class)
    operation = parse(DOCUMENTS["Arguments"]).definitions[0]
    other = parse(DOCUMENTS["Arguments"]).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    assert isinstance(other, OperationDefinitionNode)
    first = prepared._coerced(operation, {"t": 2})
    assert not isinstance(first, list)
    assert first.coerced == {"t": 2, "n": "x"}  # the default filled in, as graphql-core does
    assert prepared._coerced(operation, {"t": 2}) is first
    assert prepared._coerced(operation, {"t": 3}) is not first
    assert prepared._coerced(other, {"t": 2}) is not first  # another operation
    refused = prepared._coerced(operation, {"t": "two"})
    assert isinstance(refused, list)
    assert prepared._coerced(operation, {"t": "two"}) is not refused  # refusals are not kept
