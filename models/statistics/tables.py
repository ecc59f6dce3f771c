"""Per-day rollups of the published figures, one table per grain, and the changes not yet folded
into them (the source tables' triggers append those: 0008, 0017)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


def _counter() -> fields.BigIntField:
    return fields.BigIntField(db_default=0)


class Counters(Model):
    """The counters of the published figures (models/statistics/parts.py, COUNTERS)."""

    accepted = _counter()
    accepted_immediate = _counter()
    accepted_promised = _counter()
    accepted_joint = _counter()
    accepted_reported = _counter()
    completed = _counter()
    completed_on_time = _counter()
    completed_early = _counter()
    completed_overdue = _counter()
    completed_promised = _counter()
    completed_promised_early = _counter()
    yellow_cards = _counter()
    red_cards = _counter()
    ratings = _counter()
    ratings_good = _counter()
    ratings_bad = _counter()
    grade_sum = _counter()
    tickets_called = _counter()
    wait_seconds = _counter()
    tickets_finished = _counter()
    service_seconds = _counter()

    class Meta:
        abstract = True


class DayFigures(Counters):
    """The counters every grain keeps for one key and one hall-local day."""

    id = fields.BigIntField(primary_key=True)
    hall_id = fields.IntField()
    department_id = fields.IntField()
    day = fields.DateField()
    # Which of a key's rows the folding connection adds to (parts.SHARD): folders at once add
    # to different rows of a key instead of queueing for one row lock. Reads sum a key's rows.
    shard = fields.SmallIntField(db_default=0)

    class Meta:
        abstract = True


class DepartmentDay(DayFigures):
    """A department's figures for a day (also the grain of hall, day and month totals)."""

    class Meta:
        table = "stat_department_day"
        unique_together = (("hall_id", "department_id", "day", "shard"),)


class DepartmentMonth(DayFigures):
    """A department's figures for a month (`day` is its first day): year figures read 12 rows."""

    class Meta:
        table = "stat_department_month"
        unique_together = (("hall_id", "department_id", "day", "shard"),)


class WindowDay(DayFigures):
    """A window's figures for a day (0: no window)."""

    window_id = fields.IntField()

    class Meta:
        table = "stat_window_day"
        unique_together = (("hall_id", "department_id", "window_id", "day", "shard"),)


class StaffDay(DayFigures):
    """A staff member's figures for a day (cases they received, tickets they called)."""

    staff_id = fields.IntField()

    class Meta:
        table = "stat_staff_day"
        unique_together = (("hall_id", "department_id", "staff_id", "day", "shard"),)


class ItemDay(DayFigures):
    """A service item's figures for a day (0: a ticket or rating with no item)."""

    item_id = fields.IntField()

    class Meta:
        table = "stat_item_day"
        unique_together = (("hall_id", "department_id", "item_id", "day", "shard"),)


class PendingFigures(Counters):
    """Changes of the figures not yet added to the rollups, one row per key, day and writing
    statement (the source tables' triggers append them; `fold` moves them, reads add them).

    Appending never waits for another writer; adding to the rollup rows is left to one folder.
    """

    id = fields.BigIntField(primary_key=True)
    hall_id = fields.IntField()
    department_id = fields.IntField()
    window_id = fields.IntField()
    staff_id = fields.IntField()
    item_id = fields.IntField()
    day = fields.DateField()

    class Meta:
        table = "stat_pending"
        indexes = (("hall_id", "day"),)
