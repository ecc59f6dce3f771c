"""GraphQL types of the calendar: a working calendar year, opening hours, closures."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Self

import strawberry

from models.calendar import hours, queries, rules
from schema.enums import described_enum

YearSource = rules.YearSource
described_enum(
    rules.YearSource,
    name="CalendarSource",
    description="Where a calendar year comes from.",
    values={
        "LIBRARY": "The chinese-calendar library (the State Council's published notices).",
        "NOTICE": "An official notice loaded by an administrator (calendarYearSet).",
        "PROVISIONAL": "No notice yet: weekends only; deadlines computed from it say so.",
    },
)


@strawberry.type(description="One year of working days for a region.")
class WorkingCalendar:
    """A calendar year."""

    year: int = strawberry.field(description="The year.")
    region: str = strawberry.field(
        description="Whose data it is: CN (national) or a 6-digit division code."
    )
    source: YearSource = strawberry.field(description="Library, notice or provisional.")
    provisional: bool = strawberry.field(
        description="True until the year's official notice is loaded."
    )
    notice: str = strawberry.field(description="The notice's title or number.")
    loaded_at: datetime | None = strawberry.field(description="When it was loaded.")
    holidays: list[date] = strawberry.field(
        description="Official days off (weekdays and weekends of holiday periods)."
    )
    workdays: list[date] = strawberry.field(description="Make-up working days on weekends (调休).")
    data: strawberry.Private[rules.CalendarYear]

    @classmethod
    def of(cls, view: queries.YearView) -> Self:
        """From a year view."""
        return cls(
            year=view.year,
            region=view.region,
            source=view.data.source,
            provisional=view.data.source is rules.YearSource.PROVISIONAL,
            notice=view.notice,
            loaded_at=view.loaded_at,
            holidays=sorted(view.data.holidays),
            workdays=sorted(view.data.workdays),
            data=view.data,
        )

    @strawberry.field(
        description="Every non-working day of the year (weekends and holidays, make-up days excluded)."
    )
    def days_off(self) -> list[date]:
        """Non-working days."""
        day, end = date(self.year, 1, 1), date(self.year, 12, 31)
        found = []
        while day <= end:
            if not self.data.is_working(day):
                found.append(day)
            day += timedelta(days=1)
        return found

    @strawberry.field(description="How many working days the year has.")
    def working_day_count(self) -> int:
        """Working days."""
        return (date(self.year, 12, 31) - date(self.year, 1, 1)).days + 1 - len(self.days_off())


@strawberry.type(description="A stretch of opening time, HH:MM local.")
class OpeningSession:
    """A session."""

    opens: str = strawberry.field(description="Opening time, e.g. 09:00.")
    closes: str = strawberry.field(description="Closing time, e.g. 12:00.")


@strawberry.type(description="A hall's opening hours.")
class OpeningHours:
    """Opening hours."""

    weekday: list[OpeningSession] = strawberry.field(description="Sessions on working days.")
    saturday: list[OpeningSession] = strawberry.field(
        description="Extended service on Saturdays that are not working days (empty: closed)."
    )
    ticket_cutoff_minutes: int = strawberry.field(
        description="Tickets stop this many minutes before a session closes."
    )
    carry_over_unserved: bool = strawberry.field(
        description="Tickets still waiting at closing move to the next business day, called first there (次日优先); otherwise they expire."
    )

    @classmethod
    def of(cls, value: hours.OpeningHours) -> Self:
        """From the rule's value."""

        def sessions(items: tuple[hours.Session, ...]) -> list[OpeningSession]:
            return [
                OpeningSession(opens=s.opens.strftime("%H:%M"), closes=s.closes.strftime("%H:%M"))
                for s in items
            ]

        return cls(
            weekday=sessions(value.weekday),
            saturday=sessions(value.saturday),
            ticket_cutoff_minutes=value.ticket_cutoff_minutes,
            carry_over_unserved=value.carry_over,
        )


@strawberry.type(description="A day a hall is closed on top of the official calendar.")
class HallClosure:
    """A local closure."""

    day: date = strawberry.field(description="The day.")
    reason: str = strawberry.field(description="Why.")
