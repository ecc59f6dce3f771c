"""Ranking types: 红旗窗口 and 服务之星 with their scores and the figures behind them."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Self

import strawberry
from strawberry import relay
from strawberry.relay import to_base64

from models.statistics import rankings
from schema.types.statistics import Rate

FORMULA_TEXT = (
    "Score out of 100: 40 x satisfaction (good / counted ratings) + 30 x on-time rate "
    "(completed by the due date / completed; 0 with no completion) + 20 x accepted / the most "
    "accepted by any candidate of the hall + max(0, 10 - 2 x red cards - 0.5 x yellow cards). "
    "Only candidates with at least `minRatings` counted ratings rank; ties go to the higher "
    "satisfaction, then more accepted cases, then the lower id."
)


@strawberry.enum(description="What a ranking ranks.")
class RankingKind(Enum):
    """Ranking kinds."""

    RED_FLAG_WINDOW = strawberry.enum_value(
        "RED_FLAG_WINDOW", description="红旗窗口: windows, usually over a quarter (2021-Q1)."
    )
    SERVICE_STAR = strawberry.enum_value(
        "SERVICE_STAR",
        description="服务之星: staff members, usually over a month (2021-03); staff accounts only.",
    )


@strawberry.type(description="One ranked window or staff member. " + FORMULA_TEXT)
class RankingEntry:
    """A ranked candidate."""

    rank: int = strawberry.field(description="1 for the best.")
    object_id: relay.GlobalID = strawberry.field(
        description="The window (Window) or staff member (User)."
    )
    label: str = strawberry.field(description="Window number and name, or the staff member's name.")
    score: float = strawberry.field(description="Points out of 100, rounded to 2 decimals.")
    satisfaction: Rate = strawberry.field(description="Good / counted ratings.")
    on_time: Rate = strawberry.field(description="Completed by the due date / completed.")
    accepted: int = strawberry.field(description="Cases accepted in the period.")
    yellow_cards: int = strawberry.field(description="Yellow cards raised in the period.")
    red_cards: int = strawberry.field(description="Red cards raised in the period.")

    @classmethod
    def of(cls, entry: rankings.Entry, kind: rankings.RankingKind) -> Self:
        """From a model entry."""
        node = "Window" if kind is rankings.RankingKind.RED_FLAG_WINDOW else "User"
        f = entry.figures
        return cls(
            rank=entry.rank,
            object_id=relay.GlobalID.from_id(to_base64(node, entry.key)),
            label=entry.label,
            score=entry.score,
            satisfaction=Rate.of(f.satisfaction),
            on_time=Rate.of(f.on_time_rate),
            accepted=f.accepted,
            yellow_cards=f.yellow_cards,
            red_cards=f.red_cards,
        )


@strawberry.type(description="The best windows or staff of a period. " + FORMULA_TEXT)
class Ranking:
    """A ranking."""

    kind: RankingKind = strawberry.field(description="What is ranked.")
    from_: date = strawberry.field(name="from", description="First day of the period.")
    to: date = strawberry.field(description="Last day of the period.")
    formula: str = strawberry.field(description="The published formula, in words.")
    entries: list[RankingEntry] = strawberry.field(description="Best first.")

    @classmethod
    def of(cls, ranking: rankings.Ranking) -> Self:
        """From the model's ranking."""
        return cls(
            kind=RankingKind[ranking.kind.name],
            from_=ranking.period.start,
            to=ranking.period.end,
            formula=FORMULA_TEXT,
            entries=[RankingEntry.of(e, ranking.kind) for e in ranking.entries],
        )
