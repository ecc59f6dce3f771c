"""Group commit: one statement for the rows of sends that run at the same moment in a process.

A worker runs many sends at once, and each claims its row before the provider call and records the
outcome after it. Written one by one, every text costs two pool round trips (statement and
connection reset); grouped, a statement covers whatever sends are waiting when it starts.

The first caller starts a drain task; callers arriving while a statement runs form the next batch,
so a lone caller waits for nothing but its own statement. The drain holds one connection from the
first batch until nobody waits (a pool connection is reset on every release: one more round trip).
Batches are kept per event loop and per database client (`connections.get("default")`: the pool,
or the transaction a caller is inside), and a batch runs on a connection of that client. A caller that is cancelled while waiting leaves its item in the
batch: a claim then stands as a claim whose send never started (the sweeper and reconciliation
handle it), an outcome is still recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

Item = TypeVar("Item")
Result = TypeVar("Result")
# Runs the statement for a batch on an asyncpg connection; returns one result per item, in order.
Flush = Callable[[Any, list[Item]], Awaitable[Sequence[Result]]]


class _Queue(Generic[Item, Result]):
    def __init__(self, db: BaseDBAsyncClient) -> None:
        self.db = db
        self.waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self.task: asyncio.Task[None] | None = None


class Grouped(Generic[Item, Result]):
    """Runs `flush` for the items of concurrent callers, a batch at a time per loop and client."""

    def __init__(self, flush: Flush[Item, Result], max_batch: int = 500) -> None:
        self.flush = flush
        self.max_batch = max_batch
        self._queues: dict[tuple[int, int], _Queue[Item, Result]] = {}

    async def run(self, item: Item) -> Result:
        """This item's result, once the batch it joined has run."""
        loop = asyncio.get_running_loop()
        db = connections.get("default")
        key = (id(loop), id(db))
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = _Queue(db)
            queue.task = loop.create_task(self._drain(key, queue))
        future: asyncio.Future[Result] = loop.create_future()
        queue.waiting.append((item, future))
        return await future

    async def _drain(self, key: tuple[int, int], queue: _Queue[Item, Result]) -> None:
        batch: list[tuple[Item, asyncio.Future[Result]]] = []
        try:
            # Callers may join while the connection is released (an await): go round again.
            while queue.waiting:
                async with queue.db.acquire_connection() as connection:
                    while queue.waiting:
                        batch = queue.waiting[: self.max_batch]
                        del queue.waiting[: self.max_batch]
                        try:
                            results = await self.flush(connection, [item for item, _ in batch])
                        except Exception as exc:  # every caller of the batch sees the failure
                            _fail(batch, exc)
                            if connection.is_closed():
                                raise  # the callers still waiting see it too
                        else:
                            for (_, future), result in zip(batch, results, strict=True):
                                if not future.done():
                                    future.set_result(result)
                        batch = []
        except BaseException as exc:  # no connection, or cancelled: nobody is left waiting forever
            _fail([*batch, *queue.waiting], exc)
            if not isinstance(exc, Exception):
                raise
        finally:
            # No await since `waiting` was found empty: a later caller starts a new drain.
            del self._queues[key]


def _fail(batch: list[tuple[Any, asyncio.Future[Any]]], exc: BaseException) -> None:
    for _, future in batch:
        if future.done():
            continue
        if isinstance(exc, asyncio.CancelledError):
            future.cancel()
        else:
            future.set_exception(exc)
