"""caseUpdates over a real WebSocket: events from this process and from the server, replay by seq."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from models.cases import actions
from tests import factories as f
from tests.api.test_service_process import PROTOCOL
from tests.conftest import Servers

SUBSCRIPTION = """
subscription($number: String!, $after: Int) {
  caseUpdates(number: $number, afterSeq: $after) { seq kind toStatus caseNumber }
}
"""


@pytest.fixture
async def desk(committed: Servers) -> dict[str, Any]:
    made = await f.case_desk()
    return {"clerk": made.clerk, "number": made.case.number}


async def _token(base: str, username: str) -> str:
    query = "mutation($i: AuthLoginInput!){authLogin(input:$i){... on AuthLoginSuccess{token}}}"
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{base}/graphql",
            json={
                "query": query,
                "variables": {"i": {"username": username, "password": f.PASSWORD}},
            },
        )
    return str(response.json()["data"]["authLogin"]["token"])


async def _open(base: str, token: str, number: str, after: int | None) -> ClientConnection:
    ws = await connect(base.replace("http", "ws", 1) + "/graphql", subprotocols=[PROTOCOL])  # type: ignore[list-item]
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    )
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    payload = {"query": SUBSCRIPTION, "variables": {"number": number, "after": after}}
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    return ws


async def _next(ws: ClientConnection) -> dict[str, Any]:
    raw = await asyncio.wait_for(ws.recv(), 10)
    assert isinstance(raw, str), "graphql-transport-ws messages are text frames (browsers need it)"
    message = json.loads(raw)
    if message["type"] == "next" and message["payload"].get("data"):
        return dict(message["payload"]["data"]["caseUpdates"])
    return dict(message)


async def test_case_updates_replay_then_live(server: str, desk: dict[str, Any]) -> None:
    number = desk["number"]
    token = await _token(server, "clerk1")
    ws = await _open(server, token, number, after=0)
    first = await _next(ws)
    assert (first["seq"], first["kind"], first["caseNumber"]) == (1, "ACCEPTED", number)

    # A change committed by another process (this one) reaches the server's subscriber.
    await actions.start_review(desk["clerk"], number, f.NOW)
    assert (await _next(ws))["kind"] == "REVIEW_STARTED"

    # A change made through the server itself.
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{server}/graphql",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "query": "mutation($i: CaseSuspendInput!){caseSuspend(input:$i){__typename}}",
                "variables": {"i": {"number": number, "reason": "组织听证"}},
            },
        )
    assert response.json()["data"]["caseSuspend"]["__typename"] == "CasePayload"
    assert (await _next(ws))["kind"] == "SUSPENDED"
    await ws.close()

    # A screen that reconnects with the last seq it saw gets exactly what it missed, in order.
    await actions.resume(desk["clerk"], number, f.NOW)
    again = await _open(server, token, number, after=1)
    missed = [await _next(again) for _ in range(3)]
    assert [(e["seq"], e["kind"]) for e in missed] == [
        (2, "REVIEW_STARTED"),
        (3, "SUSPENDED"),
        (4, "RESUMED"),
    ]
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(again.recv(), 1.5)
    await again.close()


async def test_case_updates_refuse_cases_outside_the_scope(
    server: str, desk: dict[str, Any]
) -> None:
    token = await _token(server, "qdclerk")
    ws = await _open(server, token, desk["number"], after=0)
    message = await _next(ws)
    assert message["type"] == "error" or message["payload"]["errors"], message
    text = json.dumps(message, ensure_ascii=False)
    assert "张三" not in text
    assert "NOT_FOUND" in text or "未找到" in text
    await ws.close()
