"""Compiled execution against graphql-core on a small schema built to reach every rule.

The hall's schema rarely fails in a non-null position, nests no lists of lists and resolves few
values concurrently; this schema does all of that on purpose: errors in nullable and non-null
fields and list items (null propagation), lists of lists, unions and interfaces, awaitable
fields and items, a DataLoader, a mutation's serial root fields, a subscription and @defer.
"""

from __future__ import annotations

import asyncio
import datetime
import enum
import json
from collections.abc import AsyncGenerator, Awaitable, Sequence
from typing import Annotated, Any, NewType

import pytest
import strawberry
from graphql import GraphQLObjectType, OperationDefinitionNode, get_introspection_query, parse
from strawberry.dataloader import DataLoader
from strawberry.extensions import ParserCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from schema.compiled import CompiledExecutor, running
from schema.compiled.cache import PlanCache
from schema.compiled.plans import FieldPlan

LOG: list[str] = []


@strawberry.interface
class Animal:
    """Something with a name."""

    name: str


@strawberry.type
class Dog(Animal):
    """Barks."""

    barks: bool = True


@strawberry.type
class Cat(Animal):
    """Has lives."""

    lives: int = 9


Pet = Annotated[Dog | Cat, strawberry.union("Pet")]


@strawberry.type
class Item:
    """A row with fields that succeed, fail, return null or wait."""

    id: int

    @strawberry.field
    def fails(self) -> int | None:
        raise ValueError(f"item {self.id} fails")

    @strawberry.field
    def strict(self) -> int:
        if self.id == 2:
            raise ValueError("item 2 fails strictly")
        return self.id

    @strawberry.field
    def null_strictly(self) -> str:
        return None  # type: ignore[return-value]

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return f"later {self.id}"

    @strawberry.field
    async def later_strict(self) -> int:
        await asyncio.sleep(0)
        if self.id == 3:
            raise ValueError("item 3 fails later")
        return self.id

    @strawberry.field
    async def loaded(self, info: Info) -> int:
        value: int = await info.context["loader"].load(self.id)
        return value

    @strawberry.field
    def grid(self) -> list[list[int | None]]:
        return [[1, None], [], [self.id]]

    @strawberry.field
    def strict_grid(self) -> list[list[int]] | None:
        return [[1], [2, None]]  # type: ignore[list-item]

    @strawberry.field
    def awaitable_items(self) -> list[int | None]:
        async def one(n: int) -> int:
            await asyncio.sleep(0)
            if n == 2:
                raise ValueError("two")
            return n

        return [one(1), one(2), 3]  # type: ignore[list-item]

    @strawberry.field
    def greet(self, name: str = "you", times: int = 1) -> str:
        return f"hello {name} " * times

    @strawberry.field
    def pets(self) -> list[Animal]:
        return [Dog(name=f"dog {self.id}"), Cat(name="cat")]

    @strawberry.field
    def pet(self) -> Pet | None:
        return Cat(name="cat") if self.id % 2 else Dog(name="dog")

    @strawberry.field
    def not_a_list(self) -> list[int] | None:
        return 5  # type: ignore[return-value]


@strawberry.enum
class Color(enum.Enum):
    """An enum leaf."""

    RED = "red"
    BLUE = "blue"


async def _later_text(value: str) -> str:
    await asyncio.sleep(0)
    return f"later {value}"


# A scalar whose output coercion gives an awaitable, which graphql-core awaits.
Slow = NewType("Slow", str)
SLOW = strawberry.scalar(name="Slow", serialize=_later_text, parse_value=str)


@strawberry.type
class Row:
    """Plain data fields (read as attributes by plans), some holding values that fail."""

    n: int
    maybe: int | None
    label: str
    color: Color | None
    day: datetime.date | None
    slow: Slow | None
    tags: list[int | None]

    @strawberry.field
    def twice(self) -> int:  # replaced below by an info-free resolver
        return 0

    @strawberry.field
    def soon(self) -> int | None:  # replaced below by an info-free resolver
        return 0


def _twice(source: Row, _info: Any) -> int:
    if source.n is None:
        raise ValueError("a row without n has no double")
    return source.n * 2


def _soon(source: Row, _info: Any) -> Awaitable[int | None]:
    async def later() -> int | None:
        await asyncio.sleep(0)
        if source.n is None:
            raise ValueError("a row without n is late")
        return source.n

    return later()


_twice.ignores_info = True  # type: ignore[attr-defined]
_twice.returns_now = True  # type: ignore[attr-defined]
_soon.ignores_info = True  # type: ignore[attr-defined]


def row(number: int, **changes: Any) -> Row:
    """A row whose fields complete, unless `changes` puts a failing value in one."""
    values: dict[str, Any] = {
        "n": number,
        "maybe": number,
        "label": f"row {number}",
        "color": Color.RED,
        "day": datetime.date(2026, 1, number),
        "slow": f"s{number}",
        "tags": [number, number + 1],
    }
    return Row(**{**values, **changes})


def rows() -> list[Row]:
    """Rows with a failing leaf each: an exception as the value, a null in a non-null leaf,
    values their type cannot represent (Int, enum, Date), a null item in a list of leaves."""
    return [
        row(1),
        row(2, label=ValueError("label of row 2 fails"), maybe="many", tags=[1, None]),
        row(3, n=None, color="green", day="not a date", slow=None),
        row(4, maybe=None, color=None, day=None),
    ]


@strawberry.type
class Leaf:
    """A nested object of plain data."""

    name: str
    size: int | None


@strawberry.type
class Tree:
    """Plain data down to its leaves: its plans are specialised (schema.compiled.specialised)."""

    label: str
    color: Color
    maybe_color: Color | None
    day: datetime.date | None
    ratio: float | None
    flag: bool
    numbers: list[int | None]
    leaf: Leaf | None
    strict_leaf: Leaf
    leaves: list[Leaf | None]
    strict_leaves: list[Leaf] | None

    @strawberry.field
    def near(self) -> Leaf | None:  # replaced below by a resolver that peeks
        return None


def _near(source: Tree, _info: Any) -> Any:
    if source.label == "far":

        async def later() -> Leaf:
            await asyncio.sleep(0)
            return Leaf(name="far away", size=None)

        return later()
    return Leaf(name=f"near {source.label}", size=5)


def _peek_near(source: Tree, _context: Any) -> Any:
    if source.label == "far":
        raise LookupError(source.label)  # not at hand: the generic path awaits the resolver
    return _near(source, None)


_near.peek_with_context = _peek_near  # type: ignore[attr-defined]


def tree(title: str, **changes: Any) -> Tree:
    """A tree whose fields complete, unless `changes` puts an unusual value in one."""
    values: dict[str, Any] = {
        "label": title,
        "color": Color.BLUE,
        "maybe_color": None,
        "day": datetime.date(2026, 2, 3),
        "ratio": 0.5,
        "flag": True,
        "numbers": [1, None, 3],
        "leaf": Leaf(name="leaf", size=None),
        "strict_leaf": Leaf(name="strict", size=1),
        "leaves": [Leaf(name="a", size=1), None],
        "strict_leaves": (Leaf(name="b", size=2),),
    }
    return Tree(**{**values, **changes})


async def _later_leaf() -> Leaf:
    await asyncio.sleep(0)
    return Leaf(name="awaited", size=7)


def good_trees() -> list[Tree]:
    """Trees completed by their specialised function."""
    return [
        tree("plain"),
        tree("colored", maybe_color=Color.RED, day=None, ratio=None, flag=False, leaf=None),
    ]


def trees() -> list[Tree | None]:
    """Trees completed by their specialised function, then trees each with one value that
    sends it to the generic path: exceptions, nulls in non-null fields (propagated to the
    tree, to the list item or to the nearest nullable parent), values a type cannot represent,
    an awaitable item, a value not at hand."""
    return [
        *good_trees(),
        tree("failing label", label=ValueError("label fails")),
        tree("null label", label=None),
        tree("green", color="green"),
        tree("bad day", day="not a date"),
        tree("many", numbers=[1, "many"]),
        tree("null leaf name", leaf=Leaf(name=None, size=2)),  # type: ignore[arg-type]
        tree("null strict leaf", strict_leaf=None),
        tree("failing item", leaves=[Leaf(name="a", size=1), ValueError("item fails")]),
        tree("null strict item", strict_leaves=[None]),
        tree("awaited item", leaves=[_later_leaf()]),
        tree("not a list", leaves=5),
        tree("far"),
        tree("number flag", flag=1),  # Boolean coerces it
        tree("int label", label=12),  # String coerces it
    ]


@strawberry.type
class Query:
    """Roots."""

    @strawberry.field
    def trees(self) -> list[Tree | None]:
        return trees()

    @strawberry.field
    def good_trees(self) -> list[Tree]:
        return good_trees()

    @strawberry.field
    def rows(self) -> list[Row | None]:
        return rows()  # type: ignore[return-value]

    @strawberry.field
    def strict_rows(self) -> list[Row] | None:
        return rows()

    @strawberry.field
    def first_row(self) -> Row:
        return row(5, n=None)

    @strawberry.field
    def items(self) -> list[Item | None]:
        return [Item(id=1), Item(id=2), Item(id=3)]

    @strawberry.field
    def strict_items(self) -> list[Item] | None:
        return [Item(id=1), Item(id=2)]

    @strawberry.field
    def item(self, id: int) -> Item | None:  # noqa: A002
        return Item(id=id)

    @strawberry.field
    def must(self) -> Item:
        return Item(id=2)


@strawberry.type
class Mutation:
    """Root fields that record the order they ran in."""

    @strawberry.mutation
    async def first(self, label: str = "first") -> str:
        LOG.append(f"start {label}")
        await asyncio.sleep(0.01)
        LOG.append(f"end {label}")
        return label

    @strawberry.mutation
    def second(self) -> str:
        LOG.append("second")
        return "second"

    @strawberry.mutation
    def broken(self) -> str:
        raise ValueError("broken")


@strawberry.type
class Subscription:
    """Counts."""

    @strawberry.subscription
    async def count(self, to: int) -> AsyncGenerator[int, None]:
        for n in range(to):
            yield n


def make(compiled: bool, *, incremental: bool = False) -> strawberry.Schema:
    """The small schema on the compiled executor or on strawberry's default one."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Dog, Cat],
        execution_context_class=CompiledExecutor if compiled else None,
        config=StrawberryConfig(
            enable_experimental_incremental_execution=incremental, scalar_map={Slow: SLOW}
        ),
        # The same text gives the same parsed document, as the hall's Guard does: plans are
        # cached per document.
        extensions=[ParserCache],
    )


REFERENCE, COMPILED = make(False), make(True)
for _schema in (REFERENCE, COMPILED):  # as schema.hot_fields marks the hall's
    _row_type = _schema._schema.type_map["Row"]
    assert isinstance(_row_type, GraphQLObjectType)
    _row_type.fields["twice"].resolve = _twice
    _row_type.fields["soon"].resolve = _soon
    _tree_type = _schema._schema.type_map["Tree"]
    assert isinstance(_tree_type, GraphQLObjectType)
    _tree_type.fields["near"].resolve = _near
BATCHES: list[Sequence[int]] = []


async def load(keys: list[int]) -> list[int]:
    """A batch function that remembers its batches."""
    BATCHES.append(list(keys))
    return [k * 10 for k in keys]


def snapshot(result: Any) -> str:
    """Data (key order included) and formatted errors."""
    errors = [e.formatted for e in result.errors or []]
    return json.dumps({"data": result.data, "errors": errors})


async def both(text: str, variables: dict[str, Any] | None = None) -> tuple[str, str]:
    """(reference, compiled) snapshots of one request, each with its own loader."""
    out = []
    for target in (REFERENCE, COMPILED):
        context = {"loader": DataLoader(load_fn=load)}
        out.append(snapshot(await target.execute(text, variables, context_value=context)))
        await settled()
    return out[0], out[1]


async def settled() -> None:
    """Let work abandoned by a nulled parent finish (both executors settle it in background)."""
    for _ in range(20):
        await asyncio.sleep(0)


def named(operation: OperationDefinitionNode, name: str) -> bool:
    """Whether the operation has this name (anonymous ones have none)."""
    return operation.name is not None and operation.name.value == name


def planned(name: str) -> bool:
    """Whether the named operation ran a plan."""
    return any(
        named(entry.operation, name) and any(plan is not None for plan in entry.plans.values())
        for entry in CompiledExecutor.plans.entries()
    )


DOCUMENTS = {
    "NullPropagation": """query NullPropagation {
        items { id fails strict later laterStrict }
        strictItems { id strict }
    }""",
    "RootNull": """query RootNull {
        items { id later laterStrict }
        must { id later strict }
    }""",
    "NonNullNull": "query NonNullNull { items { id nullStrictly } item(id: 1) { nullStrictly } }",
    "Lists": """query Lists {
        item(id: 4) { grid strictGrid awaitableItems notAList }
        items { grid }
    }""",
    "Abstract": """query Abstract {
        items {
            __typename
            pets { __typename name ... on Dog { barks } ... on Cat { lives } }
            pet { __typename ... on Animal { name } ... on Cat { lives } ...DogBits }
        }
    }
    fragment DogBits on Dog { barks name }""",
    "Arguments": """query Arguments($n: String = "x", $t: Int!) {
        item(id: 5) {
            a: greet
            b: greet(name: "literal")
            c: greet(name: $n, times: $t)
            d: greet(times: 2)
        }
        other: item(id: 6) { id }
    }""",
    "Merged": """query Merged {
        item(id: 1) { id ... on Item { id later } ...Bits later }
        item2: item(id: 2) { ...Bits fails }
    }
    fragment Bits on Item { id grid later }""",
    "DataLoader": "query DataLoader { items { id loaded } strictItems { loaded } }",
    "Leaves": """query Leaves {
        rows { n maybe label color day slow tags twice soon __typename }
        again: rows { soon label twice }
        late: rows { soon }
    }""",
    "LeavesNonNull": """query LeavesNonNull {
        rows { twice }
        strictRows { maybe n }
        safe: strictRows { maybe color }
    }""",
    "LeavesRootNull": "query LeavesRootNull { rows { n } firstRow { label n twice } }",
    "Specialised": """query Specialised {
        trees {
            __typename label color maybeColor day ratio flag numbers
            leaf { name size __typename } strictLeaf { n: name size }
            leaves { name } strictLeaves { size name } near { name size }
            again: label
        }
        goodTrees { label strictLeaf { name } }
    }""",
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
async def test_the_same_result_as_graphql_core(name: str) -> None:
    variables = {"t": 2} if name == "Arguments" else None
    reference, compiled = await both(DOCUMENTS[name], variables)
    assert compiled == reference
    assert planned(name)


async def test_leaves_completed_inline_fail_and_propagate_as_in_graphql_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    called: set[str] = set()
    execute_field = running.execute_field

    def spy(ex: Any, field: FieldPlan, source: Any, path: Any) -> Any:
        called.add(f"{field.parent_type}.{field.field_name}")
        return execute_field(ex, field, source, path)

    monkeypatch.setattr(running, "execute_field", spy)
    for name in ("Leaves", "LeavesNonNull", "LeavesRootNull"):
        reference, compiled = await both(DOCUMENTS[name])
        assert compiled == reference
        assert planned(name)
    # The leaves were completed in their object's loop, not by execute_field.
    assert called == {"Query.rows", "Query.strictRows", "Query.firstRow", "Row.tags"}
    leaves = json.loads((await both(DOCUMENTS["Leaves"]))[1])
    assert leaves["data"]["rows"][0] == {
        "n": 1,
        "maybe": 1,
        "label": "row 1",
        "color": "RED",
        "day": "2026-01-01",
        "slow": "later s1",
        "tags": [1, 2],
        "twice": 2,
        "soon": 1,
        "__typename": "Row",
    }
    assert leaves["data"]["rows"][1:3] == [None, None]  # a non-null leaf failed in each
    assert leaves["data"]["rows"][3]["maybe"] is None
    paths = [e["path"] for e in leaves["errors"]]
    assert ["rows", 1, "label"] in paths
    assert ["rows", 1, "maybe"] in paths
    assert ["rows", 2, "n"] in paths
    assert ["again", 2, "twice"] in paths  # an info-free resolver raised
    assert ["late", 2, "soon"] in paths  # its awaited value raised
    assert leaves["data"]["late"][3] == {"soon": 4}
    root = json.loads((await both(DOCUMENTS["LeavesRootNull"]))[1])
    assert root["data"] is None
    assert [e["path"] for e in root["errors"]][-1] == ["firstRow", "n"]


async def test_null_propagation_is_there_to_compare() -> None:
    _, compiled = await both(DOCUMENTS["NullPropagation"])
    result = json.loads(compiled)
    assert result["data"]["items"][1] is None  # its non-null `strict` failed
    assert result["data"]["items"][2] is None  # its non-null `laterStrict` failed, later
    assert result["data"]["strictItems"] is None  # a non-null item failed
    paths = [e["path"] for e in result["errors"]]
    assert ["items", 1, "strict"] in paths
    assert ["items", 2, "laterStrict"] in paths
    assert ["strictItems", 1, "strict"] in paths
    _, compiled = await both(DOCUMENTS["RootNull"])
    assert json.loads(compiled)["data"] is None  # `must` is non-null and its `strict` failed


@pytest.mark.parametrize("conditions", [(True, True), (True, False), (False, True)])
async def test_skip_and_include_per_request(conditions: tuple[bool, bool]) -> None:
    text = """query Conditions($a: Boolean!, $b: Boolean!) {
        items {
            id @skip(if: $a)
            later @include(if: $b)
            ... on Item @include(if: $a) { grid }
            ...Bits @skip(if: $b)
            __typename @include(if: false)
        }
    }
    fragment Bits on Item { fails }"""
    a, b = conditions
    reference, compiled = await both(text, {"a": a, "b": b})
    assert compiled == reference
    assert planned("Conditions")


async def test_a_data_loader_still_batches() -> None:
    BATCHES.clear()
    context = {"loader": DataLoader(load_fn=load)}
    result = await COMPILED.execute(DOCUMENTS["DataLoader"], context_value=context)
    assert not result.errors
    assert BATCHES == [[1, 2, 3]]  # one batch for the five loads (two repeat a key)
    assert planned("DataLoader")


async def test_mutation_root_fields_run_one_after_the_other() -> None:
    text = 'mutation Serial { a: first(label: "a") b: second c: first(label: "c") }'
    runs = []
    for target in (REFERENCE, COMPILED):
        LOG.clear()
        result = await target.execute(text)
        runs.append((snapshot(result), list(LOG)))
    assert runs[1] == runs[0]
    assert runs[1][1] == ["start a", "end a", "second", "start c", "end c"]
    assert planned("Serial")


async def test_a_failing_non_null_mutation_field_nulls_the_data() -> None:
    reference, compiled = await both("mutation Broken { second broken a: first }")
    assert compiled == reference
    assert json.loads(compiled)["data"] is None


async def test_a_subscription_runs_on_graphql_core() -> None:
    seen = []
    for target in (REFERENCE, COMPILED):
        results = await target.subscribe("subscription Count { count(to: 3) }")
        assert not isinstance(results, Exception)
        seen.append([r.data async for r in results])
    assert seen[1] == seen[0] == [{"count": 0}, {"count": 1}, {"count": 2}]
    assert not planned("Count")


async def test_defer_runs_on_graphql_core() -> None:
    text = "query Deferred { item(id: 1) { id ... @defer { later } } }"
    outputs = []
    for compiled in (False, True):
        target = make(compiled, incremental=True)
        result = await target.execute(text)
        initial = getattr(result, "initial_result", result)
        outputs.append(json.dumps(initial.data))
        subsequent = getattr(result, "subsequent_results", None)
        if subsequent is not None:
            outputs.append(json.dumps([r.formatted async for r in subsequent]))
    half = len(outputs) // 2
    assert outputs[half:] == outputs[:half]
    assert '"later 1"' in "".join(outputs)
    assert not planned("Deferred")


async def test_introspection_is_the_same() -> None:
    reference, compiled = await both(get_introspection_query(descriptions=True))
    assert compiled == reference
    assert '"__schema"' in compiled
    assert planned("IntrospectionQuery")


async def test_the_same_operation_laid_out_differently_keeps_its_own_locations() -> None:
    texts = ["query Spaced { items { fails } }", "query Spaced {\n  items {\n    fails\n  }\n}"]
    snapshots = []
    for text in texts:
        reference, compiled = await both(text)
        assert compiled == reference
        snapshots.append(compiled)
    assert snapshots[0] != snapshots[1]  # the errors' locations differ


def test_the_plan_cache_is_bounded() -> None:
    cache = PlanCache(size=2)
    graphql_schema = COMPILED._schema
    operations = []
    for n in range(3):
        definition = parse(f"query Q{n} {{ items {{ id }} }}").definitions[0]
        assert isinstance(definition, OperationDefinitionNode)
        operations.append(definition)
        cache.operation(graphql_schema, definition, {})
    assert [e.operation for e in cache.entries()] == operations[1:]
    cache.operation(graphql_schema, operations[1], {})  # used: now the most recent
    assert [e.operation for e in cache.entries()] == [operations[2], operations[1]]


async def test_a_plan_is_built_once_per_outcome_of_its_conditions() -> None:
    text = "query Once($a: Boolean!) { items { id @include(if: $a) later } }"
    for a in (True, True, False, True, False):
        reference, compiled = await both(text, {"a": a})
        assert compiled == reference
    (entry,) = [e for e in CompiledExecutor.plans.entries() if named(e.operation, "Once")]
    assert entry.conditions == ("a",)
    assert set(entry.plans) == {(True,), (False,)}
    assert all(plan is not None for plan in entry.plans.values())


def specialised_plans(name: str) -> dict[str, bool]:
    """Type name -> whether its plan got a specialised function, over the operation's plans."""
    found: dict[str, bool] = {}

    def walk(plan: Any) -> None:
        found[plan.type_name] = plan.specialised is not None
        for field in plan.fields:
            if field.object_plan is not None:
                walk(field.object_plan)

    for entry in CompiledExecutor.plans.entries():
        if named(entry.operation, name):
            for plan in entry.plans.values():
                walk(plan)
    return found


async def test_specialised_functions_give_graphql_cores_results_and_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    generic: set[str] = set()  # the trees whose fields the generic path resolved
    execute_field = running.execute_field

    def spy(ex: Any, field: FieldPlan, source: Any, path: Any) -> Any:
        if isinstance(source, Tree):
            generic.add(str(source.label))
        return execute_field(ex, field, source, path)

    monkeypatch.setattr(running, "execute_field", spy)
    reference, compiled = await both(DOCUMENTS["Specialised"])
    assert compiled == reference
    assert specialised_plans("Specialised") == {"Query": False, "Tree": True, "Leaf": True}
    result = json.loads(compiled)
    plain, colored = result["data"]["trees"][:2]
    assert plain == {
        "__typename": "Tree",
        "label": "plain",
        "color": "BLUE",
        "maybeColor": None,
        "day": "2026-02-03",
        "ratio": 0.5,
        "flag": True,
        "numbers": [1, None, 3],
        "leaf": {"name": "leaf", "size": None, "__typename": "Leaf"},
        "strictLeaf": {"n": "strict", "size": 1},
        "leaves": [{"name": "a"}, None],
        "strictLeaves": [{"size": 2, "name": "b"}],
        "near": {"name": "near plain", "size": 5},
        "again": "plain",
    }
    assert colored["maybeColor"] == "RED"
    assert colored["leaf"] is None
    paths = {tuple(e["path"]) for e in result["errors"]}
    assert paths == {
        ("trees", 2, "label"),
        ("trees", 3, "label"),
        ("trees", 4, "color"),
        ("trees", 5, "day"),
        ("trees", 6, "numbers", 1),
        ("trees", 7, "leaf", "name"),
        ("trees", 8, "strictLeaf"),
        ("trees", 9, "leaves", 1),
        ("trees", 10, "strictLeaves", 0),
        ("trees", 12, "leaves"),
    }
    trees_out = result["data"]["trees"]
    assert trees_out[7]["leaf"] is None  # a null name nulled the nullable leaf
    assert trees_out[10]["strictLeaves"] is None
    assert trees_out[11]["leaves"] == [{"name": "awaited"}]
    assert trees_out[13]["near"] == {"name": "far away", "size": None}
    assert trees_out[14]["flag"] is True
    assert trees_out[15]["label"] == "12"
    # The trees with an unusual value went to the generic path, which completed them as
    # graphql-core does (those whose label or color failed were nulled before any field
    # reached execute_field); the others, coerced values included, were completed by the
    # specialised functions alone.
    assert generic == {
        "bad day",
        "many",
        "null leaf name",
        "null strict leaf",
        "failing item",
        "null strict item",
        "awaited item",
        "not a list",
        "far",
    }


async def test_a_plan_with_a_field_that_needs_an_info_is_not_specialised() -> None:
    text = "query Mixed { goodTrees { label } items { id later } rows { soon n } }"
    reference, compiled = await both(text)
    assert compiled == reference
    found = specialised_plans("Mixed")
    assert found["Tree"] is True
    assert found["Item"] is False  # `later` is resolved by strawberry with an info
    assert found["Row"] is False  # `soon` may return an awaitable
