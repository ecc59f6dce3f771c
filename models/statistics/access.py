"""Who may read which figures.

- ADMIN and SUPERVISOR: every figure of their hall subtree (city-wide accounts: every hall).
- CHIEF_REP: their own department's figures (any grouping inside it, staff included).
- CLERK: only their own figures (the staff filter is themselves).
- MONITOR and APP: hall-level aggregates (hall, department, window, item, day, month), never
  per staff: no staff grouping, no staff filter.
Anything else, or a hall outside the account's scope, is Forbidden.
"""

from __future__ import annotations

import dataclasses

from tortoise import connections

from models.accounts.tables import Role
from models.catalogue.tables import Hall
from models.common.actor import Actor
from models.common.errors import Forbidden, InvalidInput
from models.statistics.reads import Scope
from models.statistics.rules import GroupBy

PUBLIC_ROLES = frozenset({Role.MONITOR, Role.APP})


# The hall and the ids of its subtree (itself included, in id order) in one round trip.
HALL_WITH_SUBTREE = (
    "SELECT h.*, ARRAY(SELECT s.id FROM hall s WHERE starts_with(s.path, h.path) ORDER BY s.id)"
    ' AS "_subtree" FROM hall h WHERE h.id = $1'
)


async def scoped_hall_subtree(actor: Actor, hall_id: int | None) -> tuple[Hall, tuple[int, ...]]:
    """The hall asked about (the actor's own by default) and the ids of every hall in its
    subtree, read together; Forbidden outside the actor's scope."""
    chosen = hall_id if hall_id is not None else actor.hall_id
    if chosen is None:
        raise InvalidInput.single(("filter", "hall_id"), "REQUIRED", "请指定大厅")
    rows = await connections.get("default").execute_query_dict(HALL_WITH_SUBTREE, [chosen])
    if not rows:
        raise Forbidden("无权查看该大厅的统计")
    row = dict(rows[0])
    subtree = tuple(int(i) for i in row.pop("_subtree"))
    hall = Hall._init_from_db(**row)
    if not actor.sees(hall.path):
        raise Forbidden("无权查看该大厅的统计")
    return hall, subtree


def allowed_scope(actor: Actor, scope: Scope, group_by: tuple[GroupBy, ...]) -> Scope:
    """The scope narrowed to what the actor may read; Forbidden when it asks for more."""
    if actor.role in (Role.ADMIN, Role.SUPERVISOR):
        return scope
    if actor.role is Role.CHIEF_REP:
        if actor.department_id is None or scope.department_id not in (None, actor.department_id):
            raise Forbidden("首席代表只能查看本部门的统计")
        return dataclasses.replace(scope, department_id=actor.department_id)
    if actor.role is Role.CLERK:
        if scope.staff_id not in (None, actor.user_id):
            raise Forbidden("窗口人员只能查看本人的统计")
        return dataclasses.replace(scope, staff_id=actor.user_id)
    if actor.role in PUBLIC_ROLES:
        if GroupBy.STAFF in group_by or scope.staff_id is not None:
            raise Forbidden("大屏和第三方应用不能查看个人统计")
        return scope
    raise Forbidden("无权查看统计")
