"""Queries of the catalogue."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from models.catalogue import queries
from models.common.pages import paginate
from schema.context import Info
from schema.permissions import require_actor
from schema.relay import DEFAULT_PAGE, Connection, decode_cursor, decode_optional_id, to_connection
from schema.types.catalogue import Department, Hall, ItemKind, Lane, ServiceItem, Window


@strawberry.input(description="Narrows the item catalogue; every given condition must hold.")
class ServiceItemFilter:
    """Filter for serviceItems."""

    hall_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Items of this hall."
    )
    department_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Items of this department."
    )
    kind: ItemKind | None = strawberry.field(default=None, description="Only this kind.")
    listed: bool | None = strawberry.field(
        default=None, description="true: listed only; false: delisted only; null: both."
    )
    citywide: bool | None = strawberry.field(
        default=None, description="Only 全市通办 items (or not)."
    )
    text: str | None = strawberry.field(
        default=None,
        description="Matches name, code, full pinyin or pinyin initials (gtgsh finds 个体工商户).",
    )


@strawberry.type
class CatalogueQuery:
    """Catalogue reads."""

    @strawberry.field(
        description="Halls you may see, ordered by code (a city-level account sees its subtree)."
    )
    async def halls(self, info: Info) -> list[Hall]:
        """Visible halls."""
        actor = require_actor(info)
        return [Hall.from_row(h) for h in await queries.halls_visible(actor).order_by("path")]

    @strawberry.field(description="A hall by its code; null when unknown or outside your scope.")
    async def hall(
        self, info: Info, code: Annotated[str, strawberry.argument(description="The hall code.")]
    ) -> Hall | None:
        """One hall."""
        row = await queries.hall_by_code(require_actor(info), code)
        return Hall.from_row(row) if row else None

    @strawberry.field(description="Departments stationed in a hall, ordered by code.")
    async def departments(
        self,
        info: Info,
        hall_id: Annotated[relay.GlobalID, strawberry.argument(description="The hall.")],
    ) -> list[Department]:
        """Departments of a hall."""
        actor = require_actor(info)
        hall = decode_optional_id(hall_id, "Hall", "hallId")
        rows = await queries.departments_visible(actor, hall).order_by("code", "id")
        return [Department.from_row(r) for r in rows]

    @strawberry.field(description="Service items, filtered and paged, ordered by code.")
    async def service_items(
        self,
        info: Info,
        filter: Annotated[  # noqa: A002  (the contract's argument name)
            ServiceItemFilter | None,
            strawberry.argument(description="Conditions the items must meet."),
        ] = None,
        first: Annotated[int, strawberry.argument(description="Page size, 0-100.")] = DEFAULT_PAGE,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor to continue after.")
        ] = None,
    ) -> Connection[ServiceItem]:
        """A page of the catalogue."""
        actor = require_actor(info)
        given = filter or ServiceItemFilter()
        item_filter = queries.ItemFilter(
            hall_id=decode_optional_id(given.hall_id, "Hall", ("filter", "hallId")),
            department_id=decode_optional_id(
                given.department_id, "Department", ("filter", "departmentId")
            ),
            kind=given.kind,
            listed=given.listed,
            citywide=given.citywide,
            text=given.text,
        )
        page = await paginate(
            queries.items_visible(actor, item_filter), ("code", "id"), first, decode_cursor(after)
        )
        return to_connection(page, ServiceItem.from_row)

    @strawberry.field(description="A service item by its implementation code (实施编码).")
    async def service_item(
        self, info: Info, code: Annotated[str, strawberry.argument(description="实施编码.")]
    ) -> ServiceItem | None:
        """One item."""
        row = await queries.item_by_code(require_actor(info), code)
        return ServiceItem.from_row(row) if row else None

    @strawberry.field(description="The lanes of a hall, ordered by prefix.")
    async def lanes(
        self,
        info: Info,
        hall_id: Annotated[relay.GlobalID, strawberry.argument(description="The hall.")],
    ) -> list[Lane]:
        """Lanes of a hall."""
        actor = require_actor(info)
        hall = decode_optional_id(hall_id, "Hall", "hallId")
        return [
            Lane.from_row(r) for r in await queries.lanes_visible(actor, hall).order_by("prefix")
        ]

    @strawberry.field(description="The windows of a hall, ordered by number.")
    async def windows(
        self,
        info: Info,
        hall_id: Annotated[relay.GlobalID, strawberry.argument(description="The hall.")],
    ) -> list[Window]:
        """Windows of a hall."""
        actor = require_actor(info)
        hall = decode_optional_id(hall_id, "Hall", "hallId")
        rows = await queries.windows_visible(actor, hall)
        rows.sort(key=lambda w: (len(w.number), w.number))
        return [Window.from_row(r) for r in rows]
