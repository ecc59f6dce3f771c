"""Password checks run in worker threads: a burst of logins does not stall the event loop."""

from __future__ import annotations

import asyncio
import time

import pytest
from argon2 import PasswordHasher

from models.accounts import passwords
from models.accounts.passwords import (
    hash_password,
    verify_password,
    verify_password_off_loop,
)


async def test_a_burst_of_checks_leaves_the_loop_free(monkeypatch: pytest.MonkeyPatch) -> None:
    # The production cost (the suite may use a cheaper one), so that one check takes long.
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher())
    stored = hash_password("a-password-42")
    started = time.perf_counter()
    assert verify_password(stored, "a-password-42")
    one_check = time.perf_counter() - started
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    results = await asyncio.gather(
        *(verify_password_off_loop(stored, p) for p in ["a-password-42", "wrong"] * 4)
    )
    done.set()
    await ticking
    assert results == [True, False] * 4
    # On the loop, the eight checks would block it for eight checks' time in one go; in threads
    # it ticks on between them (on two busy cores it may wait a little, never for long).
    assert max(gaps) < 3 * one_check, (max(gaps), one_check)


async def test_an_unknown_account_still_costs_a_check() -> None:
    assert not await verify_password_off_loop(None, "anything")
    assert not await verify_password_off_loop("not-a-hash", "anything")
