"""The access log as auditors read it."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry

from models.audit.chain import Verdict
from models.audit.tables import AccessLogEntry as AccessLogRow


@strawberry.type(
    description="One access to unmasked personal data: who, when, what and why; chained by hash."
)
class AccessLogEntry:
    """An access log entry."""

    seq: int = strawberry.field(description="Position in the log, from 1, without gaps.")
    at: datetime = strawberry.field(description="When the data was shown.")
    actor_name: str = strawberry.field(description="Username of who saw it.")
    actor_role: str = strawberry.field(description="Their role at the time.")
    subject: str = strawberry.field(description="Whose data, e.g. `case:JN-20261201-000001`.")
    fields_seen: list[str] = strawberry.field(description="Which personal fields were shown.")
    purpose: str = strawberry.field(description="The purpose stated for the access.")
    prev_hash: str = strawberry.field(description="SHA-256 of the entry before (64 zeros first).")
    hash: str = strawberry.field(
        description="SHA-256 of `prevHash` and this entry's content (canonical JSON)."
    )

    @classmethod
    def from_row(cls, row: AccessLogRow) -> Self:
        """From a stored entry."""
        return cls(
            seq=row.seq,
            at=row.at,
            actor_name=row.actor_name,
            actor_role=row.actor_role,
            subject=row.subject,
            fields_seen=list(row.fields_seen),
            purpose=row.purpose,
            prev_hash=row.prev_hash,
            hash=row.hash,
        )


@strawberry.type(description="The result of re-computing the whole access log's hash chain.")
class AccessLogVerification:
    """Chain verification."""

    checked: int = strawberry.field(description="Entries that hold, from the first.")
    valid: bool = strawberry.field(description="Whether every entry holds.")
    broken_at_seq: int | None = strawberry.field(
        description="The first entry that was changed, removed or inserted; null when valid."
    )
    last_hash: str = strawberry.field(
        description="Hash of the last entry that holds: keep it elsewhere to detect truncation."
    )

    @classmethod
    def of(cls, verdict: Verdict) -> Self:
        """From a verdict."""
        return cls(
            checked=verdict.checked,
            valid=verdict.broken_at is None,
            broken_at_seq=verdict.broken_at,
            last_hash=verdict.last_hash,
        )
