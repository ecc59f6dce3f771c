"""The warning rules: when a case turns yellow or red, and the escalation ladder of red cases.

- YELLOW once the working days left fall to the threshold (default 3, per hall and per item).
  A case whose whole limit is within the threshold (即办件, one-day items) gets no yellow card:
  it would be yellow from the moment it is accepted.
- RED once the due date has passed.
- A red card climbs a ladder of steps (department chief representative, hall supervisor,
  efficiency office), each after a number of working days, each once, inside working hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from models.calendar.rules import CountUnit, WorkingCalendar
from models.cases.tables import AlertLevel
from models.common.checks import Checks

DEFAULT_YELLOW_DAYS = 3
MAX_YELLOW_DAYS = 30


class EscalationTarget(StrEnum):
    """Who a step of the ladder reaches."""

    CHIEF_REP = "CHIEF_REP"
    SUPERVISOR = "SUPERVISOR"
    EFFICIENCY_OFFICE = "EFFICIENCY_OFFICE"


@dataclass(frozen=True)
class EscalationStep:
    """One rung: who is told, and how many working days after the previous rung."""

    target: EscalationTarget
    after_days: int


DEFAULT_STEPS = (
    EscalationStep(EscalationTarget.CHIEF_REP, 0),
    EscalationStep(EscalationTarget.SUPERVISOR, 1),
    EscalationStep(EscalationTarget.EFFICIENCY_OFFICE, 2),
)


@dataclass(frozen=True)
class Policy:
    """A hall's thresholds and ladder."""

    yellow_days: int = DEFAULT_YELLOW_DAYS
    item_yellow_days: tuple[tuple[str, int], ...] = ()  # (item id, days)
    steps: tuple[EscalationStep, ...] = DEFAULT_STEPS
    version: int = 0

    def threshold_for(self, item_id: int) -> int:
        """The yellow threshold of an item (overrides are keyed by item id) in this hall."""
        return dict(self.item_yellow_days).get(str(item_id), self.yellow_days)


def check_policy(checks: Checks, policy: Policy) -> None:
    """Thresholds within 0-30 days, a ladder of 1-3 distinct steps with delays of 0-30 days."""
    checks.int_range("yellow_days", policy.yellow_days, "预警天数", 0, MAX_YELLOW_DAYS)
    for code, days in policy.item_yellow_days:
        checks.int_range(("item_yellow_days", code), days, "事项预警天数", 0, MAX_YELLOW_DAYS)
    checks.int_range("steps", len(policy.steps), "升级督办级数", 1, len(EscalationTarget))
    for index, step in enumerate(policy.steps):
        checks.int_range(("steps", index, "after_days"), step.after_days, "间隔工作日", 0, 30)
    targets = [s.target for s in policy.steps]
    if len(set(targets)) != len(targets):
        checks.fail("steps", "DUPLICATE", "同一督办对象不能重复出现")


def yellow_start(
    calendar: WorkingCalendar, due: date, threshold: int, limit: int, unit: CountUnit
) -> date | None:
    """The first day whose counted days left (after it, up to `due`) are at most `threshold`."""
    if limit <= threshold:
        return None
    day = due
    left = 0
    while True:
        counted = 1 if unit is CountUnit.NATURAL or calendar.is_working(day) else 0
        if left + counted > threshold:
            return day
        left += counted
        day -= timedelta(days=1)


def level_on(today: date, due_on: date | None, yellow_on: date | None, running: bool) -> AlertLevel:
    """The card a case deserves today."""
    if not running or due_on is None:
        return AlertLevel.NONE
    if today > due_on:
        return AlertLevel.RED
    if yellow_on is not None and today >= yellow_on:
        return AlertLevel.YELLOW
    return AlertLevel.NONE
