"""Who may see and act on a case: hall scope (receiving or handling hall) and role."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise import connections
from tortoise.expressions import Q

from models.accounts.tables import Role
from models.catalogue.tables import Hall
from models.common.actor import WINDOW_ROLES, Actor
from models.common.errors import Forbidden

SCOPE_SQL = (
    "SELECT h.id AS hall_id, d.id AS department_id FROM hall h"
    " LEFT JOIN department d ON d.hall_id = h.id WHERE starts_with(h.path, $1)"
)
# The same scope as a condition on "case" (two marks, both the hall path), for statements that
# read it in place instead of in a round trip of its own: each array is computed once.
SCOPE_CONDITION = (
    '("hall_id" = ANY(ARRAY(SELECT h.id FROM hall h WHERE starts_with(h.path, {})))'
    ' OR "department_id" = ANY(ARRAY(SELECT d.id FROM department d'
    " JOIN hall h ON h.id = d.hall_id WHERE starts_with(h.path, {}))))"
)
# Roles that may read unmasked applicant data after an explicit, logged unmasking.
UNMASK_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.CHIEF_REP, Role.CLERK})


@dataclass(frozen=True)
class CaseHalls:
    """The paths of a case's receiving hall and handling department's hall."""

    receiving_path: str
    handling_path: str
    department_id: int


def sees_case(actor: Actor, halls: CaseHalls) -> bool:
    """Both the receiving and the handling side see a case (全市通办)."""
    return actor.sees(halls.receiving_path) or actor.sees(halls.handling_path)


async def scope_filter(actor: Actor) -> Q:
    """A filter on cases for the actor's scope (no filter city-wide)."""
    if actor.hall_path is None:
        return Q()
    # The halls of the subtree and their departments in one statement (every case list runs it).
    rows = await connections.get("default").execute_query_dict(SCOPE_SQL, [actor.hall_path])
    hall_ids = sorted({row["hall_id"] for row in rows})
    department_ids = sorted({row["department_id"] for row in rows if row["department_id"]})
    return Q(hall_id__in=hall_ids) | Q(department_id__in=department_ids)


def require_receiver(actor: Actor, hall: Hall) -> None:
    """Window staff (or an admin) of the receiving hall take applications in."""
    if actor.role not in WINDOW_ROLES or not actor.sees(hall.path):
        raise Forbidden("只有本大厅的窗口人员或管理员可以收件")


def require_handler(actor: Actor, halls: CaseHalls, *, approve: bool = False) -> None:
    """The handling department's staff (or an admin) decide; extensions need its chief."""
    if not actor.sees(halls.handling_path):
        raise Forbidden("只有承办部门可以办理该办件")
    if actor.role is Role.ADMIN:
        return
    roles = {Role.CHIEF_REP} if approve else {Role.CHIEF_REP, Role.CLERK}
    if actor.role not in roles or actor.department_id != halls.department_id:
        raise Forbidden("只有承办部门可以办理该办件" if not approve else "延期须由首席代表审批")


def require_department(actor: Actor, halls: CaseHalls, department_id: int) -> None:
    """A joint case's sub-task is decided by its own department (or an admin)."""
    if not sees_case(actor, halls):
        raise Forbidden
    if actor.role is Role.ADMIN:
        return
    if actor.role not in {Role.CHIEF_REP, Role.CLERK} or actor.department_id != department_id:
        raise Forbidden("只有该协办部门可以提出审批意见")


def require_window_side(actor: Actor, halls: CaseHalls) -> None:
    """Delivery and withdrawal happen at a window of the receiving or handling hall."""
    if actor.role not in WINDOW_ROLES or not sees_case(actor, halls):
        raise Forbidden("只有窗口人员或管理员可以办理此操作")


def require_unmask(actor: Actor, halls: CaseHalls) -> None:
    """Unmasking personal data needs a staff role in scope."""
    if actor.role not in UNMASK_ROLES or not sees_case(actor, halls):
        raise Forbidden("无权查看申请人的完整个人信息")
