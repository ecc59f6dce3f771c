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

from models.alerts.board import publish_pending
from models.alerts.lifecycle import ALERT_CHANNEL
from models.queue.board import EventLog

log = structlog.get_logger(__name__)
SAFETY_POLL_SECONDS = 15.0


class PostgresAlertFeed:
    """Wakes this process's alert subscribers and publishes alert events to the board."""

    def __init__(self, database_url: str, board: EventLog | None) -> None:
        self.dsn = database_url.replace("postgres://", "postgresql://", 1)
        self.board = board
        self.waiters: set[asyncio.Event] = set()
        self.conn: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()
        self._publisher: asyncio.Task[None] | None = None
        self._wake_publisher = asyncio.Event()

    async def start(self) -> None:
        """Listen, and publish what is pending now and on every wake-up."""
        with contextlib.suppress(OSError, asyncpg.PostgresError):
            await self._ensure_listening()
        if self.board is not None:
            self._publisher = asyncio.create_task(self._publish_loop())

    async def _ensure_listening(self) -> None:
        async with self._lock:
            if self.conn is not None and not self.conn.is_closed():
                return
            self.conn = await asyncpg.connect(self.dsn)
            await self.conn.add_listener(ALERT_CHANNEL, self._on_notify)
            self.conn.add_termination_listener(self._on_lost)

    def _wake_all(self) -> None:
        self._wake_publisher.set()
        for event in self.waiters:
            event.set()

    def _on_notify(self, _conn: object, _pid: int, _channel: str, _payload: str) -> None:
        self._wake_all()

    def _on_lost(self, _conn: object) -> None:
        log.warning("alert feed connection lost; falling back to polling")
        self.conn = None
        self._wake_all()

    async def _publish_loop(self) -> None:
        assert self.board is not None  # noqa: S101  (started only with a board)
        while True:
            try:
                await publish_pending(self.board)
            except Exception:
                log.warning("alert board publishing failed; retrying", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake_publisher.wait(), SAFETY_POLL_SECONDS)
            self._wake_publisher.clear()
            if self.conn is None:
                with contextlib.suppress(OSError, asyncpg.PostgresError):
                    await self._ensure_listening()

    async def watch(self) -> AsyncIterator[None]:
        """Yield now, then whenever new alert events may have been committed."""
        event = asyncio.Event()
        self.waiters.add(event)
        try:
            while True:
                yield
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), SAFETY_POLL_SECONDS)
                event.clear()
                if self.conn is None:
                    with contextlib.suppress(OSError, asyncpg.PostgresError):
                        await self._ensure_listening()
        finally:
            self.waiters.discard(event)

    async def close(self) -> None:
        """Stop listening and publishing."""
        if self._publisher is not None:
            self._publisher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._publisher
        if self.conn is not None:
            await self.conn.close()
            self.conn = None
