"""The demo hall loads through the real actions, once, and its accounts can log in."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from models.accounts.actions import authenticate
from models.catalogue.tables import Department, Hall, Lane, ServiceItem, Window
from models.demo import data
from models.demo.load import load_demo
from tests import factories as f
from tests.operations import run


async def test_demo_hall_is_realistic_and_loads_once(db: object) -> None:
    message = await load_demo(f.NOW)
    assert "loaded demo hall" in message
    assert await load_demo(f.NOW) == f"demo hall {data.HALL_CODE} already loaded"
    hall = await Hall.get(code=data.HALL_CODE)
    assert await Department.filter(hall_id=hall.id).count() >= 8
    assert await Lane.filter(hall_id=hall.id).count() == 6
    assert await Window.filter(hall_id=hall.id).count() == 20
    kinds = Counter(
        str(k) for k in await ServiceItem.filter(hall_id=hall.id).values_list("kind", flat=True)
    )
    assert sum(kinds.values()) >= 35
    assert set(kinds) == {"IMMEDIATE", "PROMISED", "JOINT", "REPORTED"}
    assert await ServiceItem.exists(name="个体工商户设立登记")


async def test_demo_accounts_log_in_and_see_the_hall(db: object) -> None:
    await load_demo(f.NOW)
    director = await authenticate("director", data.DEMO_PASSWORD, datetime.now(UTC))
    from models.accounts.queries import actor_of  # noqa: PLC0415

    actor = await actor_of(director)
    found = await run("ServiceItems", {"filter": {"text": "gtgsh"}}, actor=actor)
    assert "个体工商户设立登记" in [
        e["node"]["name"] for e in found["data"]["serviceItems"]["edges"]
    ]
