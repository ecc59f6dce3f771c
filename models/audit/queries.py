"""Reads of the access log for auditors: entries in scope, and the chain's verification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.queryset import QuerySet

from models.accounts.tables import Role
from models.audit.chain import GENESIS, Entry, Verdict, verify
from models.audit.tables import AccessLogEntry
from models.common.actor import Actor
from models.common.errors import Forbidden

AUDITORS = frozenset({Role.ADMIN, Role.SUPERVISOR})
ORDER = ("-seq",)
VERIFY_BATCH = 1000


@dataclass(frozen=True)
class AccessFilter:
    """Conditions on entries; all given ones must hold."""

    actor_id: int | None = None
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def require_auditor(actor: Actor) -> None:
    """Only administrators and supervisors read the access log."""
    if actor.role not in AUDITORS:
        raise Forbidden("只有管理员和督查人员可以查看访问日志")


def entries_visible(actor: Actor, given: AccessFilter) -> QuerySet[AccessLogEntry]:
    """Entries of the auditor's halls, newest first when paged by ORDER."""
    require_auditor(actor)
    query = AccessLogEntry.all()
    if actor.hall_path is not None:
        query = query.filter(hall_path__startswith=actor.hall_path)
    if given.actor_id is not None:
        query = query.filter(actor_id=given.actor_id)
    if given.subject:
        query = query.filter(subject=given.subject)
    if given.since is not None:
        query = query.filter(at__gte=given.since)
    if given.until is not None:
        query = query.filter(at__lt=given.until)
    return query


def _entry(row: AccessLogEntry) -> tuple[Entry, str, str]:
    entry = Entry(
        seq=row.seq,
        at=row.at,
        actor_id=row.actor_id,
        actor_name=row.actor_name,
        actor_role=row.actor_role,
        hall_path=row.hall_path,
        subject=row.subject,
        fields_seen=list(row.fields_seen),
        purpose=row.purpose,
    )
    return entry, row.prev_hash, row.hash


async def verify_chain(actor: Actor) -> Verdict:
    """Walk the whole chain in batches; the first entry that breaks it, if any."""
    require_auditor(actor)
    prev_hash, expect, checked = GENESIS, 1, 0
    while True:
        rows = await AccessLogEntry.filter(seq__gte=expect).order_by("seq").limit(VERIFY_BATCH)
        verdict = verify((_entry(r) for r in rows), prev_hash, expect)
        checked += verdict.checked
        if verdict.broken_at is not None or len(rows) < VERIFY_BATCH:
            return Verdict(checked, verdict.broken_at, verdict.last_hash)
        prev_hash, expect = verdict.last_hash, expect + verdict.checked
