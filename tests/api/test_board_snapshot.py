"""queueBoard snapshots over HTTP: reused per role and scope, rebuilt when the hall's log moves."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from strawberry.relay import to_base64

from api.board_snapshot import SNAPSHOT_HEADER, board_document
from models.accounts.tables import Role
from models.catalogue.tables import Lane
from tests import factories as f
from tests.conftest import Servers

BOARD = "query($hall: ID!){queueBoard(hallId: $hall){seq lanes{lane{prefix name} waiting}}}"
ISSUE = "mutation($i: TicketIssueInput!){ticketIssue(input: $i){__typename}}"
LOGIN = "mutation($i: AuthLoginInput!){authLogin(input:$i){... on AuthLoginSuccess{token}}}"


@pytest.mark.parametrize(
    ("query", "variable", "literal"),
    [
        ("query($h: ID!){queueBoard(hallId: $h){seq}}", "h", None),
        (
            '{b: queueBoard(hallId: "SGFsbDox"){seq ...F}} fragment F on QueueBoard{seq}',
            None,
            "SGFsbDox",
        ),
    ],
)
def test_board_only_documents_are_recognised(
    query: str, variable: str | None, literal: str | None
) -> None:
    found = board_document(query)
    assert found is not None
    assert (found.variable, found.literal) == (variable, literal)


@pytest.mark.parametrize(
    "query",
    [
        "query($h: ID!){queueBoard(hallId: $h){seq} me{id}}",
        "query($h: ID!){queueBoard(hallId: $h) @include(if: true){seq}}",
        "query($h: ID!){...F} fragment F on Query{queueBoard(hallId: $h){seq}}",
        "mutation{authLogin(input: {}){__typename}}",
        "query($h: ID!){queueBoard(hallId: $h){seq}} query B{me{id}}",
        "{queueBoard(",
    ],
)
def test_other_documents_take_the_normal_path(query: str) -> None:
    assert board_document(query) is None


@pytest.fixture
async def halls(committed: Servers) -> dict[str, Any]:
    hall = await f.hall("JN")
    await f.always_open(hall)
    lane = await f.lane(hall, "A")
    other = await f.hall("QD")
    await f.user("screen", Role.MONITOR, of=hall)
    await f.user("admin", Role.ADMIN, of=hall)
    await f.user("elsewhere", Role.MONITOR, of=other)
    return {
        "hall": to_base64("Hall", hall.id),
        "lane": to_base64("Lane", lane.id),
        "lane_pk": lane.id,
    }


async def _post(
    client: httpx.AsyncClient, query: str, variables: Any, token: str = ""
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


async def _login(client: httpx.AsyncClient, username: str) -> str:
    response = await _post(client, LOGIN, {"i": {"username": username, "password": f.PASSWORD}})
    return str(response.json()["data"]["authLogin"]["token"])


async def test_snapshots_are_reused_per_role_and_rebuilt_on_events(
    server: str, halls: dict[str, Any]
) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=30) as client:
        screen, admin, elsewhere = [
            await _login(client, name) for name in ("screen", "admin", "elsewhere")
        ]
        variables = {"hall": halls["hall"]}

        first = await _post(client, BOARD, variables, screen)
        again = await _post(client, BOARD, variables, screen)
        assert SNAPSHOT_HEADER not in first.headers
        assert again.headers[SNAPSHOT_HEADER] == "hit"
        assert again.json()["data"] == first.json()["data"]
        assert again.json()["extensions"]["cost"]["requested"] >= 1

        # Another role has a snapshot of its own; a screen of another hall is refused as usual.
        assert SNAPSHOT_HEADER not in (await _post(client, BOARD, variables, admin)).headers
        refused = await _post(client, BOARD, variables, elsewhere)
        assert SNAPSHOT_HEADER not in refused.headers
        assert refused.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert SNAPSHOT_HEADER not in (await _post(client, BOARD, variables)).headers

        # A change that writes no board event is served stale (bounded by MAX_AGE) ...
        await Lane.filter(id=halls["lane_pk"]).update(name="改名")
        stale = await _post(client, BOARD, variables, screen)
        assert stale.headers[SNAPSHOT_HEADER] == "hit"
        assert stale.json()["data"]["queueBoard"]["lanes"][0]["lane"]["name"] != "改名"

        # ... a ticket appends an event: the next read is a fresh execution, then reused.
        issued = await _post(
            client, ISSUE, {"i": {"hallId": halls["hall"], "laneId": halls["lane"]}}
        )
        assert issued.json()["data"]["ticketIssue"]["__typename"] == "TicketIssueSuccess"
        fresh = await _post(client, BOARD, variables, screen)
        assert SNAPSHOT_HEADER not in fresh.headers
        board = fresh.json()["data"]["queueBoard"]
        assert board["seq"] == first.json()["data"]["queueBoard"]["seq"] + 1
        assert board["lanes"][0] == {"lane": {"prefix": "A", "name": "改名"}, "waiting": 1}
        assert (await _post(client, BOARD, variables, screen)).headers[SNAPSHOT_HEADER] == "hit"
