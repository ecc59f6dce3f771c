"""The rate-limit port: business rules say what to limit, the API layer counts it in Redis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as aioredis


@dataclass(frozen=True)
class RateDecision:
    """Whether a rate-limited action may go ahead, and when to retry if not."""

    allowed: bool
    retry_after: int


class RateLimiter(Protocol):
    """Counts hits per key in a time window."""

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        """Count one hit and say whether it is within the limit."""
        ...

    async def peek(self, key: str, limit: int) -> RateDecision:
        """Say whether a key is already over its limit, without counting."""
        ...

    async def hit_all(self, windows: list[tuple[str, int, int]]) -> RateDecision:
        """Count one hit in each (key, limit, window) at once; refused if any is over."""
        ...


# Counts one hit in every window in one round trip; returns the longest wait of those over.
HIT_ALL = """
local wait = 0
for i, key in ipairs(KEYS) do
    local limit = tonumber(ARGV[2 * i - 1])
    local window = tonumber(ARGV[2 * i])
    redis.call('SET', key, 0, 'EX', window, 'NX')
    local count = redis.call('INCR', key)
    if count > limit then
        local ttl = redis.call('TTL', key)
        if ttl < 1 then ttl = 1 end
        if ttl > wait then wait = ttl end
    end
end
return wait
"""


class RedisRateLimiter:
    """Fixed windows counted in Redis with a TTL, shared by every process."""

    def __init__(self, redis: aioredis.Redis, prefix: str = "hall:rate:") -> None:
        self.redis = redis
        self.prefix = prefix
        self._hit_all = redis.register_script(HIT_ALL)

    async def hit_all(self, windows: list[tuple[str, int, int]]) -> RateDecision:
        """Count one hit in every window atomically (one round trip)."""
        keys = [self.prefix + key for key, _, _ in windows]
        args = [value for _, limit, window in windows for value in (limit, window)]
        wait = int(await self._hit_all(keys=keys, args=args))
        return RateDecision(allowed=wait == 0, retry_after=wait)

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        """Count one hit; refused once the window holds more than `limit`."""
        name = self.prefix + key
        async with self.redis.pipeline(transaction=True) as pipe:
            # SET NX starts a window (works on the embedded Redis too, which lacks EXPIRE NX).
            pipe.set(name, 0, ex=window_seconds, nx=True)
            pipe.incr(name)
            pipe.ttl(name)
            _, count, ttl = await pipe.execute()
        allowed = int(count) <= limit
        return RateDecision(allowed=allowed, retry_after=0 if allowed else max(int(ttl), 1))

    async def peek(self, key: str, limit: int) -> RateDecision:
        """Whether a key is over its limit, without counting."""
        name = self.prefix + key
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(name)
            pipe.ttl(name)
            count, ttl = await pipe.execute()
        allowed = count is None or int(count) < limit
        return RateDecision(allowed=allowed, retry_after=0 if allowed else max(int(ttl), 1))
