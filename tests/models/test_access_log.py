"""The access log: every unmasking appends one entry chained to the last; entries cannot be
changed or removed, and a changed one is found by verification."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from models.accounts.tables import Role
from models.audit.queries import AccessFilter, entries_visible, verify_chain
from models.audit.tables import AccessLogEntry
from models.cases import actions, intake
from models.cases.rules import Applicant
from models.cases.tables import ApplicantKind
from models.common.errors import Forbidden
from tests import factories as f
from tests.conftest import Servers
from tests.operations import run

ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"


async def _desk() -> dict[str, Any]:
    hall = await f.hall("JN")
    dept = await f.department(hall, "SC", "市市场监管局")
    await f.item(dept, "SC-001")
    _, clerk = await f.user("clerk1", Role.CLERK, of=hall, department_id=dept.id)
    _, supervisor = await f.user("super1", Role.SUPERVISOR, of=hall)
    _, monitor = await f.user("screen1", Role.MONITOR, of=hall)
    other = await f.hall("QD")
    _, foreign = await f.user("qdsuper", Role.SUPERVISOR, of=other)
    applicant = Applicant(ApplicantKind.PERSON, "张三", ID_NUMBER, PHONE)
    numbers = []
    for _ in range(3):
        case = await intake.accept(
            clerk, intake.Intake(item_code="SC-001", hall_id=hall.id, applicant=applicant), f.NOW
        )
        numbers.append(case.number)
    return {
        "clerk": clerk,
        "supervisor": supervisor,
        "monitor": monitor,
        "foreign": foreign,
        "numbers": numbers,
    }


@pytest.fixture
async def desk(db: Servers) -> dict[str, Any]:
    """A hall with three cases, its staff, and another hall's supervisor."""
    return await _desk()


async def test_each_unmasking_appends_a_chained_entry(desk: dict[str, Any]) -> None:
    for number in desk["numbers"]:
        await actions.unmask(desk["supervisor"], number, "核实申请人身份", f.NOW)
    rows = await AccessLogEntry.all().order_by("seq")
    assert [r.seq for r in rows] == [1, 2, 3]
    assert [r.subject for r in rows] == [f"case:{n}" for n in desk["numbers"]]
    assert rows[0].prev_hash == "0" * 64
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert {r.actor_name for r in rows} == {"super1"}
    stored = " ".join(f"{r.subject} {r.purpose} {r.fields_seen}" for r in rows)
    assert ID_NUMBER not in stored
    assert PHONE not in stored
    verdict = await verify_chain(desk["supervisor"])
    assert (verdict.checked, verdict.broken_at, verdict.last_hash) == (3, None, rows[-1].hash)


async def test_a_refused_unmasking_writes_nothing(desk: dict[str, Any]) -> None:
    with pytest.raises(Forbidden):
        await actions.unmask(desk["monitor"], desk["numbers"][0], "看看", f.NOW)
    assert await AccessLogEntry.all().count() == 0


async def test_entries_can_be_neither_changed_nor_removed(desk: dict[str, Any]) -> None:
    await actions.unmask(desk["supervisor"], desk["numbers"][0], "核实申请人身份", f.NOW)
    db = connections.get("default")
    for statement in (
        "UPDATE access_log SET purpose = '改过'",
        "DELETE FROM access_log",
    ):
        with pytest.raises(Exception, match="append-only"):
            async with in_transaction():
                await db.execute_query(statement)
    assert (await AccessLogEntry.get(seq=1)).purpose == "核实申请人身份"


async def test_a_changed_entry_is_found(desk: dict[str, Any]) -> None:
    for number in desk["numbers"]:
        await actions.unmask(desk["supervisor"], number, "核实申请人身份", f.NOW)
    db = connections.get("default")
    # Someone with the power to lift the guard (rolled back with the test's transaction).
    await db.execute_query("ALTER TABLE access_log DISABLE TRIGGER access_log_append_only")
    await db.execute_query("UPDATE access_log SET actor_name = 'nobody' WHERE seq = 2")
    verdict = await verify_chain(desk["supervisor"])
    assert (verdict.checked, verdict.broken_at) == (1, 2)


async def test_auditors_read_their_halls_only(desk: dict[str, Any]) -> None:
    await actions.unmask(desk["supervisor"], desk["numbers"][0], "核实申请人身份", f.NOW)
    mine = await entries_visible(desk["supervisor"], AccessFilter())
    assert [r.seq for r in mine] == [1]
    assert await entries_visible(desk["foreign"], AccessFilter()) == []
    with pytest.raises(Forbidden):
        entries_visible(desk["clerk"], AccessFilter())


async def test_the_auditor_queries(desk: dict[str, Any]) -> None:
    await actions.unmask(desk["supervisor"], desk["numbers"][0], "核实申请人身份", f.NOW)
    listed = await run("AccessLog", {"first": 10}, actor=desk["supervisor"])
    nodes = listed["data"]["accessLog"]["nodes"]
    assert [(n["seq"], n["actorName"], n["purpose"]) for n in nodes] == [
        (1, "super1", "核实申请人身份")
    ]
    assert nodes[0]["fieldsSeen"] == ["applicant_name", "applicant_id_number", "applicant_phone"]
    verified = await run("AccessLogVerification", actor=desk["supervisor"])
    assert verified["data"]["accessLogVerification"]["valid"] is True
    refused = await run("AccessLog", actor=desk["clerk"])
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await run("AccessLogVerification", actor=desk["monitor"]))["errors"][0]["extensions"][
        "code"
    ] == "FORBIDDEN"


async def test_concurrent_unmaskings_keep_one_gap_free_chain(committed: Servers) -> None:
    desk = await _desk()
    await asyncio.gather(
        *(
            actions.unmask(desk["supervisor"], number, f"核实{n}", f.NOW)
            for n in range(4)
            for number in desk["numbers"]
        )
    )
    rows = await AccessLogEntry.all().order_by("seq")
    assert [r.seq for r in rows] == list(range(1, 13))
    assert (await verify_chain(desk["supervisor"])).broken_at is None
