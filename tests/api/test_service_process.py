"""`hall serve` as a real subprocess: ready, authenticated query, WebSocket auth, clean stop."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

ADMIN_PASSWORD = "process-test-pw-1"
PROTOCOL = "graphql-transport-ws"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def external_urls() -> tuple[str, str] | None:
    db, redis = os.environ.get("HALL_TEST_DATABASE_URL"), os.environ.get("HALL_TEST_REDIS_URL")
    return (db, redis) if db and redis else None


@pytest.fixture(params=["embedded", "external"])
def service(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A running `hall serve`, with embedded servers or the external ones the environment names."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    port = free_port()
    env |= {
        "HALL_DATA_DIR": str(tmp_path / "data"),
        "HALL_PORT": str(port),
        "HALL_ENV": "prod",
        "HALL_SECRET_KEY": secrets.token_urlsafe(40),
        "HALL_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    database = None
    if request.param == "external":
        urls = external_urls()
        if urls is None:
            pytest.skip(
                "HALL_TEST_DATABASE_URL / HALL_TEST_REDIS_URL not set: no external servers named"
            )
        database = f"hall_proc_{secrets.token_hex(4)}"
        asyncio.run(_admin_sql(urls[0], f'CREATE DATABASE "{database}"'))
        env |= {
            "HALL_DATABASE_URL": urls[0].rsplit("/", 1)[0] + f"/{database}",
            "HALL_REDIS_URL": urls[1],
        }
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, proc, log_path)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if database is not None:
            urls = external_urls()
            assert urls is not None
            asyncio.run(_admin_sql(urls[0], f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


async def _admin_sql(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _wait_ready(base: str, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            output = log_path.read_text(errors="replace")
            raise AssertionError(f"hall serve exited early ({proc.returncode}):\n{output}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("hall serve did not become ready in 60 s")


def _login(base: str) -> str:
    query = "mutation($i: AuthLoginInput!){authLogin(input:$i){... on AuthLoginSuccess{token}}}"
    response = httpx.post(
        f"{base}/graphql",
        json={
            "query": query,
            "variables": {"i": {"username": "admin", "password": ADMIN_PASSWORD}},
        },
    )
    return str(response.json()["data"]["authLogin"]["token"])


async def _subscribe(base: str, token: str | None) -> list[dict[str, object]]:
    url = base.replace("http", "ws", 1) + "/graphql"
    async with connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert ack["type"] == "connection_ack"
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {
                        "query": "subscription { heartbeat(intervalSeconds: 1) { seq at } }"
                    },
                }
            )
        )
        events = [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(2)]
        await ws.send(json.dumps({"id": "1", "type": "complete"}))
        return events


def test_service_runs_and_stops_cleanly(service: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, proc = service
    ready = httpx.get(f"{base}/readyz").json()
    assert ready == {"status": "ok", "database": "ok", "redis": "ok"}
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}

    anonymous = httpx.post(f"{base}/graphql", json={"query": "{ halls { code } }"}).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Traceback" not in json.dumps(anonymous)

    token = _login(base)
    me = httpx.post(
        f"{base}/graphql",
        json={"query": "{ me { username role } }"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert me["data"] == {"me": {"username": "admin", "role": "ADMIN"}}

    # Production mode: no GraphiQL and no queries over GET.
    assert (
        httpx.get(
            f"{base}/graphql", params={"query": "{__typename}"}, headers={"Accept": "text/html"}
        ).status_code
        != 200
    )
    assert "hall_http_requests_total" in httpx.get(f"{base}/metrics").text

    events = asyncio.run(_subscribe(base, token))
    assert [e["payload"]["data"]["heartbeat"]["seq"] for e in events] == [1, 2]  # type: ignore[index]

    with pytest.raises(ConnectionClosed) as closed:
        asyncio.run(_subscribe(base, None))
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403

    children = psutil.Process(proc.pid).children(recursive=True)
    assert children, "the worker (and embedded servers) run as child processes"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(30) == 0
    gone, alive = psutil.wait_procs(children, timeout=15)
    assert not alive, f"left running after stop: {[p.cmdline() for p in alive]}"
    assert gone
