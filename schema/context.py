"""The typed request context every resolver receives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from strawberry.types import Info as StrawberryInfo

from models.accounts.tables import User
from models.common.actor import Actor
from schema.loaders import Loaders


class TokenIssuer(Protocol):
    """Signs login tokens (implemented by the API layer, which holds the key)."""

    def issue(self, user: User, now: datetime) -> tuple[str, datetime]:
        """A token for the user and its expiry."""
        ...


def utc_now() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


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

    @property
    def now(self) -> datetime:
        """The time as the clock says (injected in tests)."""
        return self.clock()


Info = StrawberryInfo[Context, None]
