"""accessLog and accessLogVerification: the unmasking log for auditors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay

from models.audit import queries
from models.common.pages import paginate
from schema.context import Info
from schema.permissions import require_actor
from schema.relay import DEFAULT_PAGE, Connection, decode_cursor, decode_optional_id, to_connection
from schema.types.access_log import AccessLogEntry, AccessLogVerification


@strawberry.input(description="Narrows the access log; every given condition must hold.")
class AccessLogFilter:
    """Filter for access log entries."""

    actor_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Accesses by this account (a User ID)."
    )
    subject: str | None = strawberry.field(
        default=None, description="Accesses to this subject, e.g. `case:JN-20261201-000001`."
    )
    since: datetime | None = strawberry.field(default=None, description="At or after this time.")
    until: datetime | None = strawberry.field(default=None, description="Before this time.")


@strawberry.type
class AccessLogQuery:
    """Access log reads (ADMIN and SUPERVISOR)."""

    @strawberry.field(
        description=(
            "Who saw unmasked personal data, newest first, in your halls (ADMIN, SUPERVISOR). "
            "Entries are append-only and chained by hash: see accessLogVerification."
        )
    )
    async def access_log(
        self,
        info: Info,
        filter: Annotated[  # noqa: A002  (the contract's argument name)
            AccessLogFilter | None, strawberry.argument(description="Conditions on entries.")
        ] = None,
        first: Annotated[int, strawberry.argument(description="Page size, 0-100.")] = DEFAULT_PAGE,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the last entry seen.")
        ] = None,
    ) -> Connection[AccessLogEntry]:
        """A page of entries."""
        given = filter or AccessLogFilter()
        model_filter = queries.AccessFilter(
            actor_id=decode_optional_id(given.actor_id, "User", ("filter", "actor_id")),
            subject=given.subject,
            since=given.since,
            until=given.until,
        )
        query = queries.entries_visible(require_actor(info), model_filter)
        page = await paginate(query, queries.ORDER, first, decode_cursor(after))
        return to_connection(page, AccessLogEntry.from_row)

    @strawberry.field(
        description=(
            "Re-computes the whole log's hash chain and says whether any entry was changed, "
            "removed or inserted (ADMIN, SUPERVISOR)."
        )
    )
    async def access_log_verification(self, info: Info) -> AccessLogVerification:
        """Verify the chain."""
        return AccessLogVerification.of(await queries.verify_chain(require_actor(info)))
