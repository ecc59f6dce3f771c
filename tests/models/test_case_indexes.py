"""The case lists the API builds can use the partial indexes on open cases.

The plans at scale (1M cases) come from `python -m tests.benchmarks.case_plans`; this guards
against a query shape that no longer implies an index's predicate (sequential scans disabled, so
the planner picks an index whenever one applies).
"""

from __future__ import annotations

from datetime import date

from tortoise import connections
from tortoise.transactions import in_transaction

from models.accounts.tables import Role
from models.cases.queries import ORDER_FIELDS, CaseFilter, CaseOrder, cases_visible
from models.cases.rules import RUNNING_STATUSES
from models.cases.tables import Case
from models.common.actor import Actor
from tests import factories as f


async def _plan(sql: str) -> str:
    async with in_transaction():
        conn = connections.get("default")
        await conn.execute_script("SET LOCAL enable_seqscan = off")
        rows = await conn.execute_query_dict(f"EXPLAIN {sql}")
    return "\n".join(r["QUERY PLAN"] for r in rows)


async def test_open_cases_of_a_department_use_the_partial_index(db: object) -> None:
    hall = await f.hall("JN")
    dept = await f.department(hall, "SC", "市市场监管局")
    clerk = Actor(1, "clerk", Role.CLERK, hall.id, hall.path, dept.id)
    listing = await cases_visible(clerk, CaseFilter(department_id=dept.id, open_only=True))
    page = listing.filter(due_on__isnull=False).order_by(*ORDER_FIELDS[CaseOrder.DUE_SOONEST])
    plan = await _plan(page.limit(51).sql(params_inline=True))
    assert "case_open_department_due" in plan, plan
    assert "Sort" not in plan, plan  # the index gives the order


async def test_deadline_scan_uses_the_running_index(db: object) -> None:
    crossing = Case.filter(status__in=sorted(RUNNING_STATUSES), due_on__lte=date(2026, 11, 22))
    plan = await _plan(crossing.order_by("due_on", "id").limit(1000).sql(params_inline=True))
    assert "case_running_due" in plan, plan
