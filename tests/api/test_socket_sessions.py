"""The revocation channel between API processes stays subscribed on a quiet Redis connection."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import redis.asyncio as aioredis
from structlog.testing import capture_logs

from api.socket_sessions import SocketSessions


async def test_a_quiet_channel_is_not_dropped_and_still_delivers(orm: Any) -> None:
    # The app's client times reads out after 2 s; a quiet channel must outlive that.
    client = aioredis.Redis.from_url(orm.redis_url, socket_timeout=0.5)
    listening, sending = SocketSessions(recheck_seconds=3600), SocketSessions()
    closed: list[tuple[int, str]] = []

    async def close(code: int, reason: str) -> None:
        closed.append((code, reason))

    listening.add(7, 1, datetime.now(UTC) + timedelta(hours=1), close)
    try:
        with capture_logs() as logs:
            await listening.start(client)
            await sending.start(client)
            await asyncio.sleep(2.0)  # four socket timeouts' worth of silence
            await sending.revoked(7, 2)  # another process: a logout bumped the version
            for _ in range(50):
                if closed:
                    break
                await asyncio.sleep(0.05)
        assert closed == [(4401, "TOKEN_REVOKED")]
        assert not [e for e in logs if "revocation channel lost" in str(e.get("event"))]
    finally:
        await listening.close()
        await sending.close()
        await client.aclose()
