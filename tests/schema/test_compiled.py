"""Compiled execution (schema.compiled) against graphql-core's executor: identical results.

Every document runs twice on the same data through the served schema (extensions included),
once with its executor (plans) and once with strawberry's default one (graphql-core's), each
with a fresh context; the results must be equal in data (key order included), formatted errors
and extensions.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from strawberry.relay import to_base64
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from models.accounts.tables import Role
from models.cases.tables import Case
from models.common.actor import Actor
from schema.compiled import CompiledExecutor
from schema.context import Context
from schema.schema import schema
from tests import factories as f
from tests.models.test_statistics import _a_day_of_work, _hall
from tests.operations import EXECUTED, TOKENS

NOW = f.NOW
TRUSTED = Path(__file__).resolve().parents[2] / "frontend-contract" / "trusted-documents.json"


@contextmanager
def graphql_core() -> Iterator[None]:
    """Run the served schema on graphql-core's executor (strawberry's default) meanwhile."""
    schema.execution_context_class = StrawberryGraphQLCoreExecutionContext
    try:
        yield
    finally:
        schema.execution_context_class = CompiledExecutor


async def reference(
    text: str, variables: dict[str, Any] | None, context: Context, **kw: Any
) -> Any:
    """The result on graphql-core's executor."""
    with graphql_core():
        return await schema.execute(text, variable_values=variables, context_value=context, **kw)


def trusted_documents() -> dict[str, str]:
    """Operation name -> registered text, from the manifest clients ship."""
    manifest = json.loads(TRUSTED.read_text(encoding="utf-8"))
    return {name: manifest["documents"][i] for name, i in manifest["operations"].items()}


def snapshot(result: Any) -> str:
    """The result as the client would see it, key order included."""
    errors = [e.formatted for e in result.errors or []]
    return json.dumps(
        {"data": result.data, "errors": errors, "extensions": result.extensions},
        ensure_ascii=False,
        default=str,
    )


def planned(name: str) -> bool:
    """Whether some request of the named operation ran a plan (not graphql-core's executor)."""
    return any(
        entry.operation.name is not None
        and entry.operation.name.value == name
        and any(plan is not None for plan in entry.plans.values())
        for entry in CompiledExecutor.plans.entries()
    )


async def both(
    text: str, variables: dict[str, Any] | None, actor: Actor | None, name: str | None = None
) -> tuple[str, str]:
    """(reference, compiled) snapshots of one request."""
    first = await reference(text, variables, context_of(actor), operation_name=name)
    second = await schema.execute(
        text, variable_values=variables, context_value=context_of(actor), operation_name=name
    )
    return snapshot(first), snapshot(second)


def context_of(actor: Actor | None) -> Context:
    """A fresh request context (its own loaders) for the actor."""
    return Context(actor=actor, tokens=TOKENS, clock=lambda: NOW)


@pytest.fixture
async def world(db: object) -> dict[str, Any]:
    h = await _hall()
    await _a_day_of_work(h)
    _, screen = await f.user("screen", Role.MONITOR, of=h["hall"])
    _, supervisor = await f.user("super", Role.SUPERVISOR, of=h["hall"])
    case = await Case.filter(hall_id=h["hall"].id).order_by("id").first()
    assert case is not None
    return {
        **h,
        "screen": screen,
        "supervisor": supervisor,
        "case": case,
        "hall_id": to_base64("Hall", h["hall"].id),
        "case_id": to_base64("Case", case.id),
    }


def variables_of(world: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Variables for every registered query the world can satisfy."""
    hall_id, number = world["hall_id"], world["case"].number
    period = {"hallId": hall_id, "from": "2026-11-01", "to": "2026-12-31"}
    return {
        "AccessLogVerification": {},
        "AlertCounts": {},
        "BoardPageHall": {"c": "JN"},
        "BoardPageSnapshot": {"h": hall_id},
        "AlertPolicy": {"hallId": hall_id},
        "Alerts": {"first": 5},
        "ApiKeys": {},
        "CaseDetail": {"number": number},
        "CaseProgress": {"number": number, "verification": "0000"},
        "Cases": {"first": 50, "order": "DUE_SOONEST", "filter": {"openOnly": False}},
        "EvaluationAppeals": {},
        "EvaluationPolicy": {"hallId": hall_id},
        "Evaluations": {"first": 10},
        "FollowUps": {},
        "HallByCode": {"code": "JN"},
        "HallHours": {"code": "JN", "from": "2026-11-16", "to": "2026-11-22"},
        "HallSetup": {"hallId": hall_id},
        "Halls": {},
        "Me": {},
        "Node": {"id": world["case_id"]},
        "NotificationTemplates": {},
        "Notifications": {"first": 5},
        "QueueBoard": {"hallId": hall_id},
        "Rankings": {"hallId": hall_id, "period": "2026-Q4", "kind": "RED_FLAG_WINDOW"},
        "Rectifications": {},
        "ServiceItemDetail": {"code": "SC-010"},
        "ServiceItems": {},
        "Statistics": {"filter": period, "groupBy": ["DEPARTMENT", "DAY"]},
        "Users": {"hallId": hall_id},
        "WorkOrderDetail": {"number": "WO-NONE"},
        "WorkOrderPolicy": {"hallId": hall_id},
        "WorkOrderRankings": {"filter": period},
        "WorkOrderStatistics": {"filter": period, "groupBy": "HALL"},
        "WorkOrders": {"first": 5},
        "WorkingCalendar": {"year": 2026},
    }


QUERIES = sorted(
    name for name, text in trusted_documents().items() if text.lstrip().startswith("query")
)


@pytest.mark.parametrize("actor", ["admin", "clerk1", "screen"])
async def test_every_registered_query_gives_the_same_result(
    world: dict[str, Any], actor: str
) -> None:
    documents = trusted_documents()
    variables = variables_of(world)
    assert set(QUERIES) - {"AccessLog"} <= set(variables), "a registered query without variables"
    for name in QUERIES:
        if name == "AccessLog":
            continue  # reading the log logs the read: the second run sees the first (below)
        reference, compiled = await both(documents[name], variables[name], world[actor], name)
        assert compiled == reference, name
        assert planned(name), name
        EXECUTED.add(name)


async def test_the_access_log_gives_the_same_result(world: dict[str, Any]) -> None:
    text = trusted_documents()["AccessLog"]
    admin = world["admin"]
    detail = trusted_documents()["CaseDetail"]
    await schema.execute(detail, {"number": world["case"].number}, context_value=context_of(admin))
    # A read of the log may itself be logged: compiled between two reference reads.
    first = await reference(text, {"first": 50}, context_of(admin))
    compiled = await schema.execute(text, {"first": 50}, context_value=context_of(admin))
    again = await reference(text, {"first": 50}, context_of(admin))
    assert snapshot(compiled) in {snapshot(first), snapshot(again)}
    assert planned("AccessLog")
    EXECUTED.add("AccessLog")


CORPUS = """
query Corpus($hallId: ID!, $caseId: ID!, $withItem: Boolean!, $skipWindow: Boolean = false,
             $first: Int = 3, $order: CaseOrder = DUE_SOONEST) {
  __typename
  hallNode: node(id: $hallId) { __typename id ...HallBits ... on Case { number } }
  caseNode: node(id: $caseId) {
    ... on Node { __typename id }
    ...CaseBits
    ... on Case { hall { ... on Hall { code } __typename } }
  }
  missing: node(id: "SGFsbDo5OTk5OTk=") { id }
  cases(first: $first, order: $order) {
    __typename
    edges {
      cursor
      node {
        ...CaseBits
        again: number
        item @include(if: $withItem) { __typename code name }
        window @skip(if: $skipWindow) { __typename number name }
        events { kind actorName at }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
  halls { code ... on Hall { name } parent { code } }
  windows(hallId: $hallId) { number name lanes { prefix } }
  nope: case(number: "XX-0") { number }
  me { __typename }
}

fragment HallBits on Hall { code name level openingHours { __typename } parent { id } }
fragment CaseBits on Case {
  __typename number status dueOn
  applicant { name phone }
  ... on Case { item { code } department { code } }
}
"""


@pytest.mark.parametrize(
    "conditions",
    [
        {"withItem": True},
        {"withItem": False, "skipWindow": True},
        {"withItem": True, "skipWindow": True, "first": 1, "order": "NEWEST"},
    ],
)
async def test_a_corpus_of_fragments_aliases_and_conditions(
    world: dict[str, Any], conditions: dict[str, Any]
) -> None:
    variables = {"hallId": world["hall_id"], "caseId": world["case_id"], **conditions}
    for actor in ("admin", "clerk1", "screen"):
        reference, compiled = await both(CORPUS, variables, world[actor])
        assert compiled == reference
        assert '"errors": []' in compiled or actor != "admin", compiled
    assert planned("Corpus")


MUTATIONS = """
mutation Several($hallId: ID!, $lane: ID!) {
  first: ticketIssue(input: {hallId: $hallId, laneId: $lane}) {
    __typename
    ... on UserError { code message }
    ... on NotFoundError { message }
  }
  second: caseAccept(input: {intake: {itemCode: "NONE", hallId: $hallId,
                                      applicant: {kind: PERSON, name: "张三", idNumber: "11010519491231002X",
                                                  phone: "13912345678"}}}) {
    ... on CasePayload { case { number } }
    ... on UserError { __typename code message }
    ... on InputError { field violations { field message } }
  }
  third: ticketIssue(input: {hallId: $hallId, laneId: $lane, holderPhone: "1"}) {
    __typename ... on InputError { code field } ... on NotFoundError { code }
  }
}
"""


async def test_several_mutation_root_fields_in_order(world: dict[str, Any]) -> None:
    variables = {"hallId": world["hall_id"], "lane": to_base64("Lane", 999999)}
    for actor in ("admin", "clerk1"):
        reference, compiled = await both(MUTATIONS, variables, world[actor])
        assert compiled == reference
        assert json.loads(compiled)["data"] is not None
    assert planned("Several")


async def test_refused_and_malformed_requests_are_the_same(world: dict[str, Any]) -> None:
    cases = [
        ("query Q($n: String!) { case(number: $n) { number } }", {}),  # a missing variable
        (
            'query Q($d: Date!) { hallHours(code: "JN", from: $d, to: $d) { __typename } }',
            {"d": "not-a-date"},
        ),
        ('query Q { node(id: "not-an-id") { id } }', {}),
        ('query Q { case(number: "' + "x" * 300 + '") { number } }', {}),
        ("{ cases(first: 1) { edges { node { number } } } } { me { __typename } }", {}),
        ("query Q { nothing }", {}),
    ]
    for text, variables in cases:
        reference, compiled = await both(text, variables, world["admin"])
        assert compiled == reference, text


async def test_the_open_cases_list_runs_as_many_statements(
    world: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Plans keep graphql-core's concurrency: the same DataLoader batches, so the same SQL."""
    text = trusted_documents()["Cases"]
    variables = {"first": 50, "order": "DUE_SOONEST"}
    counts = []
    for compiled in (False, True):
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
            context = context_of(world["admin"])
            if compiled:
                result = await schema.execute(text, variables, context_value=context)
            else:
                result = await reference(text, variables, context)
        assert not result.errors
        assert len(result.data["cases"]["edges"]) >= 4  # type: ignore[index]
        counts.append(len([r for r in caplog.records if r.name == "tortoise.db_client"]))
    assert counts[0] == counts[1]
    assert counts[1] > 0


def test_the_served_schema_is_compiled() -> None:
    assert schema.execution_context_class is CompiledExecutor
