"""A hall's calendar read for some years only agrees with the whole calendar on those years."""

from __future__ import annotations

from datetime import date, timedelta

from models.calendar.queries import hall_calendar, hall_calendar_of_years
from models.calendar.rules import YearSource
from models.calendar.tables import NATIONAL, CalendarYearRecord, HallClosure
from tests import factories as f


async def test_the_years_asked_for_match_the_whole_calendar(db: object) -> None:
    hall = await f.hall("JN")
    other = await f.hall("QD")
    await CalendarYearRecord.create(
        region=NATIONAL, year=2030, source=YearSource.NOTICE, holidays=["2030-01-01"],
        workdays=["2030-01-05"], notice="国务院通知", loaded_at=f.NOW,
    )  # fmt: skip
    # The hall's own region overrides the national year.
    await CalendarYearRecord.create(
        region=hall.region[:6], year=2030, source=YearSource.NOTICE,
        holidays=["2030-01-01", "2030-01-02"], workdays=[], notice="省通知", loaded_at=f.NOW,
    )  # fmt: skip
    await CalendarYearRecord.create(
        region=NATIONAL, year=2031, source=YearSource.NOTICE, holidays=["2031-01-01"],
        workdays=[], notice="国务院通知", loaded_at=f.NOW,
    )  # fmt: skip
    await HallClosure.create(hall_id=hall.id, day="2030-03-05", reason="停电", created_at=f.NOW)
    await HallClosure.create(hall_id=hall.id, day="2031-03-05", reason="停电", created_at=f.NOW)
    await HallClosure.create(hall_id=other.id, day="2030-03-06", reason="停电", created_at=f.NOW)

    whole = await hall_calendar(hall)
    part = await hall_calendar_of_years(hall, [2030, 2025])
    for first in (date(2030, 1, 1), date(2025, 1, 1)):
        for n in range(365):
            day = first + timedelta(days=n)
            assert part.is_working(day) == whole.is_working(day), day
            assert part.is_provisional(day.year) == whole.is_provisional(day.year)
    assert not part.is_working(date(2030, 1, 2))  # the regional holiday
    assert not part.is_working(date(2030, 3, 5))  # the hall's closure
    assert part.is_working(date(2030, 3, 6))  # another hall's closure
    assert date(2031, 3, 5) not in part.closures  # outside the years asked for
