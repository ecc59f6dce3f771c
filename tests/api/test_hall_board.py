"""hallBoard over a real WebSocket: a ticket taken through the server reaches a screen, resume by seq."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from strawberry.relay import to_base64
from websockets.asyncio.client import ClientConnection, connect

from models.accounts.tables import Role
from tests import factories as f
from tests.api.test_service_process import PROTOCOL
from tests.conftest import Servers

BOARD = """
subscription($hall: ID!, $after: Int) {
  hallBoard(hallId: $hall, afterSeq: $after) { seq kind data }
}
"""
ISSUE = """
mutation($i: TicketIssueInput!) { ticketIssue(input: $i) { __typename ... on TicketIssueSuccess { ticket { number } } } }
"""


@pytest.fixture
async def setup(committed: Servers) -> dict[str, Any]:
    hall = await f.hall("JN")
    await f.always_open(hall)
    lane = await f.lane(hall, "A")
    await f.user("screen", Role.MONITOR, of=hall)
    return {"hall": to_base64("Hall", hall.id), "lane": to_base64("Lane", lane.id)}


async def _token(base: str) -> str:
    query = "mutation($i: AuthLoginInput!){authLogin(input:$i){... on AuthLoginSuccess{token}}}"
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{base}/graphql",
            json={
                "query": query,
                "variables": {"i": {"username": "screen", "password": f.PASSWORD}},
            },
        )
    return str(response.json()["data"]["authLogin"]["token"])


async def _board(base: str, token: str, hall: str, after: int | None) -> ClientConnection:
    ws = await connect(base.replace("http", "ws", 1) + "/graphql", subprotocols=[PROTOCOL])  # type: ignore[list-item]
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    )
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    payload = {"query": BOARD, "variables": {"hall": hall, "after": after}}
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    return ws


async def _event(ws: ClientConnection) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert message["type"] == "next", message
    return dict(message["payload"]["data"]["hallBoard"])


async def _issue(base: str, setup: dict[str, Any]) -> str:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{base}/graphql",
            json={
                "query": ISSUE,
                "variables": {"i": {"hallId": setup["hall"], "laneId": setup["lane"]}},
            },
        )
    return str(response.json()["data"]["ticketIssue"]["ticket"]["number"])


async def test_tickets_reach_the_screen_and_resume_by_seq(
    server: str, setup: dict[str, Any]
) -> None:
    token = await _token(server)
    ws = await _board(server, token, setup["hall"], after=None)
    await asyncio.sleep(0.5)  # the screen is live before the first ticket
    assert await _issue(server, setup) == "A001"
    first = await _event(ws)
    assert (first["kind"], first["data"]["number"], first["data"]["holder"]) == (
        "TICKET_ISSUED",
        "A001",
        "",
    )
    await ws.close()
    for _ in range(3):
        await _issue(server, setup)
    again = await _board(server, token, setup["hall"], after=first["seq"])
    missed = [await _event(again) for _ in range(3)]
    assert [e["data"]["number"] for e in missed] == ["A002", "A003", "A004"]
    assert [e["seq"] for e in missed] == [first["seq"] + n for n in (1, 2, 3)]
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(again.recv(), 1.5)
    await again.close()
