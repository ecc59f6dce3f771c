"""Verified login sessions remembered briefly per token, forgotten at once when revoked.

Every authenticated HTTP request checked its token against the database (a JWT signature check
and a round trip: a quarter of a small request's time). A session verified less than `ttl` ago
is reused instead, under these rules:

- a revocation (logout, password change, API key revoke) forgets the account's older sessions
  at once in the revoking process and, through the revocation channel (api/socket_sessions),
  in every other process; a session read from the database before a revocation is never stored
  after it (the lowest valid version per account is remembered);
- if the revocation channel is lost, everything remembered is forgotten;
- the token's own expiry is checked on every request;
- what no revocation announces (an account disabled from the command line, a hall moved) is
  seen within `ttl`, as the sockets' periodic re-check sees it for WebSockets;
- each request gets its own `User` instance, a copy of the remembered one (never handed out).

API keys (`hk_...`) are checked on every request: they carry their own rate limit and scopes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from api.auth import Session, Tokens
from models.accounts.tables import User

TTL_SECONDS = 5.0
MAX_SESSIONS = 10_000


@dataclass(frozen=True)
class _Remembered:
    """A verified session: its account (copied for each request) and when it was read."""

    session: Session
    user: User
    token_version: int
    checked: float


class SessionCache:
    """`Tokens.session` with verified JWT sessions remembered for `ttl` seconds per token."""

    def __init__(self, tokens: Tokens, ttl: float = TTL_SECONDS) -> None:
        self.tokens = tokens
        self.ttl = ttl
        self._sessions: dict[str, _Remembered] = {}
        # The lowest token version still valid per account, as revocations announced it.
        self._valid_from: dict[int, int] = {}

    async def session(self, authorization: str | None) -> Session | None:
        """The session of a `Bearer <token>` header value, from memory when verified recently."""
        if not authorization:
            return None
        now = time.monotonic()
        remembered = self._sessions.get(authorization)
        if remembered is not None:
            known = remembered.session
            fresh = now - remembered.checked < self.ttl
            if fresh and known.expires_at > datetime.now(UTC) and self._valid(remembered):
                return Session(known.actor, _copy_of(remembered.user), known.expires_at)
            del self._sessions[authorization]
        session = await self.tokens.session(authorization)
        if session is None or session.api_key is not None:
            return session
        remembered = _Remembered(session, _copy_of(session.user), session.user.token_version, now)
        if self._valid(remembered):
            if len(self._sessions) >= MAX_SESSIONS:
                self._sessions.clear()
            self._sessions[authorization] = remembered
        return session

    def revoked(self, user_id: int, token_version: int) -> None:
        """Forget the account's sessions older than `token_version`, and never store them again."""
        if token_version > self._valid_from.get(user_id, -1):
            self._valid_from[user_id] = token_version
        stale = [
            key
            for key, remembered in self._sessions.items()
            if remembered.session.actor.user_id == user_id and not self._valid(remembered)
        ]
        for key in stale:
            del self._sessions[key]

    def forget_all(self) -> None:
        """Forget every session (the revocation channel was lost: announcements may be missed)."""
        self._sessions.clear()

    def _valid(self, remembered: _Remembered) -> bool:
        user_id = remembered.session.actor.user_id
        return remembered.token_version >= self._valid_from.get(user_id, -1)


def _copy_of(user: User) -> User:
    """A shallow copy of a user (its fields are immutable values): a tenth of building one from
    its row again."""
    copy = User.__new__(User)
    copy.__dict__.update(user.__dict__)
    return copy
