"""The statistics table: figures per group over a period, with the same period a year earlier."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from models.accounts.tables import User
from models.calendar.queries import hall_calendar
from models.calendar.rules import WorkingCalendar
from models.catalogue.tables import Department, Hall, ServiceItem, Window
from models.common.actor import Actor
from models.common.checks import Checks
from models.statistics.access import allowed_scope, scoped_hall
from models.statistics.reads import Counts, Scope, counts
from models.statistics.rules import (
    Figures,
    GroupBy,
    Period,
    Rate,
    Source,
    add,
    growth,
    previous_key,
    row_period,
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
    group_by: GroupBy | None = None
    source: Source | None = None


@dataclass(frozen=True)
class Row:
    """One row: its key and label, the figures of the period and of the year before."""

    key: object
    label: str
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
    group_by: GroupBy | None
    source: Source
    total: Row
    rows: list[Row]


def check_period(start: date, end: date) -> None:
    """The period runs forwards and spans at most about ten years."""
    checks = Checks()
    if end < start:
        checks.fail(("filter", "to"), "OUT_OF_RANGE", "结束日期不能早于开始日期")
    elif (end - start).days > MAX_DAYS:
        checks.fail(("filter", "to"), "OUT_OF_RANGE", "统计期间不能超过十年")
    checks.raise_if_any()


async def _hall_ids(hall: Hall) -> tuple[int, ...]:
    """A hall and every hall below it."""
    ids = await Hall.filter(path__startswith=hall.path).order_by("id").values_list("id", flat=True)
    return tuple(int(str(i)) for i in ids)


async def labels(group_by: GroupBy | None, keys: Iterable[object]) -> dict[object, str]:
    """Readable names of row keys."""
    keys = list(keys)
    if group_by is None:
        return dict.fromkeys(keys, "合计")
    if group_by is GroupBy.DAY:
        return {k: k.isoformat() if isinstance(k, date) else str(k) for k in keys}
    if group_by is GroupBy.MONTH:
        return {k: f"{k:%Y-%m}" if isinstance(k, date) else str(k) for k in keys}
    ids = [int(str(k)) for k in keys]
    names: dict[int, str] = {}
    if group_by is GroupBy.HALL:
        names = dict(await Hall.filter(id__in=ids).values_list("id", "name"))
    elif group_by is GroupBy.DEPARTMENT:
        names = dict(await Department.filter(id__in=ids).values_list("id", "name"))
    elif group_by is GroupBy.WINDOW:
        rows = await Window.filter(id__in=ids).values_list("id", "number", "name")
        names = {int(i): f"{n}号 {name}" for i, n, name in rows}
    elif group_by is GroupBy.STAFF:
        names = dict(await User.filter(id__in=ids).values_list("id", "display_name"))
    elif group_by is GroupBy.ITEM:
        names = dict(await ServiceItem.filter(id__in=ids).values_list("id", "name"))
    return {k: names.get(int(str(k)), "（未指定）") for k in keys}


class _Days:
    """Working days of row periods, the whole period computed once."""

    def __init__(self, calendar: WorkingCalendar, group_by: GroupBy | None) -> None:
        self.calendar = calendar
        self.group_by = group_by
        self.cache: dict[Period, int] = {}

    def of(self, key: object, period: Period) -> int:
        covered = row_period(self.group_by, key, period)
        if covered not in self.cache:
            self.cache[covered] = covered.working_days(self.calendar)
        return self.cache[covered]


def _forward(group_by: GroupBy | None, previous: Counts) -> dict[object, dict[str, int]]:
    """Previous-year counters keyed by the current row they compare with."""
    if group_by not in (GroupBy.DAY, GroupBy.MONTH):
        return dict(previous)
    return {_year_ahead(k): v for k, v in previous.items() if isinstance(k, date)}


def _year_ahead(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


async def statistics(actor: Actor, request: StatRequest) -> Report:
    """The figures the actor may read, grouped, with the year before for comparison."""
    check_period(request.start, request.end)
    hall = await scoped_hall(actor, request.hall_id)
    scope = allowed_scope(
        actor,
        Scope(
            hall_ids=await _hall_ids(hall),
            department_id=request.department_id,
            window_id=request.window_id,
            staff_id=request.staff_id,
            item_id=request.item_id,
        ),
        request.group_by,
    )
    period = Period(request.start, request.end)
    before = period.year_before()
    group_by = request.group_by
    current, source = await counts(scope, group_by, period, request.source)
    previous, _ = await counts(scope, group_by, before, source)
    earlier = _forward(group_by, previous)
    keys = sorted(
        set(current) | (set() if group_by in (GroupBy.DAY, GroupBy.MONTH) else set(earlier)),
        key=lambda k: (str(type(k)), k),
    )
    days = _Days(await hall_calendar(hall), group_by)
    names = await labels(group_by, keys)
    rows = [
        Row(
            key=k,
            label=names[k],
            figures=Figures(current.get(k, {}), days.of(k, period)),
            previous=Figures(earlier.get(k, {}), days.of(previous_key(group_by, k), before)),
        )
        for k in keys
    ]
    total = Row(
        key=None,
        label="合计",
        figures=Figures(add(list(current.values())), days.of(None, period)),
        previous=Figures(add(list(previous.values())), days.of(None, before)),
    )
    return Report(hall, period, before, group_by, source, total, rows if group_by else [])
