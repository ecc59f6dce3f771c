"""Side by side with PostGraphile v5: the same hall, database, queries and load generator.

Run: .venv/bin/python -m tests.benchmarks.postgraphile [--cases 1335875] [--rounds 3]
     [--seconds 8] [--connections 32] [--processes 1,2] [--only board,case]
     [--read-cache on|off] [--database-url URL --redis-url URL] [--keep DIR]

What it does, in order:
1. Starts an embedded PostgreSQL and Redis in a temporary folder (or uses the given URLs), creates a
   fresh database and loads a realistic hall: 1 hall, 35 departments, 1,000 items, 260 windows,
   6 lanes, a generated year of cases (`models.statistics.generator`, the real-hall preset scaled to
   `--cases` accepted cases, plus the year before), 20,000 tickets today (every window open and
   serving one) and a working set of open cases with their events.
2. Installs PostGraphile v5 (npm `postgraphile@5`, amber preset) and Node 22 (npm `node@22`) with
   npm into the temporary folder (never into the repository), and creates its SQL functions in a
   schema of their own (`pgl_bench`), which our server never reads.
3. For each process count: starts `hall serve` (API only, HALL_RUN_WORKER=0) and PostGraphile
   (grafserv on node:http, node's cluster module for more than one process), both against the same
   database; logs in through `authLogin` as a SUPERVISOR and sends the Bearer token to ours.
   PostGraphile runs without authentication (no JWT, no RLS): it does strictly less work.
4. Drives both with the same load generator (wrk when /usr/bin/wrk exists, else an asyncio
   HTTP/1.1 keep-alive client in this file), `--connections` connections, alternating A/B runs,
   `--rounds` of each per scenario, and prints requests/s, p50, p99 and server CPU per request
   (user + system time of the server's processes from /proc/<pid>/stat, over the requests served;
   PostgreSQL's own CPU is not counted) with the ratio ours/PostGraphile, medians of the rounds.

Scenarios (each an equivalent query for both servers):
- typename: `{__typename}`.
- board: the hall board: windows with their current ticket, lanes with waiting counts (ours:
  `queueBoard(hallId)`; PostGraphile: its generated relations with conditions).
- open_cases: open cases of a department by due date, first 50, with item and window (ours:
  `cases(...)`; PostGraphile: a SQL function returning SETOF case, exposed as a connection).
- case: one case with its events (ours: `case(number)`; PostGraphile: `caseByNumber`).
  With `--read-cache on` (the default, as deployed) ours answers open_cases, case and the
  statistics from its read cache after the first executions (schema/read_cache: reused per
  caller until a table read changes); `--read-cache off` executes every request.
- statistics: a department's figures for a month (ours: `statistics`, which reads the rollups
  its triggers keep; PostGraphile: a SQL function over the raw tables).
- statistics_rollup: the same, PostGraphile's SQL function reading our rollup table instead
  (what it would do with precomputed figures like ours).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import asyncpg
import httpx
import psutil
from strawberry.relay import to_base64

from api.database import apply_migrations, orm
from models.accounts.actions import create_user
from models.accounts.rules import UserDraft
from models.accounts.tables import Role, User
from models.catalogue.tables import Department, Hall, Lane, Window
from models.common.actor import SYSTEM_ACTOR
from models.queue.actions import business_day
from models.statistics.fold import fold_pending
from models.statistics.generator import CASE_COLUMNS, PRESETS, TICKET_COLUMNS, generate
from tests.benchmarks.board_service import embedded, raise_fd_limit
from tests.benchmarks.board_service import serve as hall_serve

HALL = "PGL"
USERNAME = "bench_supervisor"
PASSWORD = "bench-postgraphile-2026"
TICKETS_TODAY = 20_000
OPEN_CASES_PER_DEPARTMENT = 200
STATS_MONTH = (date(2021, 6, 1), date(2021, 6, 30))
WRK = Path("/usr/bin/wrk")
LOGIN = "mutation($i: AuthLoginInput!){authLogin(input:$i){... on AuthLoginSuccess{token}}}"

OURS = {
    "typename": "{__typename}",
    "board": (
        "query Board($hallId: ID!){queueBoard(hallId: $hallId){seq businessDay"
        " lanes{lane{id prefix name} waiting openWindows}"
        " windows{window{id number name state} current{id number status calledAt}}}}"
    ),
    "open_cases": (
        "query OpenCases($departmentId: ID!){cases(filter: {departmentId: $departmentId,"
        " openOnly: true}, order: DUE_SOONEST, first: 50){edges{node{id number status dueOn"
        " receivedAt item{id code name} window{id number name}}}}}"
    ),
    "case": (
        "query OneCase($number: String!){case(number: $number){id number status dueOn receivedAt"
        " events{seq kind fromStatus toStatus actorName at remark}}}"
    ),
    "statistics": (
        "query Figures($f: StatisticsFilter!){statistics(filter: $f){total{figures{accepted"
        " completed onTime{value} early{value} yellowCards redCards satisfaction{value}}}}}"
    ),
    "statistics_rollup": (
        "query Figures($f: StatisticsFilter!){statistics(filter: $f){total{figures{accepted"
        " completed onTime{value} early{value} yellowCards redCards satisfaction{value}}}}}"
    ),
}
PGL = {
    "typename": "{__typename}",
    "board": (
        "query Board($hallId: Int!, $day: Date!){"
        "pglBenchBoardLanes(hallId: $hallId, day: $day){nodes{rowId prefix name waiting}}"
        " pglBenchBoardWindows(hallId: $hallId, day: $day){nodes{rowId number name state ticketId"
        " ticketNumber ticketStatus calledAt}}}"
    ),
    "open_cases": (
        "query OpenCases($departmentId: Int!){pglBenchOpenCases(departmentId: $departmentId, first: 50)"
        "{nodes{id number status dueOn receivedAt serviceItemByItemId{id code name}"
        " window{id number name}}}}"
    ),
    "case": (
        "query OneCase($number: String!){caseByNumber(number: $number){id number status dueOn"
        " receivedAt caseEventsByCaseId(orderBy: SEQ_ASC){nodes{seq kind fromStatus toStatus"
        " actorName at remark}}}}"
    ),
    "statistics": (
        "query Figures($departmentId: Int!, $from: Date!, $to: Date!){pglBenchDepartmentFigures("
        "departmentId: $departmentId, fromDay: $from, toDay: $to){accepted completed onTime early"
        " yellowCards redCards satisfaction}}"
    ),
    "statistics_rollup": (
        "query Figures($departmentId: Int!, $from: Date!, $to: Date!){"
        "pglBenchDepartmentFiguresRollup(departmentId: $departmentId, fromDay: $from, toDay: $to)"
        "{accepted completed onTime early yellowCards redCards satisfaction}}"
    ),
}

PGL_SQL = """
DROP SCHEMA IF EXISTS pgl_bench CASCADE;
CREATE SCHEMA pgl_bench;
COMMENT ON SCHEMA pgl_bench IS 'PostGraphile benchmark functions; the hall API never reads it.';

CREATE FUNCTION pgl_bench.open_cases(department_id int) RETURNS SETOF public."case"
LANGUAGE sql STABLE AS $$
  SELECT * FROM public."case" c
  WHERE c.department_id = open_cases.department_id
    AND c.status IN ('ACCEPTED', 'IN_REVIEW', 'SUSPENDED') AND c.due_on IS NOT NULL
  ORDER BY c.due_on, c.id
$$;

-- The board as two set-returning functions (PostGraphile's fast path for custom reads): ticket
-- has no index on lane_id or window_id alone, so it offers no backward relations for them, and
-- per-row computed columns cost one function call per window.
CREATE TYPE pgl_bench.board_lane AS (
  id int, prefix text, name text, waiting bigint
);
CREATE FUNCTION pgl_bench.board_lanes(hall_id int, day date) RETURNS SETOF pgl_bench.board_lane
LANGUAGE sql STABLE AS $$
  SELECT l.id, l.prefix::text, l.name::text, count(t.id)
  FROM public.lane l
  LEFT JOIN public.ticket t ON t.lane_id = l.id AND t.hall_id = board_lanes.hall_id
    AND t.business_day = day AND t.status = 'WAITING'
  WHERE l.hall_id = board_lanes.hall_id AND l.is_active
  GROUP BY l.id ORDER BY l.prefix
$$;

CREATE TYPE pgl_bench.board_window AS (
  id int, number text, name text, state text,
  ticket_id bigint, ticket_number text, ticket_status text, called_at timestamptz
);
CREATE FUNCTION pgl_bench.board_windows(hall_id int, day date) RETURNS SETOF pgl_bench.board_window
LANGUAGE sql STABLE AS $$
  SELECT w.id, w.number::text, w.name::text, w.state::text,
         t.id, t.number::text, t.status::text, t.called_at
  FROM public."window" w
  LEFT JOIN public.ticket t ON t.window_id = w.id AND t.hall_id = board_windows.hall_id
    AND t.business_day = day AND t.status = 'CALLED'
  WHERE w.hall_id = board_windows.hall_id
  ORDER BY w.number, w.id
$$;

-- case.window_id is a plain column (no foreign key): the receiving window as a computed column.
CREATE FUNCTION pgl_bench.case_window(c public."case") RETURNS public."window"
LANGUAGE sql STABLE AS $$
  SELECT * FROM public."window" w WHERE w.id = c.window_id
$$;

CREATE TYPE pgl_bench.figures AS (
  accepted bigint, completed bigint, on_time bigint, early bigint,
  yellow_cards bigint, red_cards bigint, satisfaction numeric
);

-- The same figures from the rollup table ours reads (stat_department_month) and the changes
-- pending for it (stat_pending): what a PostGraphile deployment would read if it had
-- precomputed figures like ours.
CREATE FUNCTION pgl_bench.department_figures_rollup(department_id int, from_day date, to_day date)
RETURNS pgl_bench.figures LANGUAGE sql STABLE AS $$
  SELECT sum(accepted), sum(completed), sum(completed_on_time), sum(completed_early),
         sum(yellow_cards), sum(red_cards),
         round(sum(ratings_good)::numeric / nullif(sum(ratings), 0), 4)
  FROM (
    SELECT department_id, day, accepted, completed, completed_on_time, completed_early,
           yellow_cards, red_cards, ratings_good, ratings
    FROM public.stat_department_month
    UNION ALL
    SELECT department_id, date_trunc('month', day)::date, accepted, completed, completed_on_time,
           completed_early, yellow_cards, red_cards, ratings_good, ratings
    FROM public.stat_pending
  ) m
  WHERE m.department_id = department_figures_rollup.department_id
    AND m.day BETWEEN date_trunc('month', from_day)::date AND to_day
$$;

CREATE FUNCTION pgl_bench.department_figures(department_id int, from_day date, to_day date)
RETURNS pgl_bench.figures LANGUAGE sql STABLE AS $$
  SELECT
    (SELECT count(*) FROM public."case" c WHERE c.department_id = department_figures.department_id
       AND c.accepted_on BETWEEN from_day AND to_day),
    (SELECT count(*) FROM public."case" c WHERE c.department_id = department_figures.department_id
       AND c.decided_on BETWEEN from_day AND to_day),
    (SELECT count(*) FROM public."case" c WHERE c.department_id = department_figures.department_id
       AND c.decided_on BETWEEN from_day AND to_day AND c.timeliness IN ('EARLY', 'ON_TIME')),
    (SELECT count(*) FROM public."case" c WHERE c.department_id = department_figures.department_id
       AND c.decided_on BETWEEN from_day AND to_day AND c.timeliness = 'EARLY'),
    (SELECT count(*) FROM public.case_alert a WHERE a.department_id = department_figures.department_id
       AND a.raised_on BETWEEN from_day AND to_day AND a.level = 'YELLOW'),
    (SELECT count(*) FROM public.case_alert a WHERE a.department_id = department_figures.department_id
       AND a.raised_on BETWEEN from_day AND to_day AND a.level = 'RED'),
    (SELECT round(avg(CASE WHEN e.grade >= 4 THEN 1.0 ELSE 0.0 END), 4) FROM public.evaluation e
       WHERE e.department_id = department_figures.department_id AND e.counted
       AND e.rated_on BETWEEN from_day AND to_day)
$$;
"""

PGL_SERVER = """
import cluster from "node:cluster";
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

const processes = Number(process.env.PGL_PROCESSES || "1");
if (processes > 1 && cluster.isPrimary) {
  for (let i = 0; i < processes; i++) cluster.fork();
} else {
  const preset = {
    extends: [PostGraphileAmberPreset],
    pgServices: [makePgService({
      connectionString: process.env.PGL_DATABASE_URL,
      schemas: ["public", "pgl_bench"],
      poolConfig: { max: 10 },
    })],
    grafserv: { port: Number(process.env.PGL_PORT), host: "127.0.0.1", graphiql: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  server.keepAliveTimeout = 60_000;
  serv.addTo(server).then(() => server.listen(Number(process.env.PGL_PORT), "127.0.0.1"));
}
"""


@dataclasses.dataclass(frozen=True)
class Fixture:
    """What the scenarios ask about: ids for both servers and the token for ours."""

    hall_pk: int
    department_pk: int
    case_number: str
    day: date


def _dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- loading the hall -------------------------------------------------------------------------


async def _today(conn: Any, hall: Hall, day: date) -> None:
    """Every window open and serving one ticket; 20,000 tickets in the six lanes today."""
    await conn.execute(
        "UPDATE \"window\" SET state = 'OPEN', state_changed_at = now() WHERE hall_id = $1", hall.id
    )
    lanes = {lane.id: lane.prefix for lane in await Lane.filter(hall_id=hall.id)}
    windows = await Window.filter(hall_id=hall.id).order_by("id").prefetch_related("lanes")
    by_lane: dict[int, list[int]] = {lane_id: [] for lane_id in lanes}
    for window in windows:
        for lane in window.lanes:
            by_lane[lane.id].append(window.id)
    start = datetime.now(UTC) - timedelta(hours=6)
    rows: list[tuple[Any, ...]] = []
    lane_ids = sorted(lanes)
    share, extra = divmod(TICKETS_TODAY, len(lane_ids))
    for n, lane_id in enumerate(lane_ids):
        serving = by_lane[lane_id]
        per_lane = share + (1 if n < extra else 0)
        waiting_from = per_lane - 300  # the last 300 numbers of each lane are still waiting
        called_from = waiting_from - len(serving)
        for seq in range(1, per_lane + 1):
            issued = start + timedelta(seconds=seq * 5)
            if seq > waiting_from:
                status, window_id, called, finished, outcome = "WAITING", None, None, None, None
            elif seq > called_from:
                window_id = serving[seq - called_from - 1]
                status, called, finished, outcome = "CALLED", issued, None, None
            else:
                window_id = serving[seq % len(serving)] if serving else None
                status, called, finished, outcome = "FINISHED", issued, issued, "SERVED"
            rows.append((
                hall.id, lane_id, lane_id, day, seq, f"{lanes[lane_id]}{seq:04d}", "KIOSK",
                "NORMAL", seq, status, None, window_id, "张三", "", issued, called, None, 0,
                finished, outcome, "", issued,
            ))  # fmt: skip
    await conn.copy_records_to_table("ticket", records=rows, columns=TICKET_COLUMNS)


async def _open_cases(conn: Any, hall: Hall, day: date) -> None:
    """Open cases in every department (received over the last ten days), three events each."""
    columns = tuple(c for c in CASE_COLUMNS if c != "id")
    departments = await Department.filter(hall_id=hall.id).order_by("id")
    items: dict[int, list[tuple[int, int]]] = {}
    for item_id, version_id, dept_id in await conn.fetch(
        "SELECT i.id, v.id, i.department_id FROM service_item i"
        " JOIN service_item_version v ON v.item_id = i.id AND v.version = 1 WHERE i.hall_id = $1",
        hall.id,
    ):
        items.setdefault(dept_id, []).append((item_id, version_id))
    windows: dict[int, list[int]] = {}
    for window in await Window.filter(hall_id=hall.id).order_by("id"):
        windows.setdefault(int(window.department_id or 0), []).append(window.id)
    rows = []
    for d, dept in enumerate(departments):
        for n in range(OPEN_CASES_PER_DEPARTMENT):
            item_id, version_id = items[dept.id][n % len(items[dept.id])]
            received = datetime.combine(day, datetime.min.time(), UTC) - timedelta(
                days=n % 10, hours=6, minutes=n
            )
            due = day + timedelta(days=(n * 7) % 25)
            status = ("ACCEPTED", "IN_REVIEW", "IN_REVIEW", "SUSPENDED")[n % 4]
            window_list: list[int | None] = [*windows.get(dept.id, [])] or [None]
            rows.append((
                f"{HALL}-OPEN-{d:02d}-{n:05d}", hall.id, dept.id, item_id, version_id, "PROMISED",
                "WORKING", 20, 20, False, "PERSON", "张三", "11010519491231002X",
                f"139{n:08d}", "", window_list[n % len(window_list)], status, received, None,
                received, received.date(), False, "[]", 0, due, False, f"[{day.year}]",
                "YELLOW" if n % 9 == 0 else "NONE", None, None, None, None, None, "", "", "", "",
                3, received,
            ))  # fmt: skip
    await conn.copy_records_to_table("case", records=rows, columns=columns)
    events = []
    for case_id, received, status in await conn.fetch(
        'SELECT id, received_at, status FROM "case" WHERE number LIKE $1', f"{HALL}-OPEN-%"
    ):
        steps = [
            ("ACCEPTED", None, "ACCEPTED", received),
            ("REVIEW_STARTED", "ACCEPTED", "IN_REVIEW", received + timedelta(hours=1)),
            (
                "SUSPENDED" if status == "SUSPENDED" else "REVIEW_STARTED",
                "IN_REVIEW",
                status,
                received + timedelta(hours=2),
            ),
        ]
        for seq, (kind, before, after, at) in enumerate(steps, start=1):
            events.append(
                (case_id, seq, kind, before, after, None, "bench_clerk", at, "受理审查", "{}")
            )
    await conn.copy_records_to_table(
        "case_event",
        records=events,
        columns=(
            "case_id", "seq", "kind", "from_status", "to_status", "actor_id", "actor_name",
            "at", "remark", "data",
        ),
    )  # fmt: skip


async def load(database_url: str, cases: int) -> Fixture:
    """Migrate, generate the hall and its year, then today's queue and open cases."""
    await apply_migrations(database_url)
    async with orm(database_url, pool_size=4):
        started = time.perf_counter()
        written = await generate(
            HALL, "基准测试政务服务中心", PRESETS["real-hall"].scaled(cases), 2021
        )
        print(
            f"generated {written.cases:,} cases ({written.years[0]}-{written.years[-1]}), "
            f"{written.tickets:,} past tickets, {written.ratings:,} ratings, {written.cards:,} "
            f"cards in {time.perf_counter() - started:.0f} s"
        )
        hall = await Hall.get(code=HALL)
        day = business_day(hall, datetime.now(UTC))
        conn = await asyncpg.connect(_dsn(database_url))
        try:
            await _today(conn, hall, day)
            await _open_cases(conn, hall, day)
            await create_user(
                SYSTEM_ACTOR,
                UserDraft(
                    username=USERNAME, display_name="效能办", password=PASSWORD,
                    role=Role.SUPERVISOR, hall_id=hall.id,
                ),
                datetime.now(UTC),
            )  # fmt: skip
            department = await conn.fetchval(
                'SELECT department_id FROM "case" WHERE number LIKE $1'
                " GROUP BY department_id ORDER BY department_id LIMIT 1",
                f"{HALL}-OPEN-%",
            )
            number = await conn.fetchval(
                'SELECT number FROM "case" WHERE department_id = $1 AND number LIKE $2'
                " ORDER BY id LIMIT 1",
                department,
                f"{HALL}-OPEN-%",
            )
            # As the worker's periodic fold keeps it: the pending figures moved into the rollups,
            # and the table that held the generated year's rows compacted (VACUUM alone leaves
            # its empty pages, which every read of it then scans).
            await fold_pending(batch=50_000)
            await conn.execute("VACUUM FULL stat_pending")
            started = time.perf_counter()
            await conn.execute("VACUUM ANALYZE")
            print(f"VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")
            counts = await conn.fetchrow(
                'SELECT (SELECT count(*) FROM "case") AS cases,'
                " (SELECT count(*) FROM ticket WHERE business_day = $1) AS today,"
                ' (SELECT count(*) FROM "window") AS windows, (SELECT count(*) FROM lane) AS lanes,'
                " (SELECT count(*) FROM department) AS departments,"
                " (SELECT count(*) FROM service_item) AS items",
                day,
            )
            print("loaded:", ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        finally:
            await conn.close()
        assert await User.exists(username=USERNAME)
        return Fixture(hall.id, int(department), str(number), day)


async def fresh_database(server_url: str) -> str:
    """A new, empty database on the server; returns its URL."""
    name = f"hall_pgl_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(_dsn(server_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def node_url(database_url: str) -> str:
    """The database URL as node-postgres reads it (a unix socket folder goes in `host`)."""
    parts = urlsplit(_dsn(database_url))
    query = parse_qs(parts.query)
    host = query.get("host", [""])[0]
    return urlunsplit(("postgres", parts.netloc, parts.path, f"host={host}" if host else "", ""))


# --- the servers ----------------------------------------------------------------------------


def install_postgraphile(folder: Path) -> Path:
    """npm install postgraphile@5 and node@22 into `folder`; returns the node binary."""
    folder.mkdir(parents=True, exist_ok=True)
    node = folder / "node_modules" / "node" / "bin" / "node"
    (folder / "server.mjs").write_text(PGL_SERVER)
    if node.exists():  # a kept folder (--keep) from an earlier run
        return node
    package = {
        "name": "hall-postgraphile-bench",
        "private": True,
        "type": "module",
        "dependencies": {"postgraphile": "^5", "node": "^22"},
        # npm runs no install scripts unless allowed; node@22 fetches its binary in one.
        "allowScripts": {"node": True},
    }
    (folder / "package.json").write_text(json.dumps(package, indent=2))
    started = time.perf_counter()
    npm = shutil.which("npm") or "npm"
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    if not node.exists():
        subprocess.run([npm, "rebuild", "node"], cwd=folder, check=True, stdout=subprocess.DEVNULL)
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    pgl = json.loads((folder / "node_modules/postgraphile/package.json").read_text())["version"]
    print(
        f"installed postgraphile {pgl} and node {version.stdout.strip()} "
        f"in {time.perf_counter() - started:.0f} s (into {folder})"
    )
    return node


async def create_pgl_functions(database_url: str) -> None:
    """PostGraphile's SQL functions, in the pgl_bench schema."""
    conn = await asyncpg.connect(_dsn(database_url))
    try:
        await conn.execute(PGL_SQL)
    finally:
        await conn.close()


def _wait_graphql(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            response = httpx.post(url, json={"query": "{__typename}"}, timeout=5)
            if response.status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"server not ready: {log.read_text()[-3000:]}")


@contextlib.contextmanager
def postgraphile(
    folder: Path, node: Path, database_url: str, processes: int
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """PostGraphile (grafserv) in `processes` processes; yields its /graphql URL and process."""
    port = free_port()
    env = {
        **os.environ,
        "NODE_ENV": "production",
        "PGL_DATABASE_URL": node_url(database_url),
        "PGL_PORT": str(port),
        "PGL_PROCESSES": str(processes),
    }
    log = folder / f"postgraphile-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(node), "server.mjs"], cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        _wait_graphql(url, proc, log)
        yield url, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def ours(
    folder: Path, database_url: str, redis_url: str, processes: int, *, read_cache: bool = True
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`hall serve` with `processes` API processes and no worker; yields its /graphql URL."""
    extra = {
        # On by default, as in production; off measures every request executed.
        "HALL_READ_CACHE": "1" if read_cache else "0",
        "HALL_API_WORKERS": str(processes),
        "HALL_RUN_WORKER": "0",
        # Ten database connections per process, as PostGraphile is given (pg's default pool).
        "HALL_DB_POOL_SIZE": "10",
        # The per-caller cost budget would throttle one account driving thousands of requests
        # a second: the budget is still spent (a Redis call per request), just never exhausted.
        "HALL_COST_BUDGET": str(10**12),
    }
    with hall_serve(folder, database_url, redis_url, extra) as (base, proc):
        yield f"{base}/graphql", proc


# --- load generation --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Run:
    """One timed run against one server."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_seconds: float
    errors: int

    @property
    def rps(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds

    @property
    def cpu_ms_per_request(self) -> float:
        """Server CPU milliseconds per request."""
        return 1000 * self.cpu_seconds / max(self.requests, 1)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants (from /proc/<pid>/stat)."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    with contextlib.suppress(psutil.NoSuchProcess):
        pids += [child.pid for child in psutil.Process(pid).children(recursive=True)]
    total = 0
    for each in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
local auth = os.getenv("BENCH_AUTH")
if auth ~= nil and auth ~= "" then wrk.headers["Authorization"] = auth end
errors = 0
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then errors = errors + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %f %f %f %d\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
"""


def _wrk(url: str, body: bytes, auth: str, *, connections: int, seconds: float, lua: Path) -> Run:
    env = {**os.environ, "BENCH_BODY": body.decode(), "BENCH_AUTH": auth}
    out = subprocess.run(
        [str(WRK), "-t1", f"-c{connections}", f"-d{round(seconds)}s", "-s", str(lua), "--timeout", "10s", url],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    match = re.search(r"^BENCH (\d+) (\S+) (\S+) (\S+) (\d+)$", out.stdout, re.MULTILINE)
    if match is None:
        raise RuntimeError(out.stdout + out.stderr)
    requests, duration, p50, p99, errors = match.groups()
    return Run(int(requests), float(duration), float(p50), float(p99), 0.0, int(errors))


class _Client(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection sending the same request again and again."""

    def __init__(self, request: bytes, stop_at: float, latencies: list[float], done: Any) -> None:
        self.request, self.stop_at, self.latencies, self.done = request, stop_at, latencies, done
        self.buffer = b""
        self.sent = 0.0
        self.errors = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self._send()

    def _send(self) -> None:
        assert self.transport is not None
        self.sent = time.perf_counter()
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return
        head = self.buffer[:head_end].lower()
        length_at = head.find(b"content-length:")
        length = int(head[length_at + 15 : head.find(b"\r\n", length_at)].strip())
        if len(self.buffer) < head_end + 4 + length:
            return
        now = time.perf_counter()
        if not head.startswith(b"http/1.1 200"):
            self.errors += 1
        self.latencies.append(now - self.sent)
        self.buffer = self.buffer[head_end + 4 + length :]
        if now < self.stop_at:
            self._send()
        else:
            assert self.transport is not None
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def _python_load(
    url: str, body: bytes, auth: str, *, connections: int, seconds: float
) -> Run:
    parts = urlsplit(url)
    headers = [
        f"POST {parts.path} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
    ]
    if auth:
        headers.append(f"Authorization: {auth}")
    request = ("\r\n".join(headers) + "\r\n\r\n").encode() + body
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    started = time.perf_counter()
    stop_at = started + seconds
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    clients = []
    for _ in range(connections):
        done: asyncio.Future[None] = loop.create_future()

        def client_of(finished: asyncio.Future[None] = done) -> _Client:
            return _Client(request, stop_at, latencies, finished)

        _, client = await loop.create_connection(client_of, host, port)
        clients.append((client, done))
    await asyncio.gather(*(done for _, done in clients))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(q: float) -> float:
        return 1000 * ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else 0.0

    return Run(len(ordered), elapsed, pct(0.5), pct(0.99), 0.0, sum(c.errors for c, _ in clients))


ACTIVE = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
    " AND state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
)


async def _settle(dsn: str, limit: float) -> float:
    conn = await asyncpg.connect(dsn)
    started = time.monotonic()
    try:
        quiet = 0  # consecutive idle checks: queued requests may start between two queries
        while quiet < 3 and time.monotonic() - started < limit:
            quiet = 0 if await conn.fetchval(ACTIVE) else quiet + 1
            await asyncio.sleep(0.2)
    finally:
        await conn.close()
    return time.monotonic() - started


def settle(database_url: str, limit: float = 180) -> None:
    """Wait until no query of the last run is still executing (a slow server's backlog of
    queued queries would otherwise run into the next server's timed run)."""
    waited = asyncio.run(_settle(_dsn(database_url), limit))
    if waited > 2:
        print(f"  (waited {waited:.0f} s for the database to finish the previous run's queries)")


def drive(
    url: str, pid: int, body: bytes, auth: str, *, connections: int, seconds: float, lua: Path
) -> Run:
    """One run: the load generator against `url`, with the server's CPU time over the run."""
    before = cpu_seconds(pid)
    if WRK.exists():
        run = _wrk(url, body, auth, connections=connections, seconds=seconds, lua=lua)
    else:
        run = asyncio.run(_python_load(url, body, auth, connections=connections, seconds=seconds))
    return dataclasses.replace(run, cpu_seconds=cpu_seconds(pid) - before)


# --- the comparison ---------------------------------------------------------------------------


def bodies(fixture: Fixture) -> dict[str, tuple[bytes, bytes]]:
    """Each scenario's request body for ours and for PostGraphile."""
    dept = to_base64("Department", fixture.department_pk)
    variables_ours: dict[str, dict[str, Any]] = {
        "typename": {},
        "board": {"hallId": to_base64("Hall", fixture.hall_pk)},
        "open_cases": {"departmentId": dept},
        "case": {"number": fixture.case_number},
        "statistics": {
            "f": {"departmentId": dept, "from": STATS_MONTH[0].isoformat(), "to": STATS_MONTH[1].isoformat()}
        },
    }  # fmt: skip
    variables_ours["statistics_rollup"] = variables_ours["statistics"]
    variables_pgl: dict[str, dict[str, Any]] = {
        "typename": {},
        "board": {"hallId": fixture.hall_pk, "day": fixture.day.isoformat()},
        "open_cases": {"departmentId": fixture.department_pk},
        "case": {"number": fixture.case_number},
        "statistics": {
            "departmentId": fixture.department_pk,
            "from": STATS_MONTH[0].isoformat(),
            "to": STATS_MONTH[1].isoformat(),
        },
    }
    variables_pgl["statistics_rollup"] = variables_pgl["statistics"]
    out = {}
    for name, query in OURS.items():
        ours_body = {"query": query, "variables": variables_ours[name] or None}
        pgl_body = {"query": PGL[name], "variables": variables_pgl[name] or None}
        out[name] = (json.dumps(ours_body).encode(), json.dumps(pgl_body).encode())
    return out


def check(url: str, body: bytes, auth: str) -> int:
    """One request: fails on GraphQL errors or empty data; returns the response size."""
    headers = {"Content-Type": "application/json"} | ({"Authorization": auth} if auth else {})
    response = httpx.post(url, content=body, headers=headers, timeout=30)
    data = response.json()
    if response.status_code != 200 or data.get("errors") or not data.get("data"):
        raise RuntimeError(f"{url}: {response.status_code} {response.text[:2000]}")
    return len(response.content)


def login(url: str) -> str:
    """Log in as the seeded SUPERVISOR through authLogin; the Authorization header value."""
    body = {"query": LOGIN, "variables": {"i": {"username": USERNAME, "password": PASSWORD}}}
    response = httpx.post(url, json=body, timeout=30)
    return f"Bearer {response.json()['data']['authLogin']['token']}"


@dataclasses.dataclass
class Row:
    """One scenario at one process count: the runs of each server."""

    scenario: str
    processes: int
    ours: list[Run] = dataclasses.field(default_factory=list)
    pgl: list[Run] = dataclasses.field(default_factory=list)


def _median(runs: list[Run], attr: str) -> float:
    return float(statistics.median(float(getattr(r, attr)) for r in runs))


def print_table(rows: list[Row], connections: int) -> None:
    """The figures: medians over the rounds, and the ratios."""
    print(
        f"\n{connections} connections; medians of the rounds; CPU = server processes' user+system"
        " time per request (PostgreSQL not counted); PostGraphile runs WITHOUT auth, ours with a"
        " SUPERVISOR's Bearer token.\n"
    )
    head = (
        f"{'scenario':<17} {'proc':>4} | {'ours rps':>9} {'p50':>6} {'p99':>6} {'cpu/req':>8}"
        f" | {'pgl rps':>9} {'p50':>6} {'p99':>6} {'cpu/req':>8} | {'ratio':>6} {'cpu ratio':>9}"
    )
    print(head)
    print("-" * len(head))
    for row in rows:
        o_rps, p_rps = _median(row.ours, "rps"), _median(row.pgl, "rps")
        o_cpu, p_cpu = (
            _median(row.ours, "cpu_ms_per_request"),
            _median(row.pgl, "cpu_ms_per_request"),
        )
        errors = sum(r.errors for r in row.ours + row.pgl)
        print(
            f"{row.scenario:<17} {row.processes:>4} | {o_rps:9.0f} {_median(row.ours, 'p50_ms'):5.1f}m"
            f" {_median(row.ours, 'p99_ms'):5.1f}m {o_cpu:6.2f}ms | {p_rps:9.0f}"
            f" {_median(row.pgl, 'p50_ms'):5.1f}m {_median(row.pgl, 'p99_ms'):5.1f}m {p_cpu:6.2f}ms"
            f" | {o_rps / p_rps:5.2f}x {p_cpu / o_cpu if o_cpu else 0:8.2f}x"
            + (f"  ({errors} errors)" if errors else "")
        )  # fmt: skip
    print(
        "\nratio = ours/PostGraphile requests per second; cpu ratio = PostGraphile/ours CPU per request"
    )
    print(
        "\ntargets (issue 10): every scenario >= 1.0x, the board >= 5x, p99 <= 50 ms at 32 connections"
    )
    for row in rows:
        ratio = _median(row.ours, "rps") / _median(row.pgl, "rps")
        wanted = 5.0 if row.scenario == "board" else 1.0
        p99 = _median(row.ours, "p99_ms")
        print(
            f"  {row.scenario:<17} {row.processes} process(es): ratio {ratio:5.2f}x"
            f" {'met' if ratio >= wanted else 'NOT met'} (>= {wanted:.0f}x);"
            f" ours p99 {p99:5.1f} ms {'met' if p99 <= 50 else 'NOT met'}"
        )


def compare(
    args: argparse.Namespace, folder: Path, node: Path, *, database_url: str, redis_url: str,
    fixture: Fixture,
) -> list[Row]:  # fmt: skip
    """Both servers at each process count, alternating runs per scenario."""
    lua = folder / "bench.lua"
    lua.write_text(WRK_SCRIPT)
    scenarios = [s for s in OURS if not args.only or s in args.only]
    rows: list[Row] = []
    print(f"load generator: {'wrk' if WRK.exists() else 'asyncio client in this file'}")
    for processes in args.processes:
        with (
            ours(
                folder, database_url, redis_url, processes, read_cache=args.read_cache == "on"
            ) as (ours_url, ours_proc),
            postgraphile(folder / "pgl", node, database_url, processes) as (pgl_url, pgl_proc),
        ):
            auth = login(ours_url)
            for name in scenarios:
                ours_body, pgl_body = bodies(fixture)[name]
                sizes = (check(ours_url, ours_body, auth), check(pgl_url, pgl_body, ""))
                print(
                    f"\n[{processes} process(es)] {name}: response bytes ours {sizes[0]:,}, PostGraphile {sizes[1]:,}"
                )
                row = Row(name, processes)
                # Warm both up (JIT, caches, pools) before the timed rounds.
                warm = {"connections": args.connections, "seconds": 2, "lua": lua}
                drive(ours_url, ours_proc.pid, ours_body, auth, **warm)
                settle(database_url)
                drive(pgl_url, pgl_proc.pid, pgl_body, "", **warm)
                settle(database_url)
                for round_ in range(args.rounds):
                    order = [("ours", ours_url, ours_proc, ours_body, auth),
                             ("pgl", pgl_url, pgl_proc, pgl_body, "")]  # fmt: skip
                    if round_ % 2:
                        order.reverse()
                    for who, url, proc, body, token in order:
                        run = drive(
                            url, proc.pid, body, token,
                            connections=args.connections, seconds=args.seconds, lua=lua,
                        )  # fmt: skip
                        settle(database_url)
                        (row.ours if who == "ours" else row.pgl).append(run)
                        print(
                            f"  {who:<4} {run.rps:8.0f} req/s  p50 {run.p50_ms:6.1f} ms  p99 "
                            f"{run.p99_ms:6.1f} ms  cpu {run.cpu_ms_per_request:5.2f} ms/req"
                            + (f"  errors {run.errors}" if run.errors else "")
                        )
                rows.append(row)
    return rows


async def prepare(args: argparse.Namespace, server_url: str) -> tuple[str, Fixture]:
    """A fresh database with the hall and PostGraphile's functions (reused from a --keep folder)."""
    kept = args.keep / "fixture.json" if args.keep else None
    if kept is not None and kept.exists():
        saved = json.loads(kept.read_text())
        print(f"reusing the hall loaded in {saved['database_url']}")
        fixture = Fixture(
            **(saved["fixture"] | {"day": date.fromisoformat(saved["fixture"]["day"])})
        )
        await apply_migrations(saved["database_url"])  # the functions read the current tables
        await create_pgl_functions(saved["database_url"])
        return str(saved["database_url"]), fixture
    database_url = await fresh_database(server_url)
    fixture = await load(database_url, args.cases)
    await create_pgl_functions(database_url)
    if kept is not None:
        fields = dataclasses.asdict(fixture) | {"day": fixture.day.isoformat()}
        kept.write_text(json.dumps({"database_url": database_url, "fixture": fields}))
    return database_url, fixture


def main() -> None:
    """Parse arguments, start the servers, load, install, compare, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_335_875, help="accepted cases of the year")
    parser.add_argument(
        "--rounds", type=int, default=3, help="timed runs of each server per scenario"
    )
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--processes", default="1,2", help="process counts to compare, e.g. 1,2")
    parser.add_argument("--only", default="", help="scenarios, e.g. board,case (default: all)")
    parser.add_argument(
        "--read-cache",
        choices=("on", "off"),
        default="on",
        help="ours with its read cache (the default) or executing every request",
    )
    parser.add_argument(
        "--database-url", default=None, help="a PostgreSQL server to create the database on"
    )
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--keep", type=Path, default=None, help="keep the temporary folder here")
    args = parser.parse_args()
    args.processes = [int(p) for p in args.processes.split(",")]
    args.only = [s for s in args.only.split(",") if s]
    raise_fd_limit()
    with contextlib.ExitStack() as stack:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            folder = args.keep
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hall-pgl-")))
        server_url, redis_url = stack.enter_context(
            embedded(folder, args.database_url, args.redis_url)
        )
        node = install_postgraphile(folder / "pgl")
        database_url, fixture = asyncio.run(prepare(args, server_url))
        rows = compare(
            args, folder, node, database_url=database_url, redis_url=redis_url, fixture=fixture
        )
        print_table(rows, args.connections)


if __name__ == "__main__":
    main()
