"""Tortoise tables of the access log."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AccessLogEntry(Model):
    """One access to unmasked personal data, chained to the entry before it by hash.

    Rows are never updated or deleted (a trigger refuses both); `hash` covers every other
    column and the previous entry's hash, so a changed, removed or inserted row breaks the chain.
    """

    id = fields.IntField(primary_key=True)
    seq = fields.BigIntField(unique=True)
    at = fields.DatetimeField()
    actor_id = fields.IntField(null=True)
    actor_name = fields.CharField(max_length=64)
    actor_role = fields.CharField(max_length=16)
    hall_path = fields.CharField(max_length=255)
    subject = fields.CharField(max_length=64)
    fields_seen: fields.JSONField[list[str]] = fields.JSONField(default=list)
    purpose = fields.CharField(max_length=200)
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64, unique=True)

    class Meta:
        table = "access_log"
