"""Opening hours of a hall: pure rules for when it is open and when tickets may be issued.

Weekday sessions apply on every working day of the calendar (make-up weekend days included);
Saturday sessions are the extended service some halls offer on Saturdays that are not working
days. Lunch-time service means one session across noon instead of two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from models.calendar.rules import WorkingCalendar
from models.common.checks import Checks


@dataclass(frozen=True)
class Session:
    """One stretch of opening time within a day."""

    opens: time
    closes: time


@dataclass(frozen=True)
class OpeningHours:
    """A hall's sessions on working days and on Saturdays, and the ticket cut-off."""

    weekday: tuple[Session, ...]
    saturday: tuple[Session, ...] = ()
    ticket_cutoff_minutes: int = 30
    # Tickets still waiting (or held) at closing move to the next business day, called first
    # there (次日优先); otherwise they expire.
    carry_over: bool = False

    def to_json(self) -> dict[str, list[list[str]]]:
        """As stored: sessions as HH:MM pairs."""
        return {
            "weekday": [
                [s.opens.strftime("%H:%M"), s.closes.strftime("%H:%M")] for s in self.weekday
            ],
            "saturday": [
                [s.opens.strftime("%H:%M"), s.closes.strftime("%H:%M")] for s in self.saturday
            ],
        }


DEFAULT_HOURS = OpeningHours(
    weekday=(Session(time(9), time(12)), Session(time(13, 30), time(17))),
)


def hours_from_json(
    sessions: dict[str, list[list[str]]], cutoff: int, carry_over: bool = False
) -> OpeningHours:
    """Stored sessions back as OpeningHours."""

    def parse(pairs: list[list[str]]) -> tuple[Session, ...]:
        return tuple(Session(time.fromisoformat(a), time.fromisoformat(b)) for a, b in pairs)

    return OpeningHours(
        weekday=parse(sessions.get("weekday", [])),
        saturday=parse(sessions.get("saturday", [])),
        ticket_cutoff_minutes=cutoff,
        carry_over=carry_over,
    )


def check_hours(checks: Checks, hours: OpeningHours) -> None:
    """Sessions in order, each opening before it closes, not overlapping; a sane cut-off."""
    if not hours.weekday:
        checks.fail("weekday", "REQUIRED", "工作日至少需要一个办理时段")
    for name, sessions in (("weekday", hours.weekday), ("saturday", hours.saturday)):
        previous: time | None = None
        for index, session in enumerate(sessions):
            if session.closes <= session.opens:
                checks.fail((name, index, "closes"), "RANGE_INVERTED", "结束时间应晚于开始时间")
            elif previous is not None and session.opens < previous:
                checks.fail(
                    (name, index, "opens"), "OVERLAP", "办理时段不能重叠，且须按时间先后排列"
                )
            previous = session.closes
    checks.int_range(
        "ticket_cutoff_minutes", hours.ticket_cutoff_minutes, "停止取号提前分钟数", 0, 240
    )


def sessions_on(hours: OpeningHours, calendar: WorkingCalendar, day: date) -> tuple[Session, ...]:
    """The sessions of a day: weekday sessions on working days, Saturday ones on off Saturdays."""
    if calendar.is_working(day):
        return hours.weekday
    if day.weekday() == 5 and day not in calendar.closures and not _holiday(calendar, day):
        return hours.saturday
    return ()


def _holiday(calendar: WorkingCalendar, day: date) -> bool:
    return day in calendar.year(day.year).holidays


def is_open(hours: OpeningHours, calendar: WorkingCalendar, at: datetime) -> bool:
    """Whether the hall serves at a local wall-clock moment."""
    now = at.time()
    return any(s.opens <= now < s.closes for s in sessions_on(hours, calendar, at.date()))


def can_issue_tickets(hours: OpeningHours, calendar: WorkingCalendar, at: datetime) -> bool:
    """Open, and not within the cut-off before the end of the current session."""
    cutoff = timedelta(minutes=hours.ticket_cutoff_minutes)
    for session in sessions_on(hours, calendar, at.date()):
        closes = datetime.combine(at.date(), session.closes, at.tzinfo)
        opens = datetime.combine(at.date(), session.opens, at.tzinfo)
        if opens <= at < closes - cutoff:
            return True
    return False


def closing_time(hours: OpeningHours, calendar: WorkingCalendar, day: date) -> time | None:
    """When the day's last session ends (the day rolls over then); None when closed all day."""
    sessions = sessions_on(hours, calendar, day)
    return sessions[-1].closes if sessions else None


def next_opening(
    hours: OpeningHours, calendar: WorkingCalendar, at: datetime, horizon_days: int = 60
) -> datetime | None:
    """The next moment the hall opens after `at` (local), within a horizon."""
    for offset in range(horizon_days + 1):
        day = at.date() + timedelta(days=offset)
        for session in sessions_on(hours, calendar, day):
            opens = datetime.combine(day, session.opens, at.tzinfo)
            if opens > at:
                return opens
    return None
