"""API keys as administrators see them (never the key itself, except once at creation)."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry

from models.apikeys.tables import ApiKey as ApiKeyRow


@strawberry.type(description="A third-party application's key: what it may read, where, how often.")
class ApiKey:
    """An API key (its secret is never shown again)."""

    prefix: str = strawberry.field(
        description="The key's public identifier (`hk_<prefix>_...`); use it to revoke."
    )
    name: str = strawberry.field(description="What the key is for.")
    account: str = strawberry.field(description="Username of the APP account it speaks for.")
    scopes: list[str] = strawberry.field(
        description="The root fields it may call (queries, mutations, subscriptions)."
    )
    hall_code: str | None = strawberry.field(
        description="The hall it is narrowed to; null: its account's whole scope."
    )
    per_minute: int = strawberry.field(description="Requests it may make per minute.")
    expires_at: datetime = strawberry.field(description="When it stops working.")
    trusted_documents_only: bool = strawberry.field(
        description="Whether it may send registered documents only (no free text)."
    )
    created_at: datetime = strawberry.field(description="When it was created.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked, if it was.")

    @classmethod
    def from_row(cls, row: ApiKeyRow, account: str, hall_code: str | None) -> Self:
        """From a stored key."""
        return cls(
            prefix=row.prefix,
            name=row.name,
            account=account,
            scopes=list(row.scopes),
            hall_code=hall_code,
            per_minute=row.per_minute,
            expires_at=row.expires_at,
            trusted_documents_only=row.trusted_documents_only,
            created_at=row.created_at,
            revoked_at=row.revoked_at,
        )
