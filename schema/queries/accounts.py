"""Queries of accounts."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from models.accounts.queries import users_visible
from models.common.pages import paginate
from schema.context import Info
from schema.permissions import require_actor
from schema.relay import DEFAULT_PAGE, Connection, decode_cursor, decode_optional_id, to_connection
from schema.types.accounts import User


@strawberry.type
class AccountsQuery:
    """Account reads."""

    @strawberry.field(description="The logged-in account; null without a valid token.")
    async def me(self, info: Info) -> User | None:
        """Who am I."""
        user = info.context.user
        return User.from_row(user) if user is not None else None

    @strawberry.field(
        description="Accounts you may list (admins and supervisors: their scope; others: themselves), by username."
    )
    async def users(
        self,
        info: Info,
        hall_id: Annotated[
            relay.GlobalID | None, strawberry.argument(description="Only this hall's.")
        ] = None,
        first: Annotated[int, strawberry.argument(description="Page size, 0-100.")] = DEFAULT_PAGE,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor to continue after.")
        ] = None,
    ) -> Connection[User]:
        """A page of accounts."""
        actor = require_actor(info)
        query = users_visible(actor, decode_optional_id(hall_id, "Hall", "hallId"))
        page = await paginate(query, ("username", "id"), first, decode_cursor(after))
        return to_connection(page, User.from_row)
