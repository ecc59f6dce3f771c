"""Signed login tokens (HS256 JWT) and the actor behind an Authorization header."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from models.accounts.queries import actor_for
from models.accounts.tables import User
from models.apikeys.actions import Grant, grant_for
from models.common.actor import Actor

ALGORITHM = "HS256"
ISSUER = "hall"


@dataclass(frozen=True)
class Session:
    """Who a valid token speaks for, and until when."""

    actor: Actor
    user: User
    expires_at: datetime
    api_key: Grant | None = None


@dataclass(frozen=True)
class Tokens:
    """Issues and checks bearer tokens; a token dies with its expiry or the user's token version."""

    key: str
    ttl: timedelta

    @property
    def api_key_pepper(self) -> str:
        """The secret API keys are hashed with (derived from the signing key)."""
        return hashlib.sha256(f"hall-api-keys:{self.key}".encode()).hexdigest()

    def issue(self, user: User, now: datetime) -> tuple[str, datetime]:
        """A token for the user and its expiry."""
        expires_at = now + self.ttl
        claims = {
            "sub": str(user.id),
            "ver": user.token_version,
            "iat": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "iss": ISSUER,
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(claims, self.key, algorithm=ALGORITHM), expires_at

    def decode(self, token: str) -> tuple[int, int] | None:
        """(user id, token version) of a valid token, else None."""
        claims = self._claims(token)
        return None if claims is None else (claims[0], claims[1])

    def _claims(self, token: str) -> tuple[int, int, datetime] | None:
        try:
            claims = jwt.decode(
                token,
                self.key,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["sub", "exp", "iat", "ver"]},
            )
            expires_at = datetime.fromtimestamp(int(claims["exp"]), UTC)
            return int(claims["sub"]), int(claims["ver"]), expires_at
        except (jwt.PyJWTError, ValueError, TypeError, OverflowError):
            return None

    async def actor(self, authorization: str | None) -> tuple[Actor, User] | None:
        """The actor of a `Bearer <token>` header value, if the token is valid."""
        session = await self.session(authorization)
        return None if session is None else (session.actor, session.user)

    async def session(self, authorization: str | None) -> Session | None:
        """The session of a `Bearer <token>` header value, if the token is valid."""
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        if token.strip().startswith("hk_"):
            grant = await grant_for(token.strip(), self.api_key_pepper, datetime.now(UTC))
            if grant is None:
                return None
            return Session(grant.actor, grant.user, grant.expires_at, api_key=grant)
        claims = self._claims(token.strip())
        if claims is None:
            return None
        user_id, version, expires_at = claims
        found = await actor_for(user_id, version)
        return None if found is None else Session(found[0], found[1], expires_at)
