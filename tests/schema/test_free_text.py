"""Free text (comments, notes, a caller's words) shows ID and phone numbers masked, and the names
of the people a case or work order is about; stored as written."""

from __future__ import annotations

from typing import Any

import pytest

from models.cases import actions as case_actions
from models.cases.tables import Outcome
from models.evaluations.tables import Evaluation
from models.workorders.tables import WorkOrder, WorkOrderEvent
from schema.types.masking import known_names, mask_free_text
from tests import factories as f
from tests.operations import run
from tests.schema import test_evaluations, test_work_orders
from tests.schema.test_evaluations import _pad
from tests.schema.test_work_orders import MONDAY, _call, _dispatch

# The two modules' fixtures: a hall with a case at a window, and a hotline centre.
hall = test_evaluations.hall
centre = test_work_orders.centre

PHONE = "13987650123"
ID_NUMBER = "370102198503123474"
WORDS = f"请回电{PHONE}，身份证{ID_NUMBER}，座机0531-86123456"
MASKED = "请回电139****0123，身份证370102********3474，座机0531-****3456"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (WORDS, MASKED),
        ("手机 +86 139 8765 0123 或 139-8765-0123", "手机 139****0123 或 139****0123"),
        ("旧证370102850312347末尾", "旧证370102*****2347末尾"),
        ("证号37010219850312347x。", "证号370102********347X。"),
        # Numbers that are not a person's: case and order numbers, tracking numbers, long runs.
        ("办件GEN-20201231-000001", "办件GEN-20201231-000001"),
        ("工单GD-JN-20261123-000001", "工单GD-JN-20261123-000001"),
        ("运单SF1234567890123", "运单SF1234567890123"),
        ("流水号139876501234567890123", "流水号139876501234567890123"),
        ("跑了三趟，等了2小时", "跑了三趟，等了2小时"),
        ("", ""),
    ],
)
def test_numbers_in_free_text_are_masked(text: str, shown: str) -> None:
    assert mask_free_text(text) == shown


def test_known_names_in_free_text_are_masked() -> None:
    names = known_names(("张三", True), ("张三丰", True), ("济南某某有限公司", False), ("王", True))
    assert names == {"张三": "张*", "张三丰": "张**", "济南某某有限公司": "济南****公司"}
    assert (
        mask_free_text(f"张三丰和张三代济南某某有限公司来办，王老师陪同，电话{PHONE}", names)
        == "张**和张*代济南****公司来办，王老师陪同，电话139****0123"
    )
    assert mask_free_text("无关的话", names) == "无关的话"
    assert mask_free_text("张三来过", None) == "张三来过"


async def test_a_rating_comment_shows_the_raters_numbers_masked(hall: dict[str, Any]) -> None:
    submitted = await run(
        "EvaluationSubmit", _pad(hall, 2, ["SLOW"], comment=WORDS), actor=hall["clerk"]
    )
    assert submitted["data"]["evaluationSubmit"]["evaluation"]["comment"] == MASKED
    listed = await run("Evaluations", {}, actor=hall["admin"])
    assert listed["data"]["evaluations"]["nodes"][0]["comment"] == MASKED
    assert PHONE not in str(listed)
    assert ID_NUMBER not in str(listed)
    # Kept as written: masking is for display only.
    assert (await Evaluation.get()).comment == WORDS


async def test_a_work_orders_words_and_notes_show_numbers_masked(centre: dict[str, Any]) -> None:
    created = await run(
        "WorkOrderCreate", _call(centre, content=WORDS), actor=centre["operator"], now=MONDAY
    )
    order = created["data"]["workOrderCreate"]["workOrder"]
    assert order["content"] == MASKED
    number = order["number"]
    await _dispatch(centre, number)
    await run(
        "WorkOrderSign", {"input": {"number": number}}, actor=centre["roads_clerk"], now=MONDAY
    )
    replied = await run(
        "WorkOrderReply",
        {"input": {"number": number, "reply": f"已电话联系{PHONE}"}},
        actor=centre["roads_chief"],
        now=MONDAY,
    )
    assert replied["data"]["workOrderReply"]["workOrder"]["reply"] == "已电话联系139****0123"
    detail = await run("WorkOrderDetail", {"number": number}, actor=centre["operator"])
    notes = [e["note"] for e in detail["data"]["workOrder"]["events"]]
    assert "已电话联系139****0123" in notes
    assert PHONE not in str(detail)
    assert ID_NUMBER not in str(detail)
    stored = await WorkOrder.get(number=number)
    assert stored.content == WORDS
    assert await WorkOrderEvent.filter(note=f"已电话联系{PHONE}").exists()


async def test_a_cases_remarks_show_numbers_masked(hall: dict[str, Any]) -> None:
    """A suspension's reason, its event's remark and a denial's reasons, in the case detail."""
    number = hall["case"].number
    await case_actions.suspend(hall["clerk"], number, f"等待申请人补充材料，电话{PHONE}", f.NOW)
    await case_actions.resume(hall["clerk"], number, f.NOW)
    await case_actions.complete(
        hall["clerk"], number, Outcome.DENIED, f"身份证{ID_NUMBER}已注销", f.NOW
    )
    detail = await run("CaseDetail", {"number": number}, actor=hall["admin"])
    case = detail["data"]["case"]
    assert case["suspensions"][0]["reason"] == "等待申请人补充材料，电话139****0123"
    assert case["decisionNote"] == "身份证370102********3474已注销"
    remarks = [e["remark"] for e in case["events"]]
    assert "等待申请人补充材料，电话139****0123" in remarks
    assert PHONE not in str(detail)
    assert ID_NUMBER not in str(detail)
    listed = await run("Cases", {}, actor=hall["admin"])
    assert ID_NUMBER not in str(listed)


async def test_a_work_orders_texts_show_the_callers_name_masked(centre: dict[str, Any]) -> None:
    """The caller (李四) named in what they said, in the reply and in an event's note."""
    created = await run(
        "WorkOrderCreate",
        _call(centre, content="我是李四，路灯坏了"),
        actor=centre["operator"],
        now=MONDAY,
    )
    order = created["data"]["workOrderCreate"]["workOrder"]
    assert order["content"] == "我是李*，路灯坏了"
    number = order["number"]
    await _dispatch(centre, number)
    await run(
        "WorkOrderSign", {"input": {"number": number}}, actor=centre["roads_clerk"], now=MONDAY
    )
    await run(
        "WorkOrderReply",
        {"input": {"number": number, "reply": "已联系李四，明日维修"}},
        actor=centre["roads_chief"],
        now=MONDAY,
    )
    detail = await run("WorkOrderDetail", {"number": number}, actor=centre["operator"])
    shown = detail["data"]["workOrder"]
    assert shown["reply"] == "已联系李*，明日维修"
    assert "已联系李*，明日维修" in [e["note"] for e in shown["events"]]
    assert "李四" not in str(detail)
    assert (await WorkOrder.get(number=number)).reply == "已联系李四，明日维修"


async def test_a_cases_remarks_show_the_applicants_name_masked(hall: dict[str, Any]) -> None:
    """The applicant named in a suspension's reason, its event's remark and the decision note."""
    case = hall["case"]
    name = case.applicant_name
    assert len(name) >= 2
    masked = known_names((name, True))[name]
    await case_actions.suspend(hall["clerk"], case.number, f"等待{name}补充材料", f.NOW)
    await case_actions.resume(hall["clerk"], case.number, f.NOW)
    await case_actions.complete(
        hall["clerk"], case.number, Outcome.DENIED, f"{name}的材料不全", f.NOW
    )
    detail = await run("CaseDetail", {"number": case.number}, actor=hall["admin"])
    shown = detail["data"]["case"]
    assert shown["suspensions"][0]["reason"] == f"等待{masked}补充材料"
    assert shown["decisionNote"] == f"{masked}的材料不全"
    assert f"等待{masked}补充材料" in [e["remark"] for e in shown["events"]]
    assert name not in str(detail)
