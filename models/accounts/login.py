"""Logging in under a guessing limit: failures are counted per username and per client address.

After USER_FAILURES failed logins for one username, or ADDRESS_FAILURES from one address, within
WINDOW_SECONDS, further attempts are refused (THROTTLED, with the seconds to wait) without
checking the password, until the window ends. Only failures count; the refusal looks the same
whether or not the username exists.
"""

from __future__ import annotations

from datetime import datetime

from models.accounts.actions import authenticate
from models.accounts.errors import InvalidCredentials, LoginThrottled
from models.accounts.tables import User
from models.common.limits import RateLimiter

USER_FAILURES = 10
ADDRESS_FAILURES = 50
WINDOW_SECONDS = 15 * 60


def failure_keys(username: str, client: str) -> list[tuple[str, int, int]]:
    """The (key, limit, window) pairs one failed login counts in."""
    name = username.strip().lower()
    return [
        (f"login:user:{name}", USER_FAILURES, WINDOW_SECONDS),
        (f"login:address:{client}", ADDRESS_FAILURES, WINDOW_SECONDS),
    ]


async def check_not_throttled(limiter: RateLimiter, username: str, client: str) -> None:
    """Raise LoginThrottled while the username or the address is over its failures."""
    for key, limit, _ in failure_keys(username, client):
        decision = await limiter.peek(key, limit)
        if not decision.allowed:
            raise LoginThrottled(decision.retry_after)


async def record_failure(limiter: RateLimiter, username: str, client: str) -> None:
    """Count one failed login for the username and the address."""
    await limiter.hit_all(failure_keys(username, client))


async def log_in(
    limiter: RateLimiter, username: str, password: str, *, client: str, now: datetime
) -> User:
    """The user with these credentials, unless guessing has been throttled."""
    await check_not_throttled(limiter, username, client)
    try:
        return await authenticate(username, password, now)
    except InvalidCredentials:
        await record_failure(limiter, username, client)
        raise
