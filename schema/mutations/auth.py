"""authLogin."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from models.accounts.actions import authenticate
from schema.context import Info
from schema.errors import InputError, InvalidCredentialsError, returns_errors
from schema.types.accounts import User


@strawberry.input(description="Credentials of a staff account.")
class AuthLoginInput:
    """authLogin input."""

    username: str = strawberry.field(description="Login name (case-insensitive).")
    password: str = strawberry.field(description="Password.")


@strawberry.type(description="A signed token to send as `Authorization: Bearer <token>`.")
class AuthLoginSuccess:
    """Successful login."""

    token: str = strawberry.field(description="The bearer token.")
    expires_at: datetime = strawberry.field(description="When the token stops working.")
    user: User = strawberry.field(description="The logged-in account.")


AuthLoginResult = Annotated[
    AuthLoginSuccess | InvalidCredentialsError | InputError,
    strawberry.union("AuthLoginResult", description="Result of authLogin."),
]


@strawberry.type
class AuthMutation:
    """Authentication."""

    @strawberry.mutation(description="Log in with username and password; returns a bearer token.")
    @returns_errors
    async def auth_login(self, info: Info, input: AuthLoginInput) -> AuthLoginResult:  # noqa: A002
        """Check the credentials and sign a token."""
        context = info.context
        user = await authenticate(input.username, input.password, context.now)
        assert context.tokens is not None  # noqa: S101  (the API always provides an issuer)
        token, expires_at = context.tokens.issue(user, context.now)
        return AuthLoginSuccess(token=token, expires_at=expires_at, user=User.from_row(user))
