"""Tortoise tables of the calendar: official years per region, local closures, opening hours."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.calendar.rules import YearSource
from models.catalogue.tables import Hall

# The region code of the national calendar; a province or city may have its own years.
NATIONAL = "CN"


class CalendarYearRecord(Model):
    """One year of official data for a region, with where it came from."""

    id = fields.IntField(primary_key=True)
    region = fields.CharField(max_length=12)
    year = fields.IntField()
    source = fields.CharEnumField(YearSource, max_length=16)
    holidays: fields.JSONField[list[str]] = fields.JSONField(default=list)
    workdays: fields.JSONField[list[str]] = fields.JSONField(default=list)
    notice = fields.CharField(max_length=200, default="")
    loaded_by_id = fields.IntField(null=True)
    loaded_at = fields.DatetimeField()

    class Meta:
        table = "calendar_year"
        unique_together = (("region", "year"),)


class HallClosure(Model):
    """A day a hall is closed on top of the official calendar (local closure)."""

    id = fields.IntField(primary_key=True)
    hall: fields.ForeignKeyRelation[Hall] = fields.ForeignKeyField(
        "models.Hall", related_name="closures", on_delete=fields.RESTRICT
    )
    hall_id: int
    day = fields.DateField()
    reason = fields.CharField(max_length=200)
    created_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "hall_closure"
        unique_together = (("hall", "day"),)


class HallHours(Model):
    """A hall's opening hours: weekday and Saturday sessions, ticket cut-off."""

    id = fields.IntField(primary_key=True)
    hall: fields.OneToOneRelation[Hall] = fields.OneToOneField(
        "models.Hall", related_name="hours", on_delete=fields.RESTRICT
    )
    hall_id: int
    # {"weekday": [["09:00", "17:00"]], "saturday": [["09:00", "12:00"]]}: sessions as HH:MM.
    sessions: fields.JSONField[dict[str, list[list[str]]]] = fields.JSONField()
    ticket_cutoff_minutes = fields.IntField(default=30)
    # Unserved tickets at closing: expire (false) or move to the next business day first in line.
    carry_over = fields.BooleanField(default=False, db_default=False)
    updated_by_id = fields.IntField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "hall_hours"
