"""The cost budget port: each caller may spend so many cost points per window (the API layer counts in Redis)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Spent:
    """The outcome of spending: refused spends are not counted."""

    allowed: bool
    remaining: int
    limit: int
    reset_in: int


class CostBudget(Protocol):
    """Points per caller per window, shared by every API process."""

    async def spend(self, who: str, cost: int) -> Spent:
        """Spend `cost` points of `who`'s budget, or refuse if they would overdraw it."""
        ...
