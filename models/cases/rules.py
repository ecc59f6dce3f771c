"""Pure rules of cases: applicant checks, the state machine, numbers, deadlines, timeliness."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError

from models.calendar.rules import CountUnit, Deadline, Pause, WorkingCalendar, due_date
from models.cases.errors import CaseStateError
from models.cases.tables import ApplicantKind, CaseStatus, Timeliness
from models.catalogue.tables import DayUnit, ItemKind
from models.common.checks import Checks, Path

MOBILE_PATTERN = r"1[3-9]\d{9}"
# Approved extensions allowed by law (行政许可法 第四十二条, 第四十五条).
MAX_EXTENSION = {ItemKind.PROMISED: 10, ItemKind.REPORTED: 10, ItemKind.JOINT: 15}
OPEN_STATUSES = frozenset({CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.SUSPENDED})
RUNNING_STATUSES = frozenset({CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW})


class Action(StrEnum):
    """What can be done to an existing case."""

    ACCEPT = "ACCEPT"
    REJECT = "REJECT"
    START_REVIEW = "START_REVIEW"
    SUSPEND = "SUSPEND"
    RESUME = "RESUME"
    EXTEND = "EXTEND"
    DECIDE_SUBTASK = "DECIDE_SUBTASK"
    COMPLETE = "COMPLETE"
    DELIVER = "DELIVER"
    WITHDRAW = "WITHDRAW"
    FORWARD = "FORWARD"


# Action -> (statuses it may start from, status it leads to; None keeps the status).
TRANSITIONS: dict[Action, tuple[frozenset[CaseStatus], CaseStatus | None]] = {
    Action.ACCEPT: (frozenset({CaseStatus.CORRECTION_REQUESTED}), CaseStatus.ACCEPTED),
    Action.REJECT: (frozenset({CaseStatus.CORRECTION_REQUESTED}), CaseStatus.REJECTED),
    Action.START_REVIEW: (frozenset({CaseStatus.ACCEPTED}), CaseStatus.IN_REVIEW),
    Action.SUSPEND: (RUNNING_STATUSES, CaseStatus.SUSPENDED),
    Action.RESUME: (frozenset({CaseStatus.SUSPENDED}), CaseStatus.IN_REVIEW),
    Action.EXTEND: (RUNNING_STATUSES, None),
    Action.DECIDE_SUBTASK: (RUNNING_STATUSES, None),
    Action.COMPLETE: (RUNNING_STATUSES, CaseStatus.COMPLETED),
    Action.DELIVER: (frozenset({CaseStatus.COMPLETED}), CaseStatus.DELIVERED),
    Action.WITHDRAW: (OPEN_STATUSES | {CaseStatus.CORRECTION_REQUESTED}, CaseStatus.WITHDRAWN),
    Action.FORWARD: (RUNNING_STATUSES, CaseStatus.FORWARDED),
}

ACTION_LABELS = {
    Action.ACCEPT: "受理",
    Action.REJECT: "不予受理",
    Action.START_REVIEW: "开始审查",
    Action.SUSPEND: "中止（特别程序）",
    Action.RESUME: "恢复办理",
    Action.EXTEND: "延期",
    Action.DECIDE_SUBTASK: "并联审批意见",
    Action.COMPLETE: "办结",
    Action.DELIVER: "送达",
    Action.WITHDRAW: "撤回",
    Action.FORWARD: "上报",
}

STATUS_LABELS = {
    CaseStatus.CORRECTION_REQUESTED: "待补正",
    CaseStatus.REJECTED: "不予受理",
    CaseStatus.ACCEPTED: "已受理",
    CaseStatus.IN_REVIEW: "审查中",
    CaseStatus.SUSPENDED: "已中止",
    CaseStatus.COMPLETED: "已办结",
    CaseStatus.DELIVERED: "已送达",
    CaseStatus.WITHDRAWN: "已撤回",
    CaseStatus.FORWARDED: "已上报",
}


def next_status(action: Action, current: CaseStatus) -> CaseStatus:
    """The status after `action`, or CaseStateError naming the current state."""
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        raise CaseStateError(
            f"办件当前状态为「{STATUS_LABELS[current]}」，不能{ACTION_LABELS[action]}",
            current_state=current.value,
        )
    return current if target is None else target


# The actions each status allows, in TRANSITIONS' order (every case view shows them).
_ALLOWED_FROM: dict[CaseStatus, tuple[Action, ...]] = {
    status: tuple(action for action, (allowed, _) in TRANSITIONS.items() if status in allowed)
    for status in CaseStatus
}


def allowed_actions(current: CaseStatus) -> list[Action]:
    """The actions the state machine allows from a status (roles aside)."""
    return list(_ALLOWED_FROM[current])


@dataclass(frozen=True)
class Applicant:
    """Who applies: a person or an organisation, with a mobile phone."""

    kind: ApplicantKind
    name: str
    id_number: str
    phone: str
    contact_name: str = ""


def normalise_applicant(applicant: Applicant) -> Applicant:
    """Trimmed, upper-cased identifiers."""
    return Applicant(
        kind=applicant.kind,
        name=applicant.name.strip(),
        id_number=applicant.id_number.strip().upper(),
        phone=applicant.phone.strip(),
        contact_name=applicant.contact_name.strip(),
    )


def check_applicant(checks: Checks, applicant: Applicant, base: Path = ("applicant",)) -> None:
    """Name, identifier (GB 11643 or GB 32100 check character) and mobile phone."""
    checks.text((*base, "name"), applicant.name, "申请人名称", max_len=100)
    checks.text((*base, "contact_name"), applicant.contact_name, "联系人", min_len=0, max_len=50)
    field = (*base, "id_number")
    if applicant.kind is ApplicantKind.PERSON:
        _check_number(checks, field, applicant.id_number, "公民身份号码", ric.validate, length=18)
    else:
        _check_number(
            checks, field, applicant.id_number, "统一社会信用代码", uscc.validate, length=18
        )
    if not re.fullmatch(MOBILE_PATTERN, applicant.phone):
        checks.fail((*base, "phone"), "INVALID_MOBILE", "手机号码应为以1开头的11位中国大陆手机号")


def _check_number(
    checks: Checks, field: Path, value: str, label: str, validate: object, *, length: int
) -> None:
    if not value:
        checks.fail(field, "REQUIRED", f"{label}不能为空")
        return
    if len(value) != length:
        checks.fail(field, "INVALID_LENGTH", f"{label}应为{length}位")
        return
    try:
        validate(value)  # type: ignore[operator]
    except InvalidChecksum:
        checks.fail(field, "INVALID_CHECKSUM", f"{label}校验位不正确")
    except InvalidComponent:
        checks.fail(field, "INVALID_COMPONENT", f"{label}中的出生日期、地区码或机构类别无效")
    except ValidationError:
        checks.fail(field, "INVALID_FORMAT", f"{label}格式不正确")


def case_number(hall_code: str, day: date, sequence: int) -> str:
    """Readable and unique: hall code, date and the day's sequence, e.g. JNZX-20261120-000042."""
    return f"{hall_code}-{day:%Y%m%d}-{sequence:06d}"


def count_unit(unit: DayUnit) -> CountUnit:
    """The clock engine's unit for a catalogue unit."""
    return CountUnit(unit.value)


@dataclass(frozen=True)
class Clock:
    """What a case's deadline depends on."""

    accepted_on: date
    limit: int
    unit: DayUnit
    pauses: tuple[Pause, ...] = ()
    extension: int = 0


def deadline(calendar: WorkingCalendar, clock: Clock, today: date | None = None) -> Deadline:
    """The due date of a case (or sub-task) by the one clock engine."""
    return due_date(
        calendar,
        accepted_on=clock.accepted_on,
        limit=clock.limit,
        unit=count_unit(clock.unit),
        pauses=clock.pauses,
        extension=clock.extension,
        today=today,
    )


def timeliness(decided_on: date, due_on: date) -> Timeliness:
    """EARLY before the due date, ON_TIME on it, OVERDUE after it."""
    if decided_on < due_on:
        return Timeliness.EARLY
    if decided_on == due_on:
        return Timeliness.ON_TIME
    return Timeliness.OVERDUE


def check_extension(checks: Checks, kind: ItemKind, already: int, days: int) -> None:
    """Days must be positive and the total within what the law allows for the item's kind."""
    cap = MAX_EXTENSION.get(kind, 0)
    if cap == 0:
        checks.fail("days", "NOT_EXTENDABLE", "即办件不能延期")
    elif days < 1:
        checks.fail("days", "OUT_OF_RANGE", "延期天数应为正整数")
    elif already + days > cap:
        checks.fail(
            "days",
            "EXTENSION_TOO_LONG",
            f"延期总天数不能超过法定上限{cap}天（已延期{already}天）",
        )


def check_back_entry(checks: Checks, accepted_at: datetime, now: datetime) -> None:
    """A back-entered acceptance time is never in the future."""
    if accepted_at.tzinfo is None:
        checks.fail("accepted_at", "NO_TIMEZONE", "补录的受理时间必须带时区")
    elif accepted_at > now:
        checks.fail("accepted_at", "IN_FUTURE", "补录的受理时间不能晚于当前时间")


def phone_tail_matches(phone: str, verification: str) -> bool:
    """Whether the verification is the last four digits of the applicant's phone."""
    return len(verification) == 4 and phone[-4:] == verification
