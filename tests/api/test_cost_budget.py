"""The Redis cost budget: concurrent spends go together but each is applied exactly as alone."""

from __future__ import annotations

import asyncio
import secrets

import pytest
import redis.asyncio as aioredis

from api.cost_budget import RedisCostBudget
from tests.conftest import Servers


async def _budget(orm: Servers, limit: int) -> tuple[aioredis.Redis, RedisCostBudget]:
    client = aioredis.Redis.from_url(orm.redis_url)
    prefix = f"test:cost:{secrets.token_hex(4)}:"
    return client, RedisCostBudget(client, limit, 60, prefix=prefix)


async def test_concurrent_spends_never_overdraw_and_refusals_cost_nothing(orm: Servers) -> None:
    client, budget = await _budget(orm, 10)
    try:
        spent = await asyncio.gather(*(budget.spend("user:1", 1) for _ in range(25)))
        assert sum(s.allowed for s in spent) == 10
        assert sorted(s.remaining for s in spent if s.allowed) == list(range(10))
        assert all(s.remaining == 0 and s.limit == 10 for s in spent if not s.allowed)
        assert all(1 <= s.reset_in <= 60 for s in spent)
        other = await budget.spend("user:2", 4)  # callers have budgets of their own
        assert (other.allowed, other.remaining) == (True, 6)
    finally:
        await client.aclose()


async def test_spends_apply_in_arrival_order(orm: Servers) -> None:
    client, budget = await _budget(orm, 10)
    try:
        big, small, too_big, last = await asyncio.gather(
            budget.spend("user:1", 7),
            budget.spend("user:1", 2),
            budget.spend("user:1", 5),  # would overdraw: refused, and costs nothing
            budget.spend("user:1", 1),
        )
        assert [s.allowed for s in (big, small, too_big, last)] == [True, True, False, True]
        assert [s.remaining for s in (big, small, last)] == [3, 1, 0]
    finally:
        await client.aclose()


async def test_a_redis_failure_fails_each_waiting_spend(orm: Servers) -> None:
    client = aioredis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    budget = RedisCostBudget(client, 10, 60)
    try:
        results = await asyncio.gather(
            *(budget.spend("user:1", 1) for _ in range(3)), return_exceptions=True
        )
        assert all(isinstance(r, Exception) for r in results)
        with pytest.raises(Exception):  # noqa: B017, PT011  (whatever redis-py raises)
            await budget.spend("user:1", 1)  # the next round trip is tried, not skipped
    finally:
        await client.aclose()
