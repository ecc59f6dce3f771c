"""Fixed-window rate limits kept in Redis, shared by every API process."""

from __future__ import annotations

import redis.asyncio as aioredis

from models.common.limits import RateDecision


class RedisRateLimiter:
    """Counts hits per key and window with INCR and a TTL; Redis expires old windows."""

    def __init__(self, redis: aioredis.Redis, prefix: str = "hall:rate:") -> None:
        self.redis = redis
        self.prefix = prefix

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
