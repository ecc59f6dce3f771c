"""authLogin, authLogout and authPasswordChange."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from models.accounts.errors import InvalidCredentials
from models.accounts.login import check_not_throttled, log_in, record_failure
from models.accounts.tokens import change_password, revoke_tokens
from schema.context import Info
from schema.errors import InputError, InvalidCredentialsError, returns_errors
from schema.permissions import require_actor
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


@strawberry.type(description="Every token of the account has stopped working.")
class AuthLogoutSuccess:
    """Successful logout."""

    logged_out_at: datetime = strawberry.field(description="When the tokens were revoked.")


@strawberry.input(description="The current password and the new one.")
class AuthPasswordChangeInput:
    """authPasswordChange input."""

    current_password: str = strawberry.field(description="The password in use now.")
    new_password: str = strawberry.field(
        description="At least 10 characters, not the username, not a few repeated characters."
    )


@strawberry.type(
    description="The password was changed; older tokens stopped working, use this new one."
)
class AuthPasswordChangeSuccess:
    """Successful password change."""

    token: str = strawberry.field(description="A new bearer token.")
    expires_at: datetime = strawberry.field(description="When the new token stops working.")


AuthPasswordChangeResult = Annotated[
    AuthPasswordChangeSuccess | InvalidCredentialsError | InputError,
    strawberry.union("AuthPasswordChangeResult", description="Result of authPasswordChange."),
]


@strawberry.type
class AuthMutation:
    """Authentication."""

    @strawberry.mutation(
        description=(
            "Log in with username and password; returns a bearer token. After 10 failed logins "
            "for a username, or 50 from one address, in 15 minutes, attempts are refused with "
            "the top-level error THROTTLED (extensions.retryAfter, seconds) until the window ends."
        )
    )
    @returns_errors
    async def auth_login(self, info: Info, input: AuthLoginInput) -> AuthLoginResult:  # noqa: A002
        """Check the credentials (under the guessing limit) and sign a token."""
        context = info.context
        if context.limiter is None:
            raise RuntimeError("authLogin needs a rate limiter")
        user = await log_in(
            context.limiter,
            input.username,
            input.password,
            client=context.client_address,
            now=context.now,
        )
        assert context.tokens is not None  # noqa: S101  (the API always provides an issuer)
        token, expires_at = context.tokens.issue(user, context.now)
        return AuthLoginSuccess(token=token, expires_at=expires_at, user=User.from_row(user))

    @strawberry.mutation(
        description=(
            "Log out everywhere: every token of your account stops working at once, and your "
            "open WebSockets are closed (4401 TOKEN_REVOKED)."
        )
    )
    async def auth_logout(self, info: Info) -> AuthLogoutSuccess:
        """Revoke the caller's tokens and close their sockets."""
        actor = require_actor(info)
        version = await revoke_tokens(actor)
        if info.context.revocations is not None:
            await info.context.revocations.revoked(actor.user_id, version)
        return AuthLogoutSuccess(logged_out_at=info.context.now)

    @strawberry.mutation(
        description=(
            "Change your password. Every older token stops working (open WebSockets close); "
            "the result carries a new token. A wrong current password counts as a failed login."
        )
    )
    @returns_errors
    async def auth_password_change(
        self,
        info: Info,
        input: AuthPasswordChangeInput,  # noqa: A002
    ) -> AuthPasswordChangeResult:
        """Check the current password, set the new one, revoke older tokens, sign a new token."""
        context = info.context
        actor = require_actor(info)
        if context.limiter is None:
            raise RuntimeError("authPasswordChange needs a rate limiter")
        await check_not_throttled(context.limiter, actor.username, context.client_address)
        try:
            user = await change_password(actor, input.current_password, input.new_password)
        except InvalidCredentials:
            await record_failure(context.limiter, actor.username, context.client_address)
            raise
        if context.revocations is not None:
            await context.revocations.revoked(user.id, user.token_version)
        assert context.tokens is not None  # noqa: S101
        token, expires_at = context.tokens.issue(user, context.now)
        return AuthPasswordChangeSuccess(token=token, expires_at=expires_at)
