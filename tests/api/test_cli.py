"""The `hall` commands against the suite's real database and Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import redis
from tortoise.transactions import in_transaction

from models.accounts.tables import User
from tests import factories as f
from tests.conftest import Servers
from workers.jobs import HEARTBEAT_KEY


def hall_cli(servers: Servers, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    env |= {"HALL_DATABASE_URL": servers.database_url, "HALL_REDIS_URL": servers.redis_url, **extra}
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


async def test_user_create_command(committed: Servers) -> None:
    async with in_transaction():
        hall = await f.hall("JN")
        await f.department(hall, "GA", "市公安局")
    created = hall_cli(
        committed,
        "user",
        "create",
        "--username",
        "rep_ga",
        "--role",
        "chief_rep",
        "--hall",
        "JN",
        "--department",
        "GA",
        "--display-name",
        "王五",
        HALL_NEW_USER_PASSWORD="cli-password-123",
    )
    assert created.returncode == 0, created.stderr
    user = await User.get(username="rep_ga")
    assert (user.role, user.display_name, user.hall_id) == ("CHIEF_REP", "王五", hall.id)

    unknown_hall = hall_cli(
        committed,
        "user",
        "create",
        "--username",
        "x1",
        "--role",
        "clerk",
        "--hall",
        "NOPE",
        HALL_NEW_USER_PASSWORD="cli-password-123",
    )
    assert unknown_hall.returncode == 1
    assert "大厅不存在" in unknown_hall.stderr
    weak = hall_cli(
        committed,
        "user",
        "create",
        "--username",
        "x2",
        "--role",
        "clerk",
        "--hall",
        "JN",
        HALL_NEW_USER_PASSWORD="short",
    )
    assert weak.returncode == 1
    assert "password" in weak.stderr
    bad_role = hall_cli(
        committed,
        "user",
        "create",
        "--username",
        "x3",
        "--role",
        "king",
        HALL_NEW_USER_PASSWORD="cli-password-123",
    )
    assert bad_role.returncode == 2
    assert await User.filter(username__in=["x1", "x2", "x3"]).count() == 0


async def test_jobs_run_heartbeat(committed: Servers) -> None:
    client = redis.Redis.from_url(committed.redis_url)
    client.delete(HEARTBEAT_KEY)
    result = hall_cli(committed, "jobs", "run", "heartbeat")
    assert result.returncode == 0, result.stderr
    assert client.get(HEARTBEAT_KEY) is not None
    unknown = hall_cli(committed, "jobs", "run", "nope")
    assert unknown.returncode == 2
    assert "heartbeat" in unknown.stderr
    client.close()


def test_worker_process_runs_periodic_jobs(orm: Servers) -> None:
    client = redis.Redis.from_url(orm.redis_url)
    client.delete(HEARTBEAT_KEY)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    env |= {"HALL_DATABASE_URL": orm.database_url, "HALL_REDIS_URL": orm.redis_url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while client.get(HEARTBEAT_KEY) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert client.get(HEARTBEAT_KEY) is not None, "the worker ran no job within 30 s"
    finally:
        proc.terminate()
        assert proc.wait(20) == 0
        client.close()


async def test_jobs_run_lapse_subtasks(committed: Servers) -> None:
    from datetime import UTC, datetime, timedelta  # noqa: PLC0415

    from models.accounts.tables import Role  # noqa: PLC0415
    from models.cases import intake  # noqa: PLC0415
    from models.cases.rules import Applicant  # noqa: PLC0415
    from models.cases.tables import ApplicantKind, CaseSubtask  # noqa: PLC0415
    from models.catalogue import actions as catalogue  # noqa: PLC0415
    from models.catalogue.rules import JointDepartment  # noqa: PLC0415
    from models.catalogue.tables import ItemKind  # noqa: PLC0415
    from models.common.actor import SYSTEM_ACTOR  # noqa: PLC0415

    hall = await f.hall("JN")
    lead = await f.department(hall, "SC", "市市场监管局")
    co = await f.department(hall, "ZJ", "市住建局")
    await catalogue.create_item(
        SYSTEM_ACTOR,
        department_id=lead.id,
        code="SC-JOINT",
        elements=f.elements(kind=ItemKind.JOINT, joint_departments=(JointDepartment(co.id, 1),)),
        now=f.NOW,
    )
    _, clerk = await f.user("clerk1", Role.CLERK, of=hall, department_id=lead.id)
    weeks_ago = datetime.now(UTC) - timedelta(days=21)
    applicant = Applicant(ApplicantKind.PERSON, "张三", "11010519491231002X", "13912345678")
    await intake.accept(
        clerk, intake.Intake(item_code="SC-JOINT", hall_id=hall.id, applicant=applicant), weeks_ago
    )
    result = hall_cli(committed, "jobs", "run", "lapse-subtasks")
    assert result.returncode == 0, result.stderr
    assert "lapse-subtasks: 1" in result.stdout + result.stderr
    assert await CaseSubtask.filter(status="LAPSED").count() == 1
    again = hall_cli(committed, "jobs", "run", "lapse-subtasks")
    assert await CaseSubtask.filter(status="LAPSED").count() == 1
    assert again.returncode == 0
