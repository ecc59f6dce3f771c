"""The hot case reads: lazy views over records, the statements they take, what each role sees."""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

import asyncpg
import orjson
import pytest
from graphql import GraphQLObjectType, get_named_type, is_leaf_type
from strawberry.relay import to_base64
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from models.accounts.tables import Role
from models.cases import actions as case_actions
from models.cases import queries as case_queries
from models.cases.rules import TRANSITIONS, allowed_actions
from models.cases.tables import Case, CaseStatus, Outcome
from models.catalogue.tables import ServiceItem, Window
from models.common.rows import records_by_ids_of_two, rows_by_ids
from schema import hot_fields
from schema.compiled import CompiledExecutor, running
from schema.compiled.plans import FieldPlan
from schema.context import Context
from schema.schema import schema
from schema.types.cases import CASE_EVENT_FIELDS, CASE_FIELD_COLUMNS, CASE_FIELDS
from schema.types.cases import Case as CaseView
from schema.types.cases import CaseEvent as CaseEventView
from schema.types.catalogue import (
    SERVICE_ITEM_FIELD_COLUMNS,
    SERVICE_ITEM_FIELDS,
    WINDOW_FIELD_COLUMNS,
    WINDOW_FIELDS,
)
from schema.types.catalogue import ServiceItem as ServiceItemView
from schema.types.catalogue import Window as WindowView
from tests import factories as f
from tests.schema.test_cases import COMPANY_ID, accept, act, world

__all__ = ["world"]  # the fixture, shared with test_cases

# Every field of a case a client can select (resolved relations by id or number only).
ALL_FIELDS = """
  id number status kind dayUnit limitDays legalLimitDays investmentProject
  applicant { kind name idNumber phone contactName }
  receivedAt acceptedAt acceptedOn backEntered
  missingMaterials { name requirement }
  extensionDays suspendedSince dueOn dueProvisional alertLevel decidedAt decidedOn outcome
  timeliness decisionNote delivery { method courier trackingNumber deliveredAt } forwardedTo
  negativeReportedAt closedAt allowedActions itemVersion ticketNumber
  hall { code } department { code } item { id code name } window { id number name }
  events { seq kind fromStatus toStatus actorName remark }
"""
LIST = (
    "query($d: ID!){cases(filter: {departmentId: $d}, order: OLDEST, first: 10)"
    f"{{totalCount edges{{node{{{ALL_FIELDS}}}}}}}}}"
)
ONE = f"query($n: String!){{case(number: $n){{{ALL_FIELDS}}}}}"
OPEN_CASES = (
    "query($d: ID!){cases(filter: {departmentId: $d, openOnly: true}, order: DUE_SOONEST,"
    " first: 50){edges{node{id number status dueOn receivedAt item{id code name}"
    " window{id number name}}}}}"
)
CASE_WITH_EVENTS = (
    "query($n: String!){case(number: $n){id number status dueOn receivedAt"
    " events{seq kind fromStatus toStatus actorName at remark}}}"
)


async def execute(query: str, variables: dict[str, Any], actor: Any) -> dict[str, Any]:
    result = await schema.execute(
        query, variable_values=variables, context_value=Context(actor=actor, clock=lambda: f.NOW)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def data(view: Any) -> dict[str, Any]:
    """Every data field of a view (a lazy view and a built one are different classes)."""
    return {f.name: getattr(view, f.name) for f in dataclasses.fields(view) if f.init}


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements sent to PostgreSQL with parameters (every read), in order."""
    sent: list[str] = []
    execute_ = asyncpg.connection.Connection._execute

    async def counted(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(query)
        return await execute_(self, query, *args, **kwargs)

    monkeypatch.setattr(asyncpg.connection.Connection, "_execute", counted)
    return sent


@pytest.mark.parametrize(
    ("view", "fields"),
    [
        (CaseView, CASE_FIELDS),
        (ServiceItemView, SERVICE_ITEM_FIELDS),
        (WindowView, WINDOW_FIELDS),
    ],
)
def test_every_data_field_of_a_view_is_read_from_its_record(
    view: type[Any], fields: dict[str, Any]
) -> None:
    """A field missing from the table would fail only when a client first selects it."""
    data_fields = {
        field.name
        for field in dataclasses.fields(view)
        if field.init and not callable(getattr(view, field.name, None))
    }
    assert data_fields == set(fields)


def test_every_data_field_of_an_event_view_is_read_from_its_record_or_given() -> None:
    """The remark is masked with the case's names and the number given, the rest read."""
    data_fields = {field.name for field in dataclasses.fields(CaseEventView) if field.init}
    assert data_fields == {*CASE_EVENT_FIELDS, "remark", "case_number"}


@pytest.mark.parametrize("status", list(CaseStatus))
def test_allowed_actions_follow_the_transitions(status: CaseStatus) -> None:
    expected = [action for action, (allowed, _) in TRANSITIONS.items() if status in allowed]
    assert allowed_actions(status) == expected
    allowed_actions(status).clear()  # each call returns its own list
    assert allowed_actions(status) == expected


async def test_a_view_reads_only_the_fields_asked_for(world: dict[str, Any]) -> None:
    number = (await accept(world))["number"]
    row = await case_queries.case_by_number(world["admin"], number)
    assert row is not None
    view = CaseView.from_record(row)
    assert "applicant" not in vars(view)
    assert view.number == number
    assert set(vars(view)) == {"_record", "number"}
    assert view.applicant.phone == "139****5678"
    assert view.applicant is view.applicant  # converted once
    with pytest.raises(AttributeError):
        getattr(view, "no_such_field")  # noqa: B009  (a name the type does not have)


async def test_item_and_window_views_from_records_equal_those_from_models(
    world: dict[str, Any],
) -> None:
    """The two-table read returns the rows `SELECT *` does; their views equal the models'."""
    window = await f.window(world["hall"], "9")
    item = world["item"]
    item.steps = ["受理", "审查"]
    item.fees = [{"name": "工本费", "amount": "10.00"}]
    await item.save()
    items, windows = await records_by_ids_of_two(ServiceItem, [item.id, 10**9], Window, [window.id])
    assert (list(items), list(windows)) == ([item.id], [window.id])
    item_model = (await rows_by_ids(ServiceItem, [item.id]))[item.id]
    window_model = (await rows_by_ids(Window, [window.id]))[window.id]
    assert data(ServiceItemView.from_record(items[item.id])) == data(
        ServiceItemView.from_row(item_model)
    )
    assert data(WindowView.from_record(windows[window.id])) == data(
        WindowView.from_row(window_model)
    )
    assert ServiceItemView.from_record(items[item.id]).steps == ["受理", "审查"]
    assert await records_by_ids_of_two(ServiceItem, [], Window, []) == ({}, {})


async def test_open_cases_take_two_statements_and_a_case_one(
    world: dict[str, Any], statements: list[str]
) -> None:
    """The page with its scope, then its items and windows; a case and its events at once."""
    number = (await accept(world))["number"]
    await accept(world)
    statements.clear()
    listed = await execute(
        OPEN_CASES, {"d": to_base64("Department", world["dept"].id)}, world["supervisor"]
    )
    assert [e["node"]["item"]["code"] for e in listed["cases"]["edges"]] == ["SC-001"] * 2
    assert len(statements) == 2, statements
    statements.clear()
    one = await execute(CASE_WITH_EVENTS, {"n": number}, world["supervisor"])
    assert [e["kind"] for e in one["case"]["events"]] == ["ACCEPTED"]
    assert len(statements) == 1, statements


async def test_outside_the_scope_a_case_and_its_events_stay_hidden(
    world: dict[str, Any],
) -> None:
    number = (await accept(world))["number"]
    _, stranger = await f.user("qdadmin", Role.ADMIN, of=await f.hall("QD"))
    assert await execute(CASE_WITH_EVENTS, {"n": number}, stranger) == {"case": None}
    assert await execute(CASE_WITH_EVENTS, {"n": "JN-NOPE"}, world["admin"]) == {"case": None}
    listed = await execute(OPEN_CASES, {"d": to_base64("Department", world["dept"].id)}, stranger)
    assert listed == {"cases": {"edges": []}}


async def delivered_case(world: dict[str, Any]) -> str:
    """A person's case accepted, approved and sent by post: its number."""
    number: str = (await accept(world))["number"]
    await act(world, "CaseComplete", "clerk", number=number, outcome="APPROVED")
    await act(
        world, "CaseDeliver", "front", number=number, method="POST", courier="中国邮政EMS",
        trackingNumber="1178901234567",
    )  # fmt: skip
    return number


@pytest.mark.parametrize(
    "role", ["admin", "supervisor", "chief", "clerk", "front", "monitor", "app"]
)
async def test_every_role_sees_the_same_masked_case_in_the_list_and_alone(
    world: dict[str, Any], role: str
) -> None:
    """Masks do not depend on the role (only caseUnmask shows more), nor on the read path."""
    company = {"kind": "ORGANISATION", "name": "济南某某科技有限公司", "idNumber": COMPANY_ID}
    organisation = (await accept(world, applicant=company | {"contactName": "李四"}))["number"]
    person = await delivered_case(world)
    if role == "app":
        _, actor = await f.user("app1", Role.APP, of=world["hall"])
    else:
        actor = world[role]
    listed = await execute(LIST, {"d": to_base64("Department", world["dept"].id)}, actor)
    nodes = {e["node"]["number"]: e["node"] for e in listed["cases"]["edges"]}
    assert set(nodes) == {organisation, person}
    for number in (organisation, person):
        alone = (await execute(ONE, {"n": number}, actor))["case"]
        assert nodes[number] == alone
    assert nodes[organisation]["applicant"] == {
        "kind": "ORGANISATION",
        "name": "济南******公司",
        "idNumber": "911100********341L",
        "phone": "139****5678",
        "contactName": "李*",
    }
    assert nodes[person]["applicant"] == {
        "kind": "PERSON",
        "name": "张*",
        "idNumber": "110105********002X",
        "phone": "139****5678",
        "contactName": "",
    }
    delivered = nodes[person]
    assert (delivered["status"], delivered["outcome"]) == ("DELIVERED", "APPROVED")
    assert delivered["delivery"]["trackingNumber"] == "1178901234567"
    assert delivered["allowedActions"] == []
    assert nodes[organisation]["allowedActions"] == [
        "START_REVIEW", "SUSPEND", "EXTEND", "DECIDE_SUBTASK", "COMPLETE", "WITHDRAW", "FORWARD",
    ]  # fmt: skip
    model = await Case.get(number=person)
    assert CaseView.from_row(model) == CaseView.from_record(
        await case_queries.case_by_number(actor, person) or {}
    )


async def test_cursors_are_encoded_wherever_the_query_shows_them(world: dict[str, Any]) -> None:
    """Cursors are skipped only when no field shows them: page info, edges, fragments."""
    for _ in range(3):
        await accept(world)
    department = {"d": to_base64("Department", world["dept"].id)}
    page_info = (
        "query($d: ID!, $a: String){cases(filter: {departmentId: $d}, order: OLDEST, first: 2,"
        " after: $a){pageInfo{hasNextPage endCursor} edges{node{number}}}}"
    )
    first = (await execute(page_info, department, world["clerk"]))["cases"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["endCursor"]
    rest = await execute(
        page_info, department | {"a": first["pageInfo"]["endCursor"]}, world["clerk"]
    )
    numbers = [e["node"]["number"] for e in first["edges"] + rest["cases"]["edges"]]
    assert len(set(numbers)) == 3
    in_fragment = (
        "query($d: ID!){cases(filter: {departmentId: $d}, first: 2){edges{...Where}}}"
        " fragment Where on CaseEdge{cursor}"
    )
    edges = (await execute(in_fragment, department, world["clerk"]))["cases"]["edges"]
    assert all(edge["cursor"] for edge in edges)
    assert len(edges) == 2


@pytest.mark.parametrize("key", [["not a time", 1], ["2026-11-20T02:00:00+00:00", "x"], [1]])
async def test_a_cursor_whose_key_does_not_fit_is_refused(
    world: dict[str, Any], key: list[Any]
) -> None:
    await accept(world)
    cursor = base64.urlsafe_b64encode(orjson.dumps(key)).decode()
    result = await schema.execute(
        "query($a: String){cases(order: NEWEST, first: 1, after: $a){edges{node{number}}}}",
        variable_values={"a": cursor},
        context_value=Context(actor=world["clerk"], clock=lambda: f.NOW),
    )
    assert result.data is None
    assert result.errors is not None
    assert result.errors[0].extensions == {
        "code": "BAD_USER_INPUT", "reason": "INVALID_CURSOR", "field": ["after"],
    }  # fmt: skip


async def test_a_cases_events_are_completed_at_once_and_masked_as_in_a_list(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """case(number) reads the events with the case: the case and its events are completed by
    their plans' specialised functions (no field resolved on the generic path), with the same
    masked remarks a list (whose events are loaded afterwards, in one batch) shows."""
    number = (await accept(world))["number"]
    await accept(world)
    await case_actions.suspend(world["clerk"], number, "等待张三补充材料，电话13912345678", f.NOW)
    generic: list[str] = []
    execute_field = running.execute_field

    def spy(ex: Any, field: FieldPlan, source: Any, path: Any) -> Any:
        generic.append(f"{field.parent_type}.{field.field_name}")
        return execute_field(ex, field, source, path)

    monkeypatch.setattr(running, "execute_field", spy)
    one = (await execute(CASE_WITH_EVENTS, {"n": number}, world["supervisor"]))["case"]
    assert generic == ["Query.case"]
    assert [e["kind"] for e in one["events"]] == ["ACCEPTED", "SUSPENDED"]
    assert one["events"][1]["remark"] == "等待张*补充材料，电话139****5678"
    assert one["events"][1]["fromStatus"] == "ACCEPTED"
    assert one["events"][0]["fromStatus"] is None
    listed = await execute(
        "query($d: ID!){cases(filter: {departmentId: $d}, order: OLDEST, first: 10){edges{node"
        "{id number status dueOn receivedAt events{seq kind fromStatus toStatus actorName at"
        " remark}}}}}",
        {"d": to_base64("Department", world["dept"].id)},
        world["supervisor"],
    )
    nodes = {e["node"]["number"]: e["node"] for e in listed["cases"]["edges"]}
    assert len(nodes) == 2
    assert nodes[number] == one
    assert "Case.events" in generic  # the list's events were loaded, not at hand


async def test_an_event_views_details_are_parsed_only_when_read(world: dict[str, Any]) -> None:
    number = (await accept(world))["number"]
    await case_actions.extend(world["chief"], number, 2, "补充论证", f.NOW)
    found = await case_queries.case_and_events_by_number(world["admin"], number)
    assert found is not None
    _, records = found
    view = CaseEventView.from_record(records[-1], number, {"补充论证": "*"})
    assert set(vars(view)) == {"_record", "case_number", "_names"}
    assert view.remark == "*"
    data = view.data
    assert isinstance(data, dict)
    assert (data["days"], data["totalDays"]) == (2, 2)  # keys in camelCase
    assert set(vars(view)) == {"_record", "case_number", "_names", "remark", "data"}


def selections(type_name: str) -> list[str]:
    """Every field of a GraphQL object type as a selection of its own (an object's typename)."""
    object_type = schema._schema.type_map[type_name]
    assert isinstance(object_type, GraphQLObjectType)
    return [
        f"{name} {{ __typename }}" if not is_leaf_type(get_named_type(field.type)) else name
        for name, field in object_type.fields.items()
    ]


@pytest.mark.parametrize(
    ("type_name", "field_columns"),
    [
        ("Case", CASE_FIELD_COLUMNS),
        ("ServiceItem", SERVICE_ITEM_FIELD_COLUMNS),
        ("Window", WINDOW_FIELD_COLUMNS),
    ],
)
def test_the_columns_of_every_field_are_known(
    type_name: str, field_columns: dict[str, tuple[str, ...]]
) -> None:
    """A field left out would make a list read every column (and never a wrong one)."""
    object_type = schema._schema.type_map[type_name]
    assert isinstance(object_type, GraphQLObjectType)
    assert set(object_type.fields) <= set(field_columns)


async def lived_cases(world: dict[str, Any]) -> list[str]:
    """Cases with every kind of field filled: an organisation, a suspension, a denial, a post."""
    window = await f.window(world["hall"], "7")
    company = {"kind": "ORGANISATION", "name": "济南某某科技有限公司", "idNumber": COMPANY_ID}
    organisation = (
        await accept(
            world,
            applicant=company | {"contactName": "李四"},
            windowId=to_base64("Window", window.id),
        )
    )["number"]
    await case_actions.suspend(world["clerk"], organisation, "等待李四补充材料", f.NOW)
    person = await delivered_case(world)
    denied = (await accept(world))["number"]
    await case_actions.complete(world["clerk"], denied, Outcome.DENIED, "张三的材料不全", f.NOW)
    return [organisation, person, denied]


async def test_each_field_alone_in_a_list_reads_what_it_needs(world: dict[str, Any]) -> None:
    """A list reads only the columns its selection shows, of the cases and of their items and
    windows: every field of each, selected alone, shows what `case(number)` (whole rows) does."""
    numbers = await lived_cases(world)
    department = {"d": to_base64("Department", world["dept"].id)}
    shown = [
        *selections("Case"),
        *(f"item {{ {s} }}" for s in selections("ServiceItem")),
        *(f"window {{ {s} }}" for s in selections("Window")),
    ]
    for selection in shown:
        listed = await execute(
            "query($d: ID!){cases(filter: {departmentId: $d}, order: OLDEST, first: 10)"
            f"{{edges{{node{{number {selection}}}}} nodes{{{selection}}}}}}}",
            department,
            world["supervisor"],
        )
        nodes = [e["node"] for e in listed["cases"]["edges"]]
        assert [n["number"] for n in nodes] == numbers
        for number, node, bare in zip(numbers, nodes, listed["cases"]["nodes"], strict=True):
            alone = await execute(
                f"query($n: String!){{case(number: $n){{number {selection}}}}}",
                {"n": number},
                world["supervisor"],
            )
            assert node == alone["case"], selection
            assert {"number": number, **bare} == alone["case"], selection
    windows = [n["window"] for n in nodes if n.get("window")]
    assert windows  # (the windows' part was not empty)


async def test_a_list_selects_only_the_columns_it_shows(
    world: dict[str, Any], statements: list[str]
) -> None:
    number = (await accept(world))["number"]
    await accept(world)
    statements.clear()
    department = {"d": to_base64("Department", world["dept"].id)}
    listed = await execute(OPEN_CASES, department, world["supervisor"])
    assert len(listed["cases"]["edges"]) == 2
    page, related = statements
    assert '"applicant_name"' not in page
    assert '"number"' in page
    assert "legal_basis" not in related
    assert 'ROW(t."code", t."id", t."name")' in related
    statements.clear()
    later = await execute(
        "query($d: ID!, $a: String){cases(filter: {departmentId: $d}, order: OLDEST, first: 1,"
        " after: $a){edges{cursor node{number applicant{name}}}}}",
        department | {"a": None},
        world["supervisor"],
    )
    cursor = later["cases"]["edges"][0]["cursor"]
    assert later["cases"]["edges"][0]["node"] == {"number": number, "applicant": {"name": "张*"}}
    statements.clear()
    after = await execute(
        "query($d: ID!, $a: String){cases(filter: {departmentId: $d}, order: OLDEST, first: 1,"
        " after: $a){edges{node{number}}}}",
        department | {"a": cursor},
        world["supervisor"],
    )
    assert len(after["cases"]["edges"]) == 1
    assert after["cases"]["edges"][0]["node"]["number"] != number
    assert "applicant_name" not in statements[-1]


async def test_a_lists_partial_views_are_not_seen_by_other_fields(world: dict[str, Any]) -> None:
    """The list's items (of the columns it shows) are not the ones another field answers."""
    number = (await accept(world))["number"]
    both = await execute(
        "query($d: ID!, $n: String!){cases(filter: {departmentId: $d}, first: 5)"
        "{edges{node{item{code}}}} case(number: $n){item{code legalBasis steps}}}",
        {"d": to_base64("Department", world["dept"].id), "n": number},
        world["supervisor"],
    )
    assert both["cases"]["edges"] == [{"node": {"item": {"code": "SC-001"}}}]
    item = both["case"]["item"]
    assert item["code"] == "SC-001"
    assert item["legalBasis"] == world["item"].legal_basis


async def test_the_root_fields_answer_as_strawberrys_resolver_wrapper(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`case` and `cases` call their resolver functions directly (schema.hot_fields): the same
    data and errors, in the same order, as strawberry's resolvers on graphql-core's executor."""
    number = (await accept(world))["number"]
    await accept(world)
    dept = to_base64("Department", world["dept"].id)
    both = (
        "query($n: String!, $d: ID!){a: case(number: $n){number} b: cases(first: 101)"
        "{edges{node{id}}} c: cases(filter: {departmentId: $d}){edges{node{number}}}"
        ' d: case(number: "JN-NOPE"){number}}'
    )
    requests: list[tuple[str, dict[str, Any], Any]] = [
        (CASE_WITH_EVENTS, {"n": number}, world["supervisor"]),
        (CASE_WITH_EVENTS, {"n": " JN-NOPE "}, world["supervisor"]),
        (CASE_WITH_EVENTS, {"n": number}, None),
        (OPEN_CASES, {"d": dept}, world["clerk"]),
        (OPEN_CASES, {"d": "not an id"}, world["clerk"]),
        (OPEN_CASES, {"d": to_base64("Hall", world["hall"].id)}, world["clerk"]),
        (OPEN_CASES, {"d": dept}, None),
        (LIST, {"d": dept}, world["monitor"]),
        ("query{cases(first: 101){edges{node{id}}}}", {}, world["admin"]),
        ('query{cases(filter: {applicantPhone: "13912345678"}){totalCount}}', {}, world["monitor"]),
        ('query{cases(after: "garbage"){totalCount}}', {}, world["admin"]),
        (both, {"n": number, "d": "Hall:1"}, world["admin"]),
    ]
    query = schema._schema.type_map["Query"]
    assert isinstance(query, GraphQLObjectType)
    fields = query.fields
    direct: dict[str, Any] = {name: fields[name].resolve for name in ("case", "cases")}
    results: list[list[Any]] = [[], []]
    for answers, executor, resolvers in (
        (results[0], CompiledExecutor, direct),
        (
            results[1],
            StrawberryGraphQLCoreExecutionContext,
            {name: hot_fields.REPLACED["Query", name] for name in direct},
        ),
    ):
        monkeypatch.setattr(schema, "execution_context_class", executor)
        for name, resolve in resolvers.items():
            monkeypatch.setattr(fields[name], "resolve", resolve)
        for text, variables, actor in requests:
            result = await schema.execute(
                text, variables, context_value=Context(actor=actor, clock=lambda: f.NOW)
            )
            answers.append((result.data, [e.formatted for e in result.errors or ()]))
    for request, ours, theirs in zip(requests, *results, strict=True):
        assert ours == theirs, request[0]
    data, errors = results[0][2]
    assert data == {"case": None}
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]
