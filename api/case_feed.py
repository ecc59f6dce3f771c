"""One PostgreSQL LISTEN connection per process that wakes the process's case subscribers.

Case events are written with `pg_notify` inside their transaction, so a wake-up arrives only
for committed events; subscribers then read the events themselves (by `seq`) from the table,
which makes the stream gap-free and duplicate-free whatever notifications are lost or merged.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator

import asyncpg
import structlog

from models.cases.journal import CASE_EVENT_CHANNEL

log = structlog.get_logger(__name__)
# Subscribers re-read their case this often even without a wake-up (a lost connection, say).
SAFETY_POLL_SECONDS = 30.0


class PostgresCaseFeed:
    """Fans `case_event` notifications out to this process's subscribers."""

    def __init__(self, database_url: str) -> None:
        self.dsn = database_url.replace("postgres://", "postgresql://", 1)
        self.waiters: dict[int, set[asyncio.Event]] = defaultdict(set)
        self.conn: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()

    async def _ensure_listening(self) -> None:
        async with self._lock:
            if self.conn is not None and not self.conn.is_closed():
                return
            self.conn = await asyncpg.connect(self.dsn)
            await self.conn.add_listener(CASE_EVENT_CHANNEL, self._on_notify)
            self.conn.add_termination_listener(self._on_lost)

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        case_id = int(payload.split(":", 1)[0])
        for event in self.waiters.get(case_id, ()):
            event.set()

    def _on_lost(self, _conn: object) -> None:
        log.warning("case feed connection lost; subscribers fall back to polling")
        self.conn = None
        for events in self.waiters.values():
            for event in events:
                event.set()

    async def watch(self, case_id: int) -> AsyncIterator[None]:
        """Yield now, then whenever the case may have new events."""
        await self._ensure_listening()
        event = asyncio.Event()
        self.waiters[case_id].add(event)
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
            self.waiters[case_id].discard(event)
            if not self.waiters[case_id]:
                del self.waiters[case_id]

    async def close(self) -> None:
        """Stop listening."""
        if self.conn is not None:
            await self.conn.close()
            self.conn = None
