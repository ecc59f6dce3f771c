"""Query plans of the case lists at scale: loads N cases (default 1M) with COPY and EXPLAINs them.

Run: .venv/bin/python -m tests.benchmarks.case_plans [--cases 1000000] [--database-url URL]
Without --database-url it starts an embedded PostgreSQL in a temporary folder. The queries are
the ones the API builds (`cases_visible` + the keyset order), taken from the ORM as SQL. It
exits non-zero when a plan reads the case table sequentially.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
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
from models.accounts.tables import Role
from models.cases.queries import ORDER_FIELDS, CaseFilter, CaseOrder, cases_visible
from models.cases.rules import RUNNING_STATUSES
from models.cases.tables import Case
from models.catalogue import actions as catalogue
from models.catalogue.rules import DepartmentDraft, HallDraft
from models.catalogue.tables import HallLevel, ServiceItemVersion
from models.common.actor import SYSTEM_ACTOR, Actor
from models.db import tortoise_config
from tests import factories as f

TODAY = date(2026, 11, 20)
OPEN_SHARE = 0.02  # about five working days of a large hall's intake are open at any time
COLUMNS = (
    "number", "hall_id", "department_id", "item_id", "item_version_id", "kind", "day_unit",
    "limit_days", "legal_limit_days", "investment_project", "applicant_kind", "applicant_name",
    "applicant_id_number", "applicant_phone", "contact_name", "status", "received_at",
    "accepted_at", "accepted_on", "back_entered", "missing_materials", "extension_days",
    "due_on", "due_provisional", "calendar_years", "alert_level", "decided_at", "decided_on",
    "outcome", "timeliness", "decision_note", "courier", "tracking_number", "forwarded_to",
    "event_count", "updated_at",
)  # fmt: skip


def _dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def _catalogue(departments: int, items: int) -> tuple[int, list[tuple[int, int, int]]]:
    """A hall, its departments and items; returns the hall id and (item, version, department)."""
    hall = await catalogue.create_hall(
        SYSTEM_ACTOR,
        HallDraft(code="JN", name="济南市政务服务中心", level=HallLevel.CITY, region="370100"),
        datetime.now(UTC),
    )
    depts = [
        await catalogue.create_department(
            SYSTEM_ACTOR,
            DepartmentDraft(hall_id=hall.id, code=f"D{n:02d}", name=f"部门{n:02d}"),
            f.NOW,
        )
        for n in range(departments)
    ]
    made: list[tuple[int, int, int]] = []
    for n in range(items):
        dept = depts[n % departments]
        item = await catalogue.create_item(
            SYSTEM_ACTOR,
            department_id=dept.id,
            code=f"ITEM-{n:05d}",
            elements=f.elements(f"事项{n:05d}"),
            now=f.NOW,
        )
        version = await ServiceItemVersion.get(item_id=item.id)
        made.append((item.id, version.id, dept.id))
    return hall.id, made


def _rows(count: int, hall_id: int, items: list[tuple[int, int, int]]) -> Any:
    rng = random.Random(20261120)  # noqa: S311  (reproducible test data, not secrets)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    span = (datetime(2026, 11, 20, tzinfo=UTC) - start).total_seconds()
    for n in range(count):
        item_id, version_id, dept_id = items[rng.randrange(len(items))]
        is_open = rng.random() < OPEN_SHARE
        received = (
            datetime(2026, 11, 20, tzinfo=UTC) - timedelta(days=rng.uniform(0, 10))
            if is_open
            else start + timedelta(seconds=rng.uniform(0, span))
        )
        accepted_on = received.date()
        due = accepted_on + timedelta(days=rng.randint(0, 30))
        status = (
            rng.choice(("ACCEPTED", "IN_REVIEW", "IN_REVIEW", "SUSPENDED"))
            if is_open
            else (
                rng.choice(
                    ("DELIVERED", "DELIVERED", "DELIVERED", "COMPLETED", "WITHDRAWN", "REJECTED")
                )
            )
        )
        closed = not is_open
        yield (
            f"JN-{received:%Y%m%d}-{n:07d}", hall_id, dept_id, item_id, version_id, "PROMISED",
            "WORKING", 20, 20, False, "PERSON", "张三", "11010519491231002X",
            f"139{rng.randrange(10**8):08d}", "", status, received, received, accepted_on, False,
            "[]", 0, due, False, "[2026]", "NONE",
            received + timedelta(days=3) if closed else None,
            accepted_on + timedelta(days=3) if closed else None,
            "APPROVED" if closed else None, "EARLY" if closed else None, "", "", "", "", 3,
            received,
        )  # fmt: skip


async def _load(dsn: str, count: int, hall_id: int, items: list[tuple[int, int, int]]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        rows = _rows(count, hall_id, items)
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 100_000:
                await conn.copy_records_to_table("case", records=batch, columns=COLUMNS)
                batch = []
        if batch:
            await conn.copy_records_to_table("case", records=batch, columns=COLUMNS)
        await conn.execute('ANALYZE "case"')
    finally:
        await conn.close()


async def _explain(dsn: str, title: str, sql: str) -> bool:
    conn = await asyncpg.connect(dsn)
    try:
        raw = await conn.fetchval(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
        text = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
    finally:
        await conn.close()
    plan = json.loads(raw)[0]
    nodes = json.dumps(plan)
    scanned = '"Node Type": "Seq Scan"' in nodes and '"Relation Name": "case"' in nodes
    print(f"\n== {title}\n{sql}\n")
    print("\n".join(r[0] for r in text))
    print(
        f"-> total cost {plan['Plan']['Total Cost']:.2f}, execution {plan['Execution Time']:.2f} ms"
        + (" — SEQUENTIAL SCAN OF case" if scanned else "")
    )
    return not scanned


async def run(database_url: str, count: int) -> bool:
    """Load and explain; True when every plan uses indexes."""
    name = f"hall_plans_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(_dsn(database_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    parts = urlsplit(database_url)
    url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    try:
        await apply_migrations(url)
        await Tortoise.init(config=tortoise_config(url, pool_size=4), _enable_global_fallback=True)
        hall_id, items = await _catalogue(35, 1000)
        started = time.perf_counter()
        await _load(_dsn(url), count, hall_id, items)
        print(f"loaded {count:,} cases in {time.perf_counter() - started:.1f} s")
        dept = items[7][2]
        clerk = Actor(1, "clerk", Role.CLERK, hall_id, f"/{hall_id}/", dept)
        listing = await cases_visible(clerk, CaseFilter(department_id=dept, open_only=True))
        page = (
            listing.filter(due_on__isnull=False)
            .order_by(*ORDER_FIELDS[CaseOrder.DUE_SOONEST])
            .limit(51)
        )
        ok = await _explain(
            _dsn(url),
            "open cases of a department by due date, first 50",
            page.sql(params_inline=True),
        )
        ok &= await _explain(
            _dsn(url), "their total count", listing.count().sql(params_inline=True)
        )
        due_by = TODAY + timedelta(days=2)
        crossing = Case.filter(status__in=sorted(RUNNING_STATUSES), due_on__lte=due_by)
        ok &= await _explain(
            _dsn(url), "running cases due by a threshold (deadline scan)",
            crossing.order_by("due_on", "id").limit(1000).sql(params_inline=True),
        )  # fmt: skip
        return ok
    finally:
        await Tortoise.close_connections()
        admin = await asyncpg.connect(_dsn(database_url))
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    """Parse arguments, start an embedded server when none is named, run."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if args.database_url:
        ok = asyncio.run(run(args.database_url, args.cases))
    else:
        with tempfile.TemporaryDirectory(prefix="hall-plans-") as tmp:
            embedded = EmbeddedServers(Path(tmp) / "data")
            embedded.start(postgres=True, redis=False)
            try:
                assert embedded.database_url is not None
                ok = asyncio.run(run(embedded.database_url, args.cases))
            finally:
                embedded.stop()
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
