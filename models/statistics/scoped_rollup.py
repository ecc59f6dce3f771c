"""A rollup question in one statement: the hall, its subtree, both periods' counters, and the
version of the calendar rows the working days come from.

The statistics read took three round trips (the hall with its subtree, the two periods from a
rollup table, the hall's calendar of those years). Here the first two are one statement whose
row(s) also carry a version of the calendar rows (a digest of each official year's fields, and
the hall's closure days in those years); the decoded calendar is remembered per hall, years and
version, so it is read again only after a change, from any process.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from typing import Any

from models.calendar.queries import hall_calendar_of_years
from models.calendar.rules import WorkingCalendar
from models.calendar.tables import NATIONAL
from models.catalogue.tables import Hall
from models.common.records import fetch_records
from models.statistics.parts import COUNTERS
from models.statistics.reads import (
    Counts,
    Dimensions,
    Scope,
    rollup_sql,
    summed_periods,
)
from models.statistics.rules import Period

MAX_CALENDARS = 256
# Periods whose working days one remembered calendar keeps (a table by day: a row per day).
MAX_PERIODS = 4096

# Hall columns and the statement's own columns must not meet in one row.
assert not set(Hall._meta.db_fields) & {*COUNTERS, "_period", "_subtree", "_calendar"}  # noqa: S101


@dataclass(frozen=True)
class ScopedRollup:
    """The hall asked about, its subtree and both periods' counters."""

    # The hall's columns as the driver returned them (its model is made when first asked for:
    # a table that shows no hall needs only its path).
    hall_record: Mapping[str, Any]
    subtree: tuple[int, ...]
    current: Counts
    previous: Counts
    calendar_version: tuple[Any, ...]

    @property
    def hall_path(self) -> str:
        """The hall's path (what an actor's scope is checked against)."""
        return str(self.hall_record["path"])

    @cached_property
    def hall(self) -> Hall:
        """The hall's model."""
        return Hall._init_from_db(**{name: self.hall_record[name] for name in Hall._meta.db_fields})

    def hall_model(self) -> Hall:
        """The hall's model (a callable for whoever makes it only when asked)."""
        return self.hall


def _statement(grain: str, scope: Scope, group_by: Dimensions) -> str:
    """The hall's row (its `_period` null), then both periods' rows, in one statement.

    Parameters: $1 the hall, $2-$3 the first period, then the narrowing keys, then the second
    period, the calendar years and the first and last day of those years.
    """
    sql, values = rollup_sql(grain, scope, group_by)
    last = len(values) + 2
    first = sql.replace("= ANY($1)", "= ANY((SELECT _subtree FROM h)::int[])")
    second = first.replace("BETWEEN $2 AND $3", f"BETWEEN ${last + 1} AND ${last + 2}")
    years, year_from, year_to = last + 3, last + 4, last + 5
    fields = Hall._meta.db_fields
    counted = [f"g{n}" for n in range(max(len(group_by), 1))] + list(COUNTERS)
    hall_nulls = ", ".join("NULL" for _ in range(len(fields) + 2))
    columns = ", ".join(f'h."{name}"' for name in fields)
    # What the decoded calendar is made of: each official year's fields and the closure days.
    version = (
        "coalesce((SELECT string_agg(concat_ws(':', c.region, c.year, c.source,"  # noqa: S608  (SQL from constants; values are parameters)
        " md5(c.holidays::text || '|' || c.workdays::text)), ',' ORDER BY c.region, c.year)"
        f" FROM calendar_year c WHERE c.region IN ('{NATIONAL}', left(h.region, 6))"
        f" AND c.year = ANY(${years})), '') || '/' || coalesce((SELECT string_agg(x.day::text,"
        " ',' ORDER BY x.day) FROM hall_closure x WHERE x.hall_id = h.id"
        f" AND x.day BETWEEN ${year_from} AND ${year_to}), '')"
    )
    return (
        "WITH h AS (SELECT h.*, ARRAY(SELECT s.id FROM hall s WHERE starts_with(s.path, h.path)"  # noqa: S608  (SQL from constants; values are parameters)
        " ORDER BY s.id) AS _subtree FROM hall h WHERE h.id = $1)"
        f" SELECT {columns}, h._subtree, {version} AS _calendar,"
        f" NULL AS _period, {', '.join(f'NULL AS {name}' for name in counted)} FROM h"
        f" UNION ALL SELECT {hall_nulls}, 0, a.* FROM ({first}) a"
        f" UNION ALL SELECT {hall_nulls}, 1, b.* FROM ({second}) b"
    )


@lru_cache(maxsize=512)
def _statement_of_shape(grain: str, narrowed: tuple[str, ...], group_by: Dimensions) -> str:
    """The statement for a grain, the names of the narrowing keys (in Scope order) and a
    grouping: the text depends on those alone, the values are parameters."""
    return _statement(grain, Scope(hall_ids=(), **dict.fromkeys(narrowed, 0)), group_by)


async def scoped_rollup_pair(
    hall_id: int,
    grain: str,
    scope: Scope,
    group_by: Dimensions,
    *,
    periods: tuple[Period, Period],
    years: Sequence[int],
) -> ScopedRollup | None:
    """The hall, its subtree and the two periods' counters from one rollup table (None: no hall).

    `scope`'s halls are ignored: the hall's subtree is read in the statement itself.
    """
    first, second = periods
    wanted = sorted(set(years))
    narrowed = scope.narrowed()
    params = [
        hall_id, first.start, first.end, *narrowed.values(), second.start, second.end, wanted,
        date(wanted[0], 1, 1), date(wanted[-1], 12, 31),
    ]  # fmt: skip
    statement = _statement_of_shape(grain, tuple(narrowed), group_by)
    # The driver's records as they come (read by column name): no dict made of each row.
    rows = await fetch_records(statement, params)
    head = next((row for row in rows if row["_period"] is None), None)
    if head is None:
        return None
    current, previous = summed_periods([r for r in rows if r["_period"] is not None], group_by)
    return ScopedRollup(
        hall_record=head,
        subtree=tuple(int(i) for i in head["_subtree"]),
        current=current,
        previous=previous,
        calendar_version=(head["id"], head["region"], tuple(wanted), head["_calendar"]),
    )


class RememberedCalendar:
    """A hall's calendar of some years and the working days of the periods asked of it so far."""

    __slots__ = ("calendar", "days")

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar
        self.days: dict[Period, int] = {}

    def working_days(self, period: Period) -> int:
        """The period's working days, counted once per calendar version."""
        days = self.days.get(period)
        if days is None:
            if len(self.days) >= MAX_PERIODS:
                self.days.clear()
            days = self.days[period] = period.working_days(self.calendar)
        return days


_calendars: dict[tuple[Any, ...], RememberedCalendar] = {}


async def calendar_of(read: ScopedRollup, years: Sequence[int]) -> RememberedCalendar:
    """The hall's calendar of those years, read again only when its rows' version moved."""
    found = _calendars.get(read.calendar_version)
    if found is None:
        found = RememberedCalendar(await hall_calendar_of_years(read.hall, years))
        if len(_calendars) >= MAX_CALENDARS:
            _calendars.clear()
        _calendars[read.calendar_version] = found
    return found
