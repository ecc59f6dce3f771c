"""Finish and call next (下一位): the ticket in service finished and the next called, or neither."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from tortoise import connections

from models.accounts.tables import Role
from models.cases import intake
from models.cases.rules import Applicant
from models.cases.tables import ApplicantKind, Case
from models.catalogue import actions as catalogue
from models.common.actor import SYSTEM_ACTOR, Actor
from models.common.errors import Forbidden, InvalidInput, NotFound
from models.notifications.tables import Notification
from models.queue import actions
from models.queue.actions import FinishCurrent
from models.queue.errors import NothingToCall, TicketStateError
from models.queue.tables import Ticket, TicketChannel, TicketOutcome, TicketStatus
from models.statistics.fold import fold_pending
from tests import factories as f

NOW = f.NOW  # Friday 2026-11-20, 10:00 in Shanghai
LATER = NOW + timedelta(minutes=7)
SERVED = FinishCurrent(TicketOutcome.SERVED)
ROLLUPS = (
    "stat_department_day",
    "stat_department_month",
    "stat_window_day",
    "stat_staff_day",
    "stat_item_day",
)
FIGURES = ("tickets_called", "wait_seconds", "tickets_finished", "service_seconds")


async def _window_hall(code: str) -> dict[str, Any]:
    hall = await f.hall(code)
    lane = await f.lane(hall, "A")
    [(clerk, window)] = await f.open_windows(hall, 1, clerk_prefix=f"{code.lower()}clerk")
    return {"hall": hall, "lane": lane, "clerk": clerk, "window": window}


@pytest.fixture
async def hall(db: object) -> dict[str, Any]:
    return await _window_hall("JN")


async def take(hall: dict[str, Any], count: int = 1, phone: str = "") -> list[int]:
    issued = []
    for n in range(count):
        request = actions.TicketRequest(
            hall["hall"].id,
            hall["lane"].id,
            TicketChannel.PHONE if phone else TicketChannel.KIOSK,
            holder_phone=f"{phone}{n}" if phone else "",
        )
        issued.append((await actions.issue_ticket(None, request, NOW)).ticket.id)
    return issued


async def state(hall: dict[str, Any]) -> list[tuple[int, str, str | None, int | None]]:
    """Every ticket of the hall: id, status, outcome, window."""
    rows = await Ticket.filter(hall_id=hall["hall"].id).order_by("id")
    return [
        (t.id, t.status.value, t.outcome.value if t.outcome else None, t.window_id) for t in rows
    ]


async def rollups(hall: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The hall's ticket figures per day in every rollup table, the pending changes folded in
    (one window, clerk and department: one key a day, its rows summed over the shards)."""
    await fold_pending()
    found: list[tuple[Any, ...]] = []
    sums = ", ".join(f"sum({name})::bigint AS {name}" for name in FIGURES)
    for table in ROLLUPS:
        rows = await connections.get("default").execute_query_dict(
            f"SELECT day, {sums} FROM {table} WHERE hall_id = $1 GROUP BY day",  # noqa: S608  (fixed table names)
            [hall["hall"].id],
        )
        for row in rows:
            found.append((table, row["day"], *(row[name] for name in FIGURES)))
    return sorted(found)


async def test_finishes_the_ticket_in_service_and_calls_the_next(hall: dict[str, Any]) -> None:
    first, second = await take(hall, 2)
    await actions.call_next(hall["clerk"], hall["window"], NOW)
    finish = FinishCurrent(TicketOutcome.CONSULTED)
    changed = await actions.call_next(hall["clerk"], hall["window"], LATER, finish)
    assert changed.ticket.id == second
    assert await state(hall) == [
        (first, "FINISHED", "CONSULTED", hall["window"]),
        (second, "CALLED", None, hall["window"]),
    ]
    done = await Ticket.get(id=first)
    assert (done.finished_at, done.case_number) == (LATER, "")
    assert [e.kind.value for e in changed.events] == ["TICKET_FINISHED", "TICKET_CALLED"]
    assert changed.events[0].data == actions.public_ticket(done)
    called = await Ticket.get(id=second)
    assert changed.events[1].data == actions.public_ticket(called) | {"window_number": "1"}


async def test_with_nothing_in_service_it_just_calls(hall: dict[str, Any]) -> None:
    (first,) = await take(hall)
    changed = await actions.call_next(hall["clerk"], hall["window"], NOW, SERVED)
    assert changed.ticket.id == first
    assert [e.kind.value for e in changed.events] == ["TICKET_CALLED"]


async def test_without_it_a_ticket_in_service_is_still_refused(hall: dict[str, Any]) -> None:
    await take(hall, 2)
    await actions.call_next(hall["clerk"], hall["window"], NOW)
    before = await state(hall)
    with pytest.raises(TicketStateError) as refused:
        await actions.call_next(hall["clerk"], hall["window"], NOW)
    assert refused.value.code == "TICKET_IN_SERVICE"
    assert await state(hall) == before


async def test_nothing_to_call_leaves_the_ticket_in_service(hall: dict[str, Any]) -> None:
    await take(hall)
    await actions.call_next(hall["clerk"], hall["window"], NOW)
    before, figures = await state(hall), await rollups(hall)
    with pytest.raises(NothingToCall):
        await actions.call_next(hall["clerk"], hall["window"], LATER, SERVED)
    assert await state(hall) == before
    assert await rollups(hall) == figures


async def test_refusals_change_nothing(hall: dict[str, Any]) -> None:
    await take(hall, 2)
    await actions.call_next(hall["clerk"], hall["window"], NOW)
    before = await state(hall)
    _, other = await f.user("clerk2", Role.CLERK, of=hall["hall"])
    with pytest.raises(Forbidden):
        await actions.call_next(other, hall["window"], LATER, SERVED)
    stranger_hall = await f.hall("QD")
    _, stranger = await f.user("stranger", Role.ADMIN, of=stranger_hall)
    with pytest.raises(NotFound):
        await actions.call_next(stranger, hall["window"], LATER, SERVED)
    await catalogue.pause_window(hall["clerk"], hall["window"], "午休", NOW)
    with pytest.raises(TicketStateError) as paused:
        await actions.call_next(hall["clerk"], hall["window"], LATER, SERVED)
    assert paused.value.code == "WINDOW_NOT_OPEN"
    with pytest.raises(InvalidInput):
        await actions.call_next(
            hall["clerk"], hall["window"], LATER, FinishCurrent(TicketOutcome.SERVED, "NO-SUCH")
        )
    assert await state(hall) == before


async def test_an_admin_of_the_hall_may_finish_and_call(hall: dict[str, Any]) -> None:
    first, second = await take(hall, 2)
    await actions.call_next(hall["clerk"], hall["window"], NOW)
    _, admin = await f.user("admin1", Role.ADMIN, of=hall["hall"])
    changed = await actions.call_next(admin, hall["window"], LATER, SERVED)
    assert changed.ticket.id == second
    assert (await Ticket.get(id=first)).status is TicketStatus.FINISHED


async def test_texts_as_a_plain_call_writes_them(hall: dict[str, Any]) -> None:
    await take(hall, 6, phone="1391234560")
    await actions.call_next(hall["clerk"], hall["window"], NOW)
    await actions.call_next(hall["clerk"], hall["window"], LATER, SERVED)
    texts = sorted((t.kind.value, t.phone) for t in await Notification.all())
    assert texts == [
        ("TICKET_CALLED", "13912345600"),
        ("TICKET_CALLED", "13912345601"),
        ("TICKET_NEAR", "13912345604"),
        ("TICKET_NEAR", "13912345605"),
    ]


async def _desk(hall: dict[str, Any]) -> tuple[Actor, Case]:
    dept = await f.department(hall["hall"], "SC", "市市场监管局")
    await catalogue.create_item(
        SYSTEM_ACTOR,
        department_id=dept.id,
        code="SC-010",
        elements=f.elements(promised_limit=10),
        now=NOW,
    )
    _, desk = await f.user("desk1", Role.CLERK, of=hall["hall"], department_id=dept.id)
    applicant = Applicant(ApplicantKind.PERSON, "张三", "11010519491231002X", "13912345678")
    return desk, await intake.accept(desk, intake.Intake("SC-010", hall["hall"].id, applicant), NOW)


async def test_a_case_number_is_linked_or_nothing_changes(hall: dict[str, Any]) -> None:
    _, case = await _desk(hall)
    first, second = await take(hall, 2)
    await actions.call_next(hall["clerk"], hall["window"], NOW)
    with_case = FinishCurrent(TicketOutcome.SERVED, f" {case.number} ")
    changed = await actions.call_next(hall["clerk"], hall["window"], LATER, with_case)
    assert changed.ticket.id == second
    assert [e.kind.value for e in changed.events] == ["TICKET_FINISHED", "TICKET_CALLED"]
    done = await Ticket.get(id=first)
    assert (done.status, done.case_number) == (TicketStatus.FINISHED, case.number)
    assert (await Case.get(id=case.id)).ticket_id == first
    # Nothing left to call: the second stays in service and the case keeps its first ticket.
    await Case.filter(id=case.id).update(ticket_id=None)
    before = await state(hall)
    with pytest.raises(NothingToCall):
        await actions.call_next(hall["clerk"], hall["window"], LATER, with_case)
    assert await state(hall) == before
    assert (await Case.get(id=case.id)).ticket_id is None


async def test_rollups_match_the_two_separate_mutations(db: object) -> None:
    separate, combined = await _window_hall("SP"), await _window_hall("CB")
    for hall in (separate, combined):
        await take(hall, 3)
        await actions.call_next(hall["clerk"], hall["window"], NOW)
    for n in range(1, 3):
        at = NOW + timedelta(minutes=5 * n)
        current = await Ticket.get(window_id=separate["window"], status=TicketStatus.CALLED)
        await actions.finish(separate["clerk"], current.id, TicketOutcome.SERVED, at)
        await actions.call_next(separate["clerk"], separate["window"], at)
        await actions.call_next(combined["clerk"], combined["window"], at, SERVED)

    assert await rollups(separate) == await rollups(combined)
    assert any(row[4] == 2 for row in await rollups(combined))  # two finished, counted
