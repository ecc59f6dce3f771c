"""Statistics types: rates with their terms, a row's figures and the table of rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from enum import Enum
from typing import Any, ClassVar, Self

import strawberry
from strawberry import relay
from strawberry.relay import to_base64

from models.statistics import rules
from models.statistics.queries import Report, Row
from schema.types.catalogue import Hall


@strawberry.enum(description="How the rows of a statistics table are keyed.")
class StatisticsGroupBy(Enum):
    """Groupings of the figures."""

    HALL = strawberry.enum_value(
        "HALL", description="One row per hall of the subtree (cases by their receiving hall)."
    )
    DEPARTMENT = strawberry.enum_value("DEPARTMENT", description="One row per department.")
    WINDOW = strawberry.enum_value(
        "WINDOW", description="One row per window (cases by the window that received them)."
    )
    STAFF = strawberry.enum_value(
        "STAFF",
        description=(
            "One row per staff member: cases they received, tickets they called, ratings of "
            "their service."
        ),
    )
    ITEM = strawberry.enum_value("ITEM", description="One row per service item.")
    DAY = strawberry.enum_value("DAY", description="One row per hall-local day with activity.")
    MONTH = strawberry.enum_value("MONTH", description="One row per calendar month.")


@strawberry.enum(description="Where figures were read from.")
class StatisticsSource(Enum):
    """Sources of the figures."""

    ROLLUP = strawberry.enum_value(
        "ROLLUP",
        description="Per-day rollups kept in the writing transaction by database triggers.",
    )
    RAW = strawberry.enum_value(
        "RAW",
        description="The case, card, rating and ticket tables themselves (combinations no rollup covers).",
    )


@strawberry.type(
    description="A ratio with both terms; `value` = numerator / denominator, null when the denominator is 0."
)
class Rate:
    """A rate and its terms."""

    numerator: int = strawberry.field(description="The counted part (may be negative for growth).")
    denominator: int = strawberry.field(description="What it is counted against.")
    value: float | None = strawberry.field(
        description="numerator / denominator as a fraction (0.4867 is 48.67%); null when the denominator is 0."
    )

    @classmethod
    def of(cls, rate: rules.Rate) -> Self:
        """From the model's rate."""
        return cls(numerator=rate.numerator, denominator=rate.denominator, value=rate.value)


@strawberry.type(description="An average duration with its terms (seconds summed over a count).")
class TimeAverage:
    """An average time."""

    total_seconds: float = strawberry.field(description="Seconds summed over every counted ticket.")
    count: int = strawberry.field(description="Tickets counted.")
    average_seconds: float | None = strawberry.field(
        description="totalSeconds / count; null when no ticket counts."
    )

    @classmethod
    def of(cls, rate: rules.Rate) -> Self:
        """From a seconds-over-count rate."""
        return cls(
            total_seconds=float(rate.numerator), count=rate.denominator, average_seconds=rate.value
        )


@strawberry.type(
    description=(
        "The published figures of one row over a period. Cases count on the day they were "
        "accepted (acceptance figures) and on the day they were decided (completion figures); "
        "cards on the day raised; ratings on the day given (appealed-away ratings never count); "
        "tickets on their business day."
    )
)
class StatisticsFigures:
    """Every figure of a row."""

    accepted: int = strawberry.field(description="Cases accepted (受理量).")
    working_days: int = strawberry.field(
        description="Working days of the row's dates by the hall's calendar."
    )
    daily_average: Rate = strawberry.field(
        description="Accepted per working day (日均受理量): accepted / workingDays."
    )
    immediate: Rate = strawberry.field(description="Immediate cases (即办件) / accepted.")
    promised: Rate = strawberry.field(description="Promised cases (承诺件) / accepted.")
    joint: Rate = strawberry.field(description="Joint cases (联办件) / accepted.")
    reported: Rate = strawberry.field(description="Reported cases (上报件) / accepted.")
    completed: int = strawberry.field(description="Cases decided (办结量, approved or denied).")
    on_time: Rate = strawberry.field(
        description="On-time completion rate (按时办结率): completed by the due date / completed."
    )
    early: Rate = strawberry.field(
        description="Early completion rate (提前办结率): completed before the due date / accepted."
    )
    promised_early: Rate = strawberry.field(
        description="Promised cases completed early / promised cases completed."
    )
    overdue: int = strawberry.field(description="Cases completed after their due date (超期办结).")
    yellow_cards: int = strawberry.field(description="Yellow cards raised (黄牌).")
    red_cards: int = strawberry.field(description="Red cards raised (红牌).")
    ratings: int = strawberry.field(description="Counted ratings (评价数).")
    good: int = strawberry.field(description="Good ratings (好评, under the hall's policy).")
    bad: int = strawberry.field(description="Bad ratings (差评, under the hall's policy).")
    satisfaction: Rate = strawberry.field(
        description="Satisfaction rate (满意率): good / counted ratings."
    )
    average_grade: Rate = strawberry.field(description="Sum of grades (1-5) / counted ratings.")
    average_wait: TimeAverage = strawberry.field(
        description="Average wait (平均等候时长): from taking a number to being called."
    )
    average_service: TimeAverage = strawberry.field(
        description="Average service time (平均办理时长): from the call to the finish at the window."
    )

    @classmethod
    def of(cls, f: rules.Figures) -> StatisticsFigures:
        """From the model's figures (each figure computed when first read)."""
        return _FiguresView(f)


# The counters each figure of StatisticsFigures is made of (what `of` reads): a raw read of a
# total computes only the counters of the figures a query selects.
FIGURE_COUNTERS: dict[str, frozenset[str]] = {
    name: frozenset(counters)
    for name, counters in {
        "accepted": ("accepted",),
        "workingDays": (),
        "dailyAverage": ("accepted",),
        "immediate": ("accepted_immediate", "accepted"),
        "promised": ("accepted_promised", "accepted"),
        "joint": ("accepted_joint", "accepted"),
        "reported": ("accepted_reported", "accepted"),
        "completed": ("completed",),
        "onTime": ("completed_on_time", "completed"),
        "early": ("completed_early", "accepted"),
        "promisedEarly": ("completed_promised_early", "completed_promised"),
        "overdue": ("completed_overdue",),
        "yellowCards": ("yellow_cards",),
        "redCards": ("red_cards",),
        "ratings": ("ratings",),
        "good": ("ratings_good",),
        "bad": ("ratings_bad",),
        "satisfaction": ("ratings_good", "ratings"),
        "averageGrade": ("grade_sum", "ratings"),
        "averageWait": ("wait_seconds", "tickets_called"),
        "averageService": ("service_seconds", "tickets_finished"),
    }.items()
}


def counters_of_figures(names: Iterable[str]) -> frozenset[str]:
    """The counters the selected figures (by GraphQL field name) are made of."""
    return frozenset().union(*(FIGURE_COUNTERS.get(name, ()) for name in names))


NODE_TYPES = {
    rules.GroupBy.HALL: "Hall",
    rules.GroupBy.DEPARTMENT: "Department",
    rules.GroupBy.WINDOW: "Window",
    rules.GroupBy.STAFF: "User",
    rules.GroupBy.ITEM: "ServiceItem",
}


@strawberry.type(
    description="One part of a row's key: a hall, department, window, staff member, item, day or month."
)
class StatisticsKey:
    """A row key part."""

    dimension: StatisticsGroupBy = strawberry.field(description="Which grouping this part is.")
    key: str = strawberry.field(
        description="The object's database id (0: none), the day (2021-03-05) or the month (2021-03)."
    )
    label: str = strawberry.field(description="A readable name.")
    object_id: relay.GlobalID | None = strawberry.field(
        description="Global id of the hall, department, window, staff member (User) or item; null for dates and 'none'."
    )
    day: date | None = strawberry.field(
        description="The day (DAY) or the first day of the month (MONTH)."
    )

    @classmethod
    def of(cls, dim: rules.GroupBy, value: object, label: str) -> Self:
        """One key part."""
        day = value if isinstance(value, date) else None
        if day is not None:
            key = f"{day:%Y-%m}" if dim is rules.GroupBy.MONTH else day.isoformat()
        else:
            key = str(value)
        node = NODE_TYPES.get(dim)
        object_id = (
            relay.GlobalID.from_id(to_base64(node, int(str(value))))
            if node and day is None and value not in (None, 0)
            else None
        )
        return cls(
            dimension=StatisticsGroupBy[dim.name],
            key=key,
            label=label,
            object_id=object_id,
            day=day,
        )


@strawberry.type(description="One row of a statistics table, with the same dates a year earlier.")
class StatisticsRow:
    """A row."""

    key: str = strawberry.field(
        description="The row's key parts joined with '|' (e.g. `12|2021-03`); `total` for the total row."
    )
    label: str = strawberry.field(description="The key parts' names joined with ' / '.")
    keys: list[StatisticsKey] = strawberry.field(
        description="The key parts, in `groupBy` order (empty for the total row)."
    )
    row: strawberry.Private[Row]
    # Data fields, each computed when first read (see _RowView): a table of many rows often
    # shows a few figures of each.
    figures: StatisticsFigures = strawberry.field(description="The figures of the period.")
    previous_year: StatisticsFigures = strawberry.field(
        description="The same figures one year earlier."
    )
    accepted_growth: Rate = strawberry.field(
        description="Year-on-year growth of accepted cases: (accepted - last year's) / last year's."
    )

    @classmethod
    def of(cls, row: Row, group_by: tuple[rules.GroupBy, ...]) -> StatisticsRow:
        """From a model row (each field computed when first read)."""
        return _RowView(row, group_by)


@strawberry.type(description="A statistics table: the total and one row per group.")
class StatisticsTable:
    """Figures of a period, grouped."""

    hall: Hall = strawberry.field(description="The hall asked about (its subtree counts).")
    from_: date = strawberry.field(name="from", description="First day of the period.")
    to: date = strawberry.field(description="Last day of the period.")
    previous_from: date = strawberry.field(description="First day of the comparison period.")
    previous_to: date = strawberry.field(description="Last day of the comparison period.")
    group_by: list[StatisticsGroupBy] = strawberry.field(description="How rows are keyed.")
    source: StatisticsSource = strawberry.field(description="Where the figures were read from.")
    total: StatisticsRow = strawberry.field(description="The whole period and scope.")
    rows: list[StatisticsRow] = strawberry.field(
        description="One row per group in key order; empty without `groupBy`."
    )

    @classmethod
    def of(cls, report: Report) -> StatisticsTable:
        """From the model's report (each field computed when first read)."""
        return _TableView(report)


class _Lazy:
    """A view's field: computed from the view on first read, then kept in the instance (a
    non-data descriptor: the kept value wins afterwards)."""

    __slots__ = ("compute", "name")

    def __init__(self, name: str, compute: Callable[[Any], Any]) -> None:
        self.name = name
        self.compute = compute

    def __get__(self, view: Any, owner: type | None = None) -> Any:
        if view is None:
            return self
        value = self.compute(view)
        view.__dict__[self.name] = value
        return value


class _View:
    """Mixin before a strawberry type: its data fields computed when first read.

    The type's dataclass __init__ would build every field (a figure's rates, the hall) for a
    query that shows a few; graphql-core and the compiled executor read fields as attributes,
    so they see no difference. `FIELDS` maps every data field of the type to its computation
    (a test checks it covers them).
    """

    FIELDS: ClassVar[Mapping[str, Callable[[Any], Any]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Give each field a lazy attribute on the view class."""
        super().__init_subclass__(**kwargs)
        for name, compute in cls.__dict__.get("FIELDS", {}).items():
            setattr(cls, name, _Lazy(name, compute))


def _share(counter: str) -> Callable[[_FiguresView], Rate]:
    return lambda view: Rate.of(view.source.share(counter))


class _FiguresView(_View, StatisticsFigures):
    """StatisticsFigures over the model's figures."""

    FIELDS: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "accepted": lambda view: view.source.accepted,
        "working_days": lambda view: view.source.working_days,
        "daily_average": lambda view: Rate.of(view.source.daily_average),
        "immediate": _share("accepted_immediate"),
        "promised": _share("accepted_promised"),
        "joint": _share("accepted_joint"),
        "reported": _share("accepted_reported"),
        "completed": lambda view: view.source.completed,
        "on_time": lambda view: Rate.of(view.source.on_time_rate),
        "early": lambda view: Rate.of(view.source.early_rate),
        "promised_early": lambda view: Rate.of(view.source.promised_early_rate),
        "overdue": lambda view: view.source.completed_overdue,
        "yellow_cards": lambda view: view.source.yellow_cards,
        "red_cards": lambda view: view.source.red_cards,
        "ratings": lambda view: view.source.ratings,
        "good": lambda view: view.source.ratings_good,
        "bad": lambda view: view.source.ratings_bad,
        "satisfaction": lambda view: Rate.of(view.source.satisfaction),
        "average_grade": lambda view: Rate.of(view.source.average_grade),
        "average_wait": lambda view: TimeAverage.of(view.source.average_wait),
        "average_service": lambda view: TimeAverage.of(view.source.average_service),
    }

    def __init__(self, figures: rules.Figures) -> None:
        # No dataclass __init__: each figure is computed when read.
        self.source = figures


def _key_parts(view: _RowView) -> list[StatisticsKey]:
    row = view.row
    return [
        StatisticsKey.of(dim, value, label)
        for dim, value, label in zip(view.group_by, row.key, row.labels, strict=False)
    ]


class _RowView(_View, StatisticsRow):
    """StatisticsRow over a model row."""

    FIELDS: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "key": lambda view: "|".join(p.key for p in view.keys) or "total",
        "label": lambda view: " / ".join(view.row.labels),
        "keys": _key_parts,
        "figures": lambda view: StatisticsFigures.of(view.row.figures),
        "previous_year": lambda view: StatisticsFigures.of(view.row.previous),
        "accepted_growth": lambda view: Rate.of(view.row.growth),
    }

    def __init__(self, row: Row, group_by: tuple[rules.GroupBy, ...]) -> None:
        # No dataclass __init__: each field is computed when read.
        self.row = row
        self.group_by = group_by


class _TableView(_View, StatisticsTable):
    """StatisticsTable over the model's report."""

    FIELDS: ClassVar[Mapping[str, Callable[[Any], Any]]] = {
        "hall": lambda view: Hall.from_row(view.report.hall),
        "from_": lambda view: view.report.period.start,
        "to": lambda view: view.report.period.end,
        "previous_from": lambda view: view.report.previous_period.start,
        "previous_to": lambda view: view.report.previous_period.end,
        "group_by": lambda view: [StatisticsGroupBy[d.name] for d in view.report.group_by],
        "source": lambda view: StatisticsSource(view.report.source.value),
        "total": lambda view: StatisticsRow.of(view.report.total, view.report.group_by),
        "rows": lambda view: [StatisticsRow.of(r, view.report.group_by) for r in view.report.rows],
    }

    def __init__(self, report: Report) -> None:
        # No dataclass __init__: each field is computed when read.
        self.report = report
