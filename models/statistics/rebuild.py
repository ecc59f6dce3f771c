"""Rebuild the rollups from the raw tables, and compare the two (both for operators and tests)."""

from __future__ import annotations

from tortoise import connections
from tortoise.transactions import in_transaction

from models.statistics.parts import (
    COUNTERS,
    GRAINS,
    PARTS,
    PENDING,
    SOURCES,
    contributions,
    day_of,
    live,
    upsert,
)


async def rebuild_rollups() -> dict[str, int]:
    """Empty the rollups and the pending changes (the raw rows hold them already) and sum the
    rollups again from raw rows; writers wait meanwhile (SHARE locks).

    Returns the rows written per rollup table.
    """
    raw = " UNION ALL ".join(contributions(p, f'"{p.table}"', COUNTERS) for p in PARTS)
    written: dict[str, int] = {}
    async with in_transaction() as conn:
        tables = ", ".join(f'"{t}"' for t in SOURCES)
        await conn.execute_query(f"LOCK TABLE {tables} IN SHARE MODE")
        await conn.execute_query(f"TRUNCATE {', '.join((*GRAINS, PENDING))}")
        for grain in GRAINS:
            await conn.execute_query(upsert(grain, COUNTERS, raw))
            rows = await conn.execute_query_dict(f"SELECT count(*) AS n FROM {grain}")  # noqa: S608  (a constant table name)
            written[grain] = int(rows[0]["n"])
    return written


async def rollup_differences() -> list[str]:
    """Keys where a rollup table (a key's rows summed: its shards and the pending changes)
    disagrees with the raw tables (empty: they agree)."""
    raw = " UNION ALL ".join(contributions(p, f'"{p.table}"', COUNTERS) for p in PARTS)
    found: list[str] = []
    for grain, keys in GRAINS.items():
        key_list = ", ".join((*keys, "day"))
        source = f"SELECT {', '.join(keys)}, {day_of(grain)} AS day, {', '.join(COUNTERS)} FROM ({raw}) r"  # noqa: S608  (SQL from constants)
        sums = ", ".join(f"sum({c})::bigint AS {c}" for c in COUNTERS)
        nonzero = " OR ".join(f"sum({c}) <> 0" for c in COUNTERS)
        rollup = (
            f"SELECT {key_list}, {sums} FROM {live(grain)} r GROUP BY {key_list} HAVING {nonzero}"  # noqa: S608  (SQL from constants)
        )
        sql = (
            f"(SELECT {key_list}, {sums} FROM ({source}) d GROUP BY {key_list} EXCEPT "  # noqa: S608  (SQL from constants)
            f"{rollup}) UNION ALL ({rollup} EXCEPT "
            f"SELECT {key_list}, {sums} FROM ({source}) d GROUP BY {key_list})"
        )
        rows = await connections.get("default").execute_query_dict(sql)
        found += [f"{grain}: {dict(r)}" for r in rows]
    return found
