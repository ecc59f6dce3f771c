"""A statement's rows as the driver's records, straight from the pool outside transactions.

tortoise's `execute_query` wraps one query in an acquire context, exception translation and a
logger call: for a short read that costs about as much client CPU as decoding the rows. Outside
a transaction the statement goes to asyncpg's pool directly; inside one it goes through the
transaction's connection as before (its queries see the transaction's writes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from asyncpg import Pool, Record
from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient


async def fetch_records(sql: str, params: Sequence[Any]) -> Sequence[Mapping[str, Any]]:
    """A statement's rows as the driver's records (read by column name, no dict per row)."""
    client = connections.get("default")
    pool = getattr(client, "_pool", None)
    if isinstance(client, TransactionalDBClient) or not isinstance(pool, Pool):
        _, rows = await client.execute_query(sql, list(params))
        found: Sequence[Mapping[str, Any]] = rows
        return found
    records: list[Record] = await pool.fetch(sql, *params)
    return records


def in_caller_transaction() -> bool:
    """Whether the caller holds a transaction (one connection: its queries run one at a time)."""
    return isinstance(connections.get("default"), TransactionalDBClient)
