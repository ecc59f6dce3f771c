"""apiKeyCreate and apiKeyRevoke (ADMIN)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay

from models.accounts.tables import User as UserRow
from models.apikeys import actions
from models.apikeys.rules import KeyDraft
from models.apikeys.tables import ApiKey as ApiKeyRow
from models.catalogue.tables import Hall
from schema.context import Info
from schema.errors import InputError, NotFoundError, returns_errors
from schema.limits.scopes import root_field_names
from schema.permissions import require_actor
from schema.relay import decode_id, decode_optional_id
from schema.types.api_keys import ApiKey


@strawberry.input(description="A new key for a third-party application's APP account.")
class ApiKeyCreateInput:
    """apiKeyCreate input."""

    user_id: relay.GlobalID = strawberry.field(description="The APP account the key speaks for.")
    name: str = strawberry.field(description="What the key is for, up to 64 characters.")
    scopes: list[str] = strawberry.field(
        description='Root fields it may call, e.g. ["queueBoard", "serviceItems"].'
    )
    hall_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Narrow the key to this hall (inside its account's scope)."
    )
    per_minute: int = strawberry.field(default=60, description="Requests per minute, 1-6000.")
    expires_at: datetime = strawberry.field(description="When it stops working (within a year).")
    trusted_documents_only: bool = strawberry.field(
        default=False,
        description=(
            "Accept only registered documents from this key (sent by `documentId`, or as their "
            "exact registered text); free text is refused with TRUSTED_DOCUMENTS_ONLY."
        ),
    )


@strawberry.type(description="The key was created. Its text is shown here once and never again.")
class ApiKeyCreateSuccess:
    """apiKeyCreate success."""

    api_key: ApiKey = strawberry.field(description="The new key's settings.")
    secret: str = strawberry.field(
        description="The key to send as `Authorization: Bearer <secret>`: store it now."
    )


ApiKeyCreateResult = Annotated[
    ApiKeyCreateSuccess | InputError | NotFoundError,
    strawberry.union("ApiKeyCreateResult", description="Result of apiKeyCreate."),
]


@strawberry.input(description="The key to revoke.")
class ApiKeyRevokeInput:
    """apiKeyRevoke input."""

    prefix: str = strawberry.field(description="The key's prefix.")


@strawberry.type(description="The key stopped working.")
class ApiKeyRevokeSuccess:
    """apiKeyRevoke success."""

    api_key: ApiKey = strawberry.field(description="The revoked key.")


ApiKeyRevokeResult = Annotated[
    ApiKeyRevokeSuccess | NotFoundError,
    strawberry.union("ApiKeyRevokeResult", description="Result of apiKeyRevoke."),
]


async def present(row: ApiKeyRow) -> ApiKey:
    """The schema view of a stored key."""
    account = await UserRow.get(id=row.user_id)
    hall = await Hall.get(id=row.hall_id) if row.hall_id is not None else None
    return ApiKey.from_row(row, account.username, hall.code if hall else None)


@strawberry.type
class ApiKeyMutation:
    """API keys."""

    @strawberry.mutation(
        description=(
            "Create an API key for an APP account in your scope (ADMIN): scopes, hall, rate and "
            "expiry. Only a keyed hash is stored; the key is returned once."
        )
    )
    @returns_errors
    async def api_key_create(self, info: Info, input: ApiKeyCreateInput) -> ApiKeyCreateResult:  # noqa: A002
        """Create a key."""
        context = info.context
        assert context.tokens is not None  # noqa: S101  (the API always provides the pepper)
        row, secret = await actions.create_key(
            require_actor(info),
            decode_id(input.user_id, "User", "user_id"),
            decode_optional_id(input.hall_id, "Hall", "hall_id"),
            KeyDraft(
                name=input.name,
                scopes=tuple(input.scopes),
                per_minute=input.per_minute,
                expires_at=input.expires_at,
                trusted_documents_only=input.trusted_documents_only,
            ),
            known_scopes=root_field_names(info.schema._schema),
            pepper=context.tokens.api_key_pepper,
            now=context.now,
        )
        return ApiKeyCreateSuccess(api_key=await present(row), secret=secret)

    @strawberry.mutation(
        description="Revoke an API key at once (ADMIN); its open WebSockets are closed."
    )
    @returns_errors
    async def api_key_revoke(self, info: Info, input: ApiKeyRevokeInput) -> ApiKeyRevokeResult:  # noqa: A002
        """Revoke a key."""
        context = info.context
        row = await actions.revoke_key(require_actor(info), input.prefix, context.now)
        if context.revocations is not None:
            # Sockets of the account close; those of its other keys reconnect with them.
            account = await UserRow.get(id=row.user_id)
            await context.revocations.revoked(account.id, account.token_version + 1)
        return ApiKeyRevokeSuccess(api_key=await present(row))
