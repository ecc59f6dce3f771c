"""The figures' hot keys: windows calling at once do not wait for each other's statistics."""

from __future__ import annotations

import asyncio

import asyncpg

from models.queue.tables import Ticket
from models.statistics.fold import fold_pending
from models.statistics.rebuild import rollup_differences
from tests.conftest import Servers
from tests.models.test_queue_concurrency import windows_and_tickets

CALL = (
    "UPDATE ticket SET status = 'CALLED', window_id = $2, called_at = issued_at + interval '5 min'"
    " WHERE id = $1"
)


async def test_two_windows_calling_at_once_add_to_the_same_key_without_waiting(
    committed: Servers,
) -> None:
    """A call whose transaction is still open does not hold up another window's call in the
    hall (the same department, month and item keys): each appends its change to the pending
    ones; the figures are the sum, and equal the raw tables', before and after a fold."""
    pairs, ticket_ids = await windows_and_tickets(2, 2)
    dsn = committed.database_url.replace("postgres://", "postgresql://", 1)
    first, second = await asyncpg.connect(dsn), await asyncpg.connect(dsn)
    try:
        async with first.transaction():
            await first.execute(CALL, ticket_ids[0], pairs[0][1])
            await asyncio.wait_for(second.execute(CALL, ticket_ids[1], pairs[1][1]), timeout=5)
    finally:
        await first.close()
        await second.close()
    assert await rollup_differences() == []
    assert await fold_pending() > 0
    assert await rollup_differences() == []
    assert await Ticket.filter(called_at__not_isnull=True).count() == 2
