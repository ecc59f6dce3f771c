"""Windows calling at the same instant on separate connections: no double call, no skipped ticket.

Also with finish-and-call-next (下一位): each call finishes the ticket in service first.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from models.common.actor import Actor
from models.notifications.tables import Notification
from models.queue import actions
from models.queue.errors import NothingToCall, TicketStateError
from models.queue.tables import Ticket, TicketChannel, TicketOutcome, TicketStatus
from tests import factories as f

NOW = f.NOW
SERVED = actions.FinishCurrent(TicketOutcome.SERVED)


async def windows_and_tickets(
    windows: int, tickets: int
) -> tuple[list[tuple[Actor, int]], list[int]]:
    """A hall with open windows and waiting kiosk tickets: (clerk, window id) pairs, ticket ids."""
    hall = await f.hall("JN")
    lane = await f.lane(hall, "A")
    clerks = await f.open_windows(hall, windows)
    request = actions.TicketRequest(hall.id, lane.id, TicketChannel.KIOSK)
    issued = [(await actions.issue_ticket(None, request, NOW)).ticket.id for _ in range(tickets)]
    return clerks, issued


async def test_windows_calling_at_once_share_no_ticket(committed: object) -> None:
    clerks, issued = await windows_and_tickets(8, 40)

    async def window_loop(clerk: object, window_id: int) -> list[int]:
        mine: list[int] = []
        while True:
            try:
                called = await actions.call_next(clerk, window_id, NOW)  # type: ignore[arg-type]
            except NothingToCall:
                return mine
            mine.append(called.ticket.id)
            await actions.finish(clerk, called.ticket.id, TicketOutcome.SERVED, NOW)  # type: ignore[arg-type]

    per_window = await asyncio.gather(*(window_loop(c, w) for c, w in clerks))
    await assert_each_called_once(per_window, issued)


async def assert_each_called_once(per_window: list[list[int]], issued: list[int]) -> None:
    """No ticket called twice, none skipped, the work shared, every ticket finished."""
    calls = [ticket for window in per_window for ticket in window]
    assert Counter(calls).most_common(1)[0][1] == 1  # no ticket called twice
    assert sorted(calls) == sorted(issued)  # none skipped
    assert sum(1 for window in per_window if window) > 1  # the work was really shared
    assert await Ticket.filter(status=TicketStatus.FINISHED).count() == len(issued)


async def test_windows_finishing_and_calling_at_once_share_no_ticket(committed: object) -> None:
    clerks, issued = await windows_and_tickets(8, 40)

    async def window_loop(clerk: Actor, window_id: int) -> list[int]:
        mine: list[int] = []
        while True:  # 下一位 each time; the last one called is finished on its own
            try:
                called = await actions.call_next(clerk, window_id, NOW, SERVED)
            except NothingToCall:
                if mine:
                    await actions.finish(clerk, mine[-1], TicketOutcome.SERVED, NOW)
                return mine
            mine.append(called.ticket.id)

    per_window = await asyncio.gather(*(window_loop(c, w) for c, w in clerks))
    await assert_each_called_once(per_window, issued)


async def test_a_ticket_finished_twice_at_once_finishes_once(committed: object) -> None:
    hall = await f.hall("JN")
    lane = await f.lane(hall, "A")
    ((clerk, window_id),) = await f.open_windows(hall, 1)
    request = actions.TicketRequest(hall.id, lane.id, TicketChannel.KIOSK)
    for _ in range(5):
        await actions.issue_ticket(None, request, NOW)
        ticket = (await actions.call_next(clerk, window_id, NOW)).ticket
        results = await asyncio.gather(
            *(actions.finish(clerk, ticket.id, TicketOutcome.SERVED, NOW) for _ in range(4)),
            return_exceptions=True,
        )
        finished = [r for r in results if isinstance(r, actions.Changed)]
        refused = [r for r in results if isinstance(r, TicketStateError)]
        assert (len(finished), len(refused)) == (1, 3), results
    assert await Ticket.filter(status=TicketStatus.FINISHED).count() == 5


async def test_holders_called_at_once_get_one_text_each(committed: object) -> None:
    hall = await f.hall("JN")
    lane = await f.lane(hall, "A")
    clerks = await f.open_windows(hall, 6)
    for n in range(24):
        phone = f"139123456{n:02d}"
        request = actions.TicketRequest(hall.id, lane.id, TicketChannel.PHONE, holder_phone=phone)
        await actions.issue_ticket(None, request, NOW)

    async def window_loop(clerk: object, window_id: int) -> None:
        while True:
            try:
                called = await actions.call_next(clerk, window_id, NOW)  # type: ignore[arg-type]
            except NothingToCall:
                return
            await actions.finish(clerk, called.ticket.id, TicketOutcome.SERVED, NOW)  # type: ignore[arg-type]

    await asyncio.gather(*(window_loop(c, w) for c, w in clerks))
    texts = [
        str(p)
        for p in await Notification.filter(kind="TICKET_CALLED").values_list("phone", flat=True)
    ]
    assert sorted(texts) == sorted(f"139123456{n:02d}" for n in range(24))


async def test_one_window_calling_twice_at_once_claims_one_ticket(committed: object) -> None:
    hall = await f.hall("JN")
    lane = await f.lane(hall, "A")
    ((clerk, window_id),) = await f.open_windows(hall, 1)
    request = actions.TicketRequest(hall.id, lane.id, TicketChannel.KIOSK)
    for _ in range(10):
        await actions.issue_ticket(None, request, NOW)
    for _ in range(3):
        # A double click, two tabs: six calls of the same window on separate connections.
        results = await asyncio.gather(
            *(actions.call_next(clerk, window_id, NOW) for _ in range(6)), return_exceptions=True
        )
        called = [r for r in results if isinstance(r, actions.Changed)]
        refused = [r for r in results if isinstance(r, TicketStateError)]
        assert (len(called), len(refused)) == (1, 5), results
        assert {r.code for r in refused} == {"TICKET_IN_SERVICE"}
        in_service = await Ticket.filter(window_id=window_id, status=TicketStatus.CALLED)
        assert [t.id for t in in_service] == [called[0].ticket.id]
        await actions.finish(clerk, called[0].ticket.id, TicketOutcome.SERVED, NOW)
    assert await Ticket.filter(status=TicketStatus.WAITING).count() == 7


async def test_one_window_finishing_and_calling_twice_at_once(committed: object) -> None:
    [(clerk, window_id)], issued = await windows_and_tickets(1, 30)
    serving = (await actions.call_next(clerk, window_id, NOW)).ticket.id
    successes = 0
    for _ in range(3):
        # A double click on 下一位 on separate connections: each success finishes the ticket the
        # one before it called (clicks that did not overlap both succeed); the rest are refused.
        results = await asyncio.gather(
            *(actions.call_next(clerk, window_id, NOW, SERVED) for _ in range(6)),
            return_exceptions=True,
        )
        called = [r for r in results if isinstance(r, actions.Changed)]
        refused = [r for r in results if isinstance(r, TicketStateError)]
        assert len(called) >= 1
        assert len(called) + len(refused) == 6, results
        assert {r.code for r in refused} <= {"TICKET_IN_SERVICE"}
        finished = {c.events[0].data["ticket_id"]: c.ticket.id for c in called}
        for _ in called:  # the chain: serving -> its successor -> ...
            serving = finished.pop(serving)
        assert finished == {}
        in_service = await Ticket.filter(window_id=window_id, status=TicketStatus.CALLED)
        assert [t.id for t in in_service] == [serving]
        successes += len(called)
    statuses = Counter(t.status for t in await Ticket.filter(id__in=issued))
    assert statuses == {
        TicketStatus.FINISHED: successes,
        TicketStatus.CALLED: 1,
        TicketStatus.WAITING: 30 - successes - 1,
    }
