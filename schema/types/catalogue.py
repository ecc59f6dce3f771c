"""GraphQL types of the catalogue: halls, departments, service items, lanes, windows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Self, cast

import strawberry
from strawberry import relay

from models.calendar.queries import closures_between, hall_hours
from models.catalogue import queries, rules, tables
from schema.context import Info
from schema.enums import described_enum
from schema.naming import camel
from schema.permissions import require_actor
from schema.types.accounts import User
from schema.types.calendar import HallClosure, OpeningHours
from schema.types.records import Read, RecordView, column, enum_column, json_column

HallLevel = tables.HallLevel
ItemKind = tables.ItemKind
DayUnit = tables.DayUnit
ItemStatus = tables.ItemStatus
WindowKind = tables.WindowKind
WindowState = tables.WindowState
MaterialForm = rules.MaterialForm

described_enum(
    tables.HallLevel,
    name="HallLevel",
    description="A hall's level in the tree CITY > COUNTY > TOWN > VILLAGE.",
    values={
        "CITY": "市级政务服务中心.",
        "COUNTY": "县（区）级政务服务中心.",
        "TOWN": "乡镇（街道）便民服务中心.",
        "VILLAGE": "村（社区）便民服务站.",
    },
)
described_enum(
    tables.ItemKind,
    name="ItemKind",
    description="How an item is handled.",
    values={
        "IMMEDIATE": "即办件: finished on the spot, the same day.",
        "PROMISED": "承诺件: finished within the promised number of days.",
        "JOINT": "联办件: several departments approve in parallel.",
        "REPORTED": "上报件: forwarded to a higher authority for the decision.",
    },
)
described_enum(
    tables.DayUnit,
    name="DayUnit",
    description="The unit a time limit is counted in.",
    values={"WORKING": "工作日 (official calendar).", "NATURAL": "自然日."},
)
described_enum(
    tables.ItemStatus,
    name="ItemStatus",
    description="Whether an item is published.",
    values={
        "LISTED": "上架: published and accepting applications.",
        "DELISTED": "下架: withdrawn.",
    },
)
described_enum(
    tables.WindowKind,
    name="WindowKind",
    description="What lanes a window serves.",
    values={"GENERAL": "综合窗口: serves every lane.", "DEDICATED": "专窗: serves only its lanes."},
)
described_enum(
    tables.WindowState,
    name="WindowState",
    description="Whether a window is staffed and calling.",
    values={
        "CLOSED": "Not staffed.",
        "OPEN": "Staffed and calling numbers.",
        "PAUSED": "Staffed but not calling (a break).",
    },
)


described_enum(
    rules.MaterialForm,
    name="MaterialForm",
    description="The form a material is handed in.",
    values={"ORIGINAL": "原件.", "COPY": "复印件.", "ORIGINAL_AND_COPY": "原件及复印件."},
)


def _resolve(cls: Any, rows: dict[int, Any], node_ids: Iterable[str]) -> list[Any]:
    return [
        cls.from_row(rows[int(i)]) if i.isdigit() and int(i) in rows else None for i in node_ids
    ]


def _ids(node_ids: Iterable[str]) -> list[int]:
    return [int(i) for i in node_ids if i.isdigit()]


@strawberry.type(name="Hall", description="A service centre (政务服务中心); halls form a tree.")
class Hall(relay.Node):
    """A hall."""

    id: relay.NodeID[int]
    code: str = strawberry.field(description="The hall's unique code.")
    name: str = strawberry.field(description="The hall's name.")
    level: HallLevel = strawberry.field(description="CITY, COUNTY, TOWN or VILLAGE.")
    region: str = strawberry.field(description="Administrative division code (GB/T 2260).")
    timezone: str = strawberry.field(description="IANA time zone of the hall's clock.")
    address: str = strawberry.field(description="Street address.")
    phone: str = strawberry.field(description="Public phone number.")
    created_at: datetime = strawberry.field(description="When the hall was created.")
    parent_id: strawberry.Private[int | None]
    path: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: tables.Hall) -> Self:
        """Build from a table row."""
        return cls(
            id=row.id,
            code=row.code,
            name=row.name,
            level=row.level,
            region=row.region,
            timezone=row.timezone,
            address=row.address,
            phone=row.phone,
            created_at=row.created_at,
            parent_id=row.parent_id,
            path=row.path,
        )

    @strawberry.field(description="When the hall serves: working-day and Saturday sessions.")
    async def opening_hours(self) -> OpeningHours:
        """Opening hours (defaults until set)."""
        return OpeningHours.of(await hall_hours(self.id))

    @strawberry.field(description="Local closures between two dates (inclusive).")
    async def closures(
        self,
        start: Annotated[date, strawberry.argument(name="from", description="First day.")],
        end: Annotated[date, strawberry.argument(name="to", description="Last day.")],
    ) -> list[HallClosure]:
        """Closures in a range."""
        rows = await closures_between(self.id, start, end)
        return [HallClosure(day=r.day, reason=r.reason) for r in rows]

    @strawberry.field(
        description="The hall above this one; null for a root or one outside your scope."
    )
    async def parent(self, info: Info) -> Hall | None:
        """The parent hall, when visible."""
        if self.parent_id is None:
            return None
        actor = require_actor(info)
        row = await info.context.loaders.hall.load(self.parent_id)
        return Hall.from_row(row) if row and actor.sees(row.path) else None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        """Halls by id within the caller's scope."""
        actor = require_actor(info)
        rows = {h.id: h for h in await queries.halls_visible(actor).filter(id__in=_ids(node_ids))}
        return _resolve(cls, rows, node_ids)


@strawberry.type(
    name="Department", description="A government department stationed in a hall (进驻单位)."
)
class Department(relay.Node):
    """A department."""

    id: relay.NodeID[int]
    code: str = strawberry.field(description="Code, unique within the hall.")
    name: str = strawberry.field(description="Full name, e.g. 市公安局.")
    short_name: str = strawberry.field(description="Short name for screens, e.g. 公安.")
    created_at: datetime = strawberry.field(description="When the department was stationed.")
    hall_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: tables.Department) -> Self:
        """Build from a table row."""
        return cls(
            id=row.id,
            code=row.code,
            name=row.name,
            short_name=row.short_name,
            created_at=row.created_at,
            hall_id=row.hall_id,
        )

    @strawberry.field(description="The hall the department is stationed in.")
    async def hall(self, info: Info) -> Hall:
        """The department's hall."""
        row = await info.context.loaders.hall.load(self.hall_id)
        assert row is not None  # noqa: S101  (foreign key)
        return Hall.from_row(row)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        """Departments by id within the caller's scope."""
        actor = require_actor(info)
        found = await queries.departments_visible(actor).filter(id__in=_ids(node_ids))
        return _resolve(cls, {d.id: d for d in found}, node_ids)


@strawberry.type(description="A material the applicant hands in (申请材料).")
class Material:
    """A required or conditional material."""

    name: str = strawberry.field(description="The material's name.")
    form: MaterialForm = strawberry.field(description="Original, copy, or both.")
    copies: int = strawberry.field(description="Number of copies.")
    required: bool = strawberry.field(description="False: only needed in the stated condition.")
    condition: str = strawberry.field(description="When a conditional material is needed.")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        """Build from the stored JSON."""
        return cls(
            name=data["name"],
            form=MaterialForm(data["form"]),
            copies=data["copies"],
            required=data["required"],
            condition=data.get("condition", ""),
        )


@strawberry.type(description="A fee item with its legal basis (收费依据).")
class Fee:
    """A fee."""

    name: str = strawberry.field(description="What the fee is for.")
    amount: Decimal = strawberry.field(description="Amount in yuan (two decimals).")
    legal_basis: str = strawberry.field(description="The regulation that sets the fee.")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        """Build from the stored JSON."""
        return cls(
            name=data["name"], amount=Decimal(data["amount"]), legal_basis=data["legal_basis"]
        )


@strawberry.type(description="A co-handling department of a joint item and its own limit.")
class JointDepartment:
    """A joint item's co-handling department."""

    limit: int = strawberry.field(description="Its limit, in the item's day unit.")
    department_id: strawberry.Private[int]

    @strawberry.field(description="The co-handling department.")
    async def department(self, info: Info) -> Department | None:
        """The department (null if it no longer exists)."""
        row = await info.context.loaders.department.load(self.department_id)
        return Department.from_row(row) if row else None

    @classmethod
    def many(cls, data: list[dict[str, Any]]) -> list[JointDepartment]:
        """From stored JSON."""
        return [cls(limit=int(j["limit"]), department_id=int(j["department_id"])) for j in data]


@strawberry.type(description="The published elements of an item as of one version.")
class ServiceItemElements:
    """A snapshot of an item's elements."""

    name: str = strawberry.field(description="事项名称.")
    kind: ItemKind = strawberry.field(description="How the item is handled.")
    legal_limit: int = strawberry.field(description="法定时限, in `dayUnit`.")
    promised_limit: int = strawberry.field(
        description="承诺时限, in `dayUnit`; never above the legal one."
    )
    day_unit: DayUnit = strawberry.field(description="Working or natural days.")
    visits_required: int = strawberry.field(description="How many visits to the hall it takes.")
    citywide: bool = strawberry.field(
        description="Whether any hall of the city can handle it (全市通办)."
    )
    legal_basis: str = strawberry.field(description="设定依据.")
    conditions: str = strawberry.field(description="申请条件.")
    result_name: str = strawberry.field(description="办理结果, e.g. 营业执照.")
    consult_phone: str = strawberry.field(description="咨询电话.")
    materials: list[Material] = strawberry.field(description="申请材料.")
    fees: list[Fee] = strawberry.field(description="收费项目; empty when free.")
    steps: list[str] = strawberry.field(description="办理流程, in order.")
    investment_project: bool = strawberry.field(
        description="投资项目 item: refusals and denials are reported to the hall's liaison (否定报备)."
    )
    joint_departments: list[JointDepartment] = strawberry.field(
        description="A JOINT item's co-handling departments with their limits (并联审批)."
    )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        """Build from a version snapshot."""
        return cls(
            name=data["name"],
            kind=tables.ItemKind(data["kind"]),
            legal_limit=data["legal_limit"],
            promised_limit=data["promised_limit"],
            day_unit=tables.DayUnit(data["day_unit"]),
            visits_required=data["visits_required"],
            citywide=data["citywide"],
            legal_basis=data["legal_basis"],
            conditions=data["conditions"],
            result_name=data["result_name"],
            consult_phone=data["consult_phone"],
            materials=[Material.from_json(m) for m in data["materials"]],
            fees=[Fee.from_json(f) for f in data["fees"]],
            steps=list(data["steps"]),
            investment_project=bool(data.get("investment_project", False)),
            joint_departments=JointDepartment.many(data.get("joint_departments", [])),
        )


@strawberry.type(
    description="One version of an item's elements; cases keep the version they were accepted under."
)
class ServiceItemVersion:
    """An item version."""

    version: int = strawberry.field(description="Version number, from 1.")
    created_at: datetime = strawberry.field(description="When this version took effect.")
    change_note: str = strawberry.field(description="Why the elements changed.")
    elements: ServiceItemElements = strawberry.field(description="The elements of this version.")
    changed_by_id: strawberry.Private[int | None]

    @strawberry.field(description="Who made the change.")
    async def changed_by(self, info: Info) -> User | None:
        """The account that made the change."""
        if self.changed_by_id is None:
            return None
        row = await info.context.loaders.user.load(self.changed_by_id)
        return User.from_row(row) if row else None


@strawberry.type(
    name="ServiceItem", description="A published service (政务服务事项) with its current elements."
)
class ServiceItem(relay.Node):
    """A service item."""

    id: relay.NodeID[int]
    code: str = strawberry.field(description="实施编码, the official implementation code.")
    name: str = strawberry.field(description="事项名称.")
    pinyin_initials: str = strawberry.field(
        description="Pinyin initials used by search, e.g. gtgshsldj."
    )
    kind: ItemKind = strawberry.field(description="How the item is handled.")
    legal_limit: int = strawberry.field(description="法定时限, in `dayUnit`.")
    promised_limit: int = strawberry.field(description="承诺时限, in `dayUnit`.")
    day_unit: DayUnit = strawberry.field(description="Working or natural days.")
    visits_required: int = strawberry.field(
        description="How many visits to the hall it takes (0 = 零跑腿)."
    )
    citywide: bool = strawberry.field(
        description="Whether any hall of the city can handle it (全市通办)."
    )
    legal_basis: str = strawberry.field(description="设定依据.")
    conditions: str = strawberry.field(description="申请条件.")
    result_name: str = strawberry.field(description="办理结果.")
    consult_phone: str = strawberry.field(description="咨询电话.")
    steps: list[str] = strawberry.field(description="办理流程, in order.")
    investment_project: bool = strawberry.field(
        description="投资项目 item: refusals and denials are reported to the hall's liaison (否定报备)."
    )
    status: ItemStatus = strawberry.field(description="LISTED or DELISTED.")
    listed_at: datetime = strawberry.field(description="When the item was (last) listed.")
    delisted_at: datetime | None = strawberry.field(description="When it was delisted, if it is.")
    delist_reason: str = strawberry.field(description="Why it was delisted.")
    version: int = strawberry.field(description="The current version number.")
    updated_at: datetime = strawberry.field(description="Last change.")
    hall_id: strawberry.Private[int]
    department_id: strawberry.Private[int]
    # The stored JSON of the list elements, turned into objects only when a query asks for
    # them: a case list shows fifty items' names, not their materials and fees.
    stored_materials: strawberry.Private[list[dict[str, Any]]]
    stored_fees: strawberry.Private[list[dict[str, Any]]]
    stored_joint_departments: strawberry.Private[list[dict[str, Any]]]

    @classmethod
    def from_row(cls, row: tables.ServiceItem) -> Self:
        """Build from a table row."""
        return cls(
            id=row.id,
            code=row.code,
            name=row.name,
            pinyin_initials=row.name_initials.split(" ")[0],
            kind=row.kind,
            legal_limit=row.legal_limit,
            promised_limit=row.promised_limit,
            day_unit=row.day_unit,
            visits_required=row.visits_required,
            citywide=row.citywide,
            legal_basis=row.legal_basis,
            conditions=row.conditions,
            result_name=row.result_name,
            consult_phone=row.consult_phone,
            steps=list(row.steps),
            investment_project=row.investment_project,
            status=row.status,
            listed_at=row.listed_at,
            delisted_at=row.delisted_at,
            delist_reason=row.delist_reason,
            version=row.version,
            updated_at=row.updated_at,
            hall_id=row.hall_id,
            department_id=row.department_id,
            stored_materials=row.materials,
            stored_fees=row.fees,
            stored_joint_departments=row.joint_departments,
        )

    @classmethod
    def from_record(cls, row: Mapping[str, Any]) -> Self:
        """A view of a record of the service_item row (JSON as text), read when asked."""
        return cast("Self", _ServiceItemOfRecord(row))

    @strawberry.field(description="申请材料.")
    def materials(self) -> list[Material]:
        """The materials, from the stored JSON."""
        return [Material.from_json(m) for m in self.stored_materials]

    @strawberry.field(description="收费项目; empty when free.")
    def fees(self) -> list[Fee]:
        """The fees, from the stored JSON."""
        return [Fee.from_json(f) for f in self.stored_fees]

    @strawberry.field(
        description="A JOINT item's co-handling departments with their limits (并联审批)."
    )
    def joint_departments(self) -> list[JointDepartment]:
        """The co-handling departments, from the stored JSON."""
        return JointDepartment.many(self.stored_joint_departments)

    @strawberry.field(description="Whether the item is listed (published).")
    def listed(self) -> bool:
        """Shortcut for status == LISTED."""
        return self.status is tables.ItemStatus.LISTED

    @strawberry.field(description="The department that handles the item.")
    async def department(self, info: Info) -> Department:
        """The handling department."""
        row = await info.context.loaders.department.load(self.department_id)
        assert row is not None  # noqa: S101  (foreign key)
        return Department.from_row(row)

    @strawberry.field(description="The hall that publishes the item.")
    async def hall(self, info: Info) -> Hall:
        """The publishing hall."""
        row = await info.context.loaders.hall.load(self.hall_id)
        assert row is not None  # noqa: S101  (foreign key)
        return Hall.from_row(row)

    @strawberry.field(description="Every version of the elements, newest first.")
    async def versions(self, info: Info) -> list[ServiceItemVersion]:
        """The version history."""
        rows = await info.context.loaders.item_versions.load(self.id)
        return [
            ServiceItemVersion(
                version=r.version,
                created_at=r.created_at,
                change_note=r.change_note,
                elements=ServiceItemElements.from_json(r.elements),
                changed_by_id=r.changed_by_id,
            )
            for r in rows
        ]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        """Items by id within the caller's scope."""
        actor = require_actor(info)
        found = await queries.items_visible(actor, queries.ItemFilter()).filter(
            id__in=_ids(node_ids)
        )
        return _resolve(cls, {i.id: i for i in found}, node_ids)


@strawberry.type(
    name="Lane", description="A queue (号段) with a letter prefix, a number range and a daily cap."
)
class Lane(relay.Node):
    """A lane."""

    id: relay.NodeID[int]
    prefix: str = strawberry.field(description="The letter before ticket numbers, e.g. A.")
    name: str = strawberry.field(description="What the lane is for.")
    range_start: int = strawberry.field(description="First ticket number of a day.")
    range_end: int = strawberry.field(description="Last ticket number of a day.")
    daily_cap: int = strawberry.field(description="Most tickets a day.")
    average_service_minutes: int = strawberry.field(
        description="Average service time, for wait estimates."
    )
    is_active: bool = strawberry.field(description="Whether tickets can be issued.")
    hall_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: tables.Lane) -> Self:
        """Build from a table row."""
        return cls(
            id=row.id,
            prefix=row.prefix,
            name=row.name,
            range_start=row.range_start,
            range_end=row.range_end,
            daily_cap=row.daily_cap,
            average_service_minutes=row.average_service_minutes,
            is_active=row.is_active,
            hall_id=row.hall_id,
        )

    @strawberry.field(description="The service items this lane serves.")
    async def items(self, info: Info) -> list[ServiceItem]:
        """Items served by the lane."""
        return [
            ServiceItem.from_row(r) for r in await info.context.loaders.lane_items.load(self.id)
        ]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        """Lanes by id within the caller's scope."""
        actor = require_actor(info)
        found = await queries.lanes_visible(actor).filter(id__in=_ids(node_ids))
        return _resolve(cls, {r.id: r for r in found}, node_ids)


@strawberry.type(name="Window", description="A counter (窗口) and its state.")
class Window(relay.Node):
    """A window."""

    id: relay.NodeID[int]
    number: str = strawberry.field(description="The number shown above the counter.")
    name: str = strawberry.field(description="The window's name.")
    kind: WindowKind = strawberry.field(description="GENERAL or DEDICATED.")
    state: WindowState = strawberry.field(description="CLOSED, OPEN or PAUSED.")
    state_reason: str = strawberry.field(description="Why it is paused or closed, if given.")
    state_changed_at: datetime | None = strawberry.field(description="When the state last changed.")
    hall_id: strawberry.Private[int]
    department_id: strawberry.Private[int | None]
    clerk_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: tables.Window) -> Self:
        """Build from a table row."""
        return cls(
            id=row.id,
            number=row.number,
            name=row.name,
            kind=row.kind,
            state=row.state,
            state_reason=row.state_reason,
            state_changed_at=row.state_changed_at,
            hall_id=row.hall_id,
            department_id=row.department_id,
            clerk_id=row.clerk_id,
        )

    @classmethod
    def from_record(cls, row: Mapping[str, Any]) -> Self:
        """A view of a record of the window row, read when asked."""
        return cast("Self", _WindowOfRecord(row))

    @strawberry.field(description="The lanes the window calls from; a general window serves all.")
    async def lanes(self, info: Info) -> list[Lane]:
        """Lanes served."""
        return [Lane.from_row(r) for r in await info.context.loaders.window_lanes.load(self.id)]

    @strawberry.field(description="The department of a dedicated window, if any.")
    async def department(self, info: Info) -> Department | None:
        """The window's department."""
        if self.department_id is None:
            return None
        row = await info.context.loaders.department.load(self.department_id)
        return Department.from_row(row) if row else None

    @strawberry.field(description="The clerk staffing the window now; null when closed.")
    async def clerk(self, info: Info) -> User | None:
        """The current clerk."""
        if self.clerk_id is None:
            return None
        row = await info.context.loaders.user.load(self.clerk_id)
        return User.from_row(row) if row else None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        """Windows by id within the caller's scope."""
        actor = require_actor(info)
        found = await queries.windows_visible(actor).filter(id__in=_ids(node_ids))
        return _resolve(cls, {r.id: r for r in found}, node_ids)


# Fields of a ServiceItem view that are their column's value as the driver returns it.
_ITEM_COLUMNS = (
    "id", "code", "name", "legal_limit", "promised_limit", "visits_required", "citywide",
    "legal_basis", "conditions", "result_name", "consult_phone", "investment_project",
    "listed_at", "delisted_at", "delist_reason", "version", "updated_at", "hall_id",
    "department_id",
)  # fmt: skip

# How each data field of a ServiceItem view is read from its service_item record.
SERVICE_ITEM_FIELDS: dict[str, Read] = {
    **{name: column(name) for name in _ITEM_COLUMNS},
    "pinyin_initials": lambda row: row["name_initials"].split(" ")[0],
    "kind": enum_column(ItemKind, "kind"),
    "day_unit": enum_column(DayUnit, "day_unit"),
    "status": enum_column(ItemStatus, "status"),
    "steps": json_column("steps"),
    "stored_materials": json_column("materials"),
    "stored_fees": json_column("fees"),
    "stored_joint_departments": json_column("joint_departments"),
}

# How each data field of a Window view is read from its window record.
WINDOW_FIELDS: dict[str, Read] = {
    **{
        name: column(name)
        for name in ("id", "number", "name", "state_reason", "state_changed_at", "hall_id")
    },
    **{name: column(name) for name in ("department_id", "clerk_id")},
    "kind": enum_column(WindowKind, "kind"),
    "state": enum_column(WindowState, "state"),
}


# The columns of service_item each field of the GraphQL ServiceItem type reads, by its GraphQL
# name (a data field its reader's, a resolver the private fields it uses).
SERVICE_ITEM_FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "__typename": (),
    **{camel(name): (name,) for name in _ITEM_COLUMNS},
    **{camel(name): (name,) for name in ("kind", "day_unit", "status", "steps")},
    "pinyinInitials": ("name_initials",),
    "materials": ("materials",),
    "fees": ("fees",),
    "jointDepartments": ("joint_departments",),
    "listed": ("status",),
    "department": ("department_id",),
    "hall": ("hall_id",),
    "versions": ("id",),
}

# The columns of window each field of the GraphQL Window type reads, by its GraphQL name.
WINDOW_FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "__typename": (),
    **{camel(name): (name,) for name in WINDOW_FIELDS if name not in {"department_id", "clerk_id"}},
    "lanes": ("id",),
    "department": ("department_id",),
    "clerk": ("clerk_id",),
}


class _ServiceItemOfRecord(RecordView, ServiceItem):
    """A ServiceItem over a record (see schema.types.records)."""

    FIELDS = SERVICE_ITEM_FIELDS


class _WindowOfRecord(RecordView, Window):
    """A Window over a record (see schema.types.records)."""

    FIELDS = WINDOW_FIELDS
