"""Calling and finishing in one statement: the checks it makes, the day it calls from, its texts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from models.accounts.tables import Role
from models.catalogue import actions as catalogue
from models.common.errors import Forbidden, NotFound
from models.notifications.tables import Notification
from models.queue import actions
from models.queue.errors import NothingToCall, TicketStateError
from models.queue.tables import Ticket, TicketChannel, TicketOutcome, TicketPriority, TicketStatus
from tests import factories as f

NOW = f.NOW  # Friday 2026-11-20, 10:00 in Shanghai


@pytest.fixture
async def hall(db: object) -> dict[str, Any]:
    hall = await f.hall("JN")
    lane = await f.lane(hall, "A")
    window = await f.window(hall, "1")
    _, clerk = await f.user("clerk1", Role.CLERK, of=hall)
    await catalogue.open_window(clerk, window.id, NOW)
    return {"hall": hall, "lane": lane, "window": window, "clerk": clerk}


async def waiting(hall: dict[str, Any], day: date, n: int, phone: str = "") -> Ticket:
    return await Ticket.create(
        hall_id=hall["hall"].id,
        lane_id=hall["lane"].id,
        issued_lane_id=hall["lane"].id,
        business_day=day,
        sequence=n,
        number=f"A{n:03d}",
        channel=TicketChannel.KIOSK,
        priority=TicketPriority.NORMAL,
        rank=n,
        holder_phone=phone,
        issued_at=NOW,
        updated_at=NOW,
    )


async def test_calls_from_the_halls_own_date_not_utcs(hall: dict[str, Any]) -> None:
    yesterday = await waiting(hall, date(2026, 11, 20), 1)
    today = await waiting(hall, date(2026, 11, 21), 2)
    # 23:30 UTC on the 20th is 07:30 on the 21st in Shanghai.
    early = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    called = await actions.call_next(hall["clerk"], hall["window"].id, early)
    assert called.ticket.id == today.id
    assert (await Ticket.get(id=yesterday.id)).status is TicketStatus.WAITING


async def test_a_clerk_of_another_hall_finds_no_window_and_claims_nothing(
    hall: dict[str, Any],
) -> None:
    await waiting(hall, date(2026, 11, 20), 1)
    other = await f.hall("QD")
    _, stranger = await f.user("stranger", Role.ADMIN, of=other)
    with pytest.raises(NotFound):
        await actions.call_next(stranger, hall["window"].id, NOW)
    with pytest.raises(NotFound):
        await actions.call_next(hall["clerk"], 10**9, NOW)
    assert await Ticket.filter(status=TicketStatus.WAITING).count() == 1


async def test_an_admin_of_the_hall_may_call_for_a_window(hall: dict[str, Any]) -> None:
    ticket = await waiting(hall, date(2026, 11, 20), 1)
    _, admin = await f.user("admin1", Role.ADMIN, of=hall["hall"])
    called = await actions.call_next(admin, hall["window"].id, NOW)
    assert (called.ticket.id, called.ticket.window_id) == (ticket.id, hall["window"].id)
    assert called.events[0].data["window_number"] == "1"


async def test_called_event_and_ticket_carry_what_the_row_holds(hall: dict[str, Any]) -> None:
    await waiting(hall, date(2026, 11, 20), 1, phone="13912345600")
    called = await actions.call_next(hall["clerk"], hall["window"].id, NOW)
    row = await Ticket.get(id=called.ticket.id)
    assert (row.status, row.called_at, row.called_by_id) == (
        TicketStatus.CALLED,
        NOW,
        hall["clerk"].user_id,
    )
    assert called.ticket.status is TicketStatus.CALLED
    assert called.events[0].data["status"] == "CALLED"
    text = await Notification.get(dedupe_key=f"ticket:{row.id}:called")
    assert text.params == {"number": "A001", "window": "1"}


async def test_finishing_checks_state_and_window(hall: dict[str, Any]) -> None:
    await waiting(hall, date(2026, 11, 20), 1)
    ticket = (await actions.call_next(hall["clerk"], hall["window"].id, NOW)).ticket
    other_window = await f.window(hall["hall"], "2")
    _, other = await f.user("clerk2", Role.CLERK, of=hall["hall"])
    await catalogue.open_window(other, other_window.id, NOW)
    with pytest.raises(Forbidden):
        await actions.finish(other, ticket.id, TicketOutcome.SERVED, NOW)
    assert (await Ticket.get(id=ticket.id)).status is TicketStatus.CALLED
    done = await actions.finish(hall["clerk"], ticket.id, TicketOutcome.SERVED, NOW)
    assert (done.ticket.status, done.ticket.outcome) == (
        TicketStatus.FINISHED,
        TicketOutcome.SERVED,
    )
    with pytest.raises(TicketStateError) as again:
        await actions.finish(hall["clerk"], ticket.id, TicketOutcome.SERVED, NOW)
    assert again.value.current_state == "FINISHED"
    with pytest.raises(NothingToCall):
        await actions.call_next(hall["clerk"], hall["window"].id, NOW)
