"""Tortoise tables of API keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts.tables import User
    from models.catalogue.tables import Hall


class ApiKey(Model):
    """A key a third-party application calls with, speaking for one APP account.

    Only a keyed hash of the key is stored; the key itself is shown once, at creation.
    """

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="api_keys", on_delete=fields.RESTRICT
    )
    user_id: int
    name = fields.CharField(max_length=64)
    prefix = fields.CharField(max_length=16, unique=True)
    secret_hash = fields.CharField(max_length=64)
    scopes: fields.JSONField[list[str]] = fields.JSONField(default=list)
    hall: fields.ForeignKeyNullableRelation[Hall] = fields.ForeignKeyField(
        "models.Hall", related_name="api_keys", null=True, on_delete=fields.RESTRICT
    )
    hall_id: int | None
    per_minute = fields.IntField()
    # Only registered documents (by id or identical text); free text is refused.
    trusted_documents_only = fields.BooleanField(db_default=False, default=False)
    expires_at = fields.DatetimeField()
    created_by_id = fields.IntField()
    created_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key"
