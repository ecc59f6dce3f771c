"""The calendar through GraphQL: years by source, loading a notice, closures, opening hours."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from strawberry.relay import to_base64

from api.jobs import ArqJobQueue
from models.accounts.tables import Role
from models.calendar.tables import CalendarYearRecord, HallClosure, HallHours
from models.queue.errors import HallClosed
from tests import factories as f
from tests.conftest import Servers
from tests.operations import run

NOTICE_2027 = {
    "year": 2027,
    "holidays": ["2027-01-01", "2027-02-06", "2027-02-07", "2027-02-08"],
    "workdays": ["2027-02-20"],
    "notice": "国务院办公厅关于2027年部分节假日安排的通知",
}


@pytest.fixture
async def people(db: object) -> dict[str, Any]:
    hall = await f.hall("JN")
    _, city_admin = await f.user("cityadmin", Role.ADMIN)
    _, hall_admin = await f.user("admin1", Role.ADMIN, of=hall)
    _, clerk = await f.user("clerk1", Role.CLERK, of=hall)
    return {"hall": hall, "city": city_admin, "admin": hall_admin, "clerk": clerk}


async def test_years_by_source(people: dict[str, Any]) -> None:
    known = (await run("WorkingCalendar", {"year": 2026}, actor=people["clerk"]))["data"]
    calendar = known["workingCalendar"]
    assert (calendar["source"], calendar["provisional"]) == ("LIBRARY", False)
    assert "2026-10-01" in calendar["holidays"]
    assert "2026-02-28" in calendar["workdays"]
    future = (await run("WorkingCalendar", {"year": 2027}, actor=people["clerk"]))["data"]
    assert (future["workingCalendar"]["source"], future["workingCalendar"]["provisional"]) == (
        "PROVISIONAL",
        True,
    )
    assert future["workingCalendar"]["workingDayCount"] == 261  # weekends only


async def test_loading_a_notice(people: dict[str, Any]) -> None:
    result = await run("CalendarYearSet", {"input": NOTICE_2027}, actor=people["city"])
    success = result["data"]["calendarYearSet"]
    assert success["calendar"]["source"] == "NOTICE"
    assert success["calendar"]["provisional"] is False
    assert success["recomputeQueued"] is False  # no queue in this context
    shown = (await run("WorkingCalendar", {"year": 2027}, actor=people["clerk"]))["data"]
    assert (
        shown["workingCalendar"]["workingDayCount"] == 261 - 2 + 1
    )  # two weekday holidays, one make-up Saturday


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"holidays": ["2026-12-31"]}, ["input", "holidays", "0"], "OUTSIDE_YEAR"),
        ({"workdays": ["2027-02-22"]}, ["input", "workdays", "0"], "NOT_WEEKEND"),
        ({"workdays": ["2027-02-06"]}, ["input", "workdays", "0"], "BOTH_WAYS"),
        ({"notice": ""}, ["input", "notice"], "REQUIRED"),
        ({"region": "Beijing"}, ["input", "region"], "TOO_LONG"),
        ({"year": 1999}, ["input", "year"], "OUT_OF_RANGE"),
    ],
)
async def test_notice_rules(
    people: dict[str, Any], changes: dict[str, Any], field: list[str], code: str
) -> None:
    result = await run("CalendarYearSet", {"input": NOTICE_2027 | changes}, actor=people["city"])
    error = result["data"]["calendarYearSet"]
    assert (error["__typename"], error["code"]) == ("InputError", code)
    assert field in [v["field"] for v in error["violations"]]
    assert await CalendarYearRecord.filter(year=2027).count() == 0


async def test_only_city_admins_load_the_national_calendar(people: dict[str, Any]) -> None:
    for actor in ("admin", "clerk"):
        result = await run("CalendarYearSet", {"input": NOTICE_2027}, actor=people[actor])
        assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await CalendarYearRecord.filter(year=2027).count() == 0


@pytest.fixture
async def jobs(orm: Servers) -> AsyncIterator[ArqJobQueue]:
    queue = await ArqJobQueue.connect(orm.redis_url)
    yield queue
    await queue.close()


async def test_loading_a_notice_queues_the_recomputation(
    people: dict[str, Any], jobs: ArqJobQueue
) -> None:
    from schema.context import Context  # noqa: PLC0415
    from schema.schema import schema  # noqa: PLC0415
    from tests.operations import document  # noqa: PLC0415

    context = Context(actor=people["city"], clock=lambda: f.NOW, jobs=jobs)
    result = await schema.execute(
        document("CalendarYearSet"), variable_values={"input": NOTICE_2027}, context_value=context
    )
    assert result.data is not None
    assert result.data["calendarYearSet"]["recomputeQueued"] is True
    queued = [
        j
        for j in await jobs.pool.queued_jobs(queue_name="hall:queue")
        if j.function == "recompute_deadlines"
    ]
    assert [(j.args, str(j.job_id).startswith("recompute:CN:2027:")) for j in queued][-1] == (
        ("CN", 2027),
        True,
    )
    # Leave nothing for the suite's worker tests to pick up.
    await jobs.pool.zrem("hall:queue", str(queued[-1].job_id))
    await jobs.pool.delete(f"arq:job:{queued[-1].job_id}")


async def test_closures_and_hours(people: dict[str, Any]) -> None:
    hall_id = to_base64("Hall", people["hall"].id)
    add = {"hallId": hall_id, "day": "2026-11-24", "reason": "系统升级"}
    added = await run("HallClosureAdd", {"input": add}, actor=people["admin"])
    assert added["data"]["hallClosureAdd"]["closure"] == {"day": "2026-11-24", "reason": "系统升级"}
    twice = await run("HallClosureAdd", {"input": add}, actor=people["admin"])
    assert twice["data"]["hallClosureAdd"]["code"] == "DUPLICATE"
    denied = await run(
        "HallClosureAdd", {"input": add | {"day": "2026-11-25"}}, actor=people["clerk"]
    )
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await HallClosure.all().count() == 1
    hours = {
        "hallId": hall_id,
        "weekday": [{"opens": "09:00", "closes": "17:00"}],
        "saturday": [{"opens": "09:00", "closes": "12:00"}],
        "ticketCutoffMinutes": 15,
        "carryOverUnserved": True,
    }
    set_ = await run("HallHoursSet", {"input": hours}, actor=people["admin"])
    assert set_["data"]["hallHoursSet"]["openingHours"]["saturday"] == [
        {"opens": "09:00", "closes": "12:00"}
    ]
    bad = await run(
        "HallHoursSet",
        {"input": hours | {"weekday": [{"opens": "9am", "closes": "5pm"}]}},
        actor=people["admin"],
    )
    assert bad["data"]["hallHoursSet"]["code"] == "INVALID_TIME"
    shown = await run(
        "HallHours", {"code": "JN", "from": "2026-11-01", "to": "2026-11-30"}, actor=people["clerk"]
    )
    hall = shown["data"]["hall"]
    assert hall["openingHours"]["ticketCutoffMinutes"] == 15
    assert hall["openingHours"]["carryOverUnserved"] is True
    assert hall["closures"] == [{"day": "2026-11-24", "reason": "系统升级"}]
    removed = await run(
        "HallClosureRemove",
        {"input": {"hallId": hall_id, "day": "2026-11-24"}},
        actor=people["admin"],
    )
    assert removed["data"]["hallClosureRemove"]["__typename"] == "HallClosurePayload"
    assert await HallClosure.all().count() == 0
    assert await HallHours.all().count() == 1


async def test_no_tickets_outside_opening_hours(people: dict[str, Any]) -> None:
    from datetime import timedelta  # noqa: PLC0415

    from models.queue import actions  # noqa: PLC0415
    from models.queue.tables import TicketChannel  # noqa: PLC0415

    lane = await f.lane(people["hall"], "A")
    request = actions.TicketRequest(people["hall"].id, lane.id, TicketChannel.KIOSK)
    for offset in (timedelta(hours=8), timedelta(days=1), timedelta(hours=1, minutes=45)):
        with pytest.raises(HallClosed):
            await actions.issue_ticket(None, request, f.NOW + offset)
    await actions.issue_ticket(None, request, f.NOW)
