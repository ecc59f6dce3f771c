"""Loads the demo hall through the same actions the API uses (idempotent)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tortoise.transactions import in_transaction

from models.accounts.actions import create_user
from models.accounts.rules import UserDraft
from models.accounts.tables import Role
from models.catalogue import actions
from models.catalogue.rules import (
    DepartmentDraft,
    Fee,
    HallDraft,
    ItemElements,
    JointDepartment,
    LaneDraft,
    Material,
    MaterialForm,
    WindowDraft,
)
from models.catalogue.tables import DayUnit, Hall, HallLevel, ItemKind, WindowKind
from models.common.actor import SYSTEM_ACTOR
from models.demo import data


async def load_demo(now: datetime) -> str:
    """Create the demo hall with its departments, items, lanes, windows and staff."""
    if await Hall.exists(code=data.HALL_CODE):
        return f"demo hall {data.HALL_CODE} already loaded"
    actor = SYSTEM_ACTOR
    async with in_transaction():
        hall = await actions.create_hall(
            actor,
            HallDraft(
                code=data.HALL_CODE,
                name=data.HALL_NAME,
                level=HallLevel.CITY,
                region=data.HALL_REGION,
                address="济南市历下区龙奥北路1号",
                phone="12345",
            ),
            now,
        )
        departments = {}
        for dept in data.DEPARTMENTS:
            departments[dept.code] = await actions.create_department(
                actor,
                DepartmentDraft(
                    hall_id=hall.id, code=dept.code, name=dept.name, short_name=dept.short_name
                ),
                now,
            )
        items_by_lane: dict[str, list[int]] = {}
        for item in data.ITEMS:
            elements = ItemElements(
                name=item.name,
                kind=ItemKind(item.kind),
                legal_limit=item.legal_limit,
                promised_limit=item.promised_limit,
                day_unit=DayUnit(item.day_unit),
                visits_required=item.visits_required,
                citywide=item.citywide,
                legal_basis=item.legal_basis,
                conditions=item.conditions,
                result_name=item.result_name,
                consult_phone="12345",
                materials=tuple(
                    Material(
                        name=m.name,
                        form=MaterialForm(m.form),
                        copies=m.copies,
                        required=m.required,
                        condition=m.condition or "",
                    )
                    for m in item.materials
                ),
                fees=tuple(
                    Fee(name=f.name, amount=Decimal(f.amount_yuan), legal_basis=f.legal_basis)
                    for f in item.fees
                ),
                steps=item.steps,
                investment_project=item.code in data.INVESTMENT_ITEMS,
                joint_departments=tuple(
                    JointDepartment(departments[code].id, limit)
                    for code, limit in data.JOINT_DEPARTMENTS.get(item.code, ())
                ),
            )
            row = await actions.create_item(
                actor,
                department_id=departments[item.department_code].id,
                code=item.code,
                elements=elements,
                now=now,
            )
            items_by_lane.setdefault(item.lane, []).append(row.id)
        lanes = {}
        for lane in data.LANES:
            lanes[lane.prefix] = await actions.create_lane(
                actor,
                LaneDraft(
                    hall_id=hall.id,
                    prefix=lane.prefix,
                    name=lane.name,
                    range_start=lane.range_start,
                    range_end=lane.range_end,
                    daily_cap=lane.daily_cap,
                    average_service_minutes=lane.average_service_minutes,
                    item_ids=tuple(items_by_lane.get(lane.prefix, ())),
                ),
                now,
            )
        for window in data.WINDOWS:
            department = departments[window.department_code] if window.department_code else None
            await actions.create_window(
                actor,
                WindowDraft(
                    hall_id=hall.id,
                    number=window.number,
                    name=window.name,
                    kind=WindowKind(window.kind),
                    department_id=department.id if department else None,
                    lane_ids=tuple(lanes[p].id for p in window.lanes),
                ),
                now,
            )
        for user in data.USERS:
            department = departments[user.department_code] if user.department_code else None
            await create_user(
                actor,
                UserDraft(
                    username=user.username,
                    display_name=user.display_name,
                    password=data.DEMO_PASSWORD,
                    role=Role(user.role),
                    hall_id=hall.id,
                    department_id=department.id if department else None,
                    mobile=user.mobile,
                ),
                now,
            )
    return (
        f"loaded demo hall {data.HALL_CODE} {data.HALL_NAME}: {len(data.DEPARTMENTS)} departments, "
        f"{len(data.ITEMS)} items, {len(data.LANES)} lanes, {len(data.WINDOWS)} windows, "
        f"{len(data.USERS)} accounts (password {data.DEMO_PASSWORD})"
    )
