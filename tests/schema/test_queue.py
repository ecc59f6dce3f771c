"""The queue through GraphQL: take a number, call, the ticket's life, appointments, the board."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from strawberry.relay import from_base64, to_base64

from models.accounts.tables import Role
from models.catalogue import actions as catalogue
from models.queue import appointments
from models.queue.tables import Ticket
from tests import factories as f
from tests.operations import run

NOW = f.NOW


@pytest.fixture
async def hall(db: object) -> dict[str, Any]:
    hall = await f.hall("JN")
    lane = await f.lane(hall, "A")
    window = await f.window(hall, "1")
    _, clerk = await f.user("clerk1", Role.CLERK, of=hall)
    _, other = await f.user("clerk2", Role.CLERK, of=hall)
    _, admin = await f.user("admin1", Role.ADMIN, of=hall)
    _, screen = await f.user("screen", Role.MONITOR, of=hall)
    await catalogue.open_window(clerk, window.id, NOW)
    return {
        "hall": hall,
        "lane": lane,
        "window": window,
        "clerk": clerk,
        "other": other,
        "admin": admin,
        "screen": screen,
        "hall_id": to_base64("Hall", hall.id),
        "lane_id": to_base64("Lane", lane.id),
        "window_id": to_base64("Window", window.id),
    }


async def issue(hall: dict[str, Any], actor: Any = None, **extra: Any) -> dict[str, Any]:
    variables = {"input": {"hallId": hall["hall_id"], "laneId": hall["lane_id"], **extra}}
    result = await run("TicketIssue", variables, actor=actor)
    assert result["errors"] == [], result
    return dict(result["data"]["ticketIssue"])


async def ticket_op(hall: dict[str, Any], op: str, actor: str, **fields: Any) -> dict[str, Any]:
    result = await run(op, {"input": fields}, actor=hall[actor])
    assert result["errors"] == [], result
    return dict(result["data"][op[0].lower() + op[1:]])


async def test_kiosk_ticket_without_login_with_an_estimate(hall: dict[str, Any]) -> None:
    first = await issue(hall, holderName="张三")
    second = await issue(hall)
    assert (first["ticket"]["number"], second["ticket"]["number"]) == ("A001", "A002")
    assert first["ticket"]["holder"] == "张*"
    assert second["estimate"] == {"ahead": 1, "optimisticMinutes": 10, "pessimisticMinutes": 15}


async def test_green_channel_from_a_kiosk_is_refused(hall: dict[str, Any]) -> None:
    variables = {
        "input": {"hallId": hall["hall_id"], "laneId": hall["lane_id"], "priority": "GREEN_CHANNEL"}
    }
    result = await run("TicketIssue", variables)
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await Ticket.all().count() == 0


async def test_bad_phone_is_an_input_error(hall: dict[str, Any]) -> None:
    result = await issue(hall, channel="PHONE", holderPhone="123")
    assert (result["__typename"], result["field"]) == ("InputError", ["input", "holderPhone"])
    assert await Ticket.all().count() == 0


async def test_call_recall_finish_through_the_api(hall: dict[str, Any]) -> None:
    await issue(hall)
    called = await ticket_op(hall, "TicketCallNext", "clerk", windowId=hall["window_id"])
    ticket = called["ticket"]
    assert (ticket["status"], ticket["window"]["number"]) == ("CALLED", "1")
    refused = await run("TicketRecall", {"input": {"ticketId": ticket["id"]}}, actor=hall["other"])
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    recalled = await ticket_op(hall, "TicketRecall", "clerk", ticketId=ticket["id"])
    assert recalled["ticket"]["recallCount"] == 1
    done = await ticket_op(
        hall, "TicketFinish", "clerk", ticketId=ticket["id"], outcome="CONSULTED"
    )
    assert (done["ticket"]["status"], done["ticket"]["outcome"]) == ("FINISHED", "CONSULTED")
    again = await ticket_op(hall, "TicketFinish", "clerk", ticketId=ticket["id"], outcome="SERVED")
    assert (again["__typename"], again["currentState"]) == ("StateError", "FINISHED")


async def test_finish_and_call_next_in_one_request(hall: dict[str, Any]) -> None:
    await issue(hall)
    await issue(hall)
    first = (await ticket_op(hall, "TicketCallNext", "clerk", windowId=hall["window_id"]))["ticket"]
    finish = {"outcome": "CONSULTED"}
    plain = await ticket_op(hall, "TicketCallNext", "clerk", windowId=hall["window_id"])
    assert (plain["__typename"], plain["code"]) == ("StateError", "TICKET_IN_SERVICE")
    second = await ticket_op(
        hall, "TicketCallNext", "clerk", windowId=hall["window_id"], finishCurrent=finish
    )
    assert (second["ticket"]["number"], second["ticket"]["status"]) == ("A002", "CALLED")
    done = await Ticket.get(id=int(from_base64(first["id"])[1]))
    assert (done.status.value, done.outcome and done.outcome.value) == ("FINISHED", "CONSULTED")
    # Nothing left: refused, and the second ticket stays in service.
    empty = await ticket_op(
        hall, "TicketCallNext", "clerk", windowId=hall["window_id"], finishCurrent=finish
    )
    assert (empty["__typename"], empty["code"]) == ("StateError", "QUEUE_EMPTY")
    left = await Ticket.get(id=int(from_base64(second["ticket"]["id"])[1]))
    assert left.status.value == "CALLED"
    refused = await run(
        "TicketCallNext",
        {"input": {"windowId": hall["window_id"], "finishCurrent": finish}},
        actor=hall["other"],
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_empty_queue_is_a_state_error(hall: dict[str, Any]) -> None:
    result = await ticket_op(hall, "TicketCallNext", "clerk", windowId=hall["window_id"])
    assert (result["__typename"], result["code"]) == ("StateError", "QUEUE_EMPTY")


async def test_hold_resume_transfer_skip(hall: dict[str, Any]) -> None:
    await issue(hall)
    ticket = (await ticket_op(hall, "TicketCallNext", "clerk", windowId=hall["window_id"]))[
        "ticket"
    ]
    held = await ticket_op(hall, "TicketHold", "clerk", ticketId=ticket["id"])
    assert held["ticket"]["status"] == "HELD"
    resumed = await ticket_op(hall, "TicketResume", "clerk", ticketId=ticket["id"])
    assert resumed["ticket"]["status"] == "WAITING"
    both = await ticket_op(
        hall,
        "TicketTransfer",
        "admin",
        ticketId=ticket["id"],
        laneId=hall["lane_id"],
        windowId=hall["window_id"],
    )
    assert (both["__typename"], both["code"]) == ("InputError", "EXACTLY_ONE")
    called = await ticket_op(hall, "TicketCallNext", "clerk", windowId=hall["window_id"])
    assert called["ticket"]["id"] == ticket["id"]
    skipped = await ticket_op(hall, "TicketSkip", "clerk", ticketId=ticket["id"])
    assert skipped["ticket"]["status"] == "NO_SHOW"


async def test_board_snapshot_for_a_screen(hall: dict[str, Any]) -> None:
    await issue(hall, holderName="李四")
    await issue(hall)
    await ticket_op(hall, "TicketCallNext", "clerk", windowId=hall["window_id"])
    board = (await run("QueueBoard", {"hallId": hall["hall_id"]}, actor=hall["screen"]))["data"]
    lanes = board["queueBoard"]["lanes"]
    assert [(line["lane"]["prefix"], line["waiting"], line["openWindows"]) for line in lanes] == [
        ("A", 1, 1)
    ]
    windows = board["queueBoard"]["windows"]
    assert windows[0]["current"] == {"number": "A001", "holder": "李*"}
    assert [c["number"] for c in board["queueBoard"]["latestCalls"]] == ["A001"]


async def test_appointment_through_the_api(hall: dict[str, Any]) -> None:
    slot = await appointments.open_slot(
        hall["admin"],
        appointments.SlotDraft(
            hall["lane"].id, NOW + timedelta(minutes=20), NOW + timedelta(minutes=50), 3
        ),
        NOW,
    )
    booked = await run(
        "AppointmentBook",
        {"input": {"slotId": str(slot.id), "phone": "13912345678", "name": "王五"}},
    )
    code = booked["data"]["appointmentBook"]["appointment"]["code"]
    checked = await run(
        "AppointmentCheckIn", {"input": {"code": code, "phone": "13912345678"}}, now=NOW
    )
    appointment = checked["data"]["appointmentCheckIn"]["appointment"]
    assert appointment["status"] == "CHECKED_IN"
    assert appointment["ticket"]["priority"] == "APPOINTMENT"
    cancelled = await run("AppointmentCancel", {"input": {"code": code, "phone": "13912345678"}})
    assert cancelled["data"]["appointmentCancel"]["code"] == "APPOINTMENT_STATE"
    bad = await run("AppointmentBook", {"input": {"slotId": "x", "phone": "1", "name": "a"}})
    assert bad["data"]["appointmentBook"]["code"] == "INVALID_ID"


async def test_window_feed_carries_only_the_windows_events(hall: dict[str, Any], orm: Any) -> None:
    import asyncio  # noqa: PLC0415

    import redis.asyncio as aioredis  # noqa: PLC0415

    from api.board_log import RedisEventLog  # noqa: PLC0415
    from models.queue.board import BoardEvent, BoardEventKind  # noqa: PLC0415
    from schema.context import Context  # noqa: PLC0415
    from schema.schema import schema  # noqa: PLC0415

    lane_b = await f.lane(hall["hall"], "B")
    dedicated = await f.window(hall["hall"], "2", lanes=(lane_b,))
    client = aioredis.Redis.from_url(orm.redis_url)
    log = RedisEventLog(client)
    context = Context(actor=hall["clerk"], board_log=log)
    query = "subscription($w: ID!) { windowFeed(windowId: $w) { kind data } }"
    stream = await schema.subscribe(
        query, variable_values={"w": to_base64("Window", dedicated.id)}, context_value=context
    )
    received: list[Any] = []

    async def read() -> None:
        async for result in stream:
            assert result.data is not None
            received.append(result.data["windowFeed"]["data"]["number"])
            if len(received) == 2:
                return

    task = asyncio.create_task(read())
    await asyncio.sleep(0.5)
    hall_id = hall["hall"].id
    await log.append(
        [
            BoardEvent(
                hall_id,
                BoardEventKind.TICKET_ISSUED,
                {"number": "A001", "lane_id": hall["lane"].id},
            ),
            BoardEvent(
                hall_id, BoardEventKind.TICKET_ISSUED, {"number": "B001", "lane_id": lane_b.id}
            ),
            BoardEvent(
                hall_id,
                BoardEventKind.TICKET_TRANSFERRED,
                {"number": "A002", "lane_id": hall["lane"].id, "to_window_id": dedicated.id},
            ),
        ]
    )
    await asyncio.wait_for(task, 10)
    await stream.aclose()
    assert received == ["B001", "A002"]
    await log.close()
    await client.aclose()
