"""`hall generate` and `hall stats check|rebuild` on a database of their own.

Their own database: the generator ANALYZEs what it wrote, and statistics of a table outlive a
TRUNCATE, which would steer other tests' plans.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from tests.api.test_cli import hall_cli
from tests.conftest import Servers

pytestmark = pytest.mark.slow

SMALL = ("--departments", "3", "--windows", "6", "--items", "40", "--cases", "1000")
SIGNATURE = (
    'SELECT c.accepted_on, c.kind, c.timeliness, c.decided_on, c.limit_days FROM "case" c'
    " JOIN hall h ON h.id = c.hall_id WHERE h.code = $1 ORDER BY 1, 2, 3, 4, 5"
)


def _dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


@pytest.fixture
async def scratch(orm: Servers) -> AsyncIterator[Servers]:
    """A fresh database on the suite's server, dropped afterwards."""
    name = f"hall_gen_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(_dsn(orm.admin_database_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(orm.admin_database_url)
    url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    try:
        yield Servers(url, orm.redis_url, orm.admin_database_url, orm.external)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_generate_is_reproducible_and_rebuild_repairs_rollups(scratch: Servers) -> None:
    first = hall_cli(scratch, "generate", "--hall", "G1", "--seed", "5", *SMALL)
    assert first.returncode == 0, first.stderr + first.stdout
    again = hall_cli(scratch, "generate", "--hall", "G2", "--seed", "5", *SMALL)
    assert again.returncode == 0, again.stderr
    conn = await asyncpg.connect(_dsn(scratch.database_url))
    try:
        g1, g2 = await conn.fetch(SIGNATURE, "G1"), await conn.fetch(SIGNATURE, "G2")
        assert len(g1) > 1000
        assert [tuple(r) for r in g1] == [tuple(r) for r in g2]
        accepted = (
            "SELECT sum(accepted) FROM stat_department_month s JOIN hall h ON h.id = s.hall_id"
            " WHERE h.code = 'G1' AND s.day BETWEEN '2021-01-01' AND '2021-12-01'"
        )
        assert await conn.fetchval(accepted) == 1000
        assert hall_cli(scratch, "stats", "check").returncode == 0
        await conn.execute("UPDATE stat_department_month SET accepted = accepted + 7")
        broken = hall_cli(scratch, "stats", "check")
        assert broken.returncode == 1, broken.stdout
        rebuilt = hall_cli(scratch, "stats", "rebuild")
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert "stat_department_day" in rebuilt.stdout
        assert hall_cli(scratch, "stats", "check").returncode == 0
        assert await conn.fetchval(accepted) == 1000
    finally:
        await conn.close()
