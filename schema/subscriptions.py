"""Subscriptions: a heartbeat and case updates; the hall board and feeds come with the queue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry

from models.cases import queries as case_queries
from schema.context import Info
from schema.permissions import require_actor
from schema.types.cases import CaseEvent


@strawberry.type(description="A tick of the server clock.")
class Heartbeat:
    """Heartbeat event."""

    at: datetime = strawberry.field(description="The server's time.")
    seq: int = strawberry.field(description="Counts up from 1 on each subscription.")


@strawberry.type
class Subscription:
    """Live events."""

    @strawberry.subscription(
        description="The server time every `intervalSeconds` (1-60): lets a screen check its live link."
    )
    async def heartbeat(
        self,
        info: Info,
        interval_seconds: Annotated[
            int, strawberry.argument(description="Seconds between ticks.")
        ] = 10,
    ) -> AsyncGenerator[Heartbeat, None]:
        """Tick until the client unsubscribes."""
        require_actor(info)
        interval = min(max(interval_seconds, 1), 60)
        seq = 0
        while True:
            seq += 1
            yield Heartbeat(at=info.context.now, seq=seq)
            await asyncio.sleep(interval)

    @strawberry.subscription(
        description=(
            "The events of one case as they happen. With `afterSeq`, first every event after it "
            "(in order, without gaps or duplicates), then live ones; without it, only new ones."
        )
    )
    async def case_updates(
        self,
        info: Info,
        number: Annotated[str, strawberry.argument(description="The case number.")],
        after_seq: Annotated[
            int | None,
            strawberry.argument(description="The last event `seq` you have; 0 replays everything."),
        ] = None,
    ) -> AsyncGenerator[CaseEvent, None]:
        """Stream a case's events."""
        actor = require_actor(info)
        feed = info.context.case_feed
        if feed is None:
            raise RuntimeError("caseUpdates needs a case feed")
        case, _ = await case_queries.case_for(actor, number)
        last = case.event_count if after_seq is None else max(after_seq, 0)
        async for _ in feed.watch(case.id):
            for event in await case_queries.events_after(case.id, last):
                last = event.seq
                yield CaseEvent.from_row(event, case.number)
