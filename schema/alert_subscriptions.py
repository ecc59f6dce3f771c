"""The deadlineAlerts subscription: cards raised, cleared and escalated as they happen."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from strawberry import relay

from models.alerts.queries import events_after, last_event_id
from models.catalogue.queries import hall_in_scope
from models.catalogue.tables import Department, Hall
from models.common.errors import NotFound
from schema.context import Info
from schema.permissions import require_actor
from schema.relay import decode_id
from schema.types.alerts import AlertEvent


@strawberry.type
class AlertSubscription:
    """Live alert events."""

    @strawberry.subscription(
        description=(
            "YELLOW, RED, CLEARED (and ESCALATED) alert events of the cases you may see, for a "
            "hall or a department. With `afterSeq`, first the events after it in order, then live "
            "ones; without it, live ones from now."
        )
    )
    async def deadline_alerts(
        self,
        info: Info,
        hall_id: Annotated[
            relay.GlobalID | None, strawberry.argument(description="Cases received at this hall.")
        ] = None,
        department_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="Cases handled by this department."),
        ] = None,
        after_seq: Annotated[
            int | None, strawberry.argument(description="The last event `seq` you have.")
        ] = None,
    ) -> AsyncGenerator[AlertEvent, None]:
        """Stream alert events."""
        actor = require_actor(info)
        feed = info.context.alert_feed
        if feed is None:
            raise RuntimeError("deadlineAlerts needs the alert feed")
        hall_ids: list[int] | None = None
        if hall_id is not None:
            hall_ids = [(await hall_in_scope(actor, decode_id(hall_id, "Hall", "hallId"))).id]
        elif actor.hall_path is not None:
            rows = await Hall.filter(path__startswith=actor.hall_path).values_list("id", flat=True)
            hall_ids = [int(str(r)) for r in rows]
        department: int | None = None
        if department_id is not None:
            department = decode_id(department_id, "Department", "departmentId")
            row = await Department.get_or_none(id=department).only("id", "hall_id")
            hall = await Hall.get_or_none(id=row.hall_id).only("path") if row else None
            if hall is None or not actor.sees(hall.path):
                # Another hall's department answers like an unknown one (no hall id, no hint).
                raise NotFound("部门", str(department_id))
            if hall_id is None:
                hall_ids = None  # a department's cases may be received at other halls
        last = max(after_seq, 0) if after_seq is not None else await last_event_id()
        async for _ in feed.watch():
            for event in await events_after(hall_ids, department, last):
                last = event.id
                yield AlertEvent.from_row(event)
