"""GraphQL types of cases: the case, its applicant (masked), events, sub-tasks and suspensions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, Self, cast

import orjson
import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from models.cases import queries, rules, tables
from models.catalogue.tables import ServiceItem as ServiceItemRow
from models.catalogue.tables import Window as WindowRow
from schema.context import Info
from schema.enums import described_enum
from schema.loaders import now_or_later
from schema.naming import camel
from schema.permissions import require_actor
from schema.types.catalogue import DayUnit, Department, Hall, ItemKind, ServiceItem, Window
from schema.types.masking import (
    Exposure,
    PersonalData,
    known_names,
    mask_free_text,
    mask_id_number,
    mask_mobile,
    mask_name,
    personal,
)
from schema.types.records import Read, RecordView, column, columns_of, enum_column

CaseStatus = tables.CaseStatus
ApplicantKind = tables.ApplicantKind
Outcome = tables.Outcome
Timeliness = tables.Timeliness
AlertLevel = tables.AlertLevel
DeliveryMethod = tables.DeliveryMethod
CaseEventKind = tables.EventKind
SubtaskStatus = tables.SubtaskStatus
CaseAction = rules.Action
CaseOrder = queries.CaseOrder

described_enum(
    tables.CaseStatus,
    name="CaseStatus",
    description="Where a case stands (DOMAIN.md: accepted -> in review <-> suspended -> completed -> delivered).",
    values={
        "CORRECTION_REQUESTED": "待补正: the one written list of missing materials was issued; no clock yet.",
        "REJECTED": "不予受理: refused at intake, with written reasons.",
        "ACCEPTED": "已受理: accepted; the clock runs.",
        "IN_REVIEW": "审查中: the handling department is reviewing.",
        "SUSPENDED": "已中止: a special procedure stops the clock.",
        "COMPLETED": "已办结: decided (approved or denied).",
        "DELIVERED": "已送达: the result was handed over.",
        "WITHDRAWN": "已撤回: withdrawn by the applicant.",
        "FORWARDED": "已上报: reported upward to the deciding authority.",
    },
)
described_enum(
    tables.ApplicantKind,
    name="ApplicantKind",
    description="Who applies.",
    values={
        "PERSON": "A person, identified by the resident ID number (GB 11643).",
        "ORGANISATION": "An organisation, identified by the unified social credit code (GB 32100).",
    },
)
described_enum(
    tables.Outcome,
    name="CaseOutcome",
    description="The decision on a case or a joint sub-task.",
    values={"APPROVED": "准予.", "DENIED": "不予."},
)
described_enum(
    tables.Timeliness,
    name="Timeliness",
    description="When a case was decided relative to its due date.",
    values={
        "EARLY": "提前办结: before the due date.",
        "ON_TIME": "按期办结: on the due date.",
        "OVERDUE": "超期办结: after the due date.",
    },
)
described_enum(
    tables.AlertLevel,
    name="AlertLevel",
    description="The deadline warning a case carries.",
    values={
        "NONE": "No warning.",
        "YELLOW": "黄牌: deadline near.",
        "RED": "红牌: deadline breached.",
    },
)
described_enum(
    tables.DeliveryMethod,
    name="DeliveryMethod",
    description="How the result reaches the applicant.",
    values={
        "WINDOW": "Collected at the window.",
        "POST": "Sent by post (courier and tracking number).",
    },
)
described_enum(
    tables.EventKind,
    name="CaseEventKind",
    description="What a case event records.",
    values={
        "CORRECTION_REQUESTED": "一次性告知 issued.",
        "REJECTED": "Refused at intake.",
        "ACCEPTED": "Accepted; the clock started.",
        "BACK_ENTERED": "补录: an offline acceptance entered later by an admin, with its real time.",
        "REVIEW_STARTED": "The handling department started its review.",
        "SUSPENDED": "The clock stopped (special procedure).",
        "RESUMED": "The clock restarted; the due date moved.",
        "EXTENDED": "An approved extension moved the due date.",
        "SUBTASK_DECIDED": "A co-handling department gave its opinion.",
        "SUBTASK_LAPSED": "A co-handling department let its limit lapse (counted as agreement).",
        "COMPLETED": "Decided.",
        "DELIVERED": "The result was handed over.",
        "WITHDRAWN": "Withdrawn by the applicant.",
        "FORWARDED": "Reported upward.",
        "NEGATIVE_REPORTED": "否定报备: an investment-project refusal or denial reported to the liaison.",
        "DEADLINE_RECOMPUTED": "The due date changed because calendar data changed.",
        "UNMASKED": "A staff member viewed the applicant's full personal data (with a purpose).",
    },
)
described_enum(
    tables.SubtaskStatus,
    name="SubtaskStatus",
    description="A joint case's sub-task state.",
    values={
        "PENDING": "Waiting for the department's opinion.",
        "APPROVED": "The department agrees.",
        "DENIED": "The department disagrees.",
        "LAPSED": "超时默认: the limit passed without an opinion; counted as agreement.",
    },
)
described_enum(
    rules.Action,
    name="CaseAction",
    description="What can be done to a case next (by the state machine; your role may still forbid it).",
    values={
        "ACCEPT": "caseAccept with `correctedCase`.",
        "REJECT": "caseReject with `number`.",
        "START_REVIEW": "caseStartReview.",
        "SUSPEND": "caseSuspend.",
        "RESUME": "caseResume.",
        "EXTEND": "caseExtend.",
        "DECIDE_SUBTASK": "caseSubtaskDecide.",
        "COMPLETE": "caseComplete.",
        "DELIVER": "caseDeliver.",
        "WITHDRAW": "caseWithdraw.",
        "FORWARD": "caseForward.",
    },
)
described_enum(
    queries.CaseOrder,
    name="CaseOrder",
    description="How a case list is sorted.",
    values={
        "DUE_SOONEST": "By due date, soonest first (cases without one last).",
        "NEWEST": "Most recently received first.",
        "OLDEST": "Oldest received first.",
    },
)


@strawberry.type(
    description="The applicant as staff see it by default: masked (张*, 110105********002X, 138****1234)."
)
class Applicant:
    """Masked applicant."""

    kind: ApplicantKind = strawberry.field(description="Person or organisation.")
    name: str = strawberry.field(description="Masked name.", metadata=personal(PersonalData.NAME))
    id_number: str = strawberry.field(
        description="Masked ID number or credit code.", metadata=personal(PersonalData.ID_NUMBER)
    )
    phone: str = strawberry.field(
        description="Masked mobile phone.", metadata=personal(PersonalData.PHONE)
    )
    contact_name: str = strawberry.field(
        description="Masked contact person (organisations).", metadata=personal(PersonalData.NAME)
    )

    @classmethod
    def masked(cls, row: Mapping[str, Any]) -> Self:
        """The masked view of a case's applicant (a record of `queries.CASE_COLUMNS`)."""
        kind = ApplicantKind(row["applicant_kind"])
        contact_name = row["contact_name"]
        return cls(
            kind=kind,
            name=mask_name(row["applicant_name"], person=kind is ApplicantKind.PERSON),
            id_number=mask_id_number(row["applicant_id_number"]),
            phone=mask_mobile(row["applicant_phone"]),
            contact_name=mask_name(contact_name) if contact_name else "",
        )


@strawberry.type(
    description="The applicant's full personal data, returned only by caseUnmask (logged)."
)
class ApplicantDetails:
    """Unmasked applicant."""

    kind: ApplicantKind = strawberry.field(description="Person or organisation.")
    name: str = strawberry.field(
        description="Full name.", metadata=personal(PersonalData.NAME, Exposure.RAW)
    )
    id_number: str = strawberry.field(
        description="Full ID number or credit code.",
        metadata=personal(PersonalData.ID_NUMBER, Exposure.RAW),
    )
    phone: str = strawberry.field(
        description="Full mobile phone.", metadata=personal(PersonalData.PHONE, Exposure.RAW)
    )
    contact_name: str = strawberry.field(
        description="Contact person.", metadata=personal(PersonalData.NAME, Exposure.RAW)
    )

    @classmethod
    def from_row(cls, row: tables.Case) -> Self:
        """The full view."""
        return cls(
            kind=row.applicant_kind,
            name=row.applicant_name,
            id_number=row.applicant_id_number,
            phone=row.applicant_phone,
            contact_name=row.contact_name,
        )


@strawberry.type(description="One entry of a correction notice (一次性告知书).")
class MissingMaterial:
    """A missing material."""

    name: str = strawberry.field(description="The material.")
    requirement: str = strawberry.field(description="What exactly is required.")


@strawberry.type(description="An immutable step in a case's life.")
class CaseEvent:
    """A case event."""

    seq: int = strawberry.field(description="Position in the case's history, from 1, without gaps.")
    kind: CaseEventKind = strawberry.field(description="What happened.")
    from_status: CaseStatus | None = strawberry.field(
        description="Status before (null for the first event)."
    )
    to_status: CaseStatus = strawberry.field(description="Status after.")
    actor_name: str = strawberry.field(description="Username of who did it; `system` for jobs.")
    at: datetime = strawberry.field(description="When it was recorded.")
    remark: str = strawberry.field(
        description=(
            "Reason or remark given. ID and phone numbers written in it are masked, and so are"
            " the applicant's and contact's names."
        )
    )
    data: JSON = strawberry.field(
        description="Details by kind, e.g. {oldDue, newDue} for a moved deadline, {days} for an extension."
    )
    case_number: str = strawberry.field(description="The case's number.")

    @classmethod
    def from_row(
        cls, row: tables.CaseEvent, number: str, names: Mapping[str, str] | None = None
    ) -> Self:
        """Build from a table row (every field read now: a model may change after); `names`: the
        case's personal names to mask in the remark."""
        view = cls.from_record(_Attributes(row), number, names)
        for name in (*CASE_EVENT_FIELDS, "remark"):
            getattr(view, name)
        return view

    @classmethod
    def from_record(
        cls, row: Mapping[str, Any], number: str, names: Mapping[str, str] | None = None
    ) -> Self:
        """A view of a record of `queries.EVENT_COLUMNS` (enums as text, JSON as text or parsed);
        `names`: the case's personal names to mask in the remark.

        Each field is converted when first read (the remark masked then, the details parsed
        only when a client asks for them); the record must not change afterwards.
        """
        return cast("Self", _CaseEventOfRecord(row, number, names))


@strawberry.type(description="A co-handling department's part of a joint case (并联审批).")
class CaseSubtask:
    """A joint sub-task."""

    limit_days: int = strawberry.field(
        description="The department's own limit, in the case's unit."
    )
    due_on: date | None = strawberry.field(description="Its due date.")
    due_provisional: bool = strawberry.field(
        description="Whether the due date rests on a provisional calendar year."
    )
    status: SubtaskStatus = strawberry.field(
        description="Pending, decided, or lapsed (counted as agreement)."
    )
    decided_at: datetime | None = strawberry.field(description="When it was decided or lapsed.")
    remark: str = strawberry.field(
        description=(
            "The department's opinion. ID and phone numbers written in it are masked, and so are"
            " the applicant's and contact's names."
        )
    )
    department_id: strawberry.Private[int]

    @strawberry.field(description="The co-handling department.")
    async def department(self, info: Info) -> Department:
        """The department."""
        row = await info.context.loaders.department.load(self.department_id)
        assert row is not None  # noqa: S101  (foreign key)
        return Department.from_row(row)


@strawberry.type(description="A suspension (特别程序): the clock stood still from start to end.")
class CaseSuspension:
    """A pause of the clock."""

    reason: str = strawberry.field(
        description=(
            "Why. ID and phone numbers written in it are masked, and so are the applicant's and"
            " contact's names."
        )
    )
    started_on: date = strawberry.field(description="First day of the suspension.")
    ended_on: date | None = strawberry.field(description="Day it ended; null while it lasts.")


@strawberry.type(description="How the result was handed over.")
class CaseDelivery:
    """Delivery details."""

    method: DeliveryMethod = strawberry.field(description="At the window or by post.")
    courier: str = strawberry.field(description="Courier company (post).")
    tracking_number: str = strawberry.field(description="Tracking number (post).")
    delivered_at: datetime = strawberry.field(description="When.")


@strawberry.type(name="Case", description="One application (办件) from intake to result.")
class Case(relay.Node):
    """A case."""

    id: relay.NodeID[int]
    number: str = strawberry.field(description="Unique readable number: hall code, date, sequence.")
    status: CaseStatus = strawberry.field(description="Where the case stands.")
    kind: ItemKind = strawberry.field(description="The item's kind as of acceptance.")
    day_unit: DayUnit = strawberry.field(description="Unit of the limits as of acceptance.")
    limit_days: int = strawberry.field(description="Promised limit as of acceptance.")
    legal_limit_days: int = strawberry.field(description="Legal limit as of acceptance.")
    investment_project: bool = strawberry.field(
        description="Whether the item is an investment-project item."
    )
    applicant: Applicant = strawberry.field(
        description="The applicant, masked (caseUnmask reveals it, logged)."
    )
    received_at: datetime = strawberry.field(description="When the application was handed in.")
    accepted_at: datetime | None = strawberry.field(
        description="When it was accepted; null before."
    )
    accepted_on: date | None = strawberry.field(
        description="Acceptance date in the hall's time zone (not counted)."
    )
    back_entered: bool = strawberry.field(
        description="Whether an admin back-entered the acceptance (补录)."
    )
    missing_materials: list[MissingMaterial] = strawberry.field(
        description="The correction notice's list."
    )
    extension_days: int = strawberry.field(description="Approved extension days so far.")
    suspended_since: date | None = strawberry.field(
        description="First day of the running suspension."
    )
    due_on: date | None = strawberry.field(
        description="Due date: overdue once this day ends in the hall's time zone."
    )
    due_provisional: bool = strawberry.field(
        description="The due date rests on a PROVISIONAL calendar year and may move when its notice is loaded."
    )
    alert_level: AlertLevel = strawberry.field(description="The current deadline warning.")
    decided_at: datetime | None = strawberry.field(description="When it was decided.")
    decided_on: date | None = strawberry.field(description="Decision date in the hall's time zone.")
    outcome: Outcome | None = strawberry.field(description="Approved or denied.")
    timeliness: Timeliness | None = strawberry.field(description="Early, on time or overdue.")
    decision_note: str = strawberry.field(
        description=(
            "Decision remarks (the reasons of a denial). ID and phone numbers written in it are"
            " masked, and so are the applicant's and contact's names."
        )
    )
    delivery: CaseDelivery | None = strawberry.field(description="How the result was handed over.")
    forwarded_to: str = strawberry.field(description="The authority it was reported to.")
    negative_reported_at: datetime | None = strawberry.field(
        description="When a refusal or denial was reported to the investment-project liaison (否定报备)."
    )
    closed_at: datetime | None = strawberry.field(description="When the case left the open states.")
    ticket_id: strawberry.Private[int | None]
    allowed_actions: list[CaseAction] = strawberry.field(
        description="What the state machine allows next (your role may still forbid some)."
    )
    hall_id: strawberry.Private[int]
    department_id: strawberry.Private[int]
    item_id: strawberry.Private[int]
    item_version_id: strawberry.Private[int]
    window_id: strawberry.Private[int | None]
    row_id: strawberry.Private[int]
    # The applicant's and contact's names with their masked forms, masked in free text too.
    personal_names: strawberry.Private[dict[str, str]]

    @classmethod
    def from_row(cls, row: tables.Case) -> Self:
        """Build from a table row (every field read now: a model may change after)."""
        view = cls.from_record(_Attributes(row))
        for name in CASE_FIELDS:
            getattr(view, name)
        return view

    @classmethod
    def from_record(cls, row: Mapping[str, Any]) -> Self:
        """A view of a record of `queries.CASE_COLUMNS` (enums as text, JSON as text or parsed).

        Each field is converted from the record when it is first read: a list of fifty cases
        that shows five fields does not build fifty applicants, correction lists and action
        lists nobody asked for. The record must not change afterwards (driver records do not).
        """
        return cast("Self", _CaseOfRecord(row))

    @classmethod
    def listed(
        cls,
        row: Mapping[str, Any],
        items: Mapping[int, ServiceItem],
        windows: Mapping[int, Window],
    ) -> Self:
        """A view of a list's record (`from_record`) with its item's and window's views, read
        with the list's page for the fields the list shows (none: the record's keys are not
        looked up); `item` and `window` answer them and no other field sees them."""
        view = _CaseOfRecord(row)
        if items:
            view.listed_item = items.get(row["item_id"])
        if windows:
            window_id = row["window_id"]
            if window_id is not None:
                view.listed_window = windows.get(window_id)
        return cast("Self", view)

    @strawberry.field(description="The receiving hall.")
    async def hall(self, info: Info) -> Hall:
        """Receiving hall."""
        row = await info.context.loaders.hall.load(self.hall_id)
        assert row is not None  # noqa: S101  (foreign key)
        return Hall.from_row(row)

    @strawberry.field(description="The window that received the application; null when unknown.")
    def window(self, info: Info) -> Window | None:
        """Receiving window: at once when the list preloaded it, else awaited."""
        if self.window_id is None:
            return None
        return now_or_later(info.context.loaders.window, self.window_id, window_of)  # type: ignore[return-value]

    @strawberry.field(description="The handling department (may belong to another hall: 全市通办).")
    async def department(self, info: Info) -> Department:
        """Handling department."""
        row = await info.context.loaders.department.load(self.department_id)
        assert row is not None  # noqa: S101  (foreign key)
        return Department.from_row(row)

    @strawberry.field(
        description="The service item (its current elements; the case keeps `itemVersion`)."
    )
    def item(self, info: Info) -> ServiceItem:
        """The item: at once when the list preloaded it, else awaited (graphql-core awaits it)."""
        return now_or_later(info.context.loaders.item, self.item_id, service_item_of)  # type: ignore[return-value]

    @strawberry.field(description="The queue ticket the case came from, if linked.")
    async def ticket_number(self) -> str | None:
        """The ticket's number (e.g. A023) for the trace ticket -> case."""
        if self.ticket_id is None:
            return None
        from models.queue.tables import Ticket  # noqa: PLC0415

        ticket = await Ticket.get_or_none(id=self.ticket_id).only("number")
        return ticket.number if ticket else None

    @strawberry.field(description="The number of the item version whose rules the case keeps.")
    async def item_version(self, info: Info) -> int:
        """The item version number as of acceptance."""
        row = await info.context.loaders.item_version.load(self.item_version_id)
        assert row is not None  # noqa: S101  (foreign key)
        return row.version

    @strawberry.field(description="Every event in order: who, when, from, to, remark.")
    async def events(self, info: Info) -> list[CaseEvent]:
        """The case's history."""
        return events_of(self, await info.context.loaders.case_events.load(self.row_id))

    @strawberry.field(description="A joint case's sub-tasks, one per co-handling department.")
    async def subtasks(self, info: Info) -> list[CaseSubtask]:
        """Joint sub-tasks."""
        rows = await info.context.loaders.case_subtasks.load(self.row_id)
        return [
            CaseSubtask(
                limit_days=r.limit_days,
                due_on=r.due_on,
                due_provisional=r.due_provisional,
                status=r.status,
                decided_at=r.decided_at,
                remark=mask_free_text(r.remark, self.personal_names),
                department_id=r.department_id,
            )
            for r in rows
        ]

    @strawberry.field(description="Suspensions, oldest first.")
    async def suspensions(self, info: Info) -> list[CaseSuspension]:
        """The clock's pauses."""
        rows = await info.context.loaders.case_pauses.load(self.row_id)
        return [
            CaseSuspension(
                reason=mask_free_text(r.reason, self.personal_names),
                started_on=r.started_on,
                ended_on=r.ended_on,
            )
            for r in rows
        ]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        """Cases by id within the caller's scope."""
        actor = require_actor(info)
        ids = [int(i) for i in node_ids if i.isdigit()]
        visible = await queries.cases_visible(actor, queries.CaseFilter())
        rows = {c.id: c for c in await visible.filter(id__in=ids)}
        return [
            cls.from_row(rows[int(i)]) if i.isdigit() and int(i) in rows else None for i in node_ids
        ]


def events_of(case: Case, rows: Iterable[Mapping[str, Any]]) -> list[CaseEvent]:
    """Views of a case's event records (`queries.EVENT_COLUMNS`), names in remarks masked."""
    number = case.number
    names = case.personal_names
    return [CaseEvent.from_record(row, number, names) for row in rows]


def service_item_of(row: ServiceItemRow | None) -> ServiceItem:
    assert row is not None  # noqa: S101  (foreign key)
    return ServiceItem.from_row(row)


def window_of(row: WindowRow | None) -> Window | None:
    return Window.from_row(row) if row is not None else None


class _Attributes(Mapping[str, Any]):
    """A model instance read as a record (its attributes by name)."""

    def __init__(self, row: object) -> None:
        self._row = row

    def __getitem__(self, name: str) -> Any:
        return getattr(self._row, name)

    def __iter__(self) -> Iterator[str]:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError


def _delivery(row: Mapping[str, Any]) -> CaseDelivery | None:
    if row["delivery_method"] is None or row["delivered_at"] is None:
        return None
    return CaseDelivery(
        method=DeliveryMethod(row["delivery_method"]),
        courier=row["courier"],
        tracking_number=row["tracking_number"],
        delivered_at=row["delivered_at"],
    )


def _missing_materials(row: Mapping[str, Any]) -> list[MissingMaterial]:
    missing = row["missing_materials"]
    if isinstance(missing, str):
        missing = orjson.loads(missing)
    return [MissingMaterial(name=m["name"], requirement=m.get("requirement", "")) for m in missing]


def _personal_names(row: Mapping[str, Any]) -> dict[str, str]:
    """The applicant's name (a person's or an organisation's) and the contact's, with masks."""
    person = ApplicantKind(row["applicant_kind"]) is ApplicantKind.PERSON
    return known_names((row["applicant_name"], person), (row["contact_name"], True))


def case_personal_names(case: tables.Case) -> dict[str, str]:
    """The personal names of a stored case, to mask in its free text."""
    return _personal_names(_Attributes(case))


# Fields of a Case view that are their column's value as the driver returns it.
_PLAIN_FIELDS = (
    "id", "number", "limit_days", "legal_limit_days", "item_version_id", "investment_project",
    "received_at", "accepted_at", "accepted_on", "back_entered", "extension_days",
    "suspended_since", "due_on", "due_provisional", "decided_at", "decided_on",
    "forwarded_to", "negative_reported_at", "closed_at", "ticket_id", "hall_id", "department_id",
    "item_id", "window_id",
)  # fmt: skip

# How each field of a Case view is read from its record (every data field of the type).
CASE_FIELDS: dict[str, Read] = {
    **{name: column(name) for name in _PLAIN_FIELDS},
    "row_id": column("id"),
    "status": enum_column(CaseStatus, "status"),
    "kind": enum_column(ItemKind, "kind"),
    "day_unit": enum_column(DayUnit, "day_unit"),
    "alert_level": enum_column(AlertLevel, "alert_level"),
    "outcome": enum_column(Outcome, "outcome"),
    "timeliness": enum_column(Timeliness, "timeliness"),
    "applicant": Applicant.masked,
    "missing_materials": _missing_materials,
    "delivery": _delivery,
    "allowed_actions": lambda row: rules.allowed_actions(CaseStatus(row["status"])),
    "personal_names": _personal_names,
    "decision_note": lambda row: mask_free_text(row["decision_note"], _personal_names(row)),
}


# The personal names a case's free text is masked with (`_personal_names`).
_NAME_COLUMNS = ("applicant_kind", "applicant_name", "contact_name")

# The columns (of CASE_COLUMNS) each field of the GraphQL Case type reads, by its GraphQL name:
# a data field its reader's, a resolver the private fields it uses. A list selects no others.
CASE_FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "__typename": (),
    **{camel(name): (name,) for name in _PLAIN_FIELDS},
    **{
        camel(name): (name,)
        for name in ("status", "kind", "day_unit", "alert_level", "outcome", "timeliness")
    },
    "applicant": (
        "applicant_kind", "applicant_name", "applicant_id_number", "applicant_phone",
        "contact_name",
    ),
    "missingMaterials": ("missing_materials",),
    "delivery": ("delivery_method", "courier", "tracking_number", "delivered_at"),
    "allowedActions": ("status",),
    "decisionNote": ("decision_note", *_NAME_COLUMNS),
    "hall": ("hall_id",),
    "department": ("department_id",),
    "item": ("item_id",),
    "window": ("window_id",),
    "itemVersion": ("item_version_id",),
    "ticketNumber": ("ticket_id",),
    "events": ("id", "number", *_NAME_COLUMNS),
    "subtasks": ("id", *_NAME_COLUMNS),
    "suspensions": ("id", *_NAME_COLUMNS),
}  # fmt: skip


def case_columns(names: Iterable[str], *also: str) -> tuple[str, ...]:
    """The columns a case view needs for the Case fields `names` (with the id and `also`), in
    CASE_COLUMNS order; all of CASE_COLUMNS when a name is not a known field."""
    needed = columns_of(CASE_FIELD_COLUMNS, names, "id", *also)
    if needed is None:
        return queries.CASE_COLUMNS
    return tuple(c for c in queries.CASE_COLUMNS if c in needed)


class _CaseOfRecord(RecordView, Case):
    """A Case over a record (see schema.types.records)."""

    FIELDS = CASE_FIELDS
    # The item and window views a list read with its page (`Case.listed`); None: not read.
    listed_item: ServiceItem | None = None
    listed_window: Window | None = None


def _event_data(row: Mapping[str, Any]) -> JSON:
    """An event's details with camelCase keys (the column as text or parsed)."""
    data = row["data"]
    if isinstance(data, str):
        data = orjson.loads(data)
    return cast("JSON", {camel(k): v for k, v in data.items()})


# How each field of a CaseEvent view read from its record alone is converted (the remark also
# needs the case's names, and the case number is given: see _CaseEventOfRecord).
CASE_EVENT_FIELDS: dict[str, Read] = {
    "seq": column("seq"),
    "kind": enum_column(CaseEventKind, "kind"),
    "from_status": enum_column(CaseStatus, "from_status"),
    "to_status": enum_column(CaseStatus, "to_status"),
    "actor_name": column("actor_name"),
    "at": column("at"),
    "data": _event_data,
}


class _MaskedRemark:
    """A view's remark: its column masked with the view's personal names on first read, then kept
    (a non-data descriptor, as the record views' other fields)."""

    __slots__ = ()

    def __get__(self, view: Any, owner: type | None = None) -> Any:
        if view is None:
            return self
        kept = view.__dict__
        value = mask_free_text(kept["_record"]["remark"], kept["_names"])
        kept["remark"] = value
        return value


class _CaseEventOfRecord(RecordView, CaseEvent):
    """A CaseEvent over a record, its case's number and personal names (schema.types.records)."""

    FIELDS = CASE_EVENT_FIELDS
    remark = _MaskedRemark()

    def __init__(
        self, row: Mapping[str, Any], number: str, names: Mapping[str, str] | None
    ) -> None:
        kept = self.__dict__
        kept["_record"] = row
        kept["case_number"] = number
        kept["_names"] = names
