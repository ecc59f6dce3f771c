"""Case transitions after acceptance, and unmasking the applicant."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from models.cases import actions
from schema.context import Info
from schema.errors import CaseStateError, InputError, NotFoundError, StateError, returns_errors
from schema.mutations.case_intake import CasePayload
from schema.permissions import require_actor
from schema.relay import decode_id
from schema.types.cases import ApplicantDetails, Case, DeliveryMethod, Outcome

CaseChangeResult = Annotated[
    CasePayload | InputError | NotFoundError | CaseStateError,
    strawberry.union("CaseChangeResult", description="Result of a case transition."),
]


@strawberry.input(description="Start reviewing an accepted case.")
class CaseStartReviewInput:
    """caseStartReview input."""

    number: str = strawberry.field(description="The case number.")
    remark: str = strawberry.field(default="", description="Remark for the history.")


@strawberry.input(description="Stop the clock for a special procedure (听证、检验、专家评审).")
class CaseSuspendInput:
    """caseSuspend input."""

    number: str = strawberry.field(description="The case number.")
    reason: str = strawberry.field(description="Which procedure and why; at most 500 characters.")


@strawberry.input(description="Restart the clock after a suspension.")
class CaseResumeInput:
    """caseResume input."""

    number: str = strawberry.field(description="The case number.")
    remark: str = strawberry.field(default="", description="Remark for the history.")


@strawberry.input(
    description="An approved extension (延期), at most 10 working days in total (15 for joint items)."
)
class CaseExtendInput:
    """caseExtend input."""

    number: str = strawberry.field(description="The case number.")
    days: int = strawberry.field(description="Days to add, in the case's unit.")
    reason: str = strawberry.field(description="Why; at most 500 characters.")


@strawberry.input(description="A co-handling department's opinion on a joint case.")
class CaseSubtaskDecideInput:
    """caseSubtaskDecide input."""

    number: str = strawberry.field(description="The case number.")
    department_id: relay.GlobalID = strawberry.field(description="The co-handling department.")
    outcome: Outcome = strawberry.field(description="Agree or disagree.")
    remark: str = strawberry.field(default="", description="The opinion; required to disagree.")


@strawberry.input(description="Decide the case (办结).")
class CaseCompleteInput:
    """caseComplete input."""

    number: str = strawberry.field(description="The case number.")
    outcome: Outcome = strawberry.field(description="APPROVED or DENIED.")
    note: str = strawberry.field(
        default="", description="Decision remarks; the reasons are required for a denial."
    )


@strawberry.input(description="Hand the result over.")
class CaseDeliverInput:
    """caseDeliver input."""

    number: str = strawberry.field(description="The case number.")
    method: DeliveryMethod = strawberry.field(description="At the window or by post.")
    courier: str = strawberry.field(default="", description="Courier company; required by post.")
    tracking_number: str = strawberry.field(
        default="", description="Tracking number; required by post."
    )
    remark: str = strawberry.field(default="", description="Remark for the history.")


@strawberry.input(description="The applicant withdraws the application.")
class CaseWithdrawInput:
    """caseWithdraw input."""

    number: str = strawberry.field(description="The case number.")
    reason: str = strawberry.field(description="Why; at most 500 characters.")


@strawberry.input(description="Report a REPORTED item's case upward (上报).")
class CaseForwardInput:
    """caseForward input."""

    number: str = strawberry.field(description="The case number.")
    authority: str = strawberry.field(
        description="The authority that decides; at most 200 characters."
    )
    remark: str = strawberry.field(default="", description="Remark for the history.")


@strawberry.input(
    description="See the applicant's full personal data; the access is recorded with its purpose."
)
class CaseUnmaskInput:
    """caseUnmask input."""

    number: str = strawberry.field(description="The case number.")
    purpose: str = strawberry.field(
        description="Why you need it, e.g. 电话联系申请人补充说明; 2-200 characters."
    )


@strawberry.type(
    description="The applicant's full data; the access was recorded in the case history."
)
class CaseUnmaskSuccess:
    """caseUnmask success."""

    applicant: ApplicantDetails = strawberry.field(description="Unmasked applicant.")
    case: Case = strawberry.field(description="The case.")


CaseSubtaskDecideResult = Annotated[
    CasePayload | InputError | NotFoundError | CaseStateError | StateError,
    strawberry.union("CaseSubtaskDecideResult", description="Result of caseSubtaskDecide."),
]
CaseUnmaskResult = Annotated[
    CaseUnmaskSuccess | InputError | NotFoundError,
    strawberry.union("CaseUnmaskResult", description="Result of caseUnmask."),
]


@strawberry.type
class CaseMutation:
    """Case transitions."""

    @strawberry.mutation(
        description="The handling department starts its review (ACCEPTED -> IN_REVIEW)."
    )
    @returns_errors
    async def case_start_review(self, info: Info, input: CaseStartReviewInput) -> CaseChangeResult:  # noqa: A002
        """Start the review."""
        row = await actions.start_review(
            require_actor(info), input.number, info.context.now, input.remark
        )
        return CasePayload(case=Case.from_row(row))

    @strawberry.mutation(description="Suspend: the clock stops until caseResume.")
    @returns_errors
    async def case_suspend(self, info: Info, input: CaseSuspendInput) -> CaseChangeResult:  # noqa: A002
        """Suspend."""
        row = await actions.suspend(
            require_actor(info), input.number, input.reason, info.context.now
        )
        return CasePayload(case=Case.from_row(row))

    @strawberry.mutation(description="Resume: the due date moves by the days spent suspended.")
    @returns_errors
    async def case_resume(self, info: Info, input: CaseResumeInput) -> CaseChangeResult:  # noqa: A002
        """Resume."""
        row = await actions.resume(
            require_actor(info), input.number, info.context.now, input.remark
        )
        return CasePayload(case=Case.from_row(row))

    @strawberry.mutation(
        description="Extend the limit (the department's chief representative or an admin approves)."
    )
    @returns_errors
    async def case_extend(self, info: Info, input: CaseExtendInput) -> CaseChangeResult:  # noqa: A002
        """Extend."""
        row = await actions.extend(
            require_actor(info), input.number, input.days, input.reason, info.context.now
        )
        return CasePayload(case=Case.from_row(row))

    @strawberry.mutation(
        description="A co-handling department agrees or disagrees on a joint case."
    )
    @returns_errors
    async def case_subtask_decide(
        self,
        info: Info,
        input: CaseSubtaskDecideInput,  # noqa: A002
    ) -> CaseSubtaskDecideResult:
        """Decide a sub-task."""
        department_id = decode_id(input.department_id, "Department", "department_id")
        row = await actions.decide_subtask(
            require_actor(info),
            input.number,
            department_id,
            input.outcome,
            remark=input.remark,
            now=info.context.now,
        )
        return CasePayload(case=Case.from_row(row))

    @strawberry.mutation(
        description="Decide (办结): timeliness is set; a joint case needs every sub-task decided or lapsed."
    )
    @returns_errors
    async def case_complete(self, info: Info, input: CaseCompleteInput) -> CaseChangeResult:  # noqa: A002
        """Complete."""
        row = await actions.complete(
            require_actor(info), input.number, input.outcome, input.note, info.context.now
        )
        return CasePayload(case=Case.from_row(row))

    @strawberry.mutation(description="Record the hand-over of the result (COMPLETED -> DELIVERED).")
    @returns_errors
    async def case_deliver(self, info: Info, input: CaseDeliverInput) -> CaseChangeResult:  # noqa: A002
        """Deliver."""
        delivery = actions.Delivery(
            method=input.method,
            courier=input.courier,
            tracking_number=input.tracking_number,
            remark=input.remark,
        )
        row = await actions.deliver(require_actor(info), input.number, delivery, info.context.now)
        return CasePayload(case=Case.from_row(row))

    @strawberry.mutation(description="The applicant withdraws; the case closes.")
    @returns_errors
    async def case_withdraw(self, info: Info, input: CaseWithdrawInput) -> CaseChangeResult:  # noqa: A002
        """Withdraw."""
        row = await actions.withdraw(
            require_actor(info), input.number, input.reason, info.context.now
        )
        return CasePayload(case=Case.from_row(row))

    @strawberry.mutation(description="Report a REPORTED item's case to the deciding authority.")
    @returns_errors
    async def case_forward(self, info: Info, input: CaseForwardInput) -> CaseChangeResult:  # noqa: A002
        """Forward upward."""
        row = await actions.forward(
            require_actor(info), input.number, input.authority, input.remark, info.context.now
        )
        return CasePayload(case=Case.from_row(row))

    @strawberry.mutation(
        description="Reveal the applicant's full personal data (staff roles only); the access and its purpose are recorded."
    )
    @returns_errors
    async def case_unmask(self, info: Info, input: CaseUnmaskInput) -> CaseUnmaskResult:  # noqa: A002
        """Unmask."""
        row, _ = await actions.unmask(
            require_actor(info), input.number, input.purpose, info.context.now
        )
        return CaseUnmaskSuccess(applicant=ApplicantDetails.from_row(row), case=Case.from_row(row))
