"""Case deadlines across a year whose official calendar is not out yet, and its recomputation."""

from __future__ import annotations

from datetime import UTC, datetime

from models.accounts.tables import Role
from models.calendar.rules import YearSource
from models.calendar.tables import NATIONAL, CalendarYearRecord
from models.cases import actions, intake
from models.cases.deadlines import recompute_for_year
from models.cases.rules import Applicant
from models.cases.tables import ApplicantKind, Case, CaseEvent, Outcome
from models.catalogue import actions as catalogue
from models.common.actor import SYSTEM_ACTOR
from tests import factories as f

APPLICANT = Applicant(ApplicantKind.PERSON, "张三", "11010519491231002X", "13912345678")
CHRISTMAS_EVE = datetime(2026, 12, 24, 2, 0, tzinfo=UTC)  # Thursday, 10:00 in Shanghai


async def _ten_day_case(clerk: object, hall_id: int) -> Case:
    return await intake.accept(
        clerk,  # type: ignore[arg-type]
        intake.Intake(item_code="SC-010", hall_id=hall_id, applicant=APPLICANT),
        CHRISTMAS_EVE,
    )


async def test_year_boundary_case_is_provisional_until_the_notice(db: object) -> None:
    hall = await f.hall("JN")
    dept = await f.department(hall, "SC", "市市场监管局")
    await catalogue.create_item(
        SYSTEM_ACTOR,
        department_id=dept.id,
        code="SC-010",
        elements=f.elements(promised_limit=10),
        now=f.NOW,
    )
    _, clerk = await f.user("clerk1", Role.CLERK, of=hall, department_id=dept.id)
    case = await _ten_day_case(clerk, hall.id)
    # 2027 is not in any library yet: weekends only, so Friday 2027-01-01 counts.
    assert (str(case.due_on), case.due_provisional, case.calendar_years) == (
        "2027-01-07",
        True,
        [2026, 2027],
    )
    untouched = await _ten_day_case(clerk, hall.id)
    await actions.complete(clerk, untouched.number, Outcome.APPROVED, "", CHRISTMAS_EVE)

    await CalendarYearRecord.create(
        region=NATIONAL,
        year=2027,
        source=YearSource.NOTICE,
        holidays=["2027-01-01"],
        workdays=[],
        notice="国务院办公厅关于2027年部分节假日安排的通知",
        loaded_at=f.NOW,
    )
    loaded_at = datetime(2026, 12, 28, 8, 0, tzinfo=UTC)
    assert await recompute_for_year(NATIONAL, 2027, loaded_at) == 1
    moved = await Case.get(id=case.id)
    assert (str(moved.due_on), moved.due_provisional) == ("2027-01-08", False)
    audit = await CaseEvent.get(case_id=case.id, kind="DEADLINE_RECOMPUTED")
    assert audit.data["old_due"] == "2027-01-07"
    assert audit.data["new_due"] == "2027-01-08"
    assert (audit.data["old_provisional"], audit.data["new_provisional"]) == (True, False)
    assert audit.actor_name == "system"
    # Completed cases keep their history; a second run changes nothing.
    assert await CaseEvent.filter(case_id=untouched.id, kind="DEADLINE_RECOMPUTED").count() == 0
    assert await recompute_for_year(NATIONAL, 2027, loaded_at) == 0
    assert await CaseEvent.filter(kind="DEADLINE_RECOMPUTED").count() == 1


async def test_local_closures_push_deadlines(db: object) -> None:
    from models.calendar.tables import HallClosure  # noqa: PLC0415

    hall = await f.hall("JN")
    dept = await f.department(hall, "SC", "市市场监管局")
    await f.item(dept, "SC-001")
    await HallClosure.create(
        hall_id=hall.id, day="2026-11-24", reason="系统升级停止对外服务", created_at=f.NOW
    )
    _, clerk = await f.user("clerk1", Role.CLERK, of=hall, department_id=dept.id)
    case = await intake.accept(
        clerk, intake.Intake(item_code="SC-001", hall_id=hall.id, applicant=APPLICANT), f.NOW
    )
    assert str(case.due_on) == "2026-11-26"  # Mon 23, (Tue 24 closed), Wed 25, Thu 26


async def test_library_years_are_stored_once_and_never_over_a_notice(db: object) -> None:
    from models.calendar.actions import store_library_years  # noqa: PLC0415
    from models.calendar.library import library_years  # noqa: PLC0415

    await CalendarYearRecord.create(
        region=NATIONAL, year=2026, source=YearSource.NOTICE, holidays=["2026-01-01"],
        workdays=[], notice="地方转发通知", loaded_at=f.NOW,
    )  # fmt: skip
    stored = await store_library_years(f.NOW)
    assert stored == len(library_years()) - 1
    assert await store_library_years(f.NOW) == 0
    kept = await CalendarYearRecord.get(region=NATIONAL, year=2026)
    assert (kept.source, kept.holidays) == (YearSource.NOTICE, ["2026-01-01"])
    assert (await CalendarYearRecord.get(region=NATIONAL, year=2025)).source is YearSource.LIBRARY


async def test_year_boundary_through_calendar_year_set_and_the_job(db: object) -> None:
    from tests.operations import run  # noqa: PLC0415
    from workers.jobs import recompute_deadlines  # noqa: PLC0415

    hall = await f.hall("JN")
    dept = await f.department(hall, "SC", "市市场监管局")
    await catalogue.create_item(
        SYSTEM_ACTOR,
        department_id=dept.id,
        code="SC-010",
        elements=f.elements(promised_limit=10),
        now=f.NOW,
    )
    _, clerk = await f.user("clerk1", Role.CLERK, of=hall, department_id=dept.id)
    _, city_admin = await f.user("cityadmin", Role.ADMIN)
    case = await _ten_day_case(clerk, hall.id)
    assert (str(case.due_on), case.due_provisional) == ("2027-01-07", True)
    notice = {
        "year": 2027,
        "holidays": ["2027-01-01"],
        "workdays": [],
        "notice": "国务院办公厅关于2027年部分节假日安排的通知",
    }
    loaded = await run("CalendarYearSet", {"input": notice}, actor=city_admin)
    assert loaded["data"]["calendarYearSet"]["calendar"]["source"] == "NOTICE"
    assert await recompute_deadlines({}, NATIONAL, 2027) == 1
    moved = await Case.get(id=case.id)
    assert (str(moved.due_on), moved.due_provisional) == ("2027-01-08", False)
