"""Verified sessions remembered briefly: revocations forget them at once, expiry and TTL still hold."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from tortoise.expressions import F

from api.auth import Tokens
from api.session_cache import SessionCache
from api.socket_sessions import SocketSessions
from models.accounts.tables import Role, User
from tests import factories as f
from tests.conftest import Servers

KEY = secrets.token_urlsafe(40)
TOKENS = Tokens(key=KEY, ttl=timedelta(hours=1))


@pytest.fixture
def server_env() -> dict[str, str]:
    """A known signing key."""
    return {"HALL_SECRET_KEY": KEY}


async def _clerk() -> User:
    user, _ = await f.user("clerk1", Role.CLERK, of=await f.hall("JN"))
    return user


def _bearer(user: User, ttl: timedelta = timedelta(hours=1)) -> str:
    return "Bearer " + Tokens(key=KEY, ttl=ttl).issue(user, datetime.now(UTC))[0]


async def _bump(user: User) -> None:
    """An unannounced revocation: the version moves in the database only."""
    await User.filter(id=user.id).update(token_version=F("token_version") + 1)


async def test_a_verified_session_is_reused_within_the_ttl_and_rechecked_after(db: object) -> None:
    user = await _clerk()
    cache, bearer = SessionCache(TOKENS, ttl=0.5), _bearer(user)
    first = await cache.session(bearer)
    assert first is not None
    await _bump(user)
    again = await cache.session(bearer)  # remembered: the database is not asked
    assert again is not None
    assert again.actor == first.actor
    assert again.user is not first.user  # each request gets its own instance
    assert again.user.id == user.id
    await asyncio.sleep(0.6)
    assert await cache.session(bearer) is None


async def test_a_revocation_forgets_at_once(db: object) -> None:
    user = await _clerk()
    cache, bearer = SessionCache(TOKENS, ttl=3600), _bearer(user)
    assert await cache.session(bearer) is not None
    await _bump(user)
    cache.revoked(user.id, user.token_version + 1)
    assert await cache.session(bearer) is None


async def test_a_session_read_before_a_revocation_is_not_remembered_after_it(db: object) -> None:
    user = await _clerk()
    cache, bearer = SessionCache(TOKENS, ttl=3600), _bearer(user)
    cache.revoked(user.id, user.token_version + 1)  # announced before the database read below
    assert await cache.session(bearer) is not None  # the database still had the old version
    await _bump(user)
    assert await cache.session(bearer) is None


async def test_other_accounts_and_newer_tokens_are_kept(db: object) -> None:
    user = await _clerk()
    other, _ = await f.user("clerk2", Role.CLERK, of=await f.hall("QD"))
    cache = SessionCache(TOKENS, ttl=3600)
    theirs = _bearer(other)
    assert await cache.session(theirs) is not None
    await _bump(other)
    cache.revoked(user.id, user.token_version + 1)
    assert await cache.session(theirs) is not None  # still remembered: not their revocation
    await _bump(user)
    fresh = await User.get(id=user.id)
    assert await cache.session(_bearer(fresh)) is not None


async def test_an_expired_token_is_refused_though_remembered(db: object) -> None:
    user = await _clerk()
    cache, bearer = SessionCache(TOKENS, ttl=3600), _bearer(user, ttl=timedelta(seconds=1))
    assert await cache.session(bearer) is not None
    await asyncio.sleep(1.1)
    assert await cache.session(bearer) is None


async def test_a_lost_channel_forgets_everything(db: object) -> None:
    user = await _clerk()
    cache, bearer = SessionCache(TOKENS, ttl=3600), _bearer(user)
    assert await cache.session(bearer) is not None
    await _bump(user)
    cache.forget_all()
    assert await cache.session(bearer) is None


async def test_bad_headers_are_refused(db: object) -> None:
    user = await _clerk()
    cache = SessionCache(TOKENS, ttl=3600)
    assert await cache.session(None) is None
    assert await cache.session("") is None
    assert await cache.session(_bearer(user)[:-2] + "xx") is None
    assert await cache.session("Basic " + _bearer(user).split()[1]) is None


async def test_socket_sessions_tell_the_cache_of_revocations(db: object) -> None:
    user = await _clerk()
    cache, bearer = SessionCache(TOKENS, ttl=3600), _bearer(user)
    sessions = SocketSessions()
    sessions.revocation_listeners.append(cache.revoked)
    assert await cache.session(bearer) is not None
    await _bump(user)
    await sessions.revoked(user.id, user.token_version + 1)  # no Redis: this process only
    assert await cache.session(bearer) is None


async def _post(base: str, bearer: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        response = await client.post(
            "/graphql", json={"query": "{ halls { code } }"}, headers={"Authorization": bearer}
        )
    body: dict[str, Any] = response.json()
    return body


async def test_a_revocation_from_another_process_reaches_a_server_at_once(
    committed: Servers, server: str
) -> None:
    user = await _clerk()
    bearer = _bearer(user)
    assert "errors" not in await _post(server, bearer)
    await _bump(user)  # unannounced: the server still remembers the session
    assert "errors" not in await _post(server, bearer)
    redis = aioredis.Redis.from_url(committed.redis_url)
    try:
        await redis.publish("hall:tokens:revoked", f"{user.id}:{user.token_version + 1}")
    finally:
        await redis.aclose()
    await asyncio.sleep(0.3)  # the channel's delivery, far below the cache's TTL
    refused = await _post(server, bearer)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
