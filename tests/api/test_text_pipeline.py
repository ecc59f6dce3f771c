"""The text pipeline across processes: a case completes here, a real worker sends the text once."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from models.accounts.tables import Role
from models.cases import actions, intake
from models.cases.rules import Applicant
from models.cases.tables import ApplicantKind, Outcome
from models.notifications.delivery import key_of
from models.notifications.tables import Notification, NotificationStatus
from tests import factories as f
from tests.conftest import Servers
from tests.fakes.sms_server import FakeSmsServer

# A fresh number per run: the provider limits per number live in Redis for a day.
PHONE = f"139{secrets.randbelow(10**8):08d}"


@pytest.fixture
def fake() -> Iterator[FakeSmsServer]:
    with FakeSmsServer() as server:
        yield server


def start_worker(servers: Servers, fake: FakeSmsServer, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    env |= {
        "HALL_DATABASE_URL": servers.database_url,
        "HALL_REDIS_URL": servers.redis_url,
        "HALL_SMS_PROVIDER": "aliyun",
        "HALL_SMS_ENDPOINT": fake.endpoint,
        "HALL_SMS_PROTOCOL": "HTTP",
        "HALL_SMS_ACCESS_KEY_ID": "ak",
        "HALL_SMS_ACCESS_KEY_SECRET": "sk",
        "HALL_SMS_SIGN_NAME": "济南政务服务",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "api.cli", "worker"], env=env, stdout=out, stderr=out
        )


async def wait_for(condition: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.2)
    raise AssertionError("condition not met in time")


async def test_completion_text_reaches_the_provider_once(
    committed: Servers, fake: FakeSmsServer, tmp_path: Path
) -> None:
    hall = await f.hall("JN")
    dept = await f.department(hall, "SC", "市市场监管局")
    await f.item(dept, "SC-001")
    _, clerk = await f.user("clerk1", Role.CLERK, of=hall, department_id=dept.id)
    applicant = Applicant(ApplicantKind.PERSON, "张三", "11010519491231002X", PHONE)
    # 11:00 in Shanghai (outside quiet hours), today or, before that hour, yesterday: an action
    # time never in the future.
    now = datetime.now(UTC).replace(hour=3)
    if now > datetime.now(UTC):
        now -= timedelta(days=1)
    case = await intake.accept(clerk, intake.Intake("SC-001", hall.id, applicant), now)
    await actions.complete(clerk, case.number, Outcome.APPROVED, "", now)
    await Notification.filter(case_id=case.id, kind="CASE_ACCEPTED").update(urgent=True)
    await Notification.filter(case_id=case.id, kind="CASE_COMPLETED").update(urgent=True)
    worker = start_worker(committed, fake, tmp_path / "worker.log")
    try:
        # The two urgent texts; the rating invitation (not urgent) waits for quiet hours to
        # end or for the number's limit, depending on the hour the test runs at.
        urgent = Notification.filter(case_id=case.id, urgent=True)

        async def settled() -> bool:
            sent = await urgent.filter(status=NotificationStatus.SENT)
            held = await urgent.filter(last_error="per-number limit")
            return len(sent) == 1 and len(held) == 1

        await wait_for(settled)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(20)
    sent = await Notification.get(case_id=case.id, status=NotificationStatus.SENT)
    held = await Notification.get(case_id=case.id, urgent=True, last_error="per-number limit")
    # One text reached the provider, once; the other waits for the number's next minute.
    assert fake.cloud.by_out_id() == {key_of(sent.id): 1}
    assert held.status is NotificationStatus.PENDING
    assert held.next_attempt_at is not None
