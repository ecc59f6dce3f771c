"""A realistic year (or years) of a hall's cases, tickets, ratings and cards, written with COPY.

Reproducible from a seed; the distribution is a `Shape`. Kinds, acceptance days, early and
overdue counts of the target year are exact; the rest is drawn from the seed. Every case is
decided inside its own year, except that `Shape.early` beyond what the target year's own
non-immediate cases can give is made up by the previous year's last promised cases, decided
early on the target year's first working day (a real hall's January does the same).
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tortoise import connections

from models.accounts.passwords import hash_password
from models.accounts.tables import Role, User
from models.calendar.queries import hall_calendar
from models.calendar.rules import WorkingCalendar
from models.catalogue import actions
from models.catalogue.rules import (
    DepartmentDraft,
    HallDraft,
    ItemElements,
    JointDepartment,
    LaneDraft,
    Material,
    WindowDraft,
)
from models.catalogue.tables import (
    DayUnit,
    Hall,
    HallLevel,
    ItemKind,
    Lane,
    ServiceItem,
    ServiceItemVersion,
    Window,
    WindowKind,
)
from models.common.actor import SYSTEM_ACTOR
from models.statistics.fold import fold_pending
from models.statistics.parts import GRAINS

BATCH = 50_000
YELLOW_DAYS = 3
TZ_OFFSET = timedelta(hours=8)  # generated halls keep Asia/Shanghai
KINDS = (ItemKind.IMMEDIATE, ItemKind.PROMISED, ItemKind.JOINT, ItemKind.REPORTED)


@dataclass(frozen=True)
class Shape:
    """The distribution of a generated hall's year; counts are the target year's."""

    year: int = 2021
    accepted: int = 1_335_875
    immediate: int = 718_496
    promised: int = 605_084
    joint: int = 213
    reported: int = 12_082
    early: int = 650_143
    overdue: int = 0
    previous_accepted: int = 1_086_961  # the year before: +22.90%
    history: int = 0  # more cases (and cards; no tickets or ratings) over the years before
    recent: bool = True  # write the previous and the target year (False: the history only)
    rated: float = 0.6
    bad: float = 0.004
    appealed: float = 0.2
    tickets: float = 1.0
    wait_minutes: float = 11.0
    service_minutes: float = 9.0
    departments: int = 35
    windows: int = 260
    items: int = 1000

    def scaled(self, accepted: int) -> Shape:
        """The same shape with another total (kinds and early in proportion)."""
        ratio = accepted / self.accepted
        immediate = round(self.immediate * ratio)
        promised = round(self.promised * ratio)
        joint = round(self.joint * ratio)
        reported = accepted - immediate - promised - joint
        return replace(
            self,
            accepted=accepted,
            immediate=immediate,
            promised=promised,
            joint=joint,
            reported=reported,
            early=round(self.early * ratio),
            overdue=round(self.overdue * ratio),
            previous_accepted=round(self.previous_accepted * ratio),
        )


PRESETS = {
    # 济南-like: the published year (DOMAIN.md Statistics) on a 250-working-day year.
    "real-hall": Shape(),
    # An ordinary hall: some overdue cases and cards, fewer early ones.
    "typical": Shape(
        accepted=400_000,
        immediate=200_000,
        promised=190_000,
        joint=2_000,
        reported=8_000,
        early=150_000,
        overdue=1_200,
        previous_accepted=380_000,
    ),
}


@dataclass
class Catalogue:
    """What cases are drawn from: items by kind, windows and their clerks by department."""

    hall: Hall
    items: dict[ItemKind, list[tuple[int, int, int, int]]] = field(default_factory=dict)
    weights: dict[ItemKind, list[float]] = field(default_factory=dict)
    desks: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    lanes: dict[int, tuple[int, str]] = field(default_factory=dict)


def _elements(name: str, kind: ItemKind, limit: int, partner: int) -> ItemElements:
    joint = (JointDepartment(department_id=partner, limit=limit),) if kind is ItemKind.JOINT else ()
    return ItemElements(
        name=name,
        kind=kind,
        legal_limit=0 if kind is ItemKind.IMMEDIATE else max(limit, 20),
        promised_limit=limit,
        day_unit=DayUnit.WORKING,
        materials=(Material(name="居民身份证"),),
        joint_departments=joint,
    )


def _kind_of(n: int) -> ItemKind:
    # Per 20 items: 10 immediate, 8 promised, 1 reported, 1 joint.
    slot = n % 20
    if slot < 10:
        return ItemKind.IMMEDIATE
    if slot < 18:
        return ItemKind.PROMISED
    return ItemKind.REPORTED if slot == 18 else ItemKind.JOINT


async def ensure_catalogue(code: str, name: str, shape: Shape, seed: int) -> Catalogue:
    """The hall with its departments, items, lanes, windows and clerks (created when missing)."""
    now = datetime(shape.year - 2, 1, 1, tzinfo=UTC)
    hall = await Hall.get_or_none(code=code)
    if hall is None:
        rng = random.Random(seed)  # noqa: S311  (reproducible data, not secrets)
        hall = await actions.create_hall(
            SYSTEM_ACTOR,
            HallDraft(code=code, name=name, level=HallLevel.CITY, region="370100"),
            now,
        )
        depts = [
            await actions.create_department(
                SYSTEM_ACTOR,
                DepartmentDraft(hall_id=hall.id, code=f"D{n:02d}", name=f"进驻部门{n:02d}"),
                now,
            )
            for n in range(shape.departments)
        ]
        for n in range(shape.items):
            kind = _kind_of(n)
            limit = {ItemKind.IMMEDIATE: 0, ItemKind.JOINT: 15, ItemKind.REPORTED: 20}.get(
                kind, rng.choice((3, 5, 5, 7, 10, 10, 15, 20))
            )
            await actions.create_item(
                SYSTEM_ACTOR, department_id=depts[n % len(depts)].id, code=f"{code}-{n:04d}",
                elements=_elements(
                    f"服务事项{n:04d}", kind, limit, partner=depts[(n + 1) % len(depts)].id
                ),
                now=now,
            )  # fmt: skip
        lanes = [
            await actions.create_lane(
                SYSTEM_ACTOR,
                LaneDraft(
                    hall_id=hall.id, prefix=p, name=f"{p}类业务", daily_cap=5000, range_end=9999
                ),
                now,
            )
            for p in "ABCDEF"
        ]
        password = hash_password("hall-demo-2026")
        for n in range(shape.windows):
            dept = depts[n % len(depts)]
            await actions.create_window(
                SYSTEM_ACTOR,
                WindowDraft(
                    hall_id=hall.id, number=str(n + 1), name=f"{n + 1}号窗口",
                    kind=WindowKind.DEDICATED, department_id=dept.id,
                    lane_ids=(lanes[n % len(lanes)].id,),
                ),
                now,
            )  # fmt: skip
            await User.create(
                username=f"{code.lower()}_clerk{n + 1:03d}", display_name=f"窗口{n + 1}号",
                password_hash=password, role=Role.CLERK, hall_id=hall.id,
                department_id=dept.id, mobile="", token_version=0,
            )  # fmt: skip
    return await _read_catalogue(hall, seed)


async def _read_catalogue(hall: Hall, seed: int) -> Catalogue:
    rng = random.Random(seed + 1)  # noqa: S311
    found = Catalogue(hall)
    versions = dict(
        await ServiceItemVersion.filter(item__hall_id=hall.id, version=1).values_list(
            "item_id", "id"
        )
    )
    for item in await ServiceItem.filter(hall_id=hall.id).order_by("id"):
        kind = ItemKind(item.kind)
        found.items.setdefault(kind, []).append(
            (item.id, int(versions[item.id]), item.department_id, item.promised_limit)
        )
    for kind, rows in found.items.items():
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(rows))]
        rng.shuffle(weights)
        found.weights[kind] = list(itertools.accumulate(weights))
    staff: dict[int, list[int]] = {}
    for user in await User.filter(hall_id=hall.id, role=Role.CLERK).order_by("id"):
        staff.setdefault(int(user.department_id or 0), []).append(user.id)
    lanes = {lane.id: lane for lane in await Lane.filter(hall_id=hall.id)}
    for window in await Window.filter(hall_id=hall.id).order_by("id").prefetch_related("lanes"):
        dept = int(window.department_id or 0)
        clerks = staff.get(dept) or [0]
        desks = found.desks.setdefault(dept, [])
        desks.append((window.id, clerks[len(desks) % len(clerks)]))
        lane = next(iter(window.lanes), None) or next(iter(lanes.values()))
        found.lanes.setdefault(dept, (lane.id, lane.prefix))
    return found


class Days:
    """Working days around the generated years, for due dates and decisions."""

    def __init__(self, calendar: WorkingCalendar, first: int, last: int) -> None:
        self.days: list[date] = []
        day = date(first, 1, 1)
        while day <= date(last + 1, 12, 31):
            if calendar.is_working(day):
                self.days.append(day)
            day += timedelta(days=1)
        self.index = {d: i for i, d in enumerate(self.days)}

    def of_year(self, year: int) -> list[date]:
        """The working days of a year."""
        return [d for d in self.days if d.year == year]

    def add(self, day: date, n: int) -> date:
        """The n-th working day after a working day."""
        return self.days[self.index[day] + n]


@dataclass(frozen=True)
class YearPlan:
    """One generated year: its totals and how its completions fall."""

    year: int
    shape: Shape
    early: int  # early completions of this year's own cases
    carry_out: int  # of this year's last promised cases, decided early next January


def _early(shape: Shape, carry: int) -> int:
    """Early completions a year's own cases can give after its carry into next January."""
    own = shape.promised + shape.joint + shape.reported
    return max(0, min(shape.early, own - carry - shape.overdue))


def plans(shape: Shape) -> list[YearPlan]:
    """History years, the previous year and the target year."""
    own = shape.promised + shape.joint + shape.reported
    early = min(shape.early, own - shape.overdue)
    carry = shape.early - early
    years: list[YearPlan] = []
    if shape.history:
        count = max(1, math.ceil(shape.history / max(shape.previous_accepted, 1)))
        each = shape.history // count
        for k in range(count, 0, -1):
            total = each + (shape.history - each * count if k == 1 else 0)
            scaled = replace(shape.scaled(total), overdue=0, tickets=0.0, rated=0.0)
            years.append(YearPlan(shape.year - 1 - k, scaled, _early(scaled, 0), 0))
    if not shape.recent:
        return years
    if shape.previous_accepted:
        prior = replace(shape.scaled(shape.previous_accepted), overdue=0)
        years.append(YearPlan(shape.year - 1, prior, _early(prior, carry), carry))
    years.append(YearPlan(shape.year, shape, early, 0))
    return years


CASE_COLUMNS = (
    "id", "number", "hall_id", "department_id", "item_id", "item_version_id", "kind", "day_unit",
    "limit_days", "legal_limit_days", "investment_project", "applicant_kind", "applicant_name",
    "applicant_id_number", "applicant_phone", "contact_name", "window_id", "status",
    "received_at", "received_by_id", "accepted_at", "accepted_on", "back_entered",
    "missing_materials", "extension_days", "due_on", "due_provisional", "calendar_years",
    "alert_level", "yellow_on", "decided_at", "decided_on", "outcome", "timeliness",
    "decision_note", "courier", "tracking_number", "forwarded_to", "event_count", "updated_at",
)  # fmt: skip
TICKET_COLUMNS = (
    "hall_id", "lane_id", "issued_lane_id", "business_day", "sequence", "number", "channel",
    "priority", "rank", "status", "item_id", "window_id", "holder_name", "holder_phone",
    "issued_at", "called_at", "called_by_id", "recall_count", "finished_at", "outcome",
    "case_number", "updated_at",
)  # fmt: skip
RATING_COLUMNS = (
    "hall_id", "department_id", "window_id", "staff_id", "item_id", "case_id", "channel",
    "grade", "bad", "tags", "comment", "rater_digest", "submitted_at", "rated_on", "counted",
    "policy_version",
)  # fmt: skip
CARD_COLUMNS = (
    "case_id", "hall_id", "department_id", "level", "due_on", "raised_at", "raised_on",
    "cleared_at", "clear_reason", "escalation_step",
)  # fmt: skip


def _local(day: date, seconds: float) -> datetime:
    """A moment `seconds` after 09:00 on a hall-local day, as UTC."""
    return datetime.combine(day, time(9), UTC) - TZ_OFFSET + timedelta(seconds=seconds)


@dataclass
class Rows:
    """Rows of one batch, per table."""

    cases: list[tuple[Any, ...]] = field(default_factory=list)
    tickets: list[tuple[Any, ...]] = field(default_factory=list)
    ratings: list[tuple[Any, ...]] = field(default_factory=list)
    cards: list[tuple[Any, ...]] = field(default_factory=list)


def _exact(rng: random.Random, counts: dict[str, int]) -> list[str]:
    labels = [k for k, n in counts.items() for _ in range(n)]
    rng.shuffle(labels)
    return labels


def year_rows(  # noqa: PLR0912, PLR0915  (one case's whole life, written out)
    plan: YearPlan, cat: Catalogue, days: Days, first_id: int, seed: int
) -> Iterator[Rows]:
    """The rows of one year, in batches; case ids from `first_id` on."""
    shape, year = plan.shape, plan.year
    rng = random.Random(seed * 10_000 + year)  # noqa: S311
    working = days.of_year(year)
    per_day = [shape.accepted // len(working)] * len(working)
    for n in rng.sample(range(len(working)), shape.accepted % len(working)):
        per_day[n] += 1
    kinds = _exact(
        rng,
        {
            "IMMEDIATE": shape.immediate,
            "PROMISED": shape.promised,
            "JOINT": shape.joint,
            "REPORTED": shape.reported,
        },
    )
    # Completion classes of the non-immediate cases, latest accepted first: the carry into
    # next January, then early ones (a case due after New Year must finish early), overdue,
    # and on time.
    own = shape.promised + shape.joint + shape.reported
    carry = plan.carry_out
    classes = (
        ["CARRY"] * carry
        + ["EARLY"] * plan.early
        + _exact(
            rng, {"OVERDUE": shape.overdue, "ON_TIME": own - carry - plan.early - shape.overdue}
        )
    )
    next_first = days.of_year(year + 1)[0]
    case_id = first_id
    sequence: dict[tuple[int, date], int] = {}
    out = Rows()
    position = shape.accepted - 1
    taken = 0
    hall_id = cat.hall.id
    wait_rate = 1 / (shape.wait_minutes * 60)
    service_rate = 1 / (shape.service_minutes * 60)
    for day_index in range(len(working) - 1, -1, -1):
        day = working[day_index]
        for n in range(per_day[day_index]):
            kind = ItemKind(kinds[position])
            position -= 1
            drawn = kind if kind in cat.items else ItemKind.PROMISED
            pool = cat.items[drawn]
            item_id, version_id, dept_id, limit = rng.choices(pool, cum_weights=cat.weights[drawn])[
                0
            ]
            if kind is ItemKind.IMMEDIATE:
                limit, klass = 0, "IMMEDIATE"
            else:
                klass = classes[taken]
                taken += 1
                if klass == "CARRY":
                    limit = max(limit, 20)
                limit = max(limit, 1)
            window_id, staff_id = rng.choice(cat.desks.get(dept_id) or [(0, 0)])
            lane_id, prefix = cat.lanes.get(dept_id) or next(iter(cat.lanes.values()))
            issued = _local(day, rng.uniform(0, 7 * 3600))
            called = issued + timedelta(seconds=round(rng.expovariate(wait_rate)))
            finished = called + timedelta(seconds=round(rng.expovariate(service_rate)) + 60)
            accepted_at = finished
            due = days.add(day, limit) if limit else day
            yellow_on = days.add(day, limit - YELLOW_DAYS) if limit > YELLOW_DAYS else None
            if klass == "IMMEDIATE":
                decided, timeliness = day, "ON_TIME"
            elif klass == "CARRY":
                decided, timeliness = next_first, "EARLY"
            elif klass == "EARLY":
                span = [days.add(day, k) for k in range(limit)]
                span = [d for d in span if d.year == year] or [day]
                decided, timeliness = rng.choice(span), "EARLY"
            elif klass == "OVERDUE":
                decided, timeliness = days.add(due, rng.randint(1, 3)), "OVERDUE"
            else:
                decided, timeliness = due, "ON_TIME"
            seq = sequence.get((lane_id, day), 0) + 1
            sequence[(lane_id, day)] = seq
            number = f"{cat.hall.code}-{day:%Y%m%d}-{n + 1:06d}"
            decided_at = _local(decided, 7.5 * 3600)
            out.cases.append((
                case_id, number, hall_id, dept_id, item_id, version_id, kind.value, "WORKING",
                limit, max(limit, 20) if limit else 0, False, "PERSON", "张三",
                "11010519491231002X", f"139{rng.randrange(10**8):08d}", "", window_id or None,
                "DELIVERED", accepted_at, staff_id or None, accepted_at, day, False, "[]", 0, due,
                False, f"[{day.year}]", "NONE", yellow_on, decided_at, decided, "APPROVED",
                timeliness, "", "", "", "", 3, decided_at,
            ))  # fmt: skip
            if rng.random() < shape.tickets:
                out.tickets.append((
                    hall_id, lane_id, lane_id, day, seq, f"{prefix}{seq:03d}", "KIOSK", "NORMAL",
                    seq, "FINISHED", item_id, window_id or None, "", "", issued, called,
                    staff_id or None, 0, finished, "SERVED", number, finished,
                ))  # fmt: skip
            if yellow_on is not None and decided >= yellow_on:
                out.cards.append((
                    case_id, hall_id, dept_id, "YELLOW", due, _local(yellow_on, 0), yellow_on,
                    decided_at, "COMPLETED", 0,
                ))  # fmt: skip
            if timeliness == "OVERDUE":
                red_on = due + timedelta(days=1)
                out.cards.append((
                    case_id, hall_id, dept_id, "RED", due, _local(red_on, 0), red_on,
                    decided_at, "COMPLETED", 0,
                ))  # fmt: skip
            if rng.random() < shape.rated:
                bad = rng.random() < shape.bad
                grade = rng.choice((1, 2)) if bad else rng.choices((5, 4, 3), (85, 12, 3))[0]
                counted = not (bad and rng.random() < shape.appealed)
                out.ratings.append((
                    hall_id, dept_id, window_id or None, staff_id or None, item_id, case_id,
                    "WINDOW", grade, bad, "[]", "", "", decided_at, decided, counted, 1,
                ))  # fmt: skip
            case_id += 1
            if len(out.cases) >= BATCH:
                yield out
                out = Rows()
    if out.cases:
        yield out


@dataclass
class Generated:
    """What a run wrote."""

    hall_id: int = 0
    cases: int = 0
    tickets: int = 0
    ratings: int = 0
    cards: int = 0
    years: list[int] = field(default_factory=list)


async def generate(code: str, name: str, shape: Shape, seed: int) -> Generated:
    """Write the shape's years for a hall (created when missing) with COPY; the triggers' changes
    are folded into the rollups at the end."""
    cat = await ensure_catalogue(code, name, shape, seed)
    years = plans(shape)
    days = Days(await hall_calendar(cat.hall), years[0].year, shape.year + 1)
    total = sum(p.shape.accepted for p in years)
    client: Any = connections.get("default")
    result = Generated(hall_id=cat.hall.id, years=[p.year for p in years])
    async with client.acquire_connection() as conn:
        first = await conn.fetchval(
            "SELECT setval(pg_get_serial_sequence('case', 'id'),"
            " nextval(pg_get_serial_sequence('case', 'id')) + $1) - $1 + 1",
            total,
        )
        next_id = int(first)
        for plan in years:
            for rows in year_rows(plan, cat, days, next_id, seed):
                async with conn.transaction():
                    await conn.copy_records_to_table(
                        "case", records=rows.cases, columns=CASE_COLUMNS
                    )
                    await conn.copy_records_to_table(
                        "ticket", records=rows.tickets, columns=TICKET_COLUMNS
                    )
                    await conn.copy_records_to_table(
                        "evaluation", records=rows.ratings, columns=RATING_COLUMNS
                    )
                    await conn.copy_records_to_table(
                        "case_alert", records=rows.cards, columns=CARD_COLUMNS
                    )
                next_id += len(rows.cases)
                result.cases += len(rows.cases)
                result.tickets += len(rows.tickets)
                result.ratings += len(rows.ratings)
                result.cards += len(rows.cards)
    await fold_pending(batch=50_000)
    async with client.acquire_connection() as conn:
        await conn.execute(
            'ANALYZE "case", ticket, evaluation, case_alert, stat_pending, ' + ", ".join(GRAINS)
        )
    return result
