"""The clock engine against the official calendar, and the year boundary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.calendar.library import library_is_working, library_year, library_years
from models.calendar.rules import (
    CalendarYear,
    CountUnit,
    Pause,
    WorkingCalendar,
    YearSource,
    add_days,
    count_days,
    due_date,
    remaining_days,
)

LIBRARY = WorkingCalendar(years={y: c for y in library_years() if (c := library_year(y))})
KNOWN = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 10, 31))


def reference_due(start: date, n: int) -> date:
    """The n-th working day after start, straight from the library."""
    day = start
    while n:
        day += timedelta(days=1)
        if library_is_working(day):
            n -= 1
    return day


def test_library_covers_2004_to_2026() -> None:
    assert set(range(2004, 2027)) <= library_years()


@settings(max_examples=300, deadline=None)
@given(start=KNOWN, n=st.integers(0, 40))
def test_working_days_match_the_official_calendar(start: date, n: int) -> None:
    deadline = add_days(LIBRARY, start, n, CountUnit.WORKING)
    if deadline.due.year <= 2026:
        assert deadline.due == reference_due(start, n)
        assert not deadline.provisional


@settings(max_examples=200, deadline=None)
@given(start=KNOWN, n=st.integers(0, 60))
def test_natural_days_are_calendar_days(start: date, n: int) -> None:
    assert add_days(LIBRARY, start, n, CountUnit.NATURAL).due == start + timedelta(days=n)


@settings(max_examples=200, deadline=None)
@given(start=KNOWN, n=st.integers(1, 30))
def test_counting_is_the_inverse_of_adding(start: date, n: int) -> None:
    due = add_days(LIBRARY, start, n, CountUnit.WORKING).due
    assert count_days(LIBRARY, start, due, CountUnit.WORKING) == n
    assert LIBRARY.is_working(due)
    assert remaining_days(LIBRARY, start, due, CountUnit.WORKING) == n


@settings(max_examples=200, deadline=None)
@given(start=KNOWN, n=st.integers(1, 20), gap=st.integers(0, 20), length=st.integers(0, 20))
def test_a_suspension_pushes_the_due_date_by_its_working_days(
    start: date, n: int, gap: int, length: int
) -> None:
    pause = Pause(start + timedelta(days=gap), start + timedelta(days=gap + length))
    plain = add_days(LIBRARY, start, n, CountUnit.WORKING).due
    suspended = due_date(
        LIBRARY, accepted_on=start, limit=n, unit=CountUnit.WORKING, pauses=[pause]
    ).due
    lost = count_days(LIBRARY, pause.start, pause.end or pause.start, CountUnit.WORKING)
    assert count_days(LIBRARY, plain, suspended, CountUnit.WORKING) == lost


def test_immediate_items_are_due_the_same_day() -> None:
    assert add_days(LIBRARY, date(2026, 10, 1), 0, CountUnit.WORKING).due == date(2026, 10, 1)


def test_make_up_weekend_days_are_working_days() -> None:
    # 2026 National Day: Oct 1-7 off, Saturday Oct 10 is a make-up working day.
    assert LIBRARY.is_working(date(2026, 10, 10))
    assert not LIBRARY.is_working(date(2026, 10, 2))
    # Accepted the day before the holiday: Oct 8 (Thu), 9 (Fri) and 10 (Sat) are days 1-3.
    assert add_days(LIBRARY, date(2026, 9, 30), 3, CountUnit.WORKING).due == date(2026, 10, 10)


def test_local_closures_are_not_working_days() -> None:
    closed = WorkingCalendar(years=LIBRARY.years, closures=frozenset({date(2026, 11, 23)}))
    assert add_days(closed, date(2026, 11, 20), 1, CountUnit.WORKING).due == date(2026, 11, 24)


def test_an_open_suspension_counts_up_to_today() -> None:
    start = date(2026, 11, 2)
    open_pause = Pause(date(2026, 11, 4))
    frozen = due_date(
        LIBRARY,
        accepted_on=start,
        limit=5,
        unit=CountUnit.WORKING,
        pauses=[open_pause],
        today=date(2026, 11, 6),
    )
    assert frozen.due == add_days(LIBRARY, start, 7, CountUnit.WORKING).due


def test_extension_adds_days() -> None:
    base = due_date(LIBRARY, accepted_on=date(2026, 3, 2), limit=20, unit=CountUnit.WORKING)
    extended = due_date(
        LIBRARY, accepted_on=date(2026, 3, 2), limit=20, unit=CountUnit.WORKING, extension=10
    )
    assert count_days(LIBRARY, base.due, extended.due, CountUnit.WORKING) == 10


def test_year_boundary_is_provisional_until_the_notice_is_loaded() -> None:
    accepted = date(2026, 12, 24)
    provisional = add_days(LIBRARY, accepted, 10, CountUnit.WORKING)
    # Weekends only in 2027: Dec 25, 28-31 (5), Jan 1 (6, provisional), Jan 4-7 (10).
    assert provisional.due == date(2027, 1, 7)
    assert provisional.provisional
    assert provisional.years == frozenset({2026, 2027})
    notice = CalendarYear(
        year=2027, source=YearSource.NOTICE, holidays=frozenset({date(2027, 1, 1)})
    )
    official = WorkingCalendar(years={**LIBRARY.years, 2027: notice})
    settled = add_days(official, accepted, 10, CountUnit.WORKING)
    assert settled.due == date(2027, 1, 8)
    assert not settled.provisional


def test_a_deadline_inside_a_known_year_is_not_provisional() -> None:
    assert not add_days(LIBRARY, date(2026, 11, 2), 10, CountUnit.WORKING).provisional


def test_negative_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_days(LIBRARY, date(2026, 11, 2), -1, CountUnit.WORKING)


SPECIAL = st.frozensets(
    st.dates(min_value=date(2020, 12, 1), max_value=date(2022, 1, 31)), max_size=25
)


@settings(max_examples=300, deadline=None)
@given(
    holidays=SPECIAL,
    workdays=SPECIAL,
    closures=SPECIAL,
    start=st.dates(min_value=date(2020, 11, 1), max_value=date(2022, 2, 28)),
    length=st.integers(-3, 500),
)
def test_working_days_of_a_range_count_each_day_by_its_rule(
    holidays: frozenset[date],
    workdays: frozenset[date],
    closures: frozenset[date],
    start: date,
    length: int,
) -> None:
    """The arithmetic count equals asking every day, whatever the holidays, make-up days
    (overlapping holidays or not), closures and years without data (2020, 2022)."""
    calendar = WorkingCalendar(
        years={
            2021: CalendarYear(
                2021,
                YearSource.NOTICE,
                holidays=frozenset(d for d in holidays if d.year == 2021),
                workdays=frozenset(d for d in workdays if d.year == 2021),
            )
        },
        closures=closures,
    )
    end = start + timedelta(days=length)
    expected = sum(calendar.is_working(start + timedelta(days=n)) for n in range(length + 1))
    assert calendar.working_days(start, end) == expected


def test_working_days_of_the_library_years() -> None:
    """2021 had 250 working days on the State Council's notice; a reversed range has none."""
    assert LIBRARY.working_days(date(2021, 1, 1), date(2021, 12, 31)) == 250
    assert LIBRARY.working_days(date(2021, 10, 1), date(2021, 10, 7)) == 0
    assert LIBRARY.working_days(date(2021, 1, 2), date(2021, 1, 1)) == 0
