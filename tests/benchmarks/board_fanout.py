"""Board fan-out: N screens on one API process, a ticket call, delivery latency per screen.

Run: .venv/bin/python -m tests.benchmarks.board_fanout [--screens 5000] [--baseline 1000] [--rounds 3]

Starts embedded PostgreSQL and Redis (or uses --database-url/--redis-url), prepares a hall with
an open window and a MONITOR account, runs `hall serve` (API only) and opens the screens from
`--clients` separate processes (raw-socket graphql-transport-ws, see board_screens.py), every one
authenticated as the MONITOR and subscribed to hallBoard. Each round takes a number (a barrier
every screen must see), calls it with ticketCallNext and measures, per screen, the time from
sending the mutation to the arrival of its TICKET_CALLED frame, then finishes it. Prints p50, p99
and max per round and their medians, and the server's RSS growth per idle subscribed screen.
With --baseline N (0 to skip) the same runs against a second server with HALL_BOARD_GROUPING=0
(stock strawberry: every subscriber executes and encodes every event) at N screens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import psutil
import redis.asyncio as aioredis
import uvloop

from tests.benchmarks.board_screens import Screen, connect
from tests.benchmarks.board_service import Api, BoardHall, embedded, prepare, raise_fd_limit, serve


def client_process(
    pipe: Connection, address: tuple[str, int], token: str, hall_id: str, count: int
) -> None:
    """A client process: `count` screens, answering the parent's commands over `pipe`."""
    raise_fd_limit()
    uvloop.run(_client(pipe, address, token, hall_id, count))


async def _client(
    pipe: Connection, address: tuple[str, int], token: str, hall_id: str, count: int
) -> None:
    loop = asyncio.get_running_loop()
    counts: Counter[int] = Counter()
    waiting: dict[int, tuple[int, asyncio.Future[None]]] = {}

    def on_event(_: Screen, seq: int, __: float) -> None:
        counts[seq] += 1
        found = waiting.get(seq)
        if found is not None and counts[seq] >= found[0] and not found[1].done():
            found[1].set_result(None)

    screens: list[Screen] = []
    gate = asyncio.Semaphore(50)

    async def open_one() -> None:
        async with gate:
            screens.append(await connect(Screen(address, token, hall_id, on_event=on_event)))

    results = await asyncio.gather(*(open_one() for _ in range(count)), return_exceptions=True)
    failures = [repr(r) for r in results if isinstance(r, BaseException)]
    pipe.send(("ready", len(screens), failures[:3]))
    while True:
        command = await asyncio.to_thread(pipe.recv)
        if command[0] == "wait":
            _, seq, timeout = command
            live = sum(1 for s in screens if not s.lost.done())
            if counts[seq] < live:
                waiting[seq] = (live, loop.create_future())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiting[seq][1], timeout)
            pipe.send(("arrivals", [s.arrivals.get(seq) for s in screens]))
        else:
            errors = [e for s in screens for e in s.errors]
            for s in screens:
                s.close()
            await asyncio.sleep(0.5)
            pipe.send(("stopped", len(errors), errors[:3]))
            return


@dataclass
class Outcome:
    """The figures of one server run."""

    label: str
    screens: int = 0
    connect_seconds: float = 0.0
    kb_per_screen: float = 0.0
    rss_mb: tuple[float, float, float] = (0.0, 0.0, 0.0)
    rounds: list[dict[str, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def quantile(values: list[float], q: float) -> float:
    """The q-quantile of sorted values (nearest rank)."""
    return values[min(len(values) - 1, max(0, round(q * len(values) + 0.5) - 1))]


async def settle(server: psutil.Process, seconds: float = 30) -> None:
    """Wait until the server process is idle (less than 2% of a core over half a second)."""
    deadline = time.monotonic() + seconds
    before = sum(server.cpu_times()[:2])
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now = sum(server.cpu_times()[:2])
        if now - before < 0.01:
            return
        before = now


class Clients:
    """The client processes and their pipes."""

    def __init__(self, count: int, processes: int, args: tuple[Any, ...]) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipes: list[Connection] = []
        self.procs = []
        shares = [
            count // processes + (1 if n < count % processes else 0) for n in range(processes)
        ]
        for share in shares:
            parent, child = context.Pipe()
            proc = context.Process(target=client_process, args=(child, *args, share), daemon=True)
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)

    async def replies(self) -> list[Any]:
        """One reply from every client process."""
        return list(await asyncio.gather(*(asyncio.to_thread(p.recv) for p in self.pipes)))

    async def arrivals(self, seq: int, seconds: float) -> list[float | None]:
        """When each screen got the event `seq` (None: not within `seconds`)."""
        for pipe in self.pipes:
            pipe.send(("wait", seq, seconds))
        return [t for reply in await self.replies() for t in reply[1]]

    async def stop(self) -> list[Any]:
        """Close the screens and end the processes."""
        for pipe in self.pipes:
            pipe.send(("stop",))
        replies = await self.replies()
        for proc in self.procs:
            proc.join(10)
        return replies


async def run(
    folder: Path,
    urls: tuple[str, str],
    hall: BoardHall,
    screens: int,
    args: argparse.Namespace,
    *,
    grouping: bool,
) -> Outcome:
    """One server, `screens` screens, the rounds."""
    label = f"grouping {'on' if grouping else 'off'} (HALL_BOARD_GROUPING={int(grouping)})"
    outcome = Outcome(label)
    redis = aioredis.Redis.from_url(urls[1])
    seq_key = f"hall:{hall.pk}:board:seq"

    async def last_seq() -> int:
        return int(await redis.get(seq_key) or 0)

    with serve(folder, *urls, {"HALL_BOARD_GROUPING": str(int(grouping))}) as (base, proc):
        server = psutil.Process(proc.pid)
        api = Api(base, hall)
        screen_token, clerk_token = await api.token(hall.screen), await api.token(hall.clerk)
        await settle(server)
        rss_before = server.memory_info().rss
        started = time.monotonic()
        port = int(base.rsplit(":", 1)[1])
        clients = Clients(screens, args.clients, (("127.0.0.1", port), screen_token, hall.hall_id))
        ready = await clients.replies()
        outcome.screens = sum(r[1] for r in ready)
        outcome.errors += [e for r in ready for e in r[2]]
        outcome.connect_seconds = time.monotonic() - started
        assert outcome.screens == screens, (
            f"only {outcome.screens} screens connected: {outcome.errors}"
        )
        if grouping:
            deadline = time.monotonic() + 60
            while await api.metric("hall_board_group_members") < outcome.screens:
                assert time.monotonic() < deadline, "the screens did not all join their group"
                await asyncio.sleep(0.2)
        await settle(server)
        rss_idle = server.memory_info().rss
        outcome.kb_per_screen = (rss_idle - rss_before) / max(outcome.screens, 1) / 1024
        for _ in range(args.rounds):
            await api.issue()  # a barrier: every screen is live once it has this event
            barrier = await clients.arrivals(await last_seq(), 60)
            outcome.errors += [f"{barrier.count(None)} screens missed the barrier"] * (
                None in barrier
            )
            await settle(server, 5)
            cpu = sum(server.cpu_times()[:2])
            sent = time.monotonic()
            ticket = await api.call_next(clerk_token)
            returned = time.monotonic()
            arrivals = await clients.arrivals(await last_seq(), 60)
            cpu = sum(server.cpu_times()[:2]) - cpu
            latencies = sorted(t - sent for t in arrivals if t is not None)
            outcome.rounds.append(
                {
                    "delivered": len(latencies),
                    "p50": quantile(latencies, 0.5) * 1000,
                    "p99": quantile(latencies, 0.99) * 1000,
                    "max": latencies[-1] * 1000,
                    "mutation": (returned - sent) * 1000,
                    "after_return_p99": (quantile(latencies, 0.99) - (returned - sent)) * 1000,
                    "cpu": cpu * 1000,
                }
            )
            await api.finish(clerk_token, ticket)
            await clients.arrivals(await last_seq(), 60)
        rss_after = server.memory_info().rss
        outcome.rss_mb = (rss_before / 2**20, rss_idle / 2**20, rss_after / 2**20)
        stopped = await clients.stop()
        outcome.errors += [e for r in stopped for e in r[2]]
        await api.close()
    await redis.aclose()
    return outcome


def report(outcome: Outcome) -> None:
    """Print one run's figures."""
    print(
        f"\n{outcome.label}: {outcome.screens} screens connected and subscribed in {outcome.connect_seconds:.1f} s"
    )
    before, idle, after = outcome.rss_mb
    print(
        f"  server RSS {before:.0f} MB -> {idle:.0f} MB with idle screens ({outcome.kb_per_screen:.1f} KB per screen)"
        f" -> {after:.0f} MB after the rounds"
    )
    for n, r in enumerate(outcome.rounds, 1):
        print(
            f"  round {n}: delivered {r['delivered']:.0f}/{outcome.screens}; latency from send p50 {r['p50']:.0f} ms,"
            f" p99 {r['p99']:.0f} ms, max {r['max']:.0f} ms (the mutation itself took {r['mutation']:.0f} ms);"
            f" server CPU {r['cpu']:.0f} ms = {r['cpu'] * 1000 / outcome.screens:.0f} µs per screen"
        )
    if outcome.rounds:
        med = {k: statistics.median(r[k] for r in outcome.rounds) for k in outcome.rounds[0]}
        print(
            f"  median of {len(outcome.rounds)} rounds: p50 {med['p50']:.0f} ms, p99 {med['p99']:.0f} ms,"
            f" max {med['max']:.0f} ms; p99 after the mutation returned {med['after_return_p99']:.0f} ms"
        )
    if outcome.errors:
        print(f"  errors: {len(outcome.errors)}, e.g. {outcome.errors[:3]}")


def main() -> None:
    """Prepare, run grouped and baseline, print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--screens", type=int, default=5000)
    parser.add_argument(
        "--baseline", type=int, default=1000, help="screens with grouping off; 0 skips"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--clients", type=int, default=1, help="client processes (one leaves a core to the server)"
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=None)
    args = parser.parse_args()
    limit = raise_fd_limit()
    print(f"open-file limit {limit}; {psutil.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="hall-fanout-") as tmp:
        folder = Path(tmp)
        with embedded(folder, args.database_url, args.redis_url) as urls:
            hall = asyncio.run(prepare(urls[0]))
            report(asyncio.run(run(folder, urls, hall, args.screens, args, grouping=True)))
            if args.baseline:
                report(asyncio.run(run(folder, urls, hall, args.baseline, args, grouping=False)))


if __name__ == "__main__":
    main()
