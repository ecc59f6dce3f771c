"""Rows by primary key in one statement, built as tortoise builds query results.

Loaders fetch rows by id on every list request; tortoise's query builder cost more CPU than the
query itself (a filter, its SQL and parameters rebuilt each time). The statement here is fixed
per table, and each row becomes a model instance exactly as a QuerySet would make it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from tortoise import connections
from tortoise.models import Model

M = TypeVar("M", bound=Model)


async def rows_by_ids(model: type[M], ids: Sequence[int]) -> dict[int, M]:
    """The rows of `model` whose id is in `ids`, by id (missing ids are absent)."""
    if not ids:
        return {}
    sql = f'SELECT * FROM "{model._meta.db_table}" WHERE id = ANY($1)'  # noqa: S608  (a table name from the model)
    rows = await connections.get("default").execute_query_dict(sql, [list(ids)])
    return {int(row["id"]): model._init_from_db(**row) for row in rows}
