"""arq WorkerSettings built for given database and Redis URLs."""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.connections import RedisSettings
from tortoise import Tortoise

from models.common.limits import RedisRateLimiter
from models.db import tortoise_config
from models.notifications.delivery import DeliveryPolicy
from workers.jobs import (
    QUEUE_NAME,
    fold_statistics,
    lapse_subtasks,
    plan_follow_ups,
    queue_rollover,
    recompute_alert_days,
    recompute_deadlines,
    relay_notifications,
    scan_deadlines,
    send_notification,
    sweep_notifications,
    worker_heartbeat,
)
from workers.sms.config import SmsConfig, build_provider


def redis_settings(redis_url: str, retries: int = 30) -> RedisSettings:
    """arq's Redis settings for a redis:// or unix:// URL, patient with short outages."""
    settings = RedisSettings.from_dsn(redis_url)
    settings.conn_retries = retries
    settings.conn_retry_delay = 1
    return settings


def worker_settings(
    database_url: str,
    redis_url: str,
    sms: SmsConfig | None = None,
    policy: DeliveryPolicy | None = None,
) -> dict[str, Any]:
    """Settings for `arq.run_worker`: the ORM is opened and closed with the worker."""

    async def on_startup(ctx: dict[str, Any]) -> None:
        await Tortoise.init(
            config=tortoise_config(database_url, pool_size=20), _enable_global_fallback=True
        )
        ctx["sms"] = build_provider(sms or SmsConfig())
        ctx["limiter"] = RedisRateLimiter(ctx["redis"])
        ctx["policy"] = policy or DeliveryPolicy()

    async def on_shutdown(ctx: dict[str, Any]) -> None:
        if "sms" in ctx:
            await ctx["sms"].aclose()
        await Tortoise.close_connections()

    return {
        "functions": [
            worker_heartbeat,
            lapse_subtasks,
            recompute_deadlines,
            recompute_alert_days,
            scan_deadlines,
            plan_follow_ups,
            queue_rollover,
            send_notification,
            relay_notifications,
            sweep_notifications,
            fold_statistics,
        ],
        "cron_jobs": [
            cron(worker_heartbeat, second={0, 30}, run_at_startup=True),
            # The deadline scan (cards, rungs, lapsed sub-tasks) twice a minute: it reads only
            # cases at a threshold, so it costs next to nothing when nothing is due.
            cron(scan_deadlines, second={10, 40}, run_at_startup=True),
            # Days roll over at closing time: check every five minutes.
            cron(queue_rollover, minute=set(range(0, 60, 5)), second={30}),
            # Call-back tasks and default grades count in days: hourly is plenty.
            cron(plan_follow_ups, minute={20}, second={45}),
            # The outbox relay every two seconds; the sweeper every minute.
            cron(relay_notifications, second=set(range(0, 60, 2)), run_at_startup=True),
            cron(sweep_notifications, second={15}),
            # Pending changes of the figures into the rollups every five seconds: reads add
            # what is pending, so this only keeps the pending table small.
            cron(fold_statistics, second=set(range(3, 60, 5)), run_at_startup=True),
        ],
        "redis_settings": redis_settings(redis_url),
        "queue_name": QUEUE_NAME,
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        # Sends wait on the provider most of the time: many at once, and a short poll, so that a
        # burst of texts is not paced by arq's polling (its default: every 0.5 s).
        "max_jobs": 50,
        "poll_delay": 0.05,
        "queue_read_limit": 200,
        # Results live in the database (the rows' states); arq need not keep them.
        "keep_result": 0,
        "job_timeout": 300,
        "health_check_key": f"{QUEUE_NAME}:health-check",
        # `hall worker --check` reads this key: refreshed every 30 s, gone 31 s after a stop.
        "health_check_interval": 30,
    }
