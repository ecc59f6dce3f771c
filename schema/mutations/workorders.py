"""Work-order mutations: the closed loop from the call to the callback, and the centre's policy."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry import relay

from models.catalogue.queries import hall_in_scope
from models.workorders import actions
from models.workorders.policy import set_policy
from models.workorders.rules import DEFAULT_LIMITS, Policy
from models.workorders.tables import WorkOrder as WorkOrderRow
from schema.context import Info
from schema.errors import InputError, NotFoundError, StateError, returns_errors
from schema.permissions import require_actor
from schema.relay import decode_id, decode_ids
from schema.types.workorders import (
    Satisfaction,
    WorkOrder,
    WorkOrderCategory,
    WorkOrderPolicy,
    WorkOrderSource,
)

NUMBER = "The order number."


@strawberry.type(description="The work order after the change.")
class WorkOrderChanged:
    """Success of every work-order move."""

    work_order: WorkOrder = strawberry.field(description="The order now.")


WorkOrderCreateResult = Annotated[
    WorkOrderChanged | InputError | NotFoundError | StateError,
    strawberry.union("WorkOrderCreateResult", description="Result of workOrderCreate."),
]
WorkOrderDispatchResult = Annotated[
    WorkOrderChanged | InputError | NotFoundError | StateError,
    strawberry.union("WorkOrderDispatchResult", description="Result of workOrderDispatch."),
]
WorkOrderSignResult = Annotated[
    WorkOrderChanged | InputError | NotFoundError | StateError,
    strawberry.union("WorkOrderSignResult", description="Result of workOrderSign."),
]
WorkOrderReturnResult = Annotated[
    WorkOrderChanged | InputError | NotFoundError | StateError,
    strawberry.union("WorkOrderReturnResult", description="Result of workOrderReturn."),
]
WorkOrderReplyResult = Annotated[
    WorkOrderChanged | InputError | NotFoundError | StateError,
    strawberry.union("WorkOrderReplyResult", description="Result of workOrderReply."),
]
WorkOrderExtendResult = Annotated[
    WorkOrderChanged | InputError | NotFoundError | StateError,
    strawberry.union("WorkOrderExtendResult", description="Result of workOrderExtend."),
]
WorkOrderCallbackResult = Annotated[
    WorkOrderChanged | InputError | NotFoundError | StateError,
    strawberry.union("WorkOrderCallbackResult", description="Result of workOrderCallback."),
]
WorkOrderReopenResult = Annotated[
    WorkOrderChanged | InputError | NotFoundError | StateError,
    strawberry.union("WorkOrderReopenResult", description="Result of workOrderReopen."),
]


@strawberry.input(description="An attachment by reference.")
class AttachmentInput:
    """An attachment."""

    name: str = strawberry.field(description="File name, up to 100 characters.")
    ref: str = strawberry.field(description="http(s)://, oss:// or file: reference.")


@strawberry.input(description="A call (or web/app request) taken down by the centre.")
class WorkOrderCreateInput:
    """workOrderCreate input."""

    hall_id: relay.GlobalID = strawberry.field(description="The hotline centre.")
    category: WorkOrderCategory = strawberry.field(description="What the caller wants.")
    caller_name: str = strawberry.field(description="The caller's name, up to 50 characters.")
    caller_phone: str = strawberry.field(description="The caller's number (5-20 digits).")
    content: str = strawberry.field(description="What the caller said, 5-2000 characters.")
    source: WorkOrderSource = strawberry.field(
        default=WorkOrderSource.HOTLINE, description="Where it came from."
    )
    location: str = strawberry.field(default="", description="Where the matter is.")
    district: str = strawberry.field(default="", description="Division code (digits), optional.")
    attachments: list[AttachmentInput] = strawberry.field(
        default_factory=list, description="Up to 20 attachments by reference."
    )
    duplicate_of: str | None = strawberry.field(
        default=None,
        description="A repeat call about this order: merged into it, not counted again.",
    )


@strawberry.input(description="Where the centre sends an order.")
class WorkOrderDispatchInput:
    """workOrderDispatch input."""

    number: str = strawberry.field(description=NUMBER)
    department_id: relay.GlobalID = strawberry.field(description="The lead department.")
    co_department_ids: list[relay.GlobalID] = strawberry.field(
        default_factory=list, description="Co-handling departments (they see the order)."
    )
    note: str = strawberry.field(default="", description="Dispatch note, up to 500 characters.")


@strawberry.input(description="The lead department signs for an order.")
class WorkOrderSignInput:
    """workOrderSign input."""

    number: str = strawberry.field(description=NUMBER)


@strawberry.input(description="A wrongly assigned order goes back (退单).")
class WorkOrderReturnInput:
    """workOrderReturn input."""

    number: str = strawberry.field(description=NUMBER)
    reason: str = strawberry.field(description="Why it is not this department's, 5-500 characters.")


@strawberry.input(description="The lead department's answer after handling.")
class WorkOrderReplyInput:
    """workOrderReply input."""

    number: str = strawberry.field(description=NUMBER)
    reply: str = strawberry.field(description="What was done, 5-2000 characters.")


@strawberry.enum(description="What an extension call does.")
class ExtensionAction(Enum):
    """Extension steps."""

    REQUEST = strawberry.enum_value(
        "REQUEST", description="The lead department asks for `days` more (with `reason`)."
    )
    APPROVE = strawberry.enum_value("APPROVE", description="The centre grants the pending request.")
    DENY = strawberry.enum_value("DENY", description="The centre refuses it (with `reason`).")


@strawberry.input(description="An extension request or the centre's decision on it.")
class WorkOrderExtendInput:
    """workOrderExtend input."""

    number: str = strawberry.field(description=NUMBER)
    action: ExtensionAction = strawberry.field(description="Request, approve or deny.")
    days: int = strawberry.field(default=0, description="REQUEST: working days, 1-15.")
    reason: str = strawberry.field(default="", description="REQUEST and DENY: why.")


@strawberry.input(description="The callback (回访) to the caller.")
class WorkOrderCallbackInput:
    """workOrderCallback input."""

    number: str = strawberry.field(description=NUMBER)
    satisfaction: Satisfaction = strawberry.field(description="The caller's verdict.")
    note: str = strawberry.field(default="", description="Call notes, up to 500 characters.")


@strawberry.input(description="Re-open a closed order for rework (重办).")
class WorkOrderReopenInput:
    """workOrderReopen input."""

    number: str = strawberry.field(description=NUMBER)
    reason: str = strawberry.field(description="Why, 5-500 characters.")


@strawberry.input(description="A category's limit.")
class CategoryLimitInput:
    """One limit."""

    category: WorkOrderCategory = strawberry.field(description="The category.")
    working_days: int = strawberry.field(description="Working days to reply, 0-60 (0: same day).")


@strawberry.input(description="A hotline centre's limits and chasing rules.")
class WorkOrderPolicySetInput:
    """workOrderPolicySet input."""

    hall_id: relay.GlobalID = strawberry.field(description="The centre.")
    limits: list[CategoryLimitInput] = strawberry.field(
        default_factory=list, description="Limits that differ from the defaults."
    )
    yellow_days: int = strawberry.field(
        default=1, description="Days left that turn it yellow, 0-10."
    )
    report_after_days: int = strawberry.field(
        default=5, description="Working days after the breach before 通报, 1-30."
    )
    rework_days: int = strawberry.field(default=5, description="Working days for a rework, 1-30.")
    max_reworks: int = strawberry.field(
        default=1, description="Reworks before an unsatisfied order closes, 0-5."
    )


@strawberry.type(description="The centre's policy was stored (new dispatches use it).")
class WorkOrderPolicySetSuccess:
    """workOrderPolicySet success."""

    policy: WorkOrderPolicy = strawberry.field(description="The policy now in force.")


WorkOrderPolicySetResult = Annotated[
    WorkOrderPolicySetSuccess | InputError | NotFoundError,
    strawberry.union("WorkOrderPolicySetResult", description="Result of workOrderPolicySet."),
]


def _changed(order: WorkOrderRow) -> WorkOrderChanged:
    return WorkOrderChanged(work_order=WorkOrder.from_row(order))


@strawberry.type
class WorkOrderMutation:
    """Work-order mutations."""

    @strawberry.mutation(description="Take a call down (HOTLINE, SUPERVISOR or ADMIN).")
    @returns_errors
    async def work_order_create(
        self,
        info: Info,
        input: WorkOrderCreateInput,  # noqa: A002
    ) -> WorkOrderCreateResult:
        """Create the order."""
        call = actions.Call(
            hall_id=decode_id(input.hall_id, "Hall", "hall_id"),
            category=input.category,
            caller_name=input.caller_name,
            caller_phone=input.caller_phone,
            content=input.content,
            source=input.source,
            location=input.location,
            district=input.district,
            attachments=[{"name": a.name, "ref": a.ref} for a in input.attachments],
            duplicate_of=input.duplicate_of,
        )
        return _changed(await actions.create(require_actor(info), call, info.context.now))

    @strawberry.mutation(description="Send an order to its lead department; the clock starts.")
    @returns_errors
    async def work_order_dispatch(
        self,
        info: Info,
        input: WorkOrderDispatchInput,  # noqa: A002
    ) -> WorkOrderDispatchResult:
        """Dispatch."""
        order = await actions.dispatch(
            require_actor(info),
            input.number,
            decode_id(input.department_id, "Department", "department_id"),
            list(decode_ids(input.co_department_ids, "Department", "co_department_ids")),
            input.note,
            info.context.now,
        )
        return _changed(order)

    @strawberry.mutation(description="The lead department signs for the order (签收).")
    @returns_errors
    async def work_order_sign(
        self,
        info: Info,
        input: WorkOrderSignInput,  # noqa: A002
    ) -> WorkOrderSignResult:
        """Sign."""
        return _changed(await actions.sign(require_actor(info), input.number, info.context.now))

    @strawberry.mutation(description="Return a wrongly assigned order to the centre (退单).")
    @returns_errors
    async def work_order_return(
        self,
        info: Info,
        input: WorkOrderReturnInput,  # noqa: A002
    ) -> WorkOrderReturnResult:
        """Return."""
        order = await actions.return_order(
            require_actor(info), input.number, input.reason, info.context.now
        )
        return _changed(order)

    @strawberry.mutation(description="Reply after handling (the lead department).")
    @returns_errors
    async def work_order_reply(
        self,
        info: Info,
        input: WorkOrderReplyInput,  # noqa: A002
    ) -> WorkOrderReplyResult:
        """Reply."""
        order = await actions.reply(
            require_actor(info), input.number, input.reply, info.context.now
        )
        return _changed(order)

    @strawberry.mutation(
        description="Request more time (lead department), or approve / deny it (the centre)."
    )
    @returns_errors
    async def work_order_extend(
        self,
        info: Info,
        input: WorkOrderExtendInput,  # noqa: A002
    ) -> WorkOrderExtendResult:
        """Extend."""
        actor = require_actor(info)
        now = info.context.now
        if input.action is ExtensionAction.REQUEST:
            order = await actions.request_extension(
                actor, input.number, input.days, input.reason, now
            )
        else:
            approve = input.action is ExtensionAction.APPROVE
            order = await actions.decide_extension(actor, input.number, approve, input.reason, now)
        return _changed(order)

    @strawberry.mutation(
        description="Record the callback (the centre): satisfied closes; unsatisfied sends it back."
    )
    @returns_errors
    async def work_order_callback(
        self,
        info: Info,
        input: WorkOrderCallbackInput,  # noqa: A002
    ) -> WorkOrderCallbackResult:
        """Call back."""
        order = await actions.callback(
            require_actor(info), input.number, input.satisfaction, input.note, info.context.now
        )
        return _changed(order)

    @strawberry.mutation(description="Re-open a closed order for rework (the centre).")
    @returns_errors
    async def work_order_reopen(
        self,
        info: Info,
        input: WorkOrderReopenInput,  # noqa: A002
    ) -> WorkOrderReopenResult:
        """Reopen."""
        order = await actions.reopen(
            require_actor(info), input.number, input.reason, info.context.now
        )
        return _changed(order)

    @strawberry.mutation(description="Set the centre's limits per category (ADMIN or SUPERVISOR).")
    @returns_errors
    async def work_order_policy_set(
        self,
        info: Info,
        input: WorkOrderPolicySetInput,  # noqa: A002
    ) -> WorkOrderPolicySetResult:
        """Store the policy."""
        actor = require_actor(info)
        hall = await hall_in_scope(actor, decode_id(input.hall_id, "Hall", "hall_id"))
        limits = dict(DEFAULT_LIMITS)
        limits.update({limit.category: limit.working_days for limit in input.limits})
        wanted = Policy(
            limits=limits,
            yellow_days=input.yellow_days,
            report_after_days=input.report_after_days,
            rework_days=input.rework_days,
            max_reworks=input.max_reworks,
        )
        saved = await set_policy(actor, hall, wanted, info.context.now)
        return WorkOrderPolicySetSuccess(policy=WorkOrderPolicy.of(saved))
