"""Ratings under real concurrency: several connections submitting, deciding and planning at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from models.accounts.tables import Role
from models.cases import actions, intake
from models.cases.rules import Applicant
from models.cases.tables import ApplicantKind, Outcome
from models.common.errors import Conflict, IllegalState
from models.evaluations.appeals import decide_appeal, file_appeal
from models.evaluations.follow_ups import plan_follow_ups
from models.evaluations.links import link_token
from models.evaluations.submit import Rating, submit
from models.evaluations.tables import (
    Evaluation,
    EvaluationAppeal,
    EvaluationChannel,
    FollowUp,
    Rectification,
    RectificationEvent,
)
from tests import factories as f

APPLICANT = Applicant(ApplicantKind.PERSON, "张三", "11010519491231002X", "13912345678")


@pytest.fixture
async def desk(committed: object) -> dict[str, Any]:
    hall = await f.hall("JN")
    dept = await f.department(hall, "SC", "市市场监管局")
    await f.item(dept, "SC-001")
    _, clerk = await f.user("clerk", Role.CLERK, of=hall, department_id=dept.id)
    _, chief = await f.user("chief", Role.CHIEF_REP, of=hall, department_id=dept.id)
    admins = [(await f.user(f"admin{n}", Role.ADMIN, of=hall))[1] for n in range(4)]
    cases = []
    for _ in range(3):
        case = await intake.accept(clerk, intake.Intake("SC-001", hall.id, APPLICANT), f.NOW)
        await actions.complete(clerk, case.number, Outcome.APPROVED, "", f.NOW)
        cases.append(case)
    return {"hall": hall, "clerk": clerk, "chief": chief, "admins": admins, "cases": cases}


def _link_rating(number: str, grade: int = 1) -> Rating:
    return Rating(
        channel=EvaluationChannel.SMS_LINK,
        grade=grade,
        tags=["SLOW"] if grade <= 2 else [],
        case_number=number,
        token=link_token(number),
    )


async def test_the_same_link_clicked_six_times_at_once_stores_one_rating(
    desk: dict[str, Any],
) -> None:
    number = desk["cases"][0].number
    results = await asyncio.gather(
        *(submit(None, _link_rating(number), f.NOW) for _ in range(6)), return_exceptions=True
    )
    stored = [r for r in results if isinstance(r, Evaluation)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(stored), len(refused)) == (1, 5), results
    assert all(r.code == "ALREADY_RATED" for r in refused)
    assert await Evaluation.all().count() == 1
    assert await Rectification.all().count() == 1  # no orphan from the losers' transactions
    assert await RectificationEvent.all().count() == 1


async def test_two_admins_deciding_one_appeal_give_one_decision(desk: dict[str, Any]) -> None:
    rating = await submit(None, _link_rating(desk["cases"][0].number), f.NOW)
    appeal = await file_appeal(desk["chief"], rating.id, "申请人误操作，已电话确认满意。", f.NOW)
    results = await asyncio.gather(
        *(
            decide_appeal(admin, appeal.id, n % 2 == 0, "核实情况", f.NOW)
            for n, admin in enumerate(desk["admins"])
        ),
        return_exceptions=True,
    )
    decided = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, IllegalState)]
    assert (len(decided), len(refused)) == (1, 3), results
    row = await EvaluationAppeal.get(id=appeal.id)
    winner = decided[0][0]
    assert row.status is winner.status
    assert (await Evaluation.get(id=rating.id)).counted is (row.status.value == "REJECTED")
    voids = await RectificationEvent.filter(kind="VOIDED").count()
    assert voids == (1 if row.status.value == "UPHELD" else 0)


async def test_follow_up_planning_in_several_workers_makes_one_task_per_case(
    desk: dict[str, Any],
) -> None:
    await submit(None, _link_rating(desk["cases"][0].number, grade=5), f.NOW)
    later = f.NOW + timedelta(days=5)
    results = await asyncio.gather(*(plan_follow_ups(later) for _ in range(4)))
    assert sum(r.calls.get("JN", 0) for r in results) == 2
    tasks = await FollowUp.all().order_by("case_id").values_list("case_id", flat=True)
    assert tasks == [desk["cases"][1].id, desk["cases"][2].id]  # the rated case needs no call
