"""Rectifications (差评整改): opened by a bad rating, moved by the department, checked by a call."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from models.accounts.tables import Role
from models.alerts.rules import yellow_start
from models.calendar.queries import hall_calendar
from models.calendar.rules import CountUnit, add_days
from models.cases.deadlines import local_date
from models.catalogue.tables import Hall
from models.common.actor import Actor
from models.common.checks import Checks
from models.common.errors import Forbidden, NotFound
from models.evaluations.rules import Policy, check_step
from models.evaluations.tables import (
    Evaluation,
    FollowUp,
    FollowUpKind,
    Rectification,
    RectificationEvent,
    RectificationStatus,
)

# Working days the efficiency office has to call the rater once a fix is reported.
VERIFY_WITHIN_DAYS = 5
HANDLER_ROLES = frozenset({Role.CHIEF_REP, Role.CLERK})


async def record(
    rectification: Rectification, kind: str, actor: Actor | None, now: datetime, note: str = ""
) -> None:
    """Append a step to the rectification's history."""
    await RectificationEvent.create(
        rectification_id=rectification.id,
        kind=kind,
        status=rectification.status,
        actor_id=actor.user_id if actor and actor.user_id else None,
        actor_name=actor.username if actor else "system",
        at=now,
        note=note.strip(),
    )


async def open_rectification(
    evaluation: Evaluation, hall: Hall, policy: Policy, now: datetime
) -> Rectification:
    """A bad rating's rectification, due after the policy's working days (inside its transaction)."""
    calendar = await hall_calendar(hall)
    due = add_days(calendar, evaluation.rated_on, policy.rectification_days, CountUnit.WORKING).due
    yellow = yellow_start(
        calendar,
        due,
        policy.rectification_yellow_days,
        policy.rectification_days,
        CountUnit.WORKING,
    )
    rectification = await Rectification.create(
        evaluation_id=evaluation.id,
        hall_id=evaluation.hall_id,
        department_id=evaluation.department_id,
        status=RectificationStatus.PENDING,
        opened_at=now,
        due_on=due,
        yellow_on=yellow or due,
        policy_version=policy.version,
        updated_at=now,
    )
    await record(rectification, "OPENED", None, now, f"差评（{evaluation.grade}星）")
    return rectification


async def _in_scope(actor: Actor, rectification: Rectification) -> Hall:
    hall = await Hall.get(id=rectification.hall_id)
    if not actor.sees(hall.path):
        raise NotFound("整改", str(rectification.id))
    return hall


def _require_handler(actor: Actor, rectification: Rectification) -> None:
    """The rated department's chief representative or clerks (or an admin) report on it."""
    if actor.role is Role.ADMIN:
        return
    if actor.role not in HANDLER_ROLES or actor.department_id != rectification.department_id:
        raise Forbidden("只有被评价部门或管理员可以办理整改")


async def update(
    actor: Actor,
    rectification_id: int,
    status: RectificationStatus,
    measures: str,
    now: datetime,
) -> Rectification:
    """The department starts the fix or reports it done; a reported fix waits for a call back."""
    checks = Checks()
    required = 1 if status is RectificationStatus.RECTIFIED else 0
    checks.text("measures", measures, "整改措施", min_len=required, max_len=1000)
    if status not in (RectificationStatus.IN_PROGRESS, RectificationStatus.RECTIFIED):
        checks.fail("status", "NOT_ALLOWED", "整改只能报为整改中或已整改；核实由回访完成")
    checks.raise_if_any()
    async with in_transaction():
        rectification = await Rectification.select_for_update().get_or_none(id=rectification_id)
        if rectification is None:
            raise NotFound("整改", str(rectification_id))
        hall = await _in_scope(actor, rectification)
        _require_handler(actor, rectification)
        check_step(rectification.status, status)
        rectification.status = status
        if measures.strip():
            rectification.measures = measures.strip()
        rectification.updated_at = now
        if status is RectificationStatus.RECTIFIED:
            rectification.rectified_at = now
            await _verification_call(rectification, hall, now)
        await rectification.save()
        await record(rectification, status.value, actor, now, measures)
    return rectification


async def _verification_call(rectification: Rectification, hall: Hall, now: datetime) -> None:
    """The call that asks the rater whether the fix is accepted (one per round)."""
    calendar = await hall_calendar(hall)
    today = local_date(now, hall.timezone)
    evaluation = await Evaluation.get(id=rectification.evaluation_id)
    await FollowUp.get_or_create(
        dedupe_key=f"rectification:{rectification.id}:{rectification.rounds}",
        defaults={
            "kind": FollowUpKind.RECTIFICATION,
            "hall_id": rectification.hall_id,
            "department_id": rectification.department_id,
            "case_id": evaluation.case_id,
            "rectification_id": rectification.id,
            "due_on": add_days(calendar, today, VERIFY_WITHIN_DAYS, CountUnit.WORKING).due,
            "created_at": now,
        },
    )


async def verify(
    rectification: Rectification, accepts: bool, actor: Actor, now: datetime, note: str
) -> None:
    """The rater's answer on the call: accepted closes it, refused sends it back for rework."""
    if accepts:
        check_step(rectification.status, RectificationStatus.VERIFIED)
        rectification.status = RectificationStatus.VERIFIED
        rectification.verified_at = now
    else:
        check_step(rectification.status, RectificationStatus.IN_PROGRESS)
        rectification.status = RectificationStatus.IN_PROGRESS
        rectification.rounds += 1
    rectification.applicant_accepts = accepts
    rectification.updated_at = now
    await rectification.save()
    await record(rectification, "ACCEPTED" if accepts else "NOT_ACCEPTED", actor, now, note)


async def void(evaluation: Evaluation, actor: Actor, now: datetime, note: str) -> None:
    """An upheld appeal voids the rating's open rectification (kept in the record)."""
    rectification = await Rectification.select_for_update().get_or_none(evaluation_id=evaluation.id)
    if rectification is None or rectification.status in (
        RectificationStatus.VERIFIED,
        RectificationStatus.VOIDED,
    ):
        return
    rectification.status = RectificationStatus.VOIDED
    rectification.updated_at = now
    await rectification.save()
    await record(rectification, "VOIDED", actor, now, note)
