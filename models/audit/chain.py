"""The hash chain of the access log: pure functions, no ORM, no clock."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    """The hashed content of one entry."""

    seq: int
    at: datetime
    actor_id: int | None
    actor_name: str
    actor_role: str
    hall_path: str
    subject: str
    fields_seen: Sequence[str]
    purpose: str


def entry_hash(prev_hash: str, entry: Entry) -> str:
    """SHA-256 of the previous hash and the entry's canonical JSON."""
    content = {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "actor_role": entry.actor_role,
        "hall_path": entry.hall_path,
        "subject": entry.subject,
        "fields_seen": list(entry.fields_seen),
        "purpose": entry.purpose,
    }
    payload = orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(prev_hash.encode() + payload).hexdigest()


@dataclass(frozen=True)
class Verdict:
    """How far the chain holds: entries checked, and the first seq that breaks it (if any)."""

    checked: int
    broken_at: int | None
    last_hash: str


def verify(
    rows: Iterable[tuple[Entry, str, str]], prev_hash: str = GENESIS, expect_seq: int = 1
) -> Verdict:
    """Check (entry, prev_hash, hash) rows in seq order: links, hashes and gap-free seqs."""
    checked = 0
    for entry, stored_prev, stored_hash in rows:
        if (
            entry.seq != expect_seq
            or stored_prev != prev_hash
            or entry_hash(stored_prev, entry) != stored_hash
        ):
            return Verdict(checked, entry.seq, prev_hash)
        prev_hash, expect_seq, checked = stored_hash, expect_seq + 1, checked + 1
    return Verdict(checked, None, prev_hash)
