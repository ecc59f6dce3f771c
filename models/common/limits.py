"""The rate-limit port: business rules say what to limit, the API layer counts it in Redis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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
