"""The notification outbox: rows written in the same transaction as the change that causes them."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class NotificationKind(StrEnum):
    """The event a text is about; each kind has its template."""

    CASE_ACCEPTED = "CASE_ACCEPTED"
    CORRECTION_REQUESTED = "CORRECTION_REQUESTED"
    CASE_COMPLETED = "CASE_COMPLETED"
    NEGATIVE_REPORT = "NEGATIVE_REPORT"
    TICKET_NEAR = "TICKET_NEAR"
    TICKET_CALLED = "TICKET_CALLED"
    EVALUATION_INVITATION = "EVALUATION_INVITATION"
    ESCALATION = "ESCALATION"


class NotificationStatus(StrEnum):
    """Where a notification is on its way out."""

    PENDING = "PENDING"
    QUEUED = "QUEUED"
    SENDING = "SENDING"
    SENT = "SENT"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class Notification(Model):
    """One text to send; `dedupe_key` makes the cause idempotent (one text per event)."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharEnumField(NotificationKind, max_length=32)
    dedupe_key = fields.CharField(max_length=120, unique=True)
    phone = fields.CharField(max_length=11, default="")
    user_id = fields.IntField(null=True)
    hall_id = fields.IntField(null=True)
    case_id = fields.BigIntField(null=True)
    params: fields.JSONField[dict[str, object]] = fields.JSONField(default=dict)
    urgent = fields.BooleanField(default=False)
    status = fields.CharEnumField(
        NotificationStatus, max_length=16, default=NotificationStatus.PENDING
    )
    attempts = fields.IntField(default=0)
    last_error = fields.CharField(max_length=500, default="")
    # Not before this moment (quiet hours, per-number limits, backoff); null: at once.
    next_attempt_at = fields.DatetimeField(null=True)
    # The ledger: set, and committed, before the provider is called; a later attempt finding it
    # set asks the provider whether the text went out before sending again.
    send_started_at = fields.DatetimeField(null=True)
    # db_default: existing rows get a value when the columns are added.
    provider = fields.CharField(max_length=32, default="", db_default="")
    provider_ref = fields.CharField(max_length=64, default="", db_default="")
    error_class = fields.CharField(max_length=16, default="", db_default="")
    sent_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "notification"
        indexes = (("status", "next_attempt_at"), ("case_id",))


class NotificationTemplate(Model):
    """The Chinese text of a kind of notification, with {placeholders}; editable by admins."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(NotificationKind, max_length=32, unique=True)
    text = fields.CharField(max_length=500)
    provider_template = fields.CharField(max_length=64, default="")
    updated_by_id = fields.IntField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "notification_template"
