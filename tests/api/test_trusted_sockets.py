"""A real server taking registered documents only: ids over HTTP and WebSocket, refusals."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from strawberry.relay import to_base64
from websockets.asyncio.client import connect

from api.board_snapshot import SNAPSHOT_HEADER
from api.trusted_documents import registry
from models.accounts.tables import Role
from tests import factories as f
from tests.api.test_service_process import PROTOCOL
from tests.conftest import Servers

IDS = registry().manifest()["operations"]


@pytest.fixture
def server_env() -> dict[str, str]:
    """Registered documents only, from everyone; no worker."""
    return {"HALL_TRUSTED_DOCUMENTS_ONLY": "true", "HALL_RUN_WORKER": "0"}


@pytest.fixture
async def hall(committed: Servers) -> dict[str, Any]:
    hall = await f.hall("JN")
    await f.always_open(hall)
    dept = await f.department(hall, "SC", "市市场监管局")
    await f.item(dept, "SC-001")
    lane = await f.lane(hall, "A")
    await f.user("screen", Role.MONITOR, of=hall)
    return {"hall": to_base64("Hall", hall.id), "lane": to_base64("Lane", lane.id)}


async def _post(client: httpx.AsyncClient, body: dict[str, Any], token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post("/graphql", json=body, headers=headers)


async def test_ids_work_and_free_text_is_refused_everywhere(
    server: str, hall: dict[str, Any]
) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=10) as client:
        credentials = {"i": {"username": "screen", "password": f.PASSWORD}}
        free = await _post(client, {"query": "{ __typename }"})
        assert free.json()["errors"][0]["extensions"]["code"] == "TRUSTED_DOCUMENTS_ONLY"
        login = await _post(client, {"documentId": IDS["BoardPageLogin"], "variables": credentials})
        token = login.json()["data"]["authLogin"]["token"]
        issued = await _post(
            client,
            {
                "documentId": IDS["TicketIssue"],
                "variables": {"input": {"hallId": hall["hall"], "laneId": hall["lane"]}},
            },
        )
        assert issued.json()["data"]["ticketIssue"]["__typename"] == "TicketIssueSuccess"
        board = {"documentId": IDS["BoardPageSnapshot"], "variables": {"h": hall["hall"]}}
        first, second = await _post(client, board, token), await _post(client, board, token)
        assert first.json()["data"]["queueBoard"]["seq"] == 1
        assert second.headers.get(SNAPSHOT_HEADER) == "hit"  # snapshots serve ids too
        assert second.json()["data"] == first.json()["data"]

    async with connect(server.replace("http", "ws", 1) + "/graphql", subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        await ws.send(json.dumps(init))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"

        async def subscribe(op_id: str, payload: dict[str, Any]) -> dict[str, Any]:
            await ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))
            return dict(json.loads(await asyncio.wait_for(ws.recv(), 10)))

        unknown = await subscribe("1", {"documentId": "sha256:" + "1" * 64})
        assert unknown["type"] == "error"
        assert unknown["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        text = "subscription($h: ID!){ hallBoard(hallId: $h, afterSeq: 0){ seq } }"
        refused = await subscribe("2", {"query": text, "variables": {"h": hall["hall"]}})
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "TRUSTED_DOCUMENTS_ONLY"
        events = await subscribe(
            "3",
            {"documentId": IDS["BoardPageEvents"], "variables": {"h": hall["hall"], "a": 0}},
        )
        assert events["type"] == "next", events
        assert events["payload"]["data"]["hallBoard"]["seq"] == 1
        assert events["payload"]["data"]["hallBoard"]["kind"] == "TICKET_ISSUED"
