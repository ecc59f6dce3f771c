"""Warnings on rectifications like those on cases: yellow near the deadline, red past it, once each."""

from __future__ import annotations

from datetime import date, datetime

from tortoise import connections
from tortoise.transactions import in_transaction

from models.accounts.tables import Role, User
from models.calendar.queries import hall_calendar
from models.calendar.rules import CountUnit, count_days
from models.cases.deadlines import latest_local_date, local_date
from models.cases.tables import AlertLevel, Case
from models.catalogue.tables import Department, Hall, ServiceItem
from models.evaluations.rectify import record
from models.evaluations.rules import RUNNING_RECTIFICATION
from models.evaluations.tables import Evaluation, Rectification
from models.notifications.outbox import queue_text
from models.notifications.tables import NotificationKind

BATCH = 500
RANK = {AlertLevel.NONE: 0, AlertLevel.YELLOW: 1, AlertLevel.RED: 2}
# Running rectifications at a threshold: no card yet and the yellow day has come, or past due.
DUE = """
SELECT id FROM rectification
WHERE status IN ('PENDING', 'IN_PROGRESS')
  AND ((alert_level = 'NONE' AND yellow_on <= $1) OR (alert_level <> 'RED' AND due_on < $1))
  AND id > $2
ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED
"""


def level_on(rectification: Rectification, today: date) -> AlertLevel:
    """The card a running rectification deserves on its hall's date."""
    if rectification.status not in RUNNING_RECTIFICATION:
        return AlertLevel.NONE
    if today > rectification.due_on:
        return AlertLevel.RED
    if today >= rectification.yellow_on:
        return AlertLevel.YELLOW
    return AlertLevel.NONE


async def review_rectifications(now: datetime) -> dict[str, int]:
    """Raise each due card once (several workers share the rows); red ones text the chief reps."""
    raised: dict[str, int] = {}
    today = await latest_local_date(now)
    after = 0
    while True:
        async with in_transaction():
            rows = await connections.get("default").execute_query_dict(DUE, [today, after, BATCH])
            if not rows:
                return raised
            after = int(rows[-1]["id"])
            for rectification in await Rectification.filter(id__in=[r["id"] for r in rows]):
                hall = await Hall.get(id=rectification.hall_id)
                level = level_on(rectification, local_date(now, hall.timezone))
                if RANK[level] <= RANK[rectification.alert_level]:
                    continue
                rectification.alert_level = level
                await rectification.save(update_fields=["alert_level"])
                note = "整改临近期限" if level is AlertLevel.YELLOW else "整改已超期"
                await record(rectification, level.value, None, now, note)
                raised[level.value] = raised.get(level.value, 0) + 1
                if level is AlertLevel.RED:
                    await _text_chiefs(rectification, hall, now)


async def _text_chiefs(rectification: Rectification, hall: Hall, now: datetime) -> None:
    """The department's chief representatives (the hall's supervisors if none) hear of it."""
    evaluation = await Evaluation.get(id=rectification.evaluation_id)
    case = await Case.get_or_none(id=evaluation.case_id) if evaluation.case_id else None
    item = await ServiceItem.get_or_none(id=evaluation.item_id) if evaluation.item_id else None
    department = (
        await Department.get_or_none(id=rectification.department_id)
        if rectification.department_id
        else None
    )
    users = await User.filter(
        is_active=True, role=Role.CHIEF_REP, department_id=rectification.department_id
    ).order_by("id")
    if not users:
        users = await User.filter(is_active=True, role=Role.SUPERVISOR, hall_id=hall.id)
    calendar = await hall_calendar(hall)
    today = local_date(now, hall.timezone)
    overdue = count_days(calendar, rectification.due_on, today, CountUnit.WORKING)
    params: dict[str, object] = {
        "number": case.number if case else f"评价{evaluation.id}",
        "item": f"差评整改：{item.name}" if item else "差评整改",
        "department": department.name if department else hall.name,
        "due_on": rectification.due_on.isoformat(),
        "overdue_days": overdue,
        "step": 1,
        "target": "CHIEF_REP",
    }
    for user in users:
        if user.mobile:
            await queue_text(
                f"rectification:{rectification.id}:RED:{user.id}",
                NotificationKind.ESCALATION.value,
                user.mobile,
                params,
                now=now,
                hall_id=hall.id,
                case_id=case.id if case else None,
            )
