"""Rating mutations: submit, rectify, appeal, decide, record a call, set the policy."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from models.catalogue.queries import hall_in_scope
from models.evaluations import appeals, follow_ups, policy, rectify, submit
from models.evaluations.rules import GRADE_LABELS, Policy
from models.evaluations.tables import EvaluationChannel as ChannelValue
from models.evaluations.tables import RectificationStatus as RectificationStatusValue
from models.evaluations.tables import UnratedAction as UnratedActionValue
from schema.context import Info
from schema.errors import ConflictError, InputError, NotFoundError, StateError, returns_errors
from schema.permissions import require_actor
from schema.relay import decode_id, decode_optional_id
from schema.types.evaluations import (
    Evaluation,
    EvaluationAppeal,
    EvaluationChannel,
    EvaluationPolicy,
    FollowUp,
    ReasonTag,
    Rectification,
    RectificationStatus,
    UnratedAction,
)

STAFF_EVALUATION_READERS = frozenset({"ADMIN", "SUPERVISOR", "CHIEF_REP", "CLERK"})


@strawberry.input(description="A rating and the proof its channel needs.")
class EvaluationSubmitInput:
    """evaluationSubmit input."""

    channel: EvaluationChannel = strawberry.field(
        description=(
            "WINDOW (the clerk's session at that window), SMS_LINK (needs `token`), ONLINE "
            "(needs `verification`), FOLLOW_UP_CALL (administrators and supervisors). DEFAULT is "
            "given by the system only."
        )
    )
    grade: int = strawberry.field(
        description="5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意."
    )
    tags: list[ReasonTag] = strawberry.field(
        default_factory=list,
        description="Reasons fitting the grade; a bad rating names at least one bad reason (max 8).",
    )
    comment: str = strawberry.field(default="", description="Free text, up to 500 characters.")
    case_number: str | None = strawberry.field(
        default=None, description="The case rated (every channel but a ticket-only WINDOW rating)."
    )
    ticket_id: relay.GlobalID | None = strawberry.field(
        default=None, description="WINDOW: the ticket served, for a service with no case."
    )
    window_id: relay.GlobalID | None = strawberry.field(
        default=None, description="WINDOW: the window whose evaluator pad is used."
    )
    token: str = strawberry.field(default="", description="SMS_LINK: the token from the link.")
    verification: str = strawberry.field(
        default="", description="ONLINE: the last 4 digits of the applicant's phone."
    )


@strawberry.type(description="The rating was stored.")
class EvaluationSubmitSuccess:
    """evaluationSubmit success: a receipt for everyone, the rating itself for staff."""

    grade: int = strawberry.field(description="The grade stored.")
    grade_label: str = strawberry.field(description="Its Chinese label.")
    rectification_opened: bool = strawberry.field(
        description="Whether the rating was bad and opened a rectification."
    )
    evaluation: Evaluation | None = strawberry.field(
        description="The stored rating; null when the submitter is not staff (an applicant)."
    )


EvaluationSubmitResult = Annotated[
    EvaluationSubmitSuccess | InputError | NotFoundError | ConflictError | StateError,
    strawberry.union("EvaluationSubmitResult", description="Result of evaluationSubmit."),
]


@strawberry.input(description="A department's report on a rectification.")
class RectificationUpdateInput:
    """rectificationUpdate input."""

    rectification_id: relay.GlobalID = strawberry.field(description="The rectification.")
    status: RectificationStatus = strawberry.field(
        description="IN_PROGRESS or RECTIFIED (VERIFIED comes from the follow-up call)."
    )
    measures: str = strawberry.field(
        default="", description="What was done; required for RECTIFIED (up to 1000 characters)."
    )


@strawberry.type(description="The rectification moved.")
class RectificationUpdateSuccess:
    """rectificationUpdate success."""

    rectification: Rectification = strawberry.field(description="The rectification now.")


RectificationUpdateResult = Annotated[
    RectificationUpdateSuccess | InputError | NotFoundError | StateError,
    strawberry.union("RectificationUpdateResult", description="Result of rectificationUpdate."),
]


@strawberry.input(description="An appeal against a malicious or mistaken rating.")
class EvaluationAppealInput:
    """evaluationAppeal input."""

    evaluation_id: relay.GlobalID = strawberry.field(description="The rating.")
    reason: str = strawberry.field(description="Why, 10-1000 characters (evidence by reference).")


@strawberry.type(description="The appeal was filed; an administrator decides.")
class EvaluationAppealSuccess:
    """evaluationAppeal success."""

    appeal: EvaluationAppeal = strawberry.field(description="The appeal.")


EvaluationAppealResult = Annotated[
    EvaluationAppealSuccess | InputError | NotFoundError | ConflictError,
    strawberry.union("EvaluationAppealResult", description="Result of evaluationAppeal."),
]


@strawberry.input(description="An administrator's decision on an appeal.")
class EvaluationAppealDecideInput:
    """evaluationAppealDecide input."""

    appeal_id: relay.GlobalID = strawberry.field(description="The appeal.")
    uphold: bool = strawberry.field(
        description="true: the rating leaves the figures and its rectification is voided."
    )
    note: str = strawberry.field(description="The reasons, 1-1000 characters.")


@strawberry.type(description="The appeal was decided.")
class EvaluationAppealDecideSuccess:
    """evaluationAppealDecide success."""

    appeal: EvaluationAppeal = strawberry.field(description="The appeal, decided.")
    evaluation: Evaluation = strawberry.field(description="The rating (counted or not).")


EvaluationAppealDecideResult = Annotated[
    EvaluationAppealDecideSuccess | InputError | NotFoundError | StateError,
    strawberry.union(
        "EvaluationAppealDecideResult", description="Result of evaluationAppealDecide."
    ),
]


@strawberry.input(description="What a follow-up call found.")
class FollowUpRecordInput:
    """followUpRecord input."""

    follow_up_id: relay.GlobalID = strawberry.field(description="The call-back task.")
    reached: bool = strawberry.field(
        description="false: not reached (the task stays callable); true: closes the task."
    )
    note: str = strawberry.field(default="", description="The caller's note, up to 500 characters.")
    grade: int | None = strawberry.field(
        default=None,
        description="UNRATED tasks: the grade the applicant gave (stored as FOLLOW_UP_CALL).",
    )
    tags: list[ReasonTag] = strawberry.field(default_factory=list, description="Its reasons.")
    comment: str = strawberry.field(default="", description="The applicant's words.")
    accepts: bool | None = strawberry.field(
        default=None,
        description="RECTIFICATION tasks: whether the rater accepts the fix (required when reached).",
    )


@strawberry.type(description="The call was recorded.")
class FollowUpRecordSuccess:
    """followUpRecord success."""

    follow_up: FollowUp = strawberry.field(description="The task now.")


FollowUpRecordResult = Annotated[
    FollowUpRecordSuccess | InputError | NotFoundError | ConflictError | StateError,
    strawberry.union("FollowUpRecordResult", description="Result of followUpRecord."),
]


@strawberry.input(description="A new version of a hall's evaluation rules.")
class EvaluationPolicySetInput:
    """evaluationPolicySet input."""

    hall_id: relay.GlobalID = strawberry.field(description="The hall.")
    bad_max_grade: int = strawberry.field(default=2, description="Grades up to this are bad, 1-2.")
    rectification_days: int = strawberry.field(
        default=15, description="Working days to rectify, 1-60."
    )
    rectification_yellow_days: int = strawberry.field(
        default=3, description="Working days left that turn a rectification yellow."
    )
    unrated_action: UnratedAction = strawberry.field(
        default=UnratedAction.FOLLOW_UP, description="Call back, or the default grade."
    )
    follow_up_after_days: int = strawberry.field(
        default=3, description="Days after completion before a call-back task is made."
    )
    follow_up_within_days: int = strawberry.field(
        default=60, description="Call within this many days of completion, 1-60."
    )
    default_grade: int = strawberry.field(default=3, description="The default grade, 3-5.")
    default_after_days: int = strawberry.field(
        default=7, description="Days unrated before the default grade, 1-60."
    )


@strawberry.type(description="The new version is in force.")
class EvaluationPolicySetSuccess:
    """evaluationPolicySet success."""

    policy: EvaluationPolicy = strawberry.field(description="The version now in force.")


EvaluationPolicySetResult = Annotated[
    EvaluationPolicySetSuccess | InputError | NotFoundError,
    strawberry.union("EvaluationPolicySetResult", description="Result of evaluationPolicySet."),
]


@strawberry.type
class EvaluationMutation:
    """Rating mutations."""

    @strawberry.mutation(
        description=(
            "Rate a service (好差评); no login needed for SMS_LINK and ONLINE. One rating per "
            "case per channel; a bad one opens a rectification."
        )
    )
    @returns_errors
    async def evaluation_submit(
        self,
        info: Info,
        input: EvaluationSubmitInput,  # noqa: A002
    ) -> EvaluationSubmitResult:
        """Store the rating."""
        actor = info.context.actor
        rating = submit.Rating(
            channel=ChannelValue(input.channel.name),
            grade=input.grade,
            tags=[t.name for t in input.tags],
            comment=input.comment,
            case_number=input.case_number,
            ticket_id=decode_optional_id(input.ticket_id, "Ticket", "ticket_id"),
            window_id=decode_optional_id(input.window_id, "Window", "window_id"),
            token=input.token,
            verification=input.verification,
        )
        stored = await submit.submit(
            actor,
            rating,
            info.context.now,
            limiter=info.context.limiter,
            client=info.context.client_address,
        )
        staff = actor is not None and actor.role.value in STAFF_EVALUATION_READERS
        return EvaluationSubmitSuccess(
            grade=stored.grade,
            grade_label=GRADE_LABELS[stored.grade],
            rectification_opened=stored.bad,
            evaluation=Evaluation.from_row(stored) if staff else None,
        )

    @strawberry.mutation(
        description="Report a rectification started or done (the rated department, or ADMIN)."
    )
    @returns_errors
    async def rectification_update(
        self,
        info: Info,
        input: RectificationUpdateInput,  # noqa: A002
    ) -> RectificationUpdateResult:
        """Move the rectification."""
        row = await rectify.update(
            require_actor(info),
            decode_id(input.rectification_id, "Rectification", "rectification_id"),
            RectificationStatusValue(input.status.name),
            input.measures,
            info.context.now,
        )
        return RectificationUpdateSuccess(rectification=Rectification.from_row(row))

    @strawberry.mutation(
        description="Appeal a rating as malicious or mistaken (the department's chief rep; once)."
    )
    @returns_errors
    async def evaluation_appeal(
        self,
        info: Info,
        input: EvaluationAppealInput,  # noqa: A002
    ) -> EvaluationAppealResult:
        """File the appeal."""
        row = await appeals.file_appeal(
            require_actor(info),
            decode_id(input.evaluation_id, "Evaluation", "evaluation_id"),
            input.reason,
            info.context.now,
        )
        return EvaluationAppealSuccess(appeal=EvaluationAppeal.from_row(row))

    @strawberry.mutation(
        description="Decide an appeal (ADMIN, not the filer); upheld removes the rating from the figures."
    )
    @returns_errors
    async def evaluation_appeal_decide(
        self,
        info: Info,
        input: EvaluationAppealDecideInput,  # noqa: A002
    ) -> EvaluationAppealDecideResult:
        """Decide the appeal."""
        appeal, evaluation = await appeals.decide_appeal(
            require_actor(info),
            decode_id(input.appeal_id, "EvaluationAppeal", "appeal_id"),
            input.uphold,
            input.note,
            info.context.now,
        )
        return EvaluationAppealDecideSuccess(
            appeal=EvaluationAppeal.from_row(appeal), evaluation=Evaluation.from_row(evaluation)
        )

    @strawberry.mutation(
        description="Record a follow-up call (ADMIN or SUPERVISOR): a rating, or the verdict on a fix."
    )
    @returns_errors
    async def follow_up_record(
        self,
        info: Info,
        input: FollowUpRecordInput,  # noqa: A002
    ) -> FollowUpRecordResult:
        """Record the call."""
        answer = follow_ups.CallAnswer(
            reached=input.reached,
            note=input.note,
            grade=input.grade,
            tags=[t.name for t in input.tags],
            comment=input.comment,
            accepts=input.accepts,
        )
        row = await follow_ups.record_call(
            require_actor(info),
            decode_id(input.follow_up_id, "FollowUp", "follow_up_id"),
            answer,
            info.context.now,
        )
        return FollowUpRecordSuccess(follow_up=FollowUp.from_row(row))

    @strawberry.mutation(
        description="Set a new version of a hall's evaluation rules (ADMIN); earlier ratings keep theirs."
    )
    @returns_errors
    async def evaluation_policy_set(
        self,
        info: Info,
        input: EvaluationPolicySetInput,  # noqa: A002
    ) -> EvaluationPolicySetResult:
        """Store the new version."""
        actor = require_actor(info)
        hall = await hall_in_scope(actor, decode_id(input.hall_id, "Hall", "hall_id"))
        wanted = Policy(
            bad_max_grade=input.bad_max_grade,
            rectification_days=input.rectification_days,
            rectification_yellow_days=input.rectification_yellow_days,
            unrated_action=UnratedActionValue(input.unrated_action.name),
            follow_up_after_days=input.follow_up_after_days,
            follow_up_within_days=input.follow_up_within_days,
            default_grade=input.default_grade,
            default_after_days=input.default_after_days,
        )
        saved = await policy.set_policy(actor, hall, wanted, info.context.now)
        return EvaluationPolicySetSuccess(policy=EvaluationPolicy.of(saved))
