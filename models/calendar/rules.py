"""Pure calendar and deadline arithmetic: no clock, no database; time is a parameter.

Counting rules (DOMAIN.md "Working days and deadlines"):
- the day of acceptance does not count; the due date is the N-th working day after it
  (natural days: the N-th calendar day); IMMEDIATE items (N = 0) are due the same day;
- a suspension stops the clock: the working days from the day after it started up to and
  including the day it ended push the due date back (a suspension that starts and ends on the
  same day costs nothing);
- approved extensions add working (or natural) days on top;
- a year with no official data is PROVISIONAL (weekends only), and so is every deadline whose
  computation looked at such a year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum


class YearSource(StrEnum):
    """Where a year's calendar comes from."""

    LIBRARY = "LIBRARY"
    NOTICE = "NOTICE"
    PROVISIONAL = "PROVISIONAL"


class CountUnit(StrEnum):
    """The unit a time limit is counted in (mirrors the catalogue's DayUnit)."""

    WORKING = "WORKING"
    NATURAL = "NATURAL"


@dataclass(frozen=True)
class CalendarYear:
    """One year of official data: holidays on weekdays and make-up working weekend days."""

    year: int
    source: YearSource
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def is_working(self, day: date) -> bool:
        """Whether the day is a working day by this year's data."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


def provisional_year(year: int) -> CalendarYear:
    """A year with no official notice yet: weekends only."""
    return CalendarYear(year=year, source=YearSource.PROVISIONAL)


@dataclass(frozen=True)
class WorkingCalendar:
    """Years of official data plus a hall's local closures."""

    years: dict[int, CalendarYear] = field(default_factory=dict)
    closures: frozenset[date] = frozenset()

    def year(self, year: int) -> CalendarYear:
        """The data of a year (provisional when none is loaded)."""
        return self.years.get(year) or provisional_year(year)

    def is_working(self, day: date) -> bool:
        """Whether the hall works on that day."""
        return day not in self.closures and self.year(day.year).is_working(day)

    def is_provisional(self, year: int) -> bool:
        """Whether a year has no official data."""
        return self.year(year).source is YearSource.PROVISIONAL

    def working_days(self, start: date, end: date) -> int:
        """Working days d with start <= d <= end (0 when end < start).

        Weekdays counted by arithmetic, then corrected by the few special days in range:
        weekday holidays out, make-up weekend days in, working days the hall closed out.
        """
        if end < start:
            return 0
        weeks, rest = divmod((end - start).days + 1, 7)
        count = weeks * 5 + sum((start.weekday() + n) % 7 < 5 for n in range(rest))
        for number in range(start.year, end.year + 1):
            year = self.year(number)
            count -= sum(
                start <= d <= end and d.weekday() < 5 and d not in year.workdays
                for d in year.holidays
            )
            count += sum(start <= d <= end and d.weekday() >= 5 for d in year.workdays)
        return count - sum(
            start <= d <= end and self.year(d.year).is_working(d) for d in self.closures
        )


@dataclass(frozen=True)
class Pause:
    """A stretch of time that does not count (a suspension); `end` None while it lasts."""

    start: date
    end: date | None = None


@dataclass(frozen=True)
class Deadline:
    """A computed due date and whether it rests on provisional calendar data."""

    due: date
    provisional: bool
    years: frozenset[int]


class _Walker:
    """Walks days on a calendar, remembering which years it looked at."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar
        self.years: set[int] = set()

    def working(self, day: date) -> bool:
        self.years.add(day.year)
        return self.calendar.is_working(day)

    def add(self, start: date, days: int, unit: CountUnit) -> date:
        """The `days`-th counted day after `start` (start itself not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        if unit is CountUnit.NATURAL:
            self.years.update({start.year, (start + timedelta(days=days)).year})
            return start + timedelta(days=days)
        day = start
        remaining = days
        while remaining:
            day += timedelta(days=1)
            if self.working(day):
                remaining -= 1
        self.years.add(day.year)
        return day

    def between(self, start: date, end: date, unit: CountUnit) -> int:
        """Counted days d with start < d <= end."""
        if end <= start:
            return 0
        if unit is CountUnit.NATURAL:
            return (end - start).days
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.working(day):
                count += 1
        return count


def add_days(calendar: WorkingCalendar, start: date, days: int, unit: CountUnit) -> Deadline:
    """The `days`-th working (or natural) day after `start`."""
    walker = _Walker(calendar)
    due = walker.add(start, days, unit)
    return _deadline(calendar, due, walker.years)


def count_days(calendar: WorkingCalendar, start: date, end: date, unit: CountUnit) -> int:
    """Working (or natural) days d with start < d <= end."""
    return _Walker(calendar).between(start, end, unit)


def due_date(
    calendar: WorkingCalendar,
    *,
    accepted_on: date,
    limit: int,
    unit: CountUnit,
    pauses: Iterable[Pause] = (),
    extension: int = 0,
    today: date | None = None,
) -> Deadline:
    """The due date of a deadline with its suspensions and approved extensions.

    An open pause counts up to `today` (the clock is stopped); without `today` it counts nothing.
    """
    walker = _Walker(calendar)
    paused = 0
    for pause in pauses:
        end = pause.end or today
        if end is not None:
            paused += walker.between(pause.start, end, unit)
    due = walker.add(accepted_on, limit + extension + paused, unit)
    return _deadline(calendar, due, walker.years)


def _deadline(calendar: WorkingCalendar, due: date, years: set[int]) -> Deadline:
    looked = frozenset(years)
    return Deadline(
        due=due, provisional=any(calendar.is_provisional(y) for y in looked), years=looked
    )


def remaining_days(calendar: WorkingCalendar, today: date, due: date, unit: CountUnit) -> int:
    """Counted days left after today up to the due date; negative once it has passed."""
    if due >= today:
        return count_days(calendar, today, due, unit)
    return -count_days(calendar, due, today, unit)
