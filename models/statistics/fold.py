"""Moving the pending changes of the figures into the rollups (the fold job, the CLI).

Reads add what is still pending, so the figures are the same before and after a fold: folding
only keeps the pending table small. Each batch is one statement (a folder killed mid-way moves
nothing), and folders running at once take different rows.
"""

from __future__ import annotations

from tortoise import connections

from models.statistics.parts import fold_statement

BATCH = 5_000

_FOLD = fold_statement()


async def fold_pending(batch: int = BATCH) -> int:
    """Fold every pending change, `batch` rows per statement; returns how many were moved."""
    moved = 0
    while True:
        rows = await connections.get("default").execute_query_dict(_FOLD, [batch])
        count = int(rows[0]["moved"])
        moved += count
        if count < batch:
            return moved
