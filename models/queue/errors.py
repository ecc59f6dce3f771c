"""Exceptions of the queue, one per business failure."""

from __future__ import annotations

from models.common.errors import IllegalState, NotFound


class TicketStateError(IllegalState):
    """The ticket's current state does not allow the action."""

    def __init__(self, message: str, *, current_state: str, code: str = "TICKET_STATE") -> None:
        super().__init__(message, code=code, current_state=current_state)


class TicketNotFound(NotFound):
    """No such ticket in the actor's scope."""

    def __init__(self, key: str) -> None:
        super().__init__("号票", key)


class LaneFull(IllegalState):
    """The lane reached its daily cap or the end of its number range."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="LANE_FULL", current_state="FULL")


class HallClosed(IllegalState):
    """Tickets are issued only while the hall is open (before the cut-off)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="HALL_CLOSED", current_state="CLOSED")


class NothingToCall(IllegalState):
    """No ticket waits for the lanes the window serves."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="QUEUE_EMPTY", current_state="EMPTY")


class BookingLimited(IllegalState):
    """Repeated no-shows suspend booking for a while."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="BOOKING_LIMITED", current_state="LIMITED")
