"""The hot path of a window: calling the next ticket and finishing it, one statement each.

"Finish and call next" (a clerk's 下一位) is one statement too: both changes or neither.

Each statement checks the window (or ticket) against the actor, claims or changes the row and
writes the pending texts, and commits on its own: no round trip happens while the row locks
are held. Every call and finish also takes the hall's statistics rollup rows (statement
triggers), which all windows share; holding them only inside the server is what lets the windows
of a hall call concurrently. When a statement changes nothing, the step-by-step checks of
`models.queue.actions` find out why and raise the business error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError

from models.accounts.tables import Role
from models.catalogue.tables import WindowKind, WindowState
from models.common.actor import Actor
from models.notifications.outbox import OUTBOX_INSERT, PENDING
from models.queue.rules import (
    DEFAULT_NEAR_AHEAD,
    TRANSITIONS,
    TicketAction,
    next_ticket_status,
)
from models.queue.tables import Ticket, TicketOutcome, TicketStatus

FINISH_FROM = TRANSITIONS[TicketAction.FINISH][0]
FINISH_TO = next_ticket_status(TicketAction.FINISH, min(FINISH_FROM))
# $1 window, $2 actor's user id, $3 actor is an admin, $4 actor's hall path (NULL: city-wide),
# $5 now. The window open and staffed by the actor, its hall's date, the lanes it calls from.
_WINDOW = f"""
w AS (
    SELECT w.id, w.hall_id, w.number, w.kind, (($5::timestamptz) AT TIME ZONE h.timezone)::date AS day
    FROM "window" w JOIN hall h ON h.id = w.hall_id
    WHERE w.id = $1 AND w.state = '{WindowState.OPEN.value}'
      AND ($3::bool OR w.clerk_id = $2::int)
      AND ($4::text IS NULL OR starts_with(h.path, $4::text))
      {{in_service}}
), lanes AS (
    SELECT l.id FROM lane l JOIN w ON l.hall_id = w.hall_id
    WHERE w.kind = '{WindowKind.GENERAL.value}' AND l.is_active
    UNION ALL
    SELECT wl.lane_id FROM window_lane wl JOIN w ON wl.window_id = w.id
    WHERE w.kind <> '{WindowKind.GENERAL.value}'
)"""  # noqa: S608  (enum values only; every value is a bound parameter)
_NOTHING_IN_SERVICE = f"""AND NOT EXISTS (
          SELECT 1 FROM ticket b WHERE b.window_id = w.id AND b.status = '{TicketStatus.CALLED.value}'
      )"""  # noqa: S608  (an enum value)
# The window's best waiting ticket; scalar subqueries, so that the waiting-line index is walked
# in calling order.
_BEST_WAITING = f"""
SELECT t.id FROM ticket t
WHERE t.hall_id = (SELECT hall_id FROM w) AND t.business_day = (SELECT day FROM w)
  AND t.status = '{TicketStatus.WAITING.value}'
  AND t.lane_id = ANY (ARRAY(SELECT id FROM lanes))
  AND (t.target_window_id IS NULL OR t.target_window_id = $1)
ORDER BY t.rank, t.id LIMIT 1"""  # noqa: S608  (enum values only)
# The claim of the ticket `{candidate}` and its texts; the near holder: DEFAULT_NEAR_AHEAD people
# ahead once the called ticket has left.
_CLAIM = f"""
called AS (
    UPDATE ticket SET status = '{TicketStatus.CALLED.value}', window_id = $1,
        target_window_id = NULL, called_at = $5, called_by_id = $2, updated_at = $5
    WHERE id = {{candidate}}
    RETURNING *
), near AS (
    SELECT n.id, n.number, n.holder_phone, n.hall_id
    FROM ticket n
    WHERE n.hall_id = (SELECT hall_id FROM called) AND n.business_day = (SELECT business_day FROM called)
      AND n.status = '{TicketStatus.WAITING.value}' AND n.lane_id = (SELECT lane_id FROM called)
      AND n.id <> (SELECT id FROM called)
    ORDER BY n.rank, n.id OFFSET {DEFAULT_NEAR_AHEAD} LIMIT 1
), texts AS (
    {OUTBOX_INSERT}
    SELECT 'TICKET_CALLED', 'ticket:' || c.id || ':called', c.holder_phone, c.hall_id, NULL::bigint,
        jsonb_build_object('number', c.number, 'window', w.number), true, {PENDING}, $5, $5
    FROM called c CROSS JOIN w WHERE c.holder_phone <> ''
    UNION ALL
    SELECT 'TICKET_NEAR', 'ticket:' || n.id || ':near', n.holder_phone, n.hall_id, NULL::bigint,
        jsonb_build_object('number', n.number, 'ahead', {DEFAULT_NEAR_AHEAD}), true,
        {PENDING}, $5, $5
    FROM near n WHERE n.holder_phone <> ''
    ON CONFLICT (dedupe_key) DO NOTHING
)"""  # noqa: S608  (enum values and constants; every value is a bound parameter)

CALL_NEXT_SQL = (
    "WITH "
    + _WINDOW.format(in_service=_NOTHING_IN_SERVICE)
    + ", "
    + _CLAIM.format(candidate=f"({_BEST_WAITING} FOR UPDATE OF t SKIP LOCKED)")
    + "\nSELECT c.*, w.number AS _window_number FROM called c CROSS JOIN w\n"
)

# "Finish and call next" ($6: the outcome): the ticket in service at the window (if any) is
# finished and the best waiting one called, both or neither. The candidate is locked first; the
# ticket in service is finished only when there is one, and the candidate is claimed only once
# the ticket in service is finished (reading `finished` orders the two updates, so the unique
# index of called tickets per window sees the finished one gone). A refusal that had a
# candidate returns it alone (`_finished` NULL): the ticket in service changed meanwhile.
_FINISHING_CLAIM = _CLAIM.format(
    candidate="(SELECT id FROM candidate)"
    " AND (SELECT count(*) FROM finished) = (SELECT count(*) FROM serving)"
)
CALL_NEXT_FINISHING_SQL = f"""WITH {_WINDOW.format(in_service="")}, serving AS (
    SELECT b.id FROM ticket b
    WHERE b.window_id = $1 AND b.status = '{TicketStatus.CALLED.value}' AND EXISTS (SELECT 1 FROM w)
), candidate AS MATERIALIZED ({_BEST_WAITING} FOR UPDATE OF t SKIP LOCKED
), finished AS (
    UPDATE ticket f SET status = '{FINISH_TO.value}', outcome = $6, case_number = '',
        finished_at = $5, updated_at = $5
    WHERE f.id = (SELECT id FROM serving) AND f.window_id = $1
      AND f.status = '{TicketStatus.CALLED.value}' AND EXISTS (SELECT 1 FROM candidate)
    RETURNING f.*
), {_FINISHING_CLAIM}
SELECT false AS _finished, c.*, w.number AS _window_number FROM called c CROSS JOIN w
UNION ALL
SELECT true, f.*, w.number FROM finished f CROSS JOIN w
UNION ALL
SELECT NULL, t.*, '' FROM ticket t WHERE t.id = (SELECT id FROM candidate)
  AND NOT EXISTS (SELECT 1 FROM called)
"""  # noqa: S608  (enum values and constants; every value is a bound parameter)

# $1 ticket, $2 outcome, $3 now, $4 actor's user id, $5 actor is an admin, $6 actor's hall path,
# $7 the statuses a ticket may be finished from.
FINISH_SQL = f"""
UPDATE ticket t SET status = '{FINISH_TO.value}', outcome = $2, case_number = '',
    finished_at = $3, updated_at = $3
FROM hall h
WHERE t.id = $1 AND h.id = t.hall_id AND t.status = ANY($7::text[])
  AND ($6::text IS NULL OR starts_with(h.path, $6::text))
  AND ($5::bool OR EXISTS (
      SELECT 1 FROM "window" w WHERE w.id = t.window_id AND w.clerk_id = $4::int
  ))
RETURNING t.*
"""  # noqa: S608  (enum values only; every value is a bound parameter)


async def claim_next(actor: Actor, window_id: int, now: datetime) -> tuple[Ticket, str] | None:
    """Call the window's next ticket in one statement: (ticket, window number), else None.

    Two calls of one window at the same instant both pass the statement's "nothing in service"
    check; the unique index of called tickets per window (migration 0013) refuses the second.
    """
    try:
        rows = await connections.get("default").execute_query_dict(
            CALL_NEXT_SQL, _params(actor, window_id, now)
        )
    except IntegrityError:
        return None
    if not rows:
        return None
    row: dict[str, Any] = dict(rows[0])
    window_number = str(row.pop("_window_number"))
    # How tortoise itself builds a model from a fetched row (types converted per field).
    return Ticket._init_from_db(**row), window_number


@dataclass(frozen=True)
class Claimed:
    """A ticket just called, its window's number, and the ticket finished before it (if any)."""

    ticket: Ticket
    window_number: str
    finished: Ticket | None = None


def _params(actor: Actor, window_id: int, now: datetime) -> list[Any]:
    return [window_id, actor.user_id, actor.role is Role.ADMIN, actor.hall_path, now]


class Refused(Enum):
    """Why a finish-and-call-next changed nothing."""

    NOT_CALLABLE = "NOT_CALLABLE"  # the window may not call, or no waiting ticket was free
    IN_SERVICE_CHANGED = "IN_SERVICE_CHANGED"  # another call or finish of the window came first


async def finish_and_claim(
    actor: Actor, window_id: int, outcome: TicketOutcome, now: datetime
) -> Claimed | Refused:
    """Finish the window's ticket in service (if any) and call the next, in one statement."""
    try:
        rows = await connections.get("default").execute_query_dict(
            CALL_NEXT_FINISHING_SQL, [*_params(actor, window_id, now), outcome.value]
        )
    except IntegrityError:
        return Refused.IN_SERVICE_CHANGED
    tickets: dict[bool | None, Ticket] = {}
    window_number = ""
    for found in rows:
        row: dict[str, Any] = dict(found)
        finished = row.pop("_finished")
        window_number = str(row.pop("_window_number"))
        tickets[finished] = Ticket._init_from_db(**row)
    if False in tickets:
        return Claimed(tickets[False], window_number, tickets.get(True))
    return Refused.IN_SERVICE_CHANGED if None in tickets else Refused.NOT_CALLABLE


async def finish_served(
    actor: Actor, ticket_id: int, outcome: TicketOutcome, now: datetime
) -> Ticket | None:
    """Finish a ticket the actor's window is serving, in one statement; None if it may not."""
    rows = await connections.get("default").execute_query_dict(
        FINISH_SQL,
        [
            ticket_id,
            outcome.value,
            now,
            actor.user_id,
            actor.role is Role.ADMIN,
            actor.hall_path,
            [status.value for status in sorted(FINISH_FROM)],
        ],
    )
    return Ticket._init_from_db(**rows[0]) if rows else None
