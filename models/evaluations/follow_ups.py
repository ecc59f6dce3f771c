"""Follow-up calls (回访): tasks for unrated cases or the hall's default grade, and their answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tortoise import connections
from tortoise.transactions import in_transaction

from models.accounts.tables import Role
from models.cases.deadlines import local_date
from models.cases.tables import Case
from models.catalogue.tables import Hall
from models.common.actor import Actor
from models.common.checks import Checks
from models.common.errors import Forbidden, IllegalState, NotFound
from models.evaluations.policy import policy_for
from models.evaluations.rectify import verify
from models.evaluations.rules import check_rating
from models.evaluations.submit import Rating, case_subject, store
from models.evaluations.tables import (
    EvaluationChannel,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    Rectification,
    UnratedAction,
)

CALL_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
# Completed cases decided in [$2, $3] with no rating from any channel and no task yet.
PLAN_CALLS = """
INSERT INTO follow_up (dedupe_key, kind, hall_id, department_id, case_id, status, due_on,
                       created_at, note)
SELECT 'unrated:' || c.id, 'UNRATED', c.hall_id, c.department_id, c.id, 'OPEN',
       c.decided_on + $4::int, $5, ''
FROM "case" c
WHERE c.hall_id = $1 AND c.decided_on BETWEEN $2 AND $3 AND c.status IN ('COMPLETED', 'DELIVERED')
  AND NOT EXISTS (SELECT 1 FROM evaluation e WHERE e.case_id = c.id)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id
"""
# The hall's default grade for cases still unrated after N days (one DEFAULT rating per case).
GIVE_DEFAULTS = """
INSERT INTO evaluation (hall_id, department_id, window_id, staff_id, item_id, case_id,
                        ticket_id, channel, grade, bad, tags, comment, rater_digest,
                        submitted_at, rated_on, counted, policy_version)
SELECT c.hall_id, c.department_id, c.window_id, c.received_by_id, c.item_id, c.id,
       c.ticket_id, 'DEFAULT', $4, false, '[]', '', '', $5, $6, true, $7
FROM "case" c
WHERE c.hall_id = $1 AND c.decided_on BETWEEN $2 AND $3 AND c.status IN ('COMPLETED', 'DELIVERED')
  AND NOT EXISTS (SELECT 1 FROM evaluation e WHERE e.case_id = c.id)
ON CONFLICT (case_id, channel) DO NOTHING
RETURNING id
"""


@dataclass
class PlanResult:
    """What one run of the follow-up job did, per hall."""

    calls: dict[str, int] = field(default_factory=dict)
    defaults: dict[str, int] = field(default_factory=dict)


async def plan_follow_ups(now: datetime) -> PlanResult:
    """For every hall: call-back tasks for unrated cases, or the default grade (per its policy)."""
    result = PlanResult()
    connection = connections.get("default")
    for hall in await Hall.all().order_by("id"):
        policy = await policy_for(hall.id)
        today = local_date(now, hall.timezone)
        oldest = today - timedelta(days=policy.follow_up_within_days)
        if policy.unrated_action is UnratedAction.DEFAULT_GRADE:
            newest = today - timedelta(days=policy.default_after_days)
            params = [hall.id, oldest, newest, policy.default_grade, now, today, policy.version]
            added = len(await connection.execute_query_dict(GIVE_DEFAULTS, params))
            if added:
                result.defaults[hall.code] = added
        else:
            newest = today - timedelta(days=policy.follow_up_after_days)
            params = [hall.id, oldest, newest, policy.follow_up_within_days, now]
            added = len(await connection.execute_query_dict(PLAN_CALLS, params))
            if added:
                result.calls[hall.code] = added
    return result


@dataclass(frozen=True)
class CallAnswer:
    """What the caller recorded: reached or not, and the rating or the verdict on the fix."""

    reached: bool
    note: str = ""
    grade: int | None = None
    tags: list[str] = field(default_factory=list)
    comment: str = ""
    accepts: bool | None = None


async def record_call(
    actor: Actor, follow_up_id: int, answer: CallAnswer, now: datetime
) -> FollowUp:
    """Record a call: an unreached rater can be called again; a reached one closes the task."""
    if actor.role not in CALL_ROLES:
        raise Forbidden("回访由管理员或效能督查人员记录")
    checks = Checks()
    checks.text("note", answer.note, "回访记录", min_len=0, max_len=500)
    checks.raise_if_any()
    async with in_transaction():
        task = await FollowUp.select_for_update().get_or_none(id=follow_up_id)
        hall = await Hall.get_or_none(id=task.hall_id) if task else None
        if task is None or hall is None or not actor.sees(hall.path):
            raise NotFound("回访任务", str(follow_up_id))
        if task.status is FollowUpStatus.DONE:
            raise IllegalState("回访已完成", code="FOLLOW_UP_DONE", current_state=task.status.value)
        if not answer.reached:
            task.status = FollowUpStatus.UNREACHABLE
        elif task.kind is FollowUpKind.UNRATED:
            await _rate_on_call(task, answer, now)
            task.status = FollowUpStatus.DONE
        else:
            await _verify_on_call(task, answer, actor, now)
            task.status = FollowUpStatus.DONE
        task.done_at = now
        task.done_by_id = actor.user_id or None
        task.note = answer.note.strip()
        await task.save()
    return task


async def _rate_on_call(task: FollowUp, answer: CallAnswer, now: datetime) -> None:
    """A reached applicant may give a grade (stored as a FOLLOW_UP_CALL rating) or decline."""
    if answer.grade is None:
        return
    case = await Case.get(id=task.case_id)
    subject = await case_subject(case)
    policy = await policy_for(task.hall_id)
    checks = Checks()
    tags = [t.strip() for t in answer.tags]
    check_rating(checks, answer.grade, tags, answer.comment, policy.is_bad(answer.grade))
    checks.raise_if_any()
    rating = Rating(
        channel=EvaluationChannel.FOLLOW_UP_CALL,
        grade=answer.grade,
        tags=tags,
        comment=answer.comment,
        case_number=case.number,
    )
    await store(subject_case=subject, rating=rating, tags=tags, policy=policy, now=now)


async def _verify_on_call(task: FollowUp, answer: CallAnswer, actor: Actor, now: datetime) -> None:
    if answer.accepts is None:
        checks = Checks()
        checks.fail("accepts", "REQUIRED", "须记录申请人是否认可整改结果")
        checks.raise_if_any()
    rectification = await Rectification.select_for_update().get(id=task.rectification_id)
    await verify(rectification, bool(answer.accepts), actor, now, answer.note)
