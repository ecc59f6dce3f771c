"""Real PostgreSQL and Redis for the suite: embedded by default, external when named.

Set HALL_TEST_DATABASE_URL (a server URL; the suite creates and drops its own database) and
HALL_TEST_REDIS_URL to run against external servers.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import redis.asyncio as aioredis
from argon2 import PasswordHasher
from strawberry.extensions import SchemaExtension
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from api.database import apply_migrations
from api.embedded import EmbeddedServers
from models.accounts import passwords
from models.common.limits import RedisRateLimiter
from models.db import tortoise_config
from models.evaluations import links
from schema.schema import schema

# Rating links and rater digests made in this process (the API server child gets its own key).
links.configure("test-evaluation-key", "https://hall.test")


@dataclass(frozen=True)
class Servers:
    """URLs of the database and Redis the suite uses."""

    database_url: str
    redis_url: str
    admin_database_url: str
    external: bool


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    """Start embedded servers (or use external ones) and create a fresh test database."""
    external_db = os.environ.get("HALL_TEST_DATABASE_URL")
    external_redis = os.environ.get("HALL_TEST_REDIS_URL")
    with tempfile.TemporaryDirectory(prefix="hall-test-") as tmp:
        embedded = EmbeddedServers(Path(tmp) / "data")
        embedded.start(postgres=external_db is None, redis=external_redis is None)
        admin_url = external_db or embedded.database_url
        redis_url = external_redis or embedded.redis_url
        assert admin_url is not None
        assert redis_url is not None
        name = f"hall_test_{secrets.token_hex(4)}"
        import asyncio  # noqa: PLC0415

        async def create() -> None:
            conn = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
            finally:
                await conn.close()

        async def drop() -> None:
            conn = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()

        asyncio.run(create())
        try:
            yield Servers(
                database_url=_with_database(admin_url, name),
                redis_url=redis_url,
                admin_database_url=admin_url,
                external=external_db is not None,
            )
        finally:
            asyncio.run(drop())
            embedded.stop()


@pytest.fixture(scope="session")
async def orm(servers: Servers) -> AsyncIterator[Servers]:
    """Migrations applied once, the ORM open for the session."""
    await apply_migrations(servers.database_url)
    await Tortoise.init(
        config=tortoise_config(servers.database_url, pool_size=10), _enable_global_fallback=True
    )
    yield servers
    await Tortoise.close_connections()


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """argon2id at minimal cost in this process: the suite creates hundreds of accounts.

    The service and its subprocesses keep argon2-cffi's defaults.
    """
    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = original


class _Rollback(Exception):
    """Ends a test's transaction."""


@pytest.fixture
async def db(orm: Servers) -> AsyncIterator[Servers]:
    """A transaction around the test, rolled back at the end: every test starts empty."""
    try:
        async with in_transaction():
            yield orm
            raise _Rollback
    except _Rollback:
        pass


@pytest.fixture
async def committed(orm: Servers) -> AsyncIterator[Servers]:
    """Real commits visible to other connections; every table is emptied afterwards."""
    from tortoise.contrib.test import truncate_all_models  # noqa: PLC0415

    await truncate_all_models()
    yield orm
    await truncate_all_models()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The every-operation check only means something when the whole suite runs."""
    from tests.test_zz_every_operation_ran import whole_suite  # noqa: PLC0415

    if whole_suite(config):
        return
    check = [i for i in items if i.path.name == "test_zz_every_operation_ran.py"]
    if check:
        config.hook.pytest_deselected(items=check)
        items[:] = [i for i in items if i not in check]


@pytest.fixture
async def limiter(orm: Servers) -> AsyncIterator[RedisRateLimiter]:
    """The real Redis limiter, with keys of this test only."""
    client = aioredis.Redis.from_url(orm.redis_url)
    yield RedisRateLimiter(client, prefix=f"test:{secrets.token_hex(4)}:")
    await client.aclose()


class ResolverCalls(SchemaExtension):
    """Counts every field resolution, default resolvers included."""

    calls = 0

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: Any, *args: Any, **kwargs: Any
    ) -> Any:
        """Count, then resolve."""
        ResolverCalls.calls += 1
        return _next(root, info, *args, **kwargs)


@pytest.fixture
def resolver_calls(monkeypatch: pytest.MonkeyPatch) -> type[ResolverCalls]:
    """The served schema with a resolver counter for the test."""
    monkeypatch.setattr(schema, "extensions", (*schema.extensions, ResolverCalls))
    ResolverCalls.calls = 0
    return ResolverCalls
