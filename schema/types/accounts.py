"""GraphQL types of accounts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from models.accounts.queries import users_visible
from models.accounts.tables import Role as RoleEnum
from models.accounts.tables import User as UserRow
from schema.context import Info
from schema.enums import described_enum
from schema.permissions import require_actor
from schema.types.masking import PersonalData, mask_mobile, personal

Role = RoleEnum

if TYPE_CHECKING:
    from schema.types.catalogue import Department, Hall

described_enum(
    RoleEnum,
    name="Role",
    description="What an account may do.",
    values={
        "ADMIN": "Hall administrator: catalogue, accounts, windows of their scope.",
        "SUPERVISOR": "Efficiency office: reads everything in scope, escalations.",
        "CHIEF_REP": "A department's chief representative (首席代表).",
        "CLERK": "Window staff.",
        "MONITOR": "A large screen: read-only, one hall, masked data.",
        "APP": "A third-party application: scoped read access, masked data.",
        "HOTLINE": "A 12345 hotline operator: takes calls, dispatches work orders, calls back.",
    },
)


@strawberry.type(name="User", description="A staff account, screen or application.")
class User(relay.Node):
    """An account as other staff see it; the mobile is always masked."""

    id: relay.NodeID[int]
    username: str = strawberry.field(description="Login name (lower case).")
    display_name: str = strawberry.field(description="Real name shown in the hall.")
    role: Role = strawberry.field(description="The account's role.")
    is_active: bool = strawberry.field(description="Whether the account can log in.")
    created_at: datetime = strawberry.field(description="When the account was created.")
    last_login_at: datetime | None = strawberry.field(description="The last successful login.")
    hall_id: strawberry.Private[int | None]
    department_id: strawberry.Private[int | None]
    raw_mobile: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: UserRow) -> Self:
        """Build from a table row."""
        return cls(
            id=row.id,
            username=row.username,
            display_name=row.display_name,
            role=row.role,
            is_active=row.is_active,
            created_at=row.created_at,
            last_login_at=row.last_login_at,
            hall_id=row.hall_id,
            department_id=row.department_id,
            raw_mobile=row.mobile,
        )

    @strawberry.field(
        description="Mobile phone, masked (138****1234); empty when none.",
        metadata=personal(PersonalData.PHONE),
    )
    def mobile(self) -> str:
        """The masked mobile."""
        return mask_mobile(self.raw_mobile) if self.raw_mobile else ""

    @strawberry.field(description="The hall the account belongs to; null for city-wide accounts.")
    async def hall(
        self, info: Info
    ) -> Annotated[Hall, strawberry.lazy("schema.types.catalogue")] | None:
        """The account's hall."""
        from schema.types.catalogue import Hall  # noqa: PLC0415  (cycle between the two modules)

        if self.hall_id is None:
            return None
        row = await info.context.loaders.hall.load(self.hall_id)
        return Hall.from_row(row) if row else None

    @strawberry.field(description="The department the account belongs to, if any.")
    async def department(
        self, info: Info
    ) -> Annotated[Department, strawberry.lazy("schema.types.catalogue")] | None:
        """The account's department."""
        from schema.types.catalogue import Department  # noqa: PLC0415

        if self.department_id is None:
            return None
        row = await info.context.loaders.department.load(self.department_id)
        return Department.from_row(row) if row else None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        """Accounts by id, only those the caller may list."""
        actor = require_actor(info)
        ids = [int(i) for i in node_ids if i.isdigit()]
        rows = {u.id: u for u in await users_visible(actor).filter(id__in=ids)}
        return [
            cls.from_row(rows[int(i)]) if i.isdigit() and int(i) in rows else None for i in node_ids
        ]
