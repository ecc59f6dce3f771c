"""Migrations and short-lived ORM sessions for CLI commands."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import structlog
from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate

from models.accounts.actions import ensure_admin
from models.calendar.actions import store_library_years
from models.db import tortoise_config

log = structlog.get_logger(__name__)


async def apply_migrations(database_url: str) -> None:
    """Bring the schema up to date (idempotent)."""
    await migrate(config=tortoise_config(database_url, pool_size=2))
    await Tortoise.close_connections()


@contextlib.asynccontextmanager
async def orm(database_url: str, pool_size: int = 5) -> AsyncIterator[None]:
    """An initialised ORM for the duration of the block."""
    await Tortoise.init(
        config=tortoise_config(database_url, pool_size=pool_size), _enable_global_fallback=True
    )
    try:
        yield
    finally:
        await Tortoise.close_connections()


async def prepare_database(database_url: str, admin_password: str | None) -> None:
    """Migrate, store the library's calendar years, create or reset the admin when asked."""
    await apply_migrations(database_url)
    async with orm(database_url, pool_size=2):
        stored = await store_library_years(datetime.now(UTC))
    if stored:
        log.info("calendar years stored from the library", years=stored)
    if admin_password:
        async with orm(database_url, pool_size=2):
            await ensure_admin(admin_password, datetime.now(UTC))
        log.info("admin account ready", username="admin")
