"""Notification types: texts with their delivery state, and the templates."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry

from models.notifications import tables
from models.notifications.admin import Template
from schema.enums import described_enum
from schema.types.masking import PersonalData, mask_mobile, personal

NotificationKind = tables.NotificationKind
NotificationStatus = tables.NotificationStatus
described_enum(
    tables.NotificationKind,
    name="NotificationKind",
    description="The event a text is about; each kind has its template.",
    values={
        "CASE_ACCEPTED": "Receipt: case number and due date.",
        "CORRECTION_REQUESTED": "The list of missing materials.",
        "CASE_COMPLETED": "The result is ready, and where to collect it.",
        "NEGATIVE_REPORT": "An investment-project case refused or denied (否定报备), to the liaison.",
        "TICKET_NEAR": "A queue ticket is near the front.",
        "TICKET_CALLED": "A queue ticket was called to a window.",
        "EVALUATION_INVITATION": "An invitation to rate the service (好差评).",
        "ESCALATION": "An overdue case escalated to staff (督办).",
    },
)
described_enum(
    tables.NotificationStatus,
    name="NotificationStatus",
    description="Where a text is on its way out.",
    values={
        "PENDING": "Waiting in the outbox (or for quiet hours, a per-number limit or a retry).",
        "QUEUED": "Handed to a worker.",
        "SENDING": "A worker is calling the provider.",
        "SENT": "The provider accepted it (once).",
        "DELIVERED": "The provider reported delivery to the phone.",
        "FAILED": "Given up: invalid number, a fatal provider error, or too many attempts.",
        "CANCELLED": "Withdrawn before sending.",
    },
)


@strawberry.type(description="A text to an applicant or to staff, with its delivery state.")
class Notification:
    """A notification."""

    id: strawberry.ID = strawberry.field(description="The text's id (its provider key is HN<id>).")
    kind: NotificationKind = strawberry.field(description="What it is about.")
    status: NotificationStatus = strawberry.field(description="Where it is on its way out.")
    phone: str = strawberry.field(
        description="The number, masked.", metadata=personal(PersonalData.PHONE)
    )
    urgent: bool = strawberry.field(description="Urgent texts ignore quiet hours.")
    attempts: int = strawberry.field(description="Provider calls made so far.")
    last_error: str = strawberry.field(description="Why the last attempt did not send it, if so.")
    error_class: str = strawberry.field(
        description="THROTTLED, INVALID_NUMBER, RETRYABLE or FATAL for provider errors; else empty."
    )
    next_attempt_at: datetime | None = strawberry.field(
        description="Not before this moment (quiet hours, limits, backoff)."
    )
    provider: str = strawberry.field(
        description="The provider that took it (log, aliyun, tencent)."
    )
    provider_ref: str = strawberry.field(description="The provider's id for the text.")
    created_at: datetime = strawberry.field(description="When it was written to the outbox.")
    sent_at: datetime | None = strawberry.field(description="When the provider took it.")

    @classmethod
    def from_row(cls, row: tables.Notification) -> Self:
        """From a stored notification."""
        return cls(
            id=strawberry.ID(str(row.id)),
            kind=row.kind,
            status=row.status,
            phone=mask_mobile(row.phone) if row.phone else "",
            urgent=row.urgent,
            attempts=row.attempts,
            last_error=row.last_error,
            error_class=row.error_class,
            next_attempt_at=row.next_attempt_at,
            provider=row.provider,
            provider_ref=row.provider_ref,
            created_at=row.created_at,
            sent_at=row.sent_at,
        )


@strawberry.type(description="The text in force for a kind of notification.")
class NotificationTemplate:
    """A template."""

    kind: NotificationKind = strawberry.field(description="The kind.")
    text: str = strawberry.field(description="Chinese text with {parameters}.")
    provider_template: str = strawberry.field(
        description="The provider's approved template id for this kind (empty: configured default)."
    )
    is_default: bool = strawberry.field(description="Whether this is the built-in text.")
    parameters: list[str] = strawberry.field(description="The {parameters} this kind may use.")
    updated_at: datetime | None = strawberry.field(description="When an admin last changed it.")

    @classmethod
    def of(cls, template: Template) -> Self:
        """From the model's template."""
        return cls(
            kind=template.kind,
            text=template.text,
            provider_template=template.provider_template,
            is_default=template.is_default,
            parameters=list(template.parameters),
            updated_at=template.updated_at,
        )
