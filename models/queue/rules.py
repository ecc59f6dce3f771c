"""Pure rules of the queue: numbers, calling rank, waits, ticket transitions."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum

from models.queue.errors import TicketStateError
from models.queue.tables import TicketPriority, TicketStatus

PRIORITY_CLASS = {
    TicketPriority.GREEN_CHANNEL: 0,
    TicketPriority.APPOINTMENT: 1,
    TicketPriority.NORMAL: 2,
}
CLASS_SPAN = 1_000_000
# A ticket called back from hold goes ahead of everyone of its class who never left the line.
HOLD_BOOST = 100_000
DEFAULT_MAX_RECALLS = 3
DEFAULT_NEAR_AHEAD = 3
MOBILE_PATTERN = r"1[3-9]\d{9}"


def ticket_number(prefix: str, sequence: int, width: int = 3) -> str:
    """A023: the lane's letter and the day's sequence, zero-padded to the range's width."""
    return f"{prefix}{sequence:0{width}d}"


def number_width(range_end: int) -> int:
    """Digits needed for the lane's highest number (at least 3)."""
    return max(3, len(str(range_end)))


def rank(priority: TicketPriority, issued_local: time, *, boosted: bool = False) -> int:
    """Calling order within a day: priority class, hold boost, then issue time (seconds)."""
    seconds = issued_local.hour * 3600 + issued_local.minute * 60 + issued_local.second
    base = PRIORITY_CLASS[priority] * CLASS_SPAN + seconds
    return base - HOLD_BOOST if boosted else base


@dataclass(frozen=True)
class WaitEstimate:
    """Minutes until the holder is likely called: optimistic and pessimistic."""

    ahead: int
    optimistic_minutes: int
    pessimistic_minutes: int


def estimate_wait(ahead: int, average_minutes: int, open_windows: int) -> WaitEstimate:
    """People ahead x average service time / open windows serving the lane.

    Optimistic: every window serving the lane is open and the lane's average holds. Pessimistic:
    one window fewer (breaks, long cases) and service 50% slower; with no open window, the
    pessimistic figure assumes a single window opening.
    """
    windows = max(open_windows, 1)
    optimistic = math.ceil(ahead * average_minutes / windows)
    slower = max(open_windows - 1, 1)
    pessimistic = math.ceil(ahead * average_minutes * 1.5 / slower)
    return WaitEstimate(ahead, optimistic, max(pessimistic, optimistic))


class TicketAction(StrEnum):
    """What can be done to a ticket."""

    CALL = "CALL"
    RECALL = "RECALL"
    SKIP = "SKIP"
    TRANSFER = "TRANSFER"
    HOLD = "HOLD"
    RESUME = "RESUME"
    FINISH = "FINISH"
    EXPIRE = "EXPIRE"


TRANSITIONS: dict[TicketAction, tuple[frozenset[TicketStatus], TicketStatus | None]] = {
    TicketAction.CALL: (frozenset({TicketStatus.WAITING}), TicketStatus.CALLED),
    TicketAction.RECALL: (frozenset({TicketStatus.CALLED}), None),
    TicketAction.SKIP: (frozenset({TicketStatus.CALLED}), TicketStatus.NO_SHOW),
    TicketAction.TRANSFER: (
        frozenset({TicketStatus.CALLED, TicketStatus.WAITING, TicketStatus.HELD}),
        TicketStatus.WAITING,
    ),
    TicketAction.HOLD: (frozenset({TicketStatus.CALLED}), TicketStatus.HELD),
    TicketAction.RESUME: (frozenset({TicketStatus.HELD}), TicketStatus.WAITING),
    TicketAction.FINISH: (frozenset({TicketStatus.CALLED}), TicketStatus.FINISHED),
    TicketAction.EXPIRE: (
        frozenset({TicketStatus.WAITING, TicketStatus.HELD, TicketStatus.CALLED}),
        TicketStatus.EXPIRED,
    ),
}

LABELS = {
    TicketStatus.WAITING: "等候中",
    TicketStatus.CALLED: "已叫号",
    TicketStatus.HELD: "已挂起",
    TicketStatus.FINISHED: "已办结",
    TicketStatus.NO_SHOW: "过号",
    TicketStatus.EXPIRED: "已作废",
}


def next_ticket_status(action: TicketAction, current: TicketStatus) -> TicketStatus:
    """The status after an action, or TicketStateError naming the current one."""
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        raise TicketStateError(
            f"号票当前状态为「{LABELS[current]}」，不能执行该操作", current_state=current.value
        )
    return current if target is None else target


def valid_mobile(phone: str) -> bool:
    """A mainland mobile number."""
    return re.fullmatch(MOBILE_PATTERN, phone) is not None


def local_time(moment: datetime, tz: object) -> time:
    """The wall-clock time of a moment in a time zone."""
    return moment.astimezone(tz).time()  # type: ignore[arg-type]
