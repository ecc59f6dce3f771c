"""Grouped hallBoard fan-out on a real server: one execution per event, resume, slow and closed screens."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from strawberry.relay import to_base64
from websockets.asyncio.client import ClientConnection, connect

from api.board_log import RedisEventLog
from models.accounts.tables import Role
from models.queue.board import BoardEvent, BoardEventKind
from tests import factories as f
from tests.api.test_service_process import PROTOCOL
from tests.conftest import Servers

BOARD = "subscription($h: ID!, $a: Int){ hallBoard(hallId: $h, afterSeq: $a){ seq kind data } }"
ISSUE = "mutation($i: TicketIssueInput!){ticketIssue(input:$i){__typename}}"
LOGIN = "mutation($i: AuthLoginInput!){authLogin(input:$i){... on AuthLoginSuccess{token}}}"


@pytest.fixture
async def hall(committed: Servers) -> dict[str, Any]:
    hall = await f.hall("JN")
    await f.always_open(hall)
    lane = await f.lane(hall, "A")
    await f.user("screen", Role.MONITOR, of=hall)
    other = await f.hall("QD")
    await f.user("elsewhere", Role.MONITOR, of=other)
    return {"pk": hall.id, "id": to_base64("Hall", hall.id), "lane": to_base64("Lane", lane.id)}


@pytest.fixture
async def board_log(committed: Servers) -> AsyncIterator[RedisEventLog]:
    """The event log the server follows, to append events faster than the API makes them."""
    client = aioredis.Redis.from_url(committed.redis_url)
    yield RedisEventLog(client)
    await client.aclose()


async def token(base: str, username: str = "screen") -> str:
    async with httpx.AsyncClient(base_url=base) as client:
        body = {"query": LOGIN, "variables": {"i": {"username": username, "password": f.PASSWORD}}}
        response = await client.post("/graphql", json=body)
    return str(response.json()["data"]["authLogin"]["token"])


async def screen(
    base: str,
    bearer: str,
    hall_id: str,
    after: int | None = None,
    *,
    op: str = "1",
    sock: socket.socket | None = None,
) -> ClientConnection:
    """A connected screen subscribed to hallBoard."""
    url = base.replace("http", "ws", 1) + "/graphql"
    if sock is None:
        ws = await connect(url, subprotocols=[PROTOCOL], max_size=None)  # type: ignore[list-item]
    else:
        ws = await connect(url, subprotocols=[PROTOCOL], sock=sock, max_queue=1)  # type: ignore[list-item]
    init = {"type": "connection_init", "payload": {"authorization": f"Bearer {bearer}"}}
    await ws.send(json.dumps(init))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    payload = {"query": BOARD, "variables": {"h": hall_id, "a": after}}
    await ws.send(json.dumps({"id": op, "type": "subscribe", "payload": payload}))
    return ws


async def frames(ws: ClientConnection, count: int, seconds: float = 20) -> list[str]:
    """The next `count` raw text frames."""
    return [str(await asyncio.wait_for(ws.recv(), seconds)) for _ in range(count)]


def seqs(raw: list[str]) -> list[int]:
    """The seq of each `next` frame."""
    messages = [json.loads(text) for text in raw]
    assert all(m["type"] == "next" for m in messages), messages[:3]
    return [int(m["payload"]["data"]["hallBoard"]["seq"]) for m in messages]


async def metric(base: str, name: str) -> float:
    """One unlabelled sample from /metrics."""
    async with httpx.AsyncClient(base_url=base) as client:
        text = (await client.get("/metrics")).text
    match = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert match, name
    return float(match.group(1))


async def until(base: str, name: str, value: float, seconds: float = 10) -> None:
    """Wait until a metric reaches `value`."""
    deadline = time.monotonic() + seconds
    while (current := await metric(base, name)) != value:
        assert time.monotonic() < deadline, f"{name} is {current}, expected {value}"
        await asyncio.sleep(0.05)


async def issue(base: str, hall: dict[str, Any], count: int) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(count):
            ids = {"hallId": hall["id"], "laneId": hall["lane"]}
            response = await client.post("/graphql", json={"query": ISSUE, "variables": {"i": ids}})
            assert response.json()["data"]["ticketIssue"]["__typename"] == "TicketIssueSuccess"


def called(hall_pk: int, n: int, size: int = 0) -> BoardEvent:
    return BoardEvent(
        hall_pk, BoardEventKind.TICKET_CALLED, {"number": f"A{n:03d}", "pad": "x" * size}
    )


async def test_screens_share_one_execution_per_event_until_the_last_one_leaves(
    server: str, hall: dict[str, Any]
) -> None:
    bearer = await token(server)
    screens = [await screen(server, bearer, hall["id"]) for _ in range(4)]
    other_id = await screen(server, bearer, hall["id"], op="board-7")
    await until(server, "hall_board_group_members", 5)
    # The client offered permessage-deflate; screens get no compression (memory, CPU per socket).
    assert screens[0].response is not None
    assert "Sec-WebSocket-Extensions" not in screens[0].response.headers
    # The same document from a screen of another hall is refused: checked per subscriber.
    outsider = await screen(server, await token(server, "elsewhere"), hall["id"])
    refused = [json.loads(text) for text in await frames(outsider, 2)]
    assert refused[0]["payload"]["data"] is None
    assert "未找到大厅" in refused[0]["payload"]["errors"][0]["message"]
    assert refused[1]["type"] == "complete"
    await outsider.close()

    await issue(server, hall, 3)
    received = [await frames(ws, 3) for ws in screens]
    assert all(r == received[0] for r in received)  # the very same text
    first = seqs(received[0])[0]
    assert seqs(received[0]) == [first, first + 1, first + 2]
    numbers = [json.loads(t)["payload"]["data"]["hallBoard"]["data"]["number"] for t in received[0]]
    assert numbers == ["A001", "A002", "A003"]
    other = [json.loads(t) for t in await frames(other_id, 3)]
    assert [m["id"] for m in other] == ["board-7"] * 3
    assert [m["payload"] for m in other] == [json.loads(t)["payload"] for t in received[0]]
    assert await metric(server, "hall_board_group_executions_total") == 3
    assert await metric(server, "hall_board_groups") == 1

    # Closing a socket or completing the subscription leaves the group.
    for ws in screens[:3]:
        await ws.close()
    await until(server, "hall_board_group_members", 2)
    await other_id.send(json.dumps({"id": "board-7", "type": "complete"}))
    await until(server, "hall_board_group_members", 1)
    await issue(server, hall, 1)
    assert seqs(await frames(screens[3], 1)) == [first + 3]
    await screens[3].close()
    await until(server, "hall_board_group_members", 0)
    await until(server, "hall_board_groups", 0)  # the group's own subscription stopped
    await other_id.close()


async def test_resuming_screens_join_the_live_group_without_gaps_or_repeats(
    server: str, hall: dict[str, Any], board_log: RedisEventLog
) -> None:
    bearer = await token(server)
    live = await screen(server, bearer, hall["id"])
    await until(server, "hall_board_group_members", 1)
    start = await board_log.last_seq(hall["pk"])
    total = 300
    resumers: list[tuple[int, ClientConnection]] = []

    joins = {
        start + 20: start,
        start + 60: start + 40,
        start + 140: start + 120,
        start + 200: start + 180,
    }
    reached = {at: asyncio.Event() for at in joins}

    async def produce() -> None:
        for n in range(1, total + 1):
            seq = (await board_log.append([called(hall["pk"], n)]))[0]
            if seq in reached:
                reached[seq].set()
            if n % 5 == 0:
                await asyncio.sleep(0.005)

    producer = asyncio.create_task(produce())
    for at, after in joins.items():
        await reached[at].wait()
        resumers.append((after, await screen(server, bearer, hall["id"], after)))
    await producer
    live_frames = await frames(live, total)
    assert seqs(live_frames) == list(range(start + 1, start + total + 1))
    for after, ws in resumers:
        expected = list(range(after + 1, start + total + 1))
        got = await frames(ws, len(expected))
        assert seqs(got) == expected
        # Replayed (executed for this screen alone) or grouped, an event is the same text.
        assert got == live_frames[after - start :]
    for ws in [live] + [ws for _, ws in resumers]:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(ws.recv(), 0.3)
        await ws.close()
    # One execution per event for everybody; the resumers' replays ran on their own.
    assert await metric(server, "hall_board_group_executions_total") == total
    assert await metric(server, "hall_board_groups") == 0


@pytest.mark.parametrize(
    "server_env", [{"HALL_WS_SEND_QUEUE": "50", "HALL_WS_SEND_STALL_SECONDS": "1"}]
)
async def test_a_stalled_screen_is_dropped_without_holding_up_its_group(
    server: str, hall: dict[str, Any], board_log: RedisEventLog
) -> None:
    bearer = await token(server)
    readers = [await screen(server, bearer, hall["id"]) for _ in range(2)]
    tiny = socket.socket()
    tiny.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: a small window
    tiny.connect(("127.0.0.1", int(server.rsplit(":", 1)[1])))
    stalled = await screen(server, bearer, hall["id"], sock=tiny)
    await until(server, "hall_board_group_members", 3)
    reading = [asyncio.create_task(frames(ws, 300, seconds=10)) for ws in readers]
    # The stalled screen never reads: 300 events of 32 KB are far more than its buffers hold.
    started = time.monotonic()
    for n in range(300):
        await board_log.append([called(hall["pk"], n, size=32_000)])
        if n % 10 == 0:
            await asyncio.sleep(0.01)
    for got in [seqs(raw) for raw in await asyncio.gather(*reading)]:
        assert got == list(range(got[0], got[0] + 300))
    assert time.monotonic() - started < 15
    await until(server, "hall_ws_slow_drops_total", 1)
    await until(server, "hall_board_group_members", 2)
    for ws in readers:
        await ws.close()
    stalled.transport.abort()


@pytest.mark.parametrize("server_env", [{"HALL_BOARD_GROUPING": "0"}])
async def test_with_grouping_off_every_screen_runs_its_own_subscription(
    server: str, hall: dict[str, Any]
) -> None:
    bearer = await token(server)
    screens = [await screen(server, bearer, hall["id"]) for _ in range(2)]
    await asyncio.sleep(0.5)
    await issue(server, hall, 1)
    assert [len(seqs(await frames(ws, 1))) for ws in screens] == [1, 1]
    assert await metric(server, "hall_board_group_executions_total") == 0
    for ws in screens:
        await ws.close()
