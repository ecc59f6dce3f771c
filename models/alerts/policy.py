"""Reading and setting a hall's alert policy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models.accounts.tables import Role
from models.alerts.rules import EscalationStep, EscalationTarget, Policy, check_policy
from models.alerts.tables import AlertPolicy
from models.catalogue.tables import Hall, ServiceItem
from models.common.actor import Actor
from models.common.checks import Checks
from models.common.errors import Forbidden


def _policy_of(row: AlertPolicy) -> Policy:
    return Policy(
        yellow_days=row.yellow_days,
        item_yellow_days=tuple(sorted((k, int(v)) for k, v in row.item_yellow_days.items())),
        steps=tuple(
            EscalationStep(EscalationTarget(str(s["target"])), int(str(s["after_days"])))
            for s in row.steps
        ),
        version=row.version,
    )


async def policy_for(hall_id: int) -> Policy:
    """The hall's policy (item overrides keyed by item id), or the defaults."""
    row = await AlertPolicy.get_or_none(hall_id=hall_id)
    return _policy_of(row) if row is not None else Policy()


async def set_policy(  # noqa: PLR0917  (the policy's parts, as the mutation takes them)
    actor: Actor,
    hall: Hall,
    yellow_days: int,
    item_yellow_days: dict[str, int],
    steps: list[EscalationStep],
    now: datetime,
) -> Policy:
    """An administrator sets the hall's thresholds and ladder (items named by code)."""
    if actor.role is not Role.ADMIN or not actor.sees(hall.path):
        raise Forbidden("只有本大厅的管理员可以设置预警规则")
    checks = Checks()
    codes = sorted(item_yellow_days)
    known = dict(
        await ServiceItem.filter(code__in=codes, department__hall_id=hall.id).values_list(
            "code", "id"
        )
    )
    for code in codes:
        if code not in known:
            checks.fail(("item_yellow_days", code), "NOT_FOUND", f"本大厅没有事项{code}")
    by_id = tuple(sorted((str(known[c]), d) for c, d in item_yellow_days.items() if c in known))
    policy = Policy(yellow_days=yellow_days, item_yellow_days=by_id, steps=tuple(steps))
    check_policy(checks, policy)
    checks.raise_if_any()
    row = await AlertPolicy.get_or_none(hall_id=hall.id)
    data: dict[str, Any] = {
        "yellow_days": yellow_days,
        "item_yellow_days": dict(by_id),
        "steps": [{"target": s.target.value, "after_days": s.after_days} for s in steps],
        "updated_by_id": actor.user_id,
        "updated_at": now,
    }
    if row is None:
        row = await AlertPolicy.create(hall_id=hall.id, version=1, **data)
    else:
        await row.update_from_dict({**data, "version": row.version + 1}).save()
    return _policy_of(row)
