"""Use cases of the catalogue; each owns its transaction, takes the actor and `now`."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.accounts.tables import Role
from models.catalogue.errors import ClerkBusyError, DuplicateCode, ItemStatusError
from models.catalogue.queries import hall_in_scope, item_in_scope
from models.catalogue.rules import (
    DepartmentDraft,
    HallDraft,
    ItemElements,
    LaneDraft,
    WindowDraft,
    check_department,
    check_hall,
    check_item_code,
    check_item_elements,
    check_lane,
    check_window,
    check_window_transition,
    elements_from_json,
    fee_to_json,
    search_keys,
)
from models.catalogue.tables import (
    Department,
    Hall,
    ItemStatus,
    Lane,
    ServiceItem,
    ServiceItemVersion,
    Window,
    WindowKind,
    WindowState,
    WindowStateChange,
)
from models.common.actor import WINDOW_ROLES, Actor
from models.common.errors import Forbidden, InvalidInput, NotFound, Violation


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("只有大厅管理员可以维护目录")


async def create_hall(actor: Actor, draft: HallDraft, now: datetime) -> Hall:
    """Create a hall under a parent in the actor's scope (a root hall needs a city-wide admin)."""
    _require_admin(actor)
    parent = None
    if draft.parent_id is not None:
        parent = await hall_in_scope(actor, draft.parent_id)
    elif not actor.city_wide:
        raise Forbidden("只有全市管理员可以创建顶级大厅")
    check_hall(draft, parent.level if parent else None)
    async with in_transaction():
        if await Hall.exists(code=draft.code):
            raise DuplicateCode("大厅编码", draft.code, field="code")
        try:
            hall = await Hall.create(
                code=draft.code,
                name=draft.name.strip(),
                level=draft.level,
                parent_id=draft.parent_id,
                path="",
                region=draft.region,
                timezone=draft.timezone,
                address=draft.address.strip(),
                phone=draft.phone.strip(),
                created_at=now,
            )
        except IntegrityError as exc:
            raise DuplicateCode("大厅编码", draft.code, field="code") from exc
        hall.path = f"{parent.path if parent else '/'}{hall.id}/"
        await hall.save(update_fields=["path"])
    return hall


async def create_department(actor: Actor, draft: DepartmentDraft, now: datetime) -> Department:
    """Station a department in a hall of the actor's scope."""
    _require_admin(actor)
    await hall_in_scope(actor, draft.hall_id)
    check_department(draft)
    short_name = draft.short_name.strip() or draft.name.strip()[:32]
    async with in_transaction():
        if await Department.exists(hall_id=draft.hall_id, code=draft.code):
            raise DuplicateCode("部门编码", draft.code, field="code")
        if await Department.exists(hall_id=draft.hall_id, name=draft.name.strip()):
            raise DuplicateCode("部门名称", draft.name, field="name")
        try:
            return await Department.create(
                hall_id=draft.hall_id,
                code=draft.code,
                name=draft.name.strip(),
                short_name=short_name,
                created_at=now,
            )
        except IntegrityError as exc:
            raise DuplicateCode("部门编码", draft.code, field="code") from exc


async def _department_in_scope(actor: Actor, department_id: int) -> Department:
    department = await Department.get_or_none(id=department_id).prefetch_related("hall")
    if department is None or not actor.sees(department.hall.path):
        raise NotFound("部门", str(department_id))
    return department


async def _check_joint_departments(lead: Department, elements: ItemElements) -> None:
    """Co-handling departments exist in the lead department's hall and are not the lead."""
    violations = []
    for index, entry in enumerate(elements.joint_departments):
        field = ("joint_departments", index, "department_id")
        if entry.department_id == lead.id:
            violations.append(Violation(field, "LEAD_DEPARTMENT", "协办部门不能是牵头部门本身"))
        elif not await Department.exists(id=entry.department_id, hall_id=lead.hall_id):
            violations.append(Violation(field, "NOT_FOUND", "协办部门应为同一大厅的进驻部门"))
    if violations:
        raise InvalidInput(violations)


def _element_columns(elements: ItemElements) -> dict[str, Any]:
    full, initials = search_keys(elements.name)
    return {
        "name": elements.name.strip(),
        "name_pinyin": full,
        "name_initials": initials,
        "kind": elements.kind,
        "legal_limit": elements.legal_limit,
        "promised_limit": elements.promised_limit,
        "day_unit": elements.day_unit,
        "visits_required": elements.visits_required,
        "citywide": elements.citywide,
        "investment_project": elements.investment_project,
        "joint_departments": [dataclasses.asdict(j) for j in elements.joint_departments],
        "legal_basis": elements.legal_basis.strip(),
        "conditions": elements.conditions.strip(),
        "result_name": elements.result_name.strip(),
        "consult_phone": elements.consult_phone.strip(),
        "materials": [dataclasses.asdict(m) for m in elements.materials],
        "fees": [fee_to_json(f) for f in elements.fees],
        "steps": list(elements.steps),
    }


async def create_item(
    actor: Actor,
    *,
    department_id: int,
    code: str,
    elements: ItemElements,
    now: datetime,
    note: str = "",
) -> ServiceItem:
    """Publish a service item (version 1) for a department of the actor's scope."""
    _require_admin(actor)
    department = await _department_in_scope(actor, department_id)
    check_item_code(code)
    check_item_elements(elements)
    await _check_joint_departments(department, elements)
    async with in_transaction():
        if await ServiceItem.exists(code=code):
            raise DuplicateCode("实施编码", code, field="code")
        try:
            item = await ServiceItem.create(
                code=code,
                hall_id=department.hall_id,
                department_id=department.id,
                status=ItemStatus.LISTED,
                listed_at=now,
                version=1,
                **_element_columns(elements),
            )
        except IntegrityError as exc:
            raise DuplicateCode("实施编码", code, field="code") from exc
        await ServiceItemVersion.create(
            item=item,
            version=1,
            elements=elements.to_json(),
            change_note=note.strip() or "首次发布",
            changed_by_id=actor.user_id or None,
            created_at=now,
        )
    return item


async def update_item(
    actor: Actor,
    item_id: int,
    *,
    changes: dict[str, Any],
    note: str,
    now: datetime,
) -> ServiceItem:
    """Change an item's elements; the old version stays for the cases accepted under it."""
    _require_admin(actor)
    await item_in_scope(actor, item_id)
    if not note.strip():
        raise InvalidInput.single("note", "REQUIRED", "请填写变更说明")
    async with in_transaction():
        item = await ServiceItem.filter(id=item_id).select_for_update().get()
        current = await ServiceItemVersion.get(item_id=item.id, version=item.version)
        elements = elements_from_json(current.elements)
        unknown = set(changes) - {f.name for f in dataclasses.fields(ItemElements)}
        if unknown:
            raise ValueError(f"unknown item elements: {sorted(unknown)}")
        updated = dataclasses.replace(elements, **changes)
        check_item_elements(updated)
        await _check_joint_departments(await Department.get(id=item.department_id), updated)
        if updated == elements:
            return item
        item.version += 1
        for column, value in _element_columns(updated).items():
            setattr(item, column, value)
        await item.save()
        await ServiceItemVersion.create(
            item=item,
            version=item.version,
            elements=updated.to_json(),
            change_note=note.strip(),
            changed_by_id=actor.user_id or None,
            created_at=now,
        )
    return item


async def elements_of(item: ServiceItem) -> ItemElements:
    """The current elements of an item, as the rules see them."""
    version = await ServiceItemVersion.get(item_id=item.id, version=item.version)
    return elements_from_json(version.elements)


async def set_item_listing(
    actor: Actor, item_id: int, *, listed: bool, reason: str, now: datetime
) -> ServiceItem:
    """Delist (withdraw) or relist an item; the dates are kept."""
    _require_admin(actor)
    await item_in_scope(actor, item_id)
    if not listed and not reason.strip():
        raise InvalidInput.single("reason", "REQUIRED", "请填写下架原因")
    if len(reason) > 500:
        raise InvalidInput.single("reason", "TOO_LONG", "原因不能超过500个字符")
    async with in_transaction():
        item = await ServiceItem.filter(id=item_id).select_for_update().get()
        target = ItemStatus.LISTED if listed else ItemStatus.DELISTED
        if item.status == target:
            label = "已上架" if listed else "已下架"
            raise ItemStatusError(f"事项{label}", current_state=item.status.value)
        item.status = target
        if listed:
            item.listed_at = now
            item.delisted_at = None
            item.delist_reason = ""
        else:
            item.delisted_at = now
            item.delist_reason = reason.strip()
        await item.save()
    return item


async def create_lane(actor: Actor, draft: LaneDraft, now: datetime) -> Lane:
    """Create a lane serving items of the same hall."""
    _require_admin(actor)
    await hall_in_scope(actor, draft.hall_id)
    check_lane(draft)
    items = await ServiceItem.filter(id__in=list(draft.item_ids), hall_id=draft.hall_id)
    if len(items) != len(set(draft.item_ids)):
        raise InvalidInput.single("item_ids", "NOT_IN_HALL", "所选事项不存在或不属于该大厅")
    async with in_transaction():
        if await Lane.exists(hall_id=draft.hall_id, prefix=draft.prefix):
            raise DuplicateCode("号段字母", draft.prefix, field="prefix")
        try:
            lane = await Lane.create(
                hall_id=draft.hall_id,
                prefix=draft.prefix,
                name=draft.name.strip(),
                range_start=draft.range_start,
                range_end=draft.range_end,
                daily_cap=draft.daily_cap,
                average_service_minutes=draft.average_service_minutes,
                created_at=now,
            )
        except IntegrityError as exc:
            raise DuplicateCode("号段字母", draft.prefix, field="prefix") from exc
        if items:
            await lane.items.add(*items)
    return lane


async def create_window(actor: Actor, draft: WindowDraft, now: datetime) -> Window:
    """Create a window; a dedicated one serves lanes of its own hall."""
    _require_admin(actor)
    await hall_in_scope(actor, draft.hall_id)
    check_window(draft)
    if draft.department_id is not None:
        department = await Department.get_or_none(id=draft.department_id, hall_id=draft.hall_id)
        if department is None:
            raise InvalidInput.single("department_id", "NOT_IN_HALL", "所选部门不属于该大厅")
    lanes = await Lane.filter(id__in=list(draft.lane_ids), hall_id=draft.hall_id)
    if len(lanes) != len(draft.lane_ids):
        raise InvalidInput.single("lane_ids", "NOT_IN_HALL", "所选号段不存在或不属于该大厅")
    async with in_transaction():
        if await Window.exists(hall_id=draft.hall_id, number=draft.number):
            raise DuplicateCode("窗口号", draft.number, field="number")
        try:
            window = await Window.create(
                hall_id=draft.hall_id,
                number=draft.number,
                name=draft.name.strip(),
                kind=draft.kind,
                department_id=draft.department_id,
                state=WindowState.CLOSED,
                created_at=now,
            )
        except IntegrityError as exc:
            raise DuplicateCode("窗口号", draft.number, field="number") from exc
        if lanes:
            await window.lanes.add(*lanes)
    return window


async def _window_for_change(actor: Actor, window_id: int) -> Window:
    if actor.role not in WINDOW_ROLES:
        raise Forbidden("该角色不能操作窗口")
    window = await Window.filter(id=window_id).select_for_update().get_or_none()
    if window is None:
        raise NotFound("窗口", str(window_id))
    hall = await Hall.get(id=window.hall_id)
    if not actor.sees(hall.path):
        raise NotFound("窗口", str(window_id))
    return window


async def _record(
    window: Window, actor: Actor, old: WindowState, reason: str, now: datetime
) -> None:
    window.state_changed_at = now
    await window.save()
    await WindowStateChange.create(
        window=window,
        from_state=old,
        to_state=window.state,
        actor_id=actor.user_id or None,
        reason=reason,
        at=now,
    )


async def open_window(actor: Actor, window_id: int, now: datetime) -> Window:
    """Staff a closed window (the actor becomes its clerk) or resume a paused one."""
    async with in_transaction():
        window = await _window_for_change(actor, window_id)
        old = window.state
        check_window_transition(old, WindowState.OPEN)
        if old is WindowState.PAUSED:
            if window.clerk_id not in (None, actor.user_id) and actor.role is Role.CLERK:
                raise Forbidden("只能恢复本人暂停的窗口")
        else:
            if (
                actor.department_id is not None
                and window.kind is WindowKind.DEDICATED
                and window.department_id not in (None, actor.department_id)
            ):
                raise Forbidden("不能在其他部门的专窗上岗")
            busy = await Window.filter(clerk_id=actor.user_id).exclude(id=window.id).first()
            if busy is not None:
                raise ClerkBusyError(busy.number)
            window.clerk_id = actor.user_id
        window.state = WindowState.OPEN
        window.state_reason = ""
        try:
            await _record(window, actor, old, "", now)
        except IntegrityError as exc:  # a concurrent open by the same clerk won the race
            raise ClerkBusyError("其他") from exc
    return window


async def pause_window(actor: Actor, window_id: int, reason: str, now: datetime) -> Window:
    """Pause an open window (a break, a meeting); the clerk keeps it."""
    if len(reason) > 200:
        raise InvalidInput.single("reason", "TOO_LONG", "暂停原因不能超过200个字符")
    async with in_transaction():
        window = await _window_for_change(actor, window_id)
        _clerk_owns(actor, window)
        old = window.state
        check_window_transition(old, WindowState.PAUSED)
        window.state = WindowState.PAUSED
        window.state_reason = reason.strip()
        await _record(window, actor, old, reason.strip(), now)
    return window


async def close_window(actor: Actor, window_id: int, reason: str, now: datetime) -> Window:
    """Close a window; it no longer has a clerk."""
    if len(reason) > 200:
        raise InvalidInput.single("reason", "TOO_LONG", "关闭原因不能超过200个字符")
    async with in_transaction():
        window = await _window_for_change(actor, window_id)
        _clerk_owns(actor, window)
        old = window.state
        check_window_transition(old, WindowState.CLOSED)
        window.state = WindowState.CLOSED
        window.state_reason = reason.strip()
        window.clerk_id = None
        await _record(window, actor, old, reason.strip(), now)
    return window


def _clerk_owns(actor: Actor, window: Window) -> None:
    if actor.role is Role.CLERK and window.clerk_id not in (None, actor.user_id):
        raise Forbidden("只能操作本人上岗的窗口")
