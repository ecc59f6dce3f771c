"""Reads of cases, scoped to what an actor may see, and batch loads in key order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from tortoise import connections
from tortoise.queryset import QuerySet

from models.cases.access import UNMASK_ROLES, CaseHalls, scope_filter, sees_case
from models.cases.errors import CaseNotFound
from models.cases.rules import OPEN_STATUSES
from models.cases.tables import AlertLevel, Case, CaseEvent, CasePause, CaseStatus, CaseSubtask
from models.catalogue.tables import Department, Hall, ServiceItem, ServiceItemVersion, Window
from models.common.actor import Actor
from models.common.errors import Forbidden
from models.common.records import fetch_records
from models.common.rows import records_by_ids_of_two, rows_by_ids


class CaseOrder(StrEnum):
    """How a case list is sorted; each ordering ends with the id so that pages are stable."""

    DUE_SOONEST = "DUE_SOONEST"
    NEWEST = "NEWEST"
    OLDEST = "OLDEST"


ORDER_FIELDS: dict[CaseOrder, tuple[str, ...]] = {
    CaseOrder.DUE_SOONEST: ("due_on", "id"),
    CaseOrder.NEWEST: ("-received_at", "-id"),
    CaseOrder.OLDEST: ("received_at", "id"),
}


@dataclass(frozen=True)
class CaseFilter:
    """How to narrow a case list."""

    hall_id: int | None = None
    department_id: int | None = None
    statuses: tuple[CaseStatus, ...] = ()
    open_only: bool = False
    alert_level: AlertLevel | None = None
    due_before: date | None = None
    due_after: date | None = None
    applicant_phone: str | None = None
    number: str | None = None
    negative_reported: bool | None = None


async def cases_visible(actor: Actor, case_filter: CaseFilter) -> QuerySet[Case]:
    """Cases the actor may see, filtered (the filters match the partial indexes on open cases)."""
    query = Case.filter(await scope_filter(actor))
    if case_filter.hall_id is not None:
        query = query.filter(hall_id=case_filter.hall_id)
    if case_filter.department_id is not None:
        query = query.filter(department_id=case_filter.department_id)
    statuses = set(case_filter.statuses)
    if case_filter.open_only:
        statuses = (statuses & OPEN_STATUSES) if statuses else set(OPEN_STATUSES)
        if not statuses:
            return query.filter(id__in=[])
    if statuses:
        query = query.filter(status__in=sorted(statuses))
    if case_filter.alert_level is not None:
        query = query.filter(alert_level=case_filter.alert_level)
    if case_filter.due_before is not None:
        query = query.filter(due_on__lte=case_filter.due_before)
    if case_filter.due_after is not None:
        query = query.filter(due_on__gte=case_filter.due_after)
    if case_filter.applicant_phone:
        if actor.role not in UNMASK_ROLES:
            # Screens and apps never hold personal data, so they cannot search by it either.
            raise Forbidden("无权按申请人手机号查询")
        query = query.filter(applicant_phone=case_filter.applicant_phone.strip())
    if case_filter.number:
        query = query.filter(number=case_filter.number.strip())
    if case_filter.negative_reported is not None:
        query = query.filter(negative_reported_at__isnull=not case_filter.negative_reported)
    return query


async def halls_of(case: Case) -> CaseHalls:
    """The receiving and handling halls' paths of a case."""
    receiving = await Hall.get(id=case.hall_id).only("path")
    department = await Department.get(id=case.department_id).only("hall_id")
    handling = await Hall.get(id=department.hall_id).only("path")
    return CaseHalls(
        receiving_path=receiving.path, handling_path=handling.path, department_id=case.department_id
    )


async def case_for(
    actor: Actor, number: str, *, for_update: bool = False
) -> tuple[Case, CaseHalls]:
    """A case the actor may see (locked when asked), or CaseNotFound."""
    query = Case.filter(number=number.strip())
    if for_update:
        query = query.select_for_update()
    case = await query.first()
    if case is None:
        raise CaseNotFound(number)
    halls = await halls_of(case)
    if not sees_case(actor, halls):
        raise CaseNotFound(number)
    return case, halls


# The columns a case's GraphQL view reads (reads that build only that view select no more).
CASE_COLUMNS = (
    "id", "number", "status", "kind", "day_unit", "limit_days", "legal_limit_days",
    "item_version_id", "investment_project", "applicant_kind", "applicant_name",
    "applicant_id_number", "applicant_phone", "contact_name", "received_at", "accepted_at",
    "accepted_on", "back_entered", "missing_materials", "extension_days", "suspended_since",
    "due_on", "due_provisional", "alert_level", "decided_at", "decided_on", "outcome",
    "timeliness", "decision_note", "delivery_method", "courier", "tracking_number",
    "delivered_at", "forwarded_to", "negative_reported_at", "closed_at", "ticket_id", "hall_id",
    "department_id", "item_id", "window_id",
)  # fmt: skip

# A case with the paths its visibility depends on, in one statement (the read of `case(number)`).
_CASE_AND_PATHS = (
    "SELECT "
    + ", ".join(f"c.{c}" for c in CASE_COLUMNS)
    + ', r.path AS "_receiving_path", h.path AS "_handling_path"'
)
_BY_NUMBER = (
    ' FROM "case" c JOIN hall r ON r.id = c.hall_id JOIN department d ON d.id = c.department_id'
    " JOIN hall h ON h.id = d.hall_id WHERE c.number = $1"
)
CASE_WITH_HALLS = _CASE_AND_PATHS + _BY_NUMBER
# The same with the case's events in order, as one array of case_event rows (records by column).
CASE_WITH_HALLS_AND_EVENTS = (
    _CASE_AND_PATHS  # noqa: S608  (fixed text)
    + ', ARRAY(SELECT e FROM case_event e WHERE e.case_id = c.id ORDER BY e.seq) AS "_events"'
    + _BY_NUMBER
)


async def case_by_number(actor: Actor, number: str) -> Mapping[str, Any] | None:
    """A visible case by number as a record of CASE_COLUMNS (and the halls' paths), or None."""
    rows = await fetch_records(CASE_WITH_HALLS, [number.strip()])
    return _visible(actor, rows)


async def case_and_events_by_number(
    actor: Actor, number: str
) -> tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]] | None:
    """`case_by_number` with the case's events in order, in one statement.

    The events are records of case_event's columns (EVENT_COLUMNS among them); None when the
    case is unknown or not visible (its events are read either way, and then dropped).
    """
    rows = await fetch_records(CASE_WITH_HALLS_AND_EVENTS, [number.strip()])
    row = _visible(actor, rows)
    return None if row is None else (row, row["_events"])


def _visible(actor: Actor, rows: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The case of a CASE_WITH_HALLS read when the actor sees it."""
    if not rows:
        return None
    row = rows[0]
    halls = CaseHalls(
        receiving_path=row["_receiving_path"],
        handling_path=row["_handling_path"],
        department_id=row["department_id"],
    )
    return row if sees_case(actor, halls) else None


# The columns a case event's GraphQL view reads.
EVENT_COLUMNS = (
    "e.case_id, e.seq, e.kind, e.from_status, e.to_status, e.actor_name, e.at, e.remark, e.data"
)
EVENTS_OF_CASES = (
    f"SELECT {EVENT_COLUMNS} FROM case_event e WHERE e.case_id = ANY($1) ORDER BY e.case_id, e.seq"  # noqa: S608  (fixed text)
)


async def events_by_case_ids(case_ids: Sequence[int]) -> list[list[Mapping[str, Any]]]:
    """Each case's events in order as records of EVENT_COLUMNS, in key order (for loaders)."""
    grouped: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    _, rows = await connections.get("default").execute_query(EVENTS_OF_CASES, [list(case_ids)])
    for row in rows:
        grouped[row["case_id"]].append(row)
    return [grouped[i] for i in case_ids]


async def subtasks_by_case_ids(case_ids: Sequence[int]) -> list[list[CaseSubtask]]:
    """Each joint case's sub-tasks, in key order (for loaders)."""
    grouped: dict[int, list[CaseSubtask]] = defaultdict(list)
    for task in await CaseSubtask.filter(case_id__in=list(case_ids)).order_by("case_id", "id"):
        grouped[task.case_id].append(task)
    return [grouped[i] for i in case_ids]


async def pauses_by_case_ids(case_ids: Sequence[int]) -> list[list[CasePause]]:
    """Each case's suspensions in order, in key order (for loaders)."""
    grouped: dict[int, list[CasePause]] = defaultdict(list)
    for pause in await CasePause.filter(case_id__in=list(case_ids)).order_by("case_id", "id"):
        grouped[pause.case_id].append(pause)
    return [grouped[i] for i in case_ids]


async def cases_by_ids(ids: Sequence[int]) -> list[Case | None]:
    """Cases in key order (for loaders and node lookups)."""
    found = {c.id: c for c in await Case.filter(id__in=list(ids))}
    return [found.get(i) for i in ids]


async def events_after(case_id: int, seq: int) -> list[CaseEvent]:
    """A case's events after a sequence number, in order (subscription catch-up)."""
    return await CaseEvent.filter(case_id=case_id, seq__gt=seq).order_by("seq")


async def items_by_ids(ids: Sequence[int]) -> list[ServiceItem | None]:
    """Service items in key order (for loaders)."""
    found = await rows_by_ids(ServiceItem, ids)
    return [found.get(i) for i in ids]


async def items_and_windows_by_ids(
    item_ids: Sequence[int],
    window_ids: Sequence[int],
    item_columns: Sequence[str] | None = None,
    window_columns: Sequence[str] | None = None,
) -> tuple[dict[int, Mapping[str, Any]], dict[int, Mapping[str, Any]]]:
    """The service item and window rows of a page of cases, by id, in one round trip (records;
    of only the columns given, when given)."""
    return await records_by_ids_of_two(
        ServiceItem, item_ids, Window, window_ids, item_columns, window_columns
    )


async def item_versions_by_ids(ids: Sequence[int]) -> list[ServiceItemVersion | None]:
    """Item versions by row id, in key order (for loaders)."""
    found = {v.id: v for v in await ServiceItemVersion.filter(id__in=list(ids))}
    return [found.get(i) for i in ids]
