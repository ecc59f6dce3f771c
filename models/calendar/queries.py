"""Reads of calendar data: the working calendar of a hall or a region."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import cast

from tortoise import connections

from models.calendar.hours import DEFAULT_HOURS, OpeningHours, hours_from_json
from models.calendar.library import library_year, library_years
from models.calendar.rules import CalendarYear, WorkingCalendar, YearSource, provisional_year
from models.calendar.tables import NATIONAL, CalendarYearRecord, HallClosure, HallHours
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


# The official rows of some years (national and regional) and a hall's closures in those years.
YEARS_AND_CLOSURES = (
    "SELECT c.region, c.year, c.source, c.holidays, c.workdays, NULL::date AS day"
    " FROM calendar_year c WHERE c.region = ANY($1) AND c.year = ANY($2)"
    " UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, h.day FROM hall_closure h"
    " WHERE h.hall_id = $3 AND h.day BETWEEN $4 AND $5"
)


def _days(value: object) -> frozenset[date]:
    listed = json.loads(value) if isinstance(value, str | bytes) else value
    return frozenset(date.fromisoformat(d) for d in cast("list[str]", listed))


async def hall_calendar_of_years(hall: Hall, years: Collection[int]) -> WorkingCalendar:
    """`hall_calendar` holding only the given years (one round trip): enough to count a period.

    Other years read as provisional in the result, so callers ask only about days inside them.
    """
    wanted = sorted(set(years))
    library = _library_calendar()
    found = {year: library[year] for year in wanted if year in library}
    region = hall.region[:6]
    codes = [NATIONAL] if region == NATIONAL else [NATIONAL, region]
    first, last = date(wanted[0], 1, 1), date(wanted[-1], 12, 31)
    rows = await connections.get("default").execute_query_dict(
        YEARS_AND_CLOSURES, [codes, wanted, hall.id, first, last]
    )
    closures = {row["day"] for row in rows if row["day"] is not None}
    official = [row for row in rows if row["day"] is None]
    for row in sorted(official, key=lambda r: r["region"] != NATIONAL):
        found[row["year"]] = CalendarYear(
            year=row["year"],
            source=YearSource(row["source"]),
            holidays=_days(row["holidays"]),
            workdays=_days(row["workdays"]),
        )
    return WorkingCalendar(years=found, closures=frozenset(d for d in closures if d.year in wanted))


@dataclass(frozen=True)
class YearView:
    """A year as `workingCalendar` shows it: its data and where it came from."""

    region: str
    year: int
    data: CalendarYear
    notice: str
    loaded_at: datetime | None


async def year_view(region: str, year: int) -> YearView:
    """The year in force for a region: its own notice, the national row, the library, or weekends only."""
    codes = [region] if region == NATIONAL else [region, NATIONAL]
    rows = {r.region: r for r in await CalendarYearRecord.filter(region__in=codes, year=year)}
    for code in codes:
        row = rows.get(code)
        if row is not None:
            return YearView(code, year, _year_of(row), row.notice, row.loaded_at)
    known = _library_calendar().get(year)
    if known is not None:
        return YearView(NATIONAL, year, known, "chinese-calendar", None)
    return YearView(region, year, provisional_year(year), "", None)


async def hall_hours(hall_id: int) -> OpeningHours:
    """A hall's opening hours (the default when none were set)."""
    row = await HallHours.get_or_none(hall_id=hall_id)
    if row is None:
        return DEFAULT_HOURS
    return hours_from_json(row.sessions, row.ticket_cutoff_minutes, row.carry_over)


async def closures_between(hall_id: int, start: date, end: date) -> list[HallClosure]:
    """A hall's local closures in a date range, in order."""
    return await HallClosure.filter(hall_id=hall_id, day__gte=start, day__lte=end).order_by("day")
