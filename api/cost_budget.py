"""The cost budget in Redis: fixed windows per caller, shared by every API process.

Every GraphQL request spends from a budget, so under load the spends of one process are sent
together: those that arrive while a round trip is under way go in the next one, as one script
call that applies them one by one, in arrival order (each exactly as a lone spend would be).
"""

from __future__ import annotations

import asyncio
import contextlib

import redis.asyncio as aioredis

from schema.limits.budget import Spent

# For each key i, spends ARGV[2+i] points unless that overdraws ARGV[1]; returns, per key,
# {spent?, points used, ttl}, flattened. ARGV[2] is the window in seconds.
SPEND = """
local limit = tonumber(ARGV[1])
local out = {}
for i, key in ipairs(KEYS) do
    redis.call('SET', key, 0, 'EX', ARGV[2], 'NX')
    local used = tonumber(redis.call('GET', key))
    local cost = tonumber(ARGV[2 + i])
    local ok = 0
    if used + cost <= limit then
        used = redis.call('INCRBY', key, cost)
        ok = 1
    end
    local ttl = redis.call('TTL', key)
    if ttl < 1 then ttl = 1 end
    out[#out + 1] = ok
    out[#out + 1] = used
    out[#out + 1] = ttl
end
return out
"""
MAX_BATCH = 256  # spends per script call (a bounded time inside Redis)

_Pending = tuple[str, int, "asyncio.Future[Spent]"]


class RedisCostBudget:
    """`limit` points per caller per `window_seconds`; a refused spend costs nothing."""

    def __init__(
        self, redis: aioredis.Redis, limit: int, window_seconds: int, prefix: str = "hall:cost:"
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self.prefix = prefix
        self._spend = redis.register_script(SPEND)
        self._pending: list[_Pending] = []
        self._sender: asyncio.Task[None] | None = None

    async def spend(self, who: str, cost: int) -> Spent:
        """Spend atomically, in the next round trip this process makes for its spends."""
        done: asyncio.Future[Spent] = asyncio.get_running_loop().create_future()
        self._pending.append((self.prefix + who, cost, done))
        if self._sender is None:
            self._sender = asyncio.create_task(self._send())
        return await done

    async def _send(self) -> None:
        """Send what is pending, batch after batch, until nothing is left."""
        try:
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                try:
                    flat = await self._spend(
                        keys=[key for key, _, _ in batch],
                        args=[self.limit, self.window_seconds, *(cost for _, cost, _ in batch)],
                    )
                except BaseException as exc:  # each waiting request fails as a lone spend would
                    failure = exc if isinstance(exc, Exception) else ConnectionError("stopped")
                    for _, _, done in batch:
                        if not done.done():
                            done.set_exception(failure)
                    if failure is not exc:
                        raise
                    continue
                for n, (_, _, done) in enumerate(batch):
                    ok, used, ttl = flat[3 * n : 3 * n + 3]
                    if not done.done():
                        done.set_result(
                            Spent(
                                allowed=bool(ok),
                                remaining=max(self.limit - int(used), 0),
                                limit=self.limit,
                                reset_in=int(ttl),
                            )
                        )
        finally:
            self._sender = None
            if self._pending:  # cancelled with spends waiting: they fail, not hang
                pending, self._pending = self._pending, []
                for _, _, done in pending:
                    with contextlib.suppress(asyncio.InvalidStateError):
                        done.set_exception(ConnectionError("stopped"))
