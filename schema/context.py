"""The typed request context every resolver receives."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from strawberry.types import Info as StrawberryInfo

from models.accounts.tables import User
from models.apikeys.actions import Grant
from models.common.actor import Actor
from models.common.limits import RateLimiter
from models.queue.board import EventLog
from schema.limits.budget import CostBudget
from schema.limits.policy import DEFAULT_POLICY, QueryPolicy
from schema.loaders import Loaders
from schema.read_cache import TableChanges


class TokenIssuer(Protocol):
    """Signs login tokens (implemented by the API layer, which holds the key)."""

    @property
    def api_key_pepper(self) -> str:
        """The secret API keys are hashed with."""
        ...

    def issue(self, user: User, now: datetime) -> tuple[str, datetime]:
        """A token for the user and its expiry."""
        ...


def utc_now() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


class TokenRevocations(Protocol):
    """Ends live connections of revoked tokens (implemented by the API layer)."""

    async def revoked(self, user_id: int, token_version: int) -> None:
        """The user's tokens older than `token_version` are dead: close their sockets everywhere."""
        ...


class JobQueue(Protocol):
    """Hands work to the arq workers (implemented by the API layer)."""

    async def enqueue(self, name: str, *args: object, job_id: str) -> bool:
        """Queue a job once per id; False when a job with that id is already queued."""
        ...


class CaseFeed(Protocol):
    """Wakes case subscribers when a case gets new events (implemented by the API layer)."""

    def watch(self, case_id: int) -> AsyncIterator[None]:
        """Yield once now and then whenever the case may have new events."""
        ...


class AlertFeed(Protocol):
    """Wakes alert subscribers when alert events may have been committed (the API layer)."""

    def watch(self) -> AsyncIterator[None]:
        """Yield once now and then whenever new alert events may exist."""
        ...


@dataclass
class Context:
    """Who is asking, their loaders and the clock; one per HTTP request or WebSocket."""

    actor: Actor | None = None
    user: User | None = None
    loaders: Loaders = field(default_factory=Loaders)
    clock: Callable[[], datetime] = utc_now
    tokens: TokenIssuer | None = None
    request: Any = None
    response: Any = None
    connection_params: dict[str, Any] | None = None
    limiter: RateLimiter | None = None
    case_feed: CaseFeed | None = None
    work_order_feed: CaseFeed | None = None
    board_log: EventLog | None = None
    alert_feed: AlertFeed | None = None
    jobs: JobQueue | None = None
    policy: QueryPolicy = DEFAULT_POLICY
    budget: CostBudget | None = None
    token_expires_at: datetime | None = None
    api_key: Grant | None = None
    revocations: TokenRevocations | None = None
    read_changes: TableChanges | None = None  # what lets repeated reads be reused (read_cache)

    @property
    def client_address(self) -> str:
        """The caller's address as the server saw it (behind a proxy: the proxy's)."""
        request = self.request
        client = getattr(request, "client", None)
        return str(client.host) if client is not None else "unknown"

    @property
    def now(self) -> datetime:
        """The time as the clock says (injected in tests)."""
        return self.clock()


Info = StrawberryInfo[Context, None]
