"""Alert events onto the halls' board logs, each once, whichever API process gets there first."""

from __future__ import annotations

from datetime import date

from tortoise import connections
from tortoise.transactions import in_transaction

from models.alerts.tables import AlertEvent, AlertKind
from models.queue.board import BoardEvent, BoardEventKind, EventLog

CLAIMING = -1
BOARD_KIND = {
    AlertKind.YELLOW: BoardEventKind.ALERT_RAISED,
    AlertKind.RED: BoardEventKind.ALERT_RAISED,
    AlertKind.CLEARED: BoardEventKind.ALERT_CLEARED,
    AlertKind.ESCALATED: BoardEventKind.ALERT_ESCALATED,
}


# What a screen shows of a card: nothing personal. One query for any number of cards.
CARD_VIEW = (
    "SELECT a.id AS alert_id, a.level, c.number AS case_number, c.due_on, i.name AS item_name,"
    " coalesce(nullif(d.short_name, ''), d.name) AS department"
    ' FROM case_alert a JOIN "case" c ON c.id = a.case_id'
    " JOIN service_item i ON i.id = c.item_id JOIN department d ON d.id = a.department_id"
)


async def _cards(where: str, params: list[object]) -> list[dict[str, object]]:
    rows = await connections.get("default").execute_query_dict(f"{CARD_VIEW} {where}", params)
    return [dict(row) for row in rows]


async def board_events(events: list[AlertEvent]) -> list[BoardEvent]:
    """The board events for alert events, their cards read in one query."""
    cards = {
        int(str(card["alert_id"])): card
        for card in await _cards("WHERE a.id = ANY($1::bigint[])", [[e.alert_id for e in events]])
    }
    shown = []
    for event in events:
        card = cards[event.alert_id]
        due_on = card["due_on"]
        data: dict[str, object] = card | {
            "level": event.level.value,
            "due_on": due_on.isoformat() if isinstance(due_on, date) else None,
        }
        if event.kind is AlertKind.ESCALATED:
            data["step"] = event.data.get("step")
        if event.kind is AlertKind.CLEARED:
            data["reason"] = event.data.get("reason")
        shown.append(BoardEvent(event.hall_id, BOARD_KIND[event.kind], data))
    return shown


async def publish_pending(board: EventLog, limit: int = 200) -> int:
    """Append unpublished alert events to their halls' logs, oldest first; returns how many.

    Events are claimed (board_seq = -1) in a committed statement before the append, so that
    two processes never append the same event; a process dying between claim and append loses
    that event from the board (the alert itself stays, and `queueBoard` shows it).
    """
    async with in_transaction():
        rows = await connections.get("default").execute_query_dict(
            "UPDATE alert_event SET board_seq = $1 WHERE id IN (SELECT id FROM alert_event"
            " WHERE board_seq IS NULL ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING id",
            [CLAIMING, limit],
        )
    if not rows:
        return 0
    events = await AlertEvent.filter(id__in=[r["id"] for r in rows]).order_by("id")
    try:
        seqs = await board.append(await board_events(list(events)))
    except Exception:
        # Redis away: give the events back, the next wake-up publishes them.
        await AlertEvent.filter(id__in=[e.id for e in events]).update(board_seq=None)
        raise
    for event, seq in zip(events, seqs, strict=True):
        await AlertEvent.filter(id=event.id).update(board_seq=seq)
    return len(events)


async def active_on_board(hall_id: int, limit: int = 50) -> list[dict[str, object]]:
    """The hall's cards up now, as a screen shows them: red first, then by due date."""
    return await _cards(
        "WHERE a.hall_id = $1 AND a.cleared_at IS NULL"
        " ORDER BY a.level = 'RED' DESC, c.due_on, a.id LIMIT $2",
        [hall_id, limit],
    )
