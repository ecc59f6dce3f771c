"""Job functions. Each is idempotent: arq runs a job again if its worker dies mid-job."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise import connections

HEARTBEAT_KEY = "hall:worker:heartbeat"


async def worker_heartbeat(ctx: dict[str, Any]) -> str:
    """Record that a worker is alive and reaches the database (read by operators and /readyz)."""
    await connections.get("default").execute_query("SELECT 1")
    now = datetime.now(UTC).isoformat()
    await ctx["redis"].set(HEARTBEAT_KEY, now, ex=300)
    return now


# Periodic jobs that `hall jobs run NAME` can run at once.
PERIODIC_JOBS = {"heartbeat": worker_heartbeat}
