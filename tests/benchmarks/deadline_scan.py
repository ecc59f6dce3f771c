"""The deadline scan at scale: N cases (default 12M) of which some (default 100k) are open.

Run: .venv/bin/python -m tests.benchmarks.deadline_scan [--cases 12000000] [--open 100000]
     [--workers 3] [--database-url URL]

1. Loads the cases with COPY (closed ones spread over three years; open ones due from a few
   days ago to six weeks ahead) plus a chief representative per department and a supervisor.
2. Runs the first scan in `--workers` separate processes at once (Monday 10:00 in Shanghai, the
   hall open) and checks that each card, rung and text exists exactly once and matches what
   the due dates call for.
3. Times the steady-state scan (nothing new is due) over repeated runs: median and p99.
Without --database-url it starts an embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from tortoise import Tortoise

from api.database import apply_migrations
from api.embedded import EmbeddedServers
from models.accounts.actions import create_user
from models.accounts.rules import UserDraft
from models.accounts.tables import Role
from models.alerts.scan import scan_deadlines
from models.common.actor import SYSTEM_ACTOR
from models.db import tortoise_config
from tests.benchmarks.case_plans import _catalogue

TODAY = date(2026, 12, 7)  # a Monday
MOMENT = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
COLUMNS = (
    "number", "hall_id", "department_id", "item_id", "item_version_id", "kind", "day_unit",
    "limit_days", "legal_limit_days", "investment_project", "applicant_kind", "applicant_name",
    "applicant_id_number", "applicant_phone", "contact_name", "status", "received_at",
    "accepted_at", "accepted_on", "back_entered", "missing_materials", "extension_days",
    "due_on", "yellow_on", "due_provisional", "calendar_years", "alert_level", "decided_at",
    "decided_on", "outcome", "timeliness", "decision_note", "courier", "tracking_number",
    "forwarded_to", "event_count", "updated_at",
)  # fmt: skip


def _dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def _rows(count: int, open_count: int, hall_id: int, items: list[tuple[int, int, int]]) -> Any:
    rng = random.Random(20261207)  # noqa: S311  (reproducible test data, not secrets)
    start = datetime(2023, 12, 1, tzinfo=UTC)
    span = (MOMENT - start).total_seconds() - 86400 * 30
    open_every = max(count // max(open_count, 1), 1)
    for n in range(count):
        item_id, version_id, dept_id = items[rng.randrange(len(items))]
        is_open = n % open_every == 0 and n // open_every < open_count
        if is_open:
            due = TODAY + timedelta(days=rng.randint(-3, 42))
            received = datetime.combine(due - timedelta(days=28), datetime.min.time(), UTC)
            yellow: date | None = due - timedelta(days=4)
            status = rng.choice(("ACCEPTED", "IN_REVIEW", "IN_REVIEW", "SUSPENDED"))
        else:
            received = start + timedelta(seconds=rng.uniform(0, span))
            due = received.date() + timedelta(days=28)
            yellow = due - timedelta(days=4)
            status = rng.choice(("DELIVERED", "DELIVERED", "COMPLETED", "WITHDRAWN"))
        closed = not is_open
        yield (
            f"JN-{received:%Y%m%d}-{n:08d}", hall_id, dept_id, item_id, version_id, "PROMISED",
            "WORKING", 20, 20, False, "PERSON", "张三", "11010519491231002X",
            f"139{rng.randrange(10**8):08d}", "", status, received, received, received.date(),
            False, "[]", 0, due, yellow, False, "[2026]", "NONE",
            received + timedelta(days=3) if closed else None,
            received.date() + timedelta(days=3) if closed else None,
            "APPROVED" if closed else None, "EARLY" if closed else None, "", "", "", "", 3,
            received,
        )  # fmt: skip


async def _load(dsn: str, count: int, open_count: int, hall_id: int, items: Any) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        batch: list[tuple[Any, ...]] = []
        loaded = 0
        started = time.perf_counter()
        for row in _rows(count, open_count, hall_id, items):
            batch.append(row)
            if len(batch) == 200_000:
                await conn.copy_records_to_table("case", records=batch, columns=COLUMNS)
                loaded += len(batch)
                batch = []
                if loaded % 2_000_000 == 0:
                    rate = loaded / (time.perf_counter() - started)
                    print(f"  {loaded:,} cases ({rate:,.0f}/s)", flush=True)
        if batch:
            await conn.copy_records_to_table("case", records=batch, columns=COLUMNS)
        await conn.execute('VACUUM ANALYZE "case"')
    finally:
        await conn.close()


async def _people(hall_id: int, items: list[tuple[int, int, int]]) -> None:
    for n, dept in enumerate(sorted({d for _, _, d in items})):
        await create_user(
            SYSTEM_ACTOR,
            UserDraft(
                username=f"rep{n:02d}", display_name=f"首席代表{n:02d}", password="benchmark-2026",
                role=Role.CHIEF_REP, hall_id=hall_id, department_id=dept,
                mobile=f"137{n:08d}",
            ),
            MOMENT,
        )  # fmt: skip


async def _expected(dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        running = "status IN ('ACCEPTED', 'IN_REVIEW')"
        red = await conn.fetchval(
            f'SELECT count(*) FROM "case" WHERE {running} AND due_on < $1',  # noqa: S608
            TODAY,
        )
        yellow = await conn.fetchval(
            f'SELECT count(*) FROM "case" WHERE {running} AND due_on >= $1 AND yellow_on <= $1',  # noqa: S608
            TODAY,
        )
        return {"RED": int(red), "YELLOW": int(yellow)}
    finally:
        await conn.close()


async def _found(dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        active = dict(
            await conn.fetch(
                "SELECT level, count(*) FROM case_alert WHERE cleared_at IS NULL GROUP BY level"
            )
        )
        return {
            "RED": int(active.get("RED", 0)),
            "YELLOW": int(active.get("YELLOW", 0)),
            "cards_per_case_and_level_max": int(
                await conn.fetchval(
                    "SELECT coalesce(max(n), 0) FROM (SELECT count(*) n FROM case_alert"
                    " WHERE cleared_at IS NULL GROUP BY case_id, level) t"
                )
            ),
            "rungs": int(await conn.fetchval("SELECT count(*) FROM alert_event WHERE kind = 'ESCALATED'")),
            "texts": int(await conn.fetchval("SELECT count(*) FROM notification WHERE kind = 'ESCALATION'")),
            "raised_events": int(
                await conn.fetchval("SELECT count(*) FROM alert_event WHERE kind IN ('RED', 'YELLOW')")
            ),
        }  # fmt: skip
    finally:
        await conn.close()


async def _scan_once(url: str) -> None:
    await Tortoise.init(config=tortoise_config(url, pool_size=4), _enable_global_fallback=True)
    try:
        result = await scan_deadlines(MOMENT)
        print(f"  worker scan: {result.as_dict()}", flush=True)
    finally:
        await Tortoise.close_connections()


async def _steady(url: str, runs: int) -> list[float]:
    await Tortoise.init(config=tortoise_config(url, pool_size=4), _enable_global_fallback=True)
    try:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            result = await scan_deadlines(MOMENT + timedelta(minutes=1))
            times.append((time.perf_counter() - started) * 1000)
            assert (result.examined, result.escalated) == (0, 0), result.as_dict()
        return times
    finally:
        await Tortoise.close_connections()


async def _prepare(url: str, count: int, open_count: int) -> None:
    await apply_migrations(url)
    await Tortoise.init(config=tortoise_config(url, pool_size=4), _enable_global_fallback=True)
    try:
        hall_id, items = await _catalogue(35, 1000)
        await _people(hall_id, items)
    finally:
        await Tortoise.close_connections()
    started = time.perf_counter()
    await _load(_dsn(url), count, open_count, hall_id, items)
    print(f"loaded {count:,} cases ({open_count:,} open) in {time.perf_counter() - started:.0f} s")


def run(  # noqa: PLR0917  (the command's options)
    database_url: str, count: int, open_count: int, workers: int, runs: int, keep: bool = False
) -> bool:
    """Load, scan with several workers at once, check, then time steady-state scans."""
    name = f"hall_scan_{secrets.token_hex(3)}"
    asyncio.run(_admin(database_url, f'CREATE DATABASE "{name}"'))
    parts = urlsplit(database_url)
    url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    try:
        asyncio.run(_prepare(url, count, open_count))
        expected = asyncio.run(_expected(_dsn(url)))
        started = time.perf_counter()
        procs = [
            subprocess.Popen([sys.executable, "-m", "tests.benchmarks.deadline_scan", "--scan-only", url])
            for _ in range(workers)
        ]  # fmt: skip
        codes = [p.wait() for p in procs]
        first = time.perf_counter() - started
        found = asyncio.run(_found(_dsn(url)))
        print(f"first scan by {workers} workers at once: {first:.1f} s, exit codes {codes}")
        print(f"expected cards {expected}; found {found}")
        ok = (
            codes == [0] * workers
            and found["RED"] == expected["RED"]
            and found["YELLOW"] == expected["YELLOW"]
            and found["cards_per_case_and_level_max"] <= 1
            and found["raised_events"] == expected["RED"] + expected["YELLOW"]
            and found["rungs"] == expected["RED"]
            and found["texts"] == expected["RED"]
        )  # fmt: skip
        times = asyncio.run(_steady(url, runs))
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(
            f"steady-state scan over {count:,} cases ({open_count:,} open), {runs} runs: "
            f"median {statistics.median(times):.2f} ms, p99 {p99:.2f} ms, max {times[-1]:.2f} ms"
        )
        print("exactly once: " + ("yes" if ok else "NO"))
        return ok
    finally:
        if keep:
            print(f"kept the database: time more scans with --time-only {url}")
        else:
            asyncio.run(_admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(database_url: str, sql: str) -> None:
    conn = await asyncpg.connect(_dsn(database_url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def main() -> None:
    """Parse arguments, start an embedded server when none is named, run."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=12_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--scan-only", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the loaded database")
    parser.add_argument("--time-only", default=None, help="time scans on a kept database URL")
    args = parser.parse_args()
    if args.scan_only:
        asyncio.run(_scan_once(args.scan_only))
        return
    if args.time_only:
        times = sorted(asyncio.run(_steady(args.time_only, args.runs)))
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"steady-state scan, {args.runs} runs: median {statistics.median(times):.2f} ms, "
              f"p99 {p99:.2f} ms")  # fmt: skip
        return
    if args.database_url:
        ok = run(args.database_url, args.cases, args.open, args.workers, args.runs, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="hall-scan-") as tmp:
            embedded = EmbeddedServers(Path(tmp) / "data")
            embedded.start(postgres=True, redis=False)
            try:
                assert embedded.database_url is not None
                ok = run(embedded.database_url, args.cases, args.open, args.workers, args.runs)
            finally:
                embedded.stop()
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
