"""Keyset pagination: stable pages over any ordering, whatever is inserted meanwhile."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.common.errors import InvalidInput
from models.common.rows import records_of

M = TypeVar("M", bound=Model)
R = TypeVar("R")
MAX_PAGE = 100


@dataclass(frozen=True)
class Page(Generic[R]):
    """One page of rows, each with the key values its cursor encodes."""

    rows: list[R]
    keys: list[tuple[Any, ...]]
    has_next: bool
    has_previous: bool
    total: int


def _after(order: tuple[str, ...], key: tuple[Any, ...]) -> Q:
    """Rows strictly after `key` in `order` (fields may start with '-' for descending)."""
    clauses: Q | None = None
    for depth, field in enumerate(order):
        op = "lt" if field.startswith("-") else "gt"
        step = Q(**{f"{field.lstrip('-')}__{op}": key[depth]})
        for prev in range(depth):
            step &= Q(**{order[prev].lstrip("-"): key[prev]})
        clauses = step if clauses is None else clauses | step
    assert clauses is not None  # noqa: S101  (order is never empty)
    return clauses


async def paginate(
    query: QuerySet[M],
    order: tuple[str, ...],
    first: int,
    after: tuple[Any, ...] | None,
    *,
    count: bool = True,
) -> Page[M]:
    """The `first` rows after the cursor key; `order` must end with a unique field.

    `count=False` skips the total (reported as -1) for callers that were not asked for it.
    """
    total, page_query = await _page_query(query, order, first, after, count=count)
    rows = await page_query
    names = [f.lstrip("-") for f in order]
    keys = [tuple(_plain(getattr(row, n)) for n in names) for row in rows[:first]]
    return Page(list(rows[:first]), keys, len(rows) > first, after is not None, total)


async def paginate_records(
    query: QuerySet[Any],
    order: tuple[str, ...],
    first: int,
    after: tuple[Any, ...] | None,
    columns: Sequence[str],
    *,
    count: bool = True,
) -> Page[Mapping[str, Any]]:
    """As `paginate`, the rows as plain records of `columns` (which must hold the order's fields)."""
    total, page_query = await _page_query(query, order, first, after, count=count)
    rows = await records_of(page_query, columns)
    names = [f.lstrip("-") for f in order]
    keys = [tuple(row[n] for n in names) for row in rows[:first]]
    return Page(list(rows[:first]), keys, len(rows) > first, after is not None, total)


async def _page_query(
    query: QuerySet[Any],
    order: tuple[str, ...],
    first: int,
    after: tuple[Any, ...] | None,
    *,
    count: bool,
) -> tuple[int, QuerySet[Any]]:
    """The total (or -1) and the query of one page plus one row (to tell if another follows)."""
    if not 0 <= first <= MAX_PAGE:
        raise InvalidInput.single("first", "OUT_OF_RANGE", f"每页条数应在0到{MAX_PAGE}之间")
    if after is not None:
        after = _key_values(query, order, after)
    total = await query.count() if count else -1
    page_query = query.filter(_after(order, after)) if after is not None else query
    return total, page_query.order_by(*order).limit(first + 1)


def _key_values(
    query: QuerySet[Any], order: tuple[str, ...], key: tuple[Any, ...]
) -> tuple[Any, ...]:
    """A cursor's key as the order's fields hold it: a cursor carries JSON (a datetime or a date
    as ISO text), which the driver refuses as a parameter of a timestamp or date column."""
    if len(key) != len(order):
        raise InvalidInput.single("after", "INVALID_CURSOR", "分页游标无效")
    fields = query.model._meta.fields_map
    try:
        return tuple(
            fields[name.lstrip("-")].to_python_value(value)
            for name, value in zip(order, key, strict=True)
        )
    except (TypeError, ValueError) as exc:
        raise InvalidInput.single("after", "INVALID_CURSOR", "分页游标无效") from exc


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value
