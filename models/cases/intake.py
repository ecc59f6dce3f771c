"""Taking applications in: accept, ask for a correction (一次性告知) or refuse at intake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise import connections
from tortoise.transactions import in_transaction

from models.alerts.policy import policy_for
from models.alerts.rules import Policy, yellow_start
from models.calendar.queries import hall_calendar
from models.calendar.rules import WorkingCalendar
from models.cases import journal
from models.cases.access import require_receiver
from models.cases.deadlines import local_date
from models.cases.errors import CaseStateError
from models.cases.queries import case_for
from models.cases.rules import (
    Action,
    Applicant,
    Clock,
    case_number,
    check_applicant,
    check_back_entry,
    count_unit,
    deadline,
    next_status,
    normalise_applicant,
)
from models.cases.tables import Case, CaseStatus, CaseSubtask, EventKind
from models.catalogue.queries import hall_in_scope
from models.catalogue.tables import (
    DayUnit,
    Hall,
    ItemKind,
    ItemStatus,
    ServiceItem,
    ServiceItemVersion,
    Window,
)
from models.common.actor import Actor
from models.common.checks import Checks
from models.common.errors import Forbidden
from models.notifications.tables import NotificationKind

INTAKE = ("intake",)


@dataclass(frozen=True)
class Intake:
    """An application as handed in at a window."""

    item_code: str
    hall_id: int
    applicant: Applicant
    window_id: int | None = None
    ticket_id: int | None = None


@dataclass(frozen=True)
class MissingMaterial:
    """One entry of the written correction list."""

    name: str
    requirement: str = ""


@dataclass(frozen=True)
class _Checked:
    hall: Hall
    item: ServiceItem
    version: ServiceItemVersion
    applicant: Applicant
    window_id: int | None
    ticket_id: int | None


def _same_city(a: Hall, b: Hall) -> bool:
    return a.path.split("/")[1] == b.path.split("/")[1]


async def _check_intake(actor: Actor, intake: Intake, checks: Checks) -> _Checked:
    """Validate an intake; every broken rule is collected in `checks`."""
    hall = await hall_in_scope(actor, intake.hall_id)
    require_receiver(actor, hall)
    applicant = normalise_applicant(intake.applicant)
    check_applicant(checks, applicant, (*INTAKE, "applicant"))
    item = await ServiceItem.get_or_none(code=intake.item_code.strip())
    item_hall = await Hall.get_or_none(id=item.hall_id) if item else None
    if item is None or item_hall is None:
        checks.fail((*INTAKE, "item_code"), "NOT_FOUND", f"未找到服务事项：{intake.item_code}")
    elif item.status is not ItemStatus.LISTED:
        checks.fail((*INTAKE, "item_code"), "ITEM_DELISTED", "该事项已下线，不能受理新申请")
    elif item_hall.id != hall.id and not (item.citywide and _same_city(item_hall, hall)):
        checks.fail(
            (*INTAKE, "item_code"), "NOT_CITYWIDE", "该事项不支持全市通办，请到事项所属大厅办理"
        )
    window_id = intake.window_id
    if window_id is None:
        own = await Window.get_or_none(clerk_id=actor.user_id, hall_id=hall.id)
        window_id = own.id if own else None
    elif not await Window.exists(id=window_id, hall_id=hall.id):
        checks.fail((*INTAKE, "window_id"), "NOT_FOUND", "窗口不属于收件大厅")
    if intake.ticket_id is not None:
        from models.queue.tables import Ticket, TicketStatus  # noqa: PLC0415

        ticket = await Ticket.get_or_none(id=intake.ticket_id, hall_id=hall.id)
        if ticket is None or ticket.status not in (TicketStatus.CALLED, TicketStatus.FINISHED):
            checks.fail((*INTAKE, "ticket_id"), "NOT_FOUND", "号票应为本大厅已叫号或已办结的号票")
    checks.raise_if_any()
    assert item is not None  # noqa: S101  (checked above)
    version = await ServiceItemVersion.get(item_id=item.id, version=item.version)
    return _Checked(hall, item, version, applicant, window_id, intake.ticket_id)


async def _next_number(hall: Hall, now: datetime) -> str:
    """Claim the day's next sequence for the hall.

    Called outside the case's transaction: the counter row is locked for one statement only, so
    concurrent intakes at a hall do not queue behind each other's whole transaction. A number
    whose transaction then fails is not reused (a gap, like a database sequence).
    """
    day = local_date(now, hall.timezone)
    rows = await connections.get("default").execute_query_dict(
        "INSERT INTO case_number_counter (hall_id, day, last_number) VALUES ($1, $2, 1) "
        "ON CONFLICT (hall_id, day) DO UPDATE "
        "SET last_number = case_number_counter.last_number + 1 RETURNING last_number",
        [hall.id, day],
    )
    return case_number(hall.code, day, int(rows[0]["last_number"]))


def _snapshot(case: Case, version: ServiceItemVersion) -> None:
    """The item's rules as of acceptance: the case keeps them whatever changes later."""
    elements = version.elements
    case.item_version_id = version.id
    case.kind = ItemKind(str(elements["kind"]))
    case.day_unit = DayUnit(str(elements["day_unit"]))
    case.limit_days = int(str(elements["promised_limit"]))
    case.legal_limit_days = int(str(elements["legal_limit"]))
    case.investment_project = bool(elements.get("investment_project", False))


def _new_case(
    checked: _Checked, actor: Actor, status: CaseStatus, now: datetime, number: str
) -> Case:
    case = Case(
        number=number,
        hall_id=checked.hall.id,
        department_id=checked.item.department_id,
        item_id=checked.item.id,
        applicant_kind=checked.applicant.kind,
        applicant_name=checked.applicant.name,
        applicant_id_number=checked.applicant.id_number,
        applicant_phone=checked.applicant.phone,
        contact_name=checked.applicant.contact_name,
        window_id=checked.window_id,
        ticket_id=checked.ticket_id,
        status=status,
        received_at=now,
        received_by_id=actor.user_id or None,
        updated_at=now,
    )
    _snapshot(case, checked.version)
    return case


def _start_clock(  # noqa: PLR0917  (what starting a clock needs)
    case: Case,
    version: ServiceItemVersion,
    calendar: WorkingCalendar,
    accepted_at: datetime,
    tz: str,
    policy: Policy,
) -> list[CaseSubtask]:
    """Acceptance starts the clock: due dates of the case and of a joint item's sub-tasks.

    Nothing is saved here; the caller stores the case and the returned sub-tasks.
    """
    case.accepted_at = accepted_at
    case.accepted_on = local_date(accepted_at, tz)
    computed = deadline(calendar, Clock(case.accepted_on, case.limit_days, case.day_unit))
    case.due_on, case.due_provisional = computed.due, computed.provisional
    case.yellow_on = yellow_start(
        calendar,
        computed.due,
        policy.threshold_for(case.item_id),
        case.limit_days,
        count_unit(case.day_unit),
    )
    years = set(computed.years)
    tasks: list[CaseSubtask] = []
    raw = version.elements.get("joint_departments", [])
    if case.kind is ItemKind.JOINT and isinstance(raw, list):
        for entry in raw:
            limit = int(entry["limit"])
            sub = deadline(calendar, Clock(case.accepted_on, limit, case.day_unit))
            years |= sub.years
            tasks.append(
                CaseSubtask(
                    department_id=int(entry["department_id"]),
                    limit_days=limit,
                    due_on=sub.due,
                    due_provisional=sub.provisional,
                )
            )
    case.calendar_years = sorted(years)
    return tasks


async def _save_subtasks(case: Case, tasks: list[CaseSubtask]) -> None:
    for task in tasks:
        task.case_id = case.id
    if tasks:
        await CaseSubtask.bulk_create(tasks)


async def _accepted_text(case: Case, now: datetime) -> None:
    await journal.text_applicant(
        case,
        NotificationKind.CASE_ACCEPTED,
        now,
        {
            "due_on": case.due_on.isoformat() if case.due_on else "",
            "provisional": case.due_provisional,
        },
    )


async def accept(
    actor: Actor,
    intake: Intake,
    now: datetime,
    *,
    accepted_at: datetime | None = None,
    remark: str = "",
) -> Case:
    """Accept an application; admins may back-enter one accepted offline (补录)."""
    checks = Checks()
    if accepted_at is not None:
        if not actor.is_admin:
            raise Forbidden("只有管理员可以补录受理时间")
        check_back_entry(checks, accepted_at, now)
    checked = await _check_intake(actor, intake, checks)
    moment = accepted_at or now
    calendar = await hall_calendar(checked.hall)
    number = await _next_number(checked.hall, moment)
    async with in_transaction():
        case = _new_case(checked, actor, CaseStatus.ACCEPTED, moment, number)
        policy = await policy_for(checked.hall.id)
        tasks = _start_clock(case, checked.version, calendar, moment, checked.hall.timezone, policy)
        case.back_entered = accepted_at is not None
        await case.save()
        await _save_subtasks(case, tasks)
        kind = EventKind.BACK_ENTERED if accepted_at is not None else EventKind.ACCEPTED
        data: dict[str, object] = {
            "item_version": checked.version.version,
            "due_on": case.due_on.isoformat() if case.due_on else None,
            "provisional": case.due_provisional,
        }
        if accepted_at is not None:
            data["accepted_at"] = accepted_at.astimezone(UTC).isoformat()
            data["entered_at"] = now.astimezone(UTC).isoformat()
        await journal.record(case, kind, actor, now, from_status=None, remark=remark, data=data)
        await _accepted_text(case, now)
    return case


def _check_missing(checks: Checks, missing: list[MissingMaterial]) -> None:
    if not missing:
        checks.fail("missing_materials", "REQUIRED", "一次性告知须列明全部需补正的材料")
    for index, entry in enumerate(missing):
        checks.text(("missing_materials", index, "name"), entry.name, "材料名称", max_len=100)
        checks.text(
            ("missing_materials", index, "requirement"),
            entry.requirement,
            "补正要求",
            min_len=0,
            max_len=300,
        )


async def request_correction(
    actor: Actor, intake: Intake, missing: list[MissingMaterial], now: datetime, remark: str = ""
) -> Case:
    """Record an incomplete application and send the one written list of what is missing."""
    checks = Checks()
    _check_missing(checks, missing)
    checked = await _check_intake(actor, intake, checks)
    materials = [{"name": m.name.strip(), "requirement": m.requirement.strip()} for m in missing]
    number = await _next_number(checked.hall, now)
    async with in_transaction():
        case = _new_case(checked, actor, CaseStatus.CORRECTION_REQUESTED, now, number)
        case.missing_materials = materials
        await case.save()
        await journal.record(
            case,
            EventKind.CORRECTION_REQUESTED,
            actor,
            now,
            from_status=None,
            remark=remark,
            data={"missing_materials": materials},
        )
        await journal.text_applicant(
            case, NotificationKind.CORRECTION_REQUESTED, now, {"missing_materials": materials}
        )
    return case


def _check_reason(checks: Checks, reason: str, label: str = "理由") -> None:
    checks.text("reason", reason, label, max_len=500)


async def reject_intake(actor: Actor, intake: Intake, reason: str, now: datetime) -> Case:
    """Refuse an application at intake (不予受理), with the reason in writing."""
    checks = Checks()
    _check_reason(checks, reason, "不予受理理由")
    checked = await _check_intake(actor, intake, checks)
    number = await _next_number(checked.hall, now)
    async with in_transaction():
        case = _new_case(checked, actor, CaseStatus.REJECTED, now, number)
        case.closed_at = now
        await case.save()
        await journal.record(case, EventKind.REJECTED, actor, now, from_status=None, remark=reason)
        await journal.negative_report(case, actor, now, reason)
    return case


async def accept_corrected(actor: Actor, number: str, now: datetime, remark: str = "") -> Case:
    """Accept a case once its missing materials are in; the clock starts now."""
    async with in_transaction():
        case, _ = await case_for(actor, number, for_update=True)
        hall = await Hall.get(id=case.hall_id)
        require_receiver(actor, hall)
        status = next_status(Action.ACCEPT, case.status)
        item = await ServiceItem.get(id=case.item_id)
        if item.status is not ItemStatus.LISTED:
            raise CaseStateError("该事项已下线，不能受理", current_state=case.status.value)
        previous = case.status
        case.status = status
        version = await ServiceItemVersion.get(item_id=item.id, version=item.version)
        _snapshot(case, version)
        calendar = await hall_calendar(hall)
        policy = await policy_for(hall.id)
        tasks = _start_clock(case, version, calendar, now, hall.timezone, policy)
        await case.save()
        await _save_subtasks(case, tasks)
        await journal.record(
            case,
            EventKind.ACCEPTED,
            actor,
            now,
            from_status=previous,
            remark=remark,
            data={"due_on": case.due_on.isoformat() if case.due_on else None},
        )
        await _accepted_text(case, now)
    return case


async def reject_corrected(actor: Actor, number: str, reason: str, now: datetime) -> Case:
    """Refuse a case that was waiting for a correction."""
    checks = Checks()
    _check_reason(checks, reason, "不予受理理由")
    checks.raise_if_any()
    async with in_transaction():
        case, _ = await case_for(actor, number, for_update=True)
        require_receiver(actor, await Hall.get(id=case.hall_id))
        previous = case.status
        case.status = next_status(Action.REJECT, case.status)
        case.closed_at = now
        await case.save(update_fields=["status", "closed_at"])
        await journal.record(
            case, EventKind.REJECTED, actor, now, from_status=previous, remark=reason
        )
        await journal.negative_report(case, actor, now, reason)
    return case
