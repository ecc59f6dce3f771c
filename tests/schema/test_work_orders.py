"""12345 work orders through GraphQL: the closed loop, every refusal, chasing, figures, scoping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from strawberry.relay import to_base64

from models.accounts.tables import Role
from models.alerts.scan import scan_deadlines
from models.notifications.tables import Notification
from models.workorders.tables import WorkOrder, WorkOrderEvent
from tests import factories as f
from tests.operations import run

MONDAY = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def gid(kind: str, pk: int) -> str:
    """A global id."""
    return to_base64(kind, pk)


def shanghai(day: date, hour: int = 10) -> datetime:
    """A wall-clock moment in Shanghai, as UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=8)


@pytest.fixture
async def centre(db: object) -> dict[str, Any]:
    hall = await f.hall("JN")
    roads = await f.department(hall, "JT", "市交通运输局")
    housing = await f.department(hall, "ZJ", "市住建局")
    _, operator = await f.user("op1", Role.HOTLINE, of=hall)
    _, supervisor = await f.user("office", Role.SUPERVISOR, of=hall)
    _, roads_chief = await f.user("jt_chief", Role.CHIEF_REP, of=hall, department_id=roads.id)
    _, roads_clerk = await f.user("jt_clerk", Role.CLERK, of=hall, department_id=roads.id)
    _, housing_chief = await f.user("zj_chief", Role.CHIEF_REP, of=hall, department_id=housing.id)
    _, screen = await f.user("screen", Role.MONITOR, of=hall)
    _, outsider = await f.user("qd_op", Role.HOTLINE, of=await f.hall("QD"))
    return {
        "hall": hall,
        "roads": roads,
        "housing": housing,
        "operator": operator,
        "supervisor": supervisor,
        "roads_chief": roads_chief,
        "roads_clerk": roads_clerk,
        "housing_chief": housing_chief,
        "screen": screen,
        "outsider": outsider,
    }


def _call(centre: dict[str, Any], category: str = "COMPLAINT", **extra: Any) -> dict[str, Any]:
    return {
        "input": {
            "hallId": gid("Hall", centre["hall"].id),
            "category": category,
            "callerName": "李四",
            "callerPhone": "13987654321",
            "content": "小区门口路灯损坏一周无人修理",
            "location": "历下区文化东路",
            **extra,
        }
    }


async def _new(centre: dict[str, Any], category: str = "COMPLAINT", **extra: Any) -> str:
    created = await run(
        "WorkOrderCreate", _call(centre, category, **extra), actor=centre["operator"], now=MONDAY
    )
    return str(created["data"]["workOrderCreate"]["workOrder"]["number"])


async def _dispatch(
    centre: dict[str, Any], number: str, department: str = "roads"
) -> dict[str, Any]:
    variables = {
        "input": {"number": number, "departmentId": gid("Department", centre[department].id)}
    }
    return await run("WorkOrderDispatch", variables, actor=centre["operator"], now=MONDAY)


async def test_the_closed_loop_from_call_to_callback(centre: dict[str, Any]) -> None:
    created = await run("WorkOrderCreate", _call(centre), actor=centre["operator"], now=MONDAY)
    order = created["data"]["workOrderCreate"]["workOrder"]
    assert order["number"] == "GD-JN-20261123-000001"
    assert (order["status"], order["callerName"], order["callerPhone"]) == (
        "RECEIVED",
        "李*",
        "139****4321",
    )
    number = order["number"]
    dispatched = (await _dispatch(centre, number))["data"]["workOrderDispatch"]["workOrder"]
    # A complaint: 13 working days from Monday 23 November 2026.
    assert (dispatched["status"], dispatched["dueOn"]) == ("DISPATCHED", "2026-12-10")
    signed = await run(
        "WorkOrderSign", {"input": {"number": number}}, actor=centre["roads_clerk"], now=MONDAY
    )
    assert signed["data"]["workOrderSign"]["workOrder"]["status"] == "SIGNED"
    replied = await run(
        "WorkOrderReply",
        {"input": {"number": number, "reply": "已安排维修人员更换路灯"}},
        actor=centre["roads_chief"],
        now=MONDAY + timedelta(days=2),
    )
    answer = replied["data"]["workOrderReply"]["workOrder"]
    assert (answer["status"], answer["onTime"]) == ("REPLIED", True)
    closed = await run(
        "WorkOrderCallback",
        {"input": {"number": number, "satisfaction": "SATISFIED"}},
        actor=centre["operator"],
        now=MONDAY + timedelta(days=3),
    )
    assert closed["data"]["workOrderCallback"]["workOrder"]["status"] == "CLOSED"
    detail = await run("WorkOrderDetail", {"number": number}, actor=centre["supervisor"])
    events = detail["data"]["workOrder"]["events"]
    assert [e["kind"] for e in events] == [
        "CREATED",
        "DISPATCHED",
        "SIGNED",
        "REPLIED",
        "CALLBACK",
        "CLOSED",
    ]
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5, 6]


async def test_each_move_is_refused_to_the_wrong_people_and_states(centre: dict[str, Any]) -> None:
    number = await _new(centre)
    not_yet = await run("WorkOrderSign", {"input": {"number": number}}, actor=centre["roads_chief"])
    assert not_yet["data"]["workOrderSign"]["code"] == "NOT_FOUND"  # not theirs until dispatched
    by_department = await run("WorkOrderCreate", _call(centre), actor=centre["roads_chief"])
    assert by_department["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    await _dispatch(centre, number)
    other = await run("WorkOrderSign", {"input": {"number": number}}, actor=centre["housing_chief"])
    assert other["data"]["workOrderSign"]["code"] == "NOT_FOUND"
    early_reply = await run(
        "WorkOrderReply",
        {"input": {"number": number, "reply": "已处理完毕"}},
        actor=centre["roads_chief"],
    )
    assert early_reply["data"]["workOrderReply"]["currentState"] == "DISPATCHED"
    early_callback = await run(
        "WorkOrderCallback",
        {"input": {"number": number, "satisfaction": "SATISFIED"}},
        actor=centre["operator"],
    )
    assert early_callback["data"]["workOrderCallback"]["code"] == "WORK_ORDER_STATE"
    order = await WorkOrder.get(number=number)
    assert (order.status.value, order.event_count) == ("DISPATCHED", 2)
    assert await WorkOrderEvent.filter(order_id=order.id).count() == 2


async def test_bad_input_names_every_field(centre: dict[str, Any]) -> None:
    bad = _call(
        centre,
        callerPhone="call me",
        content="灯",
        district="37A",
        attachments=[{"name": "照片", "ref": "javascript:alert(1)"}],
    )
    result = await run("WorkOrderCreate", bad, actor=centre["operator"])
    violations = result["data"]["workOrderCreate"]["violations"]
    assert [(v["field"], v["code"]) for v in violations] == [
        (["input", "callerPhone"], "INVALID_FORMAT"),
        (["input", "content"], "TOO_SHORT"),
        (["input", "district"], "INVALID_FORMAT"),
        (["input", "attachments", "0", "ref"], "INVALID_FORMAT"),
    ]
    assert await WorkOrder.all().count() == 0
    number = await _new(centre)
    wrong = {
        "input": {
            "number": number,
            "departmentId": gid("Department", centre["roads"].id),
            "coDepartmentIds": [gid("Department", centre["roads"].id)],
        }
    }
    refused = await run("WorkOrderDispatch", wrong, actor=centre["operator"])
    assert refused["data"]["workOrderDispatch"]["violations"] == [
        {"field": ["input", "coDepartmentIds", "0"], "code": "INVALID"}
    ]
    assert (await WorkOrder.get(number=number)).status.value == "RECEIVED"


async def test_return_and_redispatch(centre: dict[str, Any]) -> None:
    number = await _new(centre)
    await _dispatch(centre, number, "housing")
    short = await run(
        "WorkOrderReturn",
        {"input": {"number": number, "reason": "否"}},
        actor=centre["housing_chief"],
    )
    assert short["data"]["workOrderReturn"]["code"] == "TOO_SHORT"
    returned = await run(
        "WorkOrderReturn",
        {"input": {"number": number, "reason": "路灯由交通运输局管理"}},
        actor=centre["housing_chief"],
        now=MONDAY,
    )
    order = returned["data"]["workOrderReturn"]["workOrder"]
    assert (order["status"], order["department"], order["returns"], order["dueOn"]) == (
        "RETURNED",
        None,
        1,
        None,
    )
    gone = await run("WorkOrders", {}, actor=centre["housing_chief"])
    assert gone["data"]["workOrders"]["totalCount"] == 0
    again = (await _dispatch(centre, number, "roads"))["data"]["workOrderDispatch"]["workOrder"]
    assert (again["status"], again["department"]["name"]) == ("DISPATCHED", "市交通运输局")


async def test_extension_is_requested_by_the_department_and_decided_by_the_centre(
    centre: dict[str, Any],
) -> None:
    number = await _new(centre, "ENQUIRY")
    await _dispatch(centre, number)  # due Thursday 26 November (3 working days)
    ask = {"input": {"number": number, "action": "REQUEST", "days": 2, "reason": "需现场勘查"}}
    by_operator = await run("WorkOrderExtend", ask, actor=centre["operator"])
    assert by_operator["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    requested = await run("WorkOrderExtend", ask, actor=centre["roads_chief"], now=MONDAY)
    assert requested["data"]["workOrderExtend"]["workOrder"]["extensionRequestedDays"] == 2
    twice = await run("WorkOrderExtend", ask, actor=centre["roads_chief"], now=MONDAY)
    assert twice["data"]["workOrderExtend"]["code"] == "EXTENSION_STATE"
    approve = {"input": {"number": number, "action": "APPROVE"}}
    self_approval = await run("WorkOrderExtend", approve, actor=centre["roads_chief"])
    assert self_approval["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    approved = await run("WorkOrderExtend", approve, actor=centre["supervisor"], now=MONDAY)
    order = approved["data"]["workOrderExtend"]["workOrder"]
    assert (order["dueOn"], order["extensionDays"], order["extensionRequestedDays"]) == (
        "2026-11-30",
        2,
        None,
    )
    nothing = await run("WorkOrderExtend", approve, actor=centre["supervisor"])
    assert nothing["data"]["workOrderExtend"]["code"] == "NO_EXTENSION_REQUEST"


async def test_unsatisfied_callback_sends_it_back_once_then_closes(centre: dict[str, Any]) -> None:
    number = await _new(centre)
    await _dispatch(centre, number)
    for round_ in range(2):
        await run("WorkOrderSign", {"input": {"number": number}}, actor=centre["roads_chief"])
        await run(
            "WorkOrderReply",
            {"input": {"number": number, "reply": f"第{round_ + 1}次处理结果"}},
            actor=centre["roads_chief"],
            now=MONDAY + timedelta(days=1),
        )
        result = await run(
            "WorkOrderCallback",
            {"input": {"number": number, "satisfaction": "UNSATISFIED", "note": "路灯仍不亮"}},
            actor=centre["operator"],
            now=MONDAY + timedelta(days=2),
        )
        order = result["data"]["workOrderCallback"]["workOrder"]
        if round_ == 0:  # rework (重办): back to the department with 5 working days
            assert (order["status"], order["reworks"], order["dueOn"]) == (
                "DISPATCHED",
                1,
                "2026-12-02",
            )
        else:  # the centre's limit is one rework: closed unsatisfied
            assert (order["status"], order["satisfaction"]) == ("CLOSED", "UNSATISFIED")
    reopened = await run(
        "WorkOrderReopen",
        {"input": {"number": number, "reason": "市民再次来电反映未修复"}},
        actor=centre["supervisor"],
        now=MONDAY + timedelta(days=3),
    )
    assert reopened["data"]["workOrderReopen"]["workOrder"]["status"] == "DISPATCHED"
    assert reopened["data"]["workOrderReopen"]["workOrder"]["reworks"] == 2


async def test_duplicate_calls_are_linked_not_counted(centre: dict[str, Any]) -> None:
    first = await _new(centre)
    second = await _new(centre, duplicateOf=first)
    detail = await run("WorkOrderDetail", {"number": second}, actor=centre["operator"])
    order = detail["data"]["workOrder"]
    assert (order["status"], order["counted"], order["duplicateOf"]["number"]) == (
        "MERGED",
        False,
        first,
    )
    master = await run("WorkOrderDetail", {"number": first}, actor=centre["operator"])
    assert master["data"]["workOrder"]["repeatCalls"] == 1
    assert [o["number"] for o in master["data"]["workOrder"]["sameCaller"]] == [second]
    filter_ = {"hallId": gid("Hall", centre["hall"].id), "from": "2026-11-01", "to": "2026-11-30"}
    figures = await run(
        "WorkOrderStatistics", {"filter": filter_, "groupBy": "HALL"}, actor=centre["supervisor"]
    )
    assert figures["data"]["workOrderStatistics"][0]["received"] == 1
    assert figures["data"]["workOrderStatistics"][0]["repeatCalls"] == 1
    nested = await run(
        "WorkOrderCreate", _call(centre, duplicateOf=second), actor=centre["operator"]
    )
    assert nested["data"]["workOrderCreate"]["code"] == "NOT_MERGEABLE"


async def test_breach_urges_then_reports_once_each(centre: dict[str, Any]) -> None:
    number = await _new(centre, "ENQUIRY")
    await _dispatch(centre, number)  # due Thursday 26 November
    assert (await scan_deadlines(shanghai(date(2026, 11, 26)))).work_orders == {"YELLOW": 1}
    friday = await scan_deadlines(shanghai(date(2026, 11, 27)))
    assert friday.work_orders == {"RED": 1}
    assert (await scan_deadlines(shanghai(date(2026, 11, 27), 15))).work_orders == {}
    # 5 working days after the due date is Thursday 3 December: reported the day after.
    assert (await scan_deadlines(shanghai(date(2026, 12, 3)))).work_orders == {}
    assert (await scan_deadlines(shanghai(date(2026, 12, 4)))).work_orders == {"REPORTED": 1}
    assert (await scan_deadlines(shanghai(date(2026, 12, 7)))).work_orders == {}
    texts = await Notification.filter(dedupe_key__startswith="work_order:").order_by("id")
    # 催办 to the department's chief representative, 通报 to the centre's supervisor.
    assert [(t.params["step"], t.params["target"]) for t in texts] == [
        (1, "CHIEF_REP"),
        (2, "SUPERVISOR"),
    ]
    order = await WorkOrder.get(number=number)
    assert order.alert_level.value == "RED"
    assert order.reported_at is not None


async def test_figures_by_department_and_the_slowest(centre: dict[str, Any]) -> None:
    late = await _new(centre, "ENQUIRY")
    await _dispatch(centre, late, "housing")
    await run("WorkOrderSign", {"input": {"number": late}}, actor=centre["housing_chief"])
    await run(
        "WorkOrderReply",
        {"input": {"number": late, "reply": "已处理，超期"}},
        actor=centre["housing_chief"],
        now=MONDAY + timedelta(days=10),
    )
    quick = await _new(centre)
    await _dispatch(centre, quick)
    await run("WorkOrderSign", {"input": {"number": quick}}, actor=centre["roads_chief"])
    await run(
        "WorkOrderReply",
        {"input": {"number": quick, "reply": "当日处理完毕"}},
        actor=centre["roads_chief"],
        now=MONDAY,
    )
    await run(
        "WorkOrderCallback",
        {"input": {"number": quick, "satisfaction": "BASICALLY_SATISFIED"}},
        actor=centre["operator"],
        now=MONDAY,
    )
    filter_ = {"hallId": gid("Hall", centre["hall"].id), "from": "2026-11-01", "to": "2026-11-30"}
    rows = await run("WorkOrderStatistics", {"filter": filter_}, actor=centre["supervisor"])
    report = {r["department"]["name"]: r for r in rows["data"]["workOrderStatistics"]}
    assert report["市交通运输局"]["key"].endswith("/2026-11")
    assert report["市交通运输局"]["satisfaction"] == {
        "numerator": 1,
        "denominator": 1,
        "value": 1.0,
    }
    assert report["市住建局"]["onTime"] == {"numerator": 0, "denominator": 1, "value": 0.0}
    ranking = await run("WorkOrderRankings", {"filter": filter_}, actor=centre["supervisor"])
    assert [r["department"]["name"] for r in ranking["data"]["workOrderRankings"]] == [
        "市住建局",
        "市交通运输局",
    ]
    # A department sees its own row only; a screen nothing.
    own = await run("WorkOrderStatistics", {"filter": filter_}, actor=centre["roads_chief"])
    assert [r["department"]["name"] for r in own["data"]["workOrderStatistics"]] == ["市交通运输局"]
    screen = await run("WorkOrderStatistics", {"filter": filter_}, actor=centre["screen"])
    assert screen["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    wide = {**filter_, "from": "2020-01-01"}
    too_long = await run("WorkOrderStatistics", {"filter": wide}, actor=centre["supervisor"])
    assert too_long["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_orders_are_scoped_and_callers_masked(centre: dict[str, Any]) -> None:
    number = await _new(centre)
    await _dispatch(centre, number)
    mine = await run("WorkOrders", {}, actor=centre["roads_clerk"])
    assert mine["data"]["workOrders"]["nodes"][0]["callerPhone"] == "139****4321"
    assert (await run("WorkOrders", {}, actor=centre["housing_chief"]))["data"]["workOrders"][
        "totalCount"
    ] == 0
    assert (await run("WorkOrders", {}, actor=centre["outsider"]))["data"]["workOrders"][
        "totalCount"
    ] == 0
    screen = await run("WorkOrders", {}, actor=centre["screen"])
    assert screen["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    by_phone = await run(
        "WorkOrders", {"filter": {"callerPhone": "13987654321"}}, actor=centre["roads_chief"]
    )
    assert by_phone["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    found = await run(
        "WorkOrders", {"filter": {"callerPhone": "13987654321"}}, actor=centre["operator"]
    )
    assert found["data"]["workOrders"]["totalCount"] == 1
    missing = await run("WorkOrderDetail", {"number": number}, actor=centre["outsider"])
    assert missing["data"]["workOrder"] is None


async def test_the_centre_sets_its_limits(centre: dict[str, Any]) -> None:
    hall_id = gid("Hall", centre["hall"].id)
    defaults = await run("WorkOrderPolicy", {"hallId": hall_id}, actor=centre["operator"])
    limits = {
        x["category"]: x["workingDays"] for x in defaults["data"]["workOrderPolicy"]["limits"]
    }
    assert limits == {"EMERGENCY": 0, "ENQUIRY": 3, "HELP": 3, "COMPLAINT": 13, "SUGGESTION": 13}
    wanted = {"hallId": hall_id, "limits": [{"category": "COMPLAINT", "workingDays": 10}]}
    by_operator = await run("WorkOrderPolicySet", {"input": wanted}, actor=centre["operator"])
    assert by_operator["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = {**wanted, "limits": [{"category": "HELP", "workingDays": 90}], "maxReworks": 9}
    refused = await run("WorkOrderPolicySet", {"input": bad}, actor=centre["supervisor"])
    assert [
        (v["field"], v["code"]) for v in refused["data"]["workOrderPolicySet"]["violations"]
    ] == [
        (["input", "limits", "HELP"], "OUT_OF_RANGE"),
        (["input", "maxReworks"], "OUT_OF_RANGE"),
    ]
    stored = await run("WorkOrderPolicySet", {"input": wanted}, actor=centre["supervisor"])
    assert stored["data"]["workOrderPolicySet"]["policy"]["version"] == 1
    number = await _new(centre)
    dispatched = (await _dispatch(centre, number))["data"]["workOrderDispatch"]["workOrder"]
    assert dispatched["dueOn"] == "2026-12-07"  # 10 working days from Monday 23 November
