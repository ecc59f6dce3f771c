"""Writing texts to the outbox inside the caller's transaction, once per cause."""

from __future__ import annotations

from datetime import datetime

import orjson
from tortoise import connections

# The outbox row of a text; statements that queue texts among other changes select these columns.
OUTBOX_INSERT = (
    "INSERT INTO notification (kind, dedupe_key, phone, hall_id, case_id, params, urgent, "
    "status, attempts, last_error, created_at, updated_at)"
)
# The status, attempts and last error of a new text.
PENDING = "'PENDING', 0, ''"


async def queue_text(
    dedupe_key: str,
    kind: str,
    phone: str,
    params: dict[str, object],
    *,
    now: datetime,
    hall_id: int | None = None,
    case_id: int | None = None,
    urgent: bool = False,
) -> bool:
    """Add a pending text unless one with the same key exists; returns whether it was added."""
    rows = await connections.get("default").execute_query_dict(
        f"{OUTBOX_INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, {PENDING}, $8, $8) "
        "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        [kind, dedupe_key, phone, hall_id, case_id, orjson.dumps(params).decode(), urgent, now],
    )
    return bool(rows)
