"""Each registered subscription document, as the screens send it, against a real server."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from strawberry.relay import to_base64
from websockets.asyncio.client import connect

from models.accounts.tables import Role
from models.alerts.scan import scan_deadlines
from models.cases import intake
from models.cases.rules import Applicant
from models.cases.tables import ApplicantKind
from models.catalogue import actions as catalogue
from models.workorders import actions as work_orders
from models.workorders.tables import WorkOrderCategory
from tests import factories as f
from tests.api.test_case_updates import _token
from tests.api.test_service_process import PROTOCOL
from tests.conftest import Servers
from tests.operations import sent

APPLICANT = Applicant(ApplicantKind.PERSON, "张三", "11010519491231002X", "13912345678")


@pytest.fixture
def server_env() -> dict[str, str]:
    """No worker: the test raises the cards itself."""
    return {"HALL_RUN_WORKER": "0"}


@pytest.fixture
async def hall(committed: Servers) -> dict[str, Any]:
    hall = await f.hall("JN")
    await f.always_open(hall)
    dept = await f.department(hall, "SC", "市市场监管局")
    await f.item(dept, "SC-001")
    lane = await f.lane(hall, "A")
    window = await f.window(hall, "1")
    await f.user("screen", Role.MONITOR, of=hall)
    _, clerk = await f.user("clerk1", Role.CLERK, of=hall, department_id=dept.id)
    _, admin = await f.user("director", Role.ADMIN, of=hall)
    _, operator = await f.user("op1", Role.HOTLINE, of=hall)
    now = datetime.now(UTC)
    await catalogue.open_window(clerk, window.id, now)
    case = await intake.accept(
        admin,
        intake.Intake(item_code="SC-001", hall_id=hall.id, applicant=APPLICANT),
        now,
        accepted_at=now - timedelta(days=21),
        remark="补录",
    )
    await scan_deadlines(now)  # a red card: an alert event to replay
    call = work_orders.Call(
        hall_id=hall.id,
        category=WorkOrderCategory.ENQUIRY,
        caller_name="李四",
        caller_phone="13987654321",
        content="咨询营业执照办理流程",
    )
    order = await work_orders.create(operator, call, now)
    return {
        "hall": to_base64("Hall", hall.id),
        "lane": to_base64("Lane", lane.id),
        "window": to_base64("Window", window.id),
        "case": case.number,
        "order": order.number,
    }


async def _first(
    base: str, user: str, name: str, variables: dict[str, Any], count: int = 1
) -> list[dict[str, Any]]:
    """Subscribe with the registered document and return the first results' data."""
    token = await _token(base, user)
    async with connect(base.replace("http", "ws", 1) + "/graphql", subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        await ws.send(json.dumps(init))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
        payload = {"query": sent(name), "variables": variables, "operationName": name}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        messages = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(count)]
    for message in messages:
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
    field = name[0].lower() + name[1:]
    return [dict(m["payload"]["data"][field]) for m in messages]


async def test_every_registered_subscription_delivers(server: str, hall: dict[str, Any]) -> None:
    # The red card reaches the board through the server's alert listener, on its own time: wait
    # for its two events before the ticket, whose event the request appends at once.
    alerts = await _first(server, "screen", "HallBoard", {"hallId": hall["hall"], "afterSeq": 0}, 2)
    assert [e["kind"] for e in alerts] == ["ALERT_RAISED", "ALERT_ESCALATED"]
    async with httpx.AsyncClient() as client:
        issued = await client.post(
            f"{server}/graphql",
            json={
                "query": sent("TicketIssue"),
                "operationName": "TicketIssue",
                "variables": {"input": {"hallId": hall["hall"], "laneId": hall["lane"]}},
            },
        )
    assert issued.json()["data"]["ticketIssue"]["__typename"] == "TicketIssueSuccess"

    # The board replays the red card, its first rung and the ticket, in order; the window's
    # clerk gets the ticket.
    board = await _first(server, "screen", "HallBoard", {"hallId": hall["hall"], "afterSeq": 0}, 3)
    assert [e["kind"] for e in board] == ["ALERT_RAISED", "ALERT_ESCALATED", "TICKET_ISSUED"]
    assert [e["seq"] for e in board] == [1, 2, 3]
    feed = await _first(server, "clerk1", "WindowFeed", {"windowId": hall["window"], "afterSeq": 0})
    assert feed[0]["kind"] == "TICKET_ISSUED"
    case = await _first(server, "director", "CaseUpdates", {"number": hall["case"], "afterSeq": 0})
    assert (case[0]["seq"], case[0]["kind"]) == (1, "BACK_ENTERED")
    alert = await _first(
        server, "director", "DeadlineAlerts", {"hallId": hall["hall"], "afterSeq": 0}
    )
    assert alert[0]["kind"] == "RED"
    order = await _first(
        server, "op1", "WorkOrderUpdates", {"number": hall["order"], "afterSeq": 0}
    )
    assert order[0]["kind"] == "CREATED"
    tick = await _first(server, "screen", "Heartbeat", {"intervalSeconds": 1})
    assert tick[0]["seq"] == 1
