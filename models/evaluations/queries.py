"""Reading ratings, rectifications, appeals and call-back tasks within the actor's scope."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.accounts.tables import Role
from models.catalogue.tables import Hall
from models.common.actor import Actor
from models.common.errors import Forbidden
from models.evaluations.tables import (
    AppealStatus,
    Evaluation,
    EvaluationAppeal,
    EvaluationChannel,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    Rectification,
    RectificationEvent,
    RectificationStatus,
)

EVALUATION_ORDER = ("-submitted_at", "-id")
RECTIFICATION_ORDER = ("due_on", "id")
FOLLOW_UP_ORDER = ("due_on", "id")
APPEAL_ORDER = ("-filed_at", "-id")
# Staff who read ratings; a department's own people see only their department's.
READER_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.CHIEF_REP, Role.CLERK})
# Who may see which case a rating belongs to (to call back or answer it); others see the grade.
CASE_LINK_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.CHIEF_REP})


async def _hall_ids(actor: Actor) -> list[int] | None:
    if actor.hall_path is None:
        return None
    ids = await Hall.filter(path__startswith=actor.hall_path).values_list("id", flat=True)
    return [int(i) for i in ids]  # type: ignore[call-overload]


async def _scoped(actor: Actor, query: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
    """Hall subtree; department staff their own department; clerks the ratings of their service."""
    if actor.role not in READER_ROLES:
        raise Forbidden("无权查看评价")
    halls = await _hall_ids(actor)
    if halls is not None:
        query = query.filter(hall_id__in=halls)
    if actor.role is Role.CHIEF_REP:
        query = query.filter(department_id=actor.department_id)
    elif actor.role is Role.CLERK:
        query = query.filter(staff_id=actor.user_id)
    return query


@dataclass(frozen=True)
class EvaluationFilter:
    """How to narrow the ratings list."""

    hall_id: int | None = None
    department_id: int | None = None
    window_id: int | None = None
    staff_id: int | None = None
    channel: EvaluationChannel | None = None
    bad: bool | None = None
    counted: bool | None = None
    rated_from: date | None = None
    rated_to: date | None = None
    case_id: int | None = None


async def evaluations_visible(actor: Actor, given: EvaluationFilter) -> QuerySet[Evaluation]:
    """Ratings the actor may read, filtered."""
    query = await _scoped(actor, Evaluation.all())
    exact = {
        "hall_id": given.hall_id,
        "department_id": given.department_id,
        "window_id": given.window_id,
        "staff_id": given.staff_id,
        "channel": given.channel,
        "bad": given.bad,
        "counted": given.counted,
        "case_id": given.case_id,
    }
    query = query.filter(**{k: v for k, v in exact.items() if v is not None})
    if given.rated_from is not None:
        query = query.filter(rated_on__gte=given.rated_from)
    if given.rated_to is not None:
        query = query.filter(rated_on__lte=given.rated_to)
    return query


async def evaluation_visible(actor: Actor, evaluation_id: int) -> Evaluation | None:
    """One rating, when the actor may read it."""
    return await (await _scoped(actor, Evaluation.filter(id=evaluation_id))).first()


@dataclass(frozen=True)
class RectificationFilter:
    """How to narrow the rectifications list."""

    hall_id: int | None = None
    department_id: int | None = None
    status: RectificationStatus | None = None
    overdue_on: date | None = None


async def _department_scoped(
    actor: Actor, query: QuerySet[Rectification]
) -> QuerySet[Rectification]:
    if actor.role not in READER_ROLES:
        raise Forbidden("无权查看整改")
    halls = await _hall_ids(actor)
    if halls is not None:
        query = query.filter(hall_id__in=halls)
    if actor.role in (Role.CHIEF_REP, Role.CLERK):
        query = query.filter(department_id=actor.department_id)
    return query


async def rectifications_visible(
    actor: Actor, given: RectificationFilter
) -> QuerySet[Rectification]:
    """Rectifications of the actor's scope (department staff: their department's)."""
    query = await _department_scoped(actor, Rectification.all())
    if given.hall_id is not None:
        query = query.filter(hall_id=given.hall_id)
    if given.department_id is not None:
        query = query.filter(department_id=given.department_id)
    if given.status is not None:
        query = query.filter(status=given.status)
    if given.overdue_on is not None:
        query = query.filter(
            Q(status__in=[RectificationStatus.PENDING, RectificationStatus.IN_PROGRESS]),
            due_on__lt=given.overdue_on,
        )
    return query


async def evaluations_by_ids(ids: Sequence[int]) -> list[Evaluation | None]:
    """Ratings in key order (for loaders)."""
    rows = {e.id: e for e in await Evaluation.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def rectifications_by_ids(ids: Sequence[int]) -> list[Rectification | None]:
    """Rectifications in key order (for loaders)."""
    rows = {r.id: r for r in await Rectification.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def rectifications_by_evaluation(ids: Sequence[int]) -> list[Rectification | None]:
    """Each rating's rectification (None for good ratings), in key order (for loaders)."""
    rows = {r.evaluation_id: r for r in await Rectification.filter(evaluation_id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def appeals_by_evaluation(ids: Sequence[int]) -> list[EvaluationAppeal | None]:
    """Each rating's appeal, if any, in key order (for loaders)."""
    rows = {a.evaluation_id: a for a in await EvaluationAppeal.filter(evaluation_id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def history_by_rectification(ids: Sequence[int]) -> list[list[RectificationEvent]]:
    """Each rectification's steps in order (for loaders)."""
    grouped: dict[int, list[RectificationEvent]] = defaultdict(list)
    for event in await RectificationEvent.filter(rectification_id__in=list(ids)).order_by("id"):
        grouped[event.rectification_id].append(event)
    return [grouped[i] for i in ids]


@dataclass(frozen=True)
class AppealFilter:
    """How to narrow the appeals list."""

    hall_id: int | None = None
    status: AppealStatus | None = None


async def appeals_visible(actor: Actor, given: AppealFilter) -> QuerySet[EvaluationAppeal]:
    """Appeals of the scope (department staff: their department's)."""
    if actor.role not in READER_ROLES:
        raise Forbidden("无权查看申诉")
    query = EvaluationAppeal.all()
    halls = await _hall_ids(actor)
    if halls is not None:
        query = query.filter(hall_id__in=halls)
    if actor.role in (Role.CHIEF_REP, Role.CLERK):
        query = query.filter(department_id=actor.department_id)
    if given.hall_id is not None:
        query = query.filter(hall_id=given.hall_id)
    if given.status is not None:
        query = query.filter(status=given.status)
    return query


@dataclass(frozen=True)
class FollowUpFilter:
    """How to narrow the call-back list."""

    hall_id: int | None = None
    kind: FollowUpKind | None = None
    status: FollowUpStatus | None = None


async def follow_ups_visible(actor: Actor, given: FollowUpFilter) -> QuerySet[FollowUp]:
    """Call-back tasks: the efficiency office's and administrators' work list."""
    if actor.role not in (Role.ADMIN, Role.SUPERVISOR):
        raise Forbidden("回访任务由管理员或效能督查人员处理")
    query = FollowUp.all()
    halls = await _hall_ids(actor)
    if halls is not None:
        query = query.filter(hall_id__in=halls)
    exact = {"hall_id": given.hall_id, "kind": given.kind, "status": given.status}
    return query.filter(**{k: v for k, v in exact.items() if v is not None})
