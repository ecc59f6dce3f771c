"""Appointments: capacity, cancelling, the check-in window, no-show limits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from models.accounts.tables import Role
from models.common.errors import IllegalState, InvalidInput, NotFound
from models.queue import appointments
from models.queue.errors import BookingLimited
from models.queue.tables import Appointment, AppointmentSlot, TicketPriority
from tests import factories as f

NOW = f.NOW
PHONE = "13912345678"


@pytest.fixture
async def slot(db: object) -> dict[str, Any]:
    hall = await f.hall("JN")
    lane = await f.lane(hall, "A")
    _, admin = await f.user("admin1", Role.ADMIN, of=hall)
    draft = appointments.SlotDraft(lane.id, NOW + timedelta(hours=1), NOW + timedelta(hours=2), 2)
    row = await appointments.open_slot(admin, draft, NOW)
    return {"slot": row, "admin": admin, "lane": lane}


async def test_capacity_is_respected(slot: dict[str, Any]) -> None:
    await appointments.book(slot["slot"].id, PHONE, "张三", NOW)
    with pytest.raises(InvalidInput) as twice:
        await appointments.book(slot["slot"].id, PHONE, "张三", NOW)
    assert twice.value.code == "ALREADY_BOOKED"
    await appointments.book(slot["slot"].id, "13912345679", "李四", NOW)
    with pytest.raises(InvalidInput) as full:
        await appointments.book(slot["slot"].id, "13912345670", "王五", NOW)
    assert full.value.code == "SLOT_FULL"
    assert (await AppointmentSlot.get(id=slot["slot"].id)).booked == 2


async def test_cancel_frees_the_place(slot: dict[str, Any]) -> None:
    booking = await appointments.book(slot["slot"].id, PHONE, "张三", NOW)
    with pytest.raises(NotFound):
        await appointments.cancel(booking.code, "13900000000", NOW)
    await appointments.cancel(booking.code, PHONE, NOW)
    assert (await AppointmentSlot.get(id=slot["slot"].id)).booked == 0
    with pytest.raises(IllegalState):
        await appointments.cancel(booking.code, PHONE, NOW)


async def test_check_in_inside_the_window_gives_a_priority_ticket(slot: dict[str, Any]) -> None:
    booking = await appointments.book(slot["slot"].id, PHONE, "张三", NOW)
    with pytest.raises(IllegalState) as early:
        await appointments.check_in(booking.code, PHONE, NOW)
    assert early.value.code == "OUTSIDE_CHECK_IN"
    arrived = NOW + timedelta(minutes=45)
    checked, issued = await appointments.check_in(booking.code, PHONE, arrived)
    assert checked.status.value == "CHECKED_IN"
    assert issued.ticket.priority is TicketPriority.APPOINTMENT
    assert issued.ticket.appointment_id == checked.id


async def test_no_shows_suspend_booking(slot: dict[str, Any]) -> None:
    admin, lane = slot["admin"], slot["lane"]
    for day in range(3):
        start = NOW + timedelta(days=day, hours=4)
        past = await appointments.open_slot(
            admin, appointments.SlotDraft(lane.id, start, start + timedelta(hours=1), 5), NOW
        )
        await appointments.book(past.id, PHONE, "张三", NOW)
    assert await appointments.mark_no_shows(NOW + timedelta(days=5)) == 3
    with pytest.raises(BookingLimited):
        await appointments.book(slot["slot"].id, PHONE, "张三", NOW + timedelta(days=5, hours=-5))
    assert await Appointment.filter(phone=PHONE, status="BOOKED").count() == 0


async def test_slot_rules(slot: dict[str, Any]) -> None:
    draft = appointments.SlotDraft(
        slot["lane"].id, NOW - timedelta(hours=1), NOW - timedelta(hours=2), 0
    )
    with pytest.raises(InvalidInput) as bad:
        await appointments.open_slot(slot["admin"], draft, NOW)
    assert [v.field[-1] for v in bad.value.violations] == ["ends_at", "starts_at", "capacity"]
