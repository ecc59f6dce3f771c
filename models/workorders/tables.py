"""Work orders of the 12345 hotline, their immutable events and the centre's deadline policy."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.cases.tables import AlertLevel


class WorkOrderCategory(StrEnum):
    """What the caller wants."""

    EMERGENCY = "EMERGENCY"
    ENQUIRY = "ENQUIRY"
    HELP = "HELP"
    COMPLAINT = "COMPLAINT"
    SUGGESTION = "SUGGESTION"


class WorkOrderSource(StrEnum):
    """Where the order came from."""

    HOTLINE = "HOTLINE"
    WEB = "WEB"
    APP = "APP"


class WorkOrderStatus(StrEnum):
    """The closed loop: received, dispatched, signed, replied, closed (or merged, or returned)."""

    RECEIVED = "RECEIVED"
    DISPATCHED = "DISPATCHED"
    SIGNED = "SIGNED"
    RETURNED = "RETURNED"
    REPLIED = "REPLIED"
    CLOSED = "CLOSED"
    MERGED = "MERGED"


class Satisfaction(StrEnum):
    """The caller's verdict on the callback (回访)."""

    SATISFIED = "SATISFIED"
    BASICALLY_SATISFIED = "BASICALLY_SATISFIED"
    UNSATISFIED = "UNSATISFIED"


class ExtensionState(StrEnum):
    """A department's request for more time, decided by the hotline centre."""

    NONE = "NONE"
    REQUESTED = "REQUESTED"


class WorkOrderPolicy(Model):
    """A hotline centre's limits per category and its chasing rules; no row means the defaults."""

    id = fields.IntField(primary_key=True)
    hall_id = fields.IntField(unique=True)
    # Category -> working days to reply (0: the same day).
    limits: fields.JSONField[dict[str, int]] = fields.JSONField(default=dict)
    yellow_days = fields.IntField()
    report_after_days = fields.IntField()
    rework_days = fields.IntField()
    max_reworks = fields.IntField()
    version = fields.IntField(default=1)
    updated_by_id = fields.IntField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "work_order_policy"


class WorkOrder(Model):
    """One citizen request; `counted` is false for a duplicate merged into another order."""

    id = fields.BigIntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    hall_id = fields.IntField()
    category = fields.CharEnumField(WorkOrderCategory, max_length=16)
    source = fields.CharEnumField(WorkOrderSource, max_length=8)
    status = fields.CharEnumField(WorkOrderStatus, max_length=16)
    caller_name = fields.CharField(max_length=50)
    caller_phone = fields.CharField(max_length=20)
    location = fields.CharField(max_length=200, default="")
    district = fields.CharField(max_length=12, default="")
    content = fields.CharField(max_length=2000)
    attachments: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    department_id = fields.IntField(null=True)
    co_department_ids: fields.JSONField[list[int]] = fields.JSONField(default=list)
    received_at = fields.DatetimeField()
    received_on = fields.DateField()
    received_by_id = fields.IntField(null=True)
    dispatched_at = fields.DatetimeField(null=True)
    dispatched_on = fields.DateField(null=True)
    signed_at = fields.DatetimeField(null=True)
    due_on = fields.DateField(null=True)
    yellow_on = fields.DateField(null=True)
    alert_level = fields.CharEnumField(AlertLevel, max_length=8, default=AlertLevel.NONE)
    urged_at = fields.DatetimeField(null=True)
    reported_at = fields.DatetimeField(null=True)
    extension_days = fields.IntField(default=0)
    extension_state = fields.CharEnumField(
        ExtensionState, max_length=16, default=ExtensionState.NONE
    )
    extension_request_days = fields.IntField(default=0)
    replied_at = fields.DatetimeField(null=True)
    replied_on = fields.DateField(null=True)
    reply = fields.CharField(max_length=2000, default="")
    on_time = fields.BooleanField(null=True)
    satisfaction = fields.CharEnumField(Satisfaction, max_length=24, null=True)
    callback_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    closed_on = fields.DateField(null=True)
    reworks = fields.IntField(default=0)
    returns = fields.IntField(default=0)
    duplicate_of_id = fields.BigIntField(null=True)
    repeat_count = fields.IntField(default=0)
    counted = fields.BooleanField(default=True)
    event_count = fields.IntField(default=0)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "work_order"
        indexes = (
            ("hall_id", "received_on"),
            ("department_id", "received_on"),
            ("caller_phone", "received_on"),
        )


class WorkOrderEvent(Model):
    """One step of an order; rows are never changed."""

    id = fields.BigIntField(primary_key=True)
    order_id = fields.BigIntField()
    seq = fields.IntField()
    kind = fields.CharField(max_length=24)
    from_status = fields.CharEnumField(WorkOrderStatus, max_length=16, null=True)
    to_status = fields.CharEnumField(WorkOrderStatus, max_length=16)
    department_id = fields.IntField(null=True)
    actor_id = fields.IntField(null=True)
    actor_name = fields.CharField(max_length=64)
    at = fields.DatetimeField()
    note = fields.CharField(max_length=2000, default="")
    data: fields.JSONField[dict[str, object]] = fields.JSONField(default=dict)

    class Meta:
        table = "work_order_event"
        unique_together = (("order_id", "seq"),)


class WorkOrderCounter(Model):
    """The last order number given per hall and day."""

    id = fields.IntField(primary_key=True)
    hall_id = fields.IntField()
    day = fields.DateField()
    last_number = fields.IntField(default=0)

    class Meta:
        table = "work_order_counter"
        unique_together = (("hall_id", "day"),)
