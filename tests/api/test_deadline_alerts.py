"""deadlineAlerts and the hall board over a real WebSocket: a scan here, the events on the server."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from strawberry.relay import to_base64
from websockets.asyncio.client import ClientConnection, connect

from models.accounts.tables import Role
from models.alerts.scan import scan_deadlines
from models.cases import actions, intake
from models.cases.rules import Applicant
from models.cases.tables import ApplicantKind, Outcome
from tests import factories as f
from tests.api.test_case_updates import _token
from tests.api.test_service_process import PROTOCOL
from tests.conftest import Servers

ALERTS = """
subscription($hall: ID, $after: Int) {
  deadlineAlerts(hallId: $hall, afterSeq: $after) {
    seq kind level reason alert { active case { number applicant { phone } } }
  }
}
"""
BOARD = "subscription($hall: ID!) { hallBoard(hallId: $hall) { seq kind data } }"


@pytest.fixture
def server_env() -> dict[str, str]:
    """No attached worker: its cron scan (seconds 10 and 40) would race the scan these tests run."""
    return {"HALL_RUN_WORKER": "0"}


@pytest.fixture
async def desk(committed: Servers) -> dict[str, Any]:
    hall = await f.hall("JN")
    dept = await f.department(hall, "SC", "市市场监管局")
    await f.item(dept, "SC-001")
    _, admin = await f.user("director", Role.ADMIN, of=hall)
    await f.user("screen", Role.MONITOR, of=hall)
    _, chief = await f.user("rep_sc", Role.CHIEF_REP, of=hall, department_id=dept.id)
    applicant = Applicant(ApplicantKind.PERSON, "张三", "11010519491231002X", "13912345678")
    # Back-entered three weeks ago: a three-day item long overdue.
    now = datetime.now(UTC)
    case = await intake.accept(
        admin,
        intake.Intake(item_code="SC-001", hall_id=hall.id, applicant=applicant),
        now,
        accepted_at=now - timedelta(days=21),
        remark="窗口断网期间收件，补录",
    )
    return {"hall": hall, "number": case.number, "chief": chief}


async def _subscribe(
    base: str, token: str, query: str, variables: dict[str, Any]
) -> ClientConnection:
    ws = await connect(base.replace("http", "ws", 1) + "/graphql", subprotocols=[PROTOCOL])  # type: ignore[list-item]
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    )
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    payload = {"query": query, "variables": variables}
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    return ws


async def _board_alerts(base: str, token: str, hall: str) -> list[dict[str, Any]]:
    query = "query($h: ID!){ queueBoard(hallId: $h){ alerts{ level caseNumber dueOn } } }"
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{base}/graphql",
            json={"query": query, "variables": {"h": hall}},
            headers={"authorization": f"Bearer {token}"},
        )
    return list(response.json()["data"]["queueBoard"]["alerts"])


async def _next(ws: ClientConnection, field: str) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(ws.recv(), 15))
    assert message["type"] == "next", message
    return dict(message["payload"]["data"][field])


async def test_scan_reaches_alert_subscribers_and_the_board(
    server: str, desk: dict[str, Any]
) -> None:
    hall = to_base64("Hall", desk["hall"].id)
    token = await _token(server, "screen")
    alerts = await _subscribe(server, token, ALERTS, {"hall": hall})
    board = await _subscribe(server, token, BOARD, {"hall": hall})
    await asyncio.sleep(0.5)  # both subscriptions are live

    result = await scan_deadlines(datetime.now(UTC))
    assert result.raised == {"RED": 1}
    red = await _next(alerts, "deadlineAlerts")
    assert (red["kind"], red["level"], red["alert"]["active"]) == ("RED", "RED", True)
    assert red["alert"]["case"] == {"number": desk["number"], "applicant": {"phone": "139****5678"}}
    shown = await _next(board, "hallBoard")
    assert shown["kind"] == "ALERT_RAISED"
    assert (shown["data"]["caseNumber"], shown["data"]["level"]) == (desk["number"], "RED")
    assert "13912345678" not in json.dumps(shown)
    snapshot = await _board_alerts(server, token, hall)
    assert [(a["level"], a["caseNumber"]) for a in snapshot] == [("RED", desk["number"])]

    await actions.complete(desk["chief"], desk["number"], Outcome.APPROVED, "", datetime.now(UTC))
    cleared = await _next(alerts, "deadlineAlerts")
    while cleared["kind"] == "ESCALATED":  # inside opening hours the first rung comes first
        cleared = await _next(alerts, "deadlineAlerts")
    assert (cleared["kind"], cleared["reason"], cleared["alert"]["active"]) == (
        "CLEARED",
        "COMPLETED",
        False,
    )
    # A screen that reconnects with the last seq it saw gets exactly what it missed.
    await alerts.close()
    again = await _subscribe(server, token, ALERTS, {"hall": hall, "after": red["seq"]})
    replay = await _next(again, "deadlineAlerts")
    while replay["kind"] == "ESCALATED":
        replay = await _next(again, "deadlineAlerts")
    assert (replay["seq"], replay["kind"]) == (cleared["seq"], "CLEARED")
    await again.close()
    await board.close()
    assert await _board_alerts(server, token, hall) == []
