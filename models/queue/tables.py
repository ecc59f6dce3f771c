"""Tortoise tables of the queue: tickets, per-lane day counters, appointment slots and bookings."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.catalogue.tables import Hall, Lane, ServiceItem, Window


class TicketChannel(StrEnum):
    """Where a ticket was taken."""

    KIOSK = "KIOSK"
    PHONE = "PHONE"
    CLERK = "CLERK"
    APPOINTMENT = "APPOINTMENT"


class TicketPriority(StrEnum):
    """Calling order class: green channel first, then checked-in appointments, then normal."""

    GREEN_CHANNEL = "GREEN_CHANNEL"
    APPOINTMENT = "APPOINTMENT"
    NORMAL = "NORMAL"


class TicketStatus(StrEnum):
    """Where a ticket stands."""

    WAITING = "WAITING"
    CALLED = "CALLED"
    HELD = "HELD"
    FINISHED = "FINISHED"
    NO_SHOW = "NO_SHOW"
    EXPIRED = "EXPIRED"


class TicketOutcome(StrEnum):
    """How a finished ticket ended at the window."""

    SERVED = "SERVED"
    CONSULTED = "CONSULTED"
    REFERRED = "REFERRED"
    INCOMPLETE = "INCOMPLETE"


class AppointmentStatus(StrEnum):
    """A booking's state."""

    BOOKED = "BOOKED"
    CANCELLED = "CANCELLED"
    CHECKED_IN = "CHECKED_IN"
    NO_SHOW = "NO_SHOW"


class Ticket(Model):
    """A number taken for a lane on a business day; `rank` orders the waiting line."""

    id = fields.BigIntField(primary_key=True)
    hall: fields.ForeignKeyRelation[Hall] = fields.ForeignKeyField(
        "models.Hall", related_name="tickets", on_delete=fields.RESTRICT
    )
    hall_id: int
    lane: fields.ForeignKeyRelation[Lane] = fields.ForeignKeyField(
        "models.Lane", related_name="tickets", on_delete=fields.RESTRICT
    )
    lane_id: int
    # The lane whose counter gave the number; `lane` changes on a transfer, this does not.
    issued_lane_id = fields.IntField()
    business_day = fields.DateField()
    sequence = fields.IntField()
    number = fields.CharField(max_length=8)
    channel = fields.CharEnumField(TicketChannel, max_length=16)
    priority = fields.CharEnumField(TicketPriority, max_length=16)
    # Lower ranks are called first: priority class, boost after a hold, then issue time.
    rank = fields.IntField()
    status = fields.CharEnumField(TicketStatus, max_length=16, default=TicketStatus.WAITING)
    item: fields.ForeignKeyNullableRelation[ServiceItem] = fields.ForeignKeyField(
        "models.ServiceItem", related_name="tickets", null=True, on_delete=fields.RESTRICT
    )
    item_id: int | None
    # A transfer to one window: only that window calls it.
    target_window_id = fields.IntField(null=True)
    window: fields.ForeignKeyNullableRelation[Window] = fields.ForeignKeyField(
        "models.Window", related_name="tickets", null=True, on_delete=fields.RESTRICT
    )
    window_id: int | None
    holder_name = fields.CharField(max_length=50, default="")
    holder_phone = fields.CharField(max_length=11, default="")
    issued_by_id = fields.IntField(null=True)
    issued_at = fields.DatetimeField()
    called_at = fields.DatetimeField(null=True)
    called_by_id = fields.IntField(null=True)
    recall_count = fields.IntField(default=0)
    held_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    outcome = fields.CharEnumField(TicketOutcome, max_length=16, null=True)
    case_number = fields.CharField(max_length=40, default="")
    appointment_id = fields.BigIntField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "ticket"
        unique_together = (("issued_lane_id", "business_day", "sequence"),)
        # The waiting-line index (partial, on WAITING rows) is created in the migration.
        indexes = (("hall_id", "business_day", "status"), ("case_number",))


class LaneDay(Model):
    """A lane's counter for one business day: the last number given and how many were issued."""

    id = fields.BigIntField(primary_key=True)
    lane_id = fields.IntField()
    business_day = fields.DateField()
    last_sequence = fields.IntField(default=0)
    issued = fields.IntField(default=0)

    class Meta:
        table = "lane_day"
        unique_together = (("lane_id", "business_day"),)


class AppointmentSlot(Model):
    """A bookable stretch of time on a lane with a capacity."""

    id = fields.BigIntField(primary_key=True)
    lane: fields.ForeignKeyRelation[Lane] = fields.ForeignKeyField(
        "models.Lane", related_name="slots", on_delete=fields.RESTRICT
    )
    lane_id: int
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    capacity = fields.IntField()
    booked = fields.IntField(default=0)

    class Meta:
        table = "appointment_slot"
        unique_together = (("lane", "starts_at"),)


class Appointment(Model):
    """A booking of a slot by a phone number; on check-in it becomes a priority ticket."""

    id = fields.BigIntField(primary_key=True)
    slot: fields.ForeignKeyRelation[AppointmentSlot] = fields.ForeignKeyField(
        "models.AppointmentSlot", related_name="appointments", on_delete=fields.RESTRICT
    )
    slot_id: int
    code = fields.CharField(max_length=12, unique=True)
    phone = fields.CharField(max_length=11)
    name = fields.CharField(max_length=50)
    status = fields.CharEnumField(
        AppointmentStatus, max_length=16, default=AppointmentStatus.BOOKED
    )
    ticket_id = fields.BigIntField(null=True)
    booked_at = fields.DatetimeField()
    changed_at = fields.DatetimeField()

    class Meta:
        table = "appointment"
        indexes = (("phone", "status"),)
