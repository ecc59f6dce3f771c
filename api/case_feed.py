"""The process's case subscribers, woken by `case_event` notifications (see api.pg_listener).

Subscribers then read the events themselves (by `seq`) from the table, which makes the stream
gap-free and duplicate-free whatever notifications are lost or merged.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator

from api.pg_listener import PostgresListener
from models.cases.journal import CASE_EVENT_CHANNEL


class PostgresCaseFeed(PostgresListener):
    """Fans `case_event` notifications out to this process's subscribers."""

    channel = CASE_EVENT_CHANNEL

    def __init__(self, database_url: str) -> None:
        super().__init__(database_url)
        self.waiters: dict[int, set[asyncio.Event]] = defaultdict(set)

    def on_notify(self, payload: str) -> None:
        """Wake the subscribers of the case the payload names."""
        case_id = int(payload.split(":", 1)[0])
        for event in self.waiters.get(case_id, ()):
            event.set()

    def wake_all(self) -> None:
        """Wake every subscriber."""
        for events in self.waiters.values():
            for event in events:
                event.set()

    async def watch(self, case_id: int) -> AsyncIterator[None]:
        """Yield now, then whenever the case may have new events."""
        await self.ensure_listening()
        event = asyncio.Event()
        self.waiters[case_id].add(event)
        try:
            while True:
                yield
                await self.wait(event)
        finally:
            self.waiters[case_id].discard(event)
            if not self.waiters[case_id]:
                del self.waiters[case_id]
