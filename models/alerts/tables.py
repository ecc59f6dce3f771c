"""Alert policies, alerts and their append-only event stream."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.cases.tables import AlertLevel


class AlertKind(StrEnum):
    """What happened to an alert (the deadlineAlerts stream)."""

    YELLOW = "YELLOW"
    RED = "RED"
    CLEARED = "CLEARED"
    ESCALATED = "ESCALATED"


class ClearReason(StrEnum):
    """Why an alert stopped being active."""

    COMPLETED = "COMPLETED"
    CLOSED = "CLOSED"
    SUSPENDED = "SUSPENDED"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    SUPERSEDED = "SUPERSEDED"


class AlertPolicy(Model):
    """A hall's warning threshold and escalation ladder; no row means the defaults."""

    id = fields.IntField(primary_key=True)
    hall_id = fields.IntField(unique=True)
    yellow_days = fields.IntField()
    # Item id (as text) -> days: items warned earlier or later than the hall's threshold.
    item_yellow_days: fields.JSONField[dict[str, int]] = fields.JSONField(default=dict)
    # The ladder: a list of rungs, each a target (EscalationTarget) and its delay in days.
    steps: fields.JSONField[list[dict[str, object]]] = fields.JSONField(default=list)
    version = fields.IntField(default=1)
    updated_by_id = fields.IntField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "alert_policy"


class CaseAlert(Model):
    """One yellow or red card of a case; active while `cleared_at` is null."""

    id = fields.BigIntField(primary_key=True)
    case_id = fields.BigIntField()
    hall_id = fields.IntField()
    department_id = fields.IntField()
    level = fields.CharEnumField(AlertLevel, max_length=8)
    due_on = fields.DateField()
    raised_at = fields.DatetimeField()
    raised_on = fields.DateField()
    cleared_at = fields.DatetimeField(null=True)
    clear_reason = fields.CharEnumField(ClearReason, max_length=16, null=True)
    # Red cards climb the ladder: steps done so far, and when the next one is due.
    escalation_step = fields.IntField(default=0)
    escalated_at = fields.DatetimeField(null=True)
    next_escalation_at = fields.DatetimeField(null=True)

    class Meta:
        table = "case_alert"
        indexes = (("department_id", "raised_on"), ("hall_id", "raised_on"), ("case_id",))


class AlertEvent(Model):
    """An alert raised, cleared or escalated; rows are never changed except `board_seq`."""

    id = fields.BigIntField(primary_key=True)
    alert_id = fields.BigIntField()
    case_id = fields.BigIntField()
    hall_id = fields.IntField()
    department_id = fields.IntField()
    kind = fields.CharEnumField(AlertKind, max_length=16)
    level = fields.CharEnumField(AlertLevel, max_length=8)
    at = fields.DatetimeField()
    data: fields.JSONField[dict[str, object]] = fields.JSONField(default=dict)
    # Set once the event is on the hall board's log (-1 while one process is publishing it).
    board_seq = fields.BigIntField(null=True)

    class Meta:
        table = "alert_event"
        indexes = (("hall_id", "id"),)
