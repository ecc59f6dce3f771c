"""Job functions. Each is idempotent: arq runs a job again if its worker dies mid-job."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise import connections

from models.alerts.scan import scan_deadlines as scan
from models.cases.actions import lapse_overdue_subtasks
from models.cases.deadlines import recompute_for_hall, recompute_for_year
from models.evaluations.follow_ups import plan_follow_ups as plan
from models.notifications.delivery import DeliveryPolicy, deliver, relay, sweep
from models.queue.actions import rollover
from models.statistics.fold import fold_pending

HEARTBEAT_KEY = "hall:worker:heartbeat"
QUEUE_NAME = "hall:queue"


async def worker_heartbeat(ctx: dict[str, Any]) -> str:
    """Record that a worker is alive and reaches the database (read by operators and /readyz)."""
    await connections.get("default").execute_query("SELECT 1")
    now = datetime.now(UTC).isoformat()
    await ctx["redis"].set(HEARTBEAT_KEY, now, ex=300)
    return now


async def lapse_subtasks(ctx: dict[str, Any]) -> int:
    """Count joint sub-tasks past their limit as agreement (超时默认); returns how many lapsed."""
    return await lapse_overdue_subtasks(datetime.now(UTC))


async def recompute_deadlines(ctx: dict[str, Any], region: str, year: int) -> int:
    """Recompute open cases' due dates after a calendar year changed; returns how many moved."""
    return await recompute_for_year(region, year, datetime.now(UTC))


async def scan_deadlines(ctx: dict[str, Any]) -> dict[str, object]:
    """Raise yellow and red cards, climb escalation rungs, lapse overdue sub-tasks."""
    return (await scan(datetime.now(UTC))).as_dict()


async def recompute_alert_days(ctx: dict[str, Any], hall_id: int) -> int:
    """Recompute a hall's yellow-card days after its alert policy changed."""
    return await recompute_for_hall(hall_id, datetime.now(UTC))


async def plan_follow_ups(ctx: dict[str, Any]) -> dict[str, object]:
    """Call-back tasks for unrated completed cases, or the hall's default grade."""
    result = await plan(datetime.now(UTC))
    return {"calls": result.calls, "defaults": result.defaults}


async def queue_rollover(ctx: dict[str, Any]) -> int:
    """Expire the tickets a closed day left unserved; returns how many."""
    return await rollover(datetime.now(UTC))


async def fold_statistics(ctx: dict[str, Any]) -> int:
    """Move the pending changes of the figures into the rollups; returns how many rows."""
    return await fold_pending()


async def send_notification(ctx: dict[str, Any], notification_id: int) -> str:
    """Send one outbox text at most once (see models.notifications.delivery)."""
    status = await deliver(
        notification_id,
        ctx["sms"],
        ctx["limiter"],
        ctx.get("policy", DeliveryPolicy()),
        datetime.now(UTC),
    )
    return status.value


async def relay_notifications(ctx: dict[str, Any]) -> int:
    """Turn due outbox rows into send jobs (job id per row and attempt)."""

    async def enqueue(notification_id: int, job_id: str) -> bool:
        job = await ctx["redis"].enqueue_job(
            "send_notification", notification_id, _job_id=job_id, _queue_name=QUEUE_NAME
        )
        return job is not None

    return await relay(enqueue, datetime.now(UTC))


async def sweep_notifications(ctx: dict[str, Any]) -> int:
    """Put texts left behind (lost job, killed worker) back in the outbox."""
    return await sweep(datetime.now(UTC), ctx.get("policy"))


# Periodic jobs that `hall jobs run NAME` can run at once.
PERIODIC_JOBS = {
    "heartbeat": worker_heartbeat,
    "lapse-subtasks": lapse_subtasks,
    "scan-deadlines": scan_deadlines,
    "queue-rollover": queue_rollover,
    "plan-follow-ups": plan_follow_ups,
    "relay-notifications": relay_notifications,
    "sweep-notifications": sweep_notifications,
    "fold-statistics": fold_statistics,
}
