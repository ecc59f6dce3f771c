"""Alert types: cards, their events, per-department counts and a hall's alert policy."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import Self

import strawberry
from strawberry import relay

from models.alerts import tables
from models.alerts.queries import AlertFilter, DepartmentCount, alerts_visible
from models.alerts.rules import EscalationTarget as TargetValue
from models.alerts.rules import Policy
from models.catalogue.tables import ServiceItem
from schema.context import Info
from schema.permissions import require_actor
from schema.types.cases import AlertLevel, Case
from schema.types.catalogue import Department


@strawberry.enum(description="What happened to a card.")
class AlertEventKind(Enum):
    """Kinds of alert events."""

    YELLOW = strawberry.enum_value("YELLOW", description="A yellow card was raised.")
    RED = strawberry.enum_value("RED", description="A red card was raised (the case is overdue).")
    CLEARED = strawberry.enum_value(
        "CLEARED", description="The card was withdrawn (completed, suspended, extended...)."
    )
    ESCALATED = strawberry.enum_value(
        "ESCALATED", description="A red card climbed a rung of the escalation ladder."
    )


@strawberry.enum(description="Why a card is no longer active.")
class ClearReason(Enum):
    """Reasons a card was cleared."""

    COMPLETED = strawberry.enum_value("COMPLETED", description="The case was decided.")
    CLOSED = strawberry.enum_value(
        "CLOSED", description="Withdrawn, forwarded or otherwise closed."
    )
    SUSPENDED = strawberry.enum_value("SUSPENDED", description="The clock was stopped.")
    OUT_OF_RANGE = strawberry.enum_value(
        "OUT_OF_RANGE", description="An extension or a new calendar moved the due date away."
    )
    SUPERSEDED = strawberry.enum_value(
        "SUPERSEDED", description="A yellow card replaced by the red one."
    )


@strawberry.enum(description="Who a rung of the escalation ladder reaches.")
class EscalationTarget(Enum):
    """Escalation targets."""

    CHIEF_REP = strawberry.enum_value(
        "CHIEF_REP", description="The handling department's chief representative (首席代表)."
    )
    SUPERVISOR = strawberry.enum_value("SUPERVISOR", description="The hall's supervisors.")
    EFFICIENCY_OFFICE = strawberry.enum_value(
        "EFFICIENCY_OFFICE",
        description="The efficiency office: supervisors of the hall above (of the hall itself at the top).",
    )


@strawberry.type(description="A yellow or red card (黄牌/红牌) of a case.")
class Alert(relay.Node):
    """A card."""

    id: relay.NodeID[int]
    level: AlertLevel = strawberry.field(description="YELLOW or RED.")
    due_on: date = strawberry.field(description="The case's due date when the card was raised.")
    raised_at: datetime = strawberry.field(description="When the card was raised.")
    raised_on: date = strawberry.field(description="The hall's date the card was raised on.")
    active: bool = strawberry.field(description="Whether the card is still up.")
    cleared_at: datetime | None = strawberry.field(description="When it was withdrawn.")
    clear_reason: ClearReason | None = strawberry.field(description="Why it was withdrawn.")
    escalation_step: int = strawberry.field(
        description="Rungs of the escalation ladder taken so far (red cards)."
    )
    next_escalation_at: datetime | None = strawberry.field(
        description="When the next rung is due (inside opening hours); null when none is."
    )
    case_id: strawberry.Private[int]
    department_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: tables.CaseAlert) -> Self:
        """From a stored alert."""
        return cls(
            id=row.id,
            level=AlertLevel(row.level.value),
            due_on=row.due_on,
            raised_at=row.raised_at,
            raised_on=row.raised_on,
            active=row.cleared_at is None,
            cleared_at=row.cleared_at,
            clear_reason=ClearReason(row.clear_reason.value) if row.clear_reason else None,
            escalation_step=row.escalation_step,
            next_escalation_at=row.next_escalation_at,
            case_id=row.case_id,
            department_id=row.department_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        """Alerts by id within the caller's scope (the cases they may see)."""
        actor = require_actor(info)
        ids = [int(i) for i in node_ids if i.isdigit()]
        visible = await alerts_visible(actor, AlertFilter())
        rows = {a.id: a for a in await visible.filter(id__in=ids)}
        return [
            cls.from_row(rows[int(i)]) if i.isdigit() and int(i) in rows else None for i in node_ids
        ]

    @strawberry.field(description="The case (its personal data masked as everywhere).")
    async def case(self, info: Info) -> Case:
        """The case."""
        row = await info.context.loaders.case.load(self.case_id)
        assert row is not None  # noqa: S101  (alerts belong to cases)
        return Case.from_row(row)

    @strawberry.field(description="The handling department.")
    async def department(self, info: Info) -> Department:
        """The department."""
        row = await info.context.loaders.department.load(self.department_id)
        assert row is not None  # noqa: S101  (foreign key)
        return Department.from_row(row)


@strawberry.type(description="A card raised, cleared or escalated, as it happens.")
class AlertEvent:
    """An alert event."""

    seq: int = strawberry.field(
        description="Increasing event id: resume deadlineAlerts with afterSeq = the last one seen."
    )
    kind: AlertEventKind = strawberry.field(description="What happened.")
    level: AlertLevel = strawberry.field(description="The card's level.")
    at: datetime = strawberry.field(description="When.")
    step: int | None = strawberry.field(description="The rung taken (ESCALATED only).")
    target: EscalationTarget | None = strawberry.field(
        description="Who the rung reached (ESCALATED only)."
    )
    reason: ClearReason | None = strawberry.field(description="Why it was cleared (CLEARED only).")
    alert_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: tables.AlertEvent) -> Self:
        """From a stored event."""
        step = row.data.get("step")
        target = row.data.get("target")
        reason = row.data.get("reason")
        return cls(
            seq=row.id,
            kind=AlertEventKind(row.kind.value),
            level=AlertLevel(row.level.value),
            at=row.at,
            step=int(str(step)) if step is not None else None,
            target=EscalationTarget(str(target)) if target else None,
            reason=ClearReason(str(reason)) if reason else None,
            alert_id=row.alert_id,
        )

    @strawberry.field(description="The card itself, as it is now.")
    async def alert(self, info: Info) -> Alert:
        """The alert."""
        row = await tables.CaseAlert.get(id=self.alert_id)
        return Alert.from_row(row)


@strawberry.type(description="A department's cards: raised in the period, and up now.")
class DepartmentAlertCount:
    """Red and yellow counts of a department (an official performance figure)."""

    yellow: int = strawberry.field(description="Yellow cards raised in the period.")
    red: int = strawberry.field(description="Red cards raised in the period.")
    active_yellow: int = strawberry.field(description="Yellow cards up now.")
    active_red: int = strawberry.field(description="Red cards up now.")
    department_id: strawberry.Private[int]

    @classmethod
    def of(cls, count: DepartmentCount) -> Self:
        """From the model's count."""
        return cls(
            yellow=count.yellow,
            red=count.red,
            active_yellow=count.active_yellow,
            active_red=count.active_red,
            department_id=count.department_id,
        )

    @strawberry.field(description="The department.")
    async def department(self, info: Info) -> Department:
        """The department."""
        row = await info.context.loaders.department.load(self.department_id)
        assert row is not None  # noqa: S101  (foreign key)
        return Department.from_row(row)


@strawberry.type(description="One rung of the escalation ladder.")
class EscalationStep:
    """A rung."""

    target: EscalationTarget = strawberry.field(description="Who it reaches.")
    after_days: int = strawberry.field(
        description="Working days after the previous rung (or the red card, for the first)."
    )


@strawberry.type(description="A hall's warning threshold and escalation ladder.")
class AlertPolicy:
    """The alert policy of a hall."""

    yellow_days: int = strawberry.field(
        description="A case turns yellow when this many working days (or fewer) are left."
    )
    item_yellow_days: list[ItemThreshold] = strawberry.field(
        description="Items with their own threshold."
    )
    steps: list[EscalationStep] = strawberry.field(description="The ladder, first rung first.")
    version: int = strawberry.field(description="Bumped on every change; 0: the defaults.")

    @classmethod
    async def of(cls, policy: Policy) -> Self:
        """From the model's policy (its item ids shown as item codes)."""
        ids = [int(i) for i, _ in policy.item_yellow_days]
        codes = dict(await ServiceItem.filter(id__in=ids).values_list("id", "code"))
        return cls(
            yellow_days=policy.yellow_days,
            item_yellow_days=[
                ItemThreshold(item_code=codes.get(int(i), i), yellow_days=d)
                for i, d in policy.item_yellow_days
            ],
            steps=[
                EscalationStep(target=EscalationTarget(s.target.value), after_days=s.after_days)
                for s in policy.steps
            ],
            version=policy.version,
        )


@strawberry.type(description="An item's own yellow threshold.")
class ItemThreshold:
    """A per-item threshold."""

    item_code: str = strawberry.field(description="The item's code.")
    yellow_days: int = strawberry.field(description="Working days left that turn it yellow.")


def target_value(target: EscalationTarget) -> TargetValue:
    """The model's target for the schema's."""
    return TargetValue(target.name)
