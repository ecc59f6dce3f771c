"""A hall's evaluation policy: every change is a new version; ratings record the one they met."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from models.accounts.tables import Role
from models.catalogue.tables import Hall
from models.common.actor import Actor
from models.common.checks import Checks
from models.common.errors import Forbidden
from models.evaluations.rules import Policy, check_policy
from models.evaluations.tables import EvaluationPolicy


def _policy_of(row: EvaluationPolicy) -> Policy:
    return Policy(
        bad_max_grade=row.bad_max_grade,
        rectification_days=row.rectification_days,
        rectification_yellow_days=row.rectification_yellow_days,
        unrated_action=row.unrated_action,
        follow_up_after_days=row.follow_up_after_days,
        follow_up_within_days=row.follow_up_within_days,
        default_grade=row.default_grade,
        default_after_days=row.default_after_days,
        version=row.version,
    )


async def policy_for(hall_id: int) -> Policy:
    """The version in force (the defaults, version 0, until a hall sets its own)."""
    row = await EvaluationPolicy.filter(hall_id=hall_id).order_by("-version").first()
    return _policy_of(row) if row is not None else Policy()


async def policy_history(hall_id: int) -> list[tuple[Policy, datetime, int | None]]:
    """Every version a hall has had, newest first, with when and by whom it was set."""
    rows = await EvaluationPolicy.filter(hall_id=hall_id).order_by("-version")
    return [(_policy_of(r), r.created_at, r.created_by_id) for r in rows]


async def set_policy(actor: Actor, hall: Hall, policy: Policy, now: datetime) -> Policy:
    """An administrator of the hall writes a new version; earlier ratings keep theirs."""
    if actor.role is not Role.ADMIN or not actor.sees(hall.path):
        raise Forbidden("只有本大厅的管理员可以设置评价规则")
    checks = Checks()
    check_policy(checks, policy)
    checks.raise_if_any()
    async with in_transaction():
        # The hall row serialises concurrent changes, so versions never collide.
        await Hall.select_for_update().get(id=hall.id)
        latest = await EvaluationPolicy.filter(hall_id=hall.id).order_by("-version").first()
        saved = policy.next_version((latest.version if latest else 0) + 1)
        await EvaluationPolicy.create(
            hall_id=hall.id,
            version=saved.version,
            bad_max_grade=saved.bad_max_grade,
            rectification_days=saved.rectification_days,
            rectification_yellow_days=saved.rectification_yellow_days,
            unrated_action=saved.unrated_action,
            follow_up_after_days=saved.follow_up_after_days,
            follow_up_within_days=saved.follow_up_within_days,
            default_grade=saved.default_grade,
            default_after_days=saved.default_after_days,
            created_by_id=actor.user_id or None,
            created_at=now,
        )
    return saved
