"""Pending changes of the figures: appended by the triggers, added by reads, moved by the fold.

The figures are the same before and after a fold, whichever folders run at once or die."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from tortoise import connections

from models.queue import actions
from models.queue.tables import TicketOutcome
from models.statistics.fold import fold_pending
from models.statistics.parts import GRAINS, PENDING, fold_statement
from models.statistics.reads import Scope, counts, raw_counts
from models.statistics.rebuild import rollup_differences
from models.statistics.rules import Period, Source
from tests import factories as f
from tests.conftest import Servers
from tests.models.test_queue_concurrency import windows_and_tickets
from workers.jobs import fold_statistics

DAY = Period(f.NOW.date(), f.NOW.date())


async def _count(sql: str) -> int:
    rows = await connections.get("default").execute_query_dict(sql)
    return int(rows[0]["n"])


async def pending() -> int:
    """Rows waiting to be folded."""
    return await _count(f"SELECT count(*) AS n FROM {PENDING}")  # noqa: S608  (a constant)


async def rollup_rows() -> int:
    """Rows of every rollup table."""
    return await _count(
        "SELECT (" + " + ".join(f"(SELECT count(*) FROM {g})" for g in GRAINS) + ") AS n"  # noqa: S608  (constants)
    )


async def served_hall(tickets: int) -> tuple[int, dict[tuple[Any, ...], dict[str, int]]]:
    """A hall whose tickets were called and served; its id and its figures of the day (raw)."""
    pairs, issued = await windows_and_tickets(2, tickets)
    for n in range(tickets):
        clerk, window = pairs[n % 2]
        called = await actions.call_next(clerk, window, f.NOW)
        await actions.finish(clerk, called.ticket.id, TicketOutcome.SERVED, f.NOW)
    rows = await connections.get("default").execute_query_dict(
        'SELECT hall_id FROM "window" WHERE id = $1', [pairs[0][1]]
    )
    hall_id = int(rows[0]["hall_id"])
    (raw,) = await raw_counts(Scope((hall_id,)), (), (DAY,))
    assert raw[()]["tickets_finished"] == tickets
    assert len(issued) == tickets
    return hall_id, raw


async def rollup_figures(hall_id: int) -> dict[tuple[Any, ...], dict[str, int]]:
    """The hall's figures of the day as the rollups give them."""
    found, source = await counts(Scope((hall_id,)), (), DAY)
    assert source is Source.ROLLUP
    return found


async def test_reads_add_the_pending_changes_and_a_fold_changes_no_figure(db: object) -> None:
    hall_id, raw = await served_hall(3)
    assert await pending() > 0
    assert await rollup_rows() == 0  # nothing folded yet
    assert await rollup_figures(hall_id) == raw
    assert await rollup_differences() == []

    moved = await fold_pending()
    assert moved > 0
    assert await pending() == 0
    assert await rollup_rows() > 0
    assert await rollup_figures(hall_id) == raw
    assert await rollup_differences() == []
    assert await fold_pending() == 0  # nothing left: nothing moves


async def test_the_fold_job_moves_in_batches(db: object) -> None:
    hall_id, raw = await served_hall(4)
    waiting = await pending()
    assert waiting > 2
    assert await fold_pending(batch=2) == waiting  # several statements of two rows
    assert await pending() == 0
    assert await rollup_figures(hall_id) == raw


async def test_the_periodic_job_folds(db: object) -> None:
    hall_id, raw = await served_hall(2)
    waiting = await pending()
    assert await fold_statistics({}) == waiting
    assert await pending() == 0
    assert await rollup_figures(hall_id) == raw


def _dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def test_two_folders_at_once_take_different_rows(committed: Servers) -> None:
    """A folder holding its batch does not stop another: it skips the taken rows; together they
    move everything once."""
    hall_id, raw = await served_hall(6)
    waiting = await pending()
    first = await asyncpg.connect(_dsn(committed.database_url))
    second = await asyncpg.connect(_dsn(committed.database_url))
    try:
        async with first.transaction():
            taken = await first.fetchval(fold_statement(), 3)
            assert taken == 3
            # The first folder's rows are locked until it commits; the second takes the rest.
            rest = await asyncio.wait_for(second.fetchval(fold_statement(), 1000), timeout=5)
            assert rest == waiting - 3
    finally:
        await first.close()
        await second.close()
    assert await pending() == 0
    assert await rollup_figures(hall_id) == raw
    assert await rollup_differences() == []


async def test_a_folder_killed_mid_way_moves_nothing(committed: Servers) -> None:
    """The folding connection's server process is killed before its commit: the pending rows
    are all still there, the rollups unchanged, and the next fold moves them."""
    hall_id, raw = await served_hall(3)
    waiting = await pending()
    folder = await asyncpg.connect(_dsn(committed.database_url))
    killer = await asyncpg.connect(_dsn(committed.database_url))
    try:
        transaction = folder.transaction()
        await transaction.start()
        assert await folder.fetchval(fold_statement(), 1000) == waiting
        assert await killer.fetchval("SELECT pg_terminate_backend($1)", folder.get_server_pid())
    finally:
        await killer.close()
        folder.terminate()
    assert await pending() == waiting
    assert await rollup_rows() == 0
    assert await rollup_figures(hall_id) == raw
    assert await fold_pending() == waiting
    assert await rollup_figures(hall_id) == raw
    assert await rollup_differences() == []
