"""Reading work orders: lists in scope, one order's events, the same caller's other orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.catalogue.tables import Hall
from models.common.actor import Actor
from models.common.errors import Forbidden
from models.workorders.actions import CENTRE_ROLES, HANDLER_ROLES
from models.workorders.tables import (
    WorkOrder,
    WorkOrderCategory,
    WorkOrderEvent,
    WorkOrderStatus,
)

ORDER = ("-received_at", "-id")
SAME_CALLER_DAYS = 30


@dataclass(frozen=True)
class WorkOrderFilter:
    """How to narrow the order list."""

    hall_id: int | None = None
    department_id: int | None = None
    status: WorkOrderStatus | None = None
    category: WorkOrderCategory | None = None
    received_from: date | None = None
    received_to: date | None = None
    overdue_on: date | None = None
    caller_phone: str | None = None


async def orders_visible(actor: Actor, given: WorkOrderFilter) -> QuerySet[WorkOrder]:
    """Orders of the actor's scope: the centre all of them, departments theirs."""
    if actor.role not in CENTRE_ROLES | HANDLER_ROLES:
        raise Forbidden("无权查看12345工单")
    query = WorkOrder.all()
    if actor.hall_path is not None:
        halls = await Hall.filter(path__startswith=actor.hall_path).values("id")
        query = query.filter(hall_id__in=[int(h["id"]) for h in halls])
    if actor.role in HANDLER_ROLES:
        mine = actor.department_id or 0
        query = query.filter(Q(department_id=mine) | Q(co_department_ids__contains=[mine]))
    exact = {
        "hall_id": given.hall_id,
        "department_id": given.department_id,
        "status": given.status,
        "category": given.category,
    }
    query = query.filter(**{k: v for k, v in exact.items() if v is not None})
    if given.received_from is not None:
        query = query.filter(received_on__gte=given.received_from)
    if given.received_to is not None:
        query = query.filter(received_on__lte=given.received_to)
    if given.overdue_on is not None:
        query = query.filter(
            status__in=[WorkOrderStatus.DISPATCHED, WorkOrderStatus.SIGNED],
            due_on__lt=given.overdue_on,
        )
    if given.caller_phone:
        query = query.filter(caller_phone=given.caller_phone.strip())
    return query


async def events_after(order_id: int, after_seq: int) -> list[WorkOrderEvent]:
    """An order's events after a seq, in order."""
    return list(await WorkOrderEvent.filter(order_id=order_id, seq__gt=after_seq).order_by("seq"))


async def same_caller(order: WorkOrder) -> list[WorkOrder]:
    """The caller's other orders of the month around this one (repeat or duplicate calls)."""
    return list(
        await WorkOrder.filter(
            hall_id=order.hall_id,
            caller_phone=order.caller_phone,
            received_on__gte=order.received_on - timedelta(days=SAME_CALLER_DAYS),
            received_on__lte=order.received_on + timedelta(days=SAME_CALLER_DAYS),
        )
        .exclude(id=order.id)
        .order_by("-received_at")
        .limit(20)
    )
