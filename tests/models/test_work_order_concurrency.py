"""Work orders under real concurrency: several connections moving one order at the same instant."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from models.accounts.tables import Role
from models.common.errors import IllegalState
from models.workorders import actions
from models.workorders.chase import chase_work_orders
from models.workorders.tables import WorkOrder, WorkOrderCategory, WorkOrderEvent
from tests import factories as f


@pytest.fixture
async def centre(committed: object) -> dict[str, Any]:
    hall = await f.hall("JN")
    roads = await f.department(hall, "JT", "市交通运输局")
    housing = await f.department(hall, "ZJ", "市住建局")
    operators = [(await f.user(f"op{n}", Role.HOTLINE, of=hall))[1] for n in range(4)]
    chiefs = [
        (await f.user(f"jt{n}", Role.CLERK, of=hall, department_id=roads.id))[1] for n in range(4)
    ]
    return {
        "hall": hall,
        "roads": roads,
        "housing": housing,
        "operators": operators,
        "chiefs": chiefs,
    }


def _call(centre: dict[str, Any]) -> actions.Call:
    return actions.Call(
        hall_id=centre["hall"].id,
        category=WorkOrderCategory.ENQUIRY,
        caller_name="李四",
        caller_phone="13987654321",
        content="咨询公积金提取条件",
    )


async def test_simultaneous_calls_get_distinct_numbers(centre: dict[str, Any]) -> None:
    orders = await asyncio.gather(
        *(actions.create(op, _call(centre), f.NOW) for op in centre["operators"] * 3)
    )
    numbers = sorted(o.number for o in orders)
    assert numbers == [f"GD-JN-20261120-{n:06d}" for n in range(1, 13)]


async def test_two_operators_dispatching_at_once_give_one_dispatch(centre: dict[str, Any]) -> None:
    order = await actions.create(centre["operators"][0], _call(centre), f.NOW)
    targets = [centre["roads"].id, centre["housing"].id] * 2
    results = await asyncio.gather(
        *(
            actions.dispatch(op, order.number, target, [], "", f.NOW)
            for op, target in zip(centre["operators"], targets, strict=True)
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(r, WorkOrder) for r in results) == 1, results
    assert sum(isinstance(r, IllegalState) for r in results) == 3, results
    kinds = (
        await WorkOrderEvent.filter(order_id=order.id)
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert [str(k) for k in kinds] == ["CREATED", "DISPATCHED"]


async def test_clerks_signing_at_once_sign_once(centre: dict[str, Any]) -> None:
    order = await actions.create(centre["operators"][0], _call(centre), f.NOW)
    await actions.dispatch(centre["operators"][0], order.number, centre["roads"].id, [], "", f.NOW)
    results = await asyncio.gather(
        *(actions.sign(clerk, order.number, f.NOW) for clerk in centre["chiefs"]),
        return_exceptions=True,
    )
    assert sum(isinstance(r, WorkOrder) for r in results) == 1, results
    assert (await WorkOrder.get(id=order.id)).event_count == 3


async def test_chasing_in_several_workers_urges_once(centre: dict[str, Any]) -> None:
    for _ in range(5):
        order = await actions.create(centre["operators"][0], _call(centre), f.NOW)
        await actions.dispatch(
            centre["operators"][0], order.number, centre["roads"].id, [], "", f.NOW
        )
    later = f.NOW.replace(day=30)  # Monday 30 November: all five breached on the 25th
    results = await asyncio.gather(*(chase_work_orders(later) for _ in range(4)))
    assert sum(r.get("RED", 0) for r in results) == 5
    assert await WorkOrderEvent.filter(kind="URGED").count() == 5
