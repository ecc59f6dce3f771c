"""The case lifecycle through GraphQL: intake, every transition and every error path."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis.asyncio as aioredis
from asyncpg.exceptions import RaiseError
from strawberry.relay import to_base64
from tortoise import connections
from tortoise.transactions import in_transaction

from api.limits import RedisRateLimiter
from models.accounts.tables import Role
from models.cases import queries as case_queries
from models.cases.tables import Case, CaseEvent, CaseNumberCounter
from models.catalogue import actions as catalogue
from models.catalogue.rules import JointDepartment
from models.catalogue.tables import DayUnit, ItemKind, ServiceItem
from models.common.actor import SYSTEM_ACTOR
from models.common.rows import records_of
from models.notifications.tables import Notification
from schema.context import Context
from schema.schema import schema
from schema.types.cases import Case as CaseView
from schema.types.cases import CaseEvent as CaseEventView
from tests import factories as f
from tests.operations import TOKENS, run

PERSON_ID = "11010519491231002X"
COMPANY_ID = "91110000600037341L"
PHONE = "13912345678"
# Friday 2026-11-20, 10:00 in Shanghai.
NOW = f.NOW


def shanghai(day: str, hour: int = 10) -> datetime:
    """A moment on a date in Shanghai (UTC+8)."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00").astimezone(UTC)


async def make_item(dept: Any, code: str, **changes: Any) -> ServiceItem:
    """A listed item of the department with the given elements."""
    return await catalogue.create_item(
        SYSTEM_ACTOR, department_id=dept.id, code=code, elements=f.elements(**changes), now=NOW
    )


@pytest.fixture
async def world(db: object) -> dict[str, Any]:
    hall = await f.hall("JN")
    dept = await f.department(hall, "SC", "市市场监管局")
    other = await f.department(hall, "ZJ", "市住建局")
    item = await make_item(dept, "SC-001")  # promised 3 of 20 working days
    _, clerk = await f.user("clerk", Role.CLERK, of=hall, department_id=dept.id)
    _, front = await f.user("front", Role.CLERK, of=hall)
    _, other_clerk = await f.user("zjclerk", Role.CLERK, of=hall, department_id=other.id)
    _, chief = await f.user("chief", Role.CHIEF_REP, of=hall, department_id=dept.id)
    _, admin = await f.user("admin1", Role.ADMIN, of=hall)
    _, supervisor = await f.user("super", Role.SUPERVISOR, of=hall)
    _, monitor = await f.user("screen", Role.MONITOR, of=hall)
    return {
        "hall": hall,
        "hall_id": to_base64("Hall", hall.id),
        "dept": dept,
        "other": other,
        "item": item,
        "clerk": clerk,
        "front": front,
        "other_clerk": other_clerk,
        "chief": chief,
        "admin": admin,
        "supervisor": supervisor,
        "monitor": monitor,
    }


def intake(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    applicant = {"kind": "PERSON", "name": "张三", "idNumber": PERSON_ID, "phone": PHONE}
    applicant |= changes.pop("applicant", {})
    return {"itemCode": "SC-001", "hallId": world["hall_id"], "applicant": applicant} | changes


async def accept(world: dict[str, Any], *, now: datetime = NOW, **changes: Any) -> dict[str, Any]:
    result = await run(
        "CaseAccept", {"input": {"intake": intake(world, **changes)}}, actor=world["front"], now=now
    )
    assert result["errors"] == [], result
    payload = result["data"]["caseAccept"]
    assert payload["__typename"] == "CasePayload", payload
    return dict(payload["case"])


async def act(
    world: dict[str, Any], op: str, actor: str, now: datetime = NOW, **fields: Any
) -> dict[str, Any]:
    result = await run(op, {"input": fields}, actor=world[actor], now=now)
    assert result["errors"] == [], result
    key = op[0].lower() + op[1:]
    return dict(result["data"][key])


async def events(number: str) -> list[str]:
    case = await Case.get(number=number)
    rows = await CaseEvent.filter(case_id=case.id).order_by("seq")
    return [r.kind.value for r in rows]


# --- intake -----------------------------------------------------------------------------------


async def test_accept_starts_the_clock_and_texts_the_applicant(world: dict[str, Any]) -> None:
    case = await accept(world)
    assert case["number"] == "JN-20261120-000001"
    assert case["status"] == "ACCEPTED"
    assert case["acceptedOn"] == "2026-11-20"
    assert case["dueOn"] == "2026-11-25"  # 3 working days after Friday, acceptance day not counted
    assert case["dueProvisional"] is False
    assert case["itemVersion"] == 1
    assert case["applicant"] == {
        "kind": "PERSON",
        "name": "张*",
        "idNumber": "110105********002X",
        "phone": "139****5678",
    }
    assert [e["kind"] for e in case["events"]] == ["ACCEPTED"]
    assert case["events"][0]["actorName"] == "front"
    text = await Notification.get(case_id=(await Case.get(number=case["number"])).id)
    assert (text.kind.value, text.phone, text.params["due_on"]) == (
        "CASE_ACCEPTED",
        PHONE,
        "2026-11-25",
    )
    second = await accept(world)
    assert second["number"] == "JN-20261120-000002"


async def test_immediate_items_are_due_the_same_day(world: dict[str, Any]) -> None:
    await make_item(
        world["dept"], "SC-IMM", kind=ItemKind.IMMEDIATE, legal_limit=0, promised_limit=0
    )
    case = await accept(world, itemCode="SC-IMM")
    assert case["dueOn"] == "2026-11-20"


async def test_natural_day_items_count_calendar_days(world: dict[str, Any]) -> None:
    await make_item(world["dept"], "SC-NAT", day_unit=DayUnit.NATURAL, promised_limit=7)
    case = await accept(world, itemCode="SC-NAT")
    assert case["dueOn"] == "2026-11-27"


async def test_case_keeps_the_item_version_it_was_accepted_under(world: dict[str, Any]) -> None:
    case = await accept(world)
    await catalogue.update_item(
        SYSTEM_ACTOR, world["item"].id, changes={"promised_limit": 10}, note="压缩时限", now=NOW
    )
    detail = await run("CaseDetail", {"number": case["number"]}, actor=world["clerk"])
    assert (detail["data"]["case"]["itemVersion"], detail["data"]["case"]["limitDays"]) == (1, 3)
    later = await accept(world)
    assert (later["itemVersion"], later["limitDays"], later["dueOn"]) == (2, 10, "2026-12-04")


@pytest.mark.parametrize(
    ("applicant", "field", "code"),
    [
        ({"idNumber": "110105194912310021"}, "idNumber", "INVALID_CHECKSUM"),
        ({"idNumber": "110105194913310021"}, "idNumber", "INVALID_COMPONENT"),
        ({"idNumber": "11010519491231A02X"}, "idNumber", "INVALID_FORMAT"),
        ({"idNumber": "1101051949"}, "idNumber", "INVALID_LENGTH"),
        ({"idNumber": ""}, "idNumber", "REQUIRED"),
        (
            {"kind": "ORGANISATION", "idNumber": "91110000600037341X"},
            "idNumber",
            "INVALID_CHECKSUM",
        ),
        ({"kind": "ORGANISATION", "idNumber": PERSON_ID}, "idNumber", "INVALID_CHECKSUM"),
        ({"phone": "1391234567"}, "phone", "INVALID_MOBILE"),
        ({"phone": "23912345678"}, "phone", "INVALID_MOBILE"),
        ({"name": "  "}, "name", "REQUIRED"),
    ],
)
async def test_applicant_rules(
    world: dict[str, Any], applicant: dict[str, str], field: str, code: str
) -> None:
    result = await run(
        "CaseAccept",
        {"input": {"intake": intake(world, applicant=applicant)}},
        actor=world["front"],
    )
    error = result["data"]["caseAccept"]
    assert error["__typename"] == "InputError"
    assert error["field"] == ["input", "intake", "applicant", field]
    assert error["code"] == code
    assert await Case.all().count() == 0
    assert await CaseNumberCounter.all().count() == 0
    assert await Notification.all().count() == 0


async def test_organisation_applicant_is_accepted_with_a_valid_code(world: dict[str, Any]) -> None:
    case = await accept(
        world,
        applicant={"kind": "ORGANISATION", "name": "济南某某科技有限公司", "idNumber": COMPANY_ID},
    )
    assert case["applicant"]["idNumber"] == "911100********341L"
    assert case["applicant"]["name"] == "济南******公司"


async def test_every_broken_rule_is_reported_at_once(world: dict[str, Any]) -> None:
    result = await run(
        "CaseAccept",
        {
            "input": {
                "intake": intake(world, itemCode="NOPE", applicant={"phone": "1", "idNumber": "X"})
            }
        },
        actor=world["front"],
    )
    fields = [v["field"][-1] for v in result["data"]["caseAccept"]["violations"]]
    assert fields == ["idNumber", "phone", "itemCode"]


async def test_delisted_item_is_refused(world: dict[str, Any]) -> None:
    await catalogue.set_item_listing(
        SYSTEM_ACTOR, world["item"].id, listed=False, reason="事项取消", now=NOW
    )
    result = await run("CaseAccept", {"input": {"intake": intake(world)}}, actor=world["front"])
    error = result["data"]["caseAccept"]
    assert (error["code"], error["field"]) == ("ITEM_DELISTED", ["input", "intake", "itemCode"])
    assert await Case.all().count() == 0


async def test_other_halls_items_need_to_be_citywide(world: dict[str, Any]) -> None:
    county = await f.hall("LC", parent=world["hall"])
    _, county_clerk = await f.user("lcclerk", Role.CLERK, of=county)
    variables = {"input": {"intake": intake(world, hallId=to_base64("Hall", county.id))}}
    refused = await run("CaseAccept", variables, actor=county_clerk)
    assert refused["data"]["caseAccept"]["code"] == "NOT_CITYWIDE"
    await catalogue.update_item(
        SYSTEM_ACTOR, world["item"].id, changes={"citywide": True}, note="全市通办", now=NOW
    )
    accepted = await run("CaseAccept", variables, actor=county_clerk)
    case = accepted["data"]["caseAccept"]["case"]
    assert (case["hall"]["code"], case["department"]["name"]) == ("LC", "市市场监管局")
    # Both sides see it: the county hall received it, the city department handles it.
    seen = await run("CaseDetail", {"number": case["number"]}, actor=world["clerk"])
    assert seen["data"]["case"]["number"] == case["number"]


async def test_screens_cannot_take_applications(world: dict[str, Any]) -> None:
    result = await run("CaseAccept", {"input": {"intake": intake(world)}}, actor=world["monitor"])
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await Case.all().count() == 0


async def test_unauthenticated_intake_is_refused(world: dict[str, Any]) -> None:
    result = await run("CaseAccept", {"input": {"intake": intake(world)}})
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await Case.all().count() == 0


async def test_back_entry_by_an_admin_is_audited(world: dict[str, Any]) -> None:
    variables = {"input": {"intake": intake(world), "acceptedAt": "2026-11-16T09:30:00+08:00"}}
    result = await run("CaseAccept", variables, actor=world["admin"])
    case = result["data"]["caseAccept"]["case"]
    assert (case["acceptedOn"], case["dueOn"]) == ("2026-11-16", "2026-11-19")
    event = case["events"][0]
    assert event["kind"] == "BACK_ENTERED"
    assert event["data"]["acceptedAt"].startswith("2026-11-16T01:30:00")
    assert event["data"]["enteredAt"].startswith("2026-11-20T02:00:00")
    assert event["actorName"] == "admin1"


async def test_back_entry_in_the_future_is_refused(world: dict[str, Any]) -> None:
    future = (NOW + timedelta(minutes=5)).isoformat()
    result = await run(
        "CaseAccept",
        {"input": {"intake": intake(world), "acceptedAt": future}},
        actor=world["admin"],
    )
    error = result["data"]["caseAccept"]
    assert (error["code"], error["field"]) == ("IN_FUTURE", ["input", "acceptedAt"])
    assert await Case.all().count() == 0


async def test_only_admins_back_enter(world: dict[str, Any]) -> None:
    variables = {"input": {"intake": intake(world), "acceptedAt": "2026-11-16T09:30:00+08:00"}}
    result = await run("CaseAccept", variables, actor=world["front"])
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await Case.all().count() == 0


async def test_accept_needs_exactly_one_of_intake_and_corrected_case(world: dict[str, Any]) -> None:
    both = {"intake": intake(world), "correctedCase": "JN-20261120-000001"}
    for given in ({}, both):
        result = await run("CaseAccept", {"input": given}, actor=world["front"])
        assert result["data"]["caseAccept"]["code"] == "EXACTLY_ONE"
    assert await Case.all().count() == 0


# --- correction and refusal -------------------------------------------------------------------


async def test_correction_then_acceptance(world: dict[str, Any]) -> None:
    asked = await act(
        world,
        "CaseRequestCorrection",
        "front",
        intake=intake(world),
        missingMaterials=[
            {"name": "营业场所证明", "requirement": "原件"},
            {"name": "经营者照片"},
        ],
    )
    case = asked["case"]
    assert (case["status"], case["dueOn"], case["acceptedOn"]) == (
        "CORRECTION_REQUESTED",
        None,
        None,
    )
    assert [m["name"] for m in case["missingMaterials"]] == ["营业场所证明", "经营者照片"]
    text = await Notification.get(kind="CORRECTION_REQUESTED")
    materials: Any = text.params["missing_materials"]
    assert [m["name"] for m in materials] == ["营业场所证明", "经营者照片"]
    monday = shanghai("2026-11-23")
    accepted = await act(world, "CaseAccept", "front", monday, correctedCase=case["number"])
    assert (accepted["case"]["acceptedOn"], accepted["case"]["dueOn"]) == (
        "2026-11-23",
        "2026-11-26",
    )
    again = await act(world, "CaseAccept", "front", monday, correctedCase=case["number"])
    assert (again["__typename"], again["currentState"], again["status"]) == (
        "CaseStateError",
        "ACCEPTED",
        "ACCEPTED",
    )
    assert await events(case["number"]) == ["CORRECTION_REQUESTED", "ACCEPTED"]


async def test_correction_needs_a_list(world: dict[str, Any]) -> None:
    result = await act(
        world, "CaseRequestCorrection", "front", intake=intake(world), missingMaterials=[]
    )
    assert (result["code"], result["field"]) == ("REQUIRED", ["input", "missingMaterials"])
    assert await Case.all().count() == 0


async def test_reject_at_intake_reports_investment_items(world: dict[str, Any]) -> None:
    await make_item(world["dept"], "SC-INV", investment_project=True)
    result = await act(
        world,
        "CaseReject",
        "front",
        intake=intake(world, itemCode="SC-INV"),
        reason="不属于受理范围",
    )
    case = result["case"]
    assert case["status"] == "REJECTED"
    assert case["negativeReportedAt"] is not None
    assert await events(case["number"]) == ["REJECTED", "NEGATIVE_REPORTED"]
    assert await Notification.filter(kind="NEGATIVE_REPORT").count() == 1
    listed = await run("Cases", {"filter": {"negativeReported": True}}, actor=world["admin"])
    assert [e["node"]["number"] for e in listed["data"]["cases"]["edges"]] == [case["number"]]
    plain = await act(world, "CaseReject", "front", intake=intake(world), reason="材料虚假")
    assert plain["case"]["negativeReportedAt"] is None
    assert await Notification.filter(kind="NEGATIVE_REPORT").count() == 1


async def test_reject_needs_a_reason(world: dict[str, Any]) -> None:
    result = await act(world, "CaseReject", "front", intake=intake(world), reason=" ")
    assert (result["code"], result["field"]) == ("REQUIRED", ["input", "reason"])
    assert await Case.all().count() == 0


# --- the clock --------------------------------------------------------------------------------


async def test_suspension_and_resumption_move_the_due_date(world: dict[str, Any]) -> None:
    case = await accept(world)  # due Wed 2026-11-25
    number = case["number"]
    await act(world, "CaseStartReview", "clerk", number=number)
    suspended = await act(
        world, "CaseSuspend", "clerk", shanghai("2026-11-23"), number=number, reason="组织听证"
    )
    assert (suspended["case"]["status"], suspended["case"]["suspendedSince"]) == (
        "SUSPENDED",
        "2026-11-23",
    )
    resumed = await act(world, "CaseResume", "clerk", shanghai("2026-11-25"), number=number)
    # Tuesday and Wednesday were suspended: two working days added.
    assert (resumed["case"]["status"], resumed["case"]["dueOn"]) == ("IN_REVIEW", "2026-11-27")
    assert resumed["case"]["suspensions"] == [
        {"reason": "组织听证", "startedOn": "2026-11-23", "endedOn": "2026-11-25"}
    ]
    resume_event = resumed["case"]["events"][-1]
    assert (resume_event["data"]["oldDue"], resume_event["data"]["newDue"]) == (
        "2026-11-25",
        "2026-11-27",
    )


async def test_extension_within_the_legal_maximum(world: dict[str, Any]) -> None:
    number = (await accept(world))["number"]
    extended = await act(world, "CaseExtend", "chief", number=number, days=4, reason="需现场核查")
    assert (extended["case"]["extensionDays"], extended["case"]["dueOn"]) == (4, "2026-12-01")
    too_long = await act(world, "CaseExtend", "chief", number=number, days=7, reason="再延")
    assert (too_long["code"], too_long["field"]) == ("EXTENSION_TOO_LONG", ["input", "days"])
    zero = await act(world, "CaseExtend", "chief", number=number, days=0, reason="再延")
    assert zero["code"] == "OUT_OF_RANGE"
    clerk = await run(
        "CaseExtend", {"input": {"number": number, "days": 1, "reason": "x"}}, actor=world["clerk"]
    )
    assert clerk["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await Case.get(number=number)).extension_days == 4
    assert await events(number) == ["ACCEPTED", "EXTENDED"]


async def test_immediate_items_cannot_be_extended(world: dict[str, Any]) -> None:
    await make_item(
        world["dept"], "SC-IMM", kind=ItemKind.IMMEDIATE, legal_limit=0, promised_limit=0
    )
    number = (await accept(world, itemCode="SC-IMM"))["number"]
    result = await act(world, "CaseExtend", "chief", number=number, days=1, reason="x")
    assert result["code"] == "NOT_EXTENDABLE"


@pytest.mark.parametrize(
    ("day", "timeliness"),
    [("2026-11-24", "EARLY"), ("2026-11-25", "ON_TIME"), ("2026-11-26", "OVERDUE")],
)
async def test_completion_timeliness(world: dict[str, Any], day: str, timeliness: str) -> None:
    number = (await accept(world))["number"]
    done = await act(
        world, "CaseComplete", "clerk", shanghai(day, 23), number=number, outcome="APPROVED"
    )
    assert (done["case"]["status"], done["case"]["timeliness"]) == ("COMPLETED", timeliness)
    text = await Notification.get(kind="CASE_COMPLETED")
    assert text.params["collect_at"] == "JN政务服务中心"


async def test_denial_needs_reasons(world: dict[str, Any]) -> None:
    number = (await accept(world))["number"]
    result = await act(world, "CaseComplete", "clerk", number=number, outcome="DENIED", note="")
    assert (result["code"], result["field"]) == ("REQUIRED", ["input", "note"])
    assert (await Case.get(number=number)).status.value == "ACCEPTED"


async def test_delivery_by_post_needs_courier_and_tracking(world: dict[str, Any]) -> None:
    number = (await accept(world))["number"]
    await act(world, "CaseComplete", "clerk", number=number, outcome="APPROVED")
    missing = await act(world, "CaseDeliver", "front", number=number, method="POST")
    assert [v["field"][-1] for v in missing["violations"]] == ["courier", "trackingNumber"]
    sent = await act(
        world,
        "CaseDeliver",
        "front",
        number=number,
        method="POST",
        courier="中国邮政EMS",
        trackingNumber="1178901234567",
    )
    assert sent["case"]["status"] == "DELIVERED"
    assert sent["case"]["delivery"]["trackingNumber"] == "1178901234567"
    assert sent["case"]["closedAt"] is not None


@pytest.mark.parametrize(
    ("op", "fields", "state"),
    [
        ("CaseResume", {}, "ACCEPTED"),
        ("CaseDeliver", {"method": "WINDOW"}, "ACCEPTED"),
        ("CaseAccept", None, "ACCEPTED"),
    ],
)
async def test_illegal_transitions_name_the_current_state(
    world: dict[str, Any], op: str, fields: dict[str, Any] | None, state: str
) -> None:
    number = (await accept(world))["number"]
    given = {"correctedCase": number} if fields is None else {"number": number, **fields}
    result = await act(world, op, "admin", **given)
    assert (result["__typename"], result["code"], result["currentState"]) == (
        "CaseStateError",
        "CASE_STATE",
        state,
    )
    assert await events(number) == ["ACCEPTED"]


async def test_closed_cases_stay_closed(world: dict[str, Any]) -> None:
    number = (await accept(world))["number"]
    await act(world, "CaseWithdraw", "front", number=number, reason="申请人撤回")
    for op, fields in (
        ("CaseComplete", {"outcome": "APPROVED"}),
        ("CaseSuspend", {"reason": "x"}),
        ("CaseWithdraw", {"reason": "x"}),
    ):
        result = await act(world, op, "admin", NOW, number=number, **fields)
        assert (result["__typename"], result["currentState"]) == ("CaseStateError", "WITHDRAWN")
    assert await events(number) == ["ACCEPTED", "WITHDRAWN"]


async def test_withdrawal_ends_a_running_suspension(world: dict[str, Any]) -> None:
    number = (await accept(world))["number"]
    await act(world, "CaseSuspend", "clerk", number=number, reason="专家评审")
    done = await act(world, "CaseWithdraw", "front", number=number, reason="不再申请")
    assert done["case"]["suspensions"][0]["endedOn"] == "2026-11-20"
    assert done["case"]["suspendedSince"] is None


async def test_forward_is_for_reported_items(world: dict[str, Any]) -> None:
    number = (await accept(world))["number"]
    refused = await act(world, "CaseForward", "clerk", number=number, authority="省市场监管局")
    assert (refused["__typename"], refused["currentState"]) == ("CaseStateError", "ACCEPTED")
    await make_item(world["dept"], "SC-REP", kind=ItemKind.REPORTED)
    reported = (await accept(world, itemCode="SC-REP"))["number"]
    sent = await act(world, "CaseForward", "clerk", number=reported, authority="省市场监管局")
    assert (sent["case"]["status"], sent["case"]["forwardedTo"]) == ("FORWARDED", "省市场监管局")


async def test_denied_investment_case_is_reported(world: dict[str, Any]) -> None:
    await make_item(world["dept"], "SC-INV", investment_project=True)
    number = (await accept(world, itemCode="SC-INV"))["number"]
    await act(world, "CaseComplete", "chief", number=number, outcome="DENIED", note="不符合规划")
    assert await events(number) == ["ACCEPTED", "COMPLETED", "NEGATIVE_REPORTED"]
    assert await Notification.filter(kind="NEGATIVE_REPORT").count() == 1


# --- who may do what ----------------------------------------------------------------------


async def test_other_departments_cannot_decide(world: dict[str, Any]) -> None:
    number = (await accept(world))["number"]
    for actor in ("other_clerk", "front", "supervisor", "monitor"):
        result = await run(
            "CaseComplete",
            {"input": {"number": number, "outcome": "APPROVED"}},
            actor=world[actor],
        )
        assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN", actor
    case = await Case.get(number=number)
    assert (case.status.value, case.event_count) == ("ACCEPTED", 1)


async def test_other_halls_see_nothing(world: dict[str, Any]) -> None:
    number = (await accept(world))["number"]
    elsewhere = await f.hall("QD")
    _, stranger = await f.user("qdadmin", Role.ADMIN, of=elsewhere)
    detail = await run("CaseDetail", {"number": number}, actor=stranger)
    assert detail["data"]["case"] is None
    listed = await run("Cases", {}, actor=stranger)
    assert listed["data"]["cases"]["totalCount"] == 0
    change = await act(
        world | {"stranger": stranger}, "CaseWithdraw", "stranger", number=number, reason="x"
    )
    assert change["__typename"] == "NotFoundError"
    node = await run("CaseDetail", {"number": number}, actor=world["monitor"])
    assert node["data"]["case"]["applicant"]["phone"] == "139****5678"


async def test_screens_cannot_search_by_phone(world: dict[str, Any]) -> None:
    await accept(world)
    result = await run("Cases", {"filter": {"applicantPhone": PHONE}}, actor=world["monitor"])
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert result["data"] is None


async def test_node_lookup_respects_the_scope(world: dict[str, Any]) -> None:
    case = await accept(world)
    query = "query($id: ID!) { node(id: $id) { ... on Case { number applicant { phone } } } }"

    async def lookup(actor: Any) -> Any:
        result = await schema.execute(
            query, variable_values={"id": case["id"]}, context_value=Context(actor=actor)
        )
        return result.data["node"] if result.data else None

    assert await lookup(world["monitor"]) == {
        "number": case["number"],
        "applicant": {"phone": "139****5678"},
    }
    _, stranger = await f.user("qdadmin", Role.ADMIN, of=await f.hall("QD"))
    assert await lookup(stranger) is None


async def test_unmask_is_role_gated_and_recorded(world: dict[str, Any]) -> None:
    number = (await accept(world))["number"]
    shown = await act(world, "CaseUnmask", "supervisor", number=number, purpose="核实申请人身份")
    assert shown["applicant"] == {
        "kind": "PERSON",
        "name": "张三",
        "idNumber": PERSON_ID,
        "phone": PHONE,
        "contactName": "",
    }
    assert shown["case"]["events"][-1]["kind"] == "UNMASKED"
    assert shown["case"]["events"][-1]["remark"] == "核实申请人身份"
    no_purpose = await act(world, "CaseUnmask", "supervisor", number=number, purpose="")
    assert no_purpose["field"] == ["input", "purpose"]
    screen = await run(
        "CaseUnmask", {"input": {"number": number, "purpose": "看看"}}, actor=world["monitor"]
    )
    assert screen["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await events(number) == ["ACCEPTED", "UNMASKED"]


# --- joint cases ----------------------------------------------------------------------------


@pytest.fixture
async def joint(world: dict[str, Any]) -> dict[str, Any]:
    await make_item(
        world["dept"],
        "SC-JOINT",
        kind=ItemKind.JOINT,
        promised_limit=10,
        joint_departments=(JointDepartment(world["other"].id, 5),),
    )
    case = await accept(world, itemCode="SC-JOINT")
    return world | {"number": case["number"], "case": case}


async def test_joint_case_has_one_subtask_per_co_department(joint: dict[str, Any]) -> None:
    tasks = joint["case"]["subtasks"]
    assert [(t["department"]["name"], t["limitDays"], t["dueOn"], t["status"]) for t in tasks] == [
        ("市住建局", 5, "2026-11-27", "PENDING")
    ]
    assert joint["case"]["dueOn"] == "2026-12-04"


async def test_joint_case_waits_for_every_department(joint: dict[str, Any]) -> None:
    number = joint["number"]
    early = await act(joint, "CaseComplete", "clerk", number=number, outcome="APPROVED")
    assert (early["code"], early["currentState"]) == ("SUBTASKS_PENDING", "ACCEPTED")
    dept = to_base64("Department", joint["other"].id)
    wrong = await run(
        "CaseSubtaskDecide",
        {"input": {"number": number, "departmentId": dept, "outcome": "APPROVED"}},
        actor=joint["clerk"],
    )
    assert wrong["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    denied = await act(
        joint,
        "CaseSubtaskDecide",
        "other_clerk",
        number=number,
        departmentId=dept,
        outcome="DENIED",
        remark="不符合消防要求",
    )
    assert denied["case"]["subtasks"][0]["status"] == "DENIED"
    twice = await act(
        joint,
        "CaseSubtaskDecide",
        "other_clerk",
        number=number,
        departmentId=dept,
        outcome="APPROVED",
    )
    assert (twice["__typename"], twice["code"]) == ("StateError", "SUBTASK_DECIDED")
    approve = await act(joint, "CaseComplete", "clerk", number=number, outcome="APPROVED")
    assert approve["code"] == "SUBTASK_DENIED"
    deny = await act(
        joint, "CaseComplete", "clerk", number=number, outcome="DENIED", note="住建部门不同意"
    )
    assert deny["case"]["status"] == "COMPLETED"


async def test_lapsed_subtask_counts_as_agreement(joint: dict[str, Any]) -> None:
    number = joint["number"]
    after_due = shanghai("2026-11-30")  # the sub-task was due 2026-11-27
    done = await act(joint, "CaseComplete", "clerk", after_due, number=number, outcome="APPROVED")
    assert done["case"]["status"] == "COMPLETED"
    task = done["case"]["subtasks"][0]
    assert task["status"] == "LAPSED"
    lapse = [e for e in done["case"]["events"] if e["kind"] == "SUBTASK_LAPSED"]
    assert lapse[0]["data"]["departmentId"] == joint["other"].id


async def test_lapse_job_marks_overdue_subtasks(joint: dict[str, Any]) -> None:
    from models.cases.actions import lapse_overdue_subtasks  # noqa: PLC0415

    assert await lapse_overdue_subtasks(shanghai("2026-11-27", 12)) == 0
    # 02:00 in Shanghai is still the previous day in UTC: the hall's own date counts.
    assert await lapse_overdue_subtasks(shanghai("2026-11-28", 2)) == 1
    assert await lapse_overdue_subtasks(shanghai("2026-11-29", 12)) == 0
    assert await events(joint["number"]) == ["ACCEPTED", "SUBTASK_LAPSED"]


# --- lists and the public lookup ----------------------------------------------------------


async def test_open_cases_of_a_department_by_due_date(world: dict[str, Any]) -> None:
    slow = await make_item(world["dept"], "SC-SLOW", promised_limit=15)
    numbers = [
        (await accept(world, itemCode="SC-SLOW"))["number"],
        (await accept(world))["number"],
        (await accept(world))["number"],
    ]
    await act(world, "CaseWithdraw", "front", number=numbers[2], reason="撤回")
    assert slow.code == "SC-SLOW"
    variables: dict[str, Any] = {
        "filter": {"departmentId": to_base64("Department", world["dept"].id), "openOnly": True},
        "order": "DUE_SOONEST",
        "first": 1,
    }
    first = (await run("Cases", variables, actor=world["clerk"]))["data"]["cases"]
    assert first["totalCount"] == 2
    assert [e["node"]["number"] for e in first["edges"]] == [numbers[1]]
    variables["after"] = first["pageInfo"]["endCursor"]
    second = (await run("Cases", variables, actor=world["clerk"]))["data"]["cases"]
    assert [e["node"]["number"] for e in second["edges"]] == [numbers[0]]
    assert second["pageInfo"]["hasNextPage"] is False
    by_phone = await run("Cases", {"filter": {"applicantPhone": PHONE}}, actor=world["clerk"])
    assert by_phone["data"]["cases"]["totalCount"] == 3


@pytest.fixture
async def limiter(world: dict[str, Any], orm: Any) -> AsyncIterator[RedisRateLimiter]:
    client = aioredis.Redis.from_url(orm.redis_url)
    yield RedisRateLimiter(client, prefix=f"test:{secrets.token_hex(4)}:")
    await client.aclose()


async def test_progress_lookup_shows_nothing_personal(
    world: dict[str, Any], limiter: RedisRateLimiter
) -> None:
    number = (await accept(world))["number"]
    found = await run("CaseProgress", {"number": number, "verification": "5678"}, limiter=limiter)
    progress = found["data"]["caseProgress"]
    assert progress == {
        "number": number,
        "itemName": "个体工商户设立登记",
        "status": "ACCEPTED",
        "stage": "已受理",
        "receivedOn": "2026-11-20",
        "dueOn": "2026-11-25",
        "dueProvisional": False,
        "collectAt": None,
        "missingMaterials": [],
    }
    wrong = await run("CaseProgress", {"number": number, "verification": "0000"}, limiter=limiter)
    unknown = await run(
        "CaseProgress", {"number": "JN-20261120-999999", "verification": "5678"}, limiter=limiter
    )
    assert wrong["data"]["caseProgress"] is None
    assert unknown["data"]["caseProgress"] is None


async def test_progress_lookup_locks_a_number_after_failures(
    world: dict[str, Any], limiter: RedisRateLimiter
) -> None:
    number = (await accept(world))["number"]
    for tail in ("0001", "0002", "0003", "0004", "0005"):
        result = await run(
            "CaseProgress", {"number": number, "verification": tail}, limiter=limiter
        )
        assert result["data"]["caseProgress"] is None
    locked = await run("CaseProgress", {"number": number, "verification": "5678"}, limiter=limiter)
    error = locked["errors"][0]
    assert error["extensions"]["code"] == "THROTTLED"
    assert 0 < error["extensions"]["retryAfter"] <= 3600


async def test_progress_lookup_limits_each_client(
    world: dict[str, Any], limiter: RedisRateLimiter
) -> None:
    results = [
        await run("CaseProgress", {"number": f"X-{i}", "verification": "0000"}, limiter=limiter)
        for i in range(31)
    ]
    assert all(r["errors"] == [] for r in results[:30])
    assert results[30]["errors"][0]["extensions"]["code"] == "THROTTLED"


async def test_case_events_cannot_be_changed(world: dict[str, Any]) -> None:
    number = (await accept(world))["number"]
    case = await Case.get(number=number)
    with pytest.raises(RaiseError, match="immutable"):
        async with in_transaction():
            await connections.get("default").execute_query(
                "UPDATE case_event SET remark = 'x' WHERE case_id = $1", [case.id]
            )


async def test_intake_links_the_ticket_being_served(world: dict[str, Any]) -> None:
    from models.catalogue.rules import LaneDraft  # noqa: PLC0415
    from models.queue import actions as queue  # noqa: PLC0415
    from models.queue.tables import TicketChannel  # noqa: PLC0415

    lane = await catalogue.create_lane(
        SYSTEM_ACTOR, LaneDraft(hall_id=world["hall"].id, prefix="A", name="A类"), NOW
    )
    window = await f.window(world["hall"], "9")
    await catalogue.open_window(world["front"], window.id, NOW)
    request = queue.TicketRequest(world["hall"].id, lane.id, TicketChannel.KIOSK)
    served = (await queue.issue_ticket(None, request, NOW)).ticket
    waiting = (await queue.issue_ticket(None, request, NOW)).ticket
    await queue.call_next(world["front"], window.id, NOW)
    linked = await accept(world, ticketId=to_base64("Ticket", served.id))
    assert linked["ticketNumber"] == "A001"
    refused = await run(
        "CaseAccept",
        {"input": {"intake": intake(world, ticketId=to_base64("Ticket", waiting.id))}},
        actor=world["front"],
    )
    error = refused["data"]["caseAccept"]
    assert (error["code"], error["field"]) == ("NOT_FOUND", ["input", "intake", "ticketId"])


@pytest.mark.parametrize(
    ("op", "actor", "fields", "field"),
    [
        ("CaseSuspend", "clerk", {"reason": " "}, "reason"),
        ("CaseWithdraw", "front", {"reason": ""}, "reason"),
        ("CaseExtend", "chief", {"days": 2, "reason": ""}, "reason"),
        ("CaseForward", "clerk", {"authority": ""}, "authority"),
        ("CaseDeliver", "front", {"method": "WINDOW", "remark": "x" * 501}, "remark"),
    ],
)
async def test_required_reasons(
    world: dict[str, Any], op: str, actor: str, fields: dict[str, Any], field: str
) -> None:
    number = (await accept(world))["number"]
    result = await act(world, op, actor, number=number, **fields)
    assert (result["__typename"], result["field"]) == ("InputError", ["input", field])
    assert await events(number) == ["ACCEPTED"]


@pytest.mark.parametrize(
    ("op", "fields"),
    [
        ("CaseStartReview", {}),
        ("CaseSuspend", {"reason": "听证"}),
        ("CaseComplete", {"outcome": "APPROVED"}),
        ("CaseUnmask", {"purpose": "联系申请人"}),
    ],
)
async def test_unknown_cases_are_not_found(
    world: dict[str, Any], op: str, fields: dict[str, Any]
) -> None:
    result = await act(world, op, "admin", number="JN-20261120-999999", **fields)
    assert (result["__typename"], result["code"]) == ("NotFoundError", "NOT_FOUND")


async def test_case_views_from_records_equal_those_from_models(world: dict[str, Any]) -> None:
    """The hot reads build a case and its events from plain records, exactly as from models."""
    asked = await act(
        world,
        "CaseRequestCorrection",
        "front",
        intake=intake(world),
        missingMaterials=[{"name": "营业场所证明", "requirement": "原件"}, {"name": "经营者照片"}],
    )
    posted = (await accept(world))["number"]
    await act(world, "CaseComplete", "clerk", number=posted, outcome="APPROVED")
    await act(
        world,
        "CaseDeliver",
        "front",
        number=posted,
        method="POST",
        courier="中国邮政EMS",
        trackingNumber="1178901234567",
    )
    company = {"kind": "ORGANISATION", "name": "济南某某科技有限公司", "idNumber": COMPANY_ID}
    organisation = (await accept(world, applicant=company | {"contactName": "李四"}))["number"]
    for number in (asked["case"]["number"], posted, organisation):
        model = await Case.get(number=number)
        records = await records_of(Case.filter(number=number), case_queries.CASE_COLUMNS)
        view = CaseView.from_record(records[0])
        assert view == CaseView.from_row(model)
        assert view.applicant.phone == "139****5678"
        events = (await case_queries.events_by_case_ids([model.id]))[0]
        rows = await CaseEvent.filter(case_id=model.id).order_by("seq")
        assert [CaseEventView.from_record(e, number) for e in events] == [
            CaseEventView.from_row(r, number) for r in rows
        ]
    delivered = CaseView.from_record(
        (await records_of(Case.filter(number=posted), case_queries.CASE_COLUMNS))[0]
    )
    assert delivered.delivery is not None
    assert delivered.delivery.tracking_number == "1178901234567"
    assert delivered.outcome is not None


async def test_list_and_case_see_fields_selected_in_fragments(world: dict[str, Any]) -> None:
    """What a list counts or preloads follows fields named in inline and named fragments too."""
    number = (await accept(world))["number"]
    query = (
        "query($n: String!){cases(filter: {number: $n}){...Counted edges{node{...on Case{"
        "item{code}}}}} case(number: $n){...History}}"
        " fragment Counted on CaseConnection{totalCount}"
        " fragment History on Case{events{kind}}"
    )
    context = Context(actor=world["clerk"], tokens=TOKENS, clock=lambda: NOW)
    result = await schema.execute(query, variable_values={"n": number}, context_value=context)
    assert result.errors is None, result.errors
    assert result.data is not None
    assert result.data["cases"]["totalCount"] == 1
    assert result.data["cases"]["edges"][0]["node"]["item"]["code"] == "SC-001"
    assert result.data["case"]["events"] == [{"kind": "ACCEPTED"}]
