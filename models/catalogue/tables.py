"""Tortoise tables of the catalogue."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class HallLevel(StrEnum):
    """Where a hall sits in the tree: CITY > COUNTY > TOWN > VILLAGE."""

    CITY = "CITY"
    COUNTY = "COUNTY"
    TOWN = "TOWN"
    VILLAGE = "VILLAGE"


class ItemKind(StrEnum):
    """即办件, 承诺件, 联办件 or 上报件."""

    IMMEDIATE = "IMMEDIATE"
    PROMISED = "PROMISED"
    JOINT = "JOINT"
    REPORTED = "REPORTED"


class DayUnit(StrEnum):
    """The unit a time limit is counted in."""

    WORKING = "WORKING"
    NATURAL = "NATURAL"


class ItemStatus(StrEnum):
    """Whether an item is published (listed) or withdrawn (delisted)."""

    LISTED = "LISTED"
    DELISTED = "DELISTED"


class WindowKind(StrEnum):
    """综合窗口 serves every lane; 专窗 serves some."""

    GENERAL = "GENERAL"
    DEDICATED = "DEDICATED"


class WindowState(StrEnum):
    """Whether a window is staffed and calling."""

    CLOSED = "CLOSED"
    OPEN = "OPEN"
    PAUSED = "PAUSED"


class Hall(Model):
    """A service centre; halls form a tree and `path` lists the ids from the root."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=100)
    level = fields.CharEnumField(HallLevel, max_length=16)
    parent: fields.ForeignKeyNullableRelation[Hall] = fields.ForeignKeyField(
        "models.Hall", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    parent_id: int | None
    path = fields.CharField(max_length=255, db_index=True)
    region = fields.CharField(max_length=12)
    timezone = fields.CharField(max_length=64, default="Asia/Shanghai")
    address = fields.CharField(max_length=255, default="")
    phone = fields.CharField(max_length=32, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "hall"


class Department(Model):
    """A government department stationed in a hall."""

    id = fields.IntField(primary_key=True)
    hall: fields.ForeignKeyRelation[Hall] = fields.ForeignKeyField(
        "models.Hall", related_name="departments", on_delete=fields.RESTRICT
    )
    hall_id: int
    code = fields.CharField(max_length=32)
    name = fields.CharField(max_length=100)
    short_name = fields.CharField(max_length=32)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "department"
        unique_together = (("hall", "code"), ("hall", "name"))


class ServiceItem(Model):
    """A published service; the columns hold the current version's elements."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    hall: fields.ForeignKeyRelation[Hall] = fields.ForeignKeyField(
        "models.Hall", related_name="service_items", on_delete=fields.RESTRICT
    )
    hall_id: int
    department: fields.ForeignKeyRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="service_items", on_delete=fields.RESTRICT
    )
    department_id: int
    name = fields.CharField(max_length=200)
    name_pinyin = fields.CharField(max_length=1000, default="")
    name_initials = fields.CharField(max_length=200, default="", db_index=True)
    kind = fields.CharEnumField(ItemKind, max_length=16)
    legal_limit = fields.IntField()
    promised_limit = fields.IntField()
    day_unit = fields.CharEnumField(DayUnit, max_length=16)
    visits_required = fields.IntField()
    citywide = fields.BooleanField(default=False)
    investment_project = fields.BooleanField(default=False)
    # A joint item's co-handling departments: [{"department_id": 3, "limit": 5}].
    joint_departments: fields.JSONField[list[dict[str, int]]] = fields.JSONField(default=list)
    legal_basis = fields.TextField(default="")
    conditions = fields.TextField(default="")
    result_name = fields.CharField(max_length=200, default="")
    consult_phone = fields.CharField(max_length=32, default="")
    materials: fields.JSONField[list[dict[str, object]]] = fields.JSONField(default=list)
    fees: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    steps: fields.JSONField[list[str]] = fields.JSONField(default=list)
    status = fields.CharEnumField(ItemStatus, max_length=16, default=ItemStatus.LISTED)
    listed_at = fields.DatetimeField()
    delisted_at = fields.DatetimeField(null=True)
    delist_reason = fields.CharField(max_length=500, default="")
    version = fields.IntField(default=1)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "service_item"


class ServiceItemVersion(Model):
    """An immutable snapshot of an item's elements; a case keeps the version it was accepted under."""

    id = fields.IntField(primary_key=True)
    item: fields.ForeignKeyRelation[ServiceItem] = fields.ForeignKeyField(
        "models.ServiceItem", related_name="versions", on_delete=fields.RESTRICT
    )
    item_id: int
    version = fields.IntField()
    elements: fields.JSONField[dict[str, object]] = fields.JSONField()
    change_note = fields.CharField(max_length=500, default="")
    changed_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "service_item_version"
        unique_together = (("item", "version"),)


class Lane(Model):
    """A queue with a letter prefix, a number range, a daily cap and the items it serves."""

    id = fields.IntField(primary_key=True)
    hall: fields.ForeignKeyRelation[Hall] = fields.ForeignKeyField(
        "models.Hall", related_name="lanes", on_delete=fields.RESTRICT
    )
    hall_id: int
    prefix = fields.CharField(max_length=1)
    name = fields.CharField(max_length=100)
    range_start = fields.IntField()
    range_end = fields.IntField()
    daily_cap = fields.IntField()
    average_service_minutes = fields.IntField(default=10)
    is_active = fields.BooleanField(default=True)
    items: fields.ManyToManyRelation[ServiceItem] = fields.ManyToManyField(
        "models.ServiceItem", related_name="lanes", through="lane_item"
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "lane"
        unique_together = (("hall", "prefix"),)


class Window(Model):
    """A counter; a general window serves every lane of its hall, a dedicated one its lanes."""

    id = fields.IntField(primary_key=True)
    hall: fields.ForeignKeyRelation[Hall] = fields.ForeignKeyField(
        "models.Hall", related_name="windows", on_delete=fields.RESTRICT
    )
    hall_id: int
    number = fields.CharField(max_length=16)
    name = fields.CharField(max_length=100)
    kind = fields.CharEnumField(WindowKind, max_length=16)
    department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="windows", null=True, on_delete=fields.RESTRICT
    )
    department_id: int | None
    lanes: fields.ManyToManyRelation[Lane] = fields.ManyToManyField(
        "models.Lane", related_name="windows", through="window_lane"
    )
    state = fields.CharEnumField(WindowState, max_length=16, default=WindowState.CLOSED)
    state_reason = fields.CharField(max_length=200, default="")
    state_changed_at = fields.DatetimeField(null=True)
    clerk_id = fields.IntField(null=True, unique=True)  # one open window per clerk
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "window"
        unique_together = (("hall", "number"),)


class WindowStateChange(Model):
    """An immutable record of a window opening, pausing or closing."""

    id = fields.IntField(primary_key=True)
    window: fields.ForeignKeyRelation[Window] = fields.ForeignKeyField(
        "models.Window", related_name="state_changes", on_delete=fields.RESTRICT
    )
    window_id: int
    from_state = fields.CharEnumField(WindowState, max_length=16)
    to_state = fields.CharEnumField(WindowState, max_length=16)
    actor_id = fields.IntField(null=True)
    reason = fields.CharField(max_length=200, default="")
    at = fields.DatetimeField()

    class Meta:
        table = "window_state_change"
