"""The hall event log: a Redis stream per hall whose entry ids are the hall's `seq`.

Appending is one Lua call (INCR the hall's counter, XADD with id `<seq>-0` per event), so sequence
numbers are gap-free and in stream order across every API process. Appends that arrive while one
is on its way to Redis are sent together as the next call, in arrival order: one round trip for
all the windows that committed meanwhile, each caller still answered with its own seqs once they
are stored. One reader task per hall and process
follows the stream with XREAD BLOCK and hands each event to that process's subscribers; a
subscriber resuming after `seq` first reads the missed range with XRANGE.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import orjson
import redis.asyncio as aioredis
import structlog

from models.queue.board import BoardEvent, LoggedEvent, ResumeTooOld

log = structlog.get_logger(__name__)
# Entries kept per hall (about a day of a large hall's board changes).
STREAM_LENGTH = 20_000
# KEYS: counter and stream of each event in turn; ARGV: the stream length, then kind and data of
# each event in turn. Returns each event's seq, or the error that stopped it (one hall's broken
# stream fails only the appends of that hall, not the others sent with it).
APPEND = """
local results = {}
for n = 1, #KEYS / 2 do
    local seq = redis.pcall('INCR', KEYS[2 * n - 1])
    if type(seq) == 'table' and seq.err then
        results[n] = seq.err
    else
        local added = redis.pcall('XADD', KEYS[2 * n], 'MAXLEN', '~', ARGV[1], seq .. '-0',
            'kind', ARGV[2 * n], 'data', ARGV[2 * n + 1])
        if type(added) == 'table' and added.err then
            results[n] = added.err
        else
            results[n] = seq
        end
    end
end
return results
"""


def _keys(hall_id: int) -> tuple[str, str]:
    return f"hall:{hall_id}:board:seq", f"hall:{hall_id}:board"


def _decode(hall_id: int, entry_id: bytes | str, fields: dict[Any, Any]) -> LoggedEvent:
    raw_id = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    kind = fields.get(b"kind", fields.get("kind"))
    data = fields.get(b"data", fields.get("data"))
    return LoggedEvent(
        hall_id=hall_id,
        seq=int(raw_id.split("-", 1)[0]),
        kind=kind.decode() if isinstance(kind, bytes) else str(kind),
        data=orjson.loads(data or b"{}"),
    )


class RedisEventLog:
    """Appends to and follows the halls' event logs."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self._append = redis.register_script(APPEND)
        self.subscribers: dict[int, set[asyncio.Queue[LoggedEvent]]] = defaultdict(set)
        self.readers: dict[int, asyncio.Task[None]] = {}
        # Appends waiting for the one in flight, and the task sending them.
        self._waiting: list[tuple[list[BoardEvent], asyncio.Future[list[int]]]] = []
        self._sender: asyncio.Task[None] | None = None

    async def append(self, events: list[BoardEvent]) -> list[int]:
        """Append in order; returns the seq given to each."""
        if not events:
            return []
        done: asyncio.Future[list[int]] = asyncio.get_running_loop().create_future()
        self._waiting.append((events, done))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send())
        # Shielded: a caller that gives up does not cancel the others' round trip.
        return await asyncio.shield(done)

    async def _send(self) -> None:
        """Send the waiting appends, one Lua call per batch, until none are left."""
        while self._waiting:
            batch, self._waiting = self._waiting, []
            keys: list[str] = []
            args: list[str | int] = [STREAM_LENGTH]
            for events, _ in batch:
                for event in events:
                    keys.extend(_keys(event.hall_id))
                    args += [event.kind.value, orjson.dumps(event.data).decode()]
            try:
                results: list[int | bytes | str] = await self._append(keys=keys, args=args)
            except BaseException as exc:  # every caller of the batch gets the failure
                failure = exc if isinstance(exc, Exception) else aioredis.ConnectionError("closed")
                for _, done in batch:
                    if not done.done():
                        done.set_exception(failure)
                if not isinstance(exc, Exception):
                    raise
                continue
            for events, done in batch:
                mine, results = results[: len(events)], results[len(events) :]
                failed = [r for r in mine if not isinstance(r, int)]
                if done.done():
                    continue
                if failed:
                    reason = failed[0]
                    text = reason.decode() if isinstance(reason, bytes) else reason
                    done.set_exception(aioredis.ResponseError(text))
                else:
                    done.set_result([int(r) for r in mine])

    async def last_seq(self, hall_id: int) -> int:
        """The hall's latest seq (0 before the first event)."""
        value = await self.redis.get(_keys(hall_id)[0])
        return int(value or 0)

    async def since(self, hall_id: int, after_seq: int) -> list[LoggedEvent]:
        """Every stored event after `after_seq`, in order; ResumeTooOld when some were trimmed."""
        stream = _keys(hall_id)[1]
        # The counter first: every seq up to it is already in the stream (appended with it in
        # one script), so the range read next holds them unless they were trimmed.
        last = await self.last_seq(hall_id)
        entries = await self.redis.xrange(stream, min=f"{after_seq + 1}-0", max="+")
        events = [_decode(hall_id, entry_id, fields) for entry_id, fields in entries]
        if after_seq < last and (not events or events[0].seq != after_seq + 1):
            raise ResumeTooOld
        return events

    async def _follow(self, hall_id: int) -> None:
        """The process's single reader of a hall's stream."""
        stream = _keys(hall_id)[1]
        last = f"{await self.last_seq(hall_id)}-0"
        while self.subscribers.get(hall_id):
            try:
                found = await self.redis.xread({stream: last}, block=1000, count=500)
            except (aioredis.ConnectionError, aioredis.TimeoutError):
                log.warning("board log read failed; retrying", hall_id=hall_id)
                await asyncio.sleep(0.5)
                continue
            for _, entries in found or []:
                for entry_id, fields in entries:
                    event = _decode(hall_id, entry_id, fields)
                    last = f"{event.seq}-0"
                    for queue in list(self.subscribers.get(hall_id, ())):
                        queue.put_nowait(event)

    async def follow(self, hall_id: int, after_seq: int | None) -> AsyncIterator[LoggedEvent]:
        """Events of a hall: those after `after_seq` (when given), then live ones, no duplicates."""
        queue: asyncio.Queue[LoggedEvent] = asyncio.Queue()
        self.subscribers[hall_id].add(queue)
        if hall_id not in self.readers or self.readers[hall_id].done():
            self.readers[hall_id] = asyncio.create_task(self._follow(hall_id))
        try:
            last = await self.last_seq(hall_id) if after_seq is None else after_seq
            for event in await self.since(hall_id, last):
                last = event.seq
                yield event
            while True:
                event = await queue.get()
                if event.seq <= last:
                    continue
                # A gap (the reader started after some events, or lagged): read the range.
                missed = [event] if event.seq == last + 1 else await self.since(hall_id, last)
                for item in missed:
                    last = item.seq
                    yield item
        finally:
            self.subscribers[hall_id].discard(queue)

    async def close(self) -> None:
        """Send what is waiting, then stop the readers."""
        if self._sender is not None:
            with contextlib.suppress(Exception):
                await self._sender
        for task in self.readers.values():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.readers.clear()
