"""Subscriptions; the hall board and feeds come with the queue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry

from schema.context import Info
from schema.permissions import require_actor


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
