"""The statistics table: figures per group over a period, with the same period a year earlier."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache, partial

from models.accounts.tables import User
from models.calendar.queries import hall_calendar_of_years
from models.calendar.rules import WorkingCalendar
from models.catalogue.tables import Department, Hall, ServiceItem, Window
from models.common.actor import Actor
from models.common.checks import Checks
from models.common.errors import Forbidden
from models.statistics.access import allowed_scope, scoped_hall_subtree
from models.statistics.reads import (
    Counts,
    Scope,
    counts,
    grain_for,
    raw_counts,
    rollup_counts_pair,
)
from models.statistics.rules import (
    DATE_DIMENSIONS,
    Figures,
    GroupBy,
    Period,
    Rate,
    Source,
    add,
    check_dimensions,
    growth,
    row_period,
    shift_key,
)
from models.statistics.scoped_rollup import ScopedRollup, calendar_of, scoped_rollup_pair

MAX_DAYS = 3700  # ten years and a little


@dataclass(frozen=True)
class StatRequest:
    """What a statistics table asks: hall (subtree), narrowing keys, period, grouping."""

    start: date
    end: date
    hall_id: int | None = None
    department_id: int | None = None
    window_id: int | None = None
    staff_id: int | None = None
    item_id: int | None = None
    group_by: tuple[GroupBy, ...] = ()
    source: Source | None = None
    # Last year's counters the caller reads (None: all). Honoured for the total alone: grouped
    # rows are keyed by both years' groups. The raw path then skips the parts moving none of
    # them (e.g. only accepted cases for the growth); the others read 0.
    previous_counters: frozenset[str] | None = None
    # The period's own counters the caller reads (None: all), honoured the same way: a total
    # asking for no cards reads no cards, and each part computes only the counters asked for.
    current_counters: frozenset[str] | None = None


@dataclass(frozen=True)
class Row:
    """One row: its key and label, the figures of the period and of the year before."""

    key: tuple[object, ...]
    labels: tuple[str, ...]
    figures: Figures
    previous: Figures

    @property
    def growth(self) -> Rate:
        """Year-on-year growth of accepted cases."""
        return growth(self.figures.accepted, self.previous.accepted)


@dataclass(frozen=True)
class Report:
    """A statistics table: the total row and one row per group, in key order."""

    # The hall asked about, made when first read (a table that shows no hall needs none).
    hall_of: Callable[[], Hall]
    period: Period
    previous_period: Period
    group_by: tuple[GroupBy, ...]
    source: Source
    total: Row
    rows: list[Row]

    @cached_property
    def hall(self) -> Hall:
        """The hall asked about (its subtree counts)."""
        return self.hall_of()


def check_request(start: date, end: date, group_by: tuple[GroupBy, ...]) -> None:
    """The period runs forwards and spans at most about ten years; the grouping is sound."""
    checks = Checks()
    refused = check_dimensions(group_by)
    if refused:
        checks.fail("group_by", "INVALID_GROUPING", refused)
    if end < start:
        checks.fail(("filter", "to"), "OUT_OF_RANGE", "结束日期不能早于开始日期")
    elif (end - start).days > MAX_DAYS:
        checks.fail(("filter", "to"), "OUT_OF_RANGE", "统计期间不能超过十年")
    checks.raise_if_any()


async def labels(dim: GroupBy, keys: Iterable[object]) -> dict[object, str]:
    """Readable names of one dimension's keys."""
    keys = list(keys)
    if dim is GroupBy.DAY:
        return {k: k.isoformat() if isinstance(k, date) else str(k) for k in keys}
    if dim is GroupBy.MONTH:
        return {k: f"{k:%Y-%m}" if isinstance(k, date) else str(k) for k in keys}
    ids = [int(str(k)) for k in keys]
    names: dict[int, str] = {}
    if dim is GroupBy.HALL:
        names = dict(await Hall.filter(id__in=ids).values_list("id", "name"))
    elif dim is GroupBy.DEPARTMENT:
        names = dict(await Department.filter(id__in=ids).values_list("id", "name"))
    elif dim is GroupBy.WINDOW:
        rows = await Window.filter(id__in=ids).values_list("id", "number", "name")
        names = {int(i): f"{n}号 {name}" for i, n, name in rows}
    elif dim is GroupBy.STAFF:
        names = dict(await User.filter(id__in=ids).values_list("id", "display_name"))
    elif dim is GroupBy.ITEM:
        names = dict(await ServiceItem.filter(id__in=ids).values_list("id", "name"))
    return {k: names.get(int(str(k)), "（未指定）") for k in keys}


class _Days:
    """Working days of row periods, each distinct period counted once."""

    def __init__(self, count: Callable[[Period], int], group_by: tuple[GroupBy, ...]) -> None:
        self.count = count
        self.group_by = group_by

    def of(self, key: tuple[object, ...], period: Period) -> int:
        """Working days of the dates a row of the period covers."""
        return self.count(row_period(self.group_by, key, period))


def _counted_once(calendar: WorkingCalendar) -> Callable[[Period], int]:
    """Working days by the calendar, each distinct period counted once."""
    cache: dict[Period, int] = {}

    def count(period: Period) -> int:
        if period not in cache:
            cache[period] = period.working_days(calendar)
        return cache[period]

    return count


def _given(hall: Hall) -> Hall:
    """The hall itself (the raw path has its model already)."""
    return hall


def _order(key: tuple[object, ...]) -> tuple[tuple[str, object], ...]:
    return tuple((type(k).__name__, k) for k in key)


@lru_cache(maxsize=1024)
def _periods(start: date, end: date) -> tuple[Period, Period, tuple[int, ...]]:
    """The period, the same dates a year earlier, and the years whose calendars both touch."""
    period = Period(start, end)
    before = period.year_before()
    years = (
        *range(before.start.year, before.end.year + 1),
        *range(period.start.year, period.end.year + 1),
    )
    return period, before, years


async def statistics(actor: Actor, request: StatRequest) -> Report:
    """The figures the actor may read, grouped, with the year before for comparison."""
    group_by = request.group_by
    check_request(request.start, request.end, group_by)
    period, before, years = _periods(request.start, request.end)
    read = await _from_one_rollup(actor, request, (period, before), years)
    if read is not None:
        hall_of, current, previous = read.hall_model, read.current, read.previous
        days = _Days((await calendar_of(read, years)).working_days, group_by)
        source = Source.ROLLUP
    else:
        hall, current, previous, source = await _counts(actor, request, (period, before))
        hall_of = partial(_given, hall)
        days = _Days(_counted_once(await hall_calendar_of_years(hall, years)), group_by)
    rows = await _rows(group_by, current, previous, (period, before), days) if group_by else []
    total = Row(
        key=(),
        labels=("合计",),
        figures=Figures(add(list(current.values())), days.of((), period)),
        previous=Figures(add(list(previous.values())), days.of((), before)),
    )
    return Report(hall_of, period, before, group_by, source, total, rows)


async def _rows(
    group_by: tuple[GroupBy, ...],
    current: Counts,
    previous: Counts,
    periods: tuple[Period, Period],
    days: _Days,
) -> list[Row]:
    """One row per group in key order, each with the same row a year earlier."""
    period, before = periods
    earlier = {shift_key(group_by, k, 1): v for k, v in previous.items()}
    dated = any(d in DATE_DIMENSIONS for d in group_by)
    keys = sorted(set(current) | (set() if dated else set(earlier)), key=_order)
    names = [await labels(d, {k[n] for k in keys}) for n, d in enumerate(group_by)]
    return [
        Row(
            key=k,
            labels=tuple(names[n][v] for n, v in enumerate(k)),
            figures=Figures(current.get(k, {}), days.of(k, period)),
            previous=Figures(earlier.get(k, {}), days.of(shift_key(group_by, k, -1), before)),
        )
        for k in keys
    ]


def _asked(request: StatRequest, hall_ids: tuple[int, ...]) -> Scope:
    return Scope(
        hall_ids=hall_ids,
        department_id=request.department_id,
        window_id=request.window_id,
        staff_id=request.staff_id,
        item_id=request.item_id,
    )


async def _from_one_rollup(
    actor: Actor, request: StatRequest, periods: tuple[Period, Period], years: Sequence[int]
) -> ScopedRollup | None:
    """Both periods from one rollup table with the hall, in one statement, when that applies.

    None when it does not (the raw tables, two grains, no hall given or owned, or a scope the
    actor may not read: the general path then refuses in its own order).
    """
    hall_id = request.hall_id if request.hall_id is not None else actor.hall_id
    if request.source is Source.RAW or hall_id is None:
        return None
    try:
        scope = allowed_scope(actor, _asked(request, ()), request.group_by)
    except Forbidden:
        return None
    grain = grain_for(scope, request.group_by, periods[0])
    # Of the periods, the grain depends only on whether they run in whole months.
    if grain is None or (
        periods[1].whole_months != periods[0].whole_months
        and grain != grain_for(scope, request.group_by, periods[1])
    ):
        return None
    read = await scoped_rollup_pair(
        hall_id, grain, scope, request.group_by, periods=periods, years=years
    )
    if read is None or not actor.sees(read.hall_path):
        raise Forbidden("无权查看该大厅的统计")
    return read


async def _counts(
    actor: Actor, request: StatRequest, periods: tuple[Period, Period]
) -> tuple[Hall, Counts, Counts, Source]:
    """The hall and both periods' counters, from rollups or the raw tables."""
    group_by = request.group_by
    period, before = periods
    hall, subtree = await scoped_hall_subtree(actor, request.hall_id)
    scope = allowed_scope(actor, _asked(request, subtree), group_by)
    grain = grain_for(scope, group_by, period) if request.source is not Source.RAW else None
    if grain is not None and grain == grain_for(scope, group_by, before):
        # Both periods from the same rollup table: one statement.
        current, previous = await rollup_counts_pair(grain, scope, group_by, period, before)
        return hall, current, previous, Source.ROLLUP
    if grain is not None:
        # Both periods at once, on two pooled connections (rollup reads are short).
        (current, source), (previous, _) = await asyncio.gather(
            counts(scope, group_by, period, request.source),
            counts(scope, group_by, before, request.source),
        )
        return hall, current, previous, source
    # Both periods' parts at once (one after the other inside a caller's transaction).
    now, then = (None, None) if group_by else (request.current_counters, request.previous_counters)
    current, previous = await raw_counts(scope, group_by, ((period, now), (before, then)))
    return hall, current, previous, Source.RAW
