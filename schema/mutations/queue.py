"""Queue mutations: ticketIssue, ticketCallNext and the ticket's life; appointments."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from models.common.errors import InvalidInput
from models.queue import actions, appointments
from models.queue.actions import Changed
from models.queue.board import BoardEvent
from models.queue.queries import wait_for
from models.queue.tables import AppointmentSlot
from schema.context import Info
from schema.errors import ConflictError, InputError, NotFoundError, StateError, returns_errors
from schema.permissions import require_actor
from schema.relay import decode_id, decode_optional_id
from schema.types.queue import (
    Appointment,
    Ticket,
    TicketChannel,
    TicketOutcome,
    TicketPriority,
    WaitEstimate,
)


async def _publish(info: Info, events: list[BoardEvent]) -> None:
    """Hand committed changes to the hall's event log, when this process has one."""
    log = info.context.board_log
    if log is not None and events:
        await log.append(events)


@strawberry.input(description="Take a number.")
class TicketIssueInput:
    """ticketIssue input."""

    hall_id: relay.GlobalID = strawberry.field(description="The hall.")
    lane_id: relay.GlobalID = strawberry.field(description="The lane.")
    channel: TicketChannel = strawberry.field(
        default=TicketChannel.KIOSK, description="KIOSK and PHONE need no login; CLERK needs staff."
    )
    priority: TicketPriority = strawberry.field(
        default=TicketPriority.NORMAL, description="GREEN_CHANNEL needs staff."
    )
    item_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The service item, if known."
    )
    holder_phone: str = strawberry.field(
        default="", description="Mobile for texts (required by PHONE)."
    )
    holder_name: str = strawberry.field(
        default="", description="Name; screens show it masked (张*)."
    )


@strawberry.type(description="The new ticket with the people ahead and the expected wait.")
class TicketIssueSuccess:
    """ticketIssue success."""

    ticket: Ticket = strawberry.field(description="The ticket.")
    estimate: WaitEstimate = strawberry.field(description="People ahead and expected wait.")


TicketIssueResult = Annotated[
    TicketIssueSuccess | InputError | NotFoundError | ConflictError | StateError,
    strawberry.union("TicketIssueResult", description="Result of ticketIssue."),
]


@strawberry.input(description="Finish the window's ticket in service before calling the next.")
class TicketFinishCurrentInput:
    """ticketCallNext's finishCurrent input (what the pad's 下一位 button sends)."""

    outcome: TicketOutcome = strawberry.field(description="How the ticket in service ended.")
    case_number: str = strawberry.field(
        default="", description="The case it led to (ticket -> case trace)."
    )


@strawberry.input(description="Call the next ticket to a window.")
class TicketCallNextInput:
    """ticketCallNext input."""

    window_id: relay.GlobalID = strawberry.field(description="Your open window.")
    finish_current: TicketFinishCurrentInput | None = strawberry.field(
        default=None,
        description=(
            "Finish the ticket in service first, in the same transaction: both or neither (when"
            " nothing can be called, it stays in service). With no ticket in service, just calls."
        ),
    )


@strawberry.input(description="Act on a ticket your window is serving.")
class TicketInput:
    """Input of ticketRecall, ticketSkip, ticketHold and ticketResume."""

    ticket_id: relay.GlobalID = strawberry.field(description="The ticket.")


@strawberry.input(description="Send a ticket to another lane or to one window (exactly one).")
class TicketTransferInput:
    """ticketTransfer input."""

    ticket_id: relay.GlobalID = strawberry.field(description="The ticket.")
    lane_id: relay.GlobalID | None = strawberry.field(default=None, description="Target lane.")
    window_id: relay.GlobalID | None = strawberry.field(default=None, description="Target window.")


@strawberry.input(description="Close a served ticket.")
class TicketFinishInput:
    """ticketFinish input."""

    ticket_id: relay.GlobalID = strawberry.field(description="The ticket.")
    outcome: TicketOutcome = strawberry.field(description="How it ended.")
    case_number: str = strawberry.field(
        default="", description="The case it led to (ticket -> case trace)."
    )


@strawberry.type(description="The ticket after the change.")
class TicketPayload:
    """Success of the ticket mutations."""

    ticket: Ticket = strawberry.field(description="The ticket.")


TicketResult = Annotated[
    TicketPayload | InputError | NotFoundError | StateError,
    strawberry.union("TicketResult", description="Result of a ticket action."),
]


@strawberry.input(description="Book a place in an appointment slot.")
class AppointmentBookInput:
    """appointmentBook input."""

    slot_id: strawberry.ID = strawberry.field(description="The slot's id.")
    phone: str = strawberry.field(description="Mainland mobile number.")
    name: str = strawberry.field(description="Name; at most 50 characters.")


@strawberry.input(description="Identify a booking by its code and phone number.")
class AppointmentInput:
    """appointmentCancel and appointmentCheckIn input."""

    code: str = strawberry.field(description="Booking code.")
    phone: str = strawberry.field(description="The phone it was booked with.")


@strawberry.type(description="The booking after the change.")
class AppointmentPayload:
    """Success of the appointment mutations."""

    appointment: Appointment = strawberry.field(description="The booking.")


AppointmentResult = Annotated[
    AppointmentPayload | InputError | NotFoundError | StateError,
    strawberry.union("AppointmentResult", description="Result of an appointment action."),
]


async def _appointment(code: str, ticket: Ticket | None = None) -> Appointment:
    from models.queue.tables import Appointment as Row  # noqa: PLC0415

    row = await Row.get(code=code.strip().upper())
    slot = await AppointmentSlot.get(id=row.slot_id)
    return Appointment(
        code=row.code,
        status=row.status,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        ticket=ticket,
    )


async def _changed(info: Info, changed: Changed) -> TicketPayload:
    await _publish(info, changed.events)
    return TicketPayload(ticket=Ticket.from_row(changed.ticket))


def _ticket_id(value: relay.GlobalID) -> int:
    return decode_id(value, "Ticket", "ticket_id")


@strawberry.type
class QueueMutation:
    """Queue mutations."""

    @strawberry.mutation(description="Take a number (kiosk and phone need no login).")
    @returns_errors
    async def ticket_issue(self, info: Info, input: TicketIssueInput) -> TicketIssueResult:  # noqa: A002
        """Issue a ticket."""
        request = actions.TicketRequest(
            hall_id=decode_id(input.hall_id, "Hall", "hall_id"),
            lane_id=decode_id(input.lane_id, "Lane", "lane_id"),
            channel=input.channel,
            priority=input.priority,
            item_id=decode_optional_id(input.item_id, "ServiceItem", "item_id"),
            holder_phone=input.holder_phone.strip(),
            holder_name=input.holder_name,
        )
        issued = await actions.issue_ticket(info.context.actor, request, info.context.now)
        await _publish(info, issued.events)
        estimate = await wait_for(issued.ticket, issued.lane)
        return TicketIssueSuccess(
            ticket=Ticket.from_row(issued.ticket), estimate=WaitEstimate.of(estimate)
        )

    @strawberry.mutation(
        description="Call the best waiting ticket to your window (priority, then time)."
    )
    @returns_errors
    async def ticket_call_next(self, info: Info, input: TicketCallNextInput) -> TicketResult:  # noqa: A002
        """Call next."""
        window_id = decode_id(input.window_id, "Window", "window_id")
        finish = input.finish_current
        changed = await actions.call_next(
            require_actor(info),
            window_id,
            info.context.now,
            actions.FinishCurrent(finish.outcome, finish.case_number) if finish else None,
        )
        return await _changed(info, changed)

    @strawberry.mutation(
        description="Call the same ticket again; past the limit (3) it becomes a no-show."
    )
    @returns_errors
    async def ticket_recall(self, info: Info, input: TicketInput) -> TicketResult:  # noqa: A002
        """Recall."""
        return await _changed(
            info,
            await actions.recall(
                require_actor(info), _ticket_id(input.ticket_id), info.context.now
            ),
        )

    @strawberry.mutation(description="The holder is not there: a no-show (过号).")
    @returns_errors
    async def ticket_skip(self, info: Info, input: TicketInput) -> TicketResult:  # noqa: A002
        """Skip."""
        return await _changed(
            info,
            await actions.skip(require_actor(info), _ticket_id(input.ticket_id), info.context.now),
        )

    @strawberry.mutation(
        description="Put the ticket aside (挂起); ticketResume calls it back first."
    )
    @returns_errors
    async def ticket_hold(self, info: Info, input: TicketInput) -> TicketResult:  # noqa: A002
        """Hold."""
        return await _changed(
            info,
            await actions.hold(require_actor(info), _ticket_id(input.ticket_id), info.context.now),
        )

    @strawberry.mutation(
        description="Put a held ticket back in line, ahead of its class, for the same window."
    )
    @returns_errors
    async def ticket_resume(self, info: Info, input: TicketInput) -> TicketResult:  # noqa: A002
        """Resume a held ticket."""
        return await _changed(
            info,
            await actions.resume(
                require_actor(info), _ticket_id(input.ticket_id), info.context.now
            ),
        )

    @strawberry.mutation(description="Send the ticket to another lane or to one window.")
    @returns_errors
    async def ticket_transfer(self, info: Info, input: TicketTransferInput) -> TicketResult:  # noqa: A002
        """Transfer."""
        changed = await actions.transfer(
            require_actor(info),
            _ticket_id(input.ticket_id),
            info.context.now,
            lane_id=decode_optional_id(input.lane_id, "Lane", "lane_id"),
            window_id=decode_optional_id(input.window_id, "Window", "window_id"),
        )
        return await _changed(info, changed)

    @strawberry.mutation(
        description="Close the served ticket, optionally naming the case it led to."
    )
    @returns_errors
    async def ticket_finish(self, info: Info, input: TicketFinishInput) -> TicketResult:  # noqa: A002
        """Finish."""
        changed = await actions.finish(
            require_actor(info),
            _ticket_id(input.ticket_id),
            input.outcome,
            info.context.now,
            input.case_number,
        )
        return await _changed(info, changed)

    @strawberry.mutation(
        description="Book a place in a slot (no login; repeated no-shows suspend booking)."
    )
    @returns_errors
    async def appointment_book(self, info: Info, input: AppointmentBookInput) -> AppointmentResult:  # noqa: A002
        """Book."""
        if not str(input.slot_id).isdigit():
            raise InvalidInput.single("slot_id", "INVALID_ID", "预约时段ID无效")
        row = await appointments.book(
            int(input.slot_id), input.phone.strip(), input.name, info.context.now
        )
        return AppointmentPayload(appointment=await _appointment(row.code))

    @strawberry.mutation(description="Cancel a booking before its slot starts.")
    @returns_errors
    async def appointment_cancel(self, info: Info, input: AppointmentInput) -> AppointmentResult:  # noqa: A002
        """Cancel."""
        row = await appointments.cancel(input.code, input.phone.strip(), info.context.now)
        return AppointmentPayload(appointment=await _appointment(row.code))

    @strawberry.mutation(
        description="Check in from 30 minutes before the slot to 15 after it: a priority ticket is issued."
    )
    @returns_errors
    async def appointment_check_in(self, info: Info, input: AppointmentInput) -> AppointmentResult:  # noqa: A002
        """Check in."""
        row, issued = await appointments.check_in(input.code, input.phone.strip(), info.context.now)
        await _publish(info, issued.events)
        return AppointmentPayload(
            appointment=await _appointment(row.code, Ticket.from_row(issued.ticket))
        )
