"""Opening hours: sessions on working days, Saturday service, the ticket cut-off, rollover."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.calendar.hours import (
    DEFAULT_HOURS,
    OpeningHours,
    Session,
    can_issue_tickets,
    check_hours,
    closing_time,
    is_open,
    next_opening,
    sessions_on,
)
from models.calendar.library import library_year
from models.calendar.rules import WorkingCalendar
from models.common.checks import Checks

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock moment in Shanghai."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


CAL = WorkingCalendar(years={2026: library_year(2026)})  # type: ignore[dict-item]
EXTENDED = OpeningHours(
    weekday=(Session(time(9), time(17)),),  # lunch-time service: one session across noon
    saturday=(Session(time(9), time(12)),),
    ticket_cutoff_minutes=30,
)


@pytest.mark.parametrize(
    ("moment", "open_", "tickets"),
    [
        (at(2026, 11, 20, 8, 59), False, False),
        (at(2026, 11, 20, 9, 0), True, True),
        (at(2026, 11, 20, 11, 29), True, True),
        (at(2026, 11, 20, 11, 31), True, False),  # inside the cut-off before lunch
        (at(2026, 11, 20, 12, 30), False, False),  # lunch break
        (at(2026, 11, 20, 17, 0), False, False),
        (at(2026, 11, 21, 10, 0), False, False),  # Saturday
        (at(2026, 10, 1, 10, 0), False, False),  # National Day
        (at(2026, 2, 28, 10, 0), True, True),  # a make-up working Saturday (调休)
    ],
)
def test_default_hours(moment: datetime, open_: bool, tickets: bool) -> None:
    assert is_open(DEFAULT_HOURS, CAL, moment) is open_
    assert can_issue_tickets(DEFAULT_HOURS, CAL, moment) is tickets


def test_saturday_service_and_lunch_time_service() -> None:
    assert is_open(EXTENDED, CAL, at(2026, 11, 20, 12, 30))
    assert is_open(EXTENDED, CAL, at(2026, 11, 21, 10, 0))
    assert not is_open(EXTENDED, CAL, at(2026, 11, 22, 10, 0))  # Sunday
    assert sessions_on(EXTENDED, CAL, date(2026, 10, 3)) == ()  # a Saturday in the holiday


def test_closing_time_and_next_opening() -> None:
    assert closing_time(DEFAULT_HOURS, CAL, date(2026, 11, 20)) == time(17)
    assert closing_time(DEFAULT_HOURS, CAL, date(2026, 11, 21)) is None
    closures = WorkingCalendar(years=CAL.years, closures=frozenset({date(2026, 11, 23)}))
    assert next_opening(DEFAULT_HOURS, closures, at(2026, 11, 20, 17, 30)) == at(2026, 11, 24, 9, 0)


def test_hours_rules() -> None:
    checks = Checks()
    bad = OpeningHours(
        weekday=(Session(time(13), time(12)), Session(time(9), time(10))),
        ticket_cutoff_minutes=500,
    )
    check_hours(checks, bad)
    assert [(v.field, v.code) for v in checks.violations] == [
        (("weekday", 0, "closes"), "RANGE_INVERTED"),
        (("weekday", 1, "opens"), "OVERLAP"),
        (("ticket_cutoff_minutes",), "OUT_OF_RANGE"),
    ]


@given(
    st.datetimes(
        min_value=datetime(2026, 1, 1),  # noqa: DTZ001  (hypothesis adds the zone)
        max_value=datetime(2026, 12, 31, 23, 59),  # noqa: DTZ001
        timezones=st.just(SHANGHAI),
    )
)
def test_tickets_only_while_open(moment: datetime) -> None:
    if can_issue_tickets(DEFAULT_HOURS, CAL, moment):
        assert is_open(DEFAULT_HOURS, CAL, moment)
        assert CAL.is_working(moment.date())
