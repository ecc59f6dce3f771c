"""The board page in headless Chromium: a ticket called through the API appears on the screen.

Chromium comes from Debian's package; when it is missing the test installs it with apt-get
(root and the package mirror are needed, as on the project's machines).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from models.accounts.tables import Role
from models.catalogue import actions as catalogue
from tests import factories as f
from tests.conftest import Servers


def chromium_binary() -> str:
    """Debian's chromium, installed on first use."""
    found = shutil.which("chromium")
    if found is None:
        subprocess.run(["apt-get", "update", "-qq"], check=True, timeout=300)  # noqa: S607
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"],  # noqa: S607
            check=True,
            timeout=600,
            env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        )
        found = shutil.which("chromium")
    assert found, "chromium is not installed and could not be installed"
    return found


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[str]:
    """A headless Chromium; yields its DevTools browser WebSocket URL."""
    log_path = tmp_path / "chromium.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [
            chromium_binary(),
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--remote-debugging-port=0",
            f"--user-data-dir={tmp_path / 'profile'}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            match = re.search(r"DevTools listening on (ws://\S+)", log_path.read_text())
            if match:
                break
            assert proc.poll() is None, log_path.read_text()
            time.sleep(0.1)
        else:
            raise AssertionError("chromium did not start:\n" + log_path.read_text())
        yield match.group(1)
    finally:
        proc.kill()
        proc.wait()
        log.close()


class Page:
    """A minimal Chrome DevTools Protocol client for one tab."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.ids = itertools.count(1)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a method and wait for its reply (events in between are ignored)."""
        call_id = next(self.ids)
        await self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), 20))
            if message.get("id") == call_id:
                return dict(message.get("result", {}))

    async def text(self, element_id: str) -> str:
        """The text of an element, or empty."""
        result = await self.send(
            "Runtime.evaluate",
            expression=f"(document.getElementById({json.dumps(element_id)}) || {{}}).textContent || ''",
            returnByValue=True,
        )
        return str(result["result"].get("value", ""))

    async def wait_for_text(self, element_id: str, expected: str, seconds: float = 20) -> str:
        """Poll until the element contains `expected`."""
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            text = await self.text(element_id)
            if expected in text or asyncio.get_running_loop().time() > deadline:
                return text
            await asyncio.sleep(0.2)


@pytest.fixture
async def page(browser: str, server: str) -> AsyncIterator[Page]:
    async with httpx.AsyncClient() as client:
        version = (
            await client.get(
                browser.split("/devtools", maxsplit=1)[0].replace("ws", "http", 1) + "/json/version"
            )
        ).json()
        targets = (
            await client.get(
                browser.split("/devtools", maxsplit=1)[0].replace("ws", "http", 1) + "/json"
            )
        ).json()
    assert version["Browser"]
    tab = next(t for t in targets if t["type"] == "page")
    async with connect(tab["webSocketDebuggerUrl"], max_size=None) as ws:
        yield Page(ws)


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


async def test_a_called_ticket_appears_on_the_board(
    committed: Servers, server: str, page: Page
) -> None:
    hall = await f.hall("JN")
    await f.always_open(hall)
    lane = await f.lane(hall, "A")
    window = await f.window(hall, "5")
    _, clerk = await f.user("clerk1", Role.CLERK, of=hall)
    await f.user("screen", Role.MONITOR, of=hall)
    await catalogue.open_window(clerk, window.id, f.NOW)
    screen_token = await _token(server, "screen")
    await page.send("Page.enable")
    await page.send("Page.navigate", url=f"{server}/board/JN#token={screen_token}")
    assert "已连接" in await page.wait_for_text("link", "已连接")
    assert await page.wait_for_text("title", "JN政务服务中心") == "JN政务服务中心"

    from strawberry.relay import to_base64  # noqa: PLC0415

    clerk_token = await _token(server, "clerk1")
    async with httpx.AsyncClient(base_url=server) as client:
        issue = "mutation($i: TicketIssueInput!){ticketIssue(input:$i){__typename}}"
        ids = {"hallId": to_base64("Hall", hall.id), "laneId": to_base64("Lane", lane.id)}
        await client.post("/graphql", json={"query": issue, "variables": {"i": ids}})
        call = "mutation($i: TicketCallNextInput!){ticketCallNext(input:$i){__typename}}"
        response = await client.post(
            "/graphql",
            headers={"Authorization": f"Bearer {clerk_token}"},
            json={"query": call, "variables": {"i": {"windowId": to_base64("Window", window.id)}}},
        )
    assert response.json()["data"]["ticketCallNext"]["__typename"] == "TicketPayload"
    assert "A001 → 5号窗口" in await page.wait_for_text("call", "A001")
    assert "A001" in await page.wait_for_text("windows", "A001")
