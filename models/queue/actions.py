"""Ticket use cases: issue, call next, recall, skip, transfer, hold and resume, finish.

Calling claims the best waiting ticket with `FOR UPDATE SKIP LOCKED`, so windows calling at the
same instant never share a ticket and never wait on each other. Each use case returns the board
events to publish once its transaction has committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tortoise import connections
from tortoise.transactions import in_transaction

from models.accounts.tables import Role
from models.calendar.hours import can_issue_tickets, closing_time, next_opening
from models.calendar.queries import hall_calendar, hall_hours
from models.catalogue.tables import Hall, Lane, ServiceItem, Window, WindowKind, WindowState
from models.common.actor import WINDOW_ROLES, Actor
from models.common.checks import Checks
from models.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from models.queue import calling
from models.queue.board import BoardEvent, BoardEventKind
from models.queue.errors import (
    HallClosed,
    LaneFull,
    NothingToCall,
    TicketNotFound,
    TicketStateError,
)
from models.queue.queries import window_in_scope
from models.queue.rules import (
    DEFAULT_MAX_RECALLS,
    TicketAction,
    next_ticket_status,
    number_width,
    rank,
    ticket_number,
    valid_mobile,
)
from models.queue.tables import (
    Ticket,
    TicketChannel,
    TicketOutcome,
    TicketPriority,
    TicketStatus,
)

ACTIVE = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.HELD)


def business_day(hall: Hall, now: datetime) -> date:
    """The hall's date now."""
    return now.astimezone(ZoneInfo(hall.timezone)).date()


def public_ticket(ticket: Ticket, lane: Lane | None = None) -> dict[str, object]:
    """What a screen may show of a ticket: number, lane, window; a masked name at most."""
    name = ticket.holder_name
    return {
        "ticket_id": ticket.id,
        "number": ticket.number,
        "lane_id": ticket.lane_id,
        "lane_prefix": lane.prefix if lane else ticket.number[:1],
        "status": ticket.status.value,
        "priority": ticket.priority.value,
        "window_id": ticket.window_id,
        "holder": (name[:1] + "*" * max(len(name) - 1, 1)) if name else "",
    }


def concerns_window(data: dict[str, object], window_id: int, lanes: set[int]) -> bool:
    """Whether a board event matters to one window: its lanes, its tickets, itself."""
    if window_id in (data.get("window_id"), data.get("to_window_id")):
        return True
    return data.get("lane_id") in lanes or data.get("to_lane_id") in lanes


@dataclass(frozen=True)
class TicketRequest:
    """What it takes to issue a ticket."""

    hall_id: int
    lane_id: int
    channel: TicketChannel
    priority: TicketPriority = TicketPriority.NORMAL
    item_id: int | None = None
    holder_phone: str = ""
    holder_name: str = ""


@dataclass(frozen=True)
class Issued:
    """A new ticket and the events it causes."""

    ticket: Ticket
    lane: Lane
    events: list[BoardEvent]


async def _lane_of(hall_id: int, lane_id: int) -> Lane:
    lane = await Lane.get_or_none(id=lane_id, hall_id=hall_id, is_active=True)
    if lane is None:
        raise InvalidInput.single("lane_id", "NOT_FOUND", "该大厅没有这个号段")
    return lane


def _check_request(request: TicketRequest, actor: Actor | None) -> None:
    checks = Checks()
    staff = actor is not None and actor.role in WINDOW_ROLES
    if request.priority is TicketPriority.GREEN_CHANNEL and not staff:
        raise Forbidden("绿色通道号须由工作人员发放")
    if request.priority is TicketPriority.APPOINTMENT:
        checks.fail("priority", "NOT_ALLOWED", "预约号由预约签到生成")
    if request.channel is TicketChannel.CLERK and not staff:
        raise Forbidden("窗口发号须由工作人员操作")
    if request.channel is TicketChannel.APPOINTMENT:
        checks.fail("channel", "NOT_ALLOWED", "预约号由预约签到生成")
    if request.channel is TicketChannel.PHONE and not request.holder_phone:
        checks.fail("holder_phone", "REQUIRED", "手机取号须填写手机号码")
    if request.holder_phone and not valid_mobile(request.holder_phone):
        checks.fail("holder_phone", "INVALID_MOBILE", "手机号码应为以1开头的11位中国大陆手机号")
    checks.text("holder_name", request.holder_name, "姓名", min_len=0, max_len=50)
    checks.raise_if_any()


async def _claim_sequence(lane: Lane, day: date) -> int:
    """The lane's next number today, within its range and daily cap."""
    span = lane.range_end - lane.range_start + 1
    rows = await connections.get("default").execute_query_dict(
        "INSERT INTO lane_day (lane_id, business_day, last_sequence, issued) VALUES ($1, $2, 1, 1) "
        "ON CONFLICT (lane_id, business_day) DO UPDATE "
        "SET last_sequence = lane_day.last_sequence + 1, issued = lane_day.issued + 1 "
        "WHERE lane_day.issued < $3 AND lane_day.last_sequence < $4 RETURNING last_sequence",
        [lane.id, day, lane.daily_cap, span],
    )
    if not rows:
        raise LaneFull(f"{lane.prefix}号段今日号票已发完")
    return lane.range_start + int(rows[0]["last_sequence"]) - 1


async def issue_ticket(
    actor: Actor | None,
    request: TicketRequest,
    now: datetime,
    *,
    appointment_id: int | None = None,
) -> Issued:
    """Issue the lane's next number for today."""
    if appointment_id is None:
        _check_request(request, actor)
    hall = await Hall.get_or_none(id=request.hall_id)
    if hall is None or (actor is not None and not actor.sees(hall.path)):
        raise NotFound("大厅", str(request.hall_id))
    lane = await _lane_of(hall.id, request.lane_id)
    if request.item_id is not None and not await ServiceItem.exists(id=request.item_id):
        raise InvalidInput.single("item_id", "NOT_FOUND", "未找到该服务事项")
    day = business_day(hall, now)
    local_now = now.astimezone(ZoneInfo(hall.timezone))
    local = local_now.time()
    if not can_issue_tickets(await hall_hours(hall.id), await hall_calendar(hall), local_now):
        raise HallClosed("大厅当前不在取号时间内")
    async with in_transaction():
        if request.holder_phone and request.channel is TicketChannel.PHONE:
            held = await Ticket.filter(
                lane_id=lane.id,
                business_day=day,
                holder_phone=request.holder_phone,
                status__in=ACTIVE,
            ).exists()
            if held:
                raise Conflict(
                    "该手机号在此号段已有未办结的号票", code="ALREADY_WAITING", field="holder_phone"
                )
        sequence = await _claim_sequence(lane, day)
        ticket = await Ticket.create(
            hall_id=hall.id,
            lane_id=lane.id,
            issued_lane_id=lane.id,
            business_day=day,
            sequence=sequence,
            number=ticket_number(lane.prefix, sequence, number_width(lane.range_end)),
            channel=request.channel,
            priority=request.priority,
            rank=rank(request.priority, local),
            item_id=request.item_id,
            holder_name=request.holder_name.strip(),
            holder_phone=request.holder_phone,
            issued_by_id=actor.user_id if actor and actor.user_id else None,
            issued_at=now,
            appointment_id=appointment_id,
            updated_at=now,
        )
    event = BoardEvent(hall.id, BoardEventKind.TICKET_ISSUED, public_ticket(ticket, lane))
    return Issued(ticket, lane, [event])


async def _window_for(actor: Actor, window_id: int) -> Window:
    """The window, which must be staffed by the actor (or an admin in scope)."""
    window = await window_in_scope(actor, window_id)
    if actor.role is not Role.ADMIN and window.clerk_id != actor.user_id:
        raise Forbidden("只有在岗的窗口人员可以叫号")
    return window


async def served_lane_ids(window: Window) -> list[int]:
    """The lanes a window calls from: every lane of its hall for a general window."""
    if window.kind is WindowKind.GENERAL:
        lanes = await Lane.filter(hall_id=window.hall_id, is_active=True).only("id")
    else:
        lanes = await window.lanes.all().only("id")
    return [lane.id for lane in lanes]


@dataclass(frozen=True)
class Changed:
    """A ticket after a change and the events it causes."""

    ticket: Ticket
    events: list[BoardEvent]


@dataclass(frozen=True)
class FinishCurrent:
    """How to finish the window's ticket in service before calling the next (下一位)."""

    outcome: TicketOutcome
    case_number: str = ""


async def call_next(
    actor: Actor, window_id: int, now: datetime, finish_current: FinishCurrent | None = None
) -> Changed:
    """Claim the best waiting ticket for the window: priority, then issue time.

    With `finish_current`, the ticket the window is serving (if any) is finished first, in the
    same transaction: both happen or neither (a refusal leaves the ticket in service).
    """
    if finish_current is not None:
        return await _finish_and_call_next(actor, window_id, now, finish_current)
    claimed = await calling.claim_next(actor, window_id, now)
    if claimed is None:
        raise await _why_not_called(actor, window_id, now)
    ticket, window_number = claimed
    return Changed(ticket, [_called_event(ticket, window_number)])


def _called_event(ticket: Ticket, window_number: str) -> BoardEvent:
    data = public_ticket(ticket) | {"window_number": window_number}
    return BoardEvent(ticket.hall_id, BoardEventKind.TICKET_CALLED, data)


def _finished_event(ticket: Ticket) -> BoardEvent:
    return BoardEvent(ticket.hall_id, BoardEventKind.TICKET_FINISHED, public_ticket(ticket))


class _Refused(Exception):
    """The call of a finish-and-call-next claimed nothing: undo the finish."""


async def _finish_and_call_next(
    actor: Actor, window_id: int, now: datetime, finish_current: FinishCurrent
) -> Changed:
    """Finish the window's ticket in service (if any) and call the next: both or neither."""
    number = finish_current.case_number.strip()
    if not number:
        claimed = await calling.finish_and_claim(actor, window_id, finish_current.outcome, now)
        if claimed is calling.Refused.IN_SERVICE_CHANGED:
            raise _in_service()
        if isinstance(claimed, calling.Refused):
            raise await _why_not_called(actor, window_id, now, finishing=True)
        finished = [_finished_event(claimed.finished)] if claimed.finished else []
        return Changed(
            claimed.ticket, [*finished, _called_event(claimed.ticket, claimed.window_number)]
        )
    # With a case to link: step by step in one transaction (the finish first, for the unique
    # index of called tickets per window).
    await _window_for(actor, window_id)
    events: list[BoardEvent] = []
    try:
        async with in_transaction():
            serving = await Ticket.filter(window_id=window_id, status=TicketStatus.CALLED).first()
            if serving is not None:
                done = await _finish_locked(actor, serving.id, finish_current.outcome, now, number)
                events.append(_finished_event(done))
            called = await calling.claim_next(actor, window_id, now)
            if called is None:
                raise _Refused
    except _Refused:
        raise await _why_not_called(actor, window_id, now, finishing=True) from None
    ticket, window_number = called
    return Changed(ticket, [*events, _called_event(ticket, window_number)])


async def _why_not_called(
    actor: Actor, window_id: int, now: datetime, *, finishing: bool = False
) -> Exception:
    """The business error of a call that claimed nothing, checked step by step.

    A finish-and-call-next expects a ticket in service: it found nothing free to call, leaves
    that ticket in service and answers QUEUE_EMPTY.
    """
    window = await _window_for(actor, window_id)
    if window.state is not WindowState.OPEN:
        return TicketStateError(
            "窗口未开放，不能叫号", current_state=window.state.value, code="WINDOW_NOT_OPEN"
        )
    if (
        not finishing
        and await Ticket.filter(window_id=window.id, status=TicketStatus.CALLED).exists()
    ):
        return _in_service()
    return NothingToCall("当前没有等候的号票")


def _in_service() -> TicketStateError:
    return TicketStateError(
        "请先办结或过号当前号票", current_state=TicketStatus.CALLED.value, code="TICKET_IN_SERVICE"
    )


async def _ticket_at_window(actor: Actor, ticket_id: int) -> tuple[Ticket, Window | None]:
    """A ticket, locked, that the actor's window is handling (or an admin in scope)."""
    ticket = await Ticket.filter(id=ticket_id).select_for_update().first()
    if ticket is None:
        raise TicketNotFound(str(ticket_id))
    hall = await Hall.get(id=ticket.hall_id)
    if not actor.sees(hall.path):
        raise TicketNotFound(str(ticket_id))
    window = await Window.get_or_none(id=ticket.window_id) if ticket.window_id else None
    if actor.role is not Role.ADMIN and (window is None or window.clerk_id != actor.user_id):
        raise Forbidden("只有办理该号票的窗口人员可以操作")
    return ticket, window


async def _change(
    ticket: Ticket, action: TicketAction, now: datetime, fields: Sequence[str] = ()
) -> None:
    ticket.status = next_ticket_status(action, ticket.status)
    ticket.updated_at = now
    await ticket.save(update_fields=["status", "updated_at", *fields])


async def recall(
    actor: Actor, ticket_id: int, now: datetime, max_recalls: int = DEFAULT_MAX_RECALLS
) -> Changed:
    """Call the same number again; past the limit it becomes a no-show."""
    async with in_transaction():
        ticket, window = await _ticket_at_window(actor, ticket_id)
        next_ticket_status(TicketAction.RECALL, ticket.status)
        if ticket.recall_count >= max_recalls:
            ticket.finished_at = now
            await _change(ticket, TicketAction.SKIP, now, ["finished_at"])
            kind = BoardEventKind.TICKET_SKIPPED
        else:
            ticket.recall_count += 1
            ticket.called_at = now
            await _change(ticket, TicketAction.RECALL, now, ["recall_count", "called_at"])
            kind = BoardEventKind.TICKET_RECALLED
    data = public_ticket(ticket) | {
        "window_number": window.number if window else "",
        "recalls": ticket.recall_count,
    }
    return Changed(ticket, [BoardEvent(ticket.hall_id, kind, data)])


async def skip(actor: Actor, ticket_id: int, now: datetime) -> Changed:
    """The holder did not come: a no-show (过号)."""
    async with in_transaction():
        ticket, _ = await _ticket_at_window(actor, ticket_id)
        ticket.finished_at = now
        await _change(ticket, TicketAction.SKIP, now, ["finished_at"])
    return Changed(
        ticket, [BoardEvent(ticket.hall_id, BoardEventKind.TICKET_SKIPPED, public_ticket(ticket))]
    )


async def hold(actor: Actor, ticket_id: int, now: datetime) -> Changed:
    """Put the called ticket aside (the holder fetches a missing paper)."""
    async with in_transaction():
        ticket, _ = await _ticket_at_window(actor, ticket_id)
        ticket.held_at = now
        await _change(ticket, TicketAction.HOLD, now, ["held_at"])
    return Changed(
        ticket, [BoardEvent(ticket.hall_id, BoardEventKind.TICKET_HELD, public_ticket(ticket))]
    )


async def resume(actor: Actor, ticket_id: int, now: datetime) -> Changed:
    """Put a held ticket back in line ahead of its class (boost); the same window calls it."""
    async with in_transaction():
        ticket, window = await _ticket_at_window(actor, ticket_id)
        hall = await Hall.get(id=ticket.hall_id)
        issued_local = ticket.issued_at.astimezone(ZoneInfo(hall.timezone)).time()
        ticket.rank = rank(ticket.priority, issued_local, boosted=True)
        ticket.target_window_id = window.id if window else None
        ticket.window_id = None
        await _change(ticket, TicketAction.RESUME, now, ["rank", "target_window_id", "window_id"])
    return Changed(
        ticket, [BoardEvent(ticket.hall_id, BoardEventKind.TICKET_RESUMED, public_ticket(ticket))]
    )


async def transfer(
    actor: Actor, ticket_id: int, now: datetime, *, lane_id: int | None, window_id: int | None
) -> Changed:
    """Send a ticket to another lane or to one window; it keeps its place by issue time."""
    if (lane_id is None) == (window_id is None):
        raise InvalidInput.single(
            "lane_id", "EXACTLY_ONE", "请在目标号段与目标窗口中选择且仅选择一项"
        )
    async with in_transaction():
        ticket, _ = await _ticket_at_window(actor, ticket_id)
        next_ticket_status(TicketAction.TRANSFER, ticket.status)
        if lane_id is not None:
            lane = await Lane.get_or_none(id=lane_id, hall_id=ticket.hall_id, is_active=True)
            if lane is None:
                raise InvalidInput.single("lane_id", "NOT_FOUND", "该大厅没有这个号段")
            ticket.lane_id = lane.id
            ticket.target_window_id = None
        else:
            target = await Window.get_or_none(id=window_id, hall_id=ticket.hall_id)
            if target is None:
                raise InvalidInput.single("window_id", "NOT_FOUND", "该大厅没有这个窗口")
            ticket.target_window_id = target.id
        ticket.window_id = None
        ticket.called_at = None
        await _change(
            ticket,
            TicketAction.TRANSFER,
            now,
            ["lane_id", "target_window_id", "window_id", "called_at"],
        )
    data = public_ticket(ticket) | {"to_lane_id": lane_id, "to_window_id": window_id}
    return Changed(ticket, [BoardEvent(ticket.hall_id, BoardEventKind.TICKET_TRANSFERRED, data)])


async def finish(
    actor: Actor, ticket_id: int, outcome: TicketOutcome, now: datetime, case_number: str = ""
) -> Changed:
    """Close a served ticket, optionally with the case it led to (trace ticket -> case)."""
    number = case_number.strip()
    if not number:
        done = await calling.finish_served(actor, ticket_id, outcome, now)
        if done is not None:
            return Changed(done, [_finished_event(done)])
    # With a case to link, or to find out why the ticket may not be finished: step by step.
    async with in_transaction():
        ticket = await _finish_locked(actor, ticket_id, outcome, now, number)
    return Changed(ticket, [_finished_event(ticket)])


async def _finish_locked(
    actor: Actor, ticket_id: int, outcome: TicketOutcome, now: datetime, number: str
) -> Ticket:
    """Finish a ticket step by step inside the caller's transaction, linking its case."""
    from models.cases.tables import Case  # noqa: PLC0415

    ticket, _ = await _ticket_at_window(actor, ticket_id)
    next_ticket_status(TicketAction.FINISH, ticket.status)
    if number:
        case = await Case.get_or_none(number=number, hall_id=ticket.hall_id)
        if case is None:
            raise InvalidInput.single("case_number", "NOT_FOUND", "未找到本大厅的该办件")
        if case.ticket_id is None:
            case.ticket_id = ticket.id
            await case.save(update_fields=["ticket_id"])
    ticket.outcome = outcome
    ticket.case_number = number
    ticket.finished_at = now
    await _change(ticket, TicketAction.FINISH, now, ["outcome", "case_number", "finished_at"])
    return ticket


async def expire_day(hall: Hall, day: date, now: datetime) -> int:
    """At closing time, unserved tickets of the day expire (作废); returns how many."""
    async with in_transaction():
        count = await Ticket.filter(hall_id=hall.id, business_day=day, status__in=ACTIVE).update(
            status=TicketStatus.EXPIRED, updated_at=now, finished_at=now
        )
    return int(count)


async def carry_over_day(hall: Hall, day: date, next_day: date, now: datetime) -> int:
    """At closing, waiting and held tickets move to the next business day, first in line there.

    They keep their numbers (the holder's slip stays valid); the lane's counter for the next day
    starts above them, so no number is given twice. Tickets being served expire as usual.
    """
    async with in_transaction():
        moving = (
            await Ticket.filter(
                hall_id=hall.id,
                business_day=day,
                status__in=(TicketStatus.WAITING, TicketStatus.HELD),
            )
            .select_for_update()
            .order_by("id")
        )
        highest: dict[int, tuple[int, int]] = {}
        zone = ZoneInfo(hall.timezone)
        for ticket in moving:
            issued_local = ticket.issued_at.astimezone(zone).time()
            ticket.business_day = next_day
            ticket.status = TicketStatus.WAITING
            ticket.rank = rank(ticket.priority, issued_local, boosted=True)
            ticket.window_id = None
            ticket.updated_at = now
            await ticket.save(
                update_fields=["business_day", "status", "rank", "window_id", "updated_at"]
            )
            top, count = highest.get(ticket.issued_lane_id, (0, 0))
            highest[ticket.issued_lane_id] = (max(top, ticket.sequence), count + 1)
        for lane_id, (top, count) in highest.items():
            await connections.get("default").execute_query(
                "INSERT INTO lane_day (lane_id, business_day, last_sequence, issued) "
                "VALUES ($1, $2, $3, $4) ON CONFLICT (lane_id, business_day) DO UPDATE "
                "SET last_sequence = GREATEST(lane_day.last_sequence, $3), "
                "issued = lane_day.issued + $4",
                [lane_id, next_day, top, count],
            )
    return len(moving)


async def rollover(now: datetime) -> int:
    """Close the day's queue once the hall has closed (a job); returns tickets expired or moved.

    Past days' leftovers expire. At closing, a hall that carries over moves waiting and held
    tickets to its next business day; otherwise they expire with the ones being served.
    """
    changed = 0
    for hall in await Hall.all():
        local = now.astimezone(ZoneInfo(hall.timezone))
        today = local.date()
        changed += int(
            await Ticket.filter(hall_id=hall.id, business_day__lt=today, status__in=ACTIVE).update(
                status=TicketStatus.EXPIRED, updated_at=now, finished_at=now
            )
        )
        hours = await hall_hours(hall.id)
        calendar = await hall_calendar(hall)
        closes = closing_time(hours, calendar, today)
        if closes is None or local.time() >= closes:
            reopens = next_opening(hours, calendar, local)
            if hours.carry_over and reopens is not None:
                changed += await carry_over_day(hall, today, reopens.date(), now)
            changed += await expire_day(hall, today, now)
    return changed
