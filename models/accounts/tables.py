"""Tortoise tables of accounts."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.catalogue.tables import Department, Hall


class Role(StrEnum):
    """What a user may do; CONTRACT.md names them."""

    ADMIN = "ADMIN"
    SUPERVISOR = "SUPERVISOR"
    CHIEF_REP = "CHIEF_REP"
    CLERK = "CLERK"
    MONITOR = "MONITOR"
    APP = "APP"
    HOTLINE = "HOTLINE"


class User(Model):
    """A staff member, screen or application that logs in; hall None means city-wide."""

    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    display_name = fields.CharField(max_length=64)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(Role, max_length=16)
    hall: fields.ForeignKeyNullableRelation[Hall] = fields.ForeignKeyField(
        "models.Hall", related_name="users", null=True, on_delete=fields.RESTRICT
    )
    hall_id: int | None
    department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="users", null=True, on_delete=fields.RESTRICT
    )
    department_id: int | None
    mobile = fields.CharField(max_length=20, default="")
    is_active = fields.BooleanField(default=True)
    token_version = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "app_user"
