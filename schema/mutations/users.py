"""userCreate."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from models.accounts.actions import create_user
from models.accounts.rules import UserDraft
from schema.context import Info
from schema.errors import ConflictError, InputError, NotFoundError, returns_errors
from schema.permissions import require_actor
from schema.relay import decode_optional_id
from schema.types.accounts import Role, User


@strawberry.input(description="A new account.")
class UserCreateInput:
    """userCreate input."""

    username: str = strawberry.field(
        description="Login name: 3-64 lower-case letters, digits, _ . -."
    )
    display_name: str = strawberry.field(description="Real name.")
    password: str = strawberry.field(description="At least 10 characters, not the username.")
    role: Role = strawberry.field(description="The account's role.")
    hall_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The account's hall; null for city-wide (city-wide admins only)."
    )
    department_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The account's department (required for CHIEF_REP)."
    )
    mobile: str = strawberry.field(
        default="", description="11-digit mainland mobile, for staff texts."
    )


@strawberry.type(description="The account was created.")
class UserCreateSuccess:
    """userCreate success."""

    user: User = strawberry.field(description="The new account.")


UserCreateResult = Annotated[
    UserCreateSuccess | InputError | ConflictError | NotFoundError,
    strawberry.union("UserCreateResult", description="Result of userCreate."),
]


@strawberry.type
class UserMutation:
    """Accounts."""

    @strawberry.mutation(description="Create an account inside your scope (ADMIN).")
    @returns_errors
    async def user_create(self, info: Info, input: UserCreateInput) -> UserCreateResult:  # noqa: A002
        """Create an account."""
        actor = require_actor(info)
        draft = UserDraft(
            username=input.username,
            display_name=input.display_name,
            password=input.password,
            role=input.role,
            hall_id=decode_optional_id(input.hall_id, "Hall", "hall_id"),
            department_id=decode_optional_id(input.department_id, "Department", "department_id"),
            mobile=input.mobile,
        )
        user = await create_user(actor, draft, info.context.now)
        return UserCreateSuccess(user=User.from_row(user))
