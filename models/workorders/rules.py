"""The rules of the closed loop: who moves an order where, its deadlines and the centre's policy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from models.alerts.rules import yellow_start
from models.calendar.rules import CountUnit, WorkingCalendar, add_days
from models.common.checks import Checks
from models.common.errors import IllegalState
from models.workorders.tables import WorkOrderCategory, WorkOrderStatus

CATEGORY_LABELS = {
    WorkOrderCategory.EMERGENCY: "紧急求助",
    WorkOrderCategory.ENQUIRY: "咨询",
    WorkOrderCategory.HELP: "求助",
    WorkOrderCategory.COMPLAINT: "投诉",
    WorkOrderCategory.SUGGESTION: "建议",
}
# One bureau's published rule: emergencies the same day, enquiries and help in 3 working days,
# complaints (and suggestions) in 13.
DEFAULT_LIMITS = {
    WorkOrderCategory.EMERGENCY: 0,
    WorkOrderCategory.ENQUIRY: 3,
    WorkOrderCategory.HELP: 3,
    WorkOrderCategory.COMPLAINT: 13,
    WorkOrderCategory.SUGGESTION: 13,
}
MAX_EXTENSION = 15
RUNNING = frozenset({WorkOrderStatus.DISPATCHED, WorkOrderStatus.SIGNED})
PHONE = re.compile(r"\+?[0-9-]{5,20}")


class Step(StrEnum):
    """The moves of the closed loop (each one an event kind)."""

    CREATE = "CREATED"
    DISPATCH = "DISPATCHED"
    SIGN = "SIGNED"
    RETURN = "RETURNED"
    REPLY = "REPLIED"
    CALLBACK = "CALLBACK"
    CLOSE = "CLOSED"
    REWORK = "REWORK"
    REOPEN = "REOPENED"


MOVES: dict[Step, tuple[frozenset[WorkOrderStatus], WorkOrderStatus]] = {
    Step.DISPATCH: (
        frozenset({WorkOrderStatus.RECEIVED, WorkOrderStatus.RETURNED}),
        WorkOrderStatus.DISPATCHED,
    ),
    Step.SIGN: (frozenset({WorkOrderStatus.DISPATCHED}), WorkOrderStatus.SIGNED),
    Step.RETURN: (RUNNING, WorkOrderStatus.RETURNED),
    Step.REPLY: (frozenset({WorkOrderStatus.SIGNED}), WorkOrderStatus.REPLIED),
    Step.CLOSE: (frozenset({WorkOrderStatus.REPLIED}), WorkOrderStatus.CLOSED),
    Step.REWORK: (frozenset({WorkOrderStatus.REPLIED}), WorkOrderStatus.DISPATCHED),
    Step.REOPEN: (frozenset({WorkOrderStatus.CLOSED}), WorkOrderStatus.DISPATCHED),
}


def next_status(step: Step, current: WorkOrderStatus) -> WorkOrderStatus:
    """Where a move leads from the current status, or a clear refusal."""
    allowed, target = MOVES[step]
    if current not in allowed:
        raise IllegalState(
            f"工单当前状态（{current.value}）不能{step.value}",
            code="WORK_ORDER_STATE",
            current_state=current.value,
        )
    return target


@dataclass(frozen=True)
class Policy:
    """A hotline centre's limits and chasing rules (version 0: the defaults)."""

    limits: dict[WorkOrderCategory, int] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    yellow_days: int = 1
    report_after_days: int = 5
    rework_days: int = 5
    max_reworks: int = 1
    version: int = 0

    def limit(self, category: WorkOrderCategory) -> int:
        """Working days to reply for a category."""
        return self.limits.get(category, DEFAULT_LIMITS[category])


def check_policy(checks: Checks, policy: Policy) -> None:
    """Bounds of a centre's policy."""
    for category, days in policy.limits.items():
        checks.int_range(("limits", category.value), days, "办理时限", 0, 60)
    checks.int_range("yellow_days", policy.yellow_days, "预警天数", 0, 10)
    checks.int_range("report_after_days", policy.report_after_days, "通报天数", 1, 30)
    checks.int_range("rework_days", policy.rework_days, "重办时限", 1, 30)
    checks.int_range("max_reworks", policy.max_reworks, "重办次数", 0, 5)


@dataclass(frozen=True)
class Clock:
    """An order's deadline and the day its yellow card is due."""

    due_on: date
    yellow_on: date | None


def clock(
    calendar: WorkingCalendar, start: date, limit: int, extension: int, yellow_days: int
) -> Clock:
    """The due date `limit + extension` working days after `start` (0: the same day)."""
    total = limit + extension
    due = add_days(calendar, start, total, CountUnit.WORKING).due if total else start
    return Clock(due, yellow_start(calendar, due, yellow_days, total, CountUnit.WORKING))


def report_due(calendar: WorkingCalendar, due_on: date, after_days: int) -> date:
    """The day after which a still-running breached order is formally reported (通报)."""
    return add_days(calendar, due_on, after_days, CountUnit.WORKING).due


def order_number(hall_code: str, day: date, sequence: int) -> str:
    """GD-<hall>-<yyyymmdd>-<nnnnnn>."""
    return f"GD-{hall_code}-{day:%Y%m%d}-{sequence:06d}"
