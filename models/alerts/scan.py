"""The periodic deadline scan: cards for cases that crossed a threshold, then the escalation ladder.

The scan reads only cases at a threshold, through partial indexes: running cases without a card
whose yellow day has come (`case_yellow_scan`), and running cases not yet red whose due date has
passed (`case_red_scan`); then active red cards whose next rung is due (`case_alert_escalation`).
Every row is claimed with FOR UPDATE SKIP LOCKED and re-checked under its lock, so several
workers scanning at once share the work and no card, rung or text happens twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import structlog
from tortoise import connections
from tortoise.transactions import in_transaction

from models.accounts.tables import Role, User
from models.alerts.lifecycle import RANK, record, review
from models.alerts.policy import policy_for
from models.alerts.rules import EscalationStep, EscalationTarget, Policy
from models.alerts.tables import AlertKind, CaseAlert
from models.calendar.hours import OpeningHours, is_open, next_opening
from models.calendar.queries import hall_calendar, hall_hours
from models.calendar.rules import CountUnit, WorkingCalendar, add_days
from models.cases.actions import lapse_overdue_subtasks
from models.cases.deadlines import latest_local_date
from models.cases.tables import Case
from models.catalogue.tables import Department, Hall, ServiceItem
from models.evaluations.overdue import review_rectifications
from models.notifications.outbox import queue_text
from models.notifications.tables import NotificationKind
from models.workorders.chase import chase_work_orders

log = structlog.get_logger(__name__)
BATCH = 500
# Each walks its partial index in key order, a batch at a time (keyset on the index's columns).
YELLOW_DUE = (
    "SELECT id, yellow_on AS day FROM \"case\" WHERE status IN ('ACCEPTED', 'IN_REVIEW')"
    " AND alert_level = 'NONE' AND yellow_on <= $1 AND (yellow_on, id) > ($2, $3)"
    " ORDER BY yellow_on, id LIMIT $4 FOR UPDATE SKIP LOCKED"
)
RED_DUE = (
    "SELECT id, due_on AS day FROM \"case\" WHERE status IN ('ACCEPTED', 'IN_REVIEW')"
    " AND alert_level <> 'RED' AND due_on < $1 AND (due_on, id) > ($2, $3)"
    " ORDER BY due_on, id LIMIT $4 FOR UPDATE SKIP LOCKED"
)
RUNG_DUE = (
    "SELECT id, next_escalation_at AS at FROM case_alert WHERE cleared_at IS NULL"
    " AND next_escalation_at <= $1 AND (next_escalation_at, id) > ($2, $3)"
    " ORDER BY next_escalation_at, id LIMIT $4 FOR UPDATE SKIP LOCKED"
)


@dataclass
class ScanResult:
    """What one scan did."""

    examined: int = 0
    raised: dict[str, int] = field(default_factory=dict)
    cleared: int = 0
    escalated: int = 0
    texts: int = 0
    lapsed_subtasks: int = 0
    rectifications: dict[str, int] = field(default_factory=dict)
    work_orders: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """For logs and the job's result."""
        return {
            "examined": self.examined,
            "raised": dict(self.raised),
            "cleared": self.cleared,
            "escalated": self.escalated,
            "texts": self.texts,
            "lapsed_subtasks": self.lapsed_subtasks,
            "rectifications": dict(self.rectifications),
            "work_orders": dict(self.work_orders),
        }


@dataclass
class _HallView:
    hall: Hall
    calendar: WorkingCalendar
    hours: OpeningHours
    policy: Policy

    def local(self, now: datetime) -> datetime:
        return now.astimezone(ZoneInfo(self.hall.timezone))


class _Halls:
    """The halls a scan meets, loaded once per scan."""

    def __init__(self) -> None:
        self.views: dict[int, _HallView] = {}

    async def get(self, hall_id: int) -> _HallView:
        if hall_id not in self.views:
            hall = await Hall.get(id=hall_id)
            self.views[hall_id] = _HallView(
                hall,
                await hall_calendar(hall),
                await hall_hours(hall_id),
                await policy_for(hall_id),
            )
        return self.views[hall_id]


async def _cards(query: str, today: date, now: datetime, halls: _Halls, result: ScanResult) -> None:
    """Review every case the query finds, a batch per transaction, each case under its lock.

    `today` is the latest date among the halls' zones; each case is judged by its own hall's.
    """
    after: tuple[date, int] = (date.min, 0)
    while True:
        async with in_transaction():
            rows = await connections.get("default").execute_query_dict(
                query, [today, *after, BATCH]
            )
            if not rows:
                return
            after = (rows[-1]["day"], int(rows[-1]["id"]))
            for case in await Case.filter(id__in=[r["id"] for r in rows]).order_by("id"):
                result.examined += 1
                view = await halls.get(case.hall_id)
                before = case.alert_level
                level = await review(case, view.local(now).date(), now)
                if RANK[level] > RANK[before]:
                    result.raised[level.value] = result.raised.get(level.value, 0) + 1
                elif level is not before:
                    result.cleared += 1


def _rung_due_at(view: _HallView, alert: CaseAlert, step: EscalationStep) -> datetime:
    """When a rung is due: its delay in working days after the previous rung (or the card)."""
    base = view.local(alert.escalated_at or alert.raised_at)
    if step.after_days == 0:
        return base
    day = add_days(view.calendar, base.date(), step.after_days, CountUnit.WORKING).due
    return datetime.combine(day, base.time(), base.tzinfo)


async def _recipients(alert: CaseAlert, view: _HallView, target: EscalationTarget) -> list[User]:
    query = User.filter(is_active=True)
    if target is EscalationTarget.CHIEF_REP:
        query = query.filter(role=Role.CHIEF_REP, department_id=alert.department_id)
    elif target is EscalationTarget.SUPERVISOR or view.hall.parent_id is None:
        query = query.filter(role=Role.SUPERVISOR, hall_id=alert.hall_id)
    else:  # the efficiency office sits one level up (the city's supervisors)
        query = query.filter(role=Role.SUPERVISOR, hall_id=view.hall.parent_id)
    return list(await query.order_by("id"))


async def _climb(alert: CaseAlert, view: _HallView, now: datetime, result: ScanResult) -> None:
    """Take every rung that is due while the hall is open; then note when to look again."""
    steps = view.policy.steps
    local = view.local(now)
    next_at: datetime | None = None
    while alert.escalation_step < len(steps):
        step = steps[alert.escalation_step]
        due_at = _rung_due_at(view, alert, step)
        if local < due_at:
            next_at = due_at
            break
        if not is_open(view.hours, view.calendar, local):
            next_at = next_opening(view.hours, view.calendar, local)
            break
        await _notify_rung(alert, view, step, now, result)
        alert.escalation_step += 1
        alert.escalated_at = now
        result.escalated += 1
    alert.next_escalation_at = next_at
    await alert.save(update_fields=["escalation_step", "escalated_at", "next_escalation_at"])


async def _notify_rung(
    alert: CaseAlert, view: _HallView, step: EscalationStep, now: datetime, result: ScanResult
) -> None:
    case = await Case.get(id=alert.case_id)
    item = await ServiceItem.get(id=case.item_id).only("id", "name")
    department = await Department.get(id=alert.department_id).only("id", "name")
    overdue = len(
        [
            d
            for d in range((view.local(now).date() - alert.due_on).days)
            if view.calendar.is_working(alert.due_on + timedelta(days=d + 1))
        ]
    )
    params: dict[str, object] = {
        "number": case.number,
        "item": item.name,
        "department": department.name,
        "due_on": alert.due_on.isoformat(),
        "overdue_days": overdue,
        "step": alert.escalation_step + 1,
        "target": step.target.value,
    }
    recipients = await _recipients(alert, view, step.target)
    for user in recipients:
        if user.mobile and await queue_text(
            f"escalation:{alert.id}:{alert.escalation_step + 1}:{user.id}",
            NotificationKind.ESCALATION.value,
            user.mobile,
            params,
            now=now,
            hall_id=alert.hall_id,
            case_id=alert.case_id,
        ):
            result.texts += 1
    await record(
        alert,
        AlertKind.ESCALATED,
        now,
        step=alert.escalation_step + 1,
        target=step.target.value,
        recipients=[u.display_name for u in recipients],
    )


async def _ladder(now: datetime, halls: _Halls, result: ScanResult) -> None:
    after: tuple[datetime, int] = (datetime.min.replace(tzinfo=UTC), 0)
    while True:
        async with in_transaction():
            rows = await connections.get("default").execute_query_dict(
                RUNG_DUE, [now, *after, BATCH]
            )
            if not rows:
                return
            after = (rows[-1]["at"], int(rows[-1]["id"]))
            for alert in await CaseAlert.filter(id__in=[r["id"] for r in rows]).order_by("id"):
                await _climb(alert, await halls.get(alert.hall_id), now, result)


async def scan_deadlines(now: datetime) -> ScanResult:
    """Cards and rungs of cases, lapsed sub-tasks (超时默认), rectification and work-order chasing."""
    result = ScanResult()
    halls = _Halls()
    today = await latest_local_date(now)
    await _cards(RED_DUE, today, now, halls, result)
    await _cards(YELLOW_DUE, today, now, halls, result)
    await _ladder(now, halls, result)
    result.lapsed_subtasks = await lapse_overdue_subtasks(now)
    result.rectifications = await review_rectifications(now)
    result.work_orders = await chase_work_orders(now)
    log.info("deadline scan", **result.as_dict())
    return result
