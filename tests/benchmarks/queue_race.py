"""The call-next race: N windows calling concurrently through the GraphQL mutation.

Run: .venv/bin/python -m tests.benchmarks.queue_race [--windows 40] [--tickets 20000]
    [--workers 1] [--client httpx|raw] [--finish combined|separate]
Starts `hall serve` on embedded servers (or --database-url/--redis-url), creates a hall open
around the clock with one lane and N open windows (one clerk each), loads the tickets directly,
then every window calls until the queue is empty: `--finish combined` (the default, the pad's
下一位) sends one ticketCallNext with finishCurrent per ticket and finishes the last one with
ticketFinish; `--finish separate` loops ticketCallNext + ticketFinish. Prints calls/s,
call latency (median, p99), the API process's CPU per request (one process; both counted once
every window has signed in), and checks that no
ticket was called twice and none was skipped.
`--workers` sets the API processes (HALL_API_WORKERS). `--client raw` posts over plain keep-alive
sockets instead of httpx, which spends about a millisecond of CPU per request: on a machine the
server shares with the client, httpx alone caps the figure at a few hundred calls/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import orjson
from strawberry.relay import from_base64, to_base64
from tortoise import Tortoise

from api.database import orm
from models.accounts.tables import Role
from models.catalogue import actions as catalogue
from models.catalogue.rules import LaneDraft
from models.common.actor import SYSTEM_ACTOR
from models.queue.rules import rank
from models.queue.tables import Ticket, TicketChannel, TicketPriority, TicketStatus
from tests import factories as f
from tests.api.test_service_process import _wait_ready, free_port

CALL = "mutation($i: TicketCallNextInput!){ticketCallNext(input:$i){__typename ... on TicketPayload{ticket{id}} ... on UserError{code}}}"
FINISH = "mutation($i: TicketFinishInput!){ticketFinish(input:$i){__typename}}"
SERVED = {"outcome": "SERVED"}


async def prepare(
    database_url: str, windows: int, tickets: int
) -> tuple[list[tuple[str, str]], int]:
    """The hall, lane, open windows with their clerks, and the tickets; returns (login, window id)."""
    async with orm(database_url):
        hall = await f.hall("BENCH")
        await f.always_open(hall)
        lane = await catalogue.create_lane(
            SYSTEM_ACTOR,
            LaneDraft(
                hall_id=hall.id,
                prefix="A",
                name="A类",
                range_start=1,
                range_end=9999,
                daily_cap=9999,
            ),
            datetime.now(UTC),
        )
        pairs = []
        for n in range(windows):
            window = await f.window(hall, str(n + 1))
            user, clerk = await f.user(f"bench{n:03d}", Role.CLERK, of=hall)
            await catalogue.open_window(clerk, window.id, datetime.now(UTC))
            pairs.append((user.username, to_base64("Window", window.id)))
        now = datetime.now(UTC)
        local = now.astimezone(ZoneInfo(hall.timezone))
        day = local.date()
        rows = [
            Ticket(
                hall_id=hall.id,
                lane_id=lane.id,
                issued_lane_id=lane.id,
                business_day=day,
                sequence=n + 1,
                number=f"A{n + 1:04d}",
                channel=TicketChannel.KIOSK,
                priority=TicketPriority.NORMAL,
                rank=rank(TicketPriority.NORMAL, local.time()) + n,
                issued_at=now,
                updated_at=now,
            )
            for n in range(tickets)
        ]
        await Ticket.bulk_create(rows, batch_size=2000)
    await Tortoise.close_connections()
    return pairs, tickets


class RawClient:
    """POSTs JSON over one keep-alive HTTP/1.1 connection (a stand-in for httpx.AsyncClient)."""

    def __init__(self, base_url: str, timeout: float) -> None:
        host, _, port = base_url.removeprefix("http://").partition(":")
        self.host, self.port, self.timeout = host, int(port), timeout
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def __aenter__(self) -> RawClient:
        self.streams = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self.streams is not None:
            self.streams[1].close()

    async def post(
        self, path: str, *, json: Any, headers: dict[str, str] | None = None
    ) -> RawResponse:
        """One request and its response (Content-Length framed, as uvicorn sends JSON)."""
        assert self.streams is not None
        reader, writer = self.streams
        body = orjson.dumps(json)
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        head = (
            f"POST {path} HTTP/1.1\r\nhost: {self.host}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\n{extra}\r\n"
        )
        writer.write(head.encode() + body)
        async with asyncio.timeout(self.timeout):
            raw = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in raw.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            return RawResponse(int(raw.split(b" ", 2)[1]), await reader.readexactly(length))


class RawResponse:
    """Status and body of a RawClient response."""

    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code, self.content = status_code, content

    def json(self) -> Any:
        """The decoded body."""
        return orjson.loads(self.content)


@dataclass
class Race:
    """What the windows called, each call's latency, and the race's time and server CPU."""

    called: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    cpu: tuple[float, float] = (0.0, 0.0)  # the server's user and system seconds, when known


async def drive(
    base: str,
    pairs: list[tuple[str, str]],
    client_kind: str = "httpx",
    finish: str = "combined",
    server_pid: int | None = None,
) -> Race:
    """Every window signs in; then all call and finish until the queue is empty.

    Time and the server's CPU are counted from the moment every window has signed in (a login
    verifies a password hash: tens of milliseconds of CPU each, not part of the race).
    """
    race = Race()
    called = race.called
    signed_in = asyncio.Barrier(len(pairs) + 1)
    latencies = race.latencies
    login = "mutation($i: AuthLoginInput!){authLogin(input:$i){... on AuthLoginSuccess{token}}}"

    def connect() -> Any:
        if client_kind == "raw":
            return RawClient(base, timeout=60)
        return httpx.AsyncClient(base_url=base, timeout=60)

    async def window(username: str, window_id: str) -> None:
        async with connect() as client:
            body = {
                "query": login,
                "variables": {"i": {"username": username, "password": f.PASSWORD}},
            }
            token = (await client.post("/graphql", json=body)).json()["data"]["authLogin"]["token"]
        headers = {"Authorization": f"Bearer {token}"}
        await signed_in.wait()
        # A connection of its own for the race (an idle one may pass the server's keep-alive).
        async with connect() as client:
            serving: str | None = None
            call: dict[str, Any] = {"windowId": window_id}
            if finish == "combined":
                call["finishCurrent"] = SERVED
            while True:
                started = time.perf_counter()
                response = await client.post(
                    "/graphql", headers=headers, json={"query": CALL, "variables": {"i": call}}
                )
                latencies.append(time.perf_counter() - started)
                result: Any = response.json()["data"]["ticketCallNext"]
                if result["__typename"] != "TicketPayload":
                    assert result["code"] == "QUEUE_EMPTY", result
                    break
                serving = result["ticket"]["id"]
                called.append(int(from_base64(serving)[1]))
                if finish == "separate":
                    await finish_one(client, headers, serving)
                    serving = None
            if serving is not None:  # combined: the last one called is still in service
                await finish_one(client, headers, serving)

    async def finish_one(client: Any, headers: dict[str, str], ticket_id: str) -> None:
        response = await client.post(
            "/graphql",
            headers=headers,
            json={"query": FINISH, "variables": {"i": {"ticketId": ticket_id} | SERVED}},
        )
        assert response.json()["data"]["ticketFinish"]["__typename"] == "TicketPayload"

    def cpu() -> tuple[float, float]:
        return (0.0, 0.0) if server_pid is None else process_cpu_seconds(server_pid)

    windows = [asyncio.create_task(window(u, w)) for u, w in pairs]
    await signed_in.wait()
    started, cpu_before = time.perf_counter(), cpu()
    await asyncio.gather(*windows)
    race.elapsed = time.perf_counter() - started
    cpu_after = cpu()
    race.cpu = (cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1])
    return race


async def verify(database_url: str, tickets: int) -> tuple[int, int]:
    """Finished and still waiting tickets in the database."""
    async with orm(database_url):
        finished = await Ticket.filter(status=TicketStatus.FINISHED).count()
        waiting = await Ticket.filter(status=TicketStatus.WAITING).count()
    return finished, waiting


def main() -> None:
    """Start the service, race the windows, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--windows", type=int, default=40)
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--client", choices=("httpx", "raw"), default="httpx")
    parser.add_argument("--finish", choices=("combined", "separate"), default="combined")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hall-race-") as tmp:
        from api.embedded import EmbeddedServers  # noqa: PLC0415

        embedded = EmbeddedServers(Path(tmp) / "data")
        embedded.start(postgres=args.database_url is None, redis=args.redis_url is None)
        database_url = args.database_url or embedded.database_url
        redis_url = args.redis_url or embedded.redis_url
        assert database_url
        assert redis_url
        from api.database import apply_migrations  # noqa: PLC0415

        asyncio.run(apply_migrations(database_url))
        pairs, tickets = asyncio.run(prepare(database_url, args.windows, args.tickets))
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
        env |= {
            "HALL_DATA_DIR": str(Path(tmp) / "serve"), "HALL_PORT": str(port), "HALL_ENV": "prod",
            "HALL_LOG_LEVEL": "WARNING", "HALL_SECRET_KEY": secrets.token_urlsafe(40),
            "HALL_DATABASE_URL": database_url, "HALL_REDIS_URL": redis_url,
            "HALL_API_WORKERS": str(args.workers),
        }  # fmt: skip
        log_path = Path(tmp) / "serve.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "serve"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base, proc, log_path)
            race = asyncio.run(drive(base, pairs, args.client, args.finish, proc.pid))
            called, latencies, elapsed = race.called, race.latencies, race.elapsed
            api_user, api_system = race.cpu
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(30)
        finished, waiting = asyncio.run(verify(database_url, tickets))
        embedded.stop()
    twice = sum(1 for _, n in Counter(called).items() if n > 1)
    print(
        f"{args.workers} API process(es), {args.client} client, finish {args.finish}, "
        f"{len(pairs)} windows, {tickets} tickets: {len(called)} calls in {elapsed:.1f} s = {len(called) / elapsed:.0f} calls/s"
    )
    print(
        f"call latency median {statistics.median(latencies) * 1000:.1f} ms, p99 {sorted(latencies)[int(len(latencies) * 0.99)] * 1000:.1f} ms"
    )
    print(
        f"called twice: {twice}; finished {finished}, still waiting {waiting} (skipped: {tickets - finished})"
    )
    if args.workers == 1:  # the serving process is the API process; its arq worker is a child
        requests = len(called) + 2 * len(pairs)  # the calls, the logins, the last finishes
        api_cpu = api_user + api_system
        print(
            f"API process CPU: {api_cpu:.1f} s = {api_cpu / requests * 1e6:.0f} us per request"
            f" (user {api_user / requests * 1e6:.0f}, system {api_system / requests * 1e6:.0f});"
            f" {api_cpu / elapsed:.0%} of a core"
        )


def process_cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system CPU time of one process so far (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


if __name__ == "__main__":
    main()
