"""Use cases of the calendar: official years, local closures, opening hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.calendar.hours import OpeningHours, check_hours
from models.calendar.library import library_year, library_years
from models.calendar.rules import YearSource
from models.calendar.tables import NATIONAL, CalendarYearRecord, HallClosure, HallHours
from models.catalogue.queries import hall_in_scope
from models.common.actor import Actor
from models.common.checks import Checks
from models.common.errors import Conflict, Forbidden, NotFound

REGION_PATTERN = r"CN|\d{6}"
FIRST_YEAR, LAST_YEAR = 2000, 2100


async def store_library_years(now: datetime) -> int:
    """Store the years the library knows (national, source LIBRARY); never over a NOTICE."""
    stored = 0
    for year in sorted(library_years()):
        data = library_year(year)
        if data is None:
            continue
        existing = await CalendarYearRecord.get_or_none(region=NATIONAL, year=year)
        if existing is not None and existing.source is not YearSource.LIBRARY:
            continue
        holidays = sorted(d.isoformat() for d in data.holidays)
        workdays = sorted(d.isoformat() for d in data.workdays)
        if existing is None:
            try:
                await CalendarYearRecord.create(
                    region=NATIONAL,
                    year=year,
                    source=YearSource.LIBRARY,
                    holidays=holidays,
                    workdays=workdays,
                    notice="chinese-calendar",
                    loaded_at=now,
                )
            except IntegrityError:
                continue  # another process stored it at the same moment
            stored += 1
        elif (existing.holidays, existing.workdays) != (holidays, workdays):
            existing.holidays, existing.workdays, existing.loaded_at = holidays, workdays, now
            await existing.save(update_fields=["holidays", "workdays", "loaded_at"])
            stored += 1
    return stored


@dataclass(frozen=True)
class YearNotice:
    """A year's official holidays and make-up working days, as published."""

    region: str
    year: int
    holidays: tuple[date, ...]
    workdays: tuple[date, ...]
    notice: str


def check_notice(checks: Checks, notice: YearNotice) -> None:
    """Dates inside the year, no date both ways, make-up days on weekends, the notice named."""
    checks.text("region", notice.region, "地区代码", max_len=6, pattern=REGION_PATTERN,
                pattern_hint="全国为 CN，地区为6位行政区划代码")  # fmt: skip
    checks.int_range("year", notice.year, "年份", FIRST_YEAR, LAST_YEAR)
    checks.text("notice", notice.notice, "通知名称或文号", min_len=4, max_len=200)
    for index, day in enumerate(notice.holidays):
        if day.year != notice.year:
            checks.fail(("holidays", index), "OUTSIDE_YEAR", f"{day} 不在 {notice.year} 年内")
    for index, day in enumerate(notice.workdays):
        if day.year != notice.year:
            checks.fail(("workdays", index), "OUTSIDE_YEAR", f"{day} 不在 {notice.year} 年内")
        elif day.weekday() < 5:
            checks.fail(("workdays", index), "NOT_WEEKEND", f"{day} 不是周末，无需调休上班")
        if day in notice.holidays:
            checks.fail(("workdays", index), "BOTH_WAYS", f"{day} 不能既放假又上班")
    if len(set(notice.holidays)) != len(notice.holidays):
        checks.fail("holidays", "DUPLICATE", "放假日期有重复")


async def set_year(actor: Actor, notice: YearNotice, now: datetime) -> CalendarYearRecord:
    """Load a year's official notice (ADMIN; the national calendar needs a city-wide admin)."""
    if not actor.is_admin:
        raise Forbidden("只有管理员可以维护工作日历")
    if notice.region == NATIONAL and not actor.city_wide:
        raise Forbidden("只有全市管理员可以维护全国工作日历")
    checks = Checks()
    check_notice(checks, notice)
    checks.raise_if_any()
    values = {
        "source": YearSource.NOTICE,
        "holidays": sorted(d.isoformat() for d in notice.holidays),
        "workdays": sorted(d.isoformat() for d in notice.workdays),
        "notice": notice.notice.strip(),
        "loaded_by_id": actor.user_id or None,
        "loaded_at": now,
    }
    async with in_transaction():
        row = (
            await CalendarYearRecord.filter(region=notice.region, year=notice.year)
            .select_for_update()
            .first()
        )
        if row is None:
            row = CalendarYearRecord(region=notice.region, year=notice.year)
        row.update_from_dict(values)
        await row.save()
        return row


async def add_closure(
    actor: Actor, hall_id: int, day: date, reason: str, now: datetime
) -> HallClosure:
    """Close a hall for a day on top of the official calendar (ADMIN of the hall)."""
    hall = await hall_in_scope(actor, hall_id)
    if not actor.is_admin:
        raise Forbidden("只有管理员可以设置闭厅日")
    checks = Checks()
    checks.text("reason", reason, "闭厅原因", max_len=200)
    checks.raise_if_any()
    if await HallClosure.exists(hall_id=hall.id, day=day):
        raise Conflict(f"{day} 已设为闭厅日", code="DUPLICATE", field="day")
    try:
        return await HallClosure.create(
            hall_id=hall.id,
            day=day,
            reason=reason.strip(),
            created_by_id=actor.user_id or None,
            created_at=now,
        )
    except IntegrityError as exc:
        raise Conflict(f"{day} 已设为闭厅日", code="DUPLICATE", field="day") from exc


async def remove_closure(actor: Actor, hall_id: int, day: date) -> None:
    """Reopen a day that was closed locally."""
    hall = await hall_in_scope(actor, hall_id)
    if not actor.is_admin:
        raise Forbidden("只有管理员可以设置闭厅日")
    deleted = await HallClosure.filter(hall_id=hall.id, day=day).delete()
    if not deleted:
        raise NotFound("闭厅日", str(day))


async def set_hours(actor: Actor, hall_id: int, hours: OpeningHours, now: datetime) -> HallHours:
    """Set a hall's opening hours (ADMIN of the hall)."""
    hall = await hall_in_scope(actor, hall_id)
    if not actor.is_admin:
        raise Forbidden("只有管理员可以设置办公时间")
    checks = Checks()
    check_hours(checks, hours)
    checks.raise_if_any()
    async with in_transaction():
        row = await HallHours.filter(hall_id=hall.id).select_for_update().first()
        values = {
            "sessions": hours.to_json(),
            "ticket_cutoff_minutes": hours.ticket_cutoff_minutes,
            "carry_over": hours.carry_over,
            "updated_by_id": actor.user_id or None,
            "updated_at": now,
        }
        if row is None:
            row = HallHours(hall_id=hall.id)
        row.update_from_dict(values)
        await row.save()
        return row
