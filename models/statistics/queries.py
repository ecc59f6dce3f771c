"""The statistics table: figures per group over a period, with the same period a year earlier."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from models.accounts.tables import User
from models.calendar.queries import hall_calendar_of_years
from models.calendar.rules import WorkingCalendar
from models.catalogue.tables import Department, Hall, ServiceItem, Window
from models.common.actor import Actor
from models.common.checks import Checks
from models.statistics.access import allowed_scope, scoped_hall_subtree
from models.statistics.reads import Scope, counts, grain_for, raw_counts, rollup_counts_pair
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

    hall: Hall
    period: Period
    previous_period: Period
    group_by: tuple[GroupBy, ...]
    source: Source
    total: Row
    rows: list[Row]


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
    """Working days of row periods, each distinct period computed once."""

    def __init__(self, calendar: WorkingCalendar, group_by: tuple[GroupBy, ...]) -> None:
        self.calendar = calendar
        self.group_by = group_by
        self.cache: dict[Period, int] = {}

    def of(self, key: tuple[object, ...], period: Period) -> int:
        covered = row_period(self.group_by, key, period)
        if covered not in self.cache:
            self.cache[covered] = covered.working_days(self.calendar)
        return self.cache[covered]


def _order(key: tuple[object, ...]) -> tuple[tuple[str, object], ...]:
    return tuple((type(k).__name__, k) for k in key)


async def statistics(actor: Actor, request: StatRequest) -> Report:
    """The figures the actor may read, grouped, with the year before for comparison."""
    group_by = request.group_by
    check_request(request.start, request.end, group_by)
    hall, subtree = await scoped_hall_subtree(actor, request.hall_id)
    scope = allowed_scope(
        actor,
        Scope(
            hall_ids=subtree,
            department_id=request.department_id,
            window_id=request.window_id,
            staff_id=request.staff_id,
            item_id=request.item_id,
        ),
        group_by,
    )
    period = Period(request.start, request.end)
    before = period.year_before()
    grain = grain_for(scope, group_by, period) if request.source is not Source.RAW else None
    if grain is not None and grain == grain_for(scope, group_by, before):
        # Both periods from the same rollup table: one statement.
        current, previous = await rollup_counts_pair(grain, scope, group_by, period, before)
        source = Source.ROLLUP
    elif grain is not None:
        # Both periods at once, on two pooled connections (rollup reads are short).
        (current, source), (previous, _) = await asyncio.gather(
            counts(scope, group_by, period, request.source),
            counts(scope, group_by, before, request.source),
        )
    else:
        # Both periods' parts at once (one after the other inside a caller's transaction).
        needed = None if group_by else request.previous_counters
        current, previous = await raw_counts(scope, group_by, (period, (before, needed)))
        source = Source.RAW
    earlier = {shift_key(group_by, k, 1): v for k, v in previous.items()}
    dated = any(d in DATE_DIMENSIONS for d in group_by)
    keys = sorted(set(current) | (set() if dated else set(earlier)), key=_order)
    years = [
        *range(before.start.year, before.end.year + 1),
        *range(period.start.year, period.end.year + 1),
    ]
    days = _Days(await hall_calendar_of_years(hall, years), group_by)
    names = [await labels(d, {k[n] for k in keys}) for n, d in enumerate(group_by)]
    rows = [
        Row(
            key=k,
            labels=tuple(names[n][v] for n, v in enumerate(k)),
            figures=Figures(current.get(k, {}), days.of(k, period)),
            previous=Figures(earlier.get(k, {}), days.of(shift_key(group_by, k, -1), before)),
        )
        for k in keys
    ]
    total = Row(
        key=(),
        labels=("合计",),
        figures=Figures(add(list(current.values())), days.of((), period)),
        previous=Figures(add(list(previous.values())), days.of((), before)),
    )
    return Report(hall, period, before, group_by, source, total, rows if group_by else [])
