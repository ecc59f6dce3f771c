"""The queue's use cases against the real database: numbers, calling order, the ticket's life."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from models.accounts.tables import Role
from models.catalogue import actions as catalogue
from models.catalogue.rules import LaneDraft
from models.common.actor import SYSTEM_ACTOR
from models.common.errors import Conflict, Forbidden, InvalidInput
from models.notifications.tables import Notification
from models.queue import actions
from models.queue.errors import LaneFull, NothingToCall, TicketStateError
from models.queue.queries import ahead_of, snapshot, wait_for
from models.queue.tables import Ticket, TicketChannel, TicketOutcome, TicketPriority, TicketStatus
from tests import factories as f

NOW = f.NOW  # Friday 2026-11-20, 10:00 in Shanghai


@pytest.fixture
async def hall(db: object) -> dict[str, Any]:
    hall = await f.hall("JN")
    lane_a = await f.lane(hall, "A")
    lane_b = await f.lane(hall, "B")
    general = await f.window(hall, "1")
    dedicated = await f.window(hall, "2", lanes=(lane_b,))
    _, clerk1 = await f.user("clerk1", Role.CLERK, of=hall)
    _, clerk2 = await f.user("clerk2", Role.CLERK, of=hall)
    await catalogue.open_window(clerk1, general.id, NOW)
    await catalogue.open_window(clerk2, dedicated.id, NOW)
    return {
        "hall": hall,
        "a": lane_a,
        "b": lane_b,
        "general": general,
        "dedicated": dedicated,
        "clerk1": clerk1,
        "clerk2": clerk2,
    }


async def take(
    hall: dict[str, Any],
    lane: str = "a",
    *,
    at: int = 0,
    priority: TicketPriority = TicketPriority.NORMAL,
    phone: str = "",
    by: str | None = None,
) -> Ticket:
    request = actions.TicketRequest(
        hall_id=hall["hall"].id,
        lane_id=hall[lane].id,
        channel=TicketChannel.CLERK if by else TicketChannel.KIOSK,
        priority=priority,
        holder_phone=phone,
    )
    actor = hall[by] if by else None
    return (await actions.issue_ticket(actor, request, NOW + timedelta(minutes=at))).ticket


async def test_numbers_count_up_per_lane_and_day(hall: dict[str, Any]) -> None:
    numbers = [(await take(hall, lane)).number for lane in ("a", "a", "b", "a")]
    assert numbers == ["A001", "A002", "B001", "A003"]
    tomorrow = actions.TicketRequest(hall["hall"].id, hall["a"].id, TicketChannel.KIOSK)
    monday = await actions.issue_ticket(None, tomorrow, NOW + timedelta(days=3))
    assert (monday.ticket.number, str(monday.ticket.business_day)) == ("A001", "2026-11-23")


async def test_daily_cap_and_range_end(hall: dict[str, Any]) -> None:
    small = await catalogue.create_lane(
        SYSTEM_ACTOR,
        LaneDraft(
            hall_id=hall["hall"].id, prefix="C", name="C类", range_start=1, range_end=2, daily_cap=2
        ),
        NOW,
    )
    hall["c"] = small
    assert [(await take(hall, "c")).number for _ in range(2)] == ["C001", "C002"]
    with pytest.raises(LaneFull):
        await take(hall, "c")
    assert await Ticket.filter(lane_id=small.id).count() == 2


async def test_green_channel_needs_staff(hall: dict[str, Any]) -> None:
    with pytest.raises(Forbidden):
        await take(hall, priority=TicketPriority.GREEN_CHANNEL)
    ticket = await take(hall, priority=TicketPriority.GREEN_CHANNEL, by="clerk1")
    assert ticket.priority is TicketPriority.GREEN_CHANNEL


async def test_phone_tickets_need_a_valid_number_and_one_at_a_time(hall: dict[str, Any]) -> None:
    request = actions.TicketRequest(hall["hall"].id, hall["a"].id, TicketChannel.PHONE)
    with pytest.raises(InvalidInput) as missing:
        await actions.issue_ticket(None, request, NOW)
    assert missing.value.violations[0].code == "REQUIRED"
    first = actions.TicketRequest(
        hall["hall"].id, hall["a"].id, TicketChannel.PHONE, holder_phone="13912345678"
    )
    await actions.issue_ticket(None, first, NOW)
    with pytest.raises(Conflict):
        await actions.issue_ticket(None, first, NOW)
    assert await Ticket.all().count() == 1


async def test_calling_order_priority_then_time(hall: dict[str, Any]) -> None:
    late_normal = await take(hall, at=1)
    early_normal = await take(hall, at=0)
    green = await take(hall, at=5, priority=TicketPriority.GREEN_CHANNEL, by="clerk1")
    called = []
    for _ in range(3):
        changed = await actions.call_next(
            hall["clerk1"], hall["general"].id, NOW + timedelta(minutes=10)
        )
        called.append(changed.ticket.number)
        await actions.finish(hall["clerk1"], changed.ticket.id, TicketOutcome.SERVED, NOW)
    assert called == [green.number, early_normal.number, late_normal.number]


async def test_dedicated_windows_call_only_their_lanes(hall: dict[str, Any]) -> None:
    await take(hall, "a")
    with pytest.raises(NothingToCall):
        await actions.call_next(hall["clerk2"], hall["dedicated"].id, NOW)
    b = await take(hall, "b")
    assert (await actions.call_next(hall["clerk2"], hall["dedicated"].id, NOW)).ticket.id == b.id


async def test_one_ticket_at_a_time_per_window(hall: dict[str, Any]) -> None:
    await take(hall)
    await take(hall)
    await actions.call_next(hall["clerk1"], hall["general"].id, NOW)
    with pytest.raises(TicketStateError) as busy:
        await actions.call_next(hall["clerk1"], hall["general"].id, NOW)
    assert busy.value.code == "TICKET_IN_SERVICE"
    assert await Ticket.filter(status=TicketStatus.CALLED).count() == 1


async def test_only_the_windows_clerk_calls(hall: dict[str, Any]) -> None:
    await take(hall)
    with pytest.raises(Forbidden):
        await actions.call_next(hall["clerk2"], hall["general"].id, NOW)
    assert await Ticket.filter(status=TicketStatus.WAITING).count() == 1


async def test_paused_window_cannot_call(hall: dict[str, Any]) -> None:
    await take(hall)
    await catalogue.pause_window(hall["clerk1"], hall["general"].id, "午休", NOW)
    with pytest.raises(TicketStateError) as paused:
        await actions.call_next(hall["clerk1"], hall["general"].id, NOW)
    assert (paused.value.code, paused.value.current_state) == ("WINDOW_NOT_OPEN", "PAUSED")


async def test_recall_is_limited_then_no_show(hall: dict[str, Any]) -> None:
    await take(hall)
    ticket = (await actions.call_next(hall["clerk1"], hall["general"].id, NOW)).ticket
    kinds = [
        (await actions.recall(hall["clerk1"], ticket.id, NOW)).events[0].kind.value
        for _ in range(4)
    ]
    assert kinds == ["TICKET_RECALLED"] * 3 + ["TICKET_SKIPPED"]
    row = await Ticket.get(id=ticket.id)
    assert (row.status, row.recall_count) == (TicketStatus.NO_SHOW, 3)


async def test_hold_and_resume_goes_back_to_the_same_window_first(hall: dict[str, Any]) -> None:
    first = await take(hall, at=0)
    second = await take(hall, at=1)
    await actions.call_next(hall["clerk1"], hall["general"].id, NOW)
    await actions.hold(hall["clerk1"], first.id, NOW)
    resumed = await actions.resume(hall["clerk1"], first.id, NOW)
    assert (resumed.ticket.status, resumed.ticket.target_window_id) == (
        TicketStatus.WAITING,
        hall["general"].id,
    )
    again = await actions.call_next(hall["clerk1"], hall["general"].id, NOW)
    assert again.ticket.id == first.id  # boosted ahead of the second ticket
    assert (await Ticket.get(id=second.id)).status is TicketStatus.WAITING


async def test_transfer_to_another_lane_keeps_the_issue_time(hall: dict[str, Any]) -> None:
    moved = await take(hall, "a", at=0)
    later_b = await take(hall, "b", at=5)
    await actions.call_next(hall["clerk1"], hall["general"].id, NOW)
    await actions.transfer(hall["clerk1"], moved.id, NOW, lane_id=hall["b"].id, window_id=None)
    called = await actions.call_next(hall["clerk2"], hall["dedicated"].id, NOW)
    assert called.ticket.id == moved.id
    assert (await Ticket.get(id=later_b.id)).status is TicketStatus.WAITING


async def test_transfer_to_a_window(hall: dict[str, Any]) -> None:
    await take(hall, "b", at=0)
    await actions.call_next(hall["clerk2"], hall["dedicated"].id, NOW)
    ticket = await Ticket.get(status=TicketStatus.CALLED)
    await actions.transfer(
        hall["clerk2"], ticket.id, NOW, lane_id=None, window_id=hall["general"].id
    )
    later = await take(hall, "b", at=1)
    # The transferred ticket waits for window 1 only: the dedicated window gets the next one.
    assert (
        await actions.call_next(hall["clerk2"], hall["dedicated"].id, NOW)
    ).ticket.id == later.id
    called = await actions.call_next(hall["clerk1"], hall["general"].id, NOW)
    assert called.ticket.id == ticket.id


async def test_finish_links_the_case(hall: dict[str, Any]) -> None:
    ticket = await take(hall)
    await actions.call_next(hall["clerk1"], hall["general"].id, NOW)
    with pytest.raises(InvalidInput):
        await actions.finish(hall["clerk1"], ticket.id, TicketOutcome.SERVED, NOW, "NO-SUCH-CASE")
    done = await actions.finish(hall["clerk1"], ticket.id, TicketOutcome.CONSULTED, NOW)
    assert (done.ticket.status, done.ticket.outcome) == (
        TicketStatus.FINISHED,
        TicketOutcome.CONSULTED,
    )
    with pytest.raises(TicketStateError):
        await actions.finish(hall["clerk1"], ticket.id, TicketOutcome.SERVED, NOW)


async def test_called_and_near_holders_get_pending_texts(hall: dict[str, Any]) -> None:
    phones = [f"1391234560{n}" for n in range(5)]
    for n, phone in enumerate(phones):
        await take(hall, at=n, phone=phone)
    await actions.call_next(hall["clerk1"], hall["general"].id, NOW)
    texts = {(t.kind.value, t.phone) for t in await Notification.all()}
    # The first holder is called; the fifth now has three people ahead of them.
    assert texts == {("TICKET_CALLED", phones[0]), ("TICKET_NEAR", phones[4])}
    assert all(t.status.value == "PENDING" for t in await Notification.all())


async def test_estimates_and_the_board_snapshot(hall: dict[str, Any]) -> None:
    tickets = [await take(hall, at=n) for n in range(4)]
    assert await ahead_of(tickets[3]) == 3
    estimate = await wait_for(tickets[3], hall["a"])
    assert (estimate.ahead, estimate.optimistic_minutes) == (3, 30)  # 3 x 10 min / 1 window
    assert estimate.pessimistic_minutes >= estimate.optimistic_minutes
    await actions.call_next(hall["clerk1"], hall["general"].id, NOW)
    board = await snapshot(hall["hall"].id, tickets[0].business_day)
    lanes = {line.lane.prefix: (line.waiting, line.open_windows) for line in board.lanes}
    assert lanes == {"A": (3, 1), "B": (0, 2)}
    current = {w.number: t.number if t else None for w, t in board.windows}
    assert current == {"1": "A001", "2": None}
    assert [t.number for t in board.latest_calls] == ["A001"]


async def test_day_rollover_expires_unserved_tickets(hall: dict[str, Any]) -> None:
    for n in range(3):
        await take(hall, at=n)
    called = await actions.call_next(hall["clerk1"], hall["general"].id, NOW)
    await actions.finish(hall["clerk1"], called.ticket.id, TicketOutcome.SERVED, NOW)
    assert await actions.expire_day(hall["hall"], called.ticket.business_day, NOW) == 2
    assert await Ticket.filter(status=TicketStatus.EXPIRED).count() == 2
    assert await Ticket.filter(status=TicketStatus.FINISHED).count() == 1


async def test_carry_over_moves_waiting_tickets_to_the_next_business_day(
    hall: dict[str, Any],
) -> None:
    import dataclasses  # noqa: PLC0415

    from models.calendar import actions as calendar  # noqa: PLC0415
    from models.calendar.hours import DEFAULT_HOURS  # noqa: PLC0415

    carry = dataclasses.replace(DEFAULT_HOURS, carry_over=True)
    await calendar.set_hours(SYSTEM_ACTOR, hall["hall"].id, carry, NOW)
    tickets = [await take(hall, at=n) for n in range(4)]
    first = await actions.call_next(hall["clerk1"], hall["general"].id, NOW)
    await actions.hold(hall["clerk1"], first.ticket.id, NOW)
    serving = await actions.call_next(hall["clerk1"], hall["general"].id, NOW)
    friday_close = NOW + timedelta(hours=7, minutes=5)  # 17:05 in Shanghai
    # The ticket being served expires; the held one and the two waiting move to Monday.
    assert await actions.rollover(friday_close) == 4
    moved = await Ticket.filter(business_day="2026-11-23").order_by("rank", "id")
    assert {t.id for t in moved} == {t.id for t in tickets} - {serving.ticket.id}
    assert {t.status for t in moved} == {TicketStatus.WAITING}
    assert (await Ticket.get(id=serving.ticket.id)).status is TicketStatus.EXPIRED
    # Monday: numbers go on above the carried ones, which are called before the day's own.
    monday = NOW + timedelta(days=3)
    request = actions.TicketRequest(hall["hall"].id, hall["a"].id, TicketChannel.KIOSK)
    fresh = await actions.issue_ticket(None, request, monday)
    assert fresh.ticket.number == "A005"
    called = await actions.call_next(hall["clerk1"], hall["general"].id, monday)
    assert called.ticket.number == moved[0].number
    assert await actions.rollover(friday_close) == 0  # nothing twice
