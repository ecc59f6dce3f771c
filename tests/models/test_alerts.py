"""Yellow and red cards, their clearing, and the escalation ladder, through the deadline scan."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from models.accounts.tables import Role
from models.alerts.board import publish_pending
from models.alerts.policy import set_policy
from models.alerts.rules import EscalationStep, EscalationTarget, yellow_start
from models.alerts.scan import scan_deadlines
from models.alerts.tables import AlertEvent, AlertPolicy, CaseAlert, ClearReason
from models.calendar.queries import region_calendar
from models.calendar.rules import CountUnit, remaining_days
from models.cases import actions, intake
from models.cases.deadlines import recompute_for_hall
from models.cases.rules import Applicant
from models.cases.tables import AlertLevel, ApplicantKind, Case, Outcome
from models.catalogue import actions as catalogue
from models.catalogue.tables import Hall
from models.common.actor import SYSTEM_ACTOR, Actor
from models.common.errors import Forbidden, InvalidInput
from models.notifications.tables import Notification, NotificationKind
from models.notifications.templates import DEFAULT_TEXTS, render
from tests import factories as f

APPLICANT = Applicant(ApplicantKind.PERSON, "张三", "11010519491231002X", "13912345678")


def shanghai(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock moment in Shanghai, as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


async def _setup() -> tuple[Hall, Actor, Actor]:
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
    _, chief = await f.user("rep_sc", Role.CHIEF_REP, of=hall, department_id=dept.id)
    await f.user("supervisor", Role.SUPERVISOR, of=hall)
    return hall, clerk, chief


async def _case(clerk: Actor, hall: Hall) -> Case:
    # Friday 2026-11-20: ten working days -> due Friday 2026-12-04, yellow from Tuesday 12-01.
    return await intake.accept(clerk, intake.Intake("SC-010", hall.id, APPLICANT), f.NOW)


async def test_yellow_start_matches_the_days_left(db: object) -> None:
    calendar = await region_calendar("370100")
    for offset in range(0, 60, 3):
        due = date(2026, 9, 20) + timedelta(days=offset)
        for threshold in (0, 1, 3, 5):
            start = yellow_start(calendar, due, threshold, 20, CountUnit.WORKING)
            assert start is not None
            left = remaining_days(calendar, start, due, CountUnit.WORKING)
            before = remaining_days(calendar, start - timedelta(days=1), due, CountUnit.WORKING)
            assert (left <= threshold, before > threshold) == (True, True), (due, threshold)
    # A limit within the threshold gets no yellow card (it would be yellow at once).
    assert yellow_start(calendar, date(2026, 12, 4), 3, 3, CountUnit.WORKING) is None


async def test_yellow_then_red_once_each_and_cleared_on_completion(db: object) -> None:
    hall, clerk, chief = await _setup()
    case = await _case(clerk, hall)
    assert (str(case.due_on), str(case.yellow_on)) == ("2026-12-04", "2026-12-01")

    assert (await scan_deadlines(shanghai(date(2026, 11, 30), 10))).raised == {}
    first = await scan_deadlines(shanghai(date(2026, 12, 1), 0, 5))
    assert first.raised == {"YELLOW": 1}
    assert (await scan_deadlines(shanghai(date(2026, 12, 1), 10))).raised == {}
    assert (await Case.get(id=case.id)).alert_level is AlertLevel.YELLOW

    red = await scan_deadlines(shanghai(date(2026, 12, 5), 10))  # Saturday: red, but no rung
    assert (red.raised, red.escalated) == ({"RED": 1}, 0)
    yellow = await CaseAlert.get(case_id=case.id, level=AlertLevel.YELLOW)
    assert yellow.clear_reason is ClearReason.SUPERSEDED
    kinds = [
        str(k)
        for k in await AlertEvent.filter(case_id=case.id)
        .order_by("id")
        .values_list("kind", flat=True)
    ]
    assert kinds == ["YELLOW", "RED"]

    await actions.complete(chief, case.number, Outcome.APPROVED, "", shanghai(date(2026, 12, 7), 8))
    done = await Case.get(id=case.id)
    assert done.alert_level is AlertLevel.NONE
    alert = await CaseAlert.get(case_id=case.id, level=AlertLevel.RED)
    assert (alert.clear_reason, alert.next_escalation_at) == (ClearReason.COMPLETED, None)
    kinds = [
        str(k)
        for k in await AlertEvent.filter(case_id=case.id)
        .order_by("id")
        .values_list("kind", flat=True)
    ]
    assert kinds == ["YELLOW", "RED", "CLEARED"]
    # The ladder stops with the card: nothing more happens to a completed case.
    later = await scan_deadlines(shanghai(date(2026, 12, 9), 10))
    assert (later.raised, later.escalated) == ({}, 0)


async def test_escalation_climbs_each_rung_once_inside_opening_hours(db: object) -> None:
    hall, clerk, _ = await _setup()
    case = await _case(clerk, hall)
    saturday = await scan_deadlines(shanghai(date(2026, 12, 5), 10))
    assert saturday.escalated == 0  # the hall is closed: the first rung waits for Monday
    alert = await CaseAlert.get(case_id=case.id, level=AlertLevel.RED)
    assert alert.next_escalation_at == shanghai(date(2026, 12, 7), 9)

    monday = await scan_deadlines(shanghai(date(2026, 12, 7), 9, 1))
    assert (monday.escalated, monday.texts) == (1, 1)  # the department's chief representative
    again = await scan_deadlines(shanghai(date(2026, 12, 7), 11))
    assert again.escalated == 0
    tuesday = await scan_deadlines(shanghai(date(2026, 12, 8), 9, 5))
    assert (tuesday.escalated, tuesday.texts) == (1, 1)  # the hall supervisor, a day later
    # Two working days later it is due at 09:01 on Thursday, but at night nothing is sent.
    night = await scan_deadlines(shanghai(date(2026, 12, 10), 22))
    assert night.escalated == 0
    friday = await scan_deadlines(shanghai(date(2026, 12, 11), 9, 30))
    assert friday.escalated == 1  # the efficiency office (no city hall above: the supervisors)
    done = await CaseAlert.get(case_id=case.id, level=AlertLevel.RED)
    assert (done.escalation_step, done.next_escalation_at) == (3, None)
    texts = await Notification.filter(kind="ESCALATION").order_by("id")
    assert [t.dedupe_key.rsplit(":", 2)[1] for t in texts] == ["1", "2", "3"]
    text = render(DEFAULT_TEXTS[NotificationKind.ESCALATION], texts[0].params)
    assert text.startswith(f"【督办】市市场监管局办件{case.number}")
    assert "已超过办理期限1个工作日（期限2026-12-04）" in text
    assert texts[0].phone == "13812345678"
    steps = await AlertEvent.filter(case_id=case.id, kind="ESCALATED").order_by("id")
    assert [e.data["target"] for e in steps] == ["CHIEF_REP", "SUPERVISOR", "EFFICIENCY_OFFICE"]


async def test_extension_out_of_range_and_suspension_clear_cards(db: object) -> None:
    hall, clerk, chief = await _setup()
    extended = await _case(clerk, hall)
    suspended = await _case(clerk, hall)
    await scan_deadlines(shanghai(date(2026, 12, 1), 10))
    assert await CaseAlert.filter(cleared_at__isnull=True).count() == 2

    await actions.extend(chief, extended.number, 5, "需要现场核查", shanghai(date(2026, 12, 1), 11))
    await actions.suspend(chief, suspended.number, "听证", shanghai(date(2026, 12, 1), 11))
    cleared = {a.case_id: a.clear_reason for a in await CaseAlert.filter(cleared_at__isnull=False)}
    assert cleared == {extended.id: ClearReason.OUT_OF_RANGE, suspended.id: ClearReason.SUSPENDED}
    assert {c.alert_level for c in await Case.all()} == {AlertLevel.NONE}
    # The extended case (due 12-11) turns yellow again on its new yellow day (12-08); the
    # suspended one gets no card, however late it gets.
    assert (await scan_deadlines(shanghai(date(2026, 12, 9), 10))).raised == {"YELLOW": 1}
    active = await CaseAlert.filter(cleared_at__isnull=True).values_list("case_id", flat=True)
    assert active == [extended.id]


async def test_red_again_after_a_suspension_does_not_repeat_rungs(db: object) -> None:
    hall, clerk, chief = await _setup()
    case = await _case(clerk, hall)
    await scan_deadlines(shanghai(date(2026, 12, 7), 10))  # red, first rung
    await actions.suspend(chief, case.number, "专家评审", shanghai(date(2026, 12, 7), 11))
    await actions.resume(chief, case.number, shanghai(date(2026, 12, 7), 15))
    # The resume re-reviews at once: still overdue, red again, on the second rung's turn.
    reds = await CaseAlert.filter(case_id=case.id, level=AlertLevel.RED).order_by("id")
    assert [a.cleared_at is None for a in reds] == [False, True]
    assert reds[1].escalation_step == 1
    await scan_deadlines(shanghai(date(2026, 12, 9), 10))
    rungs = await AlertEvent.filter(case_id=case.id, kind="ESCALATED").order_by("id")
    assert [e.data["step"] for e in rungs] == [1, 2]


async def test_concurrent_scans_raise_each_card_once(committed: object) -> None:
    hall, clerk, _ = await _setup()
    for _ in range(60):
        await _case(clerk, hall)
    moment = shanghai(date(2026, 12, 7), 10)
    results = await asyncio.gather(*(scan_deadlines(moment) for _ in range(3)))
    assert sum(r.raised.get("RED", 0) for r in results) == 60
    assert sum(r.escalated for r in results) == 60
    assert await CaseAlert.filter(level=AlertLevel.RED).count() == 60
    assert await Notification.filter(kind="ESCALATION").count() == 60


async def test_policy_thresholds_per_item_and_its_checks(db: object) -> None:
    hall, clerk, _ = await _setup()
    _, admin_actor = await f.user("director", Role.ADMIN, of=hall)
    steps = [EscalationStep(EscalationTarget.SUPERVISOR, 0)]
    await set_policy(admin_actor, hall, 3, {"SC-010": 5}, steps, f.NOW)
    case = await _case(clerk, hall)
    assert str(case.yellow_on) == "2026-11-27"  # five working days before 12-04

    for bad, field in [
        ((31, {}, steps), "yellow_days"),
        ((3, {"NOPE": 2}, steps), "item_yellow_days"),
        ((3, {}, []), "steps"),
        ((3, {}, steps * 2), "steps"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            await set_policy(admin_actor, hall, *bad, now=f.NOW)
        assert caught.value.violations[0].field[0] == field
    with pytest.raises(Forbidden):
        await set_policy(clerk, hall, 1, {}, steps, f.NOW)
    stored = await AlertPolicy.get(hall_id=hall.id)
    assert (stored.yellow_days, stored.version, len(stored.steps)) == (3, 1, 1)


async def test_policy_change_moves_open_cases_yellow_day(db: object) -> None:
    hall, clerk, _ = await _setup()
    _, admin = await f.user("director", Role.ADMIN, of=hall)
    case = await _case(clerk, hall)
    await set_policy(admin, hall, 6, {}, [EscalationStep(EscalationTarget.CHIEF_REP, 0)], f.NOW)
    moment = shanghai(date(2026, 11, 26), 10)  # six working days before 12-04
    assert await recompute_for_hall(hall.id, moment) == 1
    moved = await Case.get(id=case.id)
    # Recomputed and reviewed at once: the case is yellow from 11-26 under the new threshold.
    assert (str(moved.yellow_on), moved.alert_level) == ("2026-11-26", AlertLevel.YELLOW)
    assert await recompute_for_hall(hall.id, moment) == 0


class _BrokenBoard:
    """A board log whose Redis is away."""

    async def append(self, events: list[object]) -> list[int]:
        raise ConnectionError("redis is down")

    async def last_seq(self, hall_id: int) -> int:
        return 0


async def test_alert_events_wait_for_the_board_when_redis_is_down(db: object) -> None:
    hall, clerk, _ = await _setup()
    await _case(clerk, hall)
    await scan_deadlines(shanghai(date(2026, 12, 1), 10))
    with pytest.raises(ConnectionError):
        await publish_pending(_BrokenBoard())  # type: ignore[arg-type]
    # Given back, not lost: the next publisher takes them.
    assert await AlertEvent.filter(board_seq__isnull=True).count() == 1
