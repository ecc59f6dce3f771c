"""Reads of calendar data: the working calendar of a hall or a region."""

from __future__ import annotations

from datetime import date
from functools import cache

from models.calendar.library import library_year, library_years
from models.calendar.rules import CalendarYear, WorkingCalendar, YearSource
from models.calendar.tables import NATIONAL, CalendarYearRecord, HallClosure
from models.catalogue.tables import Hall


def _year_of(row: CalendarYearRecord) -> CalendarYear:
    return CalendarYear(
        year=row.year,
        source=YearSource(row.source),
        holidays=frozenset(date.fromisoformat(d) for d in row.holidays),
        workdays=frozenset(date.fromisoformat(d) for d in row.workdays),
    )


@cache
def _library_calendar() -> dict[int, CalendarYear]:
    found = {year: library_year(year) for year in library_years()}
    return {year: data for year, data in found.items() if data is not None}


async def region_calendar(region: str) -> WorkingCalendar:
    """The official years of a region: its own rows over national ones over the library's."""
    years = dict(_library_calendar())
    codes = [NATIONAL] if region == NATIONAL else [NATIONAL, region]
    rows = await CalendarYearRecord.filter(region__in=codes)
    for row in sorted(rows, key=lambda r: r.region != NATIONAL):
        years[row.year] = _year_of(row)
    return WorkingCalendar(years=years)


async def hall_calendar(hall: Hall) -> WorkingCalendar:
    """A hall's working calendar: its region's years plus its local closures."""
    calendar = await region_calendar(hall.region[:6])
    closures = [c.day for c in await HallClosure.filter(hall_id=hall.id).only("day")]
    return WorkingCalendar(years=calendar.years, closures=frozenset(closures))
