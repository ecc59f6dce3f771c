"""Rows by primary key in one statement, built as tortoise builds query results.

Loaders fetch rows by id on every list request; tortoise's query builder cost more CPU than the
query itself (a filter, its SQL and parameters rebuilt each time). The statement here is fixed
per table, and each row becomes a model instance exactly as a QuerySet would make it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from tortoise import connections
from tortoise.models import Model
from tortoise.queryset import QuerySet

M = TypeVar("M", bound=Model)


async def rows_by_ids(model: type[M], ids: Sequence[int]) -> dict[int, M]:
    """The rows of `model` whose id is in `ids`, by id (missing ids are absent)."""
    if not ids:
        return {}
    sql = f'SELECT * FROM "{model._meta.db_table}" WHERE id = ANY($1)'  # noqa: S608  (a table name from the model)
    rows = await connections.get("default").execute_query_dict(sql, [list(ids)])
    return {int(row["id"]): model._init_from_db(**row) for row in rows}


async def records_by_ids_of_two(  # noqa: PLR0917  (two tables, each with its ids and columns)
    first: type[Model],
    first_ids: Sequence[int],
    second: type[Model],
    second_ids: Sequence[int],
    first_columns: Sequence[str] | None = None,
    second_columns: Sequence[str] | None = None,
) -> tuple[dict[int, Mapping[str, Any]], dict[int, Mapping[str, Any]]]:
    """The rows of two tables by id, in one statement (one round trip instead of two).

    Each table's rows come back as one array, which the driver decodes: of its row type, into
    records named by column (the columns and values `SELECT *` returns, no model instances);
    with `columns` (which must hold "id"), of only those columns, into dicts by column.
    """
    if not first_ids and not second_ids:
        return {}, {}
    sql = (
        f"SELECT ARRAY({_rows_of(first, first_columns)} WHERE t.id = ANY($1)) AS a,"
        f" ARRAY({_rows_of(second, second_columns)} WHERE t.id = ANY($2)) AS b"
    )
    _, rows = await connections.get("default").execute_query(
        sql, [list(first_ids), list(second_ids)]
    )
    return _by_id(rows[0]["a"], first_columns), _by_id(rows[0]["b"], second_columns)


def _rows_of(model: type[Model], columns: Sequence[str] | None) -> str:
    """`SELECT` of a table's rows, whole or as records of the columns, aliased `t`."""
    table = model._meta.db_table
    if columns is None:
        return f'SELECT t FROM "{table}" t'  # noqa: S608  (a table name from the model)
    listed = ", ".join(f't."{c}"' for c in columns)
    return f'SELECT ROW({listed}) FROM "{table}" t'  # noqa: S608  (and its column names)


def _by_id(records: Sequence[Any], columns: Sequence[str] | None) -> dict[int, Mapping[str, Any]]:
    """Rows of `_rows_of` by id (records of a row type, or tuples of the columns as dicts)."""
    if columns is None:
        return {int(row["id"]): row for row in records}
    rows = [dict(zip(columns, values, strict=True)) for values in records]
    return {int(row["id"]): row for row in rows}


async def records_of(query: QuerySet[Any], columns: Sequence[str]) -> list[Mapping[str, Any]]:
    """The rows a QuerySet selects, as plain records of only these columns (no model instances).

    For hot lists whose rows go straight into GraphQL types: the driver's records, keyed by
    column name, skip tortoise's per-field conversion and model building. Values are as the
    driver returns them: enums as their text, JSON columns as text.
    """
    values = query.values(*columns)
    values._choose_db_if_not_chosen()
    values._make_query()
    sql, params = values.query.get_parameterized_sql()
    _, records = await values._db.execute_query(sql, params)
    return list(records)
