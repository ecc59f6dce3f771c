"""The graphql-transport-ws handler of authenticated sockets: tracked until the token dies.

After the connection_init is accepted, the socket joins the view's SocketSessions; it leaves
when it closes. Ending a session stops every send at once (nothing more reaches the client),
then closes the socket with 4401 and the reason (TOKEN_EXPIRED or TOKEN_REVOKED).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
    SubscribeMessage,
)

from api.socket_sessions import CLOSE_CODE, TOKEN_EXPIRED, SocketSession
from api.trusted_documents import lift_subscribe
from schema.context import Context

if TYPE_CHECKING:
    from api.graphql_view import HallGraphQL


class SessionSocketHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """strawberry's handler, tracking its session and refusing to send once it has ended."""

    session: SocketSession | None = None
    ended = False
    _closing: asyncio.Task[None] | None = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        """Accept as strawberry does, then track the session of the accepted token."""
        await super().handle_connection_init(message)
        context = self.context
        if self.connection_acknowledged and context.user is not None and context.token_expires_at:
            view = cast("HallGraphQL", self.view)
            self.session = view.sessions.add(
                context.user.id, context.user.token_version, context.token_expires_at, self.end
            )

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        """A document sent by id runs as its registered text; an unknown id gets an error."""
        refused = lift_subscribe(message) if self.connection_acknowledged else None
        if refused is not None:
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [refused.formatted]}
            )
            return
        await super().handle_subscribe(message)

    async def send_message(self, message: Message) -> None:
        """Send, unless the session has ended (or its token has just run out)."""
        if self.may_send():
            await super().send_message(message)

    async def end(self, code: int, reason: str) -> None:
        """Stop sending, then close the socket."""
        if self.ended:
            return
        self.ended = True
        self.stop_sending()
        await self._close(code, reason)

    async def _close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self.websocket.close(code, reason)

    def stop_sending(self) -> None:
        """Nothing more leaves the socket (send_message checks `ended`; subclasses add theirs)."""

    async def shutdown(self) -> None:
        """Leave the sessions, then end the operations."""
        if self.session is not None:
            cast("HallGraphQL", self.view).sessions.remove(self.session)
            self.session = None
        await super().shutdown()

    def may_send(self) -> bool:
        """True while frames may go out; a token found expired here ends the session at once."""
        if self.ended:
            return False
        expires_at = self.context.token_expires_at
        if self.session is None or expires_at is None or datetime.now(UTC) < expires_at:
            return True
        # The expiry timer has not fired yet (a busy loop): end here, close in the background.
        self.ended = True
        self.stop_sending()
        self._closing = asyncio.get_running_loop().create_task(
            self._close(CLOSE_CODE, TOKEN_EXPIRED)
        )
        return False
