"""The figures: rollups kept by triggers equal the raw tables after real actions, also under concurrency."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from models.accounts.tables import Role
from models.alerts.scan import scan_deadlines
from models.calendar import actions as calendar
from models.calendar.actions import YearNotice
from models.calendar.tables import HallClosure
from models.cases import actions, intake
from models.cases.rules import Applicant
from models.cases.tables import ApplicantKind, Outcome
from models.catalogue import actions as catalogue
from models.catalogue.tables import Hall, ItemKind
from models.common.actor import SYSTEM_ACTOR
from models.common.errors import Forbidden, InvalidInput
from models.evaluations.tables import Evaluation, EvaluationChannel
from models.queue import actions as queue
from models.queue.tables import TicketChannel, TicketOutcome
from models.statistics.queries import StatRequest, statistics
from models.statistics.rebuild import rebuild_rollups, rollup_differences
from models.statistics.rules import GroupBy, Source
from tests import factories as f

APPLICANT = Applicant(ApplicantKind.PERSON, "张三", "11010519491231002X", "13912345678")
NOW = f.NOW  # Friday 2026-11-20, 10:00 in Shanghai
DAY = date(2026, 11, 20)


def shanghai(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock moment in Shanghai, as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


async def _hall() -> dict[str, Any]:
    hall = await f.hall("JN")
    sc = await f.department(hall, "SC", "市市场监管局")
    ga = await f.department(hall, "GA", "市公安局")
    await catalogue.create_item(
        SYSTEM_ACTOR, department_id=sc.id, code="SC-010",
        elements=f.elements("个体工商户设立登记", promised_limit=10), now=NOW,
    )  # fmt: skip
    await catalogue.create_item(
        SYSTEM_ACTOR, department_id=ga.id, code="GA-001",
        elements=f.elements("居住证签注", kind=ItemKind.IMMEDIATE, promised_limit=0), now=NOW,
    )  # fmt: skip
    lane = await f.lane(hall, "A")
    windows = [await f.window(hall, "1"), await f.window(hall, "2")]
    _, clerk1 = await f.user("clerk1", Role.CLERK, of=hall, department_id=sc.id)
    _, clerk2 = await f.user("clerk2", Role.CLERK, of=hall, department_id=ga.id)
    _, chief = await f.user("rep_sc", Role.CHIEF_REP, of=hall, department_id=sc.id)
    _, admin = await f.user("director", Role.ADMIN, of=hall)
    await catalogue.open_window(clerk1, windows[0].id, NOW)
    await catalogue.open_window(clerk2, windows[1].id, NOW)
    return {
        "hall": hall, "sc": sc, "ga": ga, "lane": lane, "windows": windows,
        "clerk1": clerk1, "clerk2": clerk2, "chief": chief, "admin": admin,
    }  # fmt: skip


async def _serve(h: dict[str, Any], clerk: str, window: int, at: datetime) -> None:
    """A number taken, called five minutes later and finished ten minutes after that."""
    request = queue.TicketRequest(h["hall"].id, h["lane"].id, TicketChannel.KIOSK)
    await queue.issue_ticket(None, request, at)
    called = await queue.call_next(h[clerk], h["windows"][window].id, at + timedelta(minutes=5))
    await queue.finish(h[clerk], called.ticket.id, TicketOutcome.SERVED, at + timedelta(minutes=15))


async def _rate(h: dict[str, Any], case: Any, grade: int, on: date) -> Evaluation:
    return await Evaluation.create(
        hall_id=h["hall"].id, department_id=case.department_id, window_id=case.window_id,
        staff_id=case.received_by_id, item_id=case.item_id, case_id=case.id,
        channel=EvaluationChannel.WINDOW, grade=grade, bad=grade <= 2,
        submitted_at=shanghai(on, 16), rated_on=on, policy_version=1,
    )  # fmt: skip


async def _a_day_of_work(h: dict[str, Any]) -> None:
    """Accept, complete, serve tickets, raise cards, rate; one rating later appealed away."""
    hall_id = h["hall"].id
    w1, w2 = (w.id for w in h["windows"])
    promised = [
        await intake.accept(h["clerk1"], intake.Intake("SC-010", hall_id, APPLICANT, w1), NOW)
        for _ in range(3)
    ]
    quick = await intake.accept(h["clerk2"], intake.Intake("GA-001", hall_id, APPLICANT, w2), NOW)
    await actions.complete(h["clerk2"], quick.number, Outcome.APPROVED, "", NOW)
    await actions.complete(
        h["chief"], promised[0].number, Outcome.APPROVED, "", shanghai(date(2026, 11, 25), 10)
    )
    await _serve(h, "clerk1", 0, NOW)
    await _serve(h, "clerk2", 1, NOW + timedelta(minutes=1))
    await scan_deadlines(shanghai(date(2026, 12, 1), 10))  # yellow cards for the two left
    await scan_deadlines(shanghai(date(2026, 12, 7), 10))  # red now
    await actions.complete(
        h["chief"], promised[1].number, Outcome.DENIED, "材料不实", shanghai(date(2026, 12, 8), 9)
    )
    await _rate(h, quick, 5, DAY)
    await _rate(h, promised[0], 4, date(2026, 11, 25))
    appealed = await _rate(h, promised[1], 1, date(2026, 12, 8))
    await _rate(h, promised[2], 2, date(2026, 12, 9))
    appealed.counted = False  # an upheld appeal takes the rating out of the figures
    await appealed.save(update_fields=["counted"])


PERIOD = StatRequest(start=date(2026, 11, 1), end=date(2026, 12, 31))


async def test_the_figures_of_a_day_of_work(db: object) -> None:
    h = await _hall()
    await _a_day_of_work(h)
    report = await statistics(h["admin"], dataclasses.replace(PERIOD, hall_id=h["hall"].id))
    total = report.total.figures
    assert report.source is Source.ROLLUP
    assert (total.accepted, total.accepted_promised, total.accepted_immediate) == (4, 3, 1)
    assert total.working_days == 44  # November (21) and December (23) 2026
    assert (total.completed, total.completed_early, total.completed_overdue) == (3, 1, 1)
    assert (total.on_time_rate.numerator, total.on_time_rate.denominator) == (2, 3)
    assert (total.early_rate.numerator, total.early_rate.denominator) == (1, 4)
    assert (total.promised_early_rate.numerator, total.promised_early_rate.denominator) == (1, 2)
    assert (total.yellow_cards, total.red_cards) == (2, 2)
    assert (total.ratings, total.ratings_good, total.ratings_bad) == (3, 2, 1)
    assert total.satisfaction.value == pytest.approx(2 / 3)
    assert (total.average_wait.numerator, total.average_wait.denominator) == (600, 2)
    assert total.average_service.value == 600
    assert report.total.previous.accepted == 0
    assert report.total.growth.value is None


GROUPINGS = [
    (),
    *((g,) for g in GroupBy),
    (GroupBy.DEPARTMENT, GroupBy.MONTH),
    (GroupBy.STAFF, GroupBy.DAY),
    (GroupBy.WINDOW, GroupBy.ITEM),
]


@pytest.mark.parametrize("group_by", GROUPINGS)
async def test_rollups_equal_raw_for_every_grouping(
    db: object, group_by: tuple[GroupBy, ...]
) -> None:
    h = await _hall()
    await _a_day_of_work(h)
    assert await rollup_differences() == []
    asked = dataclasses.replace(PERIOD, hall_id=h["hall"].id, group_by=group_by)
    rolled = await statistics(h["admin"], asked)
    raw = await statistics(h["admin"], dataclasses.replace(asked, source=Source.RAW))
    assert raw.source is Source.RAW
    assert [(r.key, r.figures) for r in rolled.rows] == [(r.key, r.figures) for r in raw.rows]
    assert rolled.total.figures == raw.total.figures
    # Two narrowing keys no rollup holds together: the raw path answers.
    both = dataclasses.replace(asked, window_id=h["windows"][0].id, item_id=None, staff_id=1)
    assert (await statistics(h["admin"], both)).source is Source.RAW


async def test_department_by_month_rows_compare_with_the_same_month_a_year_earlier(
    db: object,
) -> None:
    h = await _hall()
    await _a_day_of_work(h)
    asked = dataclasses.replace(
        PERIOD, hall_id=h["hall"].id, group_by=(GroupBy.DEPARTMENT, GroupBy.MONTH)
    )
    report = await statistics(h["admin"], asked)
    rows = {(r.labels, r.figures.accepted, r.figures.working_days) for r in report.rows}
    assert (("市市场监管局", "2026-11"), 3, 21) in rows
    assert (("市公安局", "2026-11"), 1, 21) in rows
    with pytest.raises(InvalidInput):
        await statistics(
            h["admin"], dataclasses.replace(asked, group_by=(GroupBy.DAY, GroupBy.MONTH))
        )


async def test_rebuild_gives_the_same_rollups(db: object) -> None:
    h = await _hall()
    await _a_day_of_work(h)
    written = await rebuild_rollups()
    assert written["stat_department_day"] > 0
    assert await rollup_differences() == []


async def test_who_sees_which_figures(db: object) -> None:
    h = await _hall()
    await _a_day_of_work(h)
    asked = dataclasses.replace(PERIOD, hall_id=h["hall"].id)
    mine = await statistics(h["clerk1"], dataclasses.replace(asked, group_by=(GroupBy.STAFF,)))
    assert [r.key for r in mine.rows] == [(h["clerk1"].user_id,)]
    chief = await statistics(h["chief"], dataclasses.replace(asked, group_by=(GroupBy.DEPARTMENT,)))
    assert [r.key for r in chief.rows] == [(h["sc"].id,)]
    with pytest.raises(Forbidden):
        await statistics(h["chief"], dataclasses.replace(asked, department_id=h["ga"].id))
    with pytest.raises(Forbidden):
        await statistics(h["clerk1"], dataclasses.replace(asked, staff_id=h["clerk2"].user_id))
    _, screen = await f.user("screen", Role.MONITOR, of=h["hall"])
    with pytest.raises(Forbidden):
        await statistics(screen, dataclasses.replace(asked, group_by=(GroupBy.STAFF,)))
    other = await f.hall("QD")
    _, outsider = await f.user("qd_admin", Role.ADMIN, of=other)
    with pytest.raises(Forbidden):
        await statistics(outsider, asked)


@pytest.fixture
async def busy(committed: object) -> dict[str, Any]:
    h = await _hall()
    clerks = [
        (await f.user(f"clerk_sc{n}", Role.CLERK, of=h["hall"], department_id=h["sc"].id))[1]
        for n in range(6)
    ]
    return {**h, "clerks": clerks}


async def test_concurrent_writers_leave_rollups_equal_to_raw(busy: dict[str, Any]) -> None:
    """Six connections accept, complete and rate on the same keys at once: no lost update."""
    h = busy
    hall_id = h["hall"].id
    w1 = h["windows"][0].id

    async def work(clerk: Any, n: int) -> None:
        for k in range(8):
            case = await intake.accept(clerk, intake.Intake("SC-010", hall_id, APPLICANT, w1), NOW)
            if k % 2 == 0:
                done = await actions.complete(h["chief"], case.number, Outcome.APPROVED, "", NOW)
                await _rate(h, done, 1 + (n + k) % 5, DAY)
            quick = await intake.accept(clerk, intake.Intake("GA-001", hall_id, APPLICANT), NOW)
            await actions.complete(h["clerk2"], quick.number, Outcome.APPROVED, "", NOW)

    await asyncio.gather(*(work(c, n) for n, c in enumerate(h["clerks"])))
    assert await rollup_differences() == []
    report = await statistics(h["admin"], dataclasses.replace(PERIOD, hall_id=hall_id))
    assert report.total.figures.accepted == 6 * 16
    assert report.total.figures.ratings == 6 * 4
    # Outside a transaction the raw path reads its parts side by side on pooled connections.
    raw = await statistics(
        h["admin"], dataclasses.replace(PERIOD, hall_id=hall_id, source=Source.RAW)
    )
    assert (raw.source, raw.total.figures) == (Source.RAW, report.total.figures)


def test_the_migrations_hold_the_triggers_parts_py_generates() -> None:
    """Changing parts.py needs a new migration with the new trigger functions."""
    from importlib import import_module  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    from models.statistics.parts import SOURCES, trigger_function, trigger_statements  # noqa: PLC0415

    folder = Path(__file__).resolve().parents[2] / "models" / "migrations"
    stored: list[str] = []
    for path in sorted(folder.glob("0*.py")):
        migration = import_module(f"models.migrations.{path.stem}").Migration
        stored += [s for op in migration.operations if hasattr(op, "sql") for s in op.sql]
    for table in SOURCES:
        head = f"FUNCTION stat_{table}_changed()"
        latest = [
            s for s in stored if s.startswith(("CREATE " + head, "CREATE OR REPLACE " + head))
        ]
        assert latest, table
        assert latest[-1] in (trigger_function(table), trigger_function(table, replace=True)), table
        for statement in trigger_statements(table)[1:]:
            assert statement in stored, statement[:80]


async def test_tickets_store_whole_seconds_and_the_raw_path_sums_them(db: object) -> None:
    """Wait and service seconds are set by PostgreSQL when a ticket is called and finished,
    rounded as the figures always were; the raw tables and the rollups sum the same."""
    h = await _hall()
    request = queue.TicketRequest(h["hall"].id, h["lane"].id, TicketChannel.KIOSK)
    issued = await queue.issue_ticket(None, request, NOW)
    window = h["windows"][0].id
    called = await queue.call_next(h["clerk1"], window, NOW + timedelta(seconds=300.6))
    conn = connections.get("default")
    stored = "SELECT wait_seconds, service_seconds FROM ticket WHERE id = $1"
    assert await conn.execute_query_dict(stored, [issued.ticket.id]) == [
        {"wait_seconds": 301, "service_seconds": None}
    ]
    done = NOW + timedelta(seconds=300.6 + 599.4)
    await queue.finish(h["clerk1"], called.ticket.id, TicketOutcome.SERVED, done)
    assert await conn.execute_query_dict(stored, [issued.ticket.id]) == [
        {"wait_seconds": 301, "service_seconds": 599}
    ]
    asked = dataclasses.replace(PERIOD, hall_id=h["hall"].id)
    rolled = (await statistics(h["admin"], asked)).total.figures
    raw = (await statistics(h["admin"], dataclasses.replace(asked, source=Source.RAW))).total
    assert (raw.figures.tickets_called, raw.figures.wait_seconds) == (1, 301)
    assert (raw.figures.tickets_finished, raw.figures.service_seconds) == (1, 599)
    assert raw.figures == rolled
    assert await rollup_differences() == []


# The covering index each part of a grouped or narrowed read uses (index-only: no heap page
# per row), and the narrow one a period's totals read (None: the covering one).
COVERING = {
    ("case", "r.accepted_on"): "case_hall_accepted",
    ("case", "r.decided_on"): "case_hall_decided",
    ("case_alert", "r.raised_on"): "case_alert_hall_raised",
    ("evaluation", "r.rated_on"): "evaluation_counted_hall_rated",
    ("ticket", "r.business_day"): "ticket_called_hall_day",
}
TOTALS = {
    ("case", "r.accepted_on"): "case_totals_accepted",
    ("case", "r.decided_on"): "case_totals_decided",
    ("case_alert", "r.raised_on"): "case_alert_hall_raised",
    ("evaluation", "r.rated_on"): "evaluation_totals_counted",
    ("ticket", "r.business_day"): "ticket_totals_called",
}


async def test_a_periods_totals_read_covering_indexes_only(db: object) -> None:
    """Every counter of the raw path reads columns its index holds: a counter reading another
    column would turn a year's scan into a heap fetch per row. A period's totals read the narrow
    indexes, grouped and narrowed reads the covering ones."""
    from models.statistics.parts import PARTS  # noqa: PLC0415
    from models.statistics.reads import Scope, part_sql  # noqa: PLC0415

    assert {(p.table, p.day) for p in PARTS} == set(COVERING) == set(TOTALS)
    conn = connections.get("default")
    # An index's columns, and those its predicate tests (WHERE counted: true for every row).
    held = (
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
        " AND (a.attnum = ANY(i.indkey) OR pg_get_expr(i.indpred, i.indrelid) ~ ('\\m' || a.attname || '\\M'))"
        " WHERE i.indexrelid = $1::regclass"
    )
    questions = (
        (Scope(hall_ids=(1,)), (), TOTALS),
        (Scope(hall_ids=(1,)), (GroupBy.DEPARTMENT, GroupBy.MONTH), COVERING),
        (Scope(hall_ids=(1,), item_id=2), (GroupBy.STAFF,), COVERING),
        (Scope(hall_ids=(1,), window_id=2), (GroupBy.DAY,), COVERING),
    )
    for scope, group_by, expected in questions:
        for part in PARTS:
            sql, _ = part_sql(part, scope, group_by)
            # The source row's columns (the outer query of a grouped read names its own).
            read = set(re.findall(r"\br\.(\w+)", sql)) - {"n"} - {f"g{n}" for n in range(3)}
            index = expected[part.table, part.day]
            columns = {r["attname"] for r in await conn.execute_query_dict(held, [index])}
            assert read <= columns, (index, read - columns)
    # And the planner takes the narrow indexes for a period's totals, index-only.
    for part in PARTS:
        sql, values = part_sql(part, Scope(hall_ids=(1,)), ())
        async with in_transaction() as transaction:
            await transaction.execute_script(
                "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off"
            )
            rows = await transaction.execute_query_dict(
                f"EXPLAIN {sql}", [values[0], date(2021, 1, 1), date(2021, 12, 31), *values[1:]]
            )
        plan = "\n".join(r["QUERY PLAN"] for r in rows)
        assert f"Index Only Scan using {TOTALS[part.table, part.day]} " in plan, plan


async def test_a_generated_year_reproduces_its_shape(db: object) -> None:
    """The real-hall preset at 1/500 scale: every published count exact, rollups equal raw."""
    from models.statistics.generator import PRESETS, generate  # noqa: PLC0415

    shape = dataclasses.replace(
        PRESETS["real-hall"].scaled(2_672), departments=3, windows=6, items=40
    )
    written = await generate("GEN", "生成数据中心", shape, seed=7)
    again = dataclasses.replace(PERIOD, start=date(2021, 1, 1), end=date(2021, 12, 31))
    _, admin = await f.user("gen_admin", Role.ADMIN, of=await Hall.get(id=written.hall_id))
    report = await statistics(admin, dataclasses.replace(again, hall_id=written.hall_id))
    total = report.total.figures
    assert (total.accepted, total.working_days) == (2_672, 250)
    assert (total.accepted_immediate, total.accepted_promised) == (shape.immediate, shape.promised)
    assert (total.accepted_reported, total.accepted_joint) == (shape.reported, shape.joint)
    assert (total.completed_early, total.completed_overdue) == (shape.early, 0)
    assert total.on_time_rate.value == 1
    assert report.total.previous.accepted == shape.previous_accepted
    assert await rollup_differences() == []


def test_the_rollup_each_question_reads() -> None:
    from models.statistics.reads import Scope, grain_for  # noqa: PLC0415
    from models.statistics.rules import Period  # noqa: PLC0415

    year, part = Period(date(2021, 1, 1), date(2021, 12, 31)), Period(date(2021, 1, 5), DAY)
    hall = Scope(hall_ids=(1,))
    assert grain_for(hall, (), year) == "stat_department_month"
    assert grain_for(hall, (GroupBy.DEPARTMENT, GroupBy.MONTH), year) == "stat_department_month"
    assert grain_for(hall, (GroupBy.DAY,), year) == "stat_department_day"
    assert grain_for(hall, (), part) == "stat_department_day"
    assert grain_for(Scope((1,), window_id=3), (GroupBy.MONTH,), year) == "stat_window_day"
    assert grain_for(hall, (GroupBy.STAFF, GroupBy.DAY), part) == "stat_staff_day"
    assert grain_for(Scope((1,), staff_id=2), (GroupBy.ITEM,), year) is None


def test_every_kind_and_timeliness_has_its_own_code() -> None:
    """A kind or timeliness without a code would count in no kind's figure on the raw path."""
    from models.cases.tables import Timeliness  # noqa: PLC0415
    from models.statistics.parts import KIND_CODES, TIMELINESS_CODES  # noqa: PLC0415

    assert set(KIND_CODES) == set(ItemKind)
    assert set(TIMELINESS_CODES) == set(Timeliness)
    assert len(set(KIND_CODES.values())) == len(KIND_CODES)
    assert len(set(TIMELINESS_CODES.values())) == len(TIMELINESS_CODES)


async def test_cases_store_the_codes_the_figures_compare(db: object) -> None:
    """The database computes each case's kind and timeliness codes as parts.py numbers them."""
    from models.statistics.parts import KIND_CODES, TIMELINESS_CODES  # noqa: PLC0415

    conn = connections.get("default")
    generated = (
        "SELECT pg_get_expr(d.adbin, d.adrelid) AS expr FROM pg_attrdef d JOIN pg_attribute a"
        " ON a.attrelid = d.adrelid AND a.attnum = d.adnum"
        " WHERE d.adrelid = '\"case\"'::regclass AND a.attname = $1"
    )
    for column, source, codes in (
        ("kind_code", "kind", KIND_CODES),
        ("timeliness_code", "timeliness", TIMELINESS_CODES),
    ):
        (row,) = await conn.execute_query_dict(generated, [column])
        cases: list[tuple[object, object]] = [*codes.items(), (None, None)]
        for value, code in cases:
            sql = f"SELECT {row['expr']} AS code FROM (SELECT $1::varchar AS {source}) c"  # noqa: S608  (the database's own expression)
            assert await conn.execute_query_dict(sql, [value]) == [{"code": code}], value


async def test_working_days_follow_calendar_changes_from_any_writer(db: object) -> None:
    h = await _hall()
    await _a_day_of_work(h)
    asked = dataclasses.replace(PERIOD, hall_id=h["hall"].id)
    days = (await statistics(h["admin"], asked)).total.figures.working_days
    assert (await statistics(h["admin"], asked)).total.figures.working_days == days
    # A closure on a Monday, then an official notice making a Tuesday a holiday: each is seen
    # by the next read (the remembered calendar is keyed by what its rows hold).
    await calendar.add_closure(h["admin"], h["hall"].id, date(2026, 11, 23), "停电检修", NOW)
    assert (await statistics(h["admin"], asked)).total.figures.working_days == days - 1
    notice = YearNotice("370100", 2026, (date(2026, 11, 24),), (), "测试通知")
    await calendar.set_year(h["admin"], notice, NOW)
    assert (await statistics(h["admin"], asked)).total.figures.working_days == days - 2
    # Written behind the actions' back, as another process or a migration would.
    await HallClosure.filter(hall_id=h["hall"].id).delete()
    assert (await statistics(h["admin"], asked)).total.figures.working_days == days - 1
    raw = await statistics(h["admin"], dataclasses.replace(asked, source=Source.RAW))
    rolled = await statistics(h["admin"], asked)
    assert (rolled.total, rolled.source) == (raw.total, Source.ROLLUP)


async def test_refusals_keep_their_order_whichever_path_reads(db: object) -> None:
    h = await _hall()
    other = await f.hall("QD")
    qd = await f.department(other, "GA", "青岛市公安局")
    _, outsider = await f.user("qd_rep", Role.CHIEF_REP, of=other, department_id=qd.id)
    asked = dataclasses.replace(PERIOD, hall_id=h["hall"].id)
    cases = [
        (h["chief"], dataclasses.replace(asked, department_id=h["ga"].id), "首席代表只能查看本部门的统计"),
        (outsider, asked, "无权查看该大厅的统计"),
        (outsider, dataclasses.replace(asked, department_id=h["sc"].id), "无权查看该大厅的统计"),
        (h["admin"], dataclasses.replace(asked, hall_id=10**6), "无权查看该大厅的统计"),
        (h["admin"], dataclasses.replace(asked, hall_id=other.id), "无权查看该大厅的统计"),
    ]  # fmt: skip
    for actor, request, message in cases:
        with pytest.raises(Forbidden) as refused:
            await statistics(actor, request)
        assert str(refused.value) == message, request
    _, homeless = await f.user("nobody", Role.ADMIN)  # no hall of its own
    with pytest.raises(InvalidInput):
        await statistics(homeless, PERIOD)


def test_a_remembered_calendar_counts_each_period_once() -> None:
    from models.calendar.rules import WorkingCalendar  # noqa: PLC0415
    from models.statistics.rules import Period  # noqa: PLC0415
    from models.statistics.scoped_rollup import RememberedCalendar  # noqa: PLC0415

    remembered = RememberedCalendar(WorkingCalendar(closures=frozenset({date(2026, 11, 23)})))
    november = Period(date(2026, 11, 1), date(2026, 11, 30))
    days = remembered.working_days(november)
    assert days == november.working_days(remembered.calendar)
    assert remembered.days == {november: days}
    remembered.days[november] = -1  # what it answers next comes from what it kept
    assert remembered.working_days(november) == -1


async def test_records_come_from_the_callers_transaction_when_it_holds_one(db: object) -> None:
    from models.common.records import fetch_records  # noqa: PLC0415

    hall = await f.hall("TX")  # not committed: only this transaction's connection sees it
    rows = await fetch_records("SELECT code FROM hall WHERE id = $1", [hall.id])
    assert [row["code"] for row in rows] == ["TX"]


async def test_records_come_from_the_pool_outside_a_transaction(committed: object) -> None:
    from models.common.records import fetch_records  # noqa: PLC0415

    hall = await f.hall("PL")
    rows = await fetch_records("SELECT code, $2::int AS n FROM hall WHERE id = $1", [hall.id, 7])
    assert [(row["code"], row["n"]) for row in rows] == [("PL", 7)]
