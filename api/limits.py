"""Rate limits for the API: the Redis implementation lives with the port in models.common."""

from __future__ import annotations

from models.common.limits import RedisRateLimiter

__all__ = ["RedisRateLimiter"]
