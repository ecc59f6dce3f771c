"""Board events: what screens need to know after a queue change (published after commit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class BoardEventKind(StrEnum):
    """Board-relevant changes."""

    TICKET_ISSUED = "TICKET_ISSUED"
    TICKET_CALLED = "TICKET_CALLED"
    TICKET_RECALLED = "TICKET_RECALLED"
    TICKET_SKIPPED = "TICKET_SKIPPED"
    TICKET_TRANSFERRED = "TICKET_TRANSFERRED"
    TICKET_HELD = "TICKET_HELD"
    TICKET_RESUMED = "TICKET_RESUMED"
    TICKET_FINISHED = "TICKET_FINISHED"
    TICKETS_EXPIRED = "TICKETS_EXPIRED"
    WINDOW_OPENED = "WINDOW_OPENED"
    WINDOW_PAUSED = "WINDOW_PAUSED"
    WINDOW_CLOSED = "WINDOW_CLOSED"
    LANE_COUNTS = "LANE_COUNTS"


@dataclass(frozen=True)
class BoardEvent:
    """One change for a hall's screens; `data` holds masked, public values only."""

    hall_id: int
    kind: BoardEventKind
    data: dict[str, object] = field(default_factory=dict)


class EventLog(Protocol):
    """Appends board events to a hall's log, giving each the hall's next `seq`."""

    async def append(self, events: list[BoardEvent]) -> list[int]:
        """Append in order; returns the sequence numbers given."""
        ...
