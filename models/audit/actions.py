"""Appending to the access log inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tortoise import connections

from models.audit.chain import GENESIS, Entry, entry_hash
from models.audit.tables import AccessLogEntry
from models.common.actor import Actor

# Appends take this transaction-level advisory lock: one chain, one writer at a time.
APPEND_LOCK = 7_240_001


async def record_access(
    actor: Actor,
    now: datetime,
    *,
    hall_path: str,
    subject: str,
    fields_seen: Sequence[str],
    purpose: str,
) -> AccessLogEntry:
    """Append one entry chained to the last; call inside the transaction that grants access."""
    await connections.get("default").execute_query(
        "SELECT pg_advisory_xact_lock($1)", [APPEND_LOCK]
    )
    last = await AccessLogEntry.all().order_by("-seq").first()
    entry = Entry(
        seq=last.seq + 1 if last else 1,
        at=now,
        actor_id=actor.user_id or None,
        actor_name=actor.username,
        actor_role=actor.role.value,
        hall_path=hall_path,
        subject=subject,
        fields_seen=list(fields_seen),
        purpose=purpose.strip(),
    )
    prev_hash = last.hash if last else GENESIS
    return await AccessLogEntry.create(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        actor_role=entry.actor_role,
        hall_path=entry.hall_path,
        subject=entry.subject,
        fields_seen=list(entry.fields_seen),
        purpose=entry.purpose,
        prev_hash=prev_hash,
        hash=entry_hash(prev_hash, entry),
    )
