"""Raising and clearing a case's cards, inside the transaction that holds the case's lock.

One function, `review`, decides every transition, whoever calls it: the periodic scan, or a case
action that moves the clock (completion, suspension, extension, a recomputed calendar). Each
change is an `alert_event` row plus a `pg_notify`, so subscribers hear of committed ones only.
"""

from __future__ import annotations

from datetime import date, datetime

from tortoise import connections

from models.alerts.rules import level_on
from models.alerts.tables import AlertEvent, AlertKind, CaseAlert, ClearReason
from models.cases.rules import RUNNING_STATUSES
from models.cases.tables import AlertLevel, Case, CaseStatus

# PostgreSQL channel that wakes alert subscribers (and the board publisher) at commit.
ALERT_CHANNEL = "deadline_alert"
RANK = {AlertLevel.NONE: 0, AlertLevel.YELLOW: 1, AlertLevel.RED: 2}


async def record(alert: CaseAlert, kind: AlertKind, now: datetime, **data: object) -> AlertEvent:
    """Append an alert event and wake listeners at commit."""
    event = await AlertEvent.create(
        alert_id=alert.id,
        case_id=alert.case_id,
        hall_id=alert.hall_id,
        department_id=alert.department_id,
        kind=kind,
        level=alert.level,
        at=now,
        data=data,
    )
    await connections.get("default").execute_query(
        "SELECT pg_notify($1, $2)", [ALERT_CHANNEL, f"{alert.hall_id}:{event.id}"]
    )
    return event


def _clear_reason(case: Case) -> ClearReason:
    if case.status is CaseStatus.COMPLETED:
        return ClearReason.COMPLETED
    if case.status is CaseStatus.SUSPENDED:
        return ClearReason.SUSPENDED
    if case.status in RUNNING_STATUSES:
        return ClearReason.OUT_OF_RANGE
    return ClearReason.CLOSED


async def _raise(case: Case, level: AlertLevel, today: date, now: datetime) -> CaseAlert:
    step = 0
    if level is AlertLevel.RED:
        # A case red again (after a suspension, say) goes on up the ladder; no rung twice.
        previous = await CaseAlert.filter(case_id=case.id, level=AlertLevel.RED).order_by("-id")
        step = max((a.escalation_step for a in previous), default=0)
    assert case.due_on is not None  # noqa: S101  (only running cases get cards)
    alert = await CaseAlert.create(
        case_id=case.id,
        hall_id=case.hall_id,
        department_id=case.department_id,
        level=level,
        due_on=case.due_on,
        raised_at=now,
        raised_on=today,
        escalation_step=step,
        escalated_at=None,
        next_escalation_at=now if level is AlertLevel.RED else None,
    )
    await record(alert, AlertKind(level.value), now, due_on=case.due_on.isoformat())
    return alert


async def _clear(alert: CaseAlert, reason: ClearReason, now: datetime, *, announce: bool) -> None:
    alert.cleared_at = now
    alert.clear_reason = reason
    alert.next_escalation_at = None
    await alert.save(update_fields=["cleared_at", "clear_reason", "next_escalation_at"])
    if announce:
        await record(alert, AlertKind.CLEARED, now, reason=reason.value)


async def review(case: Case, today: date, now: datetime) -> AlertLevel:
    """Bring a locked case's cards in line with `today`; returns its level afterwards."""
    target = level_on(today, case.due_on, case.yellow_on, case.status in RUNNING_STATUSES)
    if target is case.alert_level:
        return target
    active = await CaseAlert.filter(case_id=case.id, cleared_at__isnull=True).order_by("id")
    if RANK[target] > RANK[case.alert_level]:
        for alert in active:  # a yellow card gives way to the red one
            await _clear(alert, ClearReason.SUPERSEDED, now, announce=False)
    else:
        for alert in active:
            await _clear(alert, _clear_reason(case), now, announce=True)
    if target is not AlertLevel.NONE:
        await _raise(case, target, today, now)
    case.alert_level = target
    await case.save(update_fields=["alert_level"])
    return target
