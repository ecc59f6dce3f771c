"""Small builders of catalogue data through the real actions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from models.accounts.actions import create_user
from models.accounts.queries import actor_of
from models.accounts.rules import UserDraft
from models.accounts.tables import Role, User
from models.cases import intake
from models.cases.rules import Applicant
from models.cases.tables import ApplicantKind, Case
from models.catalogue import actions
from models.catalogue.rules import (
    DepartmentDraft,
    HallDraft,
    ItemElements,
    LaneDraft,
    Material,
    WindowDraft,
)
from models.catalogue.tables import (
    DayUnit,
    Department,
    Hall,
    HallLevel,
    ItemKind,
    Lane,
    ServiceItem,
    Window,
    WindowKind,
)
from models.common.actor import SYSTEM_ACTOR, Actor

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # a Friday, 10:00 in Shanghai
PASSWORD = "correct-horse-42"


async def hall(
    code: str = "H1", *, parent: Hall | None = None, level: HallLevel | None = None
) -> Hall:
    """A hall (a CITY root unless a parent is given)."""
    chosen = level or (HallLevel.CITY if parent is None else HallLevel.COUNTY)
    return await actions.create_hall(
        SYSTEM_ACTOR,
        HallDraft(
            code=code,
            name=f"{code}政务服务中心",
            level=chosen,
            region="370100",
            parent_id=parent.id if parent else None,
        ),
        NOW,
    )


async def department(of: Hall, code: str = "GA", name: str = "市公安局") -> Department:
    """A department stationed in a hall."""
    return await actions.create_department(
        SYSTEM_ACTOR, DepartmentDraft(hall_id=of.id, code=code, name=name), NOW
    )


def elements(name: str = "个体工商户设立登记", **changes: object) -> ItemElements:
    """Valid item elements (a promised item, 3 of 20 working days)."""
    base = ItemElements(
        name=name,
        kind=ItemKind.PROMISED,
        legal_limit=20,
        promised_limit=3,
        day_unit=DayUnit.WORKING,
        materials=(Material(name="居民身份证"),),
    )
    import dataclasses  # noqa: PLC0415

    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


async def item(
    of: Department, code: str = "1137010000443000001", name: str = "个体工商户设立登记"
) -> ServiceItem:
    """A listed service item."""
    return await actions.create_item(
        SYSTEM_ACTOR, department_id=of.id, code=code, elements=elements(name), now=NOW
    )


async def lane(of: Hall, prefix: str = "A") -> Lane:
    """A lane of a hall."""
    return await actions.create_lane(
        SYSTEM_ACTOR, LaneDraft(hall_id=of.id, prefix=prefix, name=f"{prefix}类业务"), NOW
    )


async def window(of: Hall, number: str = "1", *, lanes: tuple[Lane, ...] = ()) -> Window:
    """A window (general unless lanes are given)."""
    kind = WindowKind.DEDICATED if lanes else WindowKind.GENERAL
    return await actions.create_window(
        SYSTEM_ACTOR,
        WindowDraft(
            hall_id=of.id,
            number=number,
            name=f"{number}号窗口",
            kind=kind,
            lane_ids=tuple(ln.id for ln in lanes),
        ),
        NOW,
    )


async def open_windows(
    of: Hall, count: int, *, clerk_prefix: str = "clerk"
) -> list[tuple[Actor, int]]:
    """`count` general windows numbered from 1, each opened by a clerk of its own."""
    staffed = []
    for n in range(count):
        row = await window(of, str(n + 1))
        _, clerk = await user(f"{clerk_prefix}{n}", Role.CLERK, of=of)
        await actions.open_window(clerk, row.id, NOW)
        staffed.append((clerk, row.id))
    return staffed


async def user(
    username: str, role: Role, *, of: Hall | None = None, department_id: int | None = None
) -> tuple[User, Actor]:
    """An account and its actor."""
    row = await create_user(
        SYSTEM_ACTOR,
        UserDraft(
            username=username,
            display_name="张三",
            password=PASSWORD,
            role=role,
            hall_id=of.id if of else None,
            department_id=department_id,
            mobile="13812345678",
        ),
        NOW,
    )
    return row, await actor_of(row)


async def always_open(of: Hall) -> None:
    """Let a hall serve around the clock today (for tests against a server on the real clock)."""
    from datetime import datetime as _datetime  # noqa: PLC0415
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    from models.calendar.rules import YearSource  # noqa: PLC0415
    from models.calendar.tables import CalendarYearRecord, HallHours  # noqa: PLC0415

    today = _datetime.now(ZoneInfo(of.timezone)).date()
    await CalendarYearRecord.create(
        region=of.region[:6],
        year=today.year,
        source=YearSource.NOTICE,
        holidays=[],
        workdays=[today.isoformat()] if today.weekday() >= 5 else [],
        notice="测试：全天办公",
        loaded_at=NOW,
    )
    await HallHours.create(
        hall_id=of.id,
        sessions={"weekday": [["00:00", "23:59"]], "saturday": []},
        ticket_cutoff_minutes=0,
        updated_at=NOW,
    )


class CaseDesk(NamedTuple):
    """A hall's department with one item, the department's clerk, and a case it accepted."""

    hall: Hall
    department: Department
    clerk: Actor
    case: Case


async def case_desk() -> CaseDesk:
    """Hall JN's department SC with item SC-001 and clerk1, who accepted one case; hall QD with
    its qdclerk (who must not see it)."""
    home = await hall("JN")
    dept = await department(home, "SC", "市市场监管局")
    await item(dept, "SC-001")
    _, clerk = await user("clerk1", Role.CLERK, of=home, department_id=dept.id)
    await user("qdclerk", Role.CLERK, of=await hall("QD"))
    applicant = Applicant(ApplicantKind.PERSON, "张三", "11010519491231002X", "13912345678")
    case = await intake.accept(
        clerk, intake.Intake(item_code="SC-001", hall_id=home.id, applicant=applicant), NOW
    )
    return CaseDesk(home, dept, clerk, case)
