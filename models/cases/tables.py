"""Tortoise tables of cases (办件): the case, its events, pauses, extensions and sub-tasks."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.catalogue.tables import (
    DayUnit,
    Department,
    Hall,
    ItemKind,
    ServiceItem,
    ServiceItemVersion,
)


class CaseStatus(StrEnum):
    """Where a case stands in its lifecycle (DOMAIN.md "Cases")."""

    CORRECTION_REQUESTED = "CORRECTION_REQUESTED"
    REJECTED = "REJECTED"
    ACCEPTED = "ACCEPTED"
    IN_REVIEW = "IN_REVIEW"
    SUSPENDED = "SUSPENDED"
    COMPLETED = "COMPLETED"
    DELIVERED = "DELIVERED"
    WITHDRAWN = "WITHDRAWN"
    FORWARDED = "FORWARDED"


class ApplicantKind(StrEnum):
    """A person (resident ID) or an organisation (unified social credit code)."""

    PERSON = "PERSON"
    ORGANISATION = "ORGANISATION"


class Outcome(StrEnum):
    """The decision: 准予 or 不予."""

    APPROVED = "APPROVED"
    DENIED = "DENIED"


class Timeliness(StrEnum):
    """提前, 按期 or 超期办结."""

    EARLY = "EARLY"
    ON_TIME = "ON_TIME"
    OVERDUE = "OVERDUE"


class AlertLevel(StrEnum):
    """The deadline warning a case carries now."""

    NONE = "NONE"
    YELLOW = "YELLOW"
    RED = "RED"


class DeliveryMethod(StrEnum):
    """How the result reaches the applicant."""

    WINDOW = "WINDOW"
    POST = "POST"


class EventKind(StrEnum):
    """What an immutable case event records."""

    CORRECTION_REQUESTED = "CORRECTION_REQUESTED"
    REJECTED = "REJECTED"
    ACCEPTED = "ACCEPTED"
    BACK_ENTERED = "BACK_ENTERED"
    REVIEW_STARTED = "REVIEW_STARTED"
    SUSPENDED = "SUSPENDED"
    RESUMED = "RESUMED"
    EXTENDED = "EXTENDED"
    SUBTASK_DECIDED = "SUBTASK_DECIDED"
    SUBTASK_LAPSED = "SUBTASK_LAPSED"
    COMPLETED = "COMPLETED"
    DELIVERED = "DELIVERED"
    WITHDRAWN = "WITHDRAWN"
    FORWARDED = "FORWARDED"
    NEGATIVE_REPORTED = "NEGATIVE_REPORTED"
    DEADLINE_RECOMPUTED = "DEADLINE_RECOMPUTED"
    UNMASKED = "UNMASKED"


class SubtaskStatus(StrEnum):
    """A joint case's sub-task: waiting, decided, or lapsed (超时默认: counted as agreement)."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    DENIED = "DENIED"
    LAPSED = "LAPSED"


class Case(Model):
    """One application from intake to result; deadline columns hold the current computation."""

    id = fields.BigIntField(primary_key=True)
    number = fields.CharField(max_length=40, unique=True)
    hall: fields.ForeignKeyRelation[Hall] = fields.ForeignKeyField(
        "models.Hall", related_name="received_cases", on_delete=fields.RESTRICT
    )
    hall_id: int
    department: fields.ForeignKeyRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="cases", on_delete=fields.RESTRICT
    )
    department_id: int
    item: fields.ForeignKeyRelation[ServiceItem] = fields.ForeignKeyField(
        "models.ServiceItem", related_name="cases", on_delete=fields.RESTRICT
    )
    item_id: int
    item_version: fields.ForeignKeyRelation[ServiceItemVersion] = fields.ForeignKeyField(
        "models.ServiceItemVersion", related_name="cases", on_delete=fields.RESTRICT
    )
    item_version_id: int
    kind = fields.CharEnumField(ItemKind, max_length=16)
    day_unit = fields.CharEnumField(DayUnit, max_length=16)
    limit_days = fields.IntField()
    legal_limit_days = fields.IntField()
    investment_project = fields.BooleanField(default=False)
    applicant_kind = fields.CharEnumField(ApplicantKind, max_length=16)
    applicant_name = fields.CharField(max_length=100)
    applicant_id_number = fields.CharField(max_length=18)
    applicant_phone = fields.CharField(max_length=11)
    contact_name = fields.CharField(max_length=50, default="")
    ticket_id = fields.BigIntField(null=True)
    window_id = fields.IntField(null=True)
    status = fields.CharEnumField(CaseStatus, max_length=24)
    received_at = fields.DatetimeField()
    received_by_id = fields.IntField(null=True)
    accepted_at = fields.DatetimeField(null=True)
    accepted_on = fields.DateField(null=True)
    back_entered = fields.BooleanField(default=False)
    missing_materials: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    extension_days = fields.IntField(default=0)
    suspended_since = fields.DateField(null=True)
    due_on = fields.DateField(null=True)
    due_provisional = fields.BooleanField(default=False)
    calendar_years: fields.JSONField[list[int]] = fields.JSONField(default=list)
    alert_level = fields.CharEnumField(AlertLevel, max_length=8, default=AlertLevel.NONE)
    # The day the yellow card is due (the hall's threshold before due_on); null: red only.
    yellow_on = fields.DateField(null=True)
    decided_at = fields.DatetimeField(null=True)
    decided_on = fields.DateField(null=True)
    outcome = fields.CharEnumField(Outcome, max_length=16, null=True)
    timeliness = fields.CharEnumField(Timeliness, max_length=16, null=True)
    decision_note = fields.CharField(max_length=500, default="")
    delivery_method = fields.CharEnumField(DeliveryMethod, max_length=16, null=True)
    courier = fields.CharField(max_length=50, default="")
    tracking_number = fields.CharField(max_length=50, default="")
    delivered_at = fields.DatetimeField(null=True)
    forwarded_to = fields.CharField(max_length=200, default="")
    negative_reported_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    event_count = fields.IntField(default=0)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "case"
        # Partial indexes on open cases by due date are created in the migration (raw SQL).
        indexes = (("applicant_phone",),)


class CaseEvent(Model):
    """An immutable step in a case's life: who, when, from, to, remark."""

    id = fields.BigIntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="events", on_delete=fields.RESTRICT
    )
    case_id: int
    seq = fields.IntField()
    kind = fields.CharEnumField(EventKind, max_length=32)
    from_status = fields.CharEnumField(CaseStatus, max_length=24, null=True)
    to_status = fields.CharEnumField(CaseStatus, max_length=24)
    actor_id = fields.IntField(null=True)
    actor_name = fields.CharField(max_length=64)
    at = fields.DatetimeField()
    remark = fields.CharField(max_length=500, default="")
    data: fields.JSONField[dict[str, object]] = fields.JSONField(default=dict)

    class Meta:
        table = "case_event"
        unique_together = (("case", "seq"),)


class CasePause(Model):
    """A suspension (特别程序): the clock stops from `started_on` until `ended_on`."""

    id = fields.BigIntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="pauses", on_delete=fields.RESTRICT
    )
    case_id: int
    reason = fields.CharField(max_length=500)
    started_at = fields.DatetimeField()
    started_on = fields.DateField()
    ended_at = fields.DatetimeField(null=True)
    ended_on = fields.DateField(null=True)

    class Meta:
        table = "case_pause"


class CaseSubtask(Model):
    """One department's part of a joint case (并联审批), with its own limit and due date."""

    id = fields.BigIntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="subtasks", on_delete=fields.RESTRICT
    )
    case_id: int
    department: fields.ForeignKeyRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="case_subtasks", on_delete=fields.RESTRICT
    )
    department_id: int
    limit_days = fields.IntField()
    due_on = fields.DateField(null=True)
    due_provisional = fields.BooleanField(default=False)
    status = fields.CharEnumField(SubtaskStatus, max_length=16, default=SubtaskStatus.PENDING)
    decided_at = fields.DatetimeField(null=True)
    decided_by_id = fields.IntField(null=True)
    remark = fields.CharField(max_length=500, default="")

    class Meta:
        table = "case_subtask"
        unique_together = (("case", "department"),)
        indexes = (("department_id", "status", "due_on"),)


class CaseNumberCounter(Model):
    """The last case number issued per hall and day."""

    id = fields.IntField(primary_key=True)
    hall_id = fields.IntField()
    day = fields.DateField()
    last_number = fields.IntField(default=0)

    class Meta:
        table = "case_number_counter"
        unique_together = (("hall_id", "day"),)
