"""Queries of texts: delivery states and the templates."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from models.common.pages import paginate
from models.notifications import admin
from schema.context import Info
from schema.permissions import require_actor
from schema.relay import DEFAULT_PAGE, Connection, decode_cursor, decode_optional_id, to_connection
from schema.types.notifications import (
    Notification,
    NotificationKind,
    NotificationStatus,
    NotificationTemplate,
)


@strawberry.input(description="Narrows a list of texts; every given condition must hold.")
class NotificationFilter:
    """Filter for notifications."""

    case_number: str | None = strawberry.field(default=None, description="Texts of this case.")
    statuses: list[NotificationStatus] | None = strawberry.field(
        default=None, description="Any of these states."
    )
    kinds: list[NotificationKind] | None = strawberry.field(
        default=None, description="Any of these kinds."
    )
    hall_id: relay.GlobalID | None = strawberry.field(default=None, description="Of this hall.")


@strawberry.type
class NotificationQuery:
    """Notification reads."""

    @strawberry.field(
        description="Texts of your halls with their delivery state, newest first (staff only)."
    )
    async def notifications(
        self,
        info: Info,
        filter: Annotated[  # noqa: A002
            NotificationFilter | None, strawberry.argument(description="Conditions.")
        ] = None,
        first: Annotated[int, strawberry.argument(description="Page size, 0-100.")] = DEFAULT_PAGE,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the last text seen.")
        ] = None,
    ) -> Connection[Notification]:
        """A page of texts."""
        given = filter or NotificationFilter()
        query = await admin.notifications_visible(
            require_actor(info),
            admin.NotificationFilter(
                case_number=given.case_number,
                statuses=tuple(given.statuses or ()),
                kinds=tuple(given.kinds or ()),
                hall_id=decode_optional_id(given.hall_id, "Hall", ("filter", "hall_id")),
            ),
        )
        page = await paginate(query, ("-id",), first, decode_cursor(after))
        return to_connection(page, Notification.from_row)

    @strawberry.field(description="The text in force for every kind, with its parameters.")
    async def notification_templates(self, info: Info) -> list[NotificationTemplate]:
        """The templates."""
        require_actor(info)
        return [NotificationTemplate.of(t) for t in await admin.templates()]
