"""`hall worker` across a Redis crash: it comes back by itself and no text is lost or doubled."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from models.accounts.tables import Role
from models.cases import actions, intake
from models.cases.rules import Applicant
from models.cases.tables import ApplicantKind, Outcome
from models.notifications.tables import Notification, NotificationStatus
from tests import factories as f
from tests.conftest import Servers
from tests.redis_process import RedisProcess


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    server = RedisProcess(tmp_path / "redis")
    server.start()
    yield server
    server.kill()


def _env(servers: Servers, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    return env | {"HALL_DATABASE_URL": servers.database_url, "HALL_REDIS_URL": redis_url}


def _healthy(env: dict[str, str]) -> bool:
    check = [sys.executable, "-m", "api.cli", "worker", "--check"]
    return subprocess.run(check, env=env, capture_output=True, check=False).returncode == 0


def _start_worker(env: dict[str, str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker"], env=env, stdout=log, stderr=log
    )


async def _until(condition: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.3)
    raise AssertionError("condition not met in time")


async def test_worker_survives_a_redis_crash(
    committed: Servers, private_redis: RedisProcess, tmp_path: Path
) -> None:
    hall = await f.hall("JN")
    dept = await f.department(hall, "SC", "市市场监管局")
    await f.item(dept, "SC-001")
    _, clerk = await f.user("clerk1", Role.CLERK, of=hall, department_id=dept.id)
    env = _env(committed, private_redis.url)
    log = (tmp_path / "worker.log").open("wb")
    worker = _start_worker(env, log)
    try:
        await _until(lambda: asyncio.to_thread(_healthy, env), 30)
        private_redis.kill()  # Redis crashes: its queue and the worker's connections are gone
        assert not await asyncio.to_thread(_healthy, env)
        # Cases complete while Redis is away: their texts wait in the outbox.
        numbers = []
        for n in range(5):
            applicant = Applicant(
                ApplicantKind.PERSON, "张三", "11010519491231002X", f"1391234{n:04d}"
            )
            case = await intake.accept(clerk, intake.Intake("SC-001", hall.id, applicant), f.NOW)
            await actions.complete(clerk, case.number, Outcome.APPROVED, "", f.NOW)
            numbers.append(case.id)
        # Only the completion texts matter here (receipts and rating invitations to the same
        # numbers would wait out the per-minute limit).
        await Notification.filter(kind__in=["CASE_ACCEPTED", "EVALUATION_INVITATION"]).update(
            status=NotificationStatus.CANCELLED
        )
        await Notification.all().update(urgent=True)  # whatever the hour the test runs at
        await asyncio.sleep(3)
        private_redis.start()

        async def all_sent() -> bool:
            return await Notification.filter(status=NotificationStatus.SENT).count() == 5

        try:
            await _until(all_sent, 60)
        except AssertionError:
            rows = await Notification.all().values("id", "status", "next_attempt_at", "last_error")
            raise AssertionError(rows) from None
        assert worker.poll() is None  # the same `hall worker`, its child restarted
        assert await asyncio.to_thread(_healthy, env)
        texts = await Notification.filter(kind="CASE_COMPLETED")
        assert [(t.status, t.attempts) for t in texts] == [(NotificationStatus.SENT, 1)] * 5
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(20)
        log.close()
    assert worker.returncode == 0 or worker.returncode == 128 + signal.SIGTERM
