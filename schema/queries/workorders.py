"""Queries of the 12345 desk: orders, one order, the centre's policy, figures and rankings."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

import strawberry
from strawberry import relay

from models.catalogue.queries import hall_in_scope
from models.common.errors import Forbidden, InvalidInput, NotFound
from models.common.pages import paginate
from models.workorders import figures, queries
from models.workorders.actions import CENTRE_ROLES, HANDLER_ROLES, order_for
from models.workorders.policy import policy_for
from schema.context import Info
from schema.permissions import require_actor
from schema.relay import (
    DEFAULT_PAGE,
    Connection,
    decode_cursor,
    decode_id,
    decode_optional_id,
    to_connection,
)
from schema.types.workorders import (
    WorkOrder,
    WorkOrderCategory,
    WorkOrderFigures,
    WorkOrderPolicy,
    WorkOrderStatus,
)


@strawberry.input(description="Narrows the work-order list; every given condition must hold.")
class WorkOrderFilter:
    """Filter for work orders."""

    hall_id: relay.GlobalID | None = strawberry.field(default=None, description="Of this centre.")
    department_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Led by this department now."
    )
    status: WorkOrderStatus | None = strawberry.field(default=None, description="In this state.")
    category: WorkOrderCategory | None = strawberry.field(default=None, description="Of this kind.")
    received_from: date | None = strawberry.field(default=None, description="Received on or after.")
    received_to: date | None = strawberry.field(default=None, description="Received on or before.")
    overdue_on: date | None = strawberry.field(
        default=None, description="Still running and past due on this date."
    )
    caller_phone: str | None = strawberry.field(
        default=None, description="The caller's full number (centre staff; finds repeat callers)."
    )


@strawberry.enum(description="How hotline figures are grouped.")
class WorkOrderGrouping(Enum):
    """Groupings of the hotline report."""

    HALL = strawberry.enum_value("HALL", description="One row for the whole period.")
    DEPARTMENT = strawberry.enum_value("DEPARTMENT", description="One row per lead department.")
    MONTH = strawberry.enum_value("MONTH", description="One row per month received.")
    DEPARTMENT_MONTH = strawberry.enum_value(
        "DEPARTMENT_MONTH", description="One row per department and month (the monthly report)."
    )
    CATEGORY = strawberry.enum_value("CATEGORY", description="One row per category.")


@strawberry.input(description="The hall, department and received-date period of the figures.")
class WorkOrderStatisticsFilter:
    """Filter of the hotline figures."""

    hall_id: relay.GlobalID = strawberry.field(
        description="The centre (a city covers its subtree)."
    )
    department_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only this lead department."
    )
    from_: date = strawberry.field(name="from", description="First day received.")
    to: date = strawberry.field(description="Last day received (at most three years later).")


def _request(given: WorkOrderStatisticsFilter, group_by: str) -> figures.ReportRequest:
    return figures.ReportRequest(
        hall_id=decode_id(given.hall_id, "Hall", ("filter", "hall_id")),
        start=given.from_,
        end=given.to,
        group_by=group_by,
        department_id=decode_optional_id(
            given.department_id, "Department", ("filter", "department_id")
        ),
    )


@strawberry.type
class WorkOrderQuery:
    """Work-order reads."""

    @strawberry.field(
        description=(
            "Work orders, newest first: the hotline centre sees its halls' orders, departments "
            "the orders they lead or co-handle. Callers are masked."
        )
    )
    async def work_orders(
        self,
        info: Info,
        filter: Annotated[  # noqa: A002  (the list's usual argument name)
            WorkOrderFilter | None, strawberry.argument(description="Conditions to meet.")
        ] = None,
        first: Annotated[int, strawberry.argument(description="Page size, 0-100.")] = DEFAULT_PAGE,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the last order seen.")
        ] = None,
    ) -> Connection[WorkOrder]:
        """A page of orders."""
        actor = require_actor(info)
        given = filter or WorkOrderFilter()
        if given.caller_phone and actor.role not in CENTRE_ROLES:
            raise Forbidden("只有热线中心可以按来电号码查询")
        model = queries.WorkOrderFilter(
            hall_id=decode_optional_id(given.hall_id, "Hall", ("filter", "hall_id")),
            department_id=decode_optional_id(
                given.department_id, "Department", ("filter", "department_id")
            ),
            status=given.status,
            category=given.category,
            received_from=given.received_from,
            received_to=given.received_to,
            overdue_on=given.overdue_on,
            caller_phone=given.caller_phone,
        )
        query = await queries.orders_visible(actor, model)
        page = await paginate(query, queries.ORDER, first, decode_cursor(after))
        return to_connection(page, WorkOrder.from_row)

    @strawberry.field(description="One work order by number; null when unknown or not yours.")
    async def work_order(
        self,
        info: Info,
        number: Annotated[str, strawberry.argument(description="The order number.")],
    ) -> WorkOrder | None:
        """The order."""
        actor = require_actor(info)
        if actor.role not in CENTRE_ROLES | HANDLER_ROLES:
            raise Forbidden("无权查看12345工单")
        try:
            order, _ = await order_for(actor, number)
        except NotFound:
            return None
        return WorkOrder.from_row(order)

    @strawberry.field(description="A hotline centre's limits per category and chasing rules.")
    async def work_order_policy(
        self,
        info: Info,
        hall_id: Annotated[relay.GlobalID, strawberry.argument(description="The centre.")],
    ) -> WorkOrderPolicy:
        """The centre's policy."""
        hall = await hall_in_scope(require_actor(info), decode_id(hall_id, "Hall", "hallId"))
        return WorkOrderPolicy.of(await policy_for(hall.id))

    @strawberry.field(
        description=(
            "Hotline figures by received month and lead department: received, signed, closed, "
            "on-time and satisfaction rates with their parts. Departments see their own rows."
        )
    )
    async def work_order_statistics(
        self,
        info: Info,
        filter: Annotated[  # noqa: A002
            WorkOrderStatisticsFilter, strawberry.argument(description="Centre and period.")
        ],
        group_by: Annotated[
            WorkOrderGrouping, strawberry.argument(description="How rows are grouped.")
        ] = WorkOrderGrouping.DEPARTMENT_MONTH,
    ) -> list[WorkOrderFigures]:
        """The report."""
        rows = await figures.report(require_actor(info), _request(filter, group_by.name))
        by_department = group_by.name in ("DEPARTMENT", "DEPARTMENT_MONTH")
        return [
            WorkOrderFigures.of(r, int(r.key.split("/")[0]) if by_department else None)
            for r in rows
        ]

    @strawberry.field(
        description=(
            "The slowest departments of a period: lowest on-time rate first, then the longest "
            "average reply time."
        )
    )
    async def work_order_rankings(
        self,
        info: Info,
        filter: Annotated[  # noqa: A002
            WorkOrderStatisticsFilter, strawberry.argument(description="Centre and period.")
        ],
        first: Annotated[int, strawberry.argument(description="How many, 1-50.")] = 10,
    ) -> list[WorkOrderFigures]:
        """The ranking."""
        if not 1 <= first <= 50:
            raise InvalidInput.single("first", "OUT_OF_RANGE", "名次数应在1到50之间")
        rows = await figures.report(require_actor(info), _request(filter, "DEPARTMENT"))
        ranked = figures.slowest([r for r in rows if r.key != "0"], first)
        return [WorkOrderFigures.of(r, int(r.key)) for r in ranked]
