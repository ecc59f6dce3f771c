"""The cost budget in Redis: fixed windows per caller, shared by every API process."""

from __future__ import annotations

import redis.asyncio as aioredis

from schema.limits.budget import Spent

# Spends ARGV[1] points unless that overdraws ARGV[2]; returns {spent?, points used, ttl}.
SPEND = """
redis.call('SET', KEYS[1], 0, 'EX', ARGV[3], 'NX')
local used = tonumber(redis.call('GET', KEYS[1]))
local cost = tonumber(ARGV[1])
local ok = 0
if used + cost <= tonumber(ARGV[2]) then
    used = redis.call('INCRBY', KEYS[1], cost)
    ok = 1
end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 1 then ttl = 1 end
return {ok, used, ttl}
"""


class RedisCostBudget:
    """`limit` points per caller per `window_seconds`; a refused spend costs nothing."""

    def __init__(
        self, redis: aioredis.Redis, limit: int, window_seconds: int, prefix: str = "hall:cost:"
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self.prefix = prefix
        self._spend = redis.register_script(SPEND)

    async def spend(self, who: str, cost: int) -> Spent:
        """Spend atomically (one round trip)."""
        ok, used, ttl = await self._spend(
            keys=[self.prefix + who], args=[cost, self.limit, self.window_seconds]
        )
        return Spent(
            allowed=bool(ok),
            remaining=max(self.limit - int(used), 0),
            limit=self.limit,
            reset_in=int(ttl),
        )
