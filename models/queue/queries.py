"""Reads of the queue: the board snapshot, people ahead and wait estimates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise import connections
from tortoise.expressions import Q

from models.catalogue.tables import Lane, Window, WindowKind, WindowState
from models.common.actor import Actor
from models.common.errors import NotFound
from models.queue.rules import WaitEstimate, estimate_wait
from models.queue.tables import Ticket, TicketStatus


async def window_in_scope(actor: Actor, window_id: int) -> Window:
    """A window of a hall the actor sees, or NotFound."""
    window = await Window.get_or_none(id=window_id).prefetch_related("hall")
    if window is None or not actor.sees(window.hall.path):
        raise NotFound("窗口", str(window_id))
    return window


# Every active lane with the open windows serving it: general windows serve every lane,
# dedicated ones the lanes they are linked to (counted in the database, one statement).
OPEN_WINDOWS_SQL = """
SELECT l.id AS lane_id,
       (SELECT count(*) FROM "window" w
         WHERE w.hall_id = $1 AND w.state = $2 AND w.kind = $3)
     + (SELECT count(*) FROM window_lane wl JOIN "window" w ON w.id = wl.window_id
         WHERE wl.lane_id = l.id AND w.state = $2 AND w.kind = $4) AS serving
FROM lane l WHERE l.hall_id = $1 AND l.is_active
"""
WAITING_SQL = (
    "SELECT lane_id, count(*) AS waiting FROM ticket"
    " WHERE hall_id = $1 AND business_day = $2 AND status = $3 GROUP BY lane_id"
)


async def open_windows_per_lane(hall_id: int) -> dict[int, int]:
    """How many open windows serve each lane of a hall."""
    rows = await connections.get("default").execute_query_dict(
        OPEN_WINDOWS_SQL,
        [hall_id, WindowState.OPEN.value, WindowKind.GENERAL.value, WindowKind.DEDICATED.value],
    )
    return {int(row["lane_id"]): int(row["serving"]) for row in rows}


async def waiting_counts(hall_id: int, day: date) -> dict[int, int]:
    """Waiting tickets per lane today (counted in the database)."""
    rows = await connections.get("default").execute_query_dict(
        WAITING_SQL, [hall_id, day, TicketStatus.WAITING.value]
    )
    return {int(row["lane_id"]): int(row["waiting"]) for row in rows}


async def ahead_of(ticket: Ticket) -> int:
    """Waiting tickets of the same lane that will be called first."""
    return await Ticket.filter(
        Q(rank__lt=ticket.rank) | Q(rank=ticket.rank, id__lt=ticket.id),
        lane_id=ticket.lane_id,
        business_day=ticket.business_day,
        status=TicketStatus.WAITING,
    ).count()


async def wait_for(ticket: Ticket, lane: Lane) -> WaitEstimate:
    """The estimate for a waiting ticket."""
    ahead = await ahead_of(ticket)
    serving = (await open_windows_per_lane(ticket.hall_id)).get(lane.id, 0)
    return estimate_wait(ahead, lane.average_service_minutes, serving)


@dataclass(frozen=True)
class LaneLine:
    """One lane on the board."""

    lane: Lane
    waiting: int
    open_windows: int
    estimate: WaitEstimate


@dataclass(frozen=True)
class Snapshot:
    """The board of a hall now: lanes, windows with their current ticket, latest calls."""

    lanes: list[LaneLine]
    windows: list[tuple[Window, Ticket | None]]
    latest_calls: list[Ticket]


async def snapshot(hall_id: int, day: date, latest: int = 10) -> Snapshot:
    """Everything a screen starts from."""
    lanes = await Lane.filter(hall_id=hall_id, is_active=True).order_by("prefix")
    waiting = await waiting_counts(hall_id, day)
    serving = await open_windows_per_lane(hall_id)
    lines = [
        LaneLine(
            lane=lane,
            waiting=waiting.get(lane.id, 0),
            open_windows=serving.get(lane.id, 0),
            estimate=estimate_wait(
                waiting.get(lane.id, 0), lane.average_service_minutes, serving.get(lane.id, 0)
            ),
        )
        for lane in lanes
    ]
    windows = await Window.filter(hall_id=hall_id).order_by("number")
    current = {
        t.window_id: t
        for t in await Ticket.filter(hall_id=hall_id, business_day=day, status=TicketStatus.CALLED)
    }
    calls = (
        await Ticket.filter(hall_id=hall_id, business_day=day, called_at__isnull=False)
        .order_by("-called_at", "-id")
        .limit(latest)
    )
    return Snapshot(lines, [(w, current.get(w.id)) for w in windows], list(calls))
