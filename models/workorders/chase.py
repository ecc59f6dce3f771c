"""Chasing running orders: yellow near the deadline, red with 催办 the day after a breach, and a
formal report (通报) after the policy's working days more; each once, whatever several workers do.
"""

from __future__ import annotations

from datetime import date, datetime

from tortoise import connections
from tortoise.transactions import in_transaction

from models.accounts.tables import Role, User
from models.calendar.queries import hall_calendar
from models.calendar.rules import CountUnit, count_days
from models.cases.deadlines import latest_local_date, local_date
from models.cases.tables import AlertLevel
from models.catalogue.tables import Department, Hall
from models.notifications.outbox import queue_text
from models.notifications.tables import NotificationKind
from models.workorders.actions import record
from models.workorders.policy import policy_for
from models.workorders.rules import CATEGORY_LABELS, RUNNING, report_due
from models.workorders.tables import WorkOrder

BATCH = 500
DUE = """
SELECT id FROM work_order
WHERE status IN ('DISPATCHED', 'SIGNED') AND id > $2 AND (
    (alert_level = 'NONE' AND yellow_on <= $1)
    OR (alert_level <> 'RED' AND due_on < $1)
    OR (reported_at IS NULL AND due_on < $1)
)
ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED
"""


async def _text(order: WorkOrder, hall: Hall, users: list[User], step: int, now: datetime) -> None:
    """The ESCALATION text: the department's chief (催办) or the centre's supervisors (通报)."""
    calendar = await hall_calendar(hall)
    assert order.due_on is not None  # noqa: S101  (running orders have a deadline)
    department = (
        await Department.get_or_none(id=order.department_id) if order.department_id else None
    )
    params: dict[str, object] = {
        "number": order.number,
        "item": f"12345工单（{CATEGORY_LABELS[order.category]}）",
        "department": department.name if department else hall.name,
        "due_on": order.due_on.isoformat(),
        "overdue_days": count_days(
            calendar, order.due_on, local_date(now, hall.timezone), CountUnit.WORKING
        ),
        "step": step,
        "target": "CHIEF_REP" if step == 1 else "SUPERVISOR",
    }
    for user in users:
        if user.mobile:
            await queue_text(
                f"work_order:{order.id}:{order.reworks}:{step}:{user.id}",
                NotificationKind.ESCALATION.value,
                user.mobile,
                params,
                now=now,
                hall_id=hall.id,
            )


async def _review(order: WorkOrder, today: date, now: datetime, done: dict[str, int]) -> None:
    hall = await Hall.get(id=order.hall_id)
    today = local_date(now, hall.timezone)
    if order.status not in RUNNING or order.due_on is None:
        return
    if order.due_on < today and order.alert_level is not AlertLevel.RED:
        order.alert_level = AlertLevel.RED
        order.urged_at = now
        await record(order, "URGED", None, now, order.status, "工单已超期，督促办理（催办）")
        chiefs = await User.filter(
            is_active=True, role=Role.CHIEF_REP, department_id=order.department_id
        ).order_by("id")
        await _text(order, hall, list(chiefs), 1, now)
        done["RED"] = done.get("RED", 0) + 1
    elif (
        order.alert_level is AlertLevel.NONE
        and order.yellow_on is not None
        and order.yellow_on <= today
        and order.due_on >= today
    ):
        order.alert_level = AlertLevel.YELLOW
        await record(order, "YELLOW", None, now, order.status, "工单临近办理时限")
        done["YELLOW"] = done.get("YELLOW", 0) + 1
    if order.reported_at is None and order.due_on < today:
        policy = await policy_for(hall.id)
        calendar = await hall_calendar(hall)
        if today > report_due(calendar, order.due_on, policy.report_after_days):
            order.reported_at = now
            await record(order, "REPORTED", None, now, order.status, "超期未办结，予以通报")
            supervisors = await User.filter(
                is_active=True, role=Role.SUPERVISOR, hall_id=hall.id
            ).order_by("id")
            await _text(order, hall, list(supervisors), 2, now)
            done["REPORTED"] = done.get("REPORTED", 0) + 1


async def chase_work_orders(now: datetime) -> dict[str, int]:
    """Review running orders at a threshold (partial indexes), a batch per transaction."""
    done: dict[str, int] = {}
    today = await latest_local_date(now)
    after = 0
    while True:
        async with in_transaction():
            rows = await connections.get("default").execute_query_dict(DUE, [today, after, BATCH])
            if not rows:
                return done
            after = int(rows[-1]["id"])
            for order in await WorkOrder.filter(id__in=[r["id"] for r in rows]).order_by("id"):
                await _review(order, today, now, done)
