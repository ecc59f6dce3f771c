"""apiKeys (ADMIN)."""

from __future__ import annotations

import strawberry

from models.apikeys.actions import keys_visible
from schema.context import Info
from schema.mutations.api_keys import present
from schema.permissions import require_actor
from schema.types.api_keys import ApiKey


@strawberry.type
class ApiKeyQuery:
    """API key reads."""

    @strawberry.field(
        description="API keys of the APP accounts in your scope, newest first (ADMIN)."
    )
    async def api_keys(self, info: Info) -> list[ApiKey]:
        """The keys."""
        return [await present(row) for row in await keys_visible(require_actor(info))]
