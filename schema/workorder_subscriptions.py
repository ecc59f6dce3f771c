"""workOrderUpdates: one order's events, gap-free and in order, resumable with afterSeq."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from models.workorders import queries
from models.workorders.actions import order_for
from schema.context import Info
from schema.permissions import require_actor
from schema.types.workorders import WorkOrderEvent, caller_names


@strawberry.type
class WorkOrderSubscription:
    """Work-order subscriptions."""

    @strawberry.subscription(
        description=(
            "The events of one work order (the centre, or a lead or co-handling department). "
            "With `afterSeq`, first the events after it, then live ones; without it, live ones."
        )
    )
    async def work_order_updates(
        self,
        info: Info,
        number: Annotated[str, strawberry.argument(description="The order number.")],
        after_seq: Annotated[
            int | None,
            strawberry.argument(description="The last event `seq` you have; 0 replays everything."),
        ] = None,
    ) -> AsyncGenerator[WorkOrderEvent, None]:
        """Stream an order's events."""
        actor = require_actor(info)
        feed = info.context.work_order_feed
        if feed is None:
            raise RuntimeError("workOrderUpdates needs a work-order feed")
        order, _ = await order_for(actor, number)
        last = order.event_count if after_seq is None else max(after_seq, 0)
        names = caller_names(order)
        async for _ in feed.watch(order.id):
            for event in await queries.events_after(order.id, last):
                last = event.seq
                yield WorkOrderEvent.from_row(event, order.number, names)
