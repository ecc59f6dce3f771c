"""The access log's hash chain: any changed, removed, inserted or reordered entry is found."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from models.audit.chain import GENESIS, Entry, entry_hash, verify

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _chain(count: int) -> list[tuple[Entry, str, str]]:
    rows = []
    prev = GENESIS
    for seq in range(1, count + 1):
        entry = Entry(
            seq=seq,
            at=START + timedelta(minutes=seq),
            actor_id=seq % 3 + 1,
            actor_name=f"clerk{seq % 3}",
            actor_role="CLERK",
            hall_path="1.",
            subject=f"case:JN-20261201-{seq:06d}",
            fields_seen=["applicant_name", "applicant_phone"],
            purpose="电话回访",
        )
        digest = entry_hash(prev, entry)
        rows.append((entry, prev, digest))
        prev = digest
    return rows


def test_an_intact_chain_verifies() -> None:
    rows = _chain(20)
    verdict = verify(rows)
    assert (verdict.checked, verdict.broken_at, verdict.last_hash) == (20, None, rows[-1][2])
    assert verify([]).broken_at is None


def test_the_hash_covers_every_field_and_the_link() -> None:
    entry, prev, digest = _chain(1)[0]
    changes = {
        "seq": 2,
        "at": entry.at + timedelta(microseconds=1),
        "actor_id": 99,
        "actor_name": "someone",
        "actor_role": "ADMIN",
        "hall_path": "2.",
        "subject": "case:other",
        "fields_seen": ["applicant_name"],
        "purpose": "其他",
    }
    for name, value in changes.items():
        assert entry_hash(prev, replace(entry, **{name: value})) != digest, name  # type: ignore[arg-type]
    assert entry_hash("f" * 64, entry) != digest


@given(st.data())
def test_any_tampering_breaks_the_chain_where_it_happened(data: st.DataObject) -> None:
    rows = _chain(data.draw(st.integers(min_value=2, max_value=15)))
    index = data.draw(st.integers(min_value=0, max_value=len(rows) - 1))
    how = data.draw(st.sampled_from(["edit", "remove", "swap", "insert", "relink"]))
    tampered = list(rows)
    entry, prev, digest = rows[index]
    if how == "edit":
        tampered[index] = (replace(entry, purpose=entry.purpose + "!"), prev, digest)
    elif how == "remove":
        del tampered[index]
        if index == len(rows) - 1:  # a cut tail: only an outside anchor (lastHash) tells
            assert verify(tampered).last_hash != rows[-1][2]
            return
    elif how == "swap":
        other = index - 1 if index else 1
        tampered[index], tampered[other] = tampered[other], tampered[index]
        index = min(index, other)
    elif how == "insert":
        forged = replace(entry, subject="case:forged")
        tampered.insert(index, (forged, prev, entry_hash(prev, forged)))
        index += 1  # the forgery itself links; the entry it displaced no longer does
    else:  # an edit with its own hash recomputed: the next entry's link breaks
        edited = replace(entry, purpose="改过")
        tampered[index] = (edited, prev, entry_hash(prev, edited))
        if index == len(rows) - 1:
            assert verify(tampered).last_hash != rows[-1][2]  # only an outside anchor tells
            return
        index += 1
    verdict = verify(tampered)
    assert verdict.broken_at is not None
    assert verdict.checked == index
