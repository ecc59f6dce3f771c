"""WebSockets against a real server: init timeout, origins, the subscription cap, and sockets
closed (4401) when their token expires or is revoked, with no event after that."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from structlog.testing import capture_logs
from tortoise.expressions import F
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from api.auth import Tokens
from api.socket_sessions import SocketSessions
from models.accounts.tables import Role, User
from tests import factories as f
from tests.api.test_service_process import PROTOCOL
from tests.conftest import Servers

KEY = secrets.token_urlsafe(40)
ALLOWED = "https://hall.example.cn"
HEARTBEAT = "subscription { heartbeat(intervalSeconds: 1) { seq } }"


@pytest.fixture
def server_env() -> dict[str, str]:
    """A known signing key, short init timeout and re-check, two subscriptions a socket."""
    return {
        "HALL_SECRET_KEY": KEY,
        "HALL_WS_INIT_TIMEOUT_SECONDS": "1",
        "HALL_WS_MAX_SUBSCRIPTIONS": "2",
        "HALL_WS_RECHECK_SECONDS": "1",
        "HALL_ALLOWED_ORIGINS": ALLOWED,
    }


@pytest.fixture
async def screen(committed: Servers) -> User:
    """A MONITOR account."""
    user, _ = await f.user("screen1", Role.MONITOR, of=await f.hall("JN"))
    return user


def _token(user: User, ttl: timedelta = timedelta(hours=1)) -> str:
    return Tokens(key=KEY, ttl=ttl).issue(user, datetime.now(UTC))[0]


async def _open(base: str, token: str | None, **kwargs: Any) -> ClientConnection:
    ws = await connect(
        base.replace("http", "ws", 1) + "/graphql", subprotocols=[Subprotocol(PROTOCOL)], **kwargs
    )
    payload = {"authorization": f"Bearer {token}"} if token else {}
    await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
    return ws


async def _subscribe(ws: ClientConnection, number: int = 1) -> None:
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    for n in range(1, number + 1):
        message = {"id": str(n), "type": "subscribe", "payload": {"query": HEARTBEAT}}
        await ws.send(json.dumps(message))


async def _until_closed(ws: ClientConnection, seconds: float) -> tuple[list[dict[str, Any]], float]:
    """Frames received until the server closes, and when it closed (monotonic)."""
    frames: list[dict[str, Any]] = []
    async with asyncio.timeout(seconds):
        try:
            while True:
                frames.append(json.loads(await ws.recv()))
        except ConnectionClosed:
            return frames, time.monotonic()


async def test_init_timeout_and_bad_tokens(screen: User, server: str) -> None:
    url = server.replace("http", "ws", 1) + "/graphql"
    async with connect(url, subprotocols=[PROTOCOL]) as silent:  # type: ignore[list-item]
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(silent.recv(), 5)
        assert silent.close_code == 4408
    for token in (None, "not-a-token", _token(screen)[:-3] + "abc"):
        ws = await _open(server, token)
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        assert ws.close_code == 4403


async def test_only_allowed_origins_may_open_sockets(screen: User, server: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await _open(server, _token(screen), origin="https://evil.example")
    assert refused.value.response.status_code == 403
    ws = await _open(server, _token(screen), origin=ALLOWED)
    await _subscribe(ws)
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "next"
    await ws.close()


async def test_a_socket_runs_at_most_its_cap_of_subscriptions(screen: User, server: str) -> None:
    ws = await _open(server, _token(screen))
    await _subscribe(ws, 3)
    seen: dict[str, set[str]] = {}
    async with asyncio.timeout(5):
        while "3" not in seen or len(seen.get("1", ())) < 1 or len(seen.get("2", ())) < 1:
            frame = json.loads(await ws.recv())
            seen.setdefault(frame["id"], set()).add(frame["type"])
    assert seen["3"] == {"error"}
    assert seen["1"] == seen["2"] == {"next"}
    await ws.close()


async def test_a_socket_closes_when_its_token_expires(screen: User, server: str) -> None:
    ws = await _open(server, _token(screen, ttl=timedelta(seconds=3)))
    await _subscribe(ws)
    frames, _ = await _until_closed(ws, 10)
    assert frames
    assert {frame["type"] for frame in frames} == {"next"}
    assert (ws.close_code, ws.close_reason) == (4401, "TOKEN_EXPIRED")


async def test_a_bumped_token_version_closes_the_socket(screen: User, server: str) -> None:
    ws = await _open(server, _token(screen))
    await _subscribe(ws)
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "next"
    await User.filter(id=screen.id).update(token_version=F("token_version") + 1)
    frames, _ = await _until_closed(ws, 5)  # the periodic re-check (1 s here) finds it
    assert (ws.close_code, ws.close_reason) == (4401, "TOKEN_REVOKED")
    assert len(frames) <= 3


async def test_a_revocation_from_another_process_closes_the_socket(
    screen: User, server: str, orm: Servers
) -> None:
    other, _ = await f.user("screen2", Role.MONITOR, of=await f.hall("QD"))
    mine, theirs = await _open(server, _token(screen)), await _open(server, _token(other))
    await _subscribe(mine)
    await _subscribe(theirs)
    redis = aioredis.Redis.from_url(orm.redis_url)
    try:
        await redis.publish("hall:tokens:revoked", f"{screen.id}:{screen.token_version + 1}")
    finally:
        await redis.aclose()
    await _until_closed(mine, 5)
    assert (mine.close_code, mine.close_reason) == (4401, "TOKEN_REVOKED")
    async with asyncio.timeout(5):  # the other account's socket lives on
        frames = [json.loads(await theirs.recv()) for _ in range(2)]
    assert {frame["type"] for frame in frames} == {"next"}
    await theirs.close()


async def _post(base: str, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("revoke", ["logout", "password"])
async def test_logout_and_password_change_close_the_sockets_before_answering(
    screen: User, server: str, revoke: str
) -> None:
    token = _token(screen)
    ws = await _open(server, token)
    await _subscribe(ws)
    last = json.loads(await asyncio.wait_for(ws.recv(), 5))["payload"]["data"]["heartbeat"]["seq"]
    if revoke == "logout":
        done = await _post(server, token, "mutation { authLogout { loggedOutAt } }", {})
        assert done["data"]["authLogout"]["loggedOutAt"]
    else:
        change = "mutation($i: AuthPasswordChangeInput!) { authPasswordChange(input: $i) { __typename } }"
        variables = {"i": {"currentPassword": f.PASSWORD, "newPassword": "a-new-password-42"}}
        done = await _post(server, token, change, variables)
        assert done["data"]["authPasswordChange"]["__typename"] == "AuthPasswordChangeSuccess"
    await asyncio.sleep(2.5)  # two more ticks, were the socket still served
    frames, _ = await _until_closed(ws, 5)
    assert (ws.close_code, ws.close_reason) == (4401, "TOKEN_REVOKED")
    # Closed before the mutation answered: at most the tick already on its way.
    seqs = [frame["payload"]["data"]["heartbeat"]["seq"] for frame in frames]
    assert all(seq <= last + 1 for seq in seqs), (last, seqs)
    refused = await _post(server, token, "{ halls { code } }", {})
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_oversize_message_closes_the_socket(screen: User, server: str) -> None:
    ws = await _open(server, _token(screen))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    query = "#" * 150_000 + "\nsubscription { heartbeat { seq } }"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(ws.recv(), 5)
    assert ws.close_code == 1009


async def test_a_quiet_channel_is_not_dropped_and_still_delivers(orm: Any) -> None:
    # The app's client times reads out after 2 s; a quiet channel must outlive that.
    client = aioredis.Redis.from_url(orm.redis_url, socket_timeout=0.5)
    listening, sending = SocketSessions(recheck_seconds=3600), SocketSessions()
    closed: list[tuple[int, str]] = []

    async def close(code: int, reason: str) -> None:
        closed.append((code, reason))

    listening.add(7, 1, datetime.now(UTC) + timedelta(hours=1), close)
    try:
        with capture_logs() as logs:
            await listening.start(client)
            await sending.start(client)
            await asyncio.sleep(2.0)  # four socket timeouts' worth of silence
            await sending.revoked(7, 2)  # another process: a logout bumped the version
            for _ in range(50):
                if closed:
                    break
                await asyncio.sleep(0.05)
        assert closed == [(4401, "TOKEN_REVOKED")]
        assert not [e for e in logs if "revocation channel lost" in str(e.get("event"))]
    finally:
        await listening.close()
        await sending.close()
        await client.aclose()
