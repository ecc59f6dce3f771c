"""laneCreate, windowCreate and the window state machine."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.relay import to_base64

from models.accounts.tables import Role
from models.catalogue.tables import Lane, Window, WindowStateChange
from tests import factories as f
from tests.operations import run


@pytest.fixture
async def hall(db: object) -> dict[str, Any]:
    hall = await f.hall("JN")
    dept = await f.department(hall, "GA", "市公安局")
    _, admin = await f.user("jnadmin", Role.ADMIN, of=hall)
    return {"hall": hall, "dept": dept, "admin": admin, "hall_id": to_base64("Hall", hall.id)}


async def test_lane_create_with_items(hall: dict[str, Any]) -> None:
    item = await f.item(hall["dept"], "CODE-0001")
    result = await run(
        "LaneCreate",
        {
            "input": {
                "hallId": hall["hall_id"],
                "prefix": "A",
                "name": "户政业务",
                "rangeStart": 1,
                "rangeEnd": 300,
                "dailyCap": 200,
                "itemIds": [to_base64("ServiceItem", item.id)],
            }
        },
        actor=hall["admin"],
    )
    lane = result["data"]["laneCreate"]["lane"]
    assert (lane["prefix"], lane["dailyCap"], lane["items"]) == ("A", 200, [{"code": "CODE-0001"}])


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"prefix": "a"}, "prefix", "INVALID_FORMAT"),
        ({"prefix": "AB"}, "prefix", "TOO_LONG"),
        ({"rangeStart": 500, "rangeEnd": 100}, "rangeEnd", "RANGE_INVERTED"),
        ({"rangeEnd": 10000}, "rangeEnd", "OUT_OF_RANGE"),
        ({"rangeStart": 1, "rangeEnd": 99, "dailyCap": 100}, "dailyCap", "OUT_OF_RANGE"),
        ({"averageServiceMinutes": 0}, "averageServiceMinutes", "OUT_OF_RANGE"),
    ],
)
async def test_lane_rules(
    hall: dict[str, Any], changes: dict[str, Any], field: str, code: str
) -> None:
    base = {"hallId": hall["hall_id"], "prefix": "A", "name": "户政业务", "dailyCap": 50}
    result = await run("LaneCreate", {"input": {**base, **changes}}, actor=hall["admin"])
    error = result["data"]["laneCreate"]
    assert (error["field"], error["code"]) == (["input", field], code)
    assert await Lane.all().count() == 0


async def test_lane_items_must_belong_to_the_hall(hall: dict[str, Any]) -> None:
    other = await f.hall("QD")
    foreign = await f.item(await f.department(other, "SW", "市税务局"), "CODE-9999")
    result = await run(
        "LaneCreate",
        {
            "input": {
                "hallId": hall["hall_id"],
                "prefix": "A",
                "name": "户政业务",
                "itemIds": [to_base64("ServiceItem", foreign.id)],
            }
        },
        actor=hall["admin"],
    )
    assert result["data"]["laneCreate"]["code"] == "NOT_IN_HALL"
    assert await Lane.all().count() == 0


async def test_duplicate_prefix(hall: dict[str, Any]) -> None:
    await f.lane(hall["hall"], "A")
    result = await run(
        "LaneCreate",
        {"input": {"hallId": hall["hall_id"], "prefix": "A", "name": "另一个"}},
        actor=hall["admin"],
    )
    assert result["data"]["laneCreate"]["__typename"] == "ConflictError"
    assert await Lane.all().count() == 1


async def test_windows_general_and_dedicated(hall: dict[str, Any]) -> None:
    a = await f.lane(hall["hall"], "A")
    b = await f.lane(hall["hall"], "B")
    general = await run(
        "WindowCreate",
        {
            "input": {
                "hallId": hall["hall_id"],
                "number": "1",
                "name": "综合窗口",
                "kind": "GENERAL",
            }
        },
        actor=hall["admin"],
    )
    assert [ln["prefix"] for ln in general["data"]["windowCreate"]["window"]["lanes"]] == ["A", "B"]
    dedicated = await run(
        "WindowCreate",
        {
            "input": {
                "hallId": hall["hall_id"],
                "number": "2",
                "name": "户政专窗",
                "kind": "DEDICATED",
                "departmentId": to_base64("Department", hall["dept"].id),
                "laneIds": [to_base64("Lane", b.id)],
            }
        },
        actor=hall["admin"],
    )
    window = dedicated["data"]["windowCreate"]["window"]
    assert ([ln["prefix"] for ln in window["lanes"]], window["state"]) == (["B"], "CLOSED")
    assert window["department"]["name"] == "市公安局"
    setup = await run("HallSetup", {"hallId": hall["hall_id"]}, actor=hall["admin"])
    assert [w["number"] for w in setup["data"]["windows"]] == ["1", "2"]
    assert a.id != b.id


@pytest.mark.parametrize(
    ("kind", "lanes", "code"),
    [("GENERAL", True, "GENERAL_SERVES_ALL"), ("DEDICATED", False, "REQUIRED")],
)
async def test_window_lane_rules(hall: dict[str, Any], kind: str, lanes: bool, code: str) -> None:
    lane = await f.lane(hall["hall"], "A")
    lane_ids = [to_base64("Lane", lane.id)] if lanes else []
    result = await run(
        "WindowCreate",
        {
            "input": {
                "hallId": hall["hall_id"],
                "number": "1",
                "name": "窗口一",
                "kind": kind,
                "laneIds": lane_ids,
            }
        },
        actor=hall["admin"],
    )
    assert result["data"]["windowCreate"]["code"] == code
    assert await Window.all().count() == 0


async def test_window_state_machine(hall: dict[str, Any]) -> None:
    window = await f.window(hall["hall"], "1")
    user, clerk = await f.user("clerk1", Role.CLERK, of=hall["hall"])
    wid = to_base64("Window", window.id)
    paused_closed = await run("WindowPause", {"input": {"windowId": wid}}, actor=clerk)
    assert paused_closed["data"]["windowPause"] | {"message": ""} == {
        "__typename": "StateError",
        "code": "ILLEGAL_WINDOW_STATE",
        "message": "",
        "currentState": "CLOSED",
    }
    opened = await run("WindowOpen", {"input": {"windowId": wid}}, actor=clerk)
    assert opened["data"]["windowOpen"]["window"]["clerk"]["id"] == to_base64("User", user.id)
    paused = await run("WindowPause", {"input": {"windowId": wid, "reason": "午休"}}, actor=clerk)
    assert (
        paused["data"]["windowPause"]["window"]["state"],
        paused["data"]["windowPause"]["window"]["stateReason"],
    ) == ("PAUSED", "午休")
    resumed = await run("WindowOpen", {"input": {"windowId": wid}}, actor=clerk)
    assert resumed["data"]["windowOpen"]["window"]["state"] == "OPEN"
    closed = await run("WindowClose", {"input": {"windowId": wid}}, actor=clerk)
    assert (
        closed["data"]["windowClose"]["window"]["state"],
        closed["data"]["windowClose"]["window"]["clerk"],
    ) == ("CLOSED", None)
    changes = (
        await WindowStateChange.filter(window_id=window.id)
        .order_by("id")
        .values_list("from_state", "to_state")
    )
    assert changes == [
        ("CLOSED", "OPEN"),
        ("OPEN", "PAUSED"),
        ("PAUSED", "OPEN"),
        ("OPEN", "CLOSED"),
    ]


async def test_a_clerk_staffs_one_window_at_a_time(hall: dict[str, Any]) -> None:
    one = await f.window(hall["hall"], "1")
    two = await f.window(hall["hall"], "2")
    _, clerk = await f.user("clerk1", Role.CLERK, of=hall["hall"])
    await run("WindowOpen", {"input": {"windowId": to_base64("Window", one.id)}}, actor=clerk)
    second = await run(
        "WindowOpen", {"input": {"windowId": to_base64("Window", two.id)}}, actor=clerk
    )
    assert second["data"]["windowOpen"]["code"] == "CLERK_AT_OTHER_WINDOW"
    assert (await Window.get(id=two.id)).state == "CLOSED"


async def test_clerk_cannot_close_a_colleagues_window(hall: dict[str, Any]) -> None:
    window = await f.window(hall["hall"], "1")
    _, first = await f.user("clerk1", Role.CLERK, of=hall["hall"])
    _, second = await f.user("clerk2", Role.CLERK, of=hall["hall"])
    wid = to_base64("Window", window.id)
    await run("WindowOpen", {"input": {"windowId": wid}}, actor=first)
    result = await run("WindowClose", {"input": {"windowId": wid}}, actor=second)
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await Window.get(id=window.id)).state == "OPEN"
    # A chief representative may close it.
    _, rep = await f.user("rep", Role.CHIEF_REP, of=hall["hall"], department_id=hall["dept"].id)
    assert (await run("WindowClose", {"input": {"windowId": wid}}, actor=rep))["data"][
        "windowClose"
    ]["window"]["state"] == "CLOSED"


async def test_monitor_and_other_halls_cannot_operate_windows(hall: dict[str, Any]) -> None:
    window = await f.window(hall["hall"], "1")
    wid = to_base64("Window", window.id)
    _, screen = await f.user("screen", Role.MONITOR, of=hall["hall"])
    assert (await run("WindowOpen", {"input": {"windowId": wid}}, actor=screen))["errors"][0][
        "extensions"
    ]["code"] == "FORBIDDEN"
    _, stranger = await f.user("qdclerk", Role.CLERK, of=await f.hall("QD"))
    assert (await run("WindowOpen", {"input": {"windowId": wid}}, actor=stranger))["data"][
        "windowOpen"
    ]["__typename"] == "NotFoundError"
    assert (await Window.get(id=window.id)).state == "CLOSED"
    assert await WindowStateChange.all().count() == 0
