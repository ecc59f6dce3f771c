"""Which tables changed: the `read_change` notifications counted per table, in each process.

Migration 0018 gives every table the read cache depends on (schema.read_cache.WATCHED) a
statement trigger that notifies `read_change` with the table's name; PostgreSQL delivers it
only once the writing transaction has committed. Each API process listens on one connection
and counts. `generations` is None while it is not listening (not yet, or the connection was
lost), so nothing is reused then; the connection is opened again in the background, and every
count moves on when it is, since changes may have been missed meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict

import asyncpg
import structlog

from api.pg_listener import PostgresListener

log = structlog.get_logger(__name__)
READ_CHANGE_CHANNEL = "read_change"
RETRY_SECONDS = 1.0


class ReadChanges(PostgresListener):
    """This process's change counts, by table, plus an epoch for everything at once."""

    channel = READ_CHANGE_CHANNEL

    def __init__(self, database_url: str, *, enabled: bool = True) -> None:
        super().__init__(database_url)
        self.enabled = enabled  # HALL_READ_CACHE: off, nothing is ever reused
        self.counts: defaultdict[str, int] = defaultdict(int)
        self.epoch = 0  # moves on for whatever may have changed everything
        self.reconnecting: asyncio.Task[None] | None = None
        self.closed = False

    async def start(self) -> None:
        """Listen (the cache is used only from then on)."""
        if not self.enabled:
            return
        await self.ensure_listening()
        self.epoch += 1

    def on_notify(self, payload: str) -> None:
        """A committed write to the table the payload names."""
        self.counts[payload] += 1

    def wake_all(self) -> None:
        """The connection was lost: whatever was kept may be stale."""
        self.epoch += 1

    def changed_here(self) -> None:
        """A mutation completed in this process: what was kept before it is not reused."""
        self.epoch += 1

    def generations(self, tables: tuple[str, ...]) -> tuple[int, ...] | None:
        """The epoch and the tables' counts; None while not listening."""
        if self.conn is None:
            if self.enabled:
                self._reconnect()
            return None
        counts = self.counts
        return (self.epoch, *[counts[t] for t in tables])

    def _reconnect(self) -> None:
        if self.closed or (self.reconnecting is not None and not self.reconnecting.done()):
            return
        self.reconnecting = asyncio.get_running_loop().create_task(self._listen_again())

    async def _listen_again(self) -> None:
        while not self.closed and self.conn is None:
            try:
                await self.start()
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("read_change listen failed; retrying", error=str(exc))
                await asyncio.sleep(RETRY_SECONDS)

    async def close(self) -> None:
        """Stop listening and stop reconnecting."""
        self.closed = True
        if self.reconnecting is not None:
            self.reconnecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reconnecting
        await super().close()
