"""hallCreate and departmentCreate."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from models.catalogue import actions
from models.catalogue.rules import DepartmentDraft, HallDraft
from schema.context import Info
from schema.errors import ConflictError, InputError, NotFoundError, returns_errors
from schema.permissions import require_actor
from schema.relay import decode_id, decode_optional_id
from schema.types.catalogue import Department, Hall, HallLevel


@strawberry.input(description="A new hall.")
class HallCreateInput:
    """hallCreate input."""

    code: str = strawberry.field(description="Unique code: letters, digits, _ and -.")
    name: str = strawberry.field(description="Name, 2-100 characters.")
    level: HallLevel = strawberry.field(description="Must be below the parent's level.")
    region: str = strawberry.field(description="Administrative division code: 6, 9 or 12 digits.")
    parent_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The hall above; null for a root hall (city-wide admins only)."
    )
    timezone: str = strawberry.field(default="Asia/Shanghai", description="IANA time zone.")
    address: str = strawberry.field(default="", description="Street address.")
    phone: str = strawberry.field(default="", description="Public phone number.")


@strawberry.type(description="The hall was created.")
class HallCreateSuccess:
    """hallCreate success."""

    hall: Hall = strawberry.field(description="The new hall.")


HallCreateResult = Annotated[
    HallCreateSuccess | InputError | ConflictError | NotFoundError,
    strawberry.union("HallCreateResult", description="Result of hallCreate."),
]


@strawberry.input(description="A department to station in a hall.")
class DepartmentCreateInput:
    """departmentCreate input."""

    hall_id: relay.GlobalID = strawberry.field(description="The hall.")
    code: str = strawberry.field(description="Code, unique within the hall.")
    name: str = strawberry.field(description="Full name, unique within the hall.")
    short_name: str = strawberry.field(default="", description="Short name; defaults to the name.")


@strawberry.type(description="The department was created.")
class DepartmentCreateSuccess:
    """departmentCreate success."""

    department: Department = strawberry.field(description="The new department.")


DepartmentCreateResult = Annotated[
    DepartmentCreateSuccess | InputError | ConflictError | NotFoundError,
    strawberry.union("DepartmentCreateResult", description="Result of departmentCreate."),
]


@strawberry.type
class HallMutation:
    """Halls and departments."""

    @strawberry.mutation(description="Create a hall (ADMIN of the parent's scope).")
    @returns_errors
    async def hall_create(self, info: Info, input: HallCreateInput) -> HallCreateResult:  # noqa: A002
        """Create a hall."""
        actor = require_actor(info)
        draft = HallDraft(
            code=input.code,
            name=input.name,
            level=input.level,
            region=input.region,
            parent_id=decode_optional_id(input.parent_id, "Hall", "parent_id"),
            timezone=input.timezone,
            address=input.address,
            phone=input.phone,
        )
        hall = await actions.create_hall(actor, draft, info.context.now)
        return HallCreateSuccess(hall=Hall.from_row(hall))

    @strawberry.mutation(description="Station a department in a hall (ADMIN).")
    @returns_errors
    async def department_create(
        self,
        info: Info,
        input: DepartmentCreateInput,  # noqa: A002
    ) -> DepartmentCreateResult:
        """Create a department."""
        actor = require_actor(info)
        draft = DepartmentDraft(
            hall_id=decode_id(input.hall_id, "Hall", "hall_id"),
            code=input.code,
            name=input.name,
            short_name=input.short_name,
        )
        department = await actions.create_department(actor, draft, info.context.now)
        return DepartmentCreateSuccess(department=Department.from_row(department))
