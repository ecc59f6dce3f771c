"""Texts reach the (fake) provider exactly once: ledger, reconciliation, limits, quiet hours, relay."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.notifications.delivery import DeliveryPolicy, deliver, key_of, relay, sweep
from models.notifications.outbox import queue_text
from models.notifications.tables import Notification, NotificationStatus
from models.notifications.templates import render
from tests import factories as f
from tests.fakes.sms_server import FakeSmsServer
from workers.sms.aliyun import AliyunProvider

NOW = f.NOW  # 10:00 in Shanghai
PHONE = "13912345678"
POLICY = DeliveryPolicy(backoff_seconds=30)


@pytest.fixture
def fake() -> Iterator[FakeSmsServer]:
    with FakeSmsServer() as server:
        server.cloud.timeout_seconds = 2.0
        yield server


@pytest.fixture
async def provider(fake: FakeSmsServer) -> AsyncIterator[AliyunProvider]:
    sms = AliyunProvider(
        access_key_id="ak",
        access_key_secret="sk",
        sign_name="济南政务服务",
        endpoint=fake.endpoint,
        protocol="HTTP",
        timeout_ms=700,
    )
    yield sms
    await sms.aclose()


async def text(kind: str = "CASE_COMPLETED", phone: str = PHONE, *, urgent: bool = False) -> int:
    key = f"test:{secrets.token_hex(6)}"
    await queue_text(
        key,
        kind,
        phone,
        {"number": "JN-20261120-000001", "collect_at": "5号窗口"},
        now=NOW,
        urgent=urgent,
    )
    return int((await Notification.get(dedupe_key=key)).id)


async def run(notification: int, provider: Any, limiter: Any, at: datetime = NOW) -> Notification:
    await deliver(notification, provider, limiter, POLICY, at)
    return await Notification.get(id=notification)


async def test_a_text_goes_out_once(
    db: object, fake: FakeSmsServer, provider: Any, limiter: Any
) -> None:
    notification = await text()
    row = await run(notification, provider, limiter)
    assert (row.status, row.attempts, row.provider) == (NotificationStatus.SENT, 1, "aliyun")
    again = await run(notification, provider, limiter, NOW + timedelta(minutes=5))
    assert again.status is NotificationStatus.SENT
    records = fake.cloud.sent_to(PHONE)
    assert [(r.out_id, r.template, r.params["number"]) for r in records] == [
        (key_of(notification), "CASE_COMPLETED", "JN-20261120-000001")
    ]


async def test_a_timeout_is_reconciled_not_resent(
    db: object, fake: FakeSmsServer, provider: Any, limiter: Any
) -> None:
    notification = await text()
    fake.cloud.inject("TIMEOUT")
    row = await run(notification, provider, limiter)
    assert row.status is NotificationStatus.PENDING
    assert row.send_started_at is not None  # the ledger stays: the next attempt asks first
    assert row.next_attempt_at == NOW + timedelta(seconds=30)
    later = await run(notification, provider, limiter, NOW + timedelta(minutes=1))
    assert later.status is NotificationStatus.SENT
    assert fake.cloud.by_out_id() == {key_of(notification): 1}


@pytest.mark.parametrize(
    ("code", "status", "error_class"),
    [
        ("isv.BUSINESS_LIMIT_CONTROL", NotificationStatus.PENDING, "THROTTLED"),
        ("isp.SYSTEM_ERROR", NotificationStatus.PENDING, "RETRYABLE"),
        ("isv.MOBILE_NUMBER_ILLEGAL", NotificationStatus.FAILED, "INVALID_NUMBER"),
        ("isv.SMS_TEMPLATE_ILLEGAL", NotificationStatus.FAILED, "FATAL"),
    ],
)
async def test_provider_errors_are_classified(  # noqa: PLR0917  (fixtures and parameters)
    db: object,
    fake: FakeSmsServer,
    provider: Any,
    limiter: Any,
    code: str,
    status: NotificationStatus,
    error_class: str,
) -> None:
    notification = await text()
    fake.cloud.inject(code)
    row = await run(notification, provider, limiter)
    assert (row.status, row.error_class) == (status, error_class)
    assert fake.cloud.sent_to(PHONE) == []
    if status is NotificationStatus.PENDING:
        assert row.send_started_at is None  # refused for sure: no reconciliation needed
        assert row.next_attempt_at is not None
        assert row.next_attempt_at > NOW
        # A stale job for the row (a worker died before arq marked it done) waits its turn.
        stale = await run(notification, provider, limiter, NOW + timedelta(seconds=1))
        assert (stale.status, stale.attempts) == (NotificationStatus.PENDING, 1)
        assert fake.cloud.sent_to(PHONE) == []


async def test_per_number_limit_defers_the_next_text(
    db: object, fake: FakeSmsServer, provider: Any, limiter: Any
) -> None:
    first, second = await text(), await text("TICKET_NEAR")
    assert (await run(first, provider, limiter)).status is NotificationStatus.SENT
    held = await run(second, provider, limiter)
    assert held.status is NotificationStatus.PENDING
    assert held.last_error == "per-number limit"
    assert held.next_attempt_at is not None
    assert held.next_attempt_at <= NOW + timedelta(seconds=60)
    # Given back unsent: no ledger (nothing to reconcile) and no attempt counted.
    assert (held.send_started_at, held.attempts) == (None, 0)
    assert len(fake.cloud.sent_to(PHONE)) == 1


async def test_quiet_hours_hold_non_urgent_texts(
    db: object, fake: FakeSmsServer, provider: Any, limiter: Any
) -> None:
    late = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)  # 22:30 in Shanghai
    calm = await run(await text(), provider, limiter, late)
    assert (calm.status, calm.attempts, calm.send_started_at) == (
        NotificationStatus.PENDING,
        0,
        None,
    )
    assert calm.next_attempt_at == datetime(2026, 11, 21, 0, 0, tzinfo=UTC)  # 08:00 next day
    urgent = await run(
        await text("TICKET_CALLED", "13912345670", urgent=True), provider, limiter, late
    )
    assert urgent.status is NotificationStatus.SENT


async def test_sends_running_at_once_share_statements_and_each_text_goes_once(
    committed: object, fake: FakeSmsServer, provider: Any, limiter: Any
) -> None:
    """Claims and outcomes of concurrent sends are written in batches; jobs twice for a row.

    Real commits: each send's careful path takes a connection of its own, as in a worker.
    """
    ids = [await text(phone=f"1391234{n:04d}", urgent=True) for n in range(30)]
    # Every row has two jobs running at once (a re-relayed row whose first job still runs).
    statuses = await asyncio.gather(
        *(deliver(i, provider, limiter, POLICY, NOW) for i in [*ids, *ids])
    )
    rows = await Notification.filter(id__in=ids).order_by("id")
    errors = {r.last_error for r in rows if r.status is not NotificationStatus.SENT}
    assert statuses.count(NotificationStatus.SENT) >= 30, errors
    assert {(r.status, r.attempts, r.sent_at) for r in rows} == {(NotificationStatus.SENT, 1, NOW)}
    assert all(r.provider_ref and r.send_started_at == NOW for r in rows)
    assert fake.cloud.by_out_id() == {key_of(i): 1 for i in ids}


async def test_relay_and_sweeper(db: object) -> None:
    ids = [await text(), await text(), await text()]
    queued: list[tuple[int, str]] = []

    async def enqueue(notification: int, job_id: str) -> bool:
        queued.append((notification, job_id))
        return True

    assert await relay(enqueue, NOW) == 3
    assert [n for n, _ in queued] == ids
    # The job id names the row and the relay moment (a re-relayed row gets a new job).
    assert queued[0][1] == f"notify:{ids[0]}:{int(NOW.timestamp() * 1000)}"
    assert await Notification.filter(status="QUEUED").count() == 3
    assert await relay(enqueue, NOW) == 0

    async def redis_down(notification: int, job_id: str) -> bool:
        raise ConnectionError("redis is down")

    await Notification.filter(id=ids[0]).update(status="PENDING")
    with pytest.raises(ConnectionError):
        await relay(redis_down, NOW)
    assert (await Notification.get(id=ids[0])).status is NotificationStatus.PENDING
    assert await sweep(NOW + timedelta(minutes=1)) == 0
    assert await sweep(NOW + timedelta(minutes=3)) == 2
    assert await Notification.filter(status="PENDING").count() == 3


def test_templates_fill_their_placeholders() -> None:
    text_ = render(
        "您的申请{number}材料不齐，请补正：{missing}。",
        {"number": "JN-1", "missing_materials": [{"name": "身份证"}, {"name": "照片"}]},
    )
    assert text_ == "您的申请JN-1材料不齐，请补正：身份证、照片。"
    assert render("{unknown}号", {}) == "号"
