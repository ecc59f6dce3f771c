"""calendarYearSet, hallClosureAdd, hallClosureRemove, hallHoursSet."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated

import strawberry
from strawberry import relay

from models.calendar import actions
from models.calendar.hours import OpeningHours as HoursValue
from models.calendar.hours import Session
from models.calendar.queries import year_view
from models.common.errors import InvalidInput
from schema.context import Info
from schema.errors import ConflictError, InputError, NotFoundError, returns_errors
from schema.permissions import require_actor
from schema.relay import decode_id
from schema.types.calendar import HallClosure, OpeningHours, WorkingCalendar


@strawberry.input(description="A year's official holidays and make-up working days.")
class CalendarYearSetInput:
    """calendarYearSet input."""

    year: int = strawberry.field(description="The year.")
    region: str = strawberry.field(default="CN", description="CN, or a 6-digit division code.")
    holidays: list[date] = strawberry.field(description="Official days off, all of them.")
    workdays: list[date] = strawberry.field(
        description="Weekend days that are working days (调休)."
    )
    notice: str = strawberry.field(
        description="The notice's title or number, e.g. 国办发明电〔2026〕x号."
    )


@strawberry.type(
    description="The year was loaded; open deadlines touching it are being recomputed."
)
class CalendarYearSetSuccess:
    """calendarYearSet success."""

    calendar: WorkingCalendar = strawberry.field(description="The year now in force.")
    recompute_queued: bool = strawberry.field(
        description="Whether the background recomputation of open cases' due dates was queued."
    )


CalendarYearSetResult = Annotated[
    CalendarYearSetSuccess | InputError,
    strawberry.union("CalendarYearSetResult", description="Result of calendarYearSet."),
]


@strawberry.input(description="Close a hall for a day.")
class HallClosureAddInput:
    """hallClosureAdd input."""

    hall_id: relay.GlobalID = strawberry.field(description="The hall.")
    day: date = strawberry.field(description="The day.")
    reason: str = strawberry.field(description="Why; at most 200 characters.")


@strawberry.input(description="Reopen a day closed locally.")
class HallClosureRemoveInput:
    """hallClosureRemove input."""

    hall_id: relay.GlobalID = strawberry.field(description="The hall.")
    day: date = strawberry.field(description="The day.")


@strawberry.type(description="The hall's closures changed.")
class HallClosurePayload:
    """Success of the closure mutations."""

    closure: HallClosure | None = strawberry.field(
        description="The closure added (null after a removal)."
    )


HallClosureResult = Annotated[
    HallClosurePayload | InputError | NotFoundError | ConflictError,
    strawberry.union("HallClosureResult", description="Result of a closure change."),
]


@strawberry.input(description="A session, HH:MM local.")
class OpeningSessionInput:
    """A session."""

    opens: str = strawberry.field(description="e.g. 09:00.")
    closes: str = strawberry.field(description="e.g. 12:00.")


@strawberry.input(description="A hall's opening hours.")
class HallHoursSetInput:
    """hallHoursSet input."""

    hall_id: relay.GlobalID = strawberry.field(description="The hall.")
    weekday: list[OpeningSessionInput] = strawberry.field(description="Sessions on working days.")
    saturday: list[OpeningSessionInput] = strawberry.field(
        default_factory=list, description="Saturday extended service (empty: closed)."
    )
    ticket_cutoff_minutes: int = strawberry.field(
        default=30, description="Stop issuing tickets this many minutes before a session closes."
    )
    carry_over_unserved: bool = strawberry.field(
        default=False,
        description="true: tickets still waiting at closing move to the next business day, called first there; false: they expire.",
    )


@strawberry.type(description="The hall's opening hours now.")
class HallHoursPayload:
    """hallHoursSet success."""

    opening_hours: OpeningHours = strawberry.field(description="The hours.")


HallHoursResult = Annotated[
    HallHoursPayload | InputError | NotFoundError,
    strawberry.union("HallHoursResult", description="Result of hallHoursSet."),
]


def _sessions(items: list[OpeningSessionInput], field: str) -> tuple[Session, ...]:
    parsed = []
    for index, item in enumerate(items):
        try:
            parsed.append(Session(time.fromisoformat(item.opens), time.fromisoformat(item.closes)))
        except ValueError as exc:
            raise InvalidInput.single((field, index), "INVALID_TIME", "时间格式应为 HH:MM") from exc
    return tuple(parsed)


@strawberry.type
class CalendarMutation:
    """Calendar mutations."""

    @strawberry.mutation(
        description="Load a year's official notice (ADMIN); open cases touching the year are recomputed in the background, each change audited."
    )
    @returns_errors
    async def calendar_year_set(
        self,
        info: Info,
        input: CalendarYearSetInput,  # noqa: A002
    ) -> CalendarYearSetResult:
        """Load a year."""
        actor = require_actor(info)
        notice = actions.YearNotice(
            region=input.region.strip(),
            year=input.year,
            holidays=tuple(input.holidays),
            workdays=tuple(input.workdays),
            notice=input.notice,
        )
        row = await actions.set_year(actor, notice, info.context.now)
        queued = False
        if info.context.jobs is not None:
            job_id = f"recompute:{row.region}:{row.year}:{row.loaded_at.isoformat()}"
            queued = await info.context.jobs.enqueue(
                "recompute_deadlines", row.region, row.year, job_id=job_id
            )
        view = await year_view(row.region, row.year)
        return CalendarYearSetSuccess(calendar=WorkingCalendar.of(view), recompute_queued=queued)

    @strawberry.mutation(
        description="Close a hall for a day on top of the official calendar (ADMIN)."
    )
    @returns_errors
    async def hall_closure_add(self, info: Info, input: HallClosureAddInput) -> HallClosureResult:  # noqa: A002
        """Add a closure."""
        row = await actions.add_closure(
            require_actor(info),
            decode_id(input.hall_id, "Hall", "hall_id"),
            input.day,
            input.reason,
            info.context.now,
        )
        return HallClosurePayload(closure=HallClosure(day=row.day, reason=row.reason))

    @strawberry.mutation(description="Reopen a day that was closed locally (ADMIN).")
    @returns_errors
    async def hall_closure_remove(
        self,
        info: Info,
        input: HallClosureRemoveInput,  # noqa: A002
    ) -> HallClosureResult:
        """Remove a closure."""
        await actions.remove_closure(
            require_actor(info), decode_id(input.hall_id, "Hall", "hall_id"), input.day
        )
        return HallClosurePayload(closure=None)

    @strawberry.mutation(description="Set a hall's opening hours (ADMIN).")
    @returns_errors
    async def hall_hours_set(self, info: Info, input: HallHoursSetInput) -> HallHoursResult:  # noqa: A002
        """Set opening hours."""
        value = HoursValue(
            weekday=_sessions(input.weekday, "weekday"),
            saturday=_sessions(input.saturday, "saturday"),
            ticket_cutoff_minutes=input.ticket_cutoff_minutes,
            carry_over=input.carry_over_unserved,
        )
        await actions.set_hours(
            require_actor(info),
            decode_id(input.hall_id, "Hall", "hall_id"),
            value,
            info.context.now,
        )
        return HallHoursPayload(opening_hours=OpeningHours.of(value))
