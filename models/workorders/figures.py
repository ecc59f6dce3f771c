"""The hotline's figures: per department and month, counted orders only (duplicates merged).

Orders belong to the month they were received in and to their lead department now. On-time rate
= replied by the (extended) due date / replied; satisfaction rate = satisfied or basically
satisfied callbacks / callbacks. The slowest departments rank by on-time rate (lowest first),
then by the average calendar days from dispatch to reply (longest first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise import connections

from models.catalogue.queries import hall_in_scope
from models.catalogue.tables import Hall
from models.common.actor import Actor
from models.common.checks import Checks
from models.common.errors import Forbidden
from models.workorders.actions import CENTRE_ROLES, HANDLER_ROLES

FIGURES = """
SELECT {key} AS key,
       count(*) AS received,
       count(*) FILTER (WHERE signed_at IS NOT NULL OR status IN ('REPLIED', 'CLOSED')) AS signed,
       count(*) FILTER (WHERE status = 'CLOSED') AS closed,
       count(*) FILTER (WHERE replied_on IS NOT NULL) AS replied,
       count(*) FILTER (WHERE on_time) AS on_time,
       count(*) FILTER (WHERE satisfaction IS NOT NULL) AS callbacks,
       count(*) FILTER (WHERE satisfaction IN ('SATISFIED', 'BASICALLY_SATISFIED')) AS satisfied,
       count(*) FILTER (WHERE status = 'CLOSED' AND satisfaction = 'UNSATISFIED')
           AS closed_unsatisfied,
       coalesce(sum(returns), 0) AS returns,
       coalesce(sum(reworks), 0) AS reworks,
       coalesce(sum(repeat_count), 0) AS repeat_calls,
       avg(replied_on - dispatched_on) FILTER (WHERE replied_on IS NOT NULL) AS reply_days
FROM work_order
WHERE hall_id = ANY($1::int[]) AND counted AND received_on BETWEEN $2 AND $3
  AND ($4::int IS NULL OR department_id = $4)
GROUP BY 1
ORDER BY 1
"""
MAX_PERIOD_DAYS = 3 * 366
KEYS = {
    "HALL": "0",
    "DEPARTMENT": "coalesce(department_id, 0)::text",
    "MONTH": "to_char(received_on, 'YYYY-MM')",
    "DEPARTMENT_MONTH": "coalesce(department_id, 0)::text || '/' || to_char(received_on, 'YYYY-MM')",
    "CATEGORY": "category",
}


@dataclass(frozen=True)
class Figures:
    """One row of the report."""

    key: str
    received: int
    signed: int
    closed: int
    replied: int
    on_time: int
    callbacks: int
    satisfied: int
    closed_unsatisfied: int
    returns: int
    reworks: int
    repeat_calls: int
    reply_days: float | None


async def figures(
    hall_ids: list[int], start: date, end: date, group_by: str, department_id: int | None = None
) -> list[Figures]:
    """The report's rows for the halls, the received-date period and the grouping."""
    sql = FIGURES.format(key=KEYS[group_by])
    rows = await connections.get("default").execute_query_dict(
        sql, [hall_ids, start, end, department_id]
    )
    return [
        Figures(
            key=str(r["key"]),
            received=int(r["received"]),
            signed=int(r["signed"]),
            closed=int(r["closed"]),
            replied=int(r["replied"]),
            on_time=int(r["on_time"]),
            callbacks=int(r["callbacks"]),
            satisfied=int(r["satisfied"]),
            closed_unsatisfied=int(r["closed_unsatisfied"]),
            returns=int(r["returns"]),
            reworks=int(r["reworks"]),
            repeat_calls=int(r["repeat_calls"]),
            reply_days=float(r["reply_days"]) if r["reply_days"] is not None else None,
        )
        for r in rows
    ]


def slowest(rows: list[Figures], first: int) -> list[Figures]:
    """Departments ranked slowest first: lowest on-time rate, then longest average reply."""

    def rate(row: Figures) -> float:
        return row.on_time / row.replied if row.replied else 1.0

    ranked = sorted(rows, key=lambda r: (rate(r), -(r.reply_days or 0.0), r.key))
    return ranked[:first]


@dataclass(frozen=True)
class ReportRequest:
    """What a report asks for: the centre, a lead department, the received period, the grouping."""

    hall_id: int
    start: date
    end: date
    group_by: str = "DEPARTMENT_MONTH"
    department_id: int | None = None


async def report(actor: Actor, wanted: ReportRequest) -> list[Figures]:
    """The report for the actor: the centre sees its subtree, a department only its own rows."""
    if actor.role not in CENTRE_ROLES | HANDLER_ROLES:
        raise Forbidden("无权查看12345工单统计")
    checks = Checks()
    if wanted.group_by not in KEYS:
        checks.fail("group_by", "INVALID_VALUE", f"未知的分组：{wanted.group_by[:32]}")
    if wanted.end < wanted.start or (wanted.end - wanted.start).days > MAX_PERIOD_DAYS:
        checks.fail(("filter", "to"), "OUT_OF_RANGE", "统计期间应在三年以内且不早于开始日期")
    checks.raise_if_any()
    hall = await hall_in_scope(actor, wanted.hall_id)
    department = wanted.department_id
    if actor.role in HANDLER_ROLES:
        if department not in (None, actor.department_id):
            raise Forbidden("部门人员只能查看本部门的工单统计")
        department = actor.department_id
    halls = [int(r["id"]) for r in await Hall.filter(path__startswith=hall.path).values("id")]
    return await figures(halls, wanted.start, wanted.end, wanted.group_by, department)
