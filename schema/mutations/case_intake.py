"""caseAccept, caseRequestCorrection, caseReject: taking applications in."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay

from models.cases import intake
from models.cases.rules import Applicant as ApplicantValue
from models.common.errors import InvalidInput
from schema.context import Info
from schema.errors import CaseStateError, InputError, NotFoundError, returns_errors
from schema.permissions import require_actor
from schema.relay import decode_id, decode_optional_id
from schema.types.cases import ApplicantKind, Case


@strawberry.input(description="The applicant as stated on the application form.")
class ApplicantInput:
    """An applicant."""

    kind: ApplicantKind = strawberry.field(description="PERSON or ORGANISATION.")
    name: str = strawberry.field(
        description="Full name or registered name; at most 100 characters."
    )
    id_number: str = strawberry.field(
        description="Resident ID number (18 characters, GB 11643 check digit) or unified social credit code (18, GB 32100)."
    )
    phone: str = strawberry.field(description="Mainland mobile number, 11 digits starting with 1.")
    contact_name: str = strawberry.field(default="", description="Contact person (organisations).")


@strawberry.input(description="An application handed in at a window of a hall.")
class CaseIntakeInput:
    """What the window takes in."""

    item_code: str = strawberry.field(description="The service item's implementation code.")
    hall_id: relay.GlobalID = strawberry.field(
        description="The receiving hall; another hall's item needs to be 全市通办."
    )
    applicant: ApplicantInput = strawberry.field(description="Who applies.")
    window_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The receiving window; defaults to the window you staff."
    )
    ticket_id: relay.GlobalID | None = strawberry.field(
        default=None,
        description="The queue ticket being served (called or finished), for the trace.",
    )


@strawberry.input(description="Accept a new application, or one whose missing materials came in.")
class CaseAcceptInput:
    """caseAccept input: exactly one of `intake` and `correctedCase`."""

    intake: CaseIntakeInput | None = strawberry.field(
        default=None, description="A new application."
    )
    corrected_case: str | None = strawberry.field(
        default=None, description="Number of a case waiting for correction, now complete."
    )
    accepted_at: datetime | None = strawberry.field(
        default=None,
        description="ADMIN only: back-enter (补录) an offline acceptance with its real time; never in the future; audited.",
    )
    remark: str = strawberry.field(default="", description="Remark for the case history.")


@strawberry.input(description="One entry of the correction notice.")
class MissingMaterialInput:
    """A missing material."""

    name: str = strawberry.field(description="The material; at most 100 characters.")
    requirement: str = strawberry.field(default="", description="What is required; at most 300.")


@strawberry.input(
    description="Issue the one written list of everything missing (一次性告知); no clock runs."
)
class CaseRequestCorrectionInput:
    """caseRequestCorrection input."""

    intake: CaseIntakeInput = strawberry.field(description="The incomplete application.")
    missing_materials: list[MissingMaterialInput] = strawberry.field(
        description="Everything missing, at least one entry: the applicant is told once."
    )
    remark: str = strawberry.field(default="", description="Remark for the case history.")


@strawberry.input(description="Refuse an application at intake (不予受理), with written reasons.")
class CaseRejectInput:
    """caseReject input: exactly one of `intake` and `number`."""

    intake: CaseIntakeInput | None = strawberry.field(
        default=None, description="A new application."
    )
    number: str | None = strawberry.field(
        default=None, description="A case waiting for correction."
    )
    reason: str = strawberry.field(description="The reasons; at most 500 characters.")


@strawberry.type(description="The case after the change.")
class CasePayload:
    """Success of every case mutation."""

    case: Case = strawberry.field(description="The case.")


CaseAcceptResult = Annotated[
    CasePayload | InputError | NotFoundError | CaseStateError,
    strawberry.union("CaseAcceptResult", description="Result of caseAccept."),
]
CaseRequestCorrectionResult = Annotated[
    CasePayload | InputError | NotFoundError,
    strawberry.union("CaseRequestCorrectionResult", description="Result of caseRequestCorrection."),
]
CaseRejectResult = Annotated[
    CasePayload | InputError | NotFoundError | CaseStateError,
    strawberry.union("CaseRejectResult", description="Result of caseReject."),
]


def _intake(value: CaseIntakeInput) -> intake.Intake:
    return intake.Intake(
        item_code=value.item_code,
        hall_id=decode_id(value.hall_id, "Hall", ("intake", "hall_id")),
        applicant=ApplicantValue(
            kind=value.applicant.kind,
            name=value.applicant.name,
            id_number=value.applicant.id_number,
            phone=value.applicant.phone,
            contact_name=value.applicant.contact_name,
        ),
        window_id=decode_optional_id(value.window_id, "Window", ("intake", "window_id")),
        ticket_id=decode_optional_id(value.ticket_id, "Ticket", ("intake", "ticket_id")),
    )


def _exactly_one(first: object, second: object, names: tuple[str, str]) -> None:
    if (first is None) == (second is None):
        raise InvalidInput.single(
            names[0], "EXACTLY_ONE", f"请在 {names[0]} 与 {names[1]} 中填写且仅填写一项"
        )


@strawberry.type
class CaseIntakeMutation:
    """Intake decisions."""

    @strawberry.mutation(
        description="Accept an application (受理): the clock starts and the applicant gets a text with the number and due date."
    )
    @returns_errors
    async def case_accept(self, info: Info, input: CaseAcceptInput) -> CaseAcceptResult:  # noqa: A002
        """Accept a case."""
        actor = require_actor(info)
        _exactly_one(input.intake, input.corrected_case, ("intake", "correctedCase"))
        now = info.context.now
        if input.corrected_case is not None:
            if input.accepted_at is not None:
                raise InvalidInput.single("accepted_at", "NOT_ALLOWED", "补录只适用于新收件")
            row = await intake.accept_corrected(actor, input.corrected_case, now, input.remark)
        else:
            assert input.intake is not None  # noqa: S101  (exactly one)
            row = await intake.accept(
                actor,
                _intake(input.intake),
                now,
                accepted_at=input.accepted_at,
                remark=input.remark,
            )
        return CasePayload(case=Case.from_row(row))

    @strawberry.mutation(
        description="Record an incomplete application and send the one written list of missing materials (一次性告知)."
    )
    @returns_errors
    async def case_request_correction(
        self,
        info: Info,
        input: CaseRequestCorrectionInput,  # noqa: A002
    ) -> CaseRequestCorrectionResult:
        """Request a correction."""
        actor = require_actor(info)
        missing = [
            intake.MissingMaterial(name=m.name, requirement=m.requirement)
            for m in input.missing_materials
        ]
        row = await intake.request_correction(
            actor, _intake(input.intake), missing, info.context.now, input.remark
        )
        return CasePayload(case=Case.from_row(row))

    @strawberry.mutation(
        description="Refuse an application at intake (不予受理); investment-project items are reported to the liaison."
    )
    @returns_errors
    async def case_reject(self, info: Info, input: CaseRejectInput) -> CaseRejectResult:  # noqa: A002
        """Reject at intake."""
        actor = require_actor(info)
        _exactly_one(input.intake, input.number, ("intake", "number"))
        now = info.context.now
        if input.number is not None:
            row = await intake.reject_corrected(actor, input.number, input.reason, now)
        else:
            assert input.intake is not None  # noqa: S101  (exactly one)
            row = await intake.reject_intake(actor, _intake(input.intake), input.reason, now)
        return CasePayload(case=Case.from_row(row))
