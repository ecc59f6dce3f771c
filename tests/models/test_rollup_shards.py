"""The rollups' hot keys: connections adding to the same key at once do not wait for each other."""

from __future__ import annotations

import asyncio

import asyncpg

from models.queue.tables import Ticket
from models.statistics.parts import SHARDS
from models.statistics.rebuild import rollup_differences
from tests.conftest import Servers
from tests.models.test_queue_concurrency import windows_and_tickets

CALL = (
    "UPDATE ticket SET status = 'CALLED', window_id = $2, called_at = issued_at + interval '5 min'"
    " WHERE id = $1"
)


async def _connections_on_two_shards(url: str) -> list[asyncpg.Connection]:
    """Two connections whose server processes write different shards (others closed)."""
    dsn = url.replace("postgres://", "postgresql://", 1)
    kept: dict[int, asyncpg.Connection] = {}
    while len(kept) < 2:
        conn = await asyncpg.connect(dsn)
        shard = await conn.fetchval("SELECT pg_backend_pid() % $1", SHARDS)
        if shard in kept:
            await conn.close()
        else:
            kept[shard] = conn
    return list(kept.values())


async def test_two_windows_calling_at_once_add_to_the_same_key_without_waiting(
    committed: Servers,
) -> None:
    """A call whose transaction is still open does not hold up another window's call in the
    hall (the same department, month and item keys): each connection adds to its own shard;
    the figures are the sum, and equal the raw tables'."""
    pairs, ticket_ids = await windows_and_tickets(2, 2)
    first, second = await _connections_on_two_shards(committed.database_url)
    try:
        async with first.transaction():
            await first.execute(CALL, ticket_ids[0], pairs[0][1])
            # The first call's rollup rows are locked until its commit; the second one's are not
            # the same rows.
            await asyncio.wait_for(second.execute(CALL, ticket_ids[1], pairs[1][1]), timeout=5)
    finally:
        await first.close()
        await second.close()
    assert await rollup_differences() == []
    assert await Ticket.filter(called_at__not_isnull=True).count() == 2
