"""Pure rules of the figures: rates with their terms, periods, previous-year keys, working days."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property

from models.calendar.rules import WorkingCalendar
from models.statistics.parts import COUNTERS


class GroupBy(StrEnum):
    """How the rows of a statistics table are keyed."""

    HALL = "HALL"
    DEPARTMENT = "DEPARTMENT"
    WINDOW = "WINDOW"
    STAFF = "STAFF"
    ITEM = "ITEM"
    DAY = "DAY"
    MONTH = "MONTH"


DATE_DIMENSIONS = frozenset({GroupBy.DAY, GroupBy.MONTH})


class Source(StrEnum):
    """Where figures were read from: the triggers' rollups or the raw tables."""

    ROLLUP = "ROLLUP"
    RAW = "RAW"


@dataclass(frozen=True)
class Rate:
    """A ratio shown with both of its terms; no value when the denominator is 0."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """numerator / denominator, or None."""
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Period:
    """An inclusive range of hall-local dates."""

    start: date
    end: date

    def year_before(self) -> Period:
        """The same dates one year earlier (29 February becomes the 28th)."""
        return Period(year_back(self.start), year_back(self.end))

    def working_days(self, calendar: WorkingCalendar) -> int:
        """Working days of the period by the hall's calendar."""
        return calendar.working_days(self.start, self.end)

    @cached_property
    def whole_months(self) -> bool:
        """Whether the period runs from a month's first day to a month's last."""
        return self.start.day == 1 and month_end(self.end) == self.end


def year_back(day: date) -> date:
    """The same date a year earlier."""
    return year_shift(day, -1)


def year_shift(day: date, years: int) -> date:
    """The same date some years later (or earlier); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def month_end(first: date) -> date:
    """The last day of the month starting at `first`."""
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _date_part(
    group_by: tuple[GroupBy, ...], key: tuple[object, ...]
) -> tuple[GroupBy, date] | None:
    for dim, value in zip(group_by, key, strict=False):
        if dim in DATE_DIMENSIONS and isinstance(value, date):
            return dim, value
    return None


def row_period(group_by: tuple[GroupBy, ...], key: tuple[object, ...], period: Period) -> Period:
    """The dates a row covers: its day, its month within the period, or the whole period."""
    found = _date_part(group_by, key)
    if found is None:
        return period
    dim, day = found
    if dim is GroupBy.DAY:
        return Period(day, day)
    return Period(max(day, period.start), min(month_end(day), period.end))


def shift_key(
    group_by: tuple[GroupBy, ...], key: tuple[object, ...], years: int
) -> tuple[object, ...]:
    """The key of the same row `years` later (dates move, other keys stay)."""
    return tuple(
        year_shift(value, years) if dim in DATE_DIMENSIONS and isinstance(value, date) else value
        for dim, value in zip(group_by, key, strict=True)
    )


def check_dimensions(group_by: tuple[GroupBy, ...]) -> str | None:
    """Why a grouping is refused (None: fine): at most two keys, one of them a date at most."""
    if len(group_by) > 2:
        return "最多按两个维度分组"
    if len(set(group_by)) != len(group_by):
        return "分组维度不能重复"
    if sum(d in DATE_DIMENSIONS for d in group_by) > 1:
        return "最多按一个日期维度分组"
    return None


@dataclass(frozen=True)
class Figures:
    """Every published figure of one row, from its counters and working days."""

    counts: Mapping[str, int] = field(default_factory=dict)
    working_days: int = 0

    def __getattr__(self, name: str) -> int:
        if name in COUNTERS:
            return int(self.counts.get(name, 0))
        raise AttributeError(name)

    def share(self, counter: str) -> Rate:
        """A counter over accepted cases."""
        return Rate(int(self.counts.get(counter, 0)), self.accepted)

    @property
    def daily_average(self) -> Rate:
        """Accepted per working day."""
        return Rate(self.accepted, self.working_days)

    @property
    def on_time_rate(self) -> Rate:
        """Completed by the due date / completed."""
        return Rate(self.completed_on_time, self.completed)

    @property
    def early_rate(self) -> Rate:
        """Completed early / accepted."""
        return Rate(self.completed_early, self.accepted)

    @property
    def promised_early_rate(self) -> Rate:
        """Promised cases completed early / promised cases completed."""
        return Rate(self.completed_promised_early, self.completed_promised)

    @property
    def satisfaction(self) -> Rate:
        """Good ratings / counted ratings."""
        return Rate(self.ratings_good, self.ratings)

    @property
    def average_grade(self) -> Rate:
        """Sum of grades / counted ratings."""
        return Rate(self.grade_sum, self.ratings)

    @property
    def average_wait(self) -> Rate:
        """Seconds from issue to call / called tickets."""
        return Rate(self.wait_seconds, self.tickets_called)

    @property
    def average_service(self) -> Rate:
        """Seconds from call to finish / finished tickets."""
        return Rate(self.service_seconds, self.tickets_finished)


def growth(current: int, previous: int) -> Rate:
    """Year-on-year growth: (current - previous) / previous."""
    return Rate(current - previous, previous)


def add(rows: list[Mapping[str, int]]) -> dict[str, int]:
    """Counters summed."""
    total = dict.fromkeys(COUNTERS, 0)
    for row in rows:
        for name in COUNTERS:
            total[name] += int(row.get(name, 0))
    return total
