"""`hall generate` and `hall stats rebuild` against the suite's database."""

from __future__ import annotations

from datetime import date

import pytest
from tortoise import connections

from models.accounts.tables import Role
from models.cases.tables import Case
from models.catalogue.tables import Hall
from models.statistics.queries import StatRequest, statistics
from models.statistics.rebuild import rollup_differences
from tests import factories as f
from tests.api.test_cli import hall_cli
from tests.conftest import Servers

pytestmark = pytest.mark.slow

SMALL = ("--departments", "3", "--windows", "6", "--items", "40", "--cases", "1000")


async def _signature(code: str) -> list[tuple[object, ...]]:
    hall = await Hall.get(code=code)
    rows = await Case.filter(hall_id=hall.id).values_list(
        "accepted_on", "kind", "timeliness", "decided_on", "limit_days"
    )
    return sorted(rows, key=str)


async def test_generate_is_reproducible_and_rebuild_repairs_rollups(committed: Servers) -> None:
    first = hall_cli(committed, "generate", "--hall", "G1", "--seed", "5", *SMALL)
    assert first.returncode == 0, first.stderr + first.stdout
    again = hall_cli(committed, "generate", "--hall", "G2", "--seed", "5", *SMALL)
    assert again.returncode == 0, again.stderr
    assert await _signature("G1") == await _signature("G2")

    hall = await Hall.get(code="G1")
    _, admin = await f.user("g1_admin", Role.ADMIN, of=hall)
    year = StatRequest(start=date(2021, 1, 1), end=date(2021, 12, 31), hall_id=hall.id)
    before = (await statistics(admin, year)).total.figures
    assert (before.accepted, before.working_days) == (1000, 250)
    await connections.get("default").execute_query(
        "UPDATE stat_department_month SET accepted = accepted + 7"
    )
    assert await rollup_differences() != []
    rebuilt = hall_cli(committed, "stats", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "stat_department_day" in rebuilt.stdout
    assert await rollup_differences() == []
    assert (await statistics(admin, year)).total.figures == before
