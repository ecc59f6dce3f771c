"""The fixed-SQL first page of a case list returns exactly what the ORM query returns."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest

from models.accounts.tables import Role
from models.cases import actions, intake
from models.cases.case_list import first_case_page
from models.cases.queries import CASE_COLUMNS, ORDER_FIELDS, CaseFilter, CaseOrder, cases_visible
from models.cases.rules import Applicant
from models.cases.tables import AlertLevel, ApplicantKind, CaseStatus, Outcome
from models.catalogue import actions as catalogue
from models.catalogue.tables import ItemKind
from models.common.actor import SYSTEM_ACTOR, Actor
from models.common.errors import Forbidden, InvalidInput
from models.common.pages import Page, paginate_records
from tests import factories as f

APPLICANT = Applicant(ApplicantKind.PERSON, "张三", "11010519491231002X", "13912345678")


async def _orm_page(
    actor: Actor, given: CaseFilter, order: CaseOrder, first: int, *, count: bool
) -> Page[Mapping[str, Any]]:
    query = await cases_visible(actor, given)
    if order is CaseOrder.DUE_SOONEST:
        query = query.filter(due_on__isnull=False)
    return await paginate_records(
        query, ORDER_FIELDS[order], first, None, CASE_COLUMNS, count=count
    )


@pytest.fixture
async def people(db: object) -> dict[str, Actor]:
    """A city hall with a county hall, departments, open and decided cases, and accounts."""
    city = await f.hall("JN")
    county = await f.hall("LC", parent=city)
    other = await f.hall("QD")
    actors: dict[str, Actor] = {"system": SYSTEM_ACTOR}
    for hall, code in ((city, "SC"), (county, "LS"), (other, "QS")):
        department = await f.department(hall, code, f"{code}局")
        await catalogue.create_item(
            SYSTEM_ACTOR, department_id=department.id, code=f"{code}-1",
            elements=f.elements("设立登记", promised_limit=10), now=f.NOW,
        )  # fmt: skip
        await catalogue.create_item(
            SYSTEM_ACTOR, department_id=department.id, code=f"{code}-2",
            elements=f.elements("签注", kind=ItemKind.IMMEDIATE, promised_limit=0), now=f.NOW,
        )  # fmt: skip
        window = await f.window(hall, "1")
        _, clerk = await f.user(f"clerk_{code}", Role.CLERK, of=hall, department_id=department.id)
        _, chief = await f.user(
            f"chief_{code}", Role.CHIEF_REP, of=hall, department_id=department.id
        )
        _, admin = await f.user(f"admin_{code}", Role.ADMIN, of=hall)
        _, screen = await f.user(f"screen_{code}", Role.MONITOR, of=hall)
        await catalogue.open_window(clerk, window.id, f.NOW)
        actors |= {f"clerk_{code}": clerk, f"chief_{code}": chief, f"admin_{code}": admin}
        actors[f"screen_{code}"] = screen
        for n in range(3):
            case = await intake.accept(
                clerk, intake.Intake(f"{code}-1", hall.id, APPLICANT, window.id), f.NOW
            )
            if n == 0:
                await actions.complete(chief, case.number, Outcome.APPROVED, "", f.NOW)
        await intake.accept(clerk, intake.Intake(f"{code}-2", hall.id, APPLICANT, window.id), f.NOW)
    return actors


FILTERS = [
    CaseFilter(),
    CaseFilter(open_only=True),
    CaseFilter(open_only=True, statuses=(CaseStatus.COMPLETED,)),
    CaseFilter(statuses=(CaseStatus.COMPLETED, CaseStatus.ACCEPTED)),
    CaseFilter(alert_level=AlertLevel.NONE, due_before=date(2026, 12, 31)),
    CaseFilter(due_after=date(2026, 12, 1), number=" nothing "),
    CaseFilter(applicant_phone="13912345678", negative_reported=False),
    CaseFilter(negative_reported=True),
    CaseFilter(hall_id=1, department_id=1),
]


async def test_first_pages_equal_the_orm_pages(people: dict[str, Actor]) -> None:
    compared = 0
    for (name, actor), given, order, first, count in itertools.product(
        people.items(), FILTERS, CaseOrder, (0, 2, 50), (True, False)
    ):
        try:
            expected: Page[Mapping[str, Any]] | Forbidden = await _orm_page(
                actor, given, order, first, count=count
            )
        except Forbidden as refused:
            expected = refused
        if isinstance(expected, Forbidden):
            with pytest.raises(Forbidden, match=re.escape(str(expected))):
                await first_case_page(actor, given, order, first, CASE_COLUMNS, count=count)
            continue
        got = await first_case_page(actor, given, order, first, CASE_COLUMNS, count=count)
        assert [dict(r) for r in got.rows] == [dict(r) for r in expected.rows], (name, given)
        assert (got.keys, got.has_next, got.has_previous, got.total) == (
            expected.keys, expected.has_next, expected.has_previous, expected.total,
        ), (name, given, order, first)  # fmt: skip
        compared += bool(got.rows)
    assert compared > 100


async def test_refusals_come_in_the_orm_order(people: dict[str, Actor]) -> None:
    screen = people["screen_SC"]
    phone = CaseFilter(applicant_phone="13912345678")
    for actor, given, first, error in (
        (screen, phone, 500, Forbidden),
        (people["clerk_SC"], phone, 500, InvalidInput),
    ):
        with pytest.raises(error):
            await first_case_page(actor, given, CaseOrder.NEWEST, first, CASE_COLUMNS, count=True)
    # No open status asked: nothing matches, and the phone search is not refused either.
    empty = CaseFilter(open_only=True, statuses=(CaseStatus.COMPLETED,), applicant_phone="1")
    page = await first_case_page(screen, empty, CaseOrder.NEWEST, 5, CASE_COLUMNS, count=True)
    assert (page.rows, page.total) == ([], 0)
