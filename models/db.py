"""The ORM configuration: which model modules exist and how to reach the database."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
from tortoise.backends.base.config_generator import expand_db_url

MODEL_MODULES = [
    "models.accounts.tables",
    "models.apikeys.tables",
    "models.audit.tables",
    "models.catalogue.tables",
    "models.calendar.tables",
    "models.cases.tables",
    "models.alerts.tables",
    "models.notifications.tables",
    "models.queue.tables",
    "models.evaluations.tables",
    "models.workorders.tables",
    "models.statistics.tables",
]
MIGRATIONS_PACKAGE = "models.migrations"


def _with_pool_size(url: str, pool_size: int) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("maxsize", str(pool_size))
    query.setdefault("minsize", "1")
    scheme = "postgres" if parts.scheme in ("postgres", "postgresql") else parts.scheme
    return urlunsplit((scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


class PooledConnection(asyncpg.Connection):  # type: ignore[misc]
    """A pooled connection released without asyncpg's reset query (one round trip per query).

    The pool still rolls back any open transaction on release. The reset query would also drop
    session state (advisory locks, LISTEN, SET, cursors), and the API's pooled connections hold
    none: settings are SET LOCAL, LISTEN uses connections of its own, no advisory locks.
    """

    def get_reset_query(self) -> str:
        """Nothing to send on release."""
        return ""


def tortoise_config(database_url: str, *, pool_size: int = 20) -> dict[str, Any]:
    """The tortoise config dict for one PostgreSQL database."""
    connection: dict[str, Any] = expand_db_url(_with_pool_size(database_url, pool_size))
    if connection["engine"] == "tortoise.backends.asyncpg":
        connection["credentials"]["connection_class"] = PooledConnection
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_PACKAGE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# For `python -m tortoise -c models.db.TORTOISE_ORM makemigrations` during development.
TORTOISE_ORM = tortoise_config(
    os.environ.get("HALL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hall_dev")
)
