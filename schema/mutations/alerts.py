"""alertPolicySet."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from models.alerts.policy import set_policy
from models.alerts.rules import EscalationStep as StepValue
from models.catalogue.queries import hall_in_scope
from schema.context import Info
from schema.errors import InputError, NotFoundError, returns_errors
from schema.permissions import require_actor
from schema.relay import decode_id
from schema.types.alerts import AlertPolicy, EscalationTarget, target_value


@strawberry.input(description="An item's own yellow threshold.")
class ItemThresholdInput:
    """A per-item threshold."""

    item_code: str = strawberry.field(description="The item's code (an item of this hall).")
    yellow_days: int = strawberry.field(description="Working days left that turn it yellow, 0-30.")


@strawberry.input(description="One rung of the escalation ladder.")
class EscalationStepInput:
    """A rung."""

    target: EscalationTarget = strawberry.field(description="Who it reaches.")
    after_days: int = strawberry.field(
        description="Working days after the previous rung (or the red card), 0-30."
    )


@strawberry.input(description="A hall's warning threshold and escalation ladder.")
class AlertPolicySetInput:
    """alertPolicySet input."""

    hall_id: relay.GlobalID = strawberry.field(description="The hall.")
    yellow_days: int = strawberry.field(
        description="Working days left that turn a case yellow, 0-30 (the halls' practice: 3)."
    )
    item_yellow_days: list[ItemThresholdInput] = strawberry.field(
        default_factory=list, description="Items with their own threshold."
    )
    steps: list[EscalationStepInput] = strawberry.field(
        description="The ladder, 1-3 distinct rungs, first rung first."
    )


@strawberry.type(description="The policy was stored; open cases' yellow days are being recomputed.")
class AlertPolicySetSuccess:
    """alertPolicySet success."""

    policy: AlertPolicy = strawberry.field(description="The policy now in force.")
    recompute_queued: bool = strawberry.field(
        description="Whether the background recomputation of open cases' yellow days was queued."
    )


AlertPolicySetResult = Annotated[
    AlertPolicySetSuccess | InputError | NotFoundError,
    strawberry.union("AlertPolicySetResult", description="Result of alertPolicySet."),
]


@strawberry.type
class AlertMutation:
    """Alert mutations."""

    @strawberry.mutation(
        description="Set a hall's yellow threshold (per item too) and escalation ladder (ADMIN)."
    )
    @returns_errors
    async def alert_policy_set(
        self,
        info: Info,
        input: AlertPolicySetInput,  # noqa: A002
    ) -> AlertPolicySetResult:
        """Store the policy and queue the recomputation."""
        actor = require_actor(info)
        hall = await hall_in_scope(actor, decode_id(input.hall_id, "Hall", "hall_id"))
        policy = await set_policy(
            actor,
            hall,
            input.yellow_days,
            {t.item_code.strip(): t.yellow_days for t in input.item_yellow_days},
            [StepValue(target_value(s.target), s.after_days) for s in input.steps],
            info.context.now,
        )
        queued = False
        if info.context.jobs is not None:
            queued = await info.context.jobs.enqueue(
                "recompute_alert_days", hall.id, job_id=f"alert-days:{hall.id}:{policy.version}"
            )
        return AlertPolicySetSuccess(policy=await AlertPolicy.of(policy), recompute_queued=queued)
