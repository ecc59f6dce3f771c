"""Cases under real concurrency: several connections acting on one case at the same instant."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from models.accounts.tables import Role
from models.cases import actions, intake
from models.cases.errors import CaseStateError
from models.cases.rules import Applicant
from models.cases.tables import ApplicantKind, Case, CaseEvent, CaseStatus, Outcome
from models.notifications.tables import Notification
from tests import factories as f

APPLICANT = Applicant(ApplicantKind.PERSON, "张三", "11010519491231002X", "13912345678")


@pytest.fixture
async def desk(committed: object) -> dict[str, Any]:
    hall = await f.hall("JN")
    dept = await f.department(hall, "SC", "市市场监管局")
    await f.item(dept, "SC-001")
    clerks = [
        (await f.user(f"clerk{n}", Role.CLERK, of=hall, department_id=dept.id))[1] for n in range(6)
    ]
    return {"hall": hall, "clerks": clerks}


def _intake(desk: dict[str, Any]) -> intake.Intake:
    return intake.Intake(item_code="SC-001", hall_id=desk["hall"].id, applicant=APPLICANT)


async def test_two_clerks_completing_one_case_at_once(desk: dict[str, Any]) -> None:
    case = await intake.accept(desk["clerks"][0], _intake(desk), f.NOW)
    results = await asyncio.gather(
        *(
            actions.complete(clerk, case.number, Outcome.APPROVED, "", f.NOW)
            for clerk in desk["clerks"]
        ),
        return_exceptions=True,
    )
    done = [r for r in results if isinstance(r, Case)]
    refused = [r for r in results if isinstance(r, CaseStateError)]
    assert (len(done), len(refused)) == (1, 5), results
    assert all(r.current_state == "COMPLETED" for r in refused)
    kinds = [
        str(k)
        for k in await CaseEvent.filter(case_id=case.id)
        .order_by("seq")
        .values_list("kind", flat=True)
    ]
    assert kinds == ["ACCEPTED", "COMPLETED"]
    assert await Notification.filter(case_id=case.id, kind="CASE_COMPLETED").count() == 1


async def test_complete_and_withdraw_race_gives_one_outcome(desk: dict[str, Any]) -> None:
    case = await intake.accept(desk["clerks"][0], _intake(desk), f.NOW)
    clerk = desk["clerks"][1]
    results = await asyncio.gather(
        actions.complete(clerk, case.number, Outcome.APPROVED, "", f.NOW),
        actions.withdraw(clerk, case.number, "申请人撤回", f.NOW),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Case) for r in results) == 1, results
    assert sum(isinstance(r, CaseStateError) for r in results) == 1, results
    row = await Case.get(id=case.id)
    assert row.status in {CaseStatus.COMPLETED, CaseStatus.WITHDRAWN}
    assert row.event_count == 2
    assert await CaseEvent.filter(case_id=case.id).count() == 2


async def test_simultaneous_intakes_get_distinct_consecutive_numbers(desk: dict[str, Any]) -> None:
    clerks = desk["clerks"]
    cases = await asyncio.gather(
        *(intake.accept(clerks[n % len(clerks)], _intake(desk), f.NOW) for n in range(20))
    )
    numbers = sorted(c.number for c in cases)
    assert numbers == [f"JN-20261120-{n:06d}" for n in range(1, 21)]
