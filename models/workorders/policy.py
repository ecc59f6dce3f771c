"""Reading and setting a hotline centre's limits per category and its chasing rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models.accounts.tables import Role
from models.catalogue.tables import Hall
from models.common.actor import Actor
from models.common.checks import Checks
from models.common.errors import Forbidden
from models.workorders.rules import DEFAULT_LIMITS, Policy, check_policy
from models.workorders.tables import WorkOrderCategory, WorkOrderPolicy


def _policy_of(row: WorkOrderPolicy) -> Policy:
    limits = dict(DEFAULT_LIMITS)
    limits.update({WorkOrderCategory(k): int(v) for k, v in row.limits.items()})
    return Policy(
        limits=limits,
        yellow_days=row.yellow_days,
        report_after_days=row.report_after_days,
        rework_days=row.rework_days,
        max_reworks=row.max_reworks,
        version=row.version,
    )


async def policy_for(hall_id: int) -> Policy:
    """The centre's policy, or the defaults (version 0)."""
    row = await WorkOrderPolicy.get_or_none(hall_id=hall_id)
    return _policy_of(row) if row is not None else Policy()


async def set_policy(actor: Actor, hall: Hall, policy: Policy, now: datetime) -> Policy:
    """An administrator or supervisor of the centre sets its limits (they apply to new dispatches)."""
    if actor.role not in (Role.ADMIN, Role.SUPERVISOR) or not actor.sees(hall.path):
        raise Forbidden("只有本中心的管理员或督查人员可以设置工单时限")
    checks = Checks()
    check_policy(checks, policy)
    checks.raise_if_any()
    data: dict[str, Any] = {
        "limits": {k.value: v for k, v in policy.limits.items()},
        "yellow_days": policy.yellow_days,
        "report_after_days": policy.report_after_days,
        "rework_days": policy.rework_days,
        "max_reworks": policy.max_reworks,
        "updated_by_id": actor.user_id or None,
        "updated_at": now,
    }
    row = await WorkOrderPolicy.select_for_update().get_or_none(hall_id=hall.id)
    if row is None:
        row = await WorkOrderPolicy.create(hall_id=hall.id, version=1, **data)
    else:
        await row.update_from_dict({**data, "version": row.version + 1}).save()
    return _policy_of(row)
