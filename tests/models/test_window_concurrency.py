"""Windows under real concurrency: several connections at the same instant."""

from __future__ import annotations

import asyncio

from models.accounts.tables import Role
from models.catalogue import actions
from models.catalogue.errors import ClerkBusyError, WindowStateError
from models.catalogue.tables import Window, WindowStateChange
from tests import factories as f


async def test_two_clerks_opening_one_window_at_once(committed: object) -> None:
    hall = await f.hall("JN")
    window = await f.window(hall, "1")
    actors = [(await f.user(f"clerk{n}", Role.CLERK, of=hall))[1] for n in range(8)]
    results = await asyncio.gather(
        *(actions.open_window(a, window.id, f.NOW) for a in actors), return_exceptions=True
    )
    winners = [r for r in results if isinstance(r, Window)]
    losers = [r for r in results if isinstance(r, WindowStateError)]
    assert (len(winners), len(losers)) == (1, 7), results
    row = await Window.get(id=window.id)
    assert row.clerk_id == winners[0].clerk_id
    assert await WindowStateChange.filter(window_id=window.id).count() == 1


async def test_one_clerk_opening_two_windows_at_once(committed: object) -> None:
    hall = await f.hall("JN")
    windows = [await f.window(hall, str(n)) for n in range(1, 7)]
    _, clerk = await f.user("clerk1", Role.CLERK, of=hall)
    results = await asyncio.gather(
        *(actions.open_window(clerk, w.id, f.NOW) for w in windows), return_exceptions=True
    )
    opened = [r for r in results if isinstance(r, Window)]
    assert len(opened) == 1, results
    assert all(isinstance(r, ClerkBusyError) for r in results if not isinstance(r, Window))
    assert await Window.filter(state="OPEN").count() == 1
    assert await WindowStateChange.all().count() == 1
