"""Submitting a rating from any channel; a bad one opens its rectification in the same transaction.

Each channel proves the rater differently: the window's evaluator pad runs in the session of the
clerk at that window; the texted link carries a token made for the case; the web/app form asks
for the phone's last four digits (throttled like the progress lookup); a follow-up call is
recorded by the efficiency office. The default grade is given by the periodic job only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.accounts.tables import Role
from models.cases.access import sees_case
from models.cases.deadlines import local_date
from models.cases.errors import CaseNotFound
from models.cases.progress import verified_case
from models.cases.queries import halls_of
from models.cases.tables import Case, CaseStatus
from models.catalogue.tables import Hall, ServiceItem, Window
from models.common.actor import WINDOW_ROLES, Actor
from models.common.checks import Checks
from models.common.errors import Conflict, Forbidden, IllegalState, InvalidInput, NotFound
from models.common.limits import RateLimiter
from models.evaluations.links import rater_digest, token_matches
from models.evaluations.policy import policy_for
from models.evaluations.rectify import open_rectification
from models.evaluations.rules import Policy, check_rating
from models.evaluations.tables import Evaluation, EvaluationChannel, FollowUp, FollowUpStatus
from models.queue.tables import Ticket, TicketStatus

# Remote channels rate a case whose handling is over.
FINISHED = frozenset(
    {CaseStatus.COMPLETED, CaseStatus.DELIVERED, CaseStatus.REJECTED, CaseStatus.FORWARDED}
)
CALL_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})


@dataclass(frozen=True)
class Rating:
    """What the rater says and through which channel, with the channel's proof."""

    channel: EvaluationChannel
    grade: int
    tags: list[str] = field(default_factory=list)
    comment: str = ""
    case_number: str | None = None
    ticket_id: int | None = None
    window_id: int | None = None
    token: str = ""
    verification: str = ""


@dataclass
class _Subject:
    hall: Hall
    case: Case | None
    ticket: Ticket | None
    department_id: int | None
    window_id: int | None
    staff_id: int | None
    item_id: int | None


async def _case(number: str | None) -> Case:
    case = await Case.get_or_none(number=(number or "").strip()[:40])
    if case is None:
        raise CaseNotFound((number or "").strip()[:40])
    return case


async def _window_subject(actor: Actor | None, rating: Rating) -> _Subject:
    """The evaluator pad of a window: the clerk at that window (or an admin) submits."""
    if actor is None or actor.role not in WINDOW_ROLES:
        raise Forbidden("窗口评价须由窗口评价器提交")
    if rating.window_id is None:
        raise InvalidInput.single("window_id", "REQUIRED", "窗口评价须指明窗口")
    window = await Window.get_or_none(id=rating.window_id)
    hall = await Hall.get_or_none(id=window.hall_id) if window else None
    if window is None or hall is None or not actor.sees(hall.path):
        raise NotFound("窗口", str(rating.window_id))
    if actor.role is not Role.ADMIN and window.clerk_id != actor.user_id:
        raise Forbidden("只能为自己所在窗口的服务提交评价")
    ticket = None
    if rating.ticket_id is not None:
        ticket = await Ticket.get_or_none(id=rating.ticket_id)
        served = (TicketStatus.CALLED, TicketStatus.FINISHED)
        if ticket is None or ticket.window_id != window.id or ticket.status not in served:
            raise NotFound("本窗口服务过的号码", str(rating.ticket_id))
    if rating.case_number:
        case = await _case(rating.case_number)
        if case.window_id not in (None, window.id) or case.hall_id != window.hall_id:
            raise Forbidden("该办件不是本窗口受理的")
        if ticket is not None and case.ticket_id not in (None, ticket.id):
            raise InvalidInput.single("ticket_id", "MISMATCH", "号码与办件不对应")
        return _Subject(
            hall=hall,
            case=case,
            ticket=ticket,
            department_id=case.department_id,
            window_id=window.id,
            staff_id=case.received_by_id or window.clerk_id,
            item_id=case.item_id,
        )
    if ticket is None:
        raise InvalidInput.single("case_number", "REQUIRED", "须指明办件编号或号码")
    department_id = None
    if ticket.item_id is not None:
        item = await ServiceItem.get(id=ticket.item_id).only("id", "department_id")
        department_id = item.department_id
    return _Subject(
        hall=hall,
        case=None,
        ticket=ticket,
        department_id=department_id or getattr(window, "department_id", None),
        window_id=window.id,
        staff_id=ticket.called_by_id,
        item_id=ticket.item_id,
    )


async def case_subject(case: Case) -> _Subject:
    hall = await Hall.get(id=case.hall_id)
    return _Subject(
        hall=hall,
        case=case,
        ticket=None,
        department_id=case.department_id,
        window_id=case.window_id,
        staff_id=case.received_by_id,
        item_id=case.item_id,
    )


async def _remote_subject(
    actor: Actor | None, rating: Rating, limiter: RateLimiter | None, client: str
) -> _Subject:
    """Text link, web/app and follow-up call rate a finished case."""
    if rating.channel is EvaluationChannel.ONLINE:
        if limiter is None:
            raise RuntimeError("online ratings need a rate limiter")
        await _online_check(limiter, client, rating)
    case = await _case(rating.case_number)
    if rating.channel is EvaluationChannel.SMS_LINK and not token_matches(
        case.number, rating.token
    ):
        raise InvalidInput.single("token", "INVALID_TOKEN", "评价链接无效")
    if rating.channel is EvaluationChannel.FOLLOW_UP_CALL and (
        actor is None or actor.role not in CALL_ROLES or not sees_case(actor, await halls_of(case))
    ):
        raise Forbidden("回访评价须由本大厅的管理员或效能督查人员记录")
    if case.status not in FINISHED:
        raise IllegalState(
            "办件尚未办结，暂不能评价", code="NOT_RATEABLE", current_state=case.status.value
        )
    return await case_subject(case)


async def _online_check(limiter: RateLimiter, client: str, rating: Rating) -> None:
    case = await verified_case(
        limiter,
        "rate",
        client=client,
        number=rating.case_number or "",
        verification=rating.verification,
    )
    if case is None:
        # One answer for a wrong number and a wrong phone tail: nothing to enumerate.
        raise InvalidInput.single("verification", "MISMATCH", "办件编号或手机尾号不正确")


async def submit(
    actor: Actor | None,
    rating: Rating,
    now: datetime,
    *,
    limiter: RateLimiter | None = None,
    client: str = "",
) -> Evaluation:
    """Store one rating (one per case or ticket per channel); a bad one opens a rectification."""
    if rating.channel is EvaluationChannel.DEFAULT:
        raise Forbidden("默认评价只由系统在期满后给出")
    if rating.channel is EvaluationChannel.WINDOW:
        subject = await _window_subject(actor, rating)
    else:
        subject = await _remote_subject(actor, rating, limiter, client)
    policy = await policy_for(subject.hall.id)
    checks = Checks()
    tags = [t.strip() for t in rating.tags]
    check_rating(checks, rating.grade, tags, rating.comment, policy.is_bad(rating.grade))
    checks.raise_if_any()
    return await store(subject_case=subject, rating=rating, tags=tags, policy=policy, now=now)


async def store(
    *, subject_case: _Subject, rating: Rating, tags: list[str], policy: Policy, now: datetime
) -> Evaluation:
    """Write the rating, its rectification and close the case's call-back task, all at once."""
    subject = subject_case
    case, ticket = subject.case, subject.ticket
    identity = case.applicant_id_number or case.applicant_phone if case else ""
    if not identity and ticket is not None:
        identity = ticket.holder_phone
    try:
        async with in_transaction():
            evaluation = await Evaluation.create(
                hall_id=subject.hall.id,
                department_id=subject.department_id,
                window_id=subject.window_id,
                staff_id=subject.staff_id,
                item_id=subject.item_id,
                case_id=case.id if case else None,
                ticket_id=ticket.id if ticket else (case.ticket_id if case else None),
                channel=rating.channel,
                grade=rating.grade,
                bad=policy.is_bad(rating.grade),
                tags=tags,
                comment=rating.comment.strip(),
                rater_digest=rater_digest(identity),
                submitted_at=now,
                rated_on=local_date(now, subject.hall.timezone),
                policy_version=policy.version,
            )
            if evaluation.bad:
                await open_rectification(evaluation, subject.hall, policy, now)
            if case is not None:
                await FollowUp.filter(
                    dedupe_key=f"unrated:{case.id}", status=FollowUpStatus.OPEN
                ).update(status=FollowUpStatus.DONE, done_at=now, note="已收到评价")
    except IntegrityError as exc:
        raise Conflict(
            "该办件已通过此渠道评价过", code="ALREADY_RATED", field="case_number"
        ) from exc
    return evaluation
