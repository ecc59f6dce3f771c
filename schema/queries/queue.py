"""Queue reads: the board snapshot."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from models.catalogue.queries import hall_in_scope
from models.queue.actions import business_day
from models.queue.queries import snapshot
from schema.context import Info
from schema.permissions import require_actor
from schema.relay import decode_id
from schema.types.queue import QueueBoard


@strawberry.type
class QueueQuery:
    """Queue reads."""

    @strawberry.field(
        description="The hall's board now (lanes with waiting counts and waits, windows with their ticket, latest calls)."
    )
    async def queue_board(
        self,
        info: Info,
        hall_id: Annotated[relay.GlobalID, strawberry.argument(description="The hall.")],
    ) -> QueueBoard:
        """Board snapshot."""
        hall = await hall_in_scope(require_actor(info), decode_id(hall_id, "Hall", "hallId"))
        day = business_day(hall, info.context.now)
        log = info.context.board_log
        # Read the seq first: events after it may already be in the snapshot, never missing.
        seq = await log.last_seq(hall.id) if log is not None else 0
        return QueueBoard.of(day, seq, await snapshot(hall.id, day), hall.id)
