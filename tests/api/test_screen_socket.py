"""The grouped fan-out's parts in-process: strawberry internals it relies on, group keys, send queue."""

from __future__ import annotations

import asyncio
import inspect
from datetime import timedelta
from importlib.metadata import version

from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.async_base_view import AsyncBaseHTTPView
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)

from api.auth import Tokens
from api.board_groups import group_key
from api.graphql_view import HallGraphQL
from api.screen_socket import ScreenSocketHandler
from api.session_socket import SessionSocketHandler
from api.ws_outbox import Outbox
from models.accounts.tables import Role
from models.common.actor import Actor
from schema.schema import schema

BOARD = "subscription($h: ID!, $a: Int){ hallBoard(hallId: $h, afterSeq: $a){ seq kind data } }"
SCREEN = Actor(user_id=1, username="s1", role=Role.MONITOR, hall_id=1, hall_path="1.")
TOKENS = Tokens(key="k" * 40, ttl=timedelta(hours=1))


def test_the_strawberry_internals_the_handler_relies_on() -> None:
    """Pinned: a strawberry upgrade that moves these hooks fails here first."""
    assert version("strawberry-graphql").startswith("0.341."), "re-check api/screen_socket.py"
    assert "self.graphql_transport_ws_handler_class(" in inspect.getsource(AsyncBaseHTTPView.run)
    base = BaseGraphQLTransportWSHandler
    assert "asyncio.create_task(self.run_operation(operation))" in inspect.getsource(
        base.handle_subscribe
    )
    run_operation = inspect.getsource(
        base.run_operation
    )  # ScreenSocketHandler._run_grouped copies it
    for step in (
        "self.schema.stream(",
        "await self._send_result_stream(operation, result_source)",
        "except _OperationStreamClosed:",
        "await self.handle_task_exception(error)",
        "self.operations.pop(operation.id, None)",
    ):
        assert step in run_operation, step
    assert "self.handler.send_message(" in inspect.getsource(Operation.send_operation_message)
    assert "await self.shutdown()" in inspect.getsource(base.handle)
    assert "self.ws = response" in inspect.getsource(ASGIWebSocketAdapter.__init__)
    ours = list(inspect.signature(ScreenSocketHandler.__init__).parameters)
    assert ours == list(inspect.signature(base.__init__).parameters)
    assert {"id", "query", "variables", "operation_name"} <= set(Operation.__slots__)


def test_the_view_uses_the_grouping_handler_unless_turned_off() -> None:
    assert HallGraphQL(schema, TOKENS, dev=False).graphql_transport_ws_handler_class is (
        ScreenSocketHandler
    )
    stock = HallGraphQL(schema, TOKENS, dev=False, grouping=False)
    assert stock.graphql_transport_ws_handler_class is SessionSocketHandler
    assert issubclass(SessionSocketHandler, BaseGraphQLTransportWSHandler)


def test_identical_board_subscriptions_share_a_key_whatever_their_after_seq() -> None:
    key = group_key(BOARD, {"h": "SGFsbDox", "a": 5}, None, SCREEN)
    assert key is not None
    assert group_key(BOARD, {"a": None, "h": "SGFsbDox"}, None, SCREEN) == key
    assert group_key(BOARD, {"h": "SGFsbDoy", "a": 5}, None, SCREEN) != key
    supervisor = Actor(user_id=2, username="s2", role=Role.SUPERVISOR, hall_id=1, hall_path="1.")
    assert group_key(BOARD, {"h": "SGFsbDox"}, None, supervisor) != key
    other_hall = Actor(user_id=3, username="s3", role=Role.MONITOR, hall_id=2, hall_path="2.")
    assert group_key(BOARD, {"h": "SGFsbDox"}, None, other_hall) != key
    assert group_key(BOARD, {"h": "SGFsbDox"}, None, None) is None


def test_only_plain_hall_board_subscriptions_are_grouped() -> None:
    feed = "subscription($w: ID!){ windowFeed(windowId: $w){ seq kind data } }"
    case = 'subscription{ caseUpdates(number: "X"){ seq } }'
    included = (
        "subscription($h: ID!, $on: Boolean!){ hallBoard(hallId: $h) @include(if: $on) { seq } }"
    )
    two = "subscription A($h: ID!){ hallBoard(hallId: $h){ seq } } query B { __typename }"
    assert group_key(feed, {"w": "x"}, None, SCREEN) is None
    assert group_key(case, None, None, SCREEN) is None
    assert group_key(included, {"h": "x", "on": True}, None, SCREEN) is None
    assert group_key("subscription {", None, None, SCREEN) is None
    assert group_key(two, {"h": "x"}, "A", SCREEN) is not None
    assert group_key(two, {"h": "x"}, None, SCREEN) is None
    literal = 'subscription{ hallBoard(hallId: "x", afterSeq: 3){ seq } }'
    assert group_key(literal, None, None, SCREEN) is not None


async def test_an_idle_socket_is_written_at_once_and_a_waiting_send_keeps_the_order() -> None:
    sent: list[str] = []
    gate = asyncio.Event()
    gate.set()

    async def send(frame: str) -> None:
        await gate.wait()
        sent.append(frame)

    outbox = Outbox(send, lambda: None, limit=10, stall_seconds=60)
    loop = asyncio.get_running_loop()
    assert outbox.offer("f0", loop.time())
    assert sent == ["f0"]  # written inside offer(): no task switch
    gate.clear()
    assert outbox.offer("f1", loop.time())  # has to wait: the writer task finishes it
    assert outbox.offer("f2", loop.time())
    await outbox.put("own")
    assert sent == ["f0"]
    gate.set()
    await asyncio.sleep(0.01)
    assert sent == ["f0", "f1", "f2", "own"]
    assert outbox.offer("f3", loop.time())
    assert sent[-1] == "f3"
    outbox.close()


async def test_a_full_queue_drops_the_socket_instead_of_waiting() -> None:
    sent: list[str] = []
    gate = asyncio.Event()
    dropped: list[bool] = []

    async def send(frame: str) -> None:
        await gate.wait()
        sent.append(frame)

    outbox = Outbox(send, lambda: dropped.append(True), limit=3, stall_seconds=60)
    now = asyncio.get_running_loop().time()
    assert all(outbox.offer(f"f{n}", now) for n in range(4))  # f0 waits, three queued
    assert not outbox.offer("f4", now)
    assert dropped == [True]
    assert outbox.closed
    gate.set()
    await asyncio.sleep(0.01)
    assert sent == []  # the waiting send was abandoned with the socket


async def test_a_send_stuck_too_long_drops_the_socket() -> None:
    gate = asyncio.Event()

    async def send(_: str) -> None:
        await gate.wait()

    dropped: list[bool] = []
    outbox = Outbox(send, lambda: dropped.append(True), limit=100, stall_seconds=0.05)
    loop = asyncio.get_running_loop()
    assert outbox.offer("stuck", loop.time())
    assert outbox.offer("behind", loop.time())
    await asyncio.sleep(0.1)
    assert not outbox.offer("late", loop.time())
    assert dropped == [True]


async def test_the_connections_own_messages_wait_for_room() -> None:
    gate = asyncio.Event()
    sent: list[str] = []

    async def send(frame: str) -> None:
        await gate.wait()
        sent.append(frame)

    outbox = Outbox(send, lambda: None, limit=4, stall_seconds=60)
    putting = asyncio.gather(*(outbox.put(f"m{n}") for n in range(10)))
    await asyncio.sleep(0.01)
    assert not putting.done()
    gate.set()
    await asyncio.wait_for(putting, 1)
    await asyncio.sleep(0.01)
    assert sent == [f"m{n}" for n in range(10)]
    outbox.close()
