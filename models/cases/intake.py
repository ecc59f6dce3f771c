"""Taking applications in: accept, ask for a correction (一次性告知) or refuse at intake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise import connections
from tortoise.transactions import in_transaction

from models.calendar.queries import hall_calendar
from models.cases import journal
from models.cases.access import require_receiver
from models.cases.deadlines import apply_deadline, local_date
from models.cases.errors import CaseStateError
from models.cases.queries import case_for
from models.cases.rules import (
    Action,
    Applicant,
    case_number,
    check_applicant,
    check_back_entry,
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
    checks.raise_if_any()
    assert item is not None  # noqa: S101  (checked above)
    version = await ServiceItemVersion.get(item_id=item.id, version=item.version)
    return _Checked(hall, item, version, applicant, window_id)


async def _next_number(hall: Hall, now: datetime) -> str:
    """Claim the day's next sequence for the hall (row-locked until the transaction ends)."""
    day = local_date(now, hall.timezone)
    rows = await connections.get("default").execute_query_dict(
        "INSERT INTO case_number_counter (hall_id, day, last_number) VALUES ($1, $2, 1) "
        "ON CONFLICT (hall_id, day) DO UPDATE "
        "SET last_number = case_number_counter.last_number + 1 RETURNING last_number",
        [hall.id, day],
    )
    return case_number(hall.code, day, int(rows[0]["last_number"]))


SNAPSHOT_FIELDS = (
    "item_version_id",
    "kind",
    "day_unit",
    "limit_days",
    "legal_limit_days",
    "investment_project",
)


def _snapshot(case: Case, version: ServiceItemVersion) -> None:
    """The item's rules as of acceptance: the case keeps them whatever changes later."""
    elements = version.elements
    case.item_version_id = version.id
    case.kind = ItemKind(str(elements["kind"]))
    case.day_unit = DayUnit(str(elements["day_unit"]))
    case.limit_days = int(str(elements["promised_limit"]))
    case.legal_limit_days = int(str(elements["legal_limit"]))
    case.investment_project = bool(elements.get("investment_project", False))


async def _new_case(checked: _Checked, actor: Actor, status: CaseStatus, now: datetime) -> Case:
    case = Case(
        number=await _next_number(checked.hall, now),
        hall_id=checked.hall.id,
        department_id=checked.item.department_id,
        item_id=checked.item.id,
        applicant_kind=checked.applicant.kind,
        applicant_name=checked.applicant.name,
        applicant_id_number=checked.applicant.id_number,
        applicant_phone=checked.applicant.phone,
        contact_name=checked.applicant.contact_name,
        window_id=checked.window_id,
        status=status,
        received_at=now,
        received_by_id=actor.user_id or None,
        updated_at=now,
    )
    _snapshot(case, checked.version)
    await case.save()
    return case


async def _start_clock(case: Case, hall: Hall, accepted_at: datetime) -> None:
    """Acceptance starts the clock: sub-tasks of a joint item, then the due dates."""
    case.accepted_at = accepted_at
    case.accepted_on = local_date(accepted_at, hall.timezone)
    await case.save(update_fields=["accepted_at", "accepted_on"])
    version = await ServiceItemVersion.get(id=case.item_version_id)
    raw = version.elements.get("joint_departments", [])
    joint = raw if isinstance(raw, list) else []
    if case.kind is ItemKind.JOINT:
        for entry in joint:
            await CaseSubtask.get_or_create(
                case_id=case.id,
                department_id=int(entry["department_id"]),
                defaults={"limit_days": int(entry["limit"])},
            )
    await apply_deadline(case, await hall_calendar(hall))


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
    async with in_transaction():
        case = await _new_case(checked, actor, CaseStatus.ACCEPTED, moment)
        await _start_clock(case, checked.hall, moment)
        kind = EventKind.BACK_ENTERED if accepted_at is not None else EventKind.ACCEPTED
        data: dict[str, object] = {
            "item_version": checked.version.version,
            "due_on": case.due_on.isoformat() if case.due_on else None,
            "provisional": case.due_provisional,
        }
        if accepted_at is not None:
            case.back_entered = True
            await case.save(update_fields=["back_entered"])
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
    async with in_transaction():
        case = await _new_case(checked, actor, CaseStatus.CORRECTION_REQUESTED, now)
        case.missing_materials = materials
        await case.save(update_fields=["missing_materials"])
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
    async with in_transaction():
        case = await _new_case(checked, actor, CaseStatus.REJECTED, now)
        case.closed_at = now
        await case.save(update_fields=["closed_at"])
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
        await case.save(update_fields=["status", *SNAPSHOT_FIELDS])
        await _start_clock(case, hall, now)
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
