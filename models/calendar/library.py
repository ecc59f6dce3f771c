"""Official calendars from the chinese-calendar library (the State Council's notices)."""

from __future__ import annotations

from datetime import date
from functools import cache

import chinese_calendar

from models.calendar.rules import CalendarYear, YearSource


@cache
def library_years() -> frozenset[int]:
    """The years the installed library knows."""
    known = {d.year for d in chinese_calendar.holidays} | {
        d.year for d in chinese_calendar.workdays
    }
    return frozenset(known)


def library_year(year: int) -> CalendarYear | None:
    """A year's holidays and make-up working days, or None when the library does not know it."""
    if year not in library_years():
        return None
    holidays = frozenset(d for d in chinese_calendar.holidays if d.year == year)
    workdays = frozenset(d for d in chinese_calendar.workdays if d.year == year)
    return CalendarYear(year=year, source=YearSource.LIBRARY, holidays=holidays, workdays=workdays)


def library_is_working(day: date) -> bool:
    """The library's own answer, for cross-checks."""
    return bool(chinese_calendar.is_workday(day))
