"""The first page of a case list as fixed SQL: the same rows as `cases_visible` + `paginate_records`.

Case lists are read all day by every clerk's and chief's open-cases view. Building their query
through the ORM (a Q tree holding every hall and department id of the actor's subtree, resolved
and rendered by pypika) cost more than reading the rows. Here the statement is text joined from
fixed fragments, one per filter given; the scope's halls and departments are read inside the
same statement (two arrays computed once), not in a round trip of their own. Later pages (a
cursor given) keep the ORM path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tortoise import connections

from models.cases.access import SCOPE_CONDITION, UNMASK_ROLES
from models.cases.queries import ORDER_FIELDS, CaseFilter, CaseOrder
from models.cases.rules import OPEN_STATUSES
from models.common.actor import Actor
from models.common.errors import Forbidden, InvalidInput
from models.common.pages import MAX_PAGE, Page


class _Where:
    """Conditions and their parameters, numbered as they are added."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.params: list[Any] = []

    def add(self, condition: str, *values: Any) -> None:
        """A condition whose `{}` marks take the next parameters."""
        numbers = [f"${len(self.params) + n + 1}" for n in range(len(values))]
        self.conditions.append(condition.format(*numbers))
        self.params.extend(values)

    @property
    def sql(self) -> str:
        """The WHERE clause (empty when nothing narrows)."""
        return f" WHERE {' AND '.join(self.conditions)}" if self.conditions else ""


def _scope(actor: Actor, where: _Where) -> None:
    """The actor's halls and departments, as `scope_filter` reads them (nothing city-wide)."""
    if actor.hall_path is not None:
        where.add(SCOPE_CONDITION, actor.hall_path, actor.hall_path)


def _conditions(actor: Actor, given: CaseFilter) -> _Where | None:
    """The conditions of `cases_visible`, in its order; None when nothing can match."""
    where = _Where()
    _scope(actor, where)
    if given.hall_id is not None:
        where.add('"hall_id" = {}', given.hall_id)
    if given.department_id is not None:
        where.add('"department_id" = {}', given.department_id)
    statuses = set(given.statuses)
    if given.open_only:
        statuses = (statuses & OPEN_STATUSES) if statuses else set(OPEN_STATUSES)
        if not statuses:
            return None
    if statuses:
        where.add('"status" = ANY({})', [s.value for s in sorted(statuses)])
    if given.alert_level is not None:
        where.add('"alert_level" = {}', given.alert_level.value)
    if given.due_before is not None:
        where.add('"due_on" <= {}', given.due_before)
    if given.due_after is not None:
        where.add('"due_on" >= {}', given.due_after)
    if given.applicant_phone:
        if actor.role not in UNMASK_ROLES:
            raise Forbidden("无权按申请人手机号查询")
        where.add('"applicant_phone" = {}', given.applicant_phone.strip())
    if given.number:
        where.add('"number" = {}', given.number.strip())
    if given.negative_reported is not None:
        where.add(
            '"negative_reported_at" IS NOT NULL'
            if given.negative_reported
            else '"negative_reported_at" IS NULL'
        )
    return where


async def first_case_page(
    actor: Actor,
    given: CaseFilter,
    order: CaseOrder,
    first: int,
    columns: Sequence[str],
    *,
    count: bool,
) -> Page[Mapping[str, Any]]:
    """The first page of the cases the actor sees under the filter, newest or soonest due first."""
    where = _conditions(actor, given)
    if not 0 <= first <= MAX_PAGE:
        raise InvalidInput.single("first", "OUT_OF_RANGE", f"每页条数应在0到{MAX_PAGE}之间")
    if where is None:
        return Page([], [], has_next=False, has_previous=False, total=0 if count else -1)
    if order is CaseOrder.DUE_SOONEST:
        where.add('"due_on" IS NOT NULL')
    db = connections.get("default")
    total = -1
    if count:
        _, counted = await db.execute_query(f'SELECT COUNT(*) FROM "case"{where.sql}', where.params)  # noqa: S608  (fixed fragments; values are parameters)
        total = int(counted[0][0])
    fields = ORDER_FIELDS[order]
    names = [f.lstrip("-") for f in fields]
    ordered = ", ".join(
        f'"{f.lstrip("-")}" {"DESC" if f.startswith("-") else "ASC"}' for f in fields
    )
    selected = ", ".join(f'"{c}"' for c in columns)
    limit = len(where.params) + 1
    sql = f'SELECT {selected} FROM "case"{where.sql} ORDER BY {ordered} LIMIT ${limit}'  # noqa: S608  (fixed fragments; values are parameters)
    _, rows = await db.execute_query(sql, [*where.params, first + 1])
    keys = [tuple(row[n] for n in names) for row in rows[:first]]
    return Page(list(rows[:first]), keys, len(rows) > first, has_previous=False, total=total)
