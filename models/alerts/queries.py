"""Reading alerts: lists for the alerts centre, per-department counts, the event stream."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from models.alerts.tables import AlertEvent, CaseAlert
from models.cases.access import scope_filter
from models.cases.tables import AlertLevel
from models.common.actor import Actor

ORDER = ("-raised_at", "-id")


@dataclass(frozen=True)
class AlertFilter:
    """How to narrow an alert list."""

    hall_id: int | None = None
    department_id: int | None = None
    level: AlertLevel | None = None
    active: bool | None = None
    raised_from: date | None = None
    raised_to: date | None = None
    case_id: int | None = None


async def alerts_visible(actor: Actor, given: AlertFilter) -> QuerySet[CaseAlert]:
    """Alerts of cases the actor may see (the case lists' halls and departments), filtered."""
    query = CaseAlert.filter(await scope_filter(actor))
    if given.hall_id is not None:
        query = query.filter(hall_id=given.hall_id)
    if given.department_id is not None:
        query = query.filter(department_id=given.department_id)
    if given.level is not None:
        query = query.filter(level=given.level)
    if given.active is not None:
        query = query.filter(cleared_at__isnull=given.active)
    if given.raised_from is not None:
        query = query.filter(raised_on__gte=given.raised_from)
    if given.raised_to is not None:
        query = query.filter(raised_on__lte=given.raised_to)
    if given.case_id is not None:
        query = query.filter(case_id=given.case_id)
    return query


@dataclass(frozen=True)
class DepartmentCount:
    """Red and yellow cards raised in a period for one department (an official figure)."""

    department_id: int
    yellow: int
    red: int
    active_yellow: int
    active_red: int


async def _per_department(query: QuerySet[CaseAlert]) -> dict[tuple[int, str], int]:
    rows = (
        await query.annotate(n=Count("id"))
        .group_by("department_id", "level")
        .values_list("department_id", "level", "n")
    )
    return {(int(d), str(level)): int(n) for d, level, n in rows}


async def department_counts(actor: Actor, given: AlertFilter) -> list[DepartmentCount]:
    """Cards per department: raised in the period (the filter), and active now."""
    raised = await _per_department(await alerts_visible(actor, given))
    active = await _per_department(
        (await alerts_visible(actor, AlertFilter(hall_id=given.hall_id, active=True))).filter(
            *([Q(department_id=given.department_id)] if given.department_id else [])
        )
    )
    departments = sorted({d for d, _ in raised} | {d for d, _ in active})
    return [
        DepartmentCount(
            department_id=d,
            yellow=raised.get((d, "YELLOW"), 0),
            red=raised.get((d, "RED"), 0),
            active_yellow=active.get((d, "YELLOW"), 0),
            active_red=active.get((d, "RED"), 0),
        )
        for d in departments
    ]


async def events_after(
    hall_ids: list[int] | None, department_id: int | None, after_id: int, limit: int = 200
) -> list[AlertEvent]:
    """Alert events after an id, oldest first, for some halls (None: all) and a department."""
    query = AlertEvent.filter(id__gt=after_id)
    if hall_ids is not None:
        query = query.filter(hall_id__in=hall_ids)
    if department_id is not None:
        query = query.filter(department_id=department_id)
    return list(await query.order_by("id").limit(limit))


async def last_event_id() -> int:
    """The newest alert event id (0 when none)."""
    row = await AlertEvent.all().order_by("-id").first()
    return row.id if row else 0
