"""Writing a case's immutable events and the texts they cause, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from tortoise import connections

from models.cases.tables import Case, CaseEvent, CaseStatus, EventKind
from models.common.actor import Actor
from models.notifications.tables import Notification, NotificationKind

# PostgreSQL channel that wakes case subscribers once the writing transaction commits.
CASE_EVENT_CHANNEL = "case_event"


async def record(
    case: Case,
    kind: EventKind,
    actor: Actor | None,
    now: datetime,
    *,
    from_status: CaseStatus | None,
    remark: str = "",
    data: Mapping[str, object] | None = None,
) -> CaseEvent:
    """Append an event to a locked (or new) case and bump its event counter."""
    case.event_count += 1
    case.updated_at = now
    await case.save(update_fields=["event_count", "updated_at"])
    event = await CaseEvent.create(
        case_id=case.id,
        seq=case.event_count,
        kind=kind,
        from_status=from_status,
        to_status=case.status,
        actor_id=actor.user_id if actor and actor.user_id else None,
        actor_name=actor.username if actor else "system",
        at=now,
        remark=remark.strip(),
        data=dict(data or {}),
    )
    # Delivered by PostgreSQL at commit only, so no subscriber sees an event that rolled back.
    await connections.get("default").execute_query(
        "SELECT pg_notify($1, $2)", [CASE_EVENT_CHANNEL, f"{case.id}:{event.seq}"]
    )
    return event


async def text_applicant(
    case: Case, kind: NotificationKind, now: datetime, params: dict[str, object]
) -> None:
    """Queue a text to the applicant in the outbox (one per case and kind)."""
    await Notification.create(
        kind=kind,
        dedupe_key=f"case:{case.id}:{kind.value}",
        phone=case.applicant_phone,
        hall_id=case.hall_id,
        case_id=case.id,
        params={"number": case.number, **params},
        created_at=now,
        updated_at=now,
    )


async def notify_liaison(case: Case, now: datetime, params: dict[str, object]) -> None:
    """Queue the 否定报备 notice to the receiving hall's investment-project liaison."""
    await Notification.create(
        kind=NotificationKind.NEGATIVE_REPORT,
        dedupe_key=f"case:{case.id}:{NotificationKind.NEGATIVE_REPORT.value}",
        hall_id=case.hall_id,
        case_id=case.id,
        params={"number": case.number, **params},
        urgent=True,
        created_at=now,
        updated_at=now,
    )


async def negative_report(case: Case, actor: Actor | None, now: datetime, reason: str) -> None:
    """Investment-project denials and refusals go to the hall's liaison (否定报备)."""
    if not case.investment_project:
        return
    case.negative_reported_at = now
    await case.save(update_fields=["negative_reported_at"])
    await record(
        case,
        EventKind.NEGATIVE_REPORTED,
        actor,
        now,
        from_status=case.status,
        remark=reason,
        data={"status": case.status.value},
    )
    await notify_liaison(case, now, {"status": case.status.value, "reason": reason})
