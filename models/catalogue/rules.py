"""Pure rules of the catalogue: drafts, validation, search keys and window transitions."""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pypinyin import Style, lazy_pinyin, pinyin

from models.catalogue.errors import WindowStateError
from models.catalogue.tables import DayUnit, HallLevel, ItemKind, WindowKind, WindowState
from models.common.checks import Checks

CODE_PATTERN = r"[A-Za-z0-9_-]+"
CODE_HINT = "只能包含字母、数字、下划线和连字符"
LEVEL_RANK = {HallLevel.CITY: 0, HallLevel.COUNTY: 1, HallLevel.TOWN: 2, HallLevel.VILLAGE: 3}
MAX_LIMIT_DAYS = 366
MAX_LANE_NUMBER = 9999


class MaterialForm(StrEnum):
    """The form a material is handed in."""

    ORIGINAL = "ORIGINAL"
    COPY = "COPY"
    ORIGINAL_AND_COPY = "ORIGINAL_AND_COPY"


@dataclass(frozen=True)
class HallDraft:
    """What it takes to create a hall."""

    code: str
    name: str
    level: HallLevel
    region: str
    parent_id: int | None = None
    timezone: str = "Asia/Shanghai"
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class DepartmentDraft:
    """What it takes to station a department in a hall."""

    hall_id: int
    code: str
    name: str
    short_name: str = ""


@dataclass(frozen=True)
class Material:
    """A required or conditional application material."""

    name: str
    form: MaterialForm = MaterialForm.ORIGINAL
    copies: int = 1
    required: bool = True
    condition: str = ""


@dataclass(frozen=True)
class Fee:
    """A fee with its legal basis; amounts are in yuan with two decimals."""

    name: str
    amount: Decimal
    legal_basis: str


@dataclass(frozen=True)
class JointDepartment:
    """A co-handling department of a joint item, with its own limit (并联审批)."""

    department_id: int
    limit: int


@dataclass(frozen=True)
class ItemElements:
    """The published elements of a service item that versions track."""

    name: str
    kind: ItemKind
    legal_limit: int
    promised_limit: int
    day_unit: DayUnit
    visits_required: int = 1
    citywide: bool = False
    legal_basis: str = ""
    conditions: str = ""
    result_name: str = ""
    consult_phone: str = ""
    materials: tuple[Material, ...] = ()
    fees: tuple[Fee, ...] = ()
    steps: tuple[str, ...] = ("受理", "审查", "决定", "送达")
    investment_project: bool = False
    joint_departments: tuple[JointDepartment, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready snapshot (the version record)."""
        data = asdict(self)
        data["kind"] = self.kind.value
        data["day_unit"] = self.day_unit.value
        data["materials"] = [asdict(m) for m in self.materials]
        data["fees"] = [fee_to_json(f) for f in self.fees]
        data["steps"] = list(self.steps)
        data["joint_departments"] = [asdict(j) for j in self.joint_departments]
        return data


def elements_from_json(data: dict[str, Any]) -> ItemElements:
    """A version snapshot back as ItemElements."""
    values = dict(data)
    values["kind"] = ItemKind(data["kind"])
    values["day_unit"] = DayUnit(data["day_unit"])
    values["materials"] = tuple(material_from_json(m) for m in data["materials"])
    values["fees"] = tuple(fee_from_json(f) for f in data["fees"])
    values["steps"] = tuple(data["steps"])
    values["investment_project"] = bool(data.get("investment_project", False))
    values["joint_departments"] = tuple(
        JointDepartment(int(j["department_id"]), int(j["limit"]))
        for j in data.get("joint_departments", [])
    )
    return ItemElements(**values)


def fee_to_json(fee: Fee) -> dict[str, str]:
    """A fee as stored: the amount as a decimal string."""
    return {"name": fee.name, "amount": f"{fee.amount:.2f}", "legal_basis": fee.legal_basis}


def fee_from_json(data: dict[str, str]) -> Fee:
    """A stored fee back as a Fee."""
    return Fee(name=data["name"], amount=Decimal(data["amount"]), legal_basis=data["legal_basis"])


def material_from_json(data: dict[str, Any]) -> Material:
    """A stored material back as a Material."""
    return Material(**{**data, "form": MaterialForm(data["form"])})


@dataclass(frozen=True)
class LaneDraft:
    """What it takes to create a lane."""

    hall_id: int
    prefix: str
    name: str
    range_start: int = 1
    range_end: int = 999
    daily_cap: int = 500
    average_service_minutes: int = 10
    item_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class WindowDraft:
    """What it takes to create a window."""

    hall_id: int
    number: str
    name: str
    kind: WindowKind
    department_id: int | None = None
    lane_ids: tuple[int, ...] = field(default_factory=tuple)


def check_hall(draft: HallDraft, parent_level: HallLevel | None) -> None:
    """Validate a hall draft against its parent's level."""
    checks = Checks()
    checks.text(
        "code", draft.code, "大厅编码", max_len=32, pattern=CODE_PATTERN, pattern_hint=CODE_HINT
    )
    checks.text("name", draft.name, "大厅名称", min_len=2, max_len=100)
    checks.text(
        "region",
        draft.region,
        "行政区划代码",
        max_len=12,
        pattern=r"\d{6}(\d{3}(\d{3})?)?",
        pattern_hint="应为6、9或12位数字（GB/T 2260）",
    )
    if parent_level is not None and LEVEL_RANK[draft.level] <= LEVEL_RANK[parent_level]:
        checks.fail("level", "LEVEL_NOT_BELOW_PARENT", "下级大厅的层级必须低于上级大厅")
    try:
        ZoneInfo(draft.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        checks.fail("timezone", "INVALID_FORMAT", "时区无效，应为 Asia/Shanghai 这样的 IANA 时区")
    checks.text("address", draft.address, "地址", min_len=0, max_len=255)
    checks.text("phone", draft.phone, "电话", min_len=0, max_len=32)
    checks.raise_if_any()


def check_department(draft: DepartmentDraft) -> None:
    """Validate a department draft."""
    checks = Checks()
    checks.text(
        "code", draft.code, "部门编码", max_len=32, pattern=CODE_PATTERN, pattern_hint=CODE_HINT
    )
    checks.text("name", draft.name, "部门名称", min_len=2, max_len=100)
    checks.text("short_name", draft.short_name, "部门简称", min_len=0, max_len=32)
    checks.raise_if_any()


def check_item_code(code: str) -> None:
    """Validate an implementation code (实施编码)."""
    checks = Checks()
    checks.text(
        "code",
        code,
        "实施编码",
        min_len=4,
        max_len=64,
        pattern=r"[A-Za-z0-9-]+",
        pattern_hint="只能包含字母、数字和连字符",
    )
    checks.raise_if_any()


def check_item_elements(elements: ItemElements) -> None:
    """Validate an item's elements; the promised limit may never exceed the legal one."""
    checks = Checks()
    checks.text("name", elements.name, "事项名称", min_len=2, max_len=200)
    legal_ok = checks.int_range("legal_limit", elements.legal_limit, "法定时限", 0, MAX_LIMIT_DAYS)
    promised_ok = checks.int_range(
        "promised_limit", elements.promised_limit, "承诺时限", 0, MAX_LIMIT_DAYS
    )
    if legal_ok and promised_ok:
        if elements.promised_limit > elements.legal_limit:
            checks.fail(
                "promised_limit",
                "PROMISED_EXCEEDS_LEGAL",
                f"承诺时限（{elements.promised_limit}天）不能超过法定时限（{elements.legal_limit}天）",
            )
        if elements.kind is ItemKind.IMMEDIATE and elements.promised_limit != 0:
            checks.fail("promised_limit", "IMMEDIATE_HAS_NO_LIMIT", "即办件当场办结，承诺时限应为0")
        if elements.kind is not ItemKind.IMMEDIATE and elements.promised_limit < 1:
            checks.fail("promised_limit", "LIMIT_REQUIRED", "非即办件的承诺时限至少为1天")
    checks.int_range("visits_required", elements.visits_required, "到现场次数", 0, 10)
    checks.text("legal_basis", elements.legal_basis, "设定依据", min_len=0, max_len=5000)
    checks.text("conditions", elements.conditions, "申请条件", min_len=0, max_len=5000)
    checks.text("result_name", elements.result_name, "办理结果", min_len=0, max_len=200)
    checks.text("consult_phone", elements.consult_phone, "咨询电话", min_len=0, max_len=32)
    for index, material in enumerate(elements.materials):
        at = ("materials", index)
        checks.text((*at, "name"), material.name, "材料名称", max_len=200)
        checks.int_range((*at, "copies"), material.copies, "份数", 1, 99)
        if not material.required and not material.condition.strip():
            checks.fail((*at, "condition"), "REQUIRED", "容缺或按情形提交的材料须写明适用情形")
    for index, fee in enumerate(elements.fees):
        at = ("fees", index)
        checks.text((*at, "name"), fee.name, "收费项目", max_len=100)
        checks.text((*at, "legal_basis"), fee.legal_basis, "收费依据", max_len=1000)
        if not _valid_amount(fee.amount):
            checks.fail((*at, "amount"), "INVALID_AMOUNT", "收费金额应为不小于0、最多两位小数的数")
    _check_joint(checks, elements)
    if not elements.steps:
        checks.fail("steps", "REQUIRED", "办理流程至少包含一个环节")
    for index, step in enumerate(elements.steps):
        checks.text(("steps", index), step, "流程环节", max_len=100)
    checks.raise_if_any()


def _check_joint(checks: Checks, elements: ItemElements) -> None:
    """A joint item names its co-handling departments, each once, each within the promised limit."""
    joint = elements.joint_departments
    if elements.kind is not ItemKind.JOINT:
        if joint:
            checks.fail("joint_departments", "NOT_JOINT", "只有联办件可以设置协办部门")
        return
    if not joint:
        checks.fail("joint_departments", "REQUIRED", "联办件至少需要一个协办部门")
    seen: set[int] = set()
    for index, entry in enumerate(joint):
        if entry.department_id in seen:
            checks.fail(("joint_departments", index, "department_id"), "DUPLICATE", "协办部门重复")
        seen.add(entry.department_id)
        if not 1 <= entry.limit <= max(elements.promised_limit, 1):
            checks.fail(
                ("joint_departments", index, "limit"),
                "OUT_OF_RANGE",
                f"协办时限应在1到承诺时限（{elements.promised_limit}天）之间",
            )


def _valid_amount(amount: Decimal) -> bool:
    try:
        return amount >= 0 and amount == amount.quantize(Decimal("0.01")) and amount < 10**9
    except InvalidOperation:
        return False


def check_lane(draft: LaneDraft) -> None:
    """Validate a lane: one capital letter, a number range and a cap that fits it."""
    checks = Checks()
    checks.text(
        "prefix",
        draft.prefix,
        "号段字母",
        max_len=1,
        pattern=r"[A-Z]",
        pattern_hint="应为一个大写字母",
    )
    checks.text("name", draft.name, "号段名称", min_len=2, max_len=100)
    start_ok = checks.int_range("range_start", draft.range_start, "起始号", 1, MAX_LANE_NUMBER)
    end_ok = checks.int_range("range_end", draft.range_end, "结束号", 1, MAX_LANE_NUMBER)
    if start_ok and end_ok:
        if draft.range_end < draft.range_start:
            checks.fail("range_end", "RANGE_INVERTED", "结束号不能小于起始号")
        else:
            size = draft.range_end - draft.range_start + 1
            checks.int_range("daily_cap", draft.daily_cap, "每日上限", 1, size)
    checks.int_range(
        "average_service_minutes", draft.average_service_minutes, "平均办理时长（分钟）", 1, 480
    )
    checks.raise_if_any()


def check_window(draft: WindowDraft) -> None:
    """Validate a window: a general window serves every lane, a dedicated one names its lanes."""
    checks = Checks()
    checks.text(
        "number",
        draft.number,
        "窗口号",
        max_len=16,
        pattern=r"[A-Za-z0-9-]+",
        pattern_hint="只能包含字母、数字和连字符",
    )
    checks.text("name", draft.name, "窗口名称", min_len=2, max_len=100)
    if draft.kind is WindowKind.GENERAL and draft.lane_ids:
        checks.fail("lane_ids", "GENERAL_SERVES_ALL", "综合窗口服务所有号段，无需指定号段")
    if draft.kind is WindowKind.DEDICATED and not draft.lane_ids:
        checks.fail("lane_ids", "REQUIRED", "专窗须指定至少一个号段")
    if len(set(draft.lane_ids)) != len(draft.lane_ids):
        checks.fail("lane_ids", "DUPLICATE", "号段不能重复")
    checks.raise_if_any()


WINDOW_TRANSITIONS: dict[WindowState, frozenset[WindowState]] = {
    WindowState.CLOSED: frozenset({WindowState.OPEN}),
    WindowState.OPEN: frozenset({WindowState.PAUSED, WindowState.CLOSED}),
    WindowState.PAUSED: frozenset({WindowState.OPEN, WindowState.CLOSED}),
}
STATE_LABEL = {WindowState.CLOSED: "关闭", WindowState.OPEN: "开放", WindowState.PAUSED: "暂停"}


def check_window_transition(current: WindowState, target: WindowState) -> None:
    """Raise unless a window may move from `current` to `target`."""
    if target not in WINDOW_TRANSITIONS[current]:
        raise WindowStateError(
            f"窗口当前为{STATE_LABEL[current]}状态，不能变为{STATE_LABEL[target]}",
            current_state=current.value,
        )


MAX_READINGS = 16


def search_keys(name: str) -> tuple[str, str]:
    """Full pinyin and pinyin initials of a name; polyphones add alternative initials."""
    full = "".join(lazy_pinyin(name)).lower()
    readings = pinyin(name, style=Style.FIRST_LETTER, heteronym=True, errors="default")
    combos = 1
    for options in readings:
        combos *= max(1, len(options))
    if combos <= MAX_READINGS:
        variants = {"".join(parts).lower() for parts in itertools.product(*readings)}
    else:
        variants = set()
    default = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()
    ordered = [default, *sorted(variants - {default})]
    return full, " ".join(ordered)


def normalise_search(text: str) -> str:
    """Trim and lower-case a search text."""
    return text.strip().lower()


def is_pinyin_query(text: str) -> bool:
    """Whether a search text could be pinyin (letters only)."""
    return text.isascii() and text.isalpha()
