"""The alerts centre through GraphQL: lists, counts, the policy and its errors, scoping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from strawberry.relay import to_base64

from models.accounts.tables import Role
from models.alerts.scan import scan_deadlines
from models.alerts.tables import AlertPolicy
from models.cases import intake
from models.cases.rules import Applicant
from models.cases.tables import ApplicantKind
from models.catalogue import actions as catalogue
from models.common.actor import SYSTEM_ACTOR
from tests import factories as f
from tests.operations import run

APPLICANT = Applicant(ApplicantKind.PERSON, "张三", "11010519491231002X", "13912345678")
STEPS = [{"target": "CHIEF_REP", "afterDays": 0}, {"target": "SUPERVISOR", "afterDays": 2}]


def shanghai(day: date, hour: int) -> datetime:
    """A wall-clock moment in Shanghai, as UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=8)


@pytest.fixture
async def desk(db: object) -> dict[str, Any]:
    hall = await f.hall("JN")
    other = await f.hall("QD")
    depts = [await f.department(hall, "SC", "市市场监管局"), await f.department(hall, "GA")]
    for dept, code in zip(depts, ("SC-010", "GA-010"), strict=True):
        await catalogue.create_item(
            SYSTEM_ACTOR,
            department_id=dept.id,
            code=code,
            elements=f.elements(promised_limit=10),
            now=f.NOW,
        )
    _, clerk = await f.user("clerk1", Role.CLERK, of=hall, department_id=depts[0].id)
    _, admin = await f.user("director", Role.ADMIN, of=hall)
    _, outsider = await f.user("qd_admin", Role.ADMIN, of=other)
    _, screen = await f.user("screen", Role.MONITOR, of=hall)
    for code in ("SC-010", "SC-010", "GA-010"):
        await intake.accept(clerk, intake.Intake(code, hall.id, APPLICANT), f.NOW)
    await scan_deadlines(shanghai(date(2026, 12, 1), 10))  # three yellow cards
    return {"hall": hall, "depts": depts, "admin": admin, "outsider": outsider, "screen": screen}


def gid(kind: str, pk: int) -> str:
    """A global id."""
    return to_base64(kind, pk)


async def test_alert_list_is_scoped_and_masked(desk: dict[str, Any]) -> None:
    hall_filter = {"hallId": gid("Hall", desk["hall"].id)}
    seen = await run("Alerts", {"filter": hall_filter}, actor=desk["screen"])
    alerts = seen["data"]["alerts"]
    assert alerts["totalCount"] == 3
    first = alerts["nodes"][0]
    assert (first["level"], first["active"], first["dueOn"]) == ("YELLOW", True, "2026-12-04")
    assert first["case"]["applicant"] == {"name": "张*", "phone": "139****5678"}
    # Another hall's administrator sees none of them.
    other = await run("Alerts", {}, actor=desk["outsider"])
    assert other["data"]["alerts"]["totalCount"] == 0
    red = await run("Alerts", {"filter": {"level": "RED"}}, actor=desk["admin"])
    assert red["data"]["alerts"]["totalCount"] == 0


async def test_counts_per_department(desk: dict[str, Any]) -> None:
    await scan_deadlines(shanghai(date(2026, 12, 7), 10))  # all three red now
    result = await run(
        "AlertCounts",
        {"filter": {"raisedFrom": "2026-12-01", "raisedTo": "2026-12-31"}},
        actor=desk["admin"],
    )
    rows = {r["department"]["name"]: r for r in result["data"]["alertCounts"]}
    assert {
        k: (v["yellow"], v["red"], v["activeYellow"], v["activeRed"]) for k, v in rows.items()
    } == {
        "市市场监管局": (2, 2, 0, 2),
        "市公安局": (1, 1, 0, 1),
    }


async def test_policy_round_trip_and_errors(desk: dict[str, Any]) -> None:
    hall_id = gid("Hall", desk["hall"].id)
    defaults = await run("AlertPolicy", {"hallId": hall_id}, actor=desk["admin"])
    assert defaults["data"]["alertPolicy"]["yellowDays"] == 3
    assert defaults["data"]["alertPolicy"]["version"] == 0
    good = {
        "hallId": hall_id,
        "yellowDays": 2,
        "itemYellowDays": [{"itemCode": "GA-010", "yellowDays": 5}],
        "steps": STEPS,
    }
    stored = await run("AlertPolicySet", {"input": good}, actor=desk["admin"])
    success = stored["data"]["alertPolicySet"]
    assert success["__typename"] == "AlertPolicySetSuccess"
    assert success["policy"]["itemYellowDays"] == [{"itemCode": "GA-010", "yellowDays": 5}]
    assert success["policy"]["version"] == 1

    bad = {**good, "yellowDays": 40, "itemYellowDays": [{"itemCode": "X-1", "yellowDays": 1}]}
    refused = (await run("AlertPolicySet", {"input": bad}, actor=desk["admin"]))["data"]
    error = refused["alertPolicySet"]
    assert error["__typename"] == "InputError"
    assert [(v["field"], v["code"]) for v in error["violations"]] == [
        (["input", "itemYellowDays", "X-1"], "NOT_FOUND"),
        (["input", "yellowDays"], "OUT_OF_RANGE"),
    ]
    duplicate = {**good, "steps": STEPS + STEPS[:1]}
    again = (await run("AlertPolicySet", {"input": duplicate}, actor=desk["admin"]))["data"]
    assert (again["alertPolicySet"]["code"], again["alertPolicySet"]["field"]) == (
        "DUPLICATE",
        ["input", "steps"],
    )
    # Screens and other halls' admins may not change it; nothing moved.
    changed = good | {"yellowDays": 9}
    screen = await run("AlertPolicySet", {"input": changed}, actor=desk["screen"])
    assert screen["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    outsider = await run("AlertPolicySet", {"input": changed}, actor=desk["outsider"])
    assert outsider["data"]["alertPolicySet"]["__typename"] == "NotFoundError"
    row = await AlertPolicy.get(hall_id=desk["hall"].id)
    assert (row.yellow_days, row.version) == (2, 1)
