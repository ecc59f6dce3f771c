"""Fault runs and throughput of the text pipeline, against the fake SMS cloud on loopback.

Run one of:
  .venv/bin/python -m tests.benchmarks.texts kill [--kills 100] [--texts 15 (per kill)]
      a worker SIGKILLed at random moments while it sends (the fake answers slowly, so most
      kills land mid-send); afterwards every text reached the provider exactly once.
  .venv/bin/python -m tests.benchmarks.texts outage [--cases 1000] [--seconds 30]
      Redis killed; cases complete meanwhile; Redis back after the pause: every completion text
      arrives, none twice.
  .venv/bin/python -m tests.benchmarks.texts throughput [--texts 5000] [--workers 2]
      texts per second from the outbox to the provider, end to end.
PostgreSQL and Redis are started privately (a temporary folder) unless --database-url is given;
Redis is always a private process, since the outage run kills it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import orjson
from tortoise import Tortoise

from api.database import apply_migrations
from api.embedded import EmbeddedServers
from models.accounts.tables import Role
from models.cases import actions, intake
from models.cases.rules import Applicant
from models.cases.tables import ApplicantKind, Outcome
from models.db import tortoise_config
from models.notifications.delivery import key_of
from tests import factories as f
from tests.fakes.sms_server import FakeSmsServer
from tests.redis_process import RedisProcess


def _dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


class Run:
    """A private database, Redis and fake cloud, and the workers started against them."""

    def __init__(
        self, database_url: str, redis: RedisProcess, fake: FakeSmsServer, provider: str
    ) -> None:
        self.provider = provider
        self.database_url = database_url
        self.redis = redis
        self.fake = fake
        self.workers: list[subprocess.Popen[bytes]] = []
        self.log = Path(tempfile.mkdtemp(prefix="hall-texts-")) / "workers.log"

    def env(self, **extra: str) -> dict[str, str]:
        """The workers' environment."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
        return env | {
            "HALL_DATABASE_URL": self.database_url,
            "HALL_REDIS_URL": self.redis.url,
            "HALL_SMS_PROVIDER": self.provider,
            "HALL_SMS_APP_ID": "1400000000",
            "HALL_SMS_ENDPOINT": self.fake.endpoint,
            "HALL_SMS_PROTOCOL": "HTTP",
            "HALL_SMS_ACCESS_KEY_ID": "ak",
            "HALL_SMS_ACCESS_KEY_SECRET": "sk",
            "HALL_SMS_SIGN_NAME": "济南政务服务",
            "HALL_LOG_LEVEL": "WARNING",
            **extra,
        }

    def start_worker(self, *, attached: bool = True, **extra: str) -> subprocess.Popen[bytes]:
        """A worker process (attached: the arq worker itself, no supervisor)."""
        command = [sys.executable, "-m", "api.cli", "worker"] + (["--attached"] if attached else [])
        with self.log.open("ab") as out:
            proc = subprocess.Popen(
                command, env=self.env(**extra), stdout=out, stderr=out, start_new_session=True
            )
        self.workers.append(proc)
        return proc

    def stop_workers(self) -> None:
        """SIGTERM every worker still running."""
        for proc in self.workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(30)


async def _count(dsn: str, sql: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval(sql))
    finally:
        await conn.close()


async def _insert_texts(dsn: str, count: int, start: int = 0) -> None:
    """Pending urgent completion texts, one number each (the per-number limits do not bite)."""
    now = datetime.now(UTC)
    rows = [
        (
            "CASE_COMPLETED", f"bench:{secrets.token_hex(4)}:{n}", f"138{start + n:08d}",
            orjson.dumps({"number": f"JN-BENCH-{n:06d}", "collect_at": "济南市政务服务中心"}).decode(),
            True, "PENDING", 0, "", now, now,
        )
        for n in range(count)
    ]  # fmt: skip
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "notification",
            records=rows,
            columns=(
                "kind", "dedupe_key", "phone", "params", "urgent", "status", "attempts",
                "last_error", "created_at", "updated_at",
            ),
        )  # fmt: skip
    finally:
        await conn.close()


def _exactly_once(run: Run, expected: int) -> tuple[bool, str]:
    counts = run.fake.cloud.by_out_id()
    twice = sum(1 for n in counts.values() if n > 1)
    return (len(counts) == expected and twice == 0), (
        f"provider took {sum(counts.values())} texts for {len(counts)} notifications "
        f"(expected {expected}); sent twice: {twice}"
    )


async def _wait_sent(dsn: str, expected: int, seconds: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        sent = await _count(dsn, "SELECT count(*) FROM notification WHERE status = 'SENT'")
        if sent >= expected:
            return time.perf_counter() - started
        await asyncio.sleep(0.2)
    raise SystemExit(f"only {sent} of {expected} texts sent after {seconds:.0f} s")


def kill_run(run: Run, kills: int, per_kill: int) -> bool:
    """SIGKILL a sending worker again and again; then let one finish the work.

    Each round adds texts, starts a worker and kills it at a random moment while the (slow)
    provider is answering; a kill counts as mid-send when a text of that round was being sent.
    """
    dsn = _dsn(run.database_url)
    run.fake.cloud.reply_delay = 0.3
    rng = random.Random(20261201)  # noqa: S311  (a reproducible schedule, not a secret)
    mid_send = 0
    rounds = 0
    # `kills` counts kills that landed mid-send; a round whose worker was killed before sending
    # (a slow start on a busy machine) does not count.
    for n in range(kills * 3):
        if mid_send >= kills:
            break
        rounds += 1
        asyncio.run(_insert_texts(dsn, per_kill, start=n * per_kill))
        round_started = datetime.now(UTC)
        since = round_started.isoformat()
        in_flight = f"SELECT count(*) FROM notification WHERE status = 'SENDING' AND send_started_at >= '{since}'"  # noqa: S608  (a timestamp)
        worker = run.start_worker(HALL_SMS_STUCK_SECONDS="5")
        # Kill while the provider is answering: once a text of this round is being sent, at a
        # random moment within the provider's reply time.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not asyncio.run(_count(dsn, in_flight)):
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, run.fake.cloud.reply_delay * 0.8))
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        sending = asyncio.run(_count(dsn, in_flight))
        mid_send += sending > 0
        if (n + 1) % 10 == 0:
            sent = asyncio.run(
                _count(dsn, "SELECT count(*) FROM notification WHERE status = 'SENT'")
            )
            print(f"  {n + 1} kills ({mid_send} mid-send), {sent} sent so far", flush=True)
    run.fake.cloud.reply_delay = 0.0
    texts = rounds * per_kill
    run.start_worker(HALL_SMS_STUCK_SECONDS="5")
    took = asyncio.run(_wait_sent(dsn, texts, 300))
    ok, summary = _exactly_once(run, texts)
    print(
        f"{rounds} SIGKILLs, {mid_send} while a text was being sent; all {texts} sent {took:.1f} s after"
    )
    print(summary)
    return ok and mid_send >= kills


async def _cases(database_url: str, count: int) -> tuple[list[str], object]:
    await Tortoise.init(
        config=tortoise_config(database_url, pool_size=4), _enable_global_fallback=True
    )
    hall = await f.hall("JN")
    dept = await f.department(hall, "SC", "市市场监管局")
    await f.item(dept, "SC-001")
    _, clerk = await f.user("clerk1", Role.CLERK, of=hall, department_id=dept.id)
    numbers = []
    for n in range(count):
        applicant = Applicant(ApplicantKind.PERSON, "张三", "11010519491231002X", f"136{n:08d}")
        case = await intake.accept(clerk, intake.Intake("SC-001", hall.id, applicant), f.NOW)
        numbers.append(case.number)
    conn = await asyncpg.connect(_dsn(database_url))
    try:  # the receipts are not what this run is about (and would hit the per-minute limit)
        await conn.execute("UPDATE notification SET status = 'CANCELLED'")
    finally:
        await conn.close()
    await Tortoise.close_connections()
    return numbers, clerk


async def _complete(database_url: str, numbers: list[str], clerk: object) -> float:
    started = time.perf_counter()
    for number in numbers:
        await actions.complete(clerk, number, Outcome.APPROVED, "", datetime.now(UTC))  # type: ignore[arg-type]
    conn = await asyncpg.connect(_dsn(database_url))
    try:
        await conn.execute("UPDATE notification SET urgent = true WHERE kind = 'CASE_COMPLETED'")
    finally:
        await conn.close()
    await Tortoise.close_connections()
    return time.perf_counter() - started


def outage_run(run: Run, cases: int, seconds: float) -> bool:
    """Kill Redis, complete cases meanwhile, bring Redis back: every text arrives once."""
    numbers, clerk = asyncio.run(_cases(run.database_url, cases))
    run.start_worker(attached=False)
    time.sleep(5)
    run.redis.kill()
    down = time.perf_counter()
    print(f"redis killed; completing {cases} cases", flush=True)

    async def complete_all() -> float:
        await Tortoise.init(
            config=tortoise_config(run.database_url, pool_size=4), _enable_global_fallback=True
        )
        return await _complete(run.database_url, numbers, clerk)

    took = asyncio.run(complete_all())
    time.sleep(max(seconds - (time.perf_counter() - down), 0))
    run.redis.start()
    print(f"{cases} cases completed in {took:.1f} s with Redis down; Redis back after "
          f"{time.perf_counter() - down:.0f} s", flush=True)  # fmt: skip
    arrived = asyncio.run(_wait_sent(_dsn(run.database_url), cases, 300))
    ok, summary = _exactly_once(run, cases)
    print(f"all {cases} completion texts sent {arrived:.1f} s after Redis returned")
    print(summary)
    return ok


def throughput_run(run: Run, texts: int, workers: int) -> bool:
    """Texts per second from outbox rows to the fake provider."""
    for _ in range(workers):
        run.start_worker()
    time.sleep(6)  # started and idle
    dsn = _dsn(run.database_url)
    started = time.perf_counter()
    asyncio.run(_insert_texts(dsn, texts))
    took = asyncio.run(_wait_sent(dsn, texts, 600))
    ok, summary = _exactly_once(run, texts)
    keys = {key_of(n) for n in range(1, texts + 1)}
    ok &= keys == set(run.fake.cloud.by_out_id())
    print(f"{texts} texts through {workers} worker(s) in {time.perf_counter() - started:.1f} s: "
          f"{texts / took:.0f} texts/s end to end")  # fmt: skip
    print(summary)
    return ok


@contextmanager
def _run(database_url: str | None, provider: str) -> Iterator[Run]:
    with tempfile.TemporaryDirectory(prefix="hall-texts-") as tmp:
        embedded = EmbeddedServers(Path(tmp) / "data")
        redis = RedisProcess(Path(tmp) / "redis")
        name = f"hall_texts_{secrets.token_hex(3)}"
        try:
            base = database_url
            if base is None:
                embedded.start(postgres=True, redis=False)
                base = embedded.database_url
            assert base is not None
            asyncio.run(_admin(base, f'CREATE DATABASE "{name}"'))
            parts = urlsplit(base)
            url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
            asyncio.run(apply_migrations(url))
            redis.start()
            with FakeSmsServer() as fake:
                run = Run(url, redis, fake, provider)
                try:
                    yield run
                finally:
                    run.stop_workers()
            asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            redis.kill()
            embedded.stop()


async def _admin(database_url: str, sql: str) -> None:
    conn = await asyncpg.connect(_dsn(database_url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def main() -> None:
    """Parse arguments and run one of the three."""
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["kill", "outage", "throughput"])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--texts", type=int, default=None)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--provider", choices=["aliyun", "tencent"], default="aliyun")
    args = parser.parse_args()
    with _run(args.database_url, args.provider) as run:
        if args.mode == "kill":
            ok = kill_run(run, args.kills, args.texts or 15)
        elif args.mode == "outage":
            ok = outage_run(run, args.cases, args.seconds)
        else:
            ok = throughput_run(run, args.texts or 5000, args.workers)
    print("PASS" if ok else "FAIL")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
