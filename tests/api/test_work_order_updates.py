"""workOrderUpdates over a real WebSocket: replay by seq, live moves made in another process."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from models.accounts.tables import Role
from models.workorders import actions
from models.workorders.tables import WorkOrderCategory
from tests import factories as f
from tests.api.test_case_updates import _token
from tests.api.test_service_process import PROTOCOL
from tests.conftest import Servers

SUBSCRIPTION = """
subscription($number: String!, $after: Int) {
  workOrderUpdates(number: $number, afterSeq: $after) { seq kind toStatus orderNumber }
}
"""


@pytest.fixture
def server_env() -> dict[str, str]:
    """No worker: nothing but this test moves the order."""
    return {"HALL_RUN_WORKER": "0"}


@pytest.fixture
async def centre(committed: Servers) -> dict[str, Any]:
    hall = await f.hall("JN")
    roads = await f.department(hall, "JT", "市交通运输局")
    await f.department(hall, "ZJ", "市住建局")
    _, operator = await f.user("op1", Role.HOTLINE, of=hall)
    _, chief = await f.user("jt_chief", Role.CHIEF_REP, of=hall, department_id=roads.id)
    await f.user("zj_chief", Role.CHIEF_REP, of=hall, department_id=roads.id + 1)
    call = actions.Call(
        hall_id=hall.id,
        category=WorkOrderCategory.HELP,
        caller_name="李四",
        caller_phone="13987654321",
        content="独居老人家中断水求助",
    )
    now = datetime.now(UTC)
    order = await actions.create(operator, call, now)
    await actions.dispatch(operator, order.number, roads.id, [], "", now)
    return {"number": order.number, "chief": chief}


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
    message = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert message["type"] == "next", message
    return dict(message["payload"]["data"]["workOrderUpdates"])


async def test_replay_then_live(server: str, centre: dict[str, Any]) -> None:
    number = centre["number"]
    ws = await _open(server, await _token(server, "jt_chief"), number, after=0)
    replayed = [await _next(ws), await _next(ws)]
    assert [(e["seq"], e["kind"]) for e in replayed] == [(1, "CREATED"), (2, "DISPATCHED")]
    await actions.sign(centre["chief"], number, datetime.now(UTC))
    live = await _next(ws)
    assert (live["seq"], live["kind"], live["toStatus"], live["orderNumber"]) == (
        3,
        "SIGNED",
        "SIGNED",
        number,
    )
    await ws.close()


async def test_another_department_cannot_subscribe(server: str, centre: dict[str, Any]) -> None:
    ws = await _open(server, await _token(server, "zj_chief"), centre["number"], after=0)
    message = json.loads(await asyncio.wait_for(ws.recv(), 10))
    # The refusal comes as the operation's result, with no data.
    assert message["type"] == "next", message
    assert message["payload"]["data"] is None
    assert message["payload"]["errors"][0]["message"] == f"未找到工单：{centre['number']}"
    await ws.close()
