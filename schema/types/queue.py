"""GraphQL types of the queue: tickets, wait estimates, the board snapshot, appointments."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Self, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from models.alerts.board import active_on_board
from models.cases.tables import AlertLevel
from models.catalogue.tables import Lane as LaneRow
from models.catalogue.tables import Window as WindowRow
from models.queue import board, queries, rules, tables
from schema.context import Info
from schema.enums import described_enum
from schema.naming import camel
from schema.permissions import require_actor
from schema.types.catalogue import Lane, Window
from schema.types.masking import PersonalData, mask_name, personal

TicketChannel = tables.TicketChannel
TicketPriority = tables.TicketPriority
TicketStatus = tables.TicketStatus
TicketOutcome = tables.TicketOutcome
AppointmentStatus = tables.AppointmentStatus

described_enum(
    tables.TicketChannel,
    name="TicketChannel",
    description="Where a ticket was taken.",
    values={
        "KIOSK": "The hall's ticket machine.",
        "PHONE": "A phone (app or mini-program); needs the holder's mobile number.",
        "CLERK": "Issued by staff at a window or the information desk.",
        "APPOINTMENT": "From an appointment check-in.",
    },
)
described_enum(
    tables.TicketPriority,
    name="TicketPriority",
    description="Calling order class.",
    values={
        "GREEN_CHANNEL": "绿色通道: the elderly, disabled, veterans, key projects; issued by staff only.",
        "APPOINTMENT": "A checked-in appointment.",
        "NORMAL": "Everyone else.",
    },
)
described_enum(
    tables.TicketStatus,
    name="TicketStatus",
    description="Where a ticket stands.",
    values={
        "WAITING": "In line.",
        "CALLED": "Called to a window and being served.",
        "HELD": "Put aside at the window (挂起); ticketResume puts it back in line, boosted.",
        "FINISHED": "Served.",
        "NO_SHOW": "过号: not there after the recalls, or skipped.",
        "EXPIRED": "Not served by closing time.",
    },
)
described_enum(
    tables.TicketOutcome,
    name="TicketOutcome",
    description="How a served ticket ended.",
    values={
        "SERVED": "The business was done (a case may be linked).",
        "CONSULTED": "Advice only.",
        "REFERRED": "Sent to another department or hall.",
        "INCOMPLETE": "Could not be done (materials missing).",
    },
)
described_enum(
    tables.AppointmentStatus,
    name="AppointmentStatus",
    description="A booking's state.",
    values={
        "BOOKED": "Booked.",
        "CANCELLED": "Cancelled by the holder.",
        "CHECKED_IN": "Checked in: a priority ticket was issued.",
        "NO_SHOW": "The check-in window passed without a check-in.",
    },
)


@strawberry.type(description="Minutes until the holder is likely called.")
class WaitEstimate:
    """Wait estimate."""

    ahead: int = strawberry.field(description="People ahead in the lane.")
    optimistic_minutes: int = strawberry.field(
        description="Every window serving the lane open, usual pace."
    )
    pessimistic_minutes: int = strawberry.field(description="One window fewer and a slower pace.")

    @classmethod
    def of(cls, estimate: rules.WaitEstimate) -> Self:
        """From the rule's value."""
        return cls(
            ahead=estimate.ahead,
            optimistic_minutes=estimate.optimistic_minutes,
            pessimistic_minutes=estimate.pessimistic_minutes,
        )


@strawberry.type(name="Ticket", description="A queue number (号票); the holder's name is masked.")
class Ticket(relay.Node):
    """A ticket."""

    id: relay.NodeID[int]
    number: str = strawberry.field(description="The number shown and announced, e.g. A023.")
    business_day: date = strawberry.field(description="The hall's day the number belongs to.")
    status: TicketStatus = strawberry.field(description="Where the ticket stands.")
    priority: TicketPriority = strawberry.field(description="Calling order class.")
    channel: TicketChannel = strawberry.field(description="Where it was taken.")
    holder: str = strawberry.field(
        description="Masked holder name (张*), or empty.", metadata=personal(PersonalData.NAME)
    )
    issued_at: datetime = strawberry.field(description="When it was issued.")
    called_at: datetime | None = strawberry.field(description="When it was last called.")
    recall_count: int = strawberry.field(description="How often it was called again.")
    outcome: TicketOutcome | None = strawberry.field(description="How it ended, once finished.")
    case_number: str = strawberry.field(description="The case it led to, if any.")
    lane_id: strawberry.Private[int]
    window_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: tables.Ticket) -> Self:
        """Build from a table row."""
        return cls(
            id=row.id,
            number=row.number,
            business_day=row.business_day,
            status=row.status,
            priority=row.priority,
            channel=row.channel,
            holder=mask_name(row.holder_name) if row.holder_name else "",
            issued_at=row.issued_at,
            called_at=row.called_at,
            recall_count=row.recall_count,
            outcome=row.outcome,
            case_number=row.case_number,
            lane_id=row.lane_id,
            window_id=row.window_id,
        )

    @strawberry.field(description="The lane it waits in.")
    async def lane(self) -> Lane:
        """The lane."""
        return Lane.from_row(await LaneRow.get(id=self.lane_id))

    @strawberry.field(description="The window serving it, while called or finished.")
    async def window(self) -> Window | None:
        """The window."""
        if self.window_id is None:
            return None
        return Window.from_row(await WindowRow.get(id=self.window_id))

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        """Tickets by id within the caller's scope."""
        actor = require_actor(info)
        ids = [int(i) for i in node_ids if i.isdigit()]
        rows = {t.id: t for t in await tables.Ticket.filter(id__in=ids).prefetch_related("hall")}
        visible = {i: r for i, r in rows.items() if actor.sees(r.hall.path)}
        return [
            cls.from_row(visible[int(i)]) if i.isdigit() and int(i) in visible else None
            for i in node_ids
        ]


@strawberry.type(description="One lane on the board.")
class LaneBoardLine:
    """A lane's line."""

    lane: Lane = strawberry.field(description="The lane.")
    waiting: int = strawberry.field(description="Tickets waiting now.")
    open_windows: int = strawberry.field(description="Open windows serving the lane.")
    estimate: WaitEstimate = strawberry.field(description="Wait for someone taking a number now.")


@strawberry.type(description="One window on the board.")
class WindowBoardLine:
    """A window's line."""

    window: Window = strawberry.field(description="The window and its state.")
    current: Ticket | None = strawberry.field(description="The ticket it is serving.")


@strawberry.type(description="A hall's board now: the snapshot a screen starts from.")
class QueueBoard:
    """The board snapshot."""

    business_day: date = strawberry.field(description="The hall's day.")
    seq: int = strawberry.field(
        description="The hall's last event seq before this snapshot: subscribe to hallBoard with afterSeq = seq."
    )
    lanes: list[LaneBoardLine] = strawberry.field(description="Lanes by prefix.")
    windows: list[WindowBoardLine] = strawberry.field(description="Windows by number.")
    latest_calls: list[Ticket] = strawberry.field(description="The latest calls, newest first.")
    hall_id: strawberry.Private[int]

    @strawberry.field(
        description="Yellow and red cards up now (at most 50; red first, then by due date), masked."
    )
    async def alerts(self) -> list[BoardAlert]:
        """The hall's active cards."""
        return [
            BoardAlert(
                level=AlertLevel(str(a["level"])),
                case_number=str(a["case_number"]),
                item_name=str(a["item_name"]),
                department=str(a["department"]),
                due_on=cast("date", a["due_on"]),
            )
            for a in await active_on_board(self.hall_id)
        ]

    @classmethod
    def of(cls, day: date, seq: int, snap: queries.Snapshot, hall_id: int) -> Self:
        """From the snapshot read."""
        return cls(
            business_day=day,
            seq=seq,
            lanes=[
                LaneBoardLine(
                    lane=Lane.from_row(line.lane),
                    waiting=line.waiting,
                    open_windows=line.open_windows,
                    estimate=WaitEstimate.of(line.estimate),
                )
                for line in snap.lanes
            ],
            windows=[
                WindowBoardLine(
                    window=Window.from_row(w), current=Ticket.from_row(t) if t else None
                )
                for w, t in snap.windows
            ],
            latest_calls=[Ticket.from_row(t) for t in snap.latest_calls],
            hall_id=hall_id,
        )


@strawberry.type(description="A card as a hall screen shows it: nothing personal.")
class BoardAlert:
    """An active card on the board."""

    level: AlertLevel = strawberry.field(description="YELLOW or RED.")
    case_number: str = strawberry.field(description="The case number.")
    item_name: str = strawberry.field(description="The service item.")
    department: str = strawberry.field(description="The handling department's short name.")
    due_on: date = strawberry.field(description="The due date.")


@strawberry.type(description="A booking; `code` with the phone number identifies it.")
class Appointment:
    """An appointment."""

    code: str = strawberry.field(description="Booking code to show at check-in.")
    status: AppointmentStatus = strawberry.field(description="The booking's state.")
    starts_at: datetime = strawberry.field(description="Slot start.")
    ends_at: datetime = strawberry.field(description="Slot end.")
    ticket: Ticket | None = strawberry.field(description="The ticket issued at check-in.")


BoardEventKind = board.BoardEventKind
described_enum(
    board.BoardEventKind,
    name="BoardEventKind",
    description="What changed on a hall's board.",
    values={
        "TICKET_ISSUED": "A number was taken.",
        "TICKET_CALLED": "A number was called to a window (announce it).",
        "TICKET_RECALLED": "A number was called again.",
        "TICKET_SKIPPED": "A number became a no-show.",
        "TICKET_TRANSFERRED": "A number moved to another lane or window.",
        "TICKET_HELD": "A number was put aside.",
        "TICKET_RESUMED": "A held number is back in line.",
        "TICKET_FINISHED": "A number was served.",
        "TICKETS_EXPIRED": "The day's unserved numbers expired.",
        "WINDOW_OPENED": "A window opened.",
        "WINDOW_PAUSED": "A window paused.",
        "WINDOW_CLOSED": "A window closed.",
        "LANE_COUNTS": "Waiting counts changed.",
        "ALERT_RAISED": "A case got a yellow or red card (case number, item, department, level).",
        "ALERT_CLEARED": "A card was withdrawn.",
        "ALERT_ESCALATED": "A red card climbed a rung of the escalation ladder.",
    },
)


@strawberry.type(description="One event of a hall's board log.")
class BoardEventPayload:
    """A board event."""

    seq: int = strawberry.field(description="The hall's sequence number: increasing, no gaps.")
    kind: BoardEventKind = strawberry.field(description="What changed.")
    data: JSON = strawberry.field(
        description="Public, masked details: ticket number, lane prefix, window number, status."
    )

    @classmethod
    def of(cls, event: board.LoggedEvent) -> Self:
        """From a logged event."""
        return cls(
            seq=event.seq,
            kind=board.BoardEventKind(event.kind),
            data=cast("JSON", {camel(k): v for k, v in event.data.items()}),
        )
