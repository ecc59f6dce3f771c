"""12345 work-order types: orders, their events, the centre's policy and the hotline figures."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Self, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from models.workorders import figures, queries, tables
from models.workorders.actions import visible
from models.workorders.rules import CATEGORY_LABELS, Policy
from schema.context import Info
from schema.enums import described_enum
from schema.naming import camel
from schema.permissions import require_actor
from schema.relay import nodes_from
from schema.types.cases import AlertLevel
from schema.types.catalogue import Department, Hall
from schema.types.masking import (
    PersonalData,
    known_names,
    mask_free_text,
    mask_mobile,
    mask_name,
    personal,
)

WorkOrderCategory = tables.WorkOrderCategory
described_enum(
    tables.WorkOrderCategory,
    name="WorkOrderCategory",
    description="What the caller wants; each category has its own limit.",
    values={
        "EMERGENCY": "紧急求助: the same day by default.",
        "ENQUIRY": "咨询: 3 working days by default.",
        "HELP": "求助: 3 working days by default.",
        "COMPLAINT": "投诉: 13 working days by default.",
        "SUGGESTION": "建议: 13 working days by default.",
    },
)
WorkOrderSource = tables.WorkOrderSource
described_enum(
    tables.WorkOrderSource,
    name="WorkOrderSource",
    description="Where the order came from.",
    values={"HOTLINE": "A call to 12345.", "WEB": "The website.", "APP": "The mobile app."},
)
WorkOrderStatus = tables.WorkOrderStatus
described_enum(
    tables.WorkOrderStatus,
    name="WorkOrderStatus",
    description="Where an order stands in the closed loop.",
    values={
        "RECEIVED": "Taken down by the centre, not dispatched yet.",
        "DISPATCHED": "Sent to a lead department (again after a return or for rework).",
        "SIGNED": "The lead department signed for it (签收).",
        "RETURNED": "Returned by a department as wrongly assigned (退单); to be re-dispatched.",
        "REPLIED": "Handled and answered by the department; waiting for the callback.",
        "CLOSED": "Called back and closed (satisfied, or unsatisfied after the last rework).",
        "MERGED": "A duplicate call merged into another order; not counted again.",
    },
)
Satisfaction = tables.Satisfaction
described_enum(
    tables.Satisfaction,
    name="Satisfaction",
    description="The caller's verdict on the callback (回访).",
    values={
        "SATISFIED": "满意.",
        "BASICALLY_SATISFIED": "基本满意 (counts as satisfied).",
        "UNSATISFIED": "不满意: rework (重办) until the centre's limit, then closed unsatisfied.",
    },
)


@strawberry.type(description="One step of a work order; never changed.")
class WorkOrderEvent:
    """A work-order event."""

    seq: int = strawberry.field(description="Position in the order's history, from 1, no gaps.")
    kind: str = strawberry.field(
        description=(
            "CREATED, DISPATCHED, SIGNED, RETURNED, REPLIED, EXTENSION_REQUESTED, "
            "EXTENSION_APPROVED, EXTENSION_DENIED, CALLBACK, REWORK, CLOSED, REOPENED, "
            "REPEAT_CALL, YELLOW, URGED (催办) or REPORTED (通报)."
        )
    )
    from_status: WorkOrderStatus | None = strawberry.field(description="Status before.")
    to_status: WorkOrderStatus = strawberry.field(description="Status after.")
    actor_name: str = strawberry.field(description="Who did it; `system` for the chasing scan.")
    at: datetime = strawberry.field(description="When.")
    note: str = strawberry.field(
        description=(
            "Reason, reply or remark. ID and phone numbers written in it are masked, and so is"
            " the caller's name."
        )
    )
    data: JSON = strawberry.field(description="Details by kind (department, days, due date...).")
    order_number: str = strawberry.field(description="The order's number.")

    @classmethod
    def from_row(
        cls, row: tables.WorkOrderEvent, number: str, names: Mapping[str, str] | None = None
    ) -> Self:
        """From a stored event; `names`: the caller's name to mask in the note."""
        return cls(
            seq=row.seq,
            kind=row.kind,
            from_status=row.from_status,
            to_status=row.to_status,
            actor_name=row.actor_name,
            at=row.at,
            note=mask_free_text(row.note, names),
            data=cast("JSON", {camel(k): v for k, v in row.data.items()}),
            order_number=number,
        )


@strawberry.type(description="An attachment, by reference (the files live elsewhere).")
class Attachment:
    """An attachment reference."""

    name: str = strawberry.field(description="File name.")
    ref: str = strawberry.field(description="Where it is: http(s)://, oss:// or file: reference.")


@strawberry.type(description="A 12345 hotline work order (工单); the caller is always masked.")
class WorkOrder(relay.Node):
    """A work order."""

    id: relay.NodeID[int]
    number: str = strawberry.field(description="GD-<hall>-<yyyymmdd>-<nnnnnn>.")
    category: WorkOrderCategory = strawberry.field(description="What the caller wants.")
    category_label: str = strawberry.field(description="The category in Chinese.")
    source: WorkOrderSource = strawberry.field(description="Where it came from.")
    status: WorkOrderStatus = strawberry.field(description="Where it stands.")
    location: str = strawberry.field(description="Where the matter is.")
    district: str = strawberry.field(description="Administrative division code, when given.")
    content: str = strawberry.field(
        description=(
            "What the caller said. ID and phone numbers written in it are masked, and so is the"
            " caller's name."
        )
    )
    attachments: list[Attachment] = strawberry.field(description="Attachments by reference.")
    received_at: datetime = strawberry.field(description="When the call was taken.")
    dispatched_at: datetime | None = strawberry.field(description="Last dispatch.")
    signed_at: datetime | None = strawberry.field(description="When the department signed.")
    due_on: date | None = strawberry.field(
        description="Reply by this date (the category's limit, plus approved extensions)."
    )
    alert_level: AlertLevel = strawberry.field(
        description="YELLOW near the deadline, RED once breached (催办 sent)."
    )
    urged_at: datetime | None = strawberry.field(description="When 催办 was sent.")
    reported_at: datetime | None = strawberry.field(description="When it was reported (通报).")
    extension_days: int = strawberry.field(description="Working days granted by the centre.")
    extension_requested_days: int | None = strawberry.field(
        description="A pending extension request's days (null when none is pending)."
    )
    replied_at: datetime | None = strawberry.field(description="When the department replied.")
    reply: str = strawberry.field(
        description=(
            "The department's answer. ID and phone numbers written in it are masked, and so is"
            " the caller's name."
        )
    )
    on_time: bool | None = strawberry.field(
        description="Replied by the due date (null until replied)."
    )
    satisfaction: Satisfaction | None = strawberry.field(description="The last callback's verdict.")
    closed_at: datetime | None = strawberry.field(description="When it was closed.")
    reworks: int = strawberry.field(description="Times sent back for rework (重办).")
    returns: int = strawberry.field(description="Times returned by a department (退单).")
    repeat_calls: int = strawberry.field(description="Duplicate calls merged into this order.")
    counted: bool = strawberry.field(description="false for a merged duplicate.")
    row: strawberry.Private[tables.WorkOrder]

    @classmethod
    def from_row(cls, row: tables.WorkOrder) -> Self:
        """From a stored order."""
        pending = row.extension_state is tables.ExtensionState.REQUESTED
        names = caller_names(row)
        return cls(
            id=row.id,
            number=row.number,
            category=row.category,
            category_label=CATEGORY_LABELS[row.category],
            source=row.source,
            status=row.status,
            location=row.location,
            district=row.district,
            content=mask_free_text(row.content, names),
            attachments=[Attachment(name=a["name"], ref=a["ref"]) for a in row.attachments],
            received_at=row.received_at,
            dispatched_at=row.dispatched_at,
            signed_at=row.signed_at,
            due_on=row.due_on,
            alert_level=AlertLevel(row.alert_level.value),
            urged_at=row.urged_at,
            reported_at=row.reported_at,
            extension_days=row.extension_days,
            extension_requested_days=row.extension_request_days if pending else None,
            replied_at=row.replied_at,
            reply=mask_free_text(row.reply, names),
            on_time=row.on_time,
            satisfaction=row.satisfaction,
            closed_at=row.closed_at,
            reworks=row.reworks,
            returns=row.returns,
            repeat_calls=row.repeat_count,
            counted=row.counted,
            row=row,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        """Orders by id within the caller's scope."""
        visible = await queries.orders_visible(require_actor(info), queries.WorkOrderFilter())
        return await nodes_from(visible, node_ids, cls.from_row)

    @strawberry.field(
        description="The caller's name, masked (张*).", metadata=personal(PersonalData.NAME)
    )
    def caller_name(self) -> str:
        """Masked name."""
        return mask_name(self.row.caller_name)

    @strawberry.field(
        description="The caller's phone, masked (139****5678).",
        metadata=personal(PersonalData.PHONE),
    )
    def caller_phone(self) -> str:
        """Masked phone."""
        return mask_mobile(self.row.caller_phone)

    @strawberry.field(description="The hotline centre.")
    async def hall(self, info: Info) -> Hall:
        """The hall."""
        row = await info.context.loaders.hall.load(self.row.hall_id)
        assert row is not None  # noqa: S101  (foreign key)
        return Hall.from_row(row)

    @strawberry.field(
        description="The lead department now (null before dispatch or after a return)."
    )
    async def department(self, info: Info) -> Department | None:
        """The lead department."""
        if self.row.department_id is None:
            return None
        row = await info.context.loaders.department.load(self.row.department_id)
        return Department.from_row(row) if row else None

    @strawberry.field(description="Co-handling departments.")
    async def co_departments(self, info: Info) -> list[Department]:
        """The co-handlers."""
        rows = await info.context.loaders.department.load_many(self.row.co_department_ids)
        return [Department.from_row(r) for r in rows if r is not None]

    @strawberry.field(description="Every step so far, oldest first.")
    async def events(self, info: Info) -> list[WorkOrderEvent]:
        """The history."""
        rows = await queries.events_after(self.row.id, 0)
        names = caller_names(self.row)
        return [WorkOrderEvent.from_row(r, self.row.number, names) for r in rows]

    @strawberry.field(description="The order this duplicate was merged into.")
    async def duplicate_of(self, info: Info) -> WorkOrder | None:
        """The original order."""
        if self.row.duplicate_of_id is None:
            return None
        row = await tables.WorkOrder.get_or_none(id=self.row.duplicate_of_id)
        actor = require_actor(info)
        return WorkOrder.from_row(row) if row and visible(actor, row) else None

    @strawberry.field(
        description="The same caller's other orders within 30 days (repeat or duplicate calls)."
    )
    async def same_caller(self, info: Info) -> list[WorkOrder]:
        """Related orders."""
        actor = require_actor(info)
        return [
            WorkOrder.from_row(r) for r in await queries.same_caller(self.row) if visible(actor, r)
        ]


@strawberry.type(description="A category's reply limit.")
class CategoryLimit:
    """One category's limit."""

    category: WorkOrderCategory = strawberry.field(description="The category.")
    working_days: int = strawberry.field(description="Working days to reply (0: the same day).")


@strawberry.type(description="A hotline centre's limits and chasing rules.")
class WorkOrderPolicy:
    """The centre's policy."""

    limits: list[CategoryLimit] = strawberry.field(description="Reply limit per category.")
    yellow_days: int = strawberry.field(description="Working days left that turn an order yellow.")
    report_after_days: int = strawberry.field(
        description="Working days after the breach (and its 催办) before the formal report (通报)."
    )
    rework_days: int = strawberry.field(description="Working days given for a rework (重办).")
    max_reworks: int = strawberry.field(
        description="Unsatisfied callbacks sent back for rework before an order closes unsatisfied."
    )
    version: int = strawberry.field(description="0: the defaults; then 1, 2, ...")

    @classmethod
    def of(cls, policy: Policy) -> Self:
        """From the model's policy."""
        return cls(
            limits=[
                CategoryLimit(category=c, working_days=policy.limit(c))
                for c in tables.WorkOrderCategory
            ],
            yellow_days=policy.yellow_days,
            report_after_days=policy.report_after_days,
            rework_days=policy.rework_days,
            max_reworks=policy.max_reworks,
            version=policy.version,
        )


@strawberry.type(description="A count over a count, with both parts.")
class WorkOrderRate:
    """A rate with its numerator and denominator."""

    numerator: int = strawberry.field(description="What is counted.")
    denominator: int = strawberry.field(description="Out of how many.")
    value: float | None = strawberry.field(description="numerator / denominator; null when 0.")


def _rate(numerator: int, denominator: int) -> WorkOrderRate:
    value = round(numerator / denominator, 6) if denominator else None
    return WorkOrderRate(numerator=numerator, denominator=denominator, value=value)


@strawberry.type(description="The hotline figures of a group (counted orders, by received date).")
class WorkOrderFigures:
    """One row of the hotline report."""

    key: str = strawberry.field(
        description="The group: department id, YYYY-MM, 'departmentId/YYYY-MM', category, or 0."
    )
    received: int = strawberry.field(description="Orders received (duplicates merged).")
    signed: int = strawberry.field(description="Signed for by the lead department.")
    closed: int = strawberry.field(description="Closed after the callback.")
    closed_unsatisfied: int = strawberry.field(description="Closed with an unsatisfied callback.")
    on_time: WorkOrderRate = strawberry.field(description="Replied by the due date / replied.")
    satisfaction: WorkOrderRate = strawberry.field(
        description="Satisfied or basically satisfied callbacks / callbacks."
    )
    returns: int = strawberry.field(description="Returns (退单).")
    reworks: int = strawberry.field(description="Reworks (重办).")
    repeat_calls: int = strawberry.field(description="Duplicate calls merged into these orders.")
    average_reply_days: float | None = strawberry.field(
        description="Average calendar days from (last) dispatch to reply."
    )
    department_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: figures.Figures, department_id: int | None) -> Self:
        """From the model's row."""
        return cls(
            key=row.key,
            received=row.received,
            signed=row.signed,
            closed=row.closed,
            closed_unsatisfied=row.closed_unsatisfied,
            on_time=_rate(row.on_time, row.replied),
            satisfaction=_rate(row.satisfied, row.callbacks),
            returns=row.returns,
            reworks=row.reworks,
            repeat_calls=row.repeat_calls,
            average_reply_days=round(row.reply_days, 2) if row.reply_days is not None else None,
            department_id=department_id,
        )

    @strawberry.field(description="The department, when grouped by department.")
    async def department(self, info: Info) -> Department | None:
        """The department."""
        if not self.department_id:
            return None
        row = await info.context.loaders.department.load(self.department_id)
        return Department.from_row(row) if row else None


def caller_names(row: tables.WorkOrder) -> dict[str, str]:
    """The caller's name with its mask, to mask in the order's free text."""
    return known_names((row.caller_name, True))
