"""The graphql-transport-ws handler: a send queue per socket and grouped hallBoard subscriptions.

Plugged into the view as `graphql_transport_ws_handler_class`. It relies on internals of
strawberry 0.341 (pinned in pyproject.toml, checked by tests/api/test_screen_socket.py):
`run_operation(operation)` is the top of each operation's own task (a grouped hallBoard runs a
copy of it built on `_send_result_stream` and `_OperationStreamClosed`), `send_message` is the
one way messages leave, `shutdown` ends the operations, and the ASGI adapter keeps the starlette
WebSocket as `.ws`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

import structlog
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message

from api.board_groups import (
    BoardGroup,
    BoardGroups,
    GroupKey,
    Member,
    SeqTap,
    StreamStarter,
    group_key,
)
from api.board_log import RedisEventLog
from api.metrics import WS_SLOW_DROPS
from api.session_socket import SessionSocketHandler
from api.ws_outbox import Outbox
from models.queue.board import BoardEvent, LoggedEvent
from schema.context import Context
from schema.loaders import Loaders

if TYPE_CHECKING:
    from datetime import timedelta

    from strawberry.http.async_base_view import AsyncBaseHTTPView, AsyncWebSocketAdapter
    from strawberry.schema import BaseSchema

    from api.graphql_view import HallGraphQL

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class SocketLimits:
    """When a socket counts as too slow: frames queued, or seconds stuck in one send."""

    send_queue: int = 100
    stall_seconds: float = 10.0


@dataclass
class GroupedOperation:
    """A running hallBoard subscription that may be served by its group once it has caught up."""

    key: GroupKey
    operation: Operation[Context, None]
    group: BoardGroup | None = None
    member: Member | None = None

    def leave(self) -> None:
        """Leave the group, if joined."""
        if self.group is not None and self.member is not None:
            self.group.leave(self.member)


# The grouped subscription of the current operation task (unset outside hallBoard).
CURRENT: ContextVar[GroupedOperation | None] = ContextVar("board_group", default=None)


class ScreenSocketHandler(SessionSocketHandler):
    """strawberry's graphql-transport-ws handler with a bounded send queue and grouped boards."""

    def __init__(  # noqa: PLR0917  (strawberry's signature)
        self,
        view: AsyncBaseHTTPView[Any, Any, Any, Any, Any, Context, None],
        websocket: AsyncWebSocketAdapter,
        context: Context,
        root_value: None,
        schema: BaseSchema,
        connection_init_wait_timeout: timedelta,
        max_subscriptions_per_connection: int | None = None,
    ) -> None:
        super().__init__(
            view,
            websocket,
            context,
            root_value,
            schema,
            connection_init_wait_timeout,
            max_subscriptions_per_connection,
        )
        hall_view = cast("HallGraphQL", view)
        limits = hall_view.socket_limits
        self.outbox = Outbox(
            cast("ASGIWebSocketAdapter", websocket).ws.send_text,
            self._drop_slow,
            limit=limits.send_queue,
            stall_seconds=limits.stall_seconds,
        )
        self._task: asyncio.Task[Any] | None = None
        self._dropping: asyncio.Task[None] | None = None
        if isinstance(context.board_log, RedisEventLog):
            context.board_log = MemberBoardLog(context.board_log, hall_view.board_groups, self)

    async def handle(self) -> None:
        """Serve the connection; a socket dropped as too slow ends here without an error."""
        self._task = asyncio.current_task()
        try:
            await super().handle()
        except asyncio.CancelledError:
            if self._dropping is None or self._task is None or self._task.uncancel() > 0:
                raise

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """Run one operation in its task; a groupable hallBoard is handed to its group."""
        key = group_key(
            operation.query, operation.variables, operation.operation_name, self.context.actor
        )
        if key is None:
            await super().run_operation(operation)
            return
        grouped = GroupedOperation(key, operation)
        CURRENT.set(grouped)
        try:
            await self._run_grouped(grouped)
        finally:
            grouped.leave()

    async def _run_grouped(self, grouped: GroupedOperation) -> None:
        """strawberry's run_operation, staying subscribed while the group serves the operation."""
        # The operation's own stream ends when it joins its group (MemberBoardLog.follow).
        operation = grouped.operation
        try:
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=self.context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with contextlib.aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            if grouped.member is not None:
                await grouped.member.done
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except _OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with contextlib.suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise

    async def send_message(self, message: Message) -> None:
        """Every message leaves through the socket's queue, in order (none once the session ends)."""
        if not self.may_send():
            return
        encoded = self.view.encode_json(message)
        await self.outbox.put(encoded if isinstance(encoded, str) else encoded.decode())

    def stop_sending(self) -> None:
        """Close the send queue: group frames are refused from now on."""
        self.outbox.close()

    async def shutdown(self) -> None:
        """End the operations (leaving their groups), then the writer."""
        await super().shutdown()
        self.outbox.close()

    def _drop_slow(self) -> None:
        if self._dropping is not None:
            return
        WS_SLOW_DROPS.inc()
        log.warning("dropping a WebSocket that does not keep up")
        self._dropping = asyncio.get_running_loop().create_task(self._close_slow())

    async def _close_slow(self) -> None:
        """Close with 1013 (try again later); a socket too stuck even for that is cut off."""
        with contextlib.suppress(Exception):
            async with asyncio.timeout(1):
                await self.websocket.close(1013, "too slow")
                return
        if self._task is not None and not self._task.done():
            self._task.cancel()


class MemberBoardLog:
    """The event log as one connection sees it: a grouped hallBoard replays, then joins its group."""

    def __init__(
        self, log: RedisEventLog, groups: BoardGroups, handler: ScreenSocketHandler
    ) -> None:
        self.log = log
        self.groups = groups
        self.handler = handler

    async def append(self, events: list[BoardEvent]) -> list[int]:
        """Append in order (delegated)."""
        return await self.log.append(events)

    async def last_seq(self, hall_id: int) -> int:
        """The hall's latest seq (delegated)."""
        return await self.log.last_seq(hall_id)

    async def follow(self, hall_id: int, after_seq: int | None) -> AsyncIterator[LoggedEvent]:
        """Missed events on this subscription's own; ends once its group takes over (no gap, no repeat)."""
        grouped = CURRENT.get()
        if grouped is None:
            async for event in self.log.follow(hall_id, after_seq):
                yield event
            return
        last = await self.log.last_seq(hall_id) if after_seq is None else after_seq
        replay = after_seq is not None
        while True:
            if replay:
                for event in await self.log.since(hall_id, last):
                    last = event.seq
                    yield event
            group = self.groups.get(grouped.key)
            if group is None:
                group = self.groups.start(
                    grouped.key, SeqTap(self.log, last), self._starter(grouped)
                )
            if group.position <= last:
                break
            replay = True  # the group is past us: catch up on our own first
        # Joined: the subscription's own stream ends here and the group serves it from now on.
        grouped.group = group
        grouped.member = group.join(self.handler.outbox, grouped.operation.id, last)

    def _starter(self, grouped: GroupedOperation) -> StreamStarter:
        """How the group runs the subscription: strawberry's stream, with this member's context."""
        operation = grouped.operation
        context = self.handler.context

        async def start(tap: SeqTap) -> AsyncGenerator[Any, None]:
            return await self.handler.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=replace(context, board_log=tap, loaders=Loaders()),
                root_value=None,
                operation_name=operation.operation_name,
            )

        return start
