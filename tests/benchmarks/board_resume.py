"""Board resume: screens that drop and reconnect with afterSeq end up with every event, in order.

Run: .venv/bin/python -m tests.benchmarks.board_resume [--screens 200] [--events 1000]

Starts embedded PostgreSQL and Redis (or uses --database-url/--redis-url), prepares a hall, runs
`hall serve` (API only) and opens the screens from a separate client process (raw-socket
graphql-transport-ws, see board_screens.py), all subscribed to hallBoard. Then it issues
`--events` tickets through the API (one board event each) while every screen, at random
moments, drops its connection (half abruptly, half with a clean close) and reconnects after a
short pause with afterSeq = the last seq it saw. At the end each screen must hold exactly the
events after its start, in order: seq contiguous, no gap, no duplicate. Prints pass/fail
counts, reconnects, timing and how often the server executed the selection.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import random
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
import uvloop

from tests.benchmarks.board_screens import Screen, connect
from tests.benchmarks.board_service import Api, embedded, prepare, raise_fd_limit, serve


@dataclass
class Slot:
    """One screen across its reconnections: every seq it received, in arrival order."""

    seqs: list[int] = field(default_factory=list)
    base: int | None = None
    screen: Screen | None = None
    aborted: int = 0
    closed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def last(self) -> int | None:
        """The last seq seen (before any: the seq the run started from, once known)."""
        return self.seqs[-1] if self.seqs else self.base


def client_process(
    pipe: Connection, address: tuple[str, int], token: str, hall_id: str, count: int
) -> None:
    """The screens' process, driven by the parent over `pipe`."""
    raise_fd_limit()
    uvloop.run(_client(pipe, address, token, hall_id, count))


async def _open(slot: Slot, address: tuple[str, int], token: str, hall_id: str) -> None:
    """(Re)connect a screen, resuming after the last seq it saw; retries until it is in."""

    def on_event(_: Screen, seq: int, __: float) -> None:
        slot.seqs.append(seq)

    for attempt in range(50):
        screen = Screen(address, token, hall_id, after=slot.last, on_event=on_event)
        try:
            slot.screen = await connect(screen, 30)
            return
        except (OSError, TimeoutError) as exc:
            slot.errors.append(f"connect attempt {attempt}: {exc!r}")
            await asyncio.sleep(0.2)
    raise RuntimeError("could not reconnect")


async def _churn(
    slot: Slot, rng: random.Random, stop: asyncio.Event, args: tuple[Any, ...], drop_every: float
) -> None:
    """Drop and resume at random moments (`drop_every` seconds apart on average) until told to stop."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), rng.uniform(0, 2 * drop_every))
        if stop.is_set():
            return
        assert slot.screen is not None
        slot.errors += slot.screen.errors
        if rng.random() < 0.5:
            slot.screen.abort()
            slot.aborted += 1
        else:
            slot.screen.close()
            slot.closed += 1
        await asyncio.sleep(rng.uniform(0, 0.3))
        await _open(slot, *args)


async def _client(
    pipe: Connection, address: tuple[str, int], token: str, hall_id: str, count: int
) -> None:
    slots = [Slot() for _ in range(count)]
    args = (address, token, hall_id)
    gate = asyncio.Semaphore(50)

    async def open_one(slot: Slot) -> None:
        async with gate:
            await _open(slot, *args)

    await asyncio.gather(*(open_one(slot) for slot in slots))
    pipe.send(("ready",))
    _, base, seed, drop_every = await asyncio.to_thread(pipe.recv)  # ("go", base seq, seed, s)
    for slot in slots:
        slot.base = base
    stop = asyncio.Event()
    rng = random.Random(seed)  # noqa: S311  (random moments, not secrets)
    churning = [
        asyncio.create_task(_churn(slot, random.Random(rng.random()), stop, args, drop_every))  # noqa: S311
        for slot in slots
    ]
    _, final = await asyncio.to_thread(pipe.recv)  # ("final", last seq)
    stop.set()
    await asyncio.gather(*churning)
    for _ in range(2400):  # up to two minutes
        if all(slot.last == final for slot in slots):
            break
        await asyncio.sleep(0.05)
    caught_up = time.monotonic()
    expected = list(range(base + 1, final + 1))
    results = []
    for slot in slots:
        assert slot.screen is not None
        errors = slot.errors + slot.screen.errors
        gaps = sum(1 for a, b in zip(slot.seqs, slot.seqs[1:], strict=False) if b > a + 1)
        repeats = sum(1 for a, b in zip(slot.seqs, slot.seqs[1:], strict=False) if b <= a)
        results.append(
            (
                slot.seqs == expected,
                len(slot.seqs),
                gaps,
                repeats,
                slot.aborted,
                slot.closed,
                errors[:2],
            )
        )
        slot.screen.close()
    pipe.send(("results", caught_up, results))


def main() -> None:
    """Prepare, run, print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--screens", type=int, default=200)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--producers", type=int, default=4, help="concurrent ticketIssue callers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--drop-every", type=float, default=10.0, help="mean seconds between drops")
    parser.add_argument(
        "--grouping", type=int, default=1, help="HALL_BOARD_GROUPING for the server"
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=None)
    args = parser.parse_args()
    raise_fd_limit()
    with tempfile.TemporaryDirectory(prefix="hall-resume-") as tmp:
        folder = Path(tmp)
        with embedded(folder, args.database_url, args.redis_url) as urls:
            hall = asyncio.run(prepare(urls[0]))
            with serve(folder, *urls, {"HALL_BOARD_GROUPING": str(args.grouping)}) as (base, _):
                asyncio.run(run(base, urls[1], hall, args))


async def _receive(pipe: Connection, proc: Any) -> Any:
    """The client process's next message (fails if the process died)."""
    while not await asyncio.to_thread(pipe.poll, 1):
        assert proc.is_alive(), "the client process died"
    return pipe.recv()


async def run(base: str, redis_url: str, hall: Any, args: argparse.Namespace) -> None:
    """Connect, produce while the screens churn, check every screen."""
    api = Api(base, hall)
    redis = aioredis.Redis.from_url(redis_url)
    token = await api.token(hall.screen)
    context = multiprocessing.get_context("spawn")
    pipe, child = context.Pipe()
    port = int(base.rsplit(":", 1)[1])
    proc = context.Process(
        target=client_process,
        args=(child, ("127.0.0.1", port), token, hall.hall_id, args.screens),
        daemon=True,
    )
    proc.start()
    await _receive(pipe, proc)
    for _ in range(600 if args.grouping else 20):  # grouped: until every screen is in its group
        if args.grouping and await api.metric("hall_board_group_members") >= args.screens:
            break
        await asyncio.sleep(0.1)
    executions = await api.metric("hall_board_group_executions_total")
    first = int(await redis.get(f"hall:{hall.pk}:board:seq") or 0)
    pipe.send(("go", first, args.seed, args.drop_every))
    started = time.monotonic()
    remaining = args.events

    async def produce() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await api.issue()

    await asyncio.gather(*(produce() for _ in range(args.producers)))
    produced = time.monotonic()
    final = int(await redis.get(f"hall:{hall.pk}:board:seq") or 0)
    pipe.send(("final", final))
    _, caught_up, results = await _receive(pipe, proc)
    executions = await api.metric("hall_board_group_executions_total") - executions
    proc.join(10)
    await api.close()
    await redis.aclose()

    passed = sum(1 for r in results if r[0])
    aborted, closed = sum(r[4] for r in results), sum(r[5] for r in results)
    print(
        f"\n{args.screens} screens, {final - first} board events (tickets issued by {args.producers} callers)"
    )
    print(
        f"  produced in {produced - started:.1f} s ({(final - first) / (produced - started):.0f} events/s)"
    )
    print(
        f"  reconnects with afterSeq: {aborted + closed} ({aborted} after an abrupt drop, {closed} after a clean close)"
    )
    print(
        f"  every screen complete {max(caught_up - produced, 0) * 1000:.0f} ms after the last event was issued"
    )
    print(
        f"  PASS {passed} / FAIL {len(results) - passed} (each screen: seq {first + 1}..{final}, contiguous, no repeats)"
    )
    for ok, count, gaps, repeats, _, _, errors in results:
        if not ok:
            print(f"    failed screen: {count} events, {gaps} gaps, {repeats} repeats, {errors}")
            break
    if args.grouping:
        print(
            f"  group executions: {executions:.0f} for {final - first} events (the rest of the work was each resumer's own replay)"
        )


if __name__ == "__main__":
    main()
