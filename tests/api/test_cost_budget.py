"""The Redis cost budget: concurrent spends go together but each is applied exactly as alone."""

from __future__ import annotations

import asyncio
import secrets

import pytest
import redis.asyncio as aioredis

from api.cost_budget import RESERVE, RedisCostBudget
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


async def test_held_points_serve_later_spends_without_a_round_trip(orm: Servers) -> None:
    client, budget = await _budget(orm, 1_000)  # a slice of 10 points
    try:
        first = await budget.spend("user:1", 1)
        assert (first.allowed, first.remaining, budget.round_trips) == (True, 999, 1)
        later = [await budget.spend("user:1", 1) for _ in range(9)]
        assert [s.remaining for s in later] == list(range(998, 989, -1))
        assert budget.round_trips == 1
        assert int(await client.get(budget.prefix + "user:1") or 0) == 10  # reserved in Redis
        big = await budget.spend("user:1", 30)  # more than is held: reserved, exactly as needed
        assert (big.allowed, big.remaining, budget.round_trips) == (True, 960, 2)
        assert int(await client.get(budget.prefix + "user:1") or 0) == 40
    finally:
        await client.aclose()


async def test_processes_together_never_spend_past_the_limit(orm: Servers) -> None:
    client, one = await _budget(orm, 100)
    other = RedisCostBudget(client, 100, 60, prefix=one.prefix, slice_points=10)
    one.slice_points = 10  # two processes, each reserving slices of 10 points
    try:
        spends = [budget.spend("user:1", 1) for _ in range(120) for budget in (one, other)]
        spent = await asyncio.gather(*spends)
        allowed = sum(s.allowed for s in spent)
        # Never past the limit; refused early by at most the slice the other process holds.
        assert 100 - 2 * 10 <= allowed <= 100
        assert int(await client.get(one.prefix + "user:1") or 0) <= 100
        assert all(0 <= s.remaining <= 100 for s in spent)
    finally:
        await client.aclose()


async def test_held_points_end_with_their_window(orm: Servers) -> None:
    client = aioredis.Redis.from_url(orm.redis_url)
    budget = RedisCostBudget(client, 1_000, 1, prefix=f"test:cost:{secrets.token_hex(4)}:")
    try:
        assert (await budget.spend("user:1", 5)).remaining == 995
        await asyncio.sleep(1.1)  # the window ends; the points held in it go with it
        again = await budget.spend("user:1", 5)
        assert (again.allowed, again.remaining, budget.round_trips) == (True, 995, 2)
    finally:
        await client.aclose()


async def test_a_failed_reservation_gives_back_what_was_held(orm: Servers) -> None:
    client, budget = await _budget(orm, 1_000)
    dead = aioredis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        await budget.spend("user:1", 1)  # 9 points held
        working = budget._reserve
        budget._reserve = dead.register_script(RESERVE)
        with pytest.raises(Exception):  # noqa: B017, PT011  (whatever redis-py raises)
            await budget.spend("user:1", 20)
        budget._reserve = working
        held = await budget.spend("user:1", 9)  # still held: no round trip
        assert (held.allowed, held.remaining, budget.round_trips) == (True, 990, 2)
    finally:
        await client.aclose()
        await dead.aclose()
