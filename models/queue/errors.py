"""Exceptions of the queue, one per business failure."""

from __future__ import annotations

from models.common.errors import DomainError, IllegalState, NotFound


class TicketStateError(IllegalState):
    """The ticket's current state does not allow the action."""

    def __init__(self, message: str, *, current_state: str, code: str = "TICKET_STATE") -> None:
        super().__init__(message, code=code, current_state=current_state)


class TicketNotFound(NotFound):
    """No such ticket in the actor's scope."""

    def __init__(self, key: str) -> None:
        super().__init__("号票", key)


class LaneFull(DomainError):
    """The lane reached its daily cap or the end of its number range."""

    code = "LANE_FULL"


class HallClosed(DomainError):
    """Tickets are issued only while the hall is open (before the cut-off)."""

    code = "HALL_CLOSED"


class NothingToCall(DomainError):
    """No ticket waits for the lanes the window serves."""

    code = "QUEUE_EMPTY"


class BookingLimited(DomainError):
    """Repeated no-shows suspend booking for a while."""

    code = "BOOKING_LIMITED"
