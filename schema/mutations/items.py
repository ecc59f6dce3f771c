"""serviceItemCreate, serviceItemUpdate, serviceItemDelist, serviceItemRelist."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import strawberry
from strawberry import relay

from models.catalogue import actions, rules
from models.common.errors import InvalidInput
from schema.context import Info
from schema.errors import ConflictError, InputError, NotFoundError, StateError, returns_errors
from schema.permissions import require_actor
from schema.relay import decode_id
from schema.types.catalogue import DayUnit, ItemKind, MaterialForm, ServiceItem


@strawberry.input(description="A co-handling department of a joint item.")
class JointDepartmentInput:
    """A co-handling department."""

    department_id: relay.GlobalID = strawberry.field(description="The department (same hall).")
    limit: int = strawberry.field(description="Its own limit, 1 to the item's promised limit.")


@strawberry.input(description="A material the applicant hands in.")
class MaterialInput:
    """A material."""

    name: str = strawberry.field(description="The material's name.")
    form: MaterialForm = strawberry.field(
        default=MaterialForm.ORIGINAL, description="Original, copy or both."
    )
    copies: int = strawberry.field(default=1, description="Number of copies, 1-99.")
    required: bool = strawberry.field(
        default=True, description="False: only in the stated condition."
    )
    condition: str = strawberry.field(default="", description="Required when `required` is false.")

    def to_rule(self) -> rules.Material:
        """As the rules see it."""
        return rules.Material(
            name=self.name,
            form=self.form,
            copies=self.copies,
            required=self.required,
            condition=self.condition,
        )


@strawberry.input(description="A fee with its legal basis.")
class FeeInput:
    """A fee."""

    name: str = strawberry.field(description="What the fee is for.")
    amount: Decimal = strawberry.field(description="Yuan, at most two decimals, not negative.")
    legal_basis: str = strawberry.field(description="The regulation that sets the fee.")

    def to_rule(self) -> rules.Fee:
        """As the rules see it."""
        return rules.Fee(name=self.name, amount=self.amount, legal_basis=self.legal_basis)


@strawberry.input(description="A new service item and its published elements.")
class ServiceItemCreateInput:
    """serviceItemCreate input."""

    department_id: relay.GlobalID = strawberry.field(description="The handling department.")
    code: str = strawberry.field(description="实施编码: unique, 4-64 letters, digits or -.")
    name: str = strawberry.field(description="事项名称.")
    kind: ItemKind = strawberry.field(description="How the item is handled.")
    legal_limit: int = strawberry.field(description="法定时限 in `dayUnit`, 0-366.")
    promised_limit: int = strawberry.field(
        description="承诺时限 in `dayUnit`: at most the legal limit; 0 for IMMEDIATE, at least 1 otherwise."
    )
    day_unit: DayUnit = strawberry.field(
        default=DayUnit.WORKING, description="Working or natural days."
    )
    visits_required: int = strawberry.field(default=1, description="Visits to the hall, 0-10.")
    citywide: bool = strawberry.field(
        default=False, description="Any hall of the city can handle it."
    )
    legal_basis: str = strawberry.field(default="", description="设定依据.")
    conditions: str = strawberry.field(default="", description="申请条件.")
    result_name: str = strawberry.field(default="", description="办理结果.")
    consult_phone: str = strawberry.field(default="", description="咨询电话.")
    materials: list[MaterialInput] = strawberry.field(default_factory=list, description="申请材料.")
    fees: list[FeeInput] = strawberry.field(default_factory=list, description="收费项目.")
    steps: list[str] = strawberry.field(
        default_factory=lambda: ["受理", "审查", "决定", "送达"], description="办理流程, in order."
    )
    investment_project: bool = strawberry.field(
        default=False, description="投资项目 item (否定报备 on refusals and denials)."
    )
    joint_departments: list[JointDepartmentInput] = strawberry.field(
        default_factory=list,
        description="JOINT items: co-handling departments of the same hall, each with a limit of 1 to the promised limit.",
    )
    note: str = strawberry.field(default="", description="Note on the first version.")


def joint_departments(values: list[JointDepartmentInput]) -> tuple[rules.JointDepartment, ...]:
    """Decode the co-handling departments of an input."""
    return tuple(
        rules.JointDepartment(
            department_id=decode_id(
                v.department_id, "Department", ("joint_departments", i, "department_id")
            ),
            limit=v.limit,
        )
        for i, v in enumerate(values)
    )


@strawberry.input(description="Changes to an item's elements; omitted fields stay as they are.")
class ServiceItemUpdateInput:
    """serviceItemUpdate input."""

    id: relay.GlobalID = strawberry.field(description="The item.")
    note: str = strawberry.field(description="Why the elements change (kept with the version).")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="事项名称.")
    kind: ItemKind | None = strawberry.field(
        default=strawberry.UNSET, description="How it is handled."
    )
    legal_limit: int | None = strawberry.field(default=strawberry.UNSET, description="法定时限.")
    promised_limit: int | None = strawberry.field(default=strawberry.UNSET, description="承诺时限.")
    day_unit: DayUnit | None = strawberry.field(default=strawberry.UNSET, description="Day unit.")
    visits_required: int | None = strawberry.field(default=strawberry.UNSET, description="Visits.")
    citywide: bool | None = strawberry.field(default=strawberry.UNSET, description="全市通办.")
    legal_basis: str | None = strawberry.field(default=strawberry.UNSET, description="设定依据.")
    conditions: str | None = strawberry.field(default=strawberry.UNSET, description="申请条件.")
    result_name: str | None = strawberry.field(default=strawberry.UNSET, description="办理结果.")
    consult_phone: str | None = strawberry.field(default=strawberry.UNSET, description="咨询电话.")
    materials: list[MaterialInput] | None = strawberry.field(
        default=strawberry.UNSET, description="The full new list of materials."
    )
    fees: list[FeeInput] | None = strawberry.field(
        default=strawberry.UNSET, description="The full new list of fees."
    )
    steps: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="The full new list of steps."
    )
    investment_project: bool | None = strawberry.field(
        default=strawberry.UNSET, description="投资项目 item."
    )
    joint_departments: list[JointDepartmentInput] | None = strawberry.field(
        default=strawberry.UNSET, description="The full new list of co-handling departments."
    )

    def changes(self) -> dict[str, Any]:
        """The given fields as element changes; null is refused like a missing value."""
        names = (
            "name",
            "kind",
            "legal_limit",
            "promised_limit",
            "day_unit",
            "visits_required",
            "citywide",
            "legal_basis",
            "conditions",
            "result_name",
            "consult_phone",
            "investment_project",
        )
        changes: dict[str, Any] = {}
        for name in (*names, "materials", "fees", "steps", "joint_departments"):
            value = getattr(self, name)
            if value is strawberry.UNSET:
                continue
            if value is None:
                raise InvalidInput.single(name, "NOT_NULLABLE", "该字段不能为空值，不修改请省略")
            if name in ("materials", "fees"):
                value = tuple(v.to_rule() for v in value)
            elif name == "steps":
                value = tuple(value)
            elif name == "joint_departments":
                value = joint_departments(value)
            changes[name] = value
        return changes


@strawberry.type(description="The item as it now stands.")
class ServiceItemPayload:
    """Success of the item mutations."""

    service_item: ServiceItem = strawberry.field(description="The item after the change.")


ServiceItemCreateResult = Annotated[
    ServiceItemPayload | InputError | ConflictError | NotFoundError,
    strawberry.union("ServiceItemCreateResult", description="Result of serviceItemCreate."),
]
ServiceItemUpdateResult = Annotated[
    ServiceItemPayload | InputError | NotFoundError,
    strawberry.union("ServiceItemUpdateResult", description="Result of serviceItemUpdate."),
]
ServiceItemListingResult = Annotated[
    ServiceItemPayload | InputError | NotFoundError | StateError,
    strawberry.union("ServiceItemListingResult", description="Result of delisting or relisting."),
]


@strawberry.input(description="Withdraw an item from the catalogue.")
class ServiceItemDelistInput:
    """serviceItemDelist input."""

    id: relay.GlobalID = strawberry.field(description="The item.")
    reason: str = strawberry.field(description="Why it is withdrawn (required).")


@strawberry.input(description="Publish a delisted item again.")
class ServiceItemRelistInput:
    """serviceItemRelist input."""

    id: relay.GlobalID = strawberry.field(description="The item.")


@strawberry.type
class ItemMutation:
    """Service items."""

    @strawberry.mutation(description="Publish a service item (ADMIN); version 1 of its elements.")
    @returns_errors
    async def service_item_create(
        self,
        info: Info,
        input: ServiceItemCreateInput,  # noqa: A002
    ) -> ServiceItemCreateResult:
        """Create an item."""
        actor = require_actor(info)
        elements = rules.ItemElements(
            name=input.name,
            kind=input.kind,
            legal_limit=input.legal_limit,
            promised_limit=input.promised_limit,
            day_unit=input.day_unit,
            visits_required=input.visits_required,
            citywide=input.citywide,
            legal_basis=input.legal_basis,
            conditions=input.conditions,
            result_name=input.result_name,
            consult_phone=input.consult_phone,
            materials=tuple(m.to_rule() for m in input.materials),
            fees=tuple(f.to_rule() for f in input.fees),
            steps=tuple(input.steps),
            investment_project=input.investment_project,
            joint_departments=joint_departments(input.joint_departments),
        )
        item = await actions.create_item(
            actor,
            department_id=decode_id(input.department_id, "Department", "department_id"),
            code=input.code,
            elements=elements,
            now=info.context.now,
            note=input.note,
        )
        return ServiceItemPayload(service_item=ServiceItem.from_row(item))

    @strawberry.mutation(
        description="Change an item's elements (ADMIN); a new version is kept, old cases keep theirs."
    )
    @returns_errors
    async def service_item_update(
        self,
        info: Info,
        input: ServiceItemUpdateInput,  # noqa: A002
    ) -> ServiceItemUpdateResult:
        """Update an item."""
        actor = require_actor(info)
        item = await actions.update_item(
            actor,
            decode_id(input.id, "ServiceItem", "id"),
            changes=input.changes(),
            note=input.note,
            now=info.context.now,
        )
        return ServiceItemPayload(service_item=ServiceItem.from_row(item))

    @strawberry.mutation(
        description="Delist (withdraw) an item (ADMIN); the date and reason are kept."
    )
    @returns_errors
    async def service_item_delist(
        self,
        info: Info,
        input: ServiceItemDelistInput,  # noqa: A002
    ) -> ServiceItemListingResult:
        """Delist an item."""
        actor = require_actor(info)
        item = await actions.set_item_listing(
            actor,
            decode_id(input.id, "ServiceItem", "id"),
            listed=False,
            reason=input.reason,
            now=info.context.now,
        )
        return ServiceItemPayload(service_item=ServiceItem.from_row(item))

    @strawberry.mutation(description="List a delisted item again (ADMIN).")
    @returns_errors
    async def service_item_relist(
        self,
        info: Info,
        input: ServiceItemRelistInput,  # noqa: A002
    ) -> ServiceItemListingResult:
        """Relist an item."""
        actor = require_actor(info)
        item = await actions.set_item_listing(
            actor,
            decode_id(input.id, "ServiceItem", "id"),
            listed=True,
            reason="",
            now=info.context.now,
        )
        return ServiceItemPayload(service_item=ServiceItem.from_row(item))
