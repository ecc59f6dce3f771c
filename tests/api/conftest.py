"""Fixtures of the API tests: a real `hall serve` on the suite's database and Redis."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from tests.api.test_service_process import _wait_ready, free_port
from tests.conftest import Servers


@contextmanager
def running_server(orm: Servers, folder: Path, extra_env: dict[str, str]) -> Iterator[str]:
    """`hall serve` on the suite's database and Redis until the block ends; yields its base URL.

    Each server starts with unspent cost budgets: what earlier tests spent from 127.0.0.1 and
    from reused account ids would otherwise throttle a test with a small HALL_COST_BUDGET.
    """
    client = redis.Redis.from_url(orm.redis_url)
    try:
        spent = list(client.scan_iter("hall:cost:*"))
        if spent:
            client.delete(*spent)
    finally:
        client.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    port = free_port()
    env |= {
        "HALL_DATA_DIR": str(folder / "data"),
        "HALL_PORT": str(port),
        "HALL_ENV": "prod",
        "HALL_SECRET_KEY": secrets.token_urlsafe(40),
        "HALL_DATABASE_URL": orm.database_url,
        "HALL_REDIS_URL": orm.redis_url,
        **extra_env,
    }
    log_path = folder / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, proc, log_path)
        yield base
    finally:
        proc.terminate()
        proc.wait(30)


@pytest.fixture
def server_env() -> dict[str, str]:
    """Extra HALL_* variables for `server` (a test module overrides this fixture)."""
    return {}


@pytest.fixture
def server(orm: Servers, tmp_path: Path, server_env: dict[str, str]) -> Iterator[str]:
    """`hall serve` on the suite's database and Redis."""
    with running_server(orm, tmp_path, server_env) as base:
        yield base
