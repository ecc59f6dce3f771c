"""One PostgreSQL LISTEN connection per process for alert events: wakes subscribers, feeds boards.

Alert events are written with `pg_notify` inside their transaction (models.alerts.lifecycle), so
a wake-up arrives only for committed events. Subscribers then read events after the last id they
saw, which keeps each stream gap-free and duplicate-free whatever notifications are lost.

The same wake-up publishes events to the halls' board logs: each unpublished event is claimed
with one UPDATE (so that one process of many publishes it), appended, and marked with its seq.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg
import structlog

from api.pg_listener import PostgresListener
from models.alerts.board import publish_pending
from models.alerts.lifecycle import ALERT_CHANNEL
from models.queue.board import EventLog

log = structlog.get_logger(__name__)


class PostgresAlertFeed(PostgresListener):
    """Wakes this process's alert subscribers and publishes alert events to the board."""

    channel = ALERT_CHANNEL
    safety_poll_seconds = 15.0

    def __init__(self, database_url: str, board: EventLog | None) -> None:
        super().__init__(database_url)
        self.board = board
        self.waiters: set[asyncio.Event] = set()
        self._publisher: asyncio.Task[None] | None = None
        self._wake_publisher = asyncio.Event()

    async def start(self) -> None:
        """Listen, and publish what is pending now and on every wake-up."""
        with contextlib.suppress(OSError, asyncpg.PostgresError):
            await self.ensure_listening()
        if self.board is not None:
            self._publisher = asyncio.create_task(self._publish_loop())

    def wake_all(self) -> None:
        """Every alert event concerns the publisher and (filtered later) every subscriber."""
        self._wake_publisher.set()
        for event in self.waiters:
            event.set()

    async def _publish_loop(self) -> None:
        assert self.board is not None  # noqa: S101  (started only with a board)
        while True:
            try:
                await publish_pending(self.board)
            except Exception:  # Redis or the database away: try again on the next wake-up
                log.warning("alert board publishing failed; retrying", exc_info=True)
            await self.wait(self._wake_publisher)

    async def watch(self) -> AsyncIterator[None]:
        """Yield now, then whenever new alert events may have been committed."""
        event = asyncio.Event()
        self.waiters.add(event)
        try:
            while True:
                yield
                await self.wait(event)
        finally:
            self.waiters.discard(event)

    async def close(self) -> None:
        """Stop listening and publishing."""
        if self._publisher is not None:
            self._publisher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._publisher
        await super().close()
