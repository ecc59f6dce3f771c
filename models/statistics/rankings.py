"""Rankings: the top windows of a quarter (红旗窗口) and the staff of the month (服务之星).

Score out of 100, from the period's figures of each window (or staff member):
- satisfaction, 40 points: 40 x good ratings / counted ratings;
- timeliness, 30 points: 30 x completed by the due date / completed (0 with no completion);
- volume, 20 points: 20 x accepted / the most accepted by any candidate of the hall;
- alerts, 10 points: 10 less 2 per red card and 0.5 per yellow card, never below 0.
Only candidates with at least `min_ratings` counted ratings rank. Ties: higher satisfaction,
then more accepted cases, then the lower id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from models.accounts.tables import Role
from models.common.actor import Actor
from models.common.errors import Forbidden, InvalidInput
from models.statistics.access import scoped_hall_subtree
from models.statistics.queries import labels
from models.statistics.reads import Scope, counts
from models.statistics.rules import Figures, GroupBy, Period, month_end

FORMULA = (
    "score = 40 x satisfaction (good / counted ratings) + 30 x on-time rate (completed by the "
    "due date / completed) + 20 x accepted / the most accepted in the hall + max(0, 10 - 2 x red "
    "cards - 0.5 x yellow cards); at least `minRatings` counted ratings; ties: satisfaction, "
    "then accepted, then id"
)


class RankingKind(StrEnum):
    """What is ranked."""

    RED_FLAG_WINDOW = "RED_FLAG_WINDOW"
    SERVICE_STAR = "SERVICE_STAR"


DIMENSION = {RankingKind.RED_FLAG_WINDOW: GroupBy.WINDOW, RankingKind.SERVICE_STAR: GroupBy.STAFF}
READERS = {
    RankingKind.RED_FLAG_WINDOW: frozenset(Role),
    RankingKind.SERVICE_STAR: frozenset({Role.ADMIN, Role.SUPERVISOR, Role.CHIEF_REP, Role.CLERK}),
}


@dataclass(frozen=True)
class Entry:
    """One ranked window or staff member."""

    rank: int
    key: int
    label: str
    score: float
    figures: Figures


@dataclass(frozen=True)
class Ranking:
    """The ranked candidates of a period, best first."""

    kind: RankingKind
    hall_id: int
    period: Period
    entries: list[Entry]


def parse_period(text: str) -> Period:
    """A quarter (2021-Q1) or a month (2021-03)."""
    quarter = re.fullmatch(r"(\d{4})-Q([1-4])", text.strip())
    if quarter:
        year, q = int(quarter[1]), int(quarter[2])
        first = date(year, 3 * q - 2, 1)
        return Period(first, month_end(date(year, 3 * q, 1)))
    month = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", text.strip())
    if month:
        first = date(int(month[1]), int(month[2]), 1)
        return Period(first, month_end(first))
    raise InvalidInput.single(
        "period", "INVALID_FORMAT", "期间应为季度（2021-Q1）或月份（2021-03）"
    )


def score(figures: Figures, most_accepted: int) -> float:
    """The published formula (module docstring)."""
    satisfaction = figures.satisfaction.value or 0.0
    on_time = figures.on_time_rate.value or 0.0
    volume = figures.accepted / most_accepted if most_accepted else 0.0
    alerts = max(0.0, 10 - 2 * figures.red_cards - 0.5 * figures.yellow_cards)
    return 40 * satisfaction + 30 * on_time + 20 * volume + alerts


async def rankings(
    actor: Actor,
    hall_id: int | None,
    period_text: str,
    kind: RankingKind,
    *,
    top: int,
    min_ratings: int,
) -> Ranking:
    """The top `top` candidates of the hall (its subtree) in the period."""
    period = parse_period(period_text)
    if not 1 <= top <= 100:
        raise InvalidInput.single("top", "OUT_OF_RANGE", "名次数应在1到100之间")
    if actor.role not in READERS[kind]:
        raise Forbidden("无权查看个人排名")
    hall, subtree = await scoped_hall_subtree(actor, hall_id)
    dim = DIMENSION[kind]
    found, _ = await counts(Scope(hall_ids=subtree), (dim,), period)
    candidates = {int(k[0]): Figures(v) for k, v in found.items() if k[0]}
    most = max((f.accepted for f in candidates.values()), default=0)
    scored = sorted(
        (
            (score(f, most), f.satisfaction.value or 0.0, f.accepted, key, f)
            for key, f in candidates.items()
            if f.ratings >= min_ratings
        ),
        key=lambda s: (-s[0], -s[1], -s[2], s[3]),
    )[:top]
    names = await labels(dim, [s[3] for s in scored])
    entries = [
        Entry(rank=n + 1, key=key, label=names[key], score=round(points, 2), figures=f)
        for n, (points, _, _, key, f) in enumerate(scored)
    ]
    return Ranking(kind, hall.id, period, entries)
