"""Windows calling at the same instant on separate connections: no double call, no skipped ticket."""

from __future__ import annotations

import asyncio
from collections import Counter

from models.accounts.tables import Role
from models.catalogue import actions as catalogue
from models.queue import actions
from models.queue.errors import NothingToCall
from models.queue.tables import Ticket, TicketChannel, TicketOutcome, TicketStatus
from tests import factories as f

NOW = f.NOW


async def test_windows_calling_at_once_share_no_ticket(committed: object) -> None:
    hall = await f.hall("JN")
    lane = await f.lane(hall, "A")
    clerks = []
    for n in range(8):
        window = await f.window(hall, str(n + 1))
        _, clerk = await f.user(f"clerk{n}", Role.CLERK, of=hall)
        await catalogue.open_window(clerk, window.id, NOW)
        clerks.append((clerk, window.id))
    request = actions.TicketRequest(hall.id, lane.id, TicketChannel.KIOSK)
    issued = [(await actions.issue_ticket(None, request, NOW)).ticket.id for _ in range(40)]

    async def window_loop(clerk: object, window_id: int) -> list[int]:
        mine = []
        while True:
            try:
                called = await actions.call_next(clerk, window_id, NOW)  # type: ignore[arg-type]
            except NothingToCall:
                return mine
            mine.append(called.ticket.id)
            await actions.finish(clerk, called.ticket.id, TicketOutcome.SERVED, NOW)  # type: ignore[arg-type]

    per_window = await asyncio.gather(*(window_loop(c, w) for c, w in clerks))
    calls = [ticket for window in per_window for ticket in window]
    assert Counter(calls).most_common(1)[0][1] == 1  # no ticket called twice
    assert sorted(calls) == sorted(issued)  # none skipped
    assert sum(1 for window in per_window if window) > 1  # the work was really shared
    assert await Ticket.filter(status=TicketStatus.FINISHED).count() == 40
