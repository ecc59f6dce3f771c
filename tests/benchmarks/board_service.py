"""What the board benchmarks run against: embedded servers, a prepared hall and `hall serve`."""

from __future__ import annotations

import contextlib
import os
import re
import resource
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from strawberry.relay import to_base64

from api.database import apply_migrations, orm
from api.embedded import EmbeddedServers
from models.accounts.tables import Role
from models.catalogue import actions as catalogue
from models.catalogue.rules import LaneDraft
from models.common.actor import SYSTEM_ACTOR
from tests import factories as f
from tests.api.test_service_process import _wait_ready, free_port

LOGIN = "mutation($i: AuthLoginInput!){authLogin(input:$i){... on AuthLoginSuccess{token}}}"
ISSUE = "mutation($i: TicketIssueInput!){ticketIssue(input:$i){__typename}}"
CALL = "mutation($i: TicketCallNextInput!){ticketCallNext(input:$i){__typename ... on TicketPayload{ticket{id}}}}"
FINISH = "mutation($i: TicketFinishInput!){ticketFinish(input:$i){__typename}}"


def raise_fd_limit() -> int:
    """Lift this process's open-file limit to the hard limit (children inherit it)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


@dataclass(frozen=True)
class BoardHall:
    """The hall every screen watches: global ids, its database id and the accounts to use."""

    pk: int
    hall_id: str
    lane_id: str
    window_id: str
    clerk: str = "clerk"
    screen: str = "screen"


async def prepare(database_url: str) -> BoardHall:
    """A hall open around the clock, one lane of 9,999 numbers, one open window, a MONITOR."""
    await apply_migrations(database_url)
    async with orm(database_url):
        hall = await f.hall("BENCH")
        await f.always_open(hall)
        draft = LaneDraft(
            hall_id=hall.id, prefix="A", name="A类", range_start=1, range_end=9999, daily_cap=9999
        )
        lane = await catalogue.create_lane(SYSTEM_ACTOR, draft, datetime.now(UTC))
        window = await f.window(hall, "1")
        _, clerk = await f.user("clerk", Role.CLERK, of=hall)
        await catalogue.open_window(clerk, window.id, datetime.now(UTC))
        await f.user("screen", Role.MONITOR, of=hall)
    return BoardHall(
        pk=hall.id,
        hall_id=to_base64("Hall", hall.id),
        lane_id=to_base64("Lane", lane.id),
        window_id=to_base64("Window", window.id),
    )


@contextlib.contextmanager
def embedded(
    folder: Path, database_url: str | None, redis_url: str | None
) -> Iterator[tuple[str, str]]:
    """The given servers, or embedded ones in `folder`."""
    servers = EmbeddedServers(folder / "data")
    servers.start(postgres=database_url is None, redis=redis_url is None)
    try:
        database, redis = database_url or servers.database_url, redis_url or servers.redis_url
        assert database
        assert redis
        yield database, redis
    finally:
        servers.stop()


@contextlib.contextmanager
def serve(
    folder: Path, database_url: str, redis_url: str, extra: dict[str, str]
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`hall serve` (API only, warnings only) on the given servers; yields its URL and process."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    env |= {
        "HALL_DATA_DIR": str(folder / "serve"), "HALL_PORT": str(port), "HALL_ENV": "prod",
        "HALL_LOG_LEVEL": "WARNING", "HALL_SECRET_KEY": secrets.token_urlsafe(40),
        "HALL_DATABASE_URL": database_url, "HALL_REDIS_URL": redis_url, "HALL_RUN_WORKER": "false",
        **extra,
    }  # fmt: skip
    log_path = folder / f"serve-{port}.log"
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
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Api:
    """The GraphQL calls the benchmarks make over HTTP."""

    def __init__(self, base: str, hall: BoardHall) -> None:
        self.client = httpx.AsyncClient(base_url=base, timeout=60)
        self.hall = hall

    async def close(self) -> None:
        """Close the HTTP client."""
        await self.client.aclose()

    async def token(self, username: str) -> str:
        """Log in."""
        body = {"query": LOGIN, "variables": {"i": {"username": username, "password": f.PASSWORD}}}
        response = await self.client.post("/graphql", json=body)
        return str(response.json()["data"]["authLogin"]["token"])

    async def issue(self) -> None:
        """Take a number at the kiosk (one TICKET_ISSUED event)."""
        ids = {"hallId": self.hall.hall_id, "laneId": self.hall.lane_id}
        response = await self.client.post(
            "/graphql", json={"query": ISSUE, "variables": {"i": ids}}
        )
        assert response.json()["data"]["ticketIssue"]["__typename"] == "TicketIssueSuccess"

    async def call_next(self, token: str) -> str:
        """Call the next number to the window (one TICKET_CALLED event); returns the ticket id."""
        body = {"query": CALL, "variables": {"i": {"windowId": self.hall.window_id}}}
        headers = {"Authorization": f"Bearer {token}"}
        response = await self.client.post("/graphql", json=body, headers=headers)
        result = response.json()["data"]["ticketCallNext"]
        assert result["__typename"] == "TicketPayload", result
        return str(result["ticket"]["id"])

    async def finish(self, token: str, ticket_id: str) -> None:
        """Finish the ticket being served (one TICKET_FINISHED event)."""
        variables = {"i": {"ticketId": ticket_id, "outcome": "SERVED"}}
        headers = {"Authorization": f"Bearer {token}"}
        response = await self.client.post(
            "/graphql", json={"query": FINISH, "variables": variables}, headers=headers
        )
        assert response.json()["data"]["ticketFinish"]["__typename"] == "TicketPayload"

    async def metric(self, name: str) -> float:
        """One unlabelled sample from /metrics (0 when absent)."""
        text = (await self.client.get("/metrics")).text
        match = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
        return float(match.group(1)) if match else 0.0
