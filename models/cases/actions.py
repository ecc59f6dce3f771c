"""What happens to an accepted case: review, suspension, extension, decisions, delivery, exits.

Each use case locks the case row for its transaction, so that two clerks acting at once give
one transition and one clear error, never two events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from tortoise.transactions import in_transaction

from models.alerts.lifecycle import review
from models.audit.actions import record_access
from models.calendar.queries import hall_calendar
from models.cases import journal
from models.cases.access import (
    CaseHalls,
    require_department,
    require_handler,
    require_unmask,
    require_window_side,
)
from models.cases.deadlines import apply_deadline, latest_local_date, local_date
from models.cases.errors import CaseStateError, SubtaskNotFound
from models.cases.queries import case_for
from models.cases.rules import (
    RUNNING_STATUSES,
    Action,
    check_extension,
    next_status,
    timeliness,
)
from models.cases.tables import (
    Case,
    CasePause,
    CaseSubtask,
    DeliveryMethod,
    EventKind,
    Outcome,
    SubtaskStatus,
)
from models.catalogue.tables import Hall, ItemKind
from models.common.actor import Actor
from models.common.checks import Checks
from models.common.errors import IllegalState
from models.evaluations.links import rating_link
from models.notifications.tables import NotificationKind


async def _hall(case: Case) -> Hall:
    return await Hall.get(id=case.hall_id)


def _reason(reason: str, label: str = "理由", *, required: bool = True) -> None:
    checks = Checks()
    checks.text("reason", reason, label, min_len=1 if required else 0, max_len=500)
    checks.raise_if_any()


async def _move(  # noqa: PLR0917  (one call shape for every transition)
    case: Case,
    action: Action,
    kind: EventKind,
    actor: Actor,
    now: datetime,
    remark: str,
    data: Mapping[str, object] | None = None,
) -> None:
    """Apply a state-machine step to a locked case, record it and bring its cards in line."""
    previous = case.status
    case.status = next_status(action, case.status)
    await case.save(update_fields=["status"])
    await journal.record(case, kind, actor, now, from_status=previous, remark=remark, data=data)
    hall = await Hall.get(id=case.hall_id).only("id", "timezone")
    await review(case, local_date(now, hall.timezone), now)


async def start_review(actor: Actor, number: str, now: datetime, remark: str = "") -> Case:
    """The handling department starts reviewing an accepted case."""
    async with in_transaction():
        case, halls = await case_for(actor, number, for_update=True)
        require_handler(actor, halls)
        await _move(case, Action.START_REVIEW, EventKind.REVIEW_STARTED, actor, now, remark)
    return case


async def suspend(actor: Actor, number: str, reason: str, now: datetime) -> Case:
    """Stop the clock for a special procedure (hearing, inspection, expert review...)."""
    _reason(reason, "中止理由")
    async with in_transaction():
        case, halls = await case_for(actor, number, for_update=True)
        require_handler(actor, halls)
        next_status(Action.SUSPEND, case.status)
        today = local_date(now, (await _hall(case)).timezone)
        await CasePause.create(
            case_id=case.id, reason=reason.strip(), started_at=now, started_on=today
        )
        case.suspended_since = today
        await case.save(update_fields=["suspended_since"])
        await _move(case, Action.SUSPEND, EventKind.SUSPENDED, actor, now, reason)
    return case


async def resume(actor: Actor, number: str, now: datetime, remark: str = "") -> Case:
    """Restart the clock; the due date moves by the working days spent suspended."""
    async with in_transaction():
        case, halls = await case_for(actor, number, for_update=True)
        require_handler(actor, halls)
        next_status(Action.RESUME, case.status)
        hall = await _hall(case)
        pause = (
            await CasePause.filter(case_id=case.id, ended_on__isnull=True).order_by("-id").first()
        )
        assert pause is not None  # noqa: S101  (a suspended case has an open pause)
        pause.ended_at = now
        pause.ended_on = local_date(now, hall.timezone)
        await pause.save(update_fields=["ended_at", "ended_on"])
        case.suspended_since = None
        await case.save(update_fields=["suspended_since"])
        change = await apply_deadline(case, await hall_calendar(hall))
        await _move(case, Action.RESUME, EventKind.RESUMED, actor, now, remark, change.as_data())
    return case


async def extend(actor: Actor, number: str, days: int, reason: str, now: datetime) -> Case:
    """Add approved days, within what the law allows for the item's kind (延期)."""
    async with in_transaction():
        case, halls = await case_for(actor, number, for_update=True)
        require_handler(actor, halls, approve=True)
        next_status(Action.EXTEND, case.status)
        checks = Checks()
        check_extension(checks, case.kind, case.extension_days, days)
        checks.text("reason", reason, "延期理由", max_len=500)
        checks.raise_if_any()
        case.extension_days += days
        await case.save(update_fields=["extension_days"])
        change = await apply_deadline(case, await hall_calendar(await _hall(case)))
        data = {**change.as_data(), "days": days, "total_days": case.extension_days}
        await _move(case, Action.EXTEND, EventKind.EXTENDED, actor, now, reason, data)
    return case


async def decide_subtask(
    actor: Actor, number: str, department_id: int, outcome: Outcome, *, remark: str, now: datetime
) -> Case:
    """A co-handling department gives its opinion on a joint case."""
    async with in_transaction():
        case, halls = await case_for(actor, number, for_update=True)
        require_department(actor, halls, department_id)
        next_status(Action.DECIDE_SUBTASK, case.status)
        task = await CaseSubtask.get_or_none(case_id=case.id, department_id=department_id)
        if task is None:
            raise SubtaskNotFound(number, department_id)
        if task.status is not SubtaskStatus.PENDING:
            raise IllegalState(
                "该部门已提出审批意见", code="SUBTASK_DECIDED", current_state=task.status.value
            )
        if outcome is Outcome.DENIED:
            _reason(remark, "不同意的理由")
        task.status = SubtaskStatus(outcome.value)
        task.decided_at = now
        task.decided_by_id = actor.user_id or None
        task.remark = remark.strip()
        await task.save(update_fields=["status", "decided_at", "decided_by_id", "remark"])
        await journal.record(
            case,
            EventKind.SUBTASK_DECIDED,
            actor,
            now,
            from_status=case.status,
            remark=remark,
            data={"department_id": department_id, "outcome": outcome.value},
        )
    return case


async def _lapse_subtasks(case: Case, today: date, now: datetime) -> int:
    """Pending sub-tasks past their due date count as agreement (超时默认), recorded per department."""
    lapsed = await CaseSubtask.filter(
        case_id=case.id, status=SubtaskStatus.PENDING, due_on__lt=today
    ).order_by("id")
    for task in lapsed:
        task.status = SubtaskStatus.LAPSED
        task.decided_at = now
        await task.save(update_fields=["status", "decided_at"])
        await journal.record(
            case,
            EventKind.SUBTASK_LAPSED,
            None,
            now,
            from_status=case.status,
            remark="协办部门逾期未提出意见，视为同意",
            data={"department_id": task.department_id, "due_on": str(task.due_on)},
        )
    return len(lapsed)


async def complete(actor: Actor, number: str, outcome: Outcome, note: str, now: datetime) -> Case:
    """Decide the case (准予 / 不予); a denial states its reasons, a joint case waits for all."""
    async with in_transaction():
        case, halls = await case_for(actor, number, for_update=True)
        require_handler(actor, halls)
        next_status(Action.COMPLETE, case.status)
        hall = await _hall(case)
        checks = Checks()
        if outcome is Outcome.DENIED:
            checks.text("note", note, "不予许可的理由", max_len=500)
        else:
            checks.text("note", note, "办结意见", min_len=0, max_len=500)
        checks.raise_if_any()
        if case.kind is ItemKind.JOINT:
            await _lapse_subtasks(case, local_date(now, hall.timezone), now)
            await _check_subtasks(case, outcome)
        decided_on = local_date(now, hall.timezone)
        assert case.due_on is not None  # noqa: S101  (accepted cases have a due date)
        case.decided_at = now
        case.decided_on = decided_on
        case.outcome = outcome
        case.timeliness = timeliness(decided_on, case.due_on)
        case.decision_note = note.strip()
        await case.save(
            update_fields=["decided_at", "decided_on", "outcome", "timeliness", "decision_note"]
        )
        data = {"outcome": outcome.value, "timeliness": case.timeliness.value}
        await _move(case, Action.COMPLETE, EventKind.COMPLETED, actor, now, note, data)
        await journal.text_applicant(
            case,
            NotificationKind.CASE_COMPLETED,
            now,
            {"outcome": outcome.value, "collect_at": hall.name, "address": hall.address},
        )
        await journal.text_applicant(
            case, NotificationKind.EVALUATION_INVITATION, now, {"link": rating_link(case.number)}
        )
        if outcome is Outcome.DENIED:
            await journal.negative_report(case, actor, now, note)
    return case


async def _check_subtasks(case: Case, outcome: Outcome) -> None:
    tasks = await CaseSubtask.filter(case_id=case.id)
    if any(t.status is SubtaskStatus.PENDING for t in tasks):
        raise CaseStateError(
            "并联审批尚有协办部门未提出意见，不能办结",
            code="SUBTASKS_PENDING",
            current_state=case.status.value,
        )
    if outcome is Outcome.APPROVED and any(t.status is SubtaskStatus.DENIED for t in tasks):
        raise CaseStateError(
            "有协办部门不同意，不能准予许可",
            code="SUBTASK_DENIED",
            current_state=case.status.value,
        )


@dataclass(frozen=True)
class Delivery:
    """How the result was handed over."""

    method: DeliveryMethod
    courier: str = ""
    tracking_number: str = ""
    remark: str = ""


async def deliver(actor: Actor, number: str, delivery: Delivery, now: datetime) -> Case:
    """Hand the result over at the window or send it by post (courier and tracking number)."""
    checks = Checks()
    if delivery.method is DeliveryMethod.POST:
        checks.text("courier", delivery.courier, "快递公司", max_len=50)
        checks.text("tracking_number", delivery.tracking_number, "快递单号", max_len=50)
    checks.text("remark", delivery.remark, "备注", min_len=0, max_len=500)
    checks.raise_if_any()
    async with in_transaction():
        case, halls = await case_for(actor, number, for_update=True)
        require_window_side(actor, halls)
        next_status(Action.DELIVER, case.status)
        case.delivery_method = delivery.method
        case.courier = delivery.courier.strip()
        case.tracking_number = delivery.tracking_number.strip()
        case.delivered_at = now
        case.closed_at = now
        await case.save(
            update_fields=[
                "delivery_method",
                "courier",
                "tracking_number",
                "delivered_at",
                "closed_at",
            ]
        )
        data = {
            "method": delivery.method.value,
            "courier": case.courier,
            "tracking_number": case.tracking_number,
        }
        await _move(case, Action.DELIVER, EventKind.DELIVERED, actor, now, delivery.remark, data)
    return case


async def _close_open_pause(case: Case, hall: Hall, now: datetime) -> None:
    pause = await CasePause.filter(case_id=case.id, ended_on__isnull=True).first()
    if pause is not None:
        pause.ended_at = now
        pause.ended_on = local_date(now, hall.timezone)
        await pause.save(update_fields=["ended_at", "ended_on"])
        case.suspended_since = None
        await case.save(update_fields=["suspended_since"])


async def withdraw(actor: Actor, number: str, reason: str, now: datetime) -> Case:
    """The applicant withdraws the application (撤回)."""
    _reason(reason, "撤回原因")
    async with in_transaction():
        case, halls = await case_for(actor, number, for_update=True)
        require_window_side(actor, halls)
        next_status(Action.WITHDRAW, case.status)
        await _close_open_pause(case, await _hall(case), now)
        case.closed_at = now
        await case.save(update_fields=["closed_at"])
        await _move(case, Action.WITHDRAW, EventKind.WITHDRAWN, actor, now, reason)
    return case


async def forward(actor: Actor, number: str, authority: str, remark: str, now: datetime) -> Case:
    """Report a case upward to the authority that decides it (上报件)."""
    checks = Checks()
    checks.text("authority", authority, "上报机关", max_len=200)
    checks.text("remark", remark, "备注", min_len=0, max_len=500)
    checks.raise_if_any()
    async with in_transaction():
        case, halls = await case_for(actor, number, for_update=True)
        require_handler(actor, halls)
        next_status(Action.FORWARD, case.status)
        if case.kind is not ItemKind.REPORTED:
            raise CaseStateError("只有上报件可以上报上级机关", current_state=case.status.value)
        case.forwarded_to = authority.strip()
        case.closed_at = now
        await case.save(update_fields=["forwarded_to", "closed_at"])
        data = {"authority": case.forwarded_to}
        await _move(case, Action.FORWARD, EventKind.FORWARDED, actor, now, remark, data)
    return case


async def unmask(actor: Actor, number: str, purpose: str, now: datetime) -> tuple[Case, CaseHalls]:
    """Reveal the applicant's personal data for a stated purpose; the access is recorded."""
    checks = Checks()
    checks.text("purpose", purpose, "查看目的", min_len=2, max_len=200)
    checks.raise_if_any()
    async with in_transaction():
        case, halls = await case_for(actor, number, for_update=True)
        require_unmask(actor, halls)
        # Everything the unmasked applicant shows: the contact person too, when there is one.
        fields = ["applicant_name", "applicant_id_number", "applicant_phone"]
        if case.contact_name:
            fields.append("contact_name")
        await journal.record(
            case,
            EventKind.UNMASKED,
            actor,
            now,
            from_status=case.status,
            remark=purpose,
            data={"fields": fields},
        )
        # The tamper-evident log auditors read (models/audit), in the same transaction.
        await record_access(
            actor,
            now,
            hall_path=halls.receiving_path,
            subject=f"case:{case.number}",
            fields_seen=fields,
            purpose=purpose,
        )
    return case, halls


async def lapse_overdue_subtasks(now: datetime) -> int:
    """Mark every pending sub-task past its due date as lapsed (a periodic job)."""
    latest = await latest_local_date(now)
    rows = await CaseSubtask.filter(status=SubtaskStatus.PENDING, due_on__lt=latest).values_list(
        "case_id", flat=True
    )
    count = 0
    for case_id in sorted(set(rows)):
        async with in_transaction():
            case = await Case.filter(id=case_id).select_for_update().get()
            if case.status not in RUNNING_STATUSES:
                continue
            hall = await _hall(case)
            count += await _lapse_subtasks(case, local_date(now, hall.timezone), now)
    return count
