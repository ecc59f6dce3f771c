"""Appointments: slots with a capacity, booking, cancelling, and check-in into a priority ticket."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models.catalogue.tables import Hall, Lane
from models.common.actor import Actor
from models.common.checks import Checks
from models.common.errors import Forbidden, IllegalState, InvalidInput, NotFound
from models.queue.actions import Issued, TicketRequest, issue_ticket
from models.queue.errors import BookingLimited
from models.queue.rules import valid_mobile
from models.queue.tables import (
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    TicketChannel,
    TicketPriority,
)

# Check-in is open from this long before the slot starts until this long after it ends.
CHECK_IN_EARLY = timedelta(minutes=30)
CHECK_IN_LATE = timedelta(minutes=15)
# Booking is suspended for a phone with this many no-shows in the last 90 days.
NO_SHOW_LIMIT = 3
NO_SHOW_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class SlotDraft:
    """A slot to open on a lane."""

    lane_id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int


async def open_slot(actor: Actor, draft: SlotDraft, now: datetime) -> AppointmentSlot:
    """Open a bookable slot (ADMIN of the lane's hall)."""
    lane = await Lane.get_or_none(id=draft.lane_id).prefetch_related("hall")
    if lane is None or not actor.sees(lane.hall.path):
        raise NotFound("号段", str(draft.lane_id))
    if not actor.is_admin:
        raise Forbidden("只有管理员可以设置预约时段")
    checks = Checks()
    if draft.ends_at <= draft.starts_at:
        checks.fail("ends_at", "RANGE_INVERTED", "结束时间应晚于开始时间")
    if draft.starts_at <= now:
        checks.fail("starts_at", "IN_PAST", "预约时段应在将来")
    checks.int_range("capacity", draft.capacity, "可预约人数", 1, 500)
    checks.raise_if_any()
    return await AppointmentSlot.create(
        lane_id=lane.id, starts_at=draft.starts_at, ends_at=draft.ends_at, capacity=draft.capacity
    )


async def book(slot_id: int, phone: str, name: str, now: datetime) -> Appointment:
    """Book a place in a slot (citizens, no account); repeated no-shows suspend booking."""
    checks = Checks()
    if not valid_mobile(phone):
        checks.fail("phone", "INVALID_MOBILE", "手机号码应为以1开头的11位中国大陆手机号")
    checks.text("name", name, "姓名", max_len=50)
    checks.raise_if_any()
    no_shows = await Appointment.filter(
        phone=phone, status=AppointmentStatus.NO_SHOW, changed_at__gte=now - NO_SHOW_WINDOW
    ).count()
    if no_shows >= NO_SHOW_LIMIT:
        raise BookingLimited(f"近90天内预约未到{no_shows}次，暂停预约")
    async with in_transaction():
        slot = await AppointmentSlot.filter(id=slot_id).select_for_update().first()
        if slot is None:
            raise InvalidInput.single("slot_id", "NOT_FOUND", "未找到该预约时段")
        if slot.starts_at <= now:
            raise InvalidInput.single("slot_id", "SLOT_STARTED", "该时段已开始，不能预约")
        if await Appointment.filter(
            slot_id=slot.id, phone=phone, status=AppointmentStatus.BOOKED
        ).exists():
            raise InvalidInput.single("phone", "ALREADY_BOOKED", "该手机号已预约此时段")
        if slot.booked >= slot.capacity:
            raise InvalidInput.single("slot_id", "SLOT_FULL", "该时段已约满")
        await AppointmentSlot.filter(id=slot.id).update(booked=F("booked") + 1)
        return await Appointment.create(
            slot_id=slot.id,
            code=secrets.token_hex(4).upper(),
            phone=phone,
            name=name.strip(),
            booked_at=now,
            changed_at=now,
        )


async def _booking(code: str, phone: str) -> Appointment:
    appointment = await Appointment.filter(code=code.strip().upper()).select_for_update().first()
    if appointment is None or appointment.phone != phone:
        raise NotFound("预约", code)
    return appointment


async def cancel(code: str, phone: str, now: datetime) -> Appointment:
    """Cancel a booking before its slot starts; the place is freed."""
    async with in_transaction():
        appointment = await _booking(code, phone)
        if appointment.status is not AppointmentStatus.BOOKED:
            raise IllegalState(
                "该预约不能取消", code="APPOINTMENT_STATE", current_state=appointment.status.value
            )
        slot = await AppointmentSlot.get(id=appointment.slot_id)
        if slot.starts_at <= now:
            raise IllegalState(
                "预约时段已开始，不能取消",
                code="SLOT_STARTED",
                current_state=appointment.status.value,
            )
        appointment.status = AppointmentStatus.CANCELLED
        appointment.changed_at = now
        await appointment.save(update_fields=["status", "changed_at"])
        await AppointmentSlot.filter(id=slot.id).update(booked=F("booked") - 1)
    return appointment


async def check_in(code: str, phone: str, now: datetime) -> tuple[Appointment, Issued]:
    """Turn a booking into a priority ticket inside the check-in window around its slot."""
    async with in_transaction():
        appointment = await _booking(code, phone)
        if appointment.status is not AppointmentStatus.BOOKED:
            raise IllegalState(
                "该预约不能签到", code="APPOINTMENT_STATE", current_state=appointment.status.value
            )
        slot = await AppointmentSlot.get(id=appointment.slot_id)
        if not slot.starts_at - CHECK_IN_EARLY <= now <= slot.ends_at + CHECK_IN_LATE:
            raise IllegalState(
                "不在签到时间内（时段开始前30分钟至结束后15分钟）",
                code="OUTSIDE_CHECK_IN",
                current_state=appointment.status.value,
            )
        lane = await Lane.get(id=slot.lane_id)
        hall = await Hall.get(id=lane.hall_id)
        issued = await issue_ticket(
            None,
            TicketRequest(
                hall_id=hall.id,
                lane_id=lane.id,
                channel=TicketChannel.APPOINTMENT,
                priority=TicketPriority.APPOINTMENT,
                holder_phone=phone,
                holder_name=appointment.name,
            ),
            now,
            appointment_id=appointment.id,
        )
        appointment.status = AppointmentStatus.CHECKED_IN
        appointment.ticket_id = issued.ticket.id
        appointment.changed_at = now
        await appointment.save(update_fields=["status", "ticket_id", "changed_at"])
    return appointment, issued


async def mark_no_shows(now: datetime) -> int:
    """Bookings whose check-in window has passed become no-shows (a periodic job)."""
    cutoff = now - CHECK_IN_LATE
    slot_ids = await AppointmentSlot.filter(ends_at__lt=cutoff).values_list("id", flat=True)
    return int(
        await Appointment.filter(
            slot_id__in=list(slot_ids), status=AppointmentStatus.BOOKED
        ).update(status=AppointmentStatus.NO_SHOW, changed_at=now)
    )
