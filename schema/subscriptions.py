"""Subscriptions: a heartbeat and case updates; the hall board and feeds come with the queue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay

from models.cases import queries as case_queries
from models.catalogue.queries import hall_in_scope
from models.queue.actions import concerns_window, served_lane_ids
from models.queue.queries import window_in_scope
from schema.context import Info
from schema.permissions import require_actor
from schema.relay import decode_id
from schema.types.cases import CaseEvent, case_personal_names
from schema.types.queue import BoardEventPayload


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
        names = case_personal_names(case)
        async for _ in feed.watch(case.id):
            for event in await case_queries.events_after(case.id, last):
                last = event.seq
                yield CaseEvent.from_row(event, case.number, names)

    @strawberry.subscription(
        description=(
            "Every board event of a hall with its `seq`. With `afterSeq`, first the events after it "
            "in order, then live ones; without it, live ones from now. When the missed events were "
            "trimmed, the subscription ends with RESYNC_REQUIRED: load queueBoard and subscribe "
            "again with the seq you see next."
        )
    )
    async def hall_board(
        self,
        info: Info,
        hall_id: Annotated[relay.GlobalID, strawberry.argument(description="The hall.")],
        after_seq: Annotated[
            int | None, strawberry.argument(description="The last `seq` you have.")
        ] = None,
    ) -> AsyncGenerator[BoardEventPayload, None]:
        """Stream a hall's board events."""
        actor = require_actor(info)
        board = info.context.board_log
        if board is None:
            raise RuntimeError("hallBoard needs the hall event log")
        hall = await hall_in_scope(actor, decode_id(hall_id, "Hall", "hallId"))
        async for event in board.follow(hall.id, after_seq):
            yield BoardEventPayload.of(event)

    @strawberry.subscription(
        description=(
            "What one window's clerk needs live: board events of the lanes it serves, tickets "
            "sent to it, and its own state. Same `seq` and resume rules as hallBoard."
        )
    )
    async def window_feed(
        self,
        info: Info,
        window_id: Annotated[relay.GlobalID, strawberry.argument(description="The window.")],
        after_seq: Annotated[
            int | None, strawberry.argument(description="The last `seq` you have.")
        ] = None,
    ) -> AsyncGenerator[BoardEventPayload, None]:
        """Stream the events that concern one window."""
        actor = require_actor(info)
        board = info.context.board_log
        if board is None:
            raise RuntimeError("windowFeed needs the hall event log")
        window = await window_in_scope(actor, decode_id(window_id, "Window", "windowId"))
        lanes = set(await served_lane_ids(window))
        async for event in board.follow(window.hall_id, after_seq):
            if concerns_window(event.data, window.id, lanes):
                yield BoardEventPayload.of(event)
