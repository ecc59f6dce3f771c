"""Counters per group, from the rollups when a grain covers the question, else from raw tables."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

from tortoise import connections
from tortoise.transactions import in_transaction

from models.common.records import in_caller_transaction
from models.statistics.parts import COUNTERS, GRAINS, MONTHLY, PARTS, Part, live
from models.statistics.rules import GroupBy, Period, Source

RAW_WORK_MEM = "64MB"
# Date slices each part's period is read in, side by side: a few dozen milliseconds each
# instead of one part running alone at the end while the other core idles (a hall's year:
# 295 ms in one slice per part, 250 ms in three or four).
RAW_SLICES = 3

# The key a grouping reads, by key name (None: a date grouping).
GROUP_KEYS: dict[GroupBy, str | None] = {
    GroupBy.HALL: "hall_id",
    GroupBy.DEPARTMENT: "department_id",
    GroupBy.WINDOW: "window_id",
    GroupBy.STAFF: "staff_id",
    GroupBy.ITEM: "item_id",
    GroupBy.DAY: None,
    GroupBy.MONTH: None,
}


@dataclass(frozen=True)
class Scope:
    """Which rows count: halls (a subtree) and optional department, window, staff and item."""

    hall_ids: tuple[int, ...]
    department_id: int | None = None
    window_id: int | None = None
    staff_id: int | None = None
    item_id: int | None = None

    def narrowed(self) -> dict[str, int]:
        """The key filters that are set."""
        given = {
            "department_id": self.department_id,
            "window_id": self.window_id,
            "staff_id": self.staff_id,
            "item_id": self.item_id,
        }
        return {k: v for k, v in given.items() if v is not None}


Key = tuple[Any, ...]
Counts = dict[Key, dict[str, int]]


Dimensions = tuple[GroupBy, ...]


def grain_for(scope: Scope, group_by: Dimensions, period: Period) -> str | None:
    """The smallest rollup table holding every key the question uses, or None (raw).

    Monthly rows answer periods of whole months not grouped by day.
    """
    return _grain(tuple(scope.narrowed()), group_by, period.whole_months)


@lru_cache(maxsize=512)
def _grain(narrowed: tuple[str, ...], group_by: Dimensions, whole_months: bool) -> str | None:
    """grain_for by the names of the narrowing keys: the answer depends on nothing else."""
    used = set(narrowed)
    used |= {key for dim in group_by if (key := GROUP_KEYS[dim]) is not None}
    monthly = whole_months and GroupBy.DAY not in group_by
    for table, keys in sorted(GRAINS.items(), key=lambda grain: grain[0] not in MONTHLY):
        if (table not in MONTHLY or monthly) and used <= set(keys):
            return table
    return None


def _dimension(dim: GroupBy, keys: dict[str, str], day: str) -> str:
    if dim is GroupBy.DAY:
        return day
    if dim is GroupBy.MONTH:
        # Through timestamp (no time zone): the same first day, without a time-zone conversion.
        return f"date_trunc('month', {day}::timestamp)::date"
    return keys[GROUP_KEYS[dim] or "hall_id"]


def _group(group_by: Dimensions, keys: dict[str, str], day: str) -> tuple[str, str]:
    """The SELECT list of the group columns (g0, g1...) and the GROUP BY positions."""
    if not group_by:
        return "0 AS g0", ""
    columns = ", ".join(f"{_dimension(d, keys, day)} AS g{n}" for n, d in enumerate(group_by))
    return columns, ", ".join(str(n + 1) for n in range(len(group_by)))


def _conditions(scope: Scope, keys: dict[str, str], day: str) -> tuple[str, list[Any]]:
    values: list[Any] = [list(scope.hall_ids)]
    where = [f"{keys['hall_id']} = ANY($1)", f"{day} BETWEEN $2 AND $3"]
    for name, value in scope.narrowed().items():
        values.append(value)
        where.append(f"{keys[name]} = ${len(values) + 2}")
    return " AND ".join(where), values


# `(r.x IS NOT NULL)::int` and `coalesce(r.x, 0)`: counted and summed over the non-null values.
NOT_NULL = re.compile(r"\((r\.\w+) IS NOT NULL\)::int")
ZERO_IF_NULL = re.compile(r"coalesce\((r\.\w+), 0\)")


def aggregate(expr: str) -> str:
    """The cheapest aggregate of a per-row counter: count(*) for 1, count(x) for x's presence,
    a filtered count for a condition, an int4 sum otherwise (PostgreSQL sums bigints as
    numeric, much slower), with a missing value's 0 added once instead of on every row."""
    if expr == "1":
        return "count(*)"
    if present := NOT_NULL.fullmatch(expr):
        return f"count({present[1]})"
    if expr.startswith("(") and expr.endswith(")::int"):
        return f"count(*) FILTER (WHERE {expr[1:-6]})"
    if value := ZERO_IF_NULL.fullmatch(expr):
        return f"coalesce(sum({value[1]}), 0)"
    if expr.endswith("::bigint"):
        return f"sum({expr[: -len('::bigint')]}::int)"
    return f"sum({expr})"


def weighted(expr: str) -> str:
    """A counter summed over rows already counted per value (`n` rows each)."""
    if expr == "1":
        return "sum(r.n)"
    if expr.startswith("(") and expr.endswith(")::int"):
        return f"sum(r.n) FILTER (WHERE {expr[1:-6]})"
    return f"sum(r.n * ({expr}))"


def part_sql(
    part: Part, scope: Scope, group_by: Dimensions, needed: frozenset[str] | None = None
) -> tuple[str, list[Any]]:
    """One part's counters per group key, and its values but the period's days ($2 and $3);
    given the `needed` counters, the others are left at 0 (not computed per row)."""
    counters = {c: e for c, e in part.counters.items() if needed is None or c in needed}
    where, values = _conditions(scope, part.keys, part.day)
    group, positions = _group(group_by, part.keys, part.day)
    used = f"{group} {where}"
    joins = part.joins if part.join_alias and part.join_alias in used else ""
    source = f'"{part.table}" r {joins} WHERE {part.where} AND {where}'
    if not part.columns or not group_by:
        # Ungrouped (a period's totals): one pass with a filtered count per counter is cheaper
        # than hashing every row's columns first.
        sums = ", ".join(
            f"{aggregate(counters[c])} AS {c}" if c in counters else f"0 AS {c}" for c in COUNTERS
        )
        grouped = f" GROUP BY {positions}" if positions else ""
        return f"SELECT {group}, {sums} FROM {source}{grouped}", values  # noqa: S608  (SQL from constants; values are parameters)
    # Two steps: rows counted per group and per value of the columns the counters read, then
    # each counter summed over those few rows. Months are grouped by day first (hashing a date
    # is cheaper than truncating every row's).
    width = max(len(group_by), 1)
    by_day = tuple(GroupBy.DAY if d is GroupBy.MONTH else d for d in group_by)
    group, _ = _group(by_day, part.keys, part.day)
    columns = ", ".join(f"r.{c} AS {c}" for c in part.columns)
    inner_by = ", ".join(str(n) for n in range(1 if group_by else 2, width + len(part.columns) + 1))
    inner = f"SELECT {group}, {columns}, count(*) AS n FROM {source} GROUP BY {inner_by}"  # noqa: S608  (SQL from constants; values are parameters)
    sums = ", ".join(
        f"{weighted(counters[c])} AS {c}" if c in counters else f"0 AS {c}" for c in COUNTERS
    )
    keys = ", ".join(
        f"{_dimension(d, {}, f'r.g{n}') if d is GroupBy.MONTH else f'r.g{n}'} AS g{n}"
        for n, d in enumerate(group_by)
    )
    keys = keys or "0 AS g0"
    grouped = f" GROUP BY {positions}" if positions else ""
    return f"SELECT {keys}, {sums} FROM ({inner}) r{grouped}", values  # noqa: S608  (SQL from constants; values are parameters)


def rollup_sql(grain: str, scope: Scope, group_by: Dimensions) -> tuple[str, list[Any]]:
    """Counters per group summed from one rollup table and the changes pending for it."""
    keys = {k: f"r.{k}" for k in GRAINS[grain]}
    where, values = _conditions(scope, keys, "r.day")
    # Sums of bigints are numeric (decoded as Decimal); a period's counters fit a bigint.
    sums = ", ".join(f"sum(r.{c})::bigint AS {c}" for c in COUNTERS)
    group, positions = _group(group_by, keys, "r.day")
    sql = f"SELECT {group}, {sums} FROM {live(grain)} r WHERE {where}"  # noqa: S608  (SQL from constants; values are parameters)
    if positions:
        sql += f" GROUP BY {positions}"
    return sql, values


async def _part_rows(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    """One part's rows in a transaction of its own: room to group a year in memory, no parallel
    workers (the parts themselves run side by side) and no JIT (compiling the expressions of a
    year's aggregate costs more than it saves: EXPLAIN showed 15-20 ms on the ticket part)."""
    async with in_transaction() as conn:
        await conn.execute_script(
            f"SET LOCAL work_mem = '{RAW_WORK_MEM}'; SET LOCAL max_parallel_workers_per_gather = 0;"
            " SET LOCAL jit = off"
        )
        return list(await conn.execute_query_dict(sql, params))


def slices(period: Period, count: int) -> list[Period]:
    """The period cut into at most `count` contiguous runs of days of nearly equal length."""
    days = (period.end - period.start).days + 1
    count = max(1, min(count, days))
    return [
        Period(
            period.start + timedelta(days=days * n // count),
            period.start + timedelta(days=days * (n + 1) // count - 1),
        )
        for n in range(count)
    ]


# Counters a raw read needs (None: every counter).
Needed = frozenset[str] | None


async def _raw_rows(
    scope: Scope, group_by: Dimensions, periods: tuple[tuple[Period, Needed], ...]
) -> list[list[dict[str, Any]]]:
    """The counters of each period straight from the source tables, from the parts moving a
    needed counter: all of them read at once on pooled connections, each in RAW_SLICES slices
    of the period (both cores busy however uneven the parts are), one after the other and
    whole inside a caller's transaction."""
    alone = in_caller_transaction()
    queries = []
    for n, (period, needed) in enumerate(periods):
        for part in PARTS:
            if needed is not None and not needed & part.counters.keys():
                continue
            sql, values = part_sql(part, scope, group_by, needed)
            for piece in slices(period, 1 if alone else RAW_SLICES):
                queries.append((n, sql, [values[0], piece.start, piece.end, *values[1:]]))
    if alone:
        results = [await _part_rows(sql, params) for _, sql, params in queries]
    else:
        results = list(await asyncio.gather(*(_part_rows(sql, p) for _, sql, p in queries)))
    rows: list[list[dict[str, Any]]] = [[] for _ in periods]
    for (n, _, _), found in zip(queries, results, strict=True):
        rows[n] += found
    return rows


def _summed(rows: Iterable[Mapping[str, Any]], width: int) -> Counts:
    result: Counts = {}
    groups = [f"g{n}" for n in range(width)]
    for row in rows:
        key = tuple(row[g] for g in groups)
        target = result.get(key)
        if target is None:
            result[key] = {name: int(row[name] or 0) for name in COUNTERS}
        else:
            for name in COUNTERS:
                target[name] += int(row[name] or 0)
    return result


async def raw_counts(
    scope: Scope, group_by: Dimensions, periods: tuple[Period | tuple[Period, Needed], ...]
) -> list[Counts]:
    """Counters per group key of each period, from the raw tables; a period given with the
    counters it needs reads only the parts moving them (the others stay 0)."""
    asked = tuple(p if isinstance(p, tuple) else (p, None) for p in periods)
    return [_summed(rows, len(group_by)) for rows in await _raw_rows(scope, group_by, asked)]


async def rollup_counts_pair(
    grain: str, scope: Scope, group_by: Dimensions, first: Period, second: Period
) -> tuple[Counts, Counts]:
    """Counters of two periods from one rollup table, in one statement (a period and the year before)."""
    sql, values = rollup_sql(grain, scope, group_by)
    # The same statement over the second period's dates, given as the last two parameters.
    last = len(values) + 2
    other = sql.replace("BETWEEN $2 AND $3", f"BETWEEN ${last + 1} AND ${last + 2}")
    both = f"SELECT 0 AS _period, a.* FROM ({sql}) a UNION ALL SELECT 1, b.* FROM ({other}) b"  # noqa: S608  (SQL from constants; values are parameters)
    params = [values[0], first.start, first.end, *values[1:], second.start, second.end]
    rows = await connections.get("default").execute_query_dict(both, params)
    return summed_periods(rows, group_by)


def summed_periods(
    rows: Sequence[Mapping[str, Any]], group_by: Dimensions
) -> tuple[Counts, Counts]:
    """The counters of rows marked `_period` 0 and of those marked 1."""
    return (
        _summed([r for r in rows if r["_period"] == 0], len(group_by)),
        _summed([r for r in rows if r["_period"] == 1], len(group_by)),
    )


async def counts(
    scope: Scope, group_by: Dimensions, period: Period, source: Source | None = None
) -> tuple[Counts, Source]:
    """Counters per group key over a period; the source used (rollups unless none fits)."""
    grain = grain_for(scope, group_by, period) if source is not Source.RAW else None
    if grain is None:
        (raw,) = await raw_counts(scope, group_by, (period,))
        return raw, Source.RAW
    sql, values = rollup_sql(grain, scope, group_by)
    params = [values[0], period.start, period.end, *values[1:]]
    rows = await connections.get("default").execute_query_dict(sql, params)
    return _summed(list(rows), len(group_by)), Source.ROLLUP
