"""Ratings (好差评), their rectifications, appeals, follow-up calls and the hall's versioned policy."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.cases.tables import AlertLevel


class EvaluationChannel(StrEnum):
    """Where a rating came from; one rating per case (or ticket) per channel."""

    WINDOW = "WINDOW"
    SMS_LINK = "SMS_LINK"
    ONLINE = "ONLINE"
    FOLLOW_UP_CALL = "FOLLOW_UP_CALL"
    DEFAULT = "DEFAULT"


class UnratedAction(StrEnum):
    """What a hall does with completed cases left unrated."""

    FOLLOW_UP = "FOLLOW_UP"
    DEFAULT_GRADE = "DEFAULT_GRADE"


class RectificationStatus(StrEnum):
    """差评整改: pending -> in progress -> rectified -> verified (or voided by an upheld appeal)."""

    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    RECTIFIED = "RECTIFIED"
    VERIFIED = "VERIFIED"
    VOIDED = "VOIDED"


class AppealStatus(StrEnum):
    """A department's appeal against a rating, decided by an administrator."""

    PENDING = "PENDING"
    UPHELD = "UPHELD"
    REJECTED = "REJECTED"


class FollowUpKind(StrEnum):
    """Why an applicant is called back."""

    UNRATED = "UNRATED"
    RECTIFICATION = "RECTIFICATION"


class FollowUpStatus(StrEnum):
    """A call task's state."""

    OPEN = "OPEN"
    DONE = "DONE"
    UNREACHABLE = "UNREACHABLE"


class EvaluationPolicy(Model):
    """One version of a hall's evaluation rules; the highest version is in force."""

    id = fields.IntField(primary_key=True)
    hall_id = fields.IntField()
    version = fields.IntField()
    bad_max_grade = fields.SmallIntField()
    rectification_days = fields.IntField()
    rectification_yellow_days = fields.IntField()
    unrated_action = fields.CharEnumField(UnratedAction, max_length=16)
    follow_up_after_days = fields.IntField()
    follow_up_within_days = fields.IntField()
    default_grade = fields.SmallIntField()
    default_after_days = fields.IntField()
    created_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "evaluation_policy"
        unique_together = (("hall_id", "version"),)


class Evaluation(Model):
    """One rating of a served case or ticket; `counted` is false once an appeal is upheld."""

    id = fields.BigIntField(primary_key=True)
    hall_id = fields.IntField()
    department_id = fields.IntField(null=True)
    window_id = fields.IntField(null=True)
    staff_id = fields.IntField(null=True)
    item_id = fields.IntField(null=True)
    case_id = fields.BigIntField(null=True)
    ticket_id = fields.BigIntField(null=True)
    channel = fields.CharEnumField(EvaluationChannel, max_length=16)
    grade = fields.SmallIntField()
    bad = fields.BooleanField()
    tags: fields.JSONField[list[str]] = fields.JSONField(default=list)
    comment = fields.CharField(max_length=500, default="")
    # A keyed hash of the rater's phone or ID number: repeat raters are linkable, never named.
    rater_digest = fields.CharField(max_length=64, default="")
    submitted_at = fields.DatetimeField()
    rated_on = fields.DateField()
    counted = fields.BooleanField(default=True)
    policy_version = fields.IntField()

    class Meta:
        table = "evaluation"
        unique_together = (("case_id", "channel"), ("ticket_id", "channel"))
        indexes = (("hall_id", "rated_on"), ("department_id", "rated_on"))


class Rectification(Model):
    """The answer a department owes for a bad rating, against a working-day deadline."""

    id = fields.BigIntField(primary_key=True)
    evaluation_id = fields.BigIntField(unique=True)
    hall_id = fields.IntField()
    department_id = fields.IntField(null=True)
    status = fields.CharEnumField(RectificationStatus, max_length=16)
    opened_at = fields.DatetimeField()
    due_on = fields.DateField()
    yellow_on = fields.DateField()
    alert_level = fields.CharEnumField(AlertLevel, max_length=8, default=AlertLevel.NONE)
    measures = fields.CharField(max_length=1000, default="")
    rectified_at = fields.DatetimeField(null=True)
    verified_at = fields.DatetimeField(null=True)
    applicant_accepts = fields.BooleanField(null=True)
    rounds = fields.IntField(default=1)
    policy_version = fields.IntField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "rectification"
        indexes = (("hall_id", "status"), ("department_id", "status"))


class RectificationEvent(Model):
    """An append-only step of a rectification: a move, a warning, a call's answer."""

    id = fields.BigIntField(primary_key=True)
    rectification_id = fields.BigIntField()
    kind = fields.CharField(max_length=24)
    status = fields.CharEnumField(RectificationStatus, max_length=16)
    actor_id = fields.IntField(null=True)
    actor_name = fields.CharField(max_length=64)
    at = fields.DatetimeField()
    note = fields.CharField(max_length=1000, default="")

    class Meta:
        table = "rectification_event"
        indexes = (("rectification_id", "id"),)


class EvaluationAppeal(Model):
    """A department's appeal against one rating (at most one per rating)."""

    id = fields.BigIntField(primary_key=True)
    evaluation_id = fields.BigIntField(unique=True)
    hall_id = fields.IntField()
    department_id = fields.IntField(null=True)
    reason = fields.CharField(max_length=1000)
    filed_by_id = fields.IntField()
    filed_at = fields.DatetimeField()
    status = fields.CharEnumField(AppealStatus, max_length=16, default=AppealStatus.PENDING)
    decided_by_id = fields.IntField(null=True)
    decided_at = fields.DatetimeField(null=True)
    decision_note = fields.CharField(max_length=1000, default="")

    class Meta:
        table = "evaluation_appeal"
        indexes = (("hall_id", "status"),)


class FollowUp(Model):
    """A call-back task: an unrated completed case, or checking a rectification with the rater."""

    id = fields.BigIntField(primary_key=True)
    # One task per cause: "unrated:<case id>" or "rectification:<id>:<round>".
    dedupe_key = fields.CharField(max_length=64, unique=True)
    kind = fields.CharEnumField(FollowUpKind, max_length=16)
    hall_id = fields.IntField()
    department_id = fields.IntField(null=True)
    case_id = fields.BigIntField(null=True)
    rectification_id = fields.BigIntField(null=True)
    status = fields.CharEnumField(FollowUpStatus, max_length=16, default=FollowUpStatus.OPEN)
    due_on = fields.DateField()
    created_at = fields.DatetimeField()
    done_at = fields.DatetimeField(null=True)
    done_by_id = fields.IntField(null=True)
    note = fields.CharField(max_length=500, default="")

    class Meta:
        table = "follow_up"
        indexes = (("hall_id", "status", "due_on"),)
