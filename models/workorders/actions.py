"""The closed loop of a work order; each move locks the order and appends one immutable event.

Operators of the hotline centre (HOTLINE), supervisors and administrators take calls, dispatch,
decide extensions and call back; the lead department's chief representative and clerks sign,
return and reply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from tortoise import connections
from tortoise.transactions import in_transaction

from models.accounts.tables import Role
from models.calendar.queries import hall_calendar
from models.cases.deadlines import local_date
from models.cases.tables import AlertLevel
from models.catalogue.tables import Department, Hall
from models.common.actor import Actor
from models.common.checks import Checks
from models.common.errors import Forbidden, IllegalState, NotFound
from models.workorders.policy import policy_for
from models.workorders.rules import (
    MAX_EXTENSION,
    PHONE,
    RUNNING,
    Step,
    clock,
    next_status,
    order_number,
)
from models.workorders.tables import (
    ExtensionState,
    Satisfaction,
    WorkOrder,
    WorkOrderCategory,
    WorkOrderEvent,
    WorkOrderSource,
    WorkOrderStatus,
)

WORK_ORDER_CHANNEL = "work_order_event"
CENTRE_ROLES = frozenset({Role.HOTLINE, Role.SUPERVISOR, Role.ADMIN})
HANDLER_ROLES = frozenset({Role.CHIEF_REP, Role.CLERK})


async def record(  # noqa: PLR0917  (one call shape for every move)
    order: WorkOrder,
    kind: str,
    actor: Actor | None,
    now: datetime,
    from_status: WorkOrderStatus | None,
    note: str = "",
    data: Mapping[str, object] | None = None,
) -> WorkOrderEvent:
    """Append an event to a locked order and wake its subscribers at commit."""
    order.event_count += 1
    order.updated_at = now
    await order.save()
    event = await WorkOrderEvent.create(
        order_id=order.id,
        seq=order.event_count,
        kind=kind,
        from_status=from_status,
        to_status=order.status,
        department_id=order.department_id,
        actor_id=actor.user_id if actor and actor.user_id else None,
        actor_name=actor.username if actor else "system",
        at=now,
        note=note.strip(),
        data=dict(data or {}),
    )
    await connections.get("default").execute_query(
        "SELECT pg_notify($1, $2)", [WORK_ORDER_CHANNEL, f"{order.id}:{event.seq}"]
    )
    return event


def require_centre(actor: Actor) -> None:
    """The hotline centre's moves."""
    if actor.role not in CENTRE_ROLES:
        raise Forbidden("只有12345热线工作人员、督查人员或管理员可以办理此操作")


def require_lead(actor: Actor, order: WorkOrder) -> None:
    """The lead department's moves (an administrator may act for it)."""
    if actor.role is Role.ADMIN:
        return
    if actor.role not in HANDLER_ROLES or actor.department_id != order.department_id:
        raise Forbidden("只有承办部门可以办理此操作")


async def order_for(actor: Actor, number: str, *, lock: bool = False) -> tuple[WorkOrder, Hall]:
    """An order the actor may see (locked when asked), or NotFound."""
    query = WorkOrder.select_for_update() if lock else WorkOrder.all()
    order = await query.get_or_none(number=number.strip()[:32])
    hall = await Hall.get_or_none(id=order.hall_id) if order else None
    if order is None or hall is None or not actor.sees(hall.path) or not visible(actor, order):
        raise NotFound("工单", number.strip()[:32])
    return order, hall


def visible(actor: Actor, order: WorkOrder) -> bool:
    """Centre staff see every order of their scope; departments theirs (lead or co-handler)."""
    if actor.role in CENTRE_ROLES:
        return True
    if actor.role in HANDLER_ROLES and actor.department_id is not None:
        return actor.department_id == order.department_id or (
            actor.department_id in order.co_department_ids
        )
    return False


@dataclass(frozen=True)
class Call:
    """What the operator takes down."""

    hall_id: int
    category: WorkOrderCategory
    caller_name: str
    caller_phone: str
    content: str
    source: WorkOrderSource = WorkOrderSource.HOTLINE
    location: str = ""
    district: str = ""
    attachments: list[dict[str, str]] = field(default_factory=list)
    duplicate_of: str | None = None


def _check_call(checks: Checks, call: Call) -> None:
    checks.text("caller_name", call.caller_name, "来电人", max_len=50)
    if not PHONE.fullmatch(call.caller_phone.strip()):
        checks.fail("caller_phone", "INVALID_FORMAT", "来电号码格式不正确")
    checks.text("content", call.content, "诉求内容", min_len=5, max_len=2000)
    checks.text("location", call.location, "地点", min_len=0, max_len=200)
    checks.text("district", call.district, "区划代码", min_len=0, max_len=12, pattern=r"[0-9]*")
    if len(call.attachments) > 20:
        checks.fail("attachments", "TOO_MANY", "附件最多20个")
    for index, attachment in enumerate(call.attachments):
        checks.text(
            ("attachments", index, "name"), attachment.get("name", ""), "附件名", max_len=100
        )
        checks.text(
            ("attachments", index, "ref"),
            attachment.get("ref", ""),
            "附件引用",
            max_len=500,
            pattern=r"(https?://|oss://|file:)\S+",
            pattern_hint="须为 http(s)://、oss:// 或 file: 引用",
        )


async def _next_number(hall: Hall, now: datetime) -> str:
    day = local_date(now, hall.timezone)
    rows = await connections.get("default").execute_query_dict(
        "INSERT INTO work_order_counter (hall_id, day, last_number) VALUES ($1, $2, 1) "
        "ON CONFLICT (hall_id, day) DO UPDATE "
        "SET last_number = work_order_counter.last_number + 1 RETURNING last_number",
        [hall.id, day],
    )
    return order_number(hall.code, day, int(rows[0]["last_number"]))


async def create(actor: Actor, call: Call, now: datetime) -> WorkOrder:
    """Take a call down; a duplicate of an open order is merged into it and not counted again."""
    require_centre(actor)
    hall = await Hall.get_or_none(id=call.hall_id)
    if hall is None or not actor.sees(hall.path):
        raise NotFound("大厅", str(call.hall_id))
    checks = Checks()
    _check_call(checks, call)
    checks.raise_if_any()
    number = await _next_number(hall, now)
    async with in_transaction():
        master = None
        if call.duplicate_of:
            master, _ = await order_for(actor, call.duplicate_of, lock=True)
            if master.hall_id != hall.id or master.duplicate_of_id is not None:
                raise IllegalState(
                    "只能合并到本中心的原始工单",
                    code="NOT_MERGEABLE",
                    current_state=master.status.value,
                )
        order = await WorkOrder.create(
            number=number,
            hall_id=hall.id,
            category=call.category,
            source=call.source,
            status=WorkOrderStatus.MERGED if master else WorkOrderStatus.RECEIVED,
            caller_name=call.caller_name.strip(),
            caller_phone=call.caller_phone.strip(),
            location=call.location.strip(),
            district=call.district.strip(),
            content=call.content.strip(),
            attachments=[
                {"name": a["name"].strip(), "ref": a["ref"].strip()} for a in call.attachments
            ],
            received_at=now,
            received_on=local_date(now, hall.timezone),
            received_by_id=actor.user_id or None,
            duplicate_of_id=master.id if master else None,
            counted=master is None,
            updated_at=now,
        )
        await record(
            order,
            Step.CREATE.value,
            actor,
            now,
            None,
            data={"merged_into": master.number} if master else None,
        )
        if master is not None:
            master.repeat_count += 1
            await record(
                master,
                "REPEAT_CALL",
                actor,
                now,
                master.status,
                call.content,
                {"order": order.number},
            )
    return order


async def _start_clock(order: WorkOrder, hall: Hall, start_days: int | None, now: datetime) -> None:
    """Due date from today: the category's limit (or the rework days) plus any extension."""
    policy = await policy_for(hall.id)
    calendar = await hall_calendar(hall)
    today = local_date(now, hall.timezone)
    limit = start_days if start_days is not None else policy.limit(order.category)
    computed = clock(calendar, today, limit, order.extension_days, policy.yellow_days)
    order.due_on, order.yellow_on = computed.due_on, computed.yellow_on
    order.alert_level = AlertLevel.NONE
    order.urged_at = None
    order.reported_at = None


async def _send_back(order: WorkOrder, hall: Hall, days: int, now: datetime) -> None:
    """Rework (重办): the same department, signed again, a fresh clock of `days` from today."""
    order.reworks += 1
    order.extension_days = 0
    order.dispatched_on = local_date(now, hall.timezone)
    order.signed_at = order.replied_at = order.replied_on = None
    order.on_time = None
    await _start_clock(order, hall, days, now)


async def dispatch(  # noqa: PLR0917  (the dispatch form's fields)
    actor: Actor,
    number: str,
    department_id: int,
    co_department_ids: list[int],
    note: str,
    now: datetime,
) -> WorkOrder:
    """Send an order to its lead department (and co-handlers); the clock starts today."""
    require_centre(actor)
    async with in_transaction():
        order, hall = await order_for(actor, number, lock=True)
        previous = order.status
        order.status = next_status(Step.DISPATCH, order.status)
        checks = Checks()
        ids = [department_id, *co_department_ids]
        rows = await Department.filter(id__in=ids, hall_id=hall.id).values("id")
        known = {int(r["id"]) for r in rows}
        if department_id not in known:
            checks.fail("department_id", "NOT_FOUND", "承办部门不属于本中心")
        for index, co in enumerate(co_department_ids):
            if co not in known or co == department_id:
                checks.fail(("co_department_ids", index), "INVALID", "协办部门须为本中心的其他部门")
        checks.text("note", note, "派单意见", min_len=0, max_len=500)
        checks.raise_if_any()
        order.department_id = department_id
        order.co_department_ids = sorted(set(co_department_ids))
        order.dispatched_at = now
        order.dispatched_on = local_date(now, hall.timezone)
        order.extension_days = 0
        order.extension_state = ExtensionState.NONE
        await _start_clock(order, hall, None, now)
        data = {"department_id": department_id, "co_department_ids": order.co_department_ids}
        await record(order, Step.DISPATCH.value, actor, now, previous, note, data)
    return order


async def sign(actor: Actor, number: str, now: datetime) -> WorkOrder:
    """The lead department signs for the order (签收)."""
    async with in_transaction():
        order, _ = await order_for(actor, number, lock=True)
        require_lead(actor, order)
        previous = order.status
        order.status = next_status(Step.SIGN, order.status)
        order.signed_at = now
        await record(order, Step.SIGN.value, actor, now, previous)
    return order


async def return_order(actor: Actor, number: str, reason: str, now: datetime) -> WorkOrder:
    """A wrongly assigned order goes back to the centre with the reason (退单)."""
    checks = Checks()
    checks.text("reason", reason, "退单理由", min_len=5, max_len=500)
    checks.raise_if_any()
    async with in_transaction():
        order, _ = await order_for(actor, number, lock=True)
        require_lead(actor, order)
        previous = order.status
        order.status = next_status(Step.RETURN, order.status)
        department = order.department_id
        order.returns += 1
        await record(
            order, Step.RETURN.value, actor, now, previous, reason, {"department_id": department}
        )
        order.department_id = None
        order.co_department_ids = []
        order.due_on = order.yellow_on = None
        order.alert_level = AlertLevel.NONE
        await order.save()
    return order


async def reply(actor: Actor, number: str, text: str, now: datetime) -> WorkOrder:
    """The lead department's answer after handling; on time when by the (extended) due date."""
    checks = Checks()
    checks.text("reply", text, "办理结果", min_len=5, max_len=2000)
    checks.raise_if_any()
    async with in_transaction():
        order, hall = await order_for(actor, number, lock=True)
        require_lead(actor, order)
        previous = order.status
        order.status = next_status(Step.REPLY, order.status)
        order.replied_at = now
        order.replied_on = local_date(now, hall.timezone)
        order.reply = text.strip()
        order.on_time = order.due_on is not None and order.replied_on <= order.due_on
        order.extension_state = ExtensionState.NONE
        await record(
            order, Step.REPLY.value, actor, now, previous, text, {"on_time": order.on_time}
        )
    return order


async def request_extension(
    actor: Actor, number: str, days: int, reason: str, now: datetime
) -> WorkOrder:
    """The lead department asks the centre for more working days (one request at a time)."""
    checks = Checks()
    checks.int_range("days", days, "延期天数", 1, MAX_EXTENSION)
    checks.text("reason", reason, "延期理由", min_len=5, max_len=500)
    checks.raise_if_any()
    async with in_transaction():
        order, _ = await order_for(actor, number, lock=True)
        require_lead(actor, order)
        if order.status not in RUNNING or order.extension_state is ExtensionState.REQUESTED:
            raise IllegalState(
                "工单不在办理中，或已有待审批的延期申请",
                code="EXTENSION_STATE",
                current_state=order.status.value,
            )
        order.extension_state = ExtensionState.REQUESTED
        order.extension_request_days = days
        await record(order, "EXTENSION_REQUESTED", actor, now, order.status, reason, {"days": days})
    return order


async def decide_extension(
    actor: Actor, number: str, approve: bool, note: str, now: datetime
) -> WorkOrder:
    """The centre approves (the deadline moves, cards are reviewed by the next scan) or denies."""
    require_centre(actor)
    checks = Checks()
    checks.text("reason", note, "审批意见", min_len=0 if approve else 1, max_len=500)
    checks.raise_if_any()
    async with in_transaction():
        order, hall = await order_for(actor, number, lock=True)
        if order.extension_state is not ExtensionState.REQUESTED or order.status not in RUNNING:
            raise IllegalState(
                "没有待审批的延期申请",
                code="NO_EXTENSION_REQUEST",
                current_state=order.status.value,
            )
        days = order.extension_request_days
        order.extension_state = ExtensionState.NONE
        order.extension_request_days = 0
        if approve:
            order.extension_days += days
            policy = await policy_for(hall.id)
            calendar = await hall_calendar(hall)
            assert order.dispatched_on is not None  # noqa: S101  (running orders were dispatched)
            limit = policy.limit(order.category) if not order.reworks else policy.rework_days
            computed = clock(
                calendar, order.dispatched_on, limit, order.extension_days, policy.yellow_days
            )
            order.due_on, order.yellow_on = computed.due_on, computed.yellow_on
            today = local_date(now, hall.timezone)
            if order.due_on >= today:
                order.alert_level = AlertLevel.NONE  # back in range: the cards are withdrawn
                order.urged_at = order.reported_at = None
        kind = "EXTENSION_APPROVED" if approve else "EXTENSION_DENIED"
        await record(
            order, kind, actor, now, order.status, note, {"days": days, "due_on": str(order.due_on)}
        )
    return order


async def callback(
    actor: Actor, number: str, satisfaction: Satisfaction, note: str, now: datetime
) -> WorkOrder:
    """The centre calls the citizen back (回访); unsatisfied sends it back for rework (重办)
    until the policy's rework limit, then it closes unsatisfied."""
    require_centre(actor)
    checks = Checks()
    checks.text("note", note, "回访记录", min_len=0, max_len=500)
    checks.raise_if_any()
    async with in_transaction():
        order, hall = await order_for(actor, number, lock=True)
        previous = order.status
        next_status(Step.CLOSE, order.status)
        policy = await policy_for(hall.id)
        order.satisfaction = satisfaction
        order.callback_at = now
        data = {"satisfaction": satisfaction.value}
        await record(order, Step.CALLBACK.value, actor, now, previous, note, data)
        if satisfaction is Satisfaction.UNSATISFIED and order.reworks < policy.max_reworks:
            order.status = next_status(Step.REWORK, order.status)
            await _send_back(order, hall, policy.rework_days, now)
            await record(
                order, Step.REWORK.value, actor, now, previous, note, {"due_on": str(order.due_on)}
            )
        else:
            order.status = next_status(Step.CLOSE, order.status)
            order.closed_at = now
            order.closed_on = local_date(now, hall.timezone)
            await record(order, Step.CLOSE.value, actor, now, previous, "", data)
    return order


async def reopen(actor: Actor, number: str, reason: str, now: datetime) -> WorkOrder:
    """The centre re-opens a closed order for rework (the citizen calls back, a check finds it
    unresolved): the last lead department, a new deadline."""
    require_centre(actor)
    checks = Checks()
    checks.text("reason", reason, "重办理由", min_len=5, max_len=500)
    checks.raise_if_any()
    async with in_transaction():
        order, hall = await order_for(actor, number, lock=True)
        previous = order.status
        order.status = next_status(Step.REOPEN, order.status)
        if order.department_id is None:
            raise IllegalState(
                "工单没有承办部门", code="NO_DEPARTMENT", current_state=previous.value
            )
        policy = await policy_for(hall.id)
        order.closed_at = order.closed_on = None
        order.satisfaction = None  # type: ignore[assignment]
        await _send_back(order, hall, policy.rework_days, now)
        await record(
            order, Step.REOPEN.value, actor, now, previous, reason, {"due_on": str(order.due_on)}
        )
    return order
