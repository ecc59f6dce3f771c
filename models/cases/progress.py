"""The public progress lookup (办件查询): number plus phone tail, limited against enumeration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from models.cases.errors import ProgressLookupThrottled
from models.cases.rules import STATUS_LABELS, phone_tail_matches
from models.cases.tables import Case, CaseStatus
from models.catalogue.tables import Hall, ServiceItem
from models.common.limits import RateLimiter

# Per client address: lookups in a window, whatever their result.
CLIENT_LIMIT, CLIENT_WINDOW = 30, 600
# Per case number: failed verifications before the number is locked for the window.
NUMBER_FAILURES, NUMBER_WINDOW = 5, 3600
READY = frozenset({CaseStatus.COMPLETED})


@dataclass(frozen=True)
class Progress:
    """What the applicant sees: nothing personal."""

    number: str
    item_name: str
    status: CaseStatus
    stage: str
    received_on: date
    due_on: date | None
    due_provisional: bool
    collect_at: str | None
    missing_materials: tuple[str, ...]


async def verified_case(
    limiter: RateLimiter, purpose: str, *, client: str, number: str, verification: str
) -> Case | None:
    """The case whose applicant's phone ends with `verification`, or None; counted per client
    address and, for failures, per case number, so that neither can be enumerated."""
    number = number.strip()[:40]
    decision = await limiter.hit(f"{purpose}:client:{client}", CLIENT_LIMIT, CLIENT_WINDOW)
    if not decision.allowed:
        raise ProgressLookupThrottled(decision.retry_after)
    failures_key = f"{purpose}:fail:{number}"
    locked = await limiter.peek(failures_key, NUMBER_FAILURES)
    if not locked.allowed:
        raise ProgressLookupThrottled(locked.retry_after)
    case = await Case.get_or_none(number=number)
    if case is None or not phone_tail_matches(case.applicant_phone, verification.strip()):
        await limiter.hit(failures_key, NUMBER_FAILURES, NUMBER_WINDOW)
        return None
    return case


async def lookup(
    limiter: RateLimiter, *, client: str, number: str, verification: str
) -> Progress | None:
    """The progress of a case, or None when the number or the verification is wrong."""
    case = await verified_case(
        limiter, "progress", client=client, number=number, verification=verification
    )
    if case is None:
        return None
    hall = await Hall.get(id=case.hall_id)
    item = await ServiceItem.get(id=case.item_id).only("name")
    collect_at = f"{hall.name}（{hall.address}）" if hall.address else hall.name
    return Progress(
        number=case.number,
        item_name=item.name,
        status=case.status,
        stage=STATUS_LABELS[case.status],
        received_on=case.received_at.astimezone(ZoneInfo(hall.timezone)).date(),
        due_on=case.due_on,
        due_provisional=case.due_provisional,
        collect_at=collect_at if case.status in READY else None,
        missing_materials=tuple(m["name"] for m in case.missing_materials)
        if case.status is CaseStatus.CORRECTION_REQUESTED
        else (),
    )
