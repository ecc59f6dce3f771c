"""The cost budget in Redis: fixed windows per caller, shared by every API process.

Every GraphQL request spends from its caller's budget. Asking Redis for each spend put a round
trip, and the wait for it, on every request, so each process holds points of its own:

- a spend that the process's held points of the caller cover is taken from them at once, with
  no round trip;
- otherwise the process reserves points in Redis: what the spend still needs and, when more is
  left in the window, up to a slice (a hundredth of the limit by default) to hold for the next
  spends; a reservation never takes the window past the limit, and a spend that even the
  reservation cannot cover is refused and costs nothing;
- reservations of one process are sent together: those that arrive while a round trip is under
  way go in the next one, as one script call that applies them one by one, in arrival order;
- held points belong to the window they were reserved in and are dropped when it ends.

So the points spent across processes never exceed the limit, and one process alone reports
exactly what a spend-per-round-trip budget did (the same refusals, the same `remaining`). With
several processes a caller may be refused while other processes still hold points of theirs: at
most a slice per process, for at most the rest of the window, and `remaining` does not count
what the other processes hold.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from dataclasses import dataclass

import redis.asyncio as aioredis

from schema.limits.budget import Spent

# Reservations, applied one by one in order. ARGV[1] is the limit, ARGV[2] the window in
# milliseconds; per key i, ARGV[3i], ARGV[3i+1], ARGV[3i+2] are the spend's cost, the slice to
# reserve beyond it, and the points the process holds for that key (counted once per key:
# later spends of the same key in the call use what the earlier ones left). Returns per key
# {spent?, points reserved in the window, points held after it, pttl}, flattened.
RESERVE = """
local limit = tonumber(ARGV[1])
local held = {}
local out = {}
for i, key in ipairs(KEYS) do
    redis.call('SET', key, 0, 'PX', ARGV[2], 'NX')
    local used = tonumber(redis.call('GET', key))
    local cost = tonumber(ARGV[3 * i])
    local slice = tonumber(ARGV[3 * i + 1])
    local have = held[key] or tonumber(ARGV[3 * i + 2])
    local ok = 0
    if have >= cost then
        have = have - cost
        ok = 1
    elseif used + cost - have <= limit then
        local grant = math.min(math.max(cost - have, slice), limit - used)
        used = redis.call('INCRBY', key, grant)
        have = have + grant - cost
        ok = 1
    end
    held[key] = have
    local ttl = redis.call('PTTL', key)
    if ttl < 1 then ttl = 1 end
    out[#out + 1] = ok
    out[#out + 1] = used
    out[#out + 1] = have
    out[#out + 1] = ttl
end
return out
"""
MAX_BATCH = 256  # reservations per script call (a bounded time inside Redis)
MAX_HELD = 10_000  # callers whose points a process holds at once
SLICE_SHARE = 100  # a slice is this share of the limit


@dataclass
class Held:
    """Points of one caller held by this process until its window ends."""

    points: int
    reserved: int  # the window's points reserved in Redis, as last seen
    ends: float  # monotonic time the window ends


_Pending = tuple[str, int, "asyncio.Future[Spent]"]


class RedisCostBudget:
    """`limit` points per caller per `window_seconds`; a refused spend costs nothing."""

    def __init__(
        self,
        redis: aioredis.Redis,
        limit: int,
        window_seconds: int,
        prefix: str = "hall:cost:",
        slice_points: int | None = None,
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self.prefix = prefix
        self.slice_points = max(1, limit // SLICE_SHARE) if slice_points is None else slice_points
        self._reserve = redis.register_script(RESERVE)
        self._held: dict[str, Held] = {}
        self._pending: list[_Pending] = []
        self._sender: asyncio.Task[None] | None = None
        self.round_trips = 0

    async def spend(self, who: str, cost: int) -> Spent:
        """Spend from held points, else in the next round trip this process makes."""
        key = self.prefix + who
        spent = self._from_held(key, cost, time.monotonic())
        if spent is not None:
            return spent
        done: asyncio.Future[Spent] = asyncio.get_running_loop().create_future()
        self._pending.append((key, cost, done))
        if self._sender is None:
            self._sender = asyncio.create_task(self._send())
        return await done

    def _from_held(self, key: str, cost: int, now: float) -> Spent | None:
        """The spend taken from held points of the current window, or None."""
        held = self._held.get(key)
        if held is None or held.points < cost or now >= held.ends:
            return None
        held.points -= cost
        return Spent(
            allowed=True,
            remaining=self.limit - held.reserved + held.points,
            limit=self.limit,
            reset_in=max(1, math.ceil(held.ends - now)),
        )

    def _take_held(self, key: str, now: float) -> int:
        """The points held for `key` in the current window, handed to a reservation."""
        held = self._held.get(key)
        if held is None or now >= held.ends:
            return 0
        points, held.points = held.points, 0
        return points

    async def _send(self) -> None:
        """Send what is pending, batch after batch, until nothing is left."""
        try:
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                now = time.monotonic()
                # Spends that points returned by the last round trip now cover need none.
                batch = [p for p in batch if not self._settled_from_held(p, now)]
                if batch:
                    await self._round_trip(batch, now)
        finally:
            self._sender = None
            if self._pending:  # cancelled with spends waiting: they fail, not hang
                pending, self._pending = self._pending, []
                for _, _, done in pending:
                    with contextlib.suppress(asyncio.InvalidStateError):
                        done.set_exception(ConnectionError("stopped"))

    def _settled_from_held(self, pending: _Pending, now: float) -> bool:
        key, cost, done = pending
        spent = self._from_held(key, cost, now)
        if spent is None:
            return False
        if not done.done():
            done.set_result(spent)
        return True

    async def _round_trip(self, batch: list[_Pending], now: float) -> None:
        """One script call for the batch; each waiting spend gets its outcome or the failure."""
        args: list[int] = [self.limit, self.window_seconds * 1000]
        taken: dict[str, int] = {}
        for key, cost, _ in batch:
            have = 0 if key in taken else taken.setdefault(key, self._take_held(key, now))
            args += [cost, self.slice_points, have]
        self.round_trips += 1
        try:
            flat = await self._reserve(keys=[key for key, _, _ in batch], args=args)
        except BaseException as exc:  # each waiting spend fails as a lone spend would
            for key, have in taken.items():  # what was held is held again
                held = self._held.get(key)
                if held is not None:
                    held.points += have
            failure = exc if isinstance(exc, Exception) else ConnectionError("stopped")
            for _, _, done in batch:
                if not done.done():
                    done.set_exception(failure)
            if failure is not exc:
                raise
            return
        arrived = time.monotonic()
        for n, (key, _, done) in enumerate(batch):
            ok, reserved, have, ttl = (int(v) for v in flat[4 * n : 4 * n + 4])
            ends = now + ttl / 1000
            if not done.done():
                done.set_result(
                    Spent(
                        allowed=bool(ok),
                        remaining=max(self.limit - reserved + have, 0),
                        limit=self.limit,
                        reset_in=max(1, math.ceil(ends - arrived)),
                    )
                )
            # The last spend of a key in the batch leaves what the process holds of it.
            self._hold(key, Held(have, reserved, ends), now)

    def _hold(self, key: str, held: Held, now: float) -> None:
        """Hold points of `key` (replacing what was held: it went into the reservation)."""
        if len(self._held) >= MAX_HELD and key not in self._held:
            self._forget_ended(now)
        self._held[key] = held

    def _forget_ended(self, now: float) -> None:
        """Drop the held points of ended windows; all of them when that is not enough."""
        for key in [k for k, held in self._held.items() if now >= held.ends]:
            del self._held[key]
        if len(self._held) >= MAX_HELD:
            self._held.clear()  # each caller loses at most a slice until its window ends
