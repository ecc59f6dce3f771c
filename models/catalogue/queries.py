"""Reads of the catalogue, scoped to what an actor may see, and batch loads in key order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.catalogue.rules import is_pinyin_query, normalise_search
from models.catalogue.tables import (
    Department,
    Hall,
    ItemKind,
    ItemStatus,
    Lane,
    ServiceItem,
    ServiceItemVersion,
    Window,
)
from models.common.actor import Actor
from models.common.errors import NotFound
from models.common.rows import rows_by_ids


def halls_visible(actor: Actor) -> QuerySet[Hall]:
    """Halls inside the actor's scope."""
    query = Hall.all()
    if actor.hall_path is not None:
        query = query.filter(path__startswith=actor.hall_path)
    return query


async def hall_in_scope(actor: Actor, hall_id: int) -> Hall:
    """The hall, or NotFound when it does not exist or lies outside the actor's scope."""
    hall = await Hall.get_or_none(id=hall_id)
    if hall is None or not actor.sees(hall.path):
        raise NotFound("大厅", str(hall_id))
    return hall


async def hall_by_code(actor: Actor, code: str) -> Hall | None:
    """A visible hall by its code."""
    hall = await Hall.get_or_none(code=code)
    return hall if hall is not None and actor.sees(hall.path) else None


def _hall_scope(actor: Actor) -> Q:
    return Q() if actor.hall_path is None else Q(hall__path__startswith=actor.hall_path)


def departments_visible(actor: Actor, hall_id: int | None = None) -> QuerySet[Department]:
    """Departments of visible halls, optionally of one hall."""
    query = Department.filter(_hall_scope(actor))
    return query.filter(hall_id=hall_id) if hall_id is not None else query


def lanes_visible(actor: Actor, hall_id: int | None = None) -> QuerySet[Lane]:
    """Lanes of visible halls."""
    query = Lane.filter(_hall_scope(actor))
    return query.filter(hall_id=hall_id) if hall_id is not None else query


def windows_visible(actor: Actor, hall_id: int | None = None) -> QuerySet[Window]:
    """Windows of visible halls."""
    query = Window.filter(_hall_scope(actor))
    return query.filter(hall_id=hall_id) if hall_id is not None else query


@dataclass(frozen=True)
class ItemFilter:
    """How to narrow the item catalogue."""

    hall_id: int | None = None
    department_id: int | None = None
    kind: ItemKind | None = None
    listed: bool | None = None
    citywide: bool | None = None
    text: str | None = None


def items_visible(actor: Actor, item_filter: ItemFilter) -> QuerySet[ServiceItem]:
    """Items of visible halls, filtered; the text matches name, code or pinyin (full or initials)."""
    query = ServiceItem.filter(_hall_scope(actor))
    if item_filter.hall_id is not None:
        query = query.filter(hall_id=item_filter.hall_id)
    if item_filter.department_id is not None:
        query = query.filter(department_id=item_filter.department_id)
    if item_filter.kind is not None:
        query = query.filter(kind=item_filter.kind)
    if item_filter.listed is not None:
        status = ItemStatus.LISTED if item_filter.listed else ItemStatus.DELISTED
        query = query.filter(status=status)
    if item_filter.citywide is not None:
        query = query.filter(citywide=item_filter.citywide)
    text = normalise_search(item_filter.text or "")
    if text:
        match = Q(name__icontains=text) | Q(code__icontains=text)
        if is_pinyin_query(text):
            match |= Q(name_initials__icontains=text) | Q(name_pinyin__icontains=text)
        query = query.filter(match)
    return query


async def item_in_scope(actor: Actor, item_id: int) -> ServiceItem:
    """A visible item, or NotFound."""
    item = await ServiceItem.filter(_hall_scope(actor)).get_or_none(id=item_id)
    if item is None:
        raise NotFound("服务事项", str(item_id))
    return item


async def item_by_code(actor: Actor, code: str) -> ServiceItem | None:
    """A visible item by its implementation code."""
    return await ServiceItem.filter(_hall_scope(actor)).get_or_none(code=code)


async def halls_by_ids(ids: Sequence[int]) -> list[Hall | None]:
    """Halls in key order (for loaders)."""
    found = {h.id: h for h in await Hall.filter(id__in=list(ids))}
    return [found.get(i) for i in ids]


async def departments_by_ids(ids: Sequence[int]) -> list[Department | None]:
    """Departments in key order (for loaders)."""
    found = {d.id: d for d in await Department.filter(id__in=list(ids))}
    return [found.get(i) for i in ids]


async def windows_by_ids(ids: Sequence[int]) -> list[Window | None]:
    """Windows in key order (for loaders)."""
    found = await rows_by_ids(Window, ids)
    return [found.get(i) for i in ids]


async def lanes_by_window_ids(window_ids: Sequence[int]) -> list[list[Lane]]:
    """The lanes each window serves, in key order; a general window serves all its hall's lanes."""
    windows = {w.id: w for w in await Window.filter(id__in=list(window_ids))}
    through = await Window.filter(id__in=list(window_ids)).values_list("id", "lanes__id")
    lane_ids_of: dict[int, list[int]] = defaultdict(list)
    for window_id, lane_id in through:
        if lane_id is not None:
            lane_ids_of[window_id].append(lane_id)
    hall_ids = {w.hall_id for w in windows.values()}
    lanes = await Lane.filter(hall_id__in=hall_ids).order_by("prefix")
    by_id = {lane.id: lane for lane in lanes}
    result: list[list[Lane]] = []
    for window_id in window_ids:
        window = windows.get(window_id)
        if window is None:
            result.append([])
        elif window.kind == "GENERAL":
            result.append([lane for lane in lanes if lane.hall_id == window.hall_id])
        else:
            chosen = sorted((by_id[i] for i in lane_ids_of[window_id]), key=lambda ln: ln.prefix)
            result.append(chosen)
    return result


async def items_by_lane_ids(lane_ids: Sequence[int]) -> list[list[ServiceItem]]:
    """The items each lane serves, in key order."""
    pairs = await Lane.filter(id__in=list(lane_ids)).values_list("id", "items__id")
    item_ids = {item_id for _, item_id in pairs if item_id is not None}
    items = {i.id: i for i in await ServiceItem.filter(id__in=item_ids)}
    grouped: dict[int, list[ServiceItem]] = defaultdict(list)
    for lane_id, item_id in pairs:
        if item_id is not None:
            grouped[lane_id].append(items[item_id])
    return [sorted(grouped[i], key=lambda it: it.code) for i in lane_ids]


async def versions_by_item_ids(item_ids: Sequence[int]) -> list[list[ServiceItemVersion]]:
    """Every version of each item, newest first, in key order."""
    grouped: dict[int, list[ServiceItemVersion]] = defaultdict(list)
    rows = await ServiceItemVersion.filter(item_id__in=list(item_ids)).order_by("-version")
    for row in rows:
        grouped[row.item_id].append(row)
    return [grouped[i] for i in item_ids]
