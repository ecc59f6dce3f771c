"""Getting outbox rows to the provider exactly once: relay, sweeper and the send itself.

- The relay turns PENDING rows that are due into arq jobs (one job id per row and attempt) and
  marks them QUEUED; when Redis is down nothing changes and the next run retries.
- The sweeper puts rows back to PENDING that were QUEUED or SENDING too long (a lost job, a
  worker killed mid-send).
- `deliver` is the job: it claims the row (QUEUED/PENDING -> SENDING) and writes the ledger
  (`send_started_at`) in a committed transaction before calling the provider, with the row's key
  in the provider's correlation field. A row whose ledger is already set is first reconciled:
  the provider is asked whether it took the key, and the text is sent only if it did not.
"""

from __future__ import annotations

import asyncio
import time as monotonic_clock
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from tortoise import connections
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models.common.limits import RateLimiter
from models.notifications.batches import Grouped
from models.notifications.providers import (
    ErrorClass,
    OutgoingText,
    ProviderError,
    SmsProvider,
    UncertainSend,
)
from models.notifications.tables import Notification, NotificationStatus
from models.notifications.templates import param_text, render, template_text

log = structlog.get_logger(__name__)
MAX_ATTEMPTS = 8
RELAY_CONCURRENCY = 50
FINAL = (
    NotificationStatus.SENT,
    NotificationStatus.DELIVERED,
    NotificationStatus.FAILED,
    NotificationStatus.CANCELLED,
)


@dataclass(frozen=True)
class DeliveryPolicy:
    """Per-number limits, quiet hours for non-urgent texts, retry backoff."""

    per_minute: int = 1
    per_hour: int = 5
    per_day: int = 10
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    timezone: str = "Asia/Shanghai"
    backoff_seconds: int = 30
    # A row QUEUED or SENDING this long is taken as lost (a job gone with Redis, a killed worker).
    stuck_seconds: int = 120


def key_of(notification_id: int) -> str:
    """The correlation key a provider carries for a notification."""
    return f"HN{notification_id}"


Enqueue = Callable[[int, str], Awaitable[bool]]


async def _relay_batch(enqueue: Enqueue, now: datetime, limit: int) -> int:
    async with in_transaction():
        rows = await connections.get("default").execute_query_dict(
            "SELECT id FROM notification WHERE status = 'PENDING' "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= $1) "
            "ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED",
            [now, limit],
        )
        # A fresh job id per relay: a row swept back after its job was lost (or stuck in a
        # killed worker) gets a new job at once; the send itself is idempotent per row.
        stamp = int(now.timestamp() * 1000)
        ids = [int(row["id"]) for row in rows]
        for chunk in range(0, len(ids), RELAY_CONCURRENCY):
            part = ids[chunk : chunk + RELAY_CONCURRENCY]
            await asyncio.gather(*(enqueue(i, f"notify:{i}:{stamp}") for i in part))
        if ids:
            await Notification.filter(id__in=ids).update(
                status=NotificationStatus.QUEUED, updated_at=now
            )
    return len(ids)


async def relay(
    enqueue: Enqueue, now: datetime, limit: int = 500, budget_seconds: float = 1.5
) -> int:
    """Queue due PENDING rows as jobs, a batch per transaction, for up to the time budget.

    Returns how many rows were queued. When Redis is down the batch's transaction rolls back:
    its rows stay PENDING for the next run.
    """
    started = monotonic_clock.monotonic()
    queued = 0
    while True:
        count = await _relay_batch(enqueue, now, limit)
        queued += count
        if count < limit or monotonic_clock.monotonic() - started > budget_seconds:
            return queued


async def sweep(now: datetime, policy: DeliveryPolicy | None = None) -> int:
    """Rows stuck QUEUED or SENDING (lost job, killed worker) go back to PENDING."""
    stuck = now - timedelta(seconds=(policy or DeliveryPolicy()).stuck_seconds)
    return int(
        await Notification.filter(
            status__in=[NotificationStatus.QUEUED, NotificationStatus.SENDING], updated_at__lt=stuck
        ).update(status=NotificationStatus.PENDING, updated_at=now)
    )


def _in_quiet_hours(policy: DeliveryPolicy, local: datetime) -> bool:
    now = local.time()
    if policy.quiet_start <= policy.quiet_end:
        return policy.quiet_start <= now < policy.quiet_end
    return now >= policy.quiet_start or now < policy.quiet_end


def _quiet_until(policy: DeliveryPolicy, local: datetime) -> datetime:
    day = local.date() if local.time() < policy.quiet_end else local.date() + timedelta(days=1)
    return datetime.combine(day, policy.quiet_end, local.tzinfo)


async def _defer(
    row: Notification, until: datetime, now: datetime, reason: str, *, keep_ledger: bool
) -> None:
    row.status = NotificationStatus.PENDING
    row.next_attempt_at = until
    row.last_error = reason[:500]
    if not keep_ledger:
        row.send_started_at = None
    row.updated_at = now
    await row.save(
        update_fields=[
            "status",
            "next_attempt_at",
            "last_error",
            "send_started_at",
            "error_class",
            "updated_at",
        ]
    )


async def _finish(
    row: Notification, status: NotificationStatus, now: datetime, **fields: object
) -> None:
    row.status = status
    row.updated_at = now
    for name, value in fields.items():
        setattr(row, name, value)
    await row.save(update_fields=["status", "updated_at", *fields])


async def _limits_allow(limiter: RateLimiter, policy: DeliveryPolicy, phone: str) -> int:
    """0 when the number may get a text now (and it is counted), else seconds to wait.

    The three windows are counted in one atomic script, so that two workers texting the same
    number at once cannot both slip under a limit; a refused attempt still counts, which only
    errs on the side of fewer texts.
    """
    windows = ((60, policy.per_minute), (3600, policy.per_hour), (86400, policy.per_day))
    decision = await limiter.hit_all(
        [(f"sms:{phone}:{window}", limit, window) for window, limit in windows]
    )
    return decision.retry_after


@dataclass(frozen=True)
class _Claim:
    notification_id: int
    provider: str
    now: datetime
    quiet: bool


# The claim's conditions, for one row ($1 id, $2 now, $3 provider, $4 quiet hours) and for many
# (arrays of each; joining an array costs more planning than it saves for a single row).
CLAIM_ONE = (
    "UPDATE notification SET status = 'SENDING', send_started_at = $2, "
    "attempts = attempts + 1, provider = $3, updated_at = $2 "
    "WHERE id = $1 AND status IN ('PENDING', 'QUEUED') AND send_started_at IS NULL "
    "AND (next_attempt_at IS NULL OR next_attempt_at <= $2) "
    "AND phone <> '' AND (urgent OR NOT $4) RETURNING *"
)
CLAIM_MANY = (
    "UPDATE notification AS n SET status = 'SENDING', send_started_at = c.at, "
    "attempts = n.attempts + 1, provider = c.provider, updated_at = c.at "
    "FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::bool[]) "
    "AS c(id, at, provider, quiet) "
    "WHERE n.id = c.id AND n.status IN ('PENDING', 'QUEUED') AND n.send_started_at IS NULL "
    "AND (n.next_attempt_at IS NULL OR n.next_attempt_at <= c.at) "
    "AND n.phone <> '' AND (n.urgent OR NOT c.quiet) RETURNING n.*"
)


async def _claim_batch(connection: Any, claims: list[_Claim]) -> list[Notification | None]:
    """The common case in one statement for many rows: rows never tried, with a number, sendable.

    Claims them (SENDING) and writes their ledgers at once; None leaves a row to the careful path.
    A row asked for twice in a batch (two jobs for it) goes to the first asker only.
    """
    if len(claims) == 1:
        c = claims[0]
        rows = await connection.fetch(CLAIM_ONE, c.notification_id, c.now, c.provider, c.quiet)
    else:
        rows = await connection.fetch(
            CLAIM_MANY,
            [c.notification_id for c in claims],
            [c.now for c in claims],
            [c.provider for c in claims],
            [c.quiet for c in claims],
        )
    claimed = {int(row["id"]): row for row in rows}
    return [
        Notification._init_from_db(**row)
        if (row := claimed.pop(c.notification_id, None)) is not None
        else None
        for c in claims
    ]


@dataclass(frozen=True)
class _Sent:
    notification_id: int
    reference: str
    now: datetime


# The provider took the text: for one row ($1 id, $2 reference, $3 now) and for many (arrays).
SENT_ONE = (
    "UPDATE notification SET status = 'SENT', provider_ref = $2, sent_at = $3, "
    "updated_at = $3, error_class = '', last_error = '' WHERE id = $1"
)
SENT_MANY = (
    "UPDATE notification AS n SET status = 'SENT', provider_ref = s.ref, sent_at = s.at, "
    "updated_at = s.at, error_class = '', last_error = '' "
    "FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) AS s(id, ref, at) "
    "WHERE n.id = s.id"
)


async def _sent_batch(connection: Any, sends: list[_Sent]) -> list[None]:
    """Record that the provider took these texts, in one statement."""
    if len(sends) == 1:
        s = sends[0]
        await connection.execute(SENT_ONE, s.notification_id, s.reference[:64], s.now)
    else:
        await connection.execute(
            SENT_MANY,
            [s.notification_id for s in sends],
            [s.reference[:64] for s in sends],
            [s.now for s in sends],
        )
    return [None] * len(sends)


# The two statements of every send, grouped across the sends running at once (see batches).
_claims = Grouped(_claim_batch)
_sent = Grouped(_sent_batch)


async def _release(notification_id: int, until: datetime, now: datetime, reason: str) -> None:
    """Give a claimed row back unsent (no provider call was made): ledger cleared, not counted."""
    await Notification.filter(id=notification_id).update(
        status=NotificationStatus.PENDING,
        next_attempt_at=until,
        last_error=reason,
        send_started_at=None,
        attempts=F("attempts") - 1,
        updated_at=now,
    )


async def _claim_checked(  # noqa: PLR0911  (each outcome returns the row's status)
    notification_id: int,
    provider: SmsProvider,
    limiter: RateLimiter,
    policy: DeliveryPolicy,
    now: datetime,
) -> NotificationStatus | tuple[Notification, str]:
    """Every other case, under the row's lock: reconcile a ledger, quiet hours, limits, failures.

    Returns the row's status when nothing is to be sent now, else the claimed row and its text.
    """
    async with in_transaction():
        row = await Notification.filter(id=notification_id).select_for_update().first()
        if row is None or row.status in FINAL:
            return row.status if row else NotificationStatus.CANCELLED
        stuck_after = timedelta(seconds=policy.stuck_seconds)
        if row.status is NotificationStatus.SENDING and row.updated_at > now - stuck_after:
            return row.status  # another worker is on it
        if row.status is NotificationStatus.PENDING and (row.next_attempt_at or now) > now:
            return row.status  # a stale job: the row waits for its backoff or limit
        key = key_of(row.id)
        if row.send_started_at is not None:
            found = await provider.find(key, row.phone, row.send_started_at.date())
            if found is not None:
                await _finish(
                    row,
                    NotificationStatus.SENT,
                    now,
                    provider_ref=found,
                    provider=provider.name,
                    sent_at=now,
                )
                log.info("uncertain send reconciled: it went out", notification=row.id)
                return row.status
        local = now.astimezone(ZoneInfo(policy.timezone))
        if not row.urgent and _in_quiet_hours(policy, local):
            await _defer(row, _quiet_until(policy, local), now, "quiet hours", keep_ledger=False)
            return row.status
        if not row.phone:
            await _finish(
                row,
                NotificationStatus.FAILED,
                now,
                error_class=ErrorClass.INVALID_NUMBER.value,
                last_error="no phone number",
            )
            return row.status
        wait = await _limits_allow(limiter, policy, row.phone)
        if wait:
            await _defer(
                row, now + timedelta(seconds=wait), now, "per-number limit", keep_ledger=False
            )
            return row.status
        text = render(await template_text(row.kind), row.params)
        row.status = NotificationStatus.SENDING
        row.send_started_at = now
        row.attempts += 1
        row.provider = provider.name
        row.updated_at = now
        await row.save(
            update_fields=["status", "send_started_at", "attempts", "provider", "updated_at"]
        )
    return row, text


async def deliver(
    notification_id: int,
    provider: SmsProvider,
    limiter: RateLimiter,
    policy: DeliveryPolicy,
    now: datetime,
) -> NotificationStatus:
    """Send one notification at most once; returns its status afterwards."""
    local = now.astimezone(ZoneInfo(policy.timezone))
    quiet = _in_quiet_hours(policy, local)
    row = await _claims.run(_Claim(notification_id, provider.name, now, quiet))
    if row is not None:
        wait = await _limits_allow(limiter, policy, row.phone)
        if wait:
            await _release(row.id, now + timedelta(seconds=wait), now, "per-number limit")
            return NotificationStatus.PENDING
        text = render(await template_text(row.kind), row.params)
    else:
        claimed = await _claim_checked(notification_id, provider, limiter, policy, now)
        if isinstance(claimed, NotificationStatus):
            return claimed
        row, text = claimed
    key = key_of(row.id)
    # The ledger is committed: whatever happens during the call, a later attempt reconciles.
    outgoing = OutgoingText(key=key, phone=row.phone, text=text, template=row.kind.value,
                            params={k: param_text(v) for k, v in row.params.items()})  # fmt: skip
    try:
        reference = await provider.send(outgoing)
    except UncertainSend as exc:
        async with in_transaction():
            await _defer(
                row,
                now + timedelta(seconds=policy.backoff_seconds),
                now,
                f"uncertain: {exc}",
                keep_ledger=True,
            )
        return row.status
    except ProviderError as exc:
        async with in_transaction():
            if (
                exc.error_class in (ErrorClass.INVALID_NUMBER, ErrorClass.FATAL)
                or row.attempts >= MAX_ATTEMPTS
            ):
                await _finish(
                    row,
                    NotificationStatus.FAILED,
                    now,
                    error_class=exc.error_class.value,
                    last_error=str(exc)[:500],
                )
            else:
                delay = policy.backoff_seconds * 2 ** (row.attempts - 1)
                row.error_class = exc.error_class.value
                await _defer(row, now + timedelta(seconds=delay), now, str(exc), keep_ledger=False)
        return row.status
    # One UPDATE (shared with other sends finishing now), atomic by itself: no transaction.
    await _sent.run(_Sent(row.id, reference, now))
    return NotificationStatus.SENT
