"""Live WebSocket sessions by account: each is closed when its token expires or is revoked.

Revocations (logout, password change) are published on a Redis channel so that every API
process closes its own sockets of that account; the process that revokes closes its own at
once, before the revoking request returns. A periodic check against the database catches what
no message announced (an account disabled or a password reset from the command line, a
message lost while Redis was away).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis.asyncio as aioredis
import structlog

from models.accounts.tokens import token_versions

log = structlog.get_logger(__name__)

CHANNEL = "hall:tokens:revoked"
POLL_SECONDS = 1.0
TOKEN_EXPIRED = "TOKEN_EXPIRED"  # noqa: S105  (a close reason, not a secret)
TOKEN_REVOKED = "TOKEN_REVOKED"  # noqa: S105
# graphql-transport-ws's "Unauthorized": the client should log in again.
CLOSE_CODE = 4401

Closer = Callable[[int, str], Coroutine[Any, Any, None]]


@dataclass(eq=False)
class SocketSession:
    """One authenticated socket: whose, which token version, until when, and how to close it."""

    user_id: int
    token_version: int
    expires_at: datetime
    close: Closer
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)


class SocketSessions:
    """The sessions of this process, closed on expiry, on revocation and on a failed re-check."""

    def __init__(self, recheck_seconds: float = 60.0) -> None:
        self.recheck_seconds = recheck_seconds
        self._by_user: dict[int, set[SocketSession]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._redis: aioredis.Redis | None = None
        self._listener: asyncio.Task[None] | None = None
        self._checker: asyncio.Task[None] | None = None
        # Told of each revocation (user id, lowest valid version) and of a lost channel.
        self.revocation_listeners: list[Callable[[int, int], None]] = []
        self.loss_listeners: list[Callable[[], None]] = []

    def add(
        self, user_id: int, token_version: int, expires_at: datetime, close: Closer
    ) -> SocketSession:
        """Track a socket; it is closed with TOKEN_EXPIRED when its token runs out."""
        session = SocketSession(user_id, token_version, expires_at, close)
        self._by_user.setdefault(user_id, set()).add(session)
        delay = (expires_at - datetime.now(UTC)).total_seconds()
        loop = asyncio.get_running_loop()
        session.timer = loop.call_later(max(delay, 0), self._end, session, TOKEN_EXPIRED)
        return session

    def remove(self, session: SocketSession) -> None:
        """Stop tracking a socket that closed."""
        if session.timer is not None:
            session.timer.cancel()
        sessions = self._by_user.get(session.user_id)
        if sessions is not None:
            sessions.discard(session)
            if not sessions:
                del self._by_user[session.user_id]

    def count(self) -> int:
        """Sessions tracked (for tests and metrics)."""
        return sum(len(s) for s in self._by_user.values())

    async def revoked(self, user_id: int, token_version: int) -> None:
        """Close this process's sockets of older tokens, then tell the other processes."""
        await self.close_older(user_id, token_version)
        if self._redis is not None:
            await self._redis.publish(CHANNEL, f"{user_id}:{token_version}")

    async def close_older(self, user_id: int, token_version: int) -> None:
        """Close the user's sockets whose token version is below `token_version`."""
        for listener in self.revocation_listeners:
            listener(user_id, token_version)
        stale = [s for s in self._by_user.get(user_id, ()) if s.token_version < token_version]
        for session in stale:
            self.remove(session)
        await asyncio.gather(*(s.close(CLOSE_CODE, TOKEN_REVOKED) for s in stale))

    async def recheck(self) -> None:
        """Close sockets of accounts now disabled or whose tokens were revoked meanwhile."""
        if not self._by_user:
            return
        current = await token_versions(list(self._by_user))
        for user_id in list(self._by_user):
            version = current.get(user_id)
            await self.close_older(user_id, 2**31 if version is None else version)

    async def start(self, redis: aioredis.Redis) -> None:
        """Listen for revocations from other processes and re-check periodically."""
        self._redis = redis
        pubsub = redis.pubsub()
        await pubsub.subscribe(CHANNEL)
        self._listener = asyncio.create_task(self._listen(pubsub))
        self._checker = asyncio.create_task(self._check_periodically())

    async def close(self) -> None:
        """Stop listening."""
        for task in (self._listener, self._checker, *self._tasks):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    def _end(self, session: SocketSession, reason: str) -> None:
        self.remove(session)
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(
            session.close(CLOSE_CODE, reason)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _listen(self, pubsub: aioredis.client.PubSub) -> None:
        while True:
            try:
                async with pubsub:
                    while True:
                        # Polled with a timeout below the client's socket timeout: a blocking
                        # read on a quiet channel would time out and drop the subscription.
                        message = await pubsub.get_message(
                            ignore_subscribe_messages=True, timeout=POLL_SECONDS
                        )
                        if message is None or message.get("type") != "message":
                            continue
                        user, _, version = bytes(message["data"]).decode().partition(":")
                        if user.isdigit() and version.isdigit():
                            await self.close_older(int(user), int(version))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("revocation channel lost; re-checking sockets", exc_info=True)
                for lost in self.loss_listeners:
                    lost()
                await asyncio.sleep(1)
                with contextlib.suppress(Exception):
                    await self.recheck()
                pubsub = self._redis.pubsub() if self._redis is not None else pubsub
                with contextlib.suppress(Exception):
                    await pubsub.subscribe(CHANNEL)
                for lost in self.loss_listeners:  # what was remembered while unsubscribed
                    lost()

    async def _check_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.recheck_seconds)
            try:
                await self.recheck()
            except Exception:
                log.warning("socket re-check failed", exc_info=True)
