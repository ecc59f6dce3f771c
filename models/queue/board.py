"""Board events: what screens need to know after a queue change (published after commit)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from models.common.errors import IllegalState


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
    ALERT_RAISED = "ALERT_RAISED"
    ALERT_CLEARED = "ALERT_CLEARED"
    ALERT_ESCALATED = "ALERT_ESCALATED"


@dataclass(frozen=True)
class BoardEvent:
    """One change for a hall's screens; `data` holds masked, public values only."""

    hall_id: int
    kind: BoardEventKind
    data: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class LoggedEvent:
    """A board event as stored in the log: its hall, seq, kind and JSON data."""

    hall_id: int
    seq: int
    kind: str
    data: dict[str, Any]


class ResumeTooOld(IllegalState):
    """The events after the given seq were trimmed from the log: reload queueBoard."""

    def __init__(self) -> None:
        super().__init__(
            "错过的事件已过期，请重新加载看板", code="RESYNC_REQUIRED", current_state="TRIMMED"
        )


class EventLog(Protocol):
    """A hall's event log: append with the hall's next `seq`, follow from a seq."""

    async def append(self, events: list[BoardEvent]) -> list[int]:
        """Append in order; returns the sequence numbers given."""
        ...

    async def last_seq(self, hall_id: int) -> int:
        """The hall's latest seq (0 before the first event)."""
        ...

    def follow(self, hall_id: int, after_seq: int | None) -> AsyncIterator[LoggedEvent]:
        """Events after `after_seq` (or from now), then live ones, in order, no duplicates."""
        ...
