"""One PostgreSQL LISTEN connection per process and channel, waking this process's waiters.

Notifications are sent with `pg_notify` inside the writing transaction, so they arrive only
for committed changes. Waiters re-read what they follow after each wake-up (and every
SAFETY_POLL_SECONDS without one), so lost or merged notifications cost latency, never data.
"""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import structlog

log = structlog.get_logger(__name__)
SAFETY_POLL_SECONDS = 30.0


class PostgresListener:
    """The connection, its reconnection and the wait; subclasses decide whom a payload wakes."""

    channel = ""
    safety_poll_seconds = SAFETY_POLL_SECONDS

    def __init__(self, database_url: str) -> None:
        self.dsn = database_url.replace("postgres://", "postgresql://", 1)
        self.conn: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()

    async def ensure_listening(self) -> None:
        """Connect and LISTEN unless already done."""
        async with self._lock:
            if self.conn is not None and not self.conn.is_closed():
                return
            self.conn = await asyncpg.connect(self.dsn)
            await self.conn.add_listener(self.channel, self._notified)
            self.conn.add_termination_listener(self._lost)

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self.on_notify(payload)

    def _lost(self, _conn: object) -> None:
        log.warning("listen connection lost; waiters fall back to polling", channel=self.channel)
        self.conn = None
        self.wake_all()

    def on_notify(self, payload: str) -> None:
        """A committed change was announced (wake whoever it concerns)."""
        self.wake_all()

    def wake_all(self) -> None:
        """Wake every waiter (the connection was lost, or the payload concerns all)."""
        raise NotImplementedError

    async def wait(self, event: asyncio.Event) -> None:
        """Until the event is set or the safety poll is due; reconnect if the link was lost."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), self.safety_poll_seconds)
        event.clear()
        if self.conn is None:
            with contextlib.suppress(OSError, asyncpg.PostgresError):
                await self.ensure_listening()

    async def close(self) -> None:
        """Stop listening."""
        if self.conn is not None:
            await self.conn.close()
            self.conn = None
