"""A case's deadline from the one clock engine, and recomputing open cases when a year changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import structlog
from tortoise.transactions import in_transaction

from models.alerts.lifecycle import review
from models.alerts.policy import policy_for
from models.alerts.rules import Policy, yellow_start
from models.calendar.queries import hall_calendar
from models.calendar.rules import Pause, WorkingCalendar
from models.cases import journal
from models.cases.rules import OPEN_STATUSES, Clock, count_unit, deadline
from models.cases.tables import Case, CasePause, CaseSubtask, EventKind, SubtaskStatus
from models.catalogue.tables import Hall

log = structlog.get_logger(__name__)


def local_date(moment: datetime, timezone: str) -> date:
    """The calendar date of a moment in a hall's time zone."""
    return moment.astimezone(ZoneInfo(timezone)).date()


async def latest_local_date(moment: datetime) -> date:
    """The latest calendar date among the halls' time zones (each case is then judged by its own)."""
    zones = await Hall.all().distinct().values_list("timezone", flat=True)
    return max((local_date(moment, str(zone)) for zone in zones), default=moment.date())


@dataclass(frozen=True)
class DueChange:
    """A case's due date before and after a recomputation."""

    old_due: date | None
    old_provisional: bool
    new_due: date
    new_provisional: bool

    @property
    def changed(self) -> bool:
        """Whether the date or its provisional flag moved."""
        return (self.old_due, self.old_provisional) != (self.new_due, self.new_provisional)

    def as_data(self) -> dict[str, object]:
        """The event data: old -> new."""
        return {
            "old_due": self.old_due.isoformat() if self.old_due else None,
            "new_due": self.new_due.isoformat(),
            "old_provisional": self.old_provisional,
            "new_provisional": self.new_provisional,
        }


async def _pauses(case: Case) -> tuple[Pause, ...]:
    rows = await CasePause.filter(case_id=case.id).order_by("id")
    return tuple(Pause(start=p.started_on, end=p.ended_on) for p in rows)


async def apply_deadline(
    case: Case, calendar: WorkingCalendar, policy: Policy | None = None
) -> DueChange:
    """Recompute and store the due dates (and yellow-card day) of a locked accepted case."""
    assert case.accepted_on is not None  # noqa: S101  (only accepted cases have a clock)
    pauses = await _pauses(case)
    clock = Clock(
        accepted_on=case.accepted_on,
        limit=case.limit_days,
        unit=case.day_unit,
        pauses=pauses,
        extension=case.extension_days,
    )
    computed = deadline(calendar, clock)
    change = DueChange(case.due_on, case.due_provisional, computed.due, computed.provisional)
    years = set(computed.years)
    for task in await CaseSubtask.filter(case_id=case.id, status=SubtaskStatus.PENDING):
        sub = deadline(calendar, Clock(case.accepted_on, task.limit_days, case.day_unit, pauses))
        years |= sub.years
        if (task.due_on, task.due_provisional) != (sub.due, sub.provisional):
            task.due_on, task.due_provisional = sub.due, sub.provisional
            await task.save(update_fields=["due_on", "due_provisional"])
    case.due_on = computed.due
    case.due_provisional = computed.provisional
    case.calendar_years = sorted(years)
    policy = policy or await policy_for(case.hall_id)
    case.yellow_on = yellow_start(
        calendar,
        computed.due,
        policy.threshold_for(case.item_id),
        case.limit_days + case.extension_days,
        count_unit(case.day_unit),
    )
    await case.save(update_fields=["due_on", "due_provisional", "calendar_years", "yellow_on"])
    return change


async def recompute_for_year(region: str, year: int, now: datetime) -> int:
    """Recompute every open case whose deadline looked at `year`; one audit event per change."""
    open_ids = await Case.filter(status__in=sorted(OPEN_STATUSES)).values_list(
        "id", "calendar_years", "hall_id"
    )
    touching = [(case_id, hall_id) for case_id, years, hall_id in open_ids if year in years]
    calendars: dict[int, WorkingCalendar] = {}
    timezones: dict[int, str] = {}
    changed = 0
    for case_id, hall_id in touching:
        if hall_id not in calendars:
            hall = await Hall.get(id=hall_id)
            calendars[hall_id] = await hall_calendar(hall)
            timezones[hall_id] = hall.timezone
        async with in_transaction():
            case = await Case.filter(id=case_id).select_for_update().get()
            if case.status not in OPEN_STATUSES:
                continue
            change = await apply_deadline(case, calendars[hall_id])
            await review(case, local_date(now, timezones[hall_id]), now)
            if change.changed:
                changed += 1
                await journal.record(
                    case,
                    EventKind.DEADLINE_RECOMPUTED,
                    None,
                    now,
                    from_status=case.status,
                    remark=f"{year}年工作日历（{region}）更新，重新计算办理期限",
                    data={**change.as_data(), "region": region, "year": year},
                )
    log.info(
        "deadlines recomputed", region=region, year=year, examined=len(touching), changed=changed
    )
    return changed


async def recompute_for_hall(hall_id: int, now: datetime) -> int:
    """Recompute the yellow-card day of a hall's open cases after its alert policy changed."""
    hall = await Hall.get(id=hall_id)
    calendar = await hall_calendar(hall)
    policy = await policy_for(hall_id)
    ids = await Case.filter(hall_id=hall_id, status__in=sorted(OPEN_STATUSES)).values_list(
        "id", flat=True
    )
    moved = 0
    for case_id in ids:
        async with in_transaction():
            case = await Case.filter(id=case_id).select_for_update().get()
            if case.status not in OPEN_STATUSES:
                continue
            before = case.yellow_on
            await apply_deadline(case, calendar, policy)
            await review(case, local_date(now, hall.timezone), now)
            moved += case.yellow_on != before
    log.info("yellow days recomputed", hall=hall_id, examined=len(ids), moved=moved)
    return moved
