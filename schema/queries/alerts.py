"""Queries of the alerts centre: cards, per-department counts and a hall's policy."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry import relay

from models.alerts import queries
from models.alerts.policy import policy_for
from models.catalogue.queries import hall_in_scope
from models.common.pages import paginate
from schema.context import Info
from schema.permissions import require_actor
from schema.relay import (
    DEFAULT_PAGE,
    Connection,
    decode_cursor,
    decode_id,
    decode_optional_id,
    to_connection,
)
from schema.types.alerts import Alert, AlertPolicy, DepartmentAlertCount
from schema.types.cases import AlertLevel


@strawberry.input(description="Narrows an alert list; every given condition must hold.")
class AlertFilter:
    """Filter for alerts."""

    hall_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Cases received at this hall."
    )
    department_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Cases handled by this department."
    )
    level: AlertLevel | None = strawberry.field(default=None, description="YELLOW or RED.")
    active: bool | None = strawberry.field(
        default=None, description="true: cards up now; false: withdrawn ones."
    )
    raised_from: date | None = strawberry.field(
        default=None, description="Raised on or after this date."
    )
    raised_to: date | None = strawberry.field(
        default=None, description="Raised on or before this date."
    )


def _model_filter(given: AlertFilter | None) -> queries.AlertFilter:
    given = given or AlertFilter()
    return queries.AlertFilter(
        hall_id=decode_optional_id(given.hall_id, "Hall", ("filter", "hall_id")),
        department_id=decode_optional_id(
            given.department_id, "Department", ("filter", "department_id")
        ),
        level=given.level,
        active=given.active,
        raised_from=given.raised_from,
        raised_to=given.raised_to,
    )


@strawberry.type
class AlertQuery:
    """Alert reads."""

    @strawberry.field(
        description="Yellow and red cards of cases you may see, newest first, filtered and paged."
    )
    async def alerts(
        self,
        info: Info,
        filter: Annotated[  # noqa: A002  (the contract's argument name)
            AlertFilter | None, strawberry.argument(description="Conditions the cards must meet.")
        ] = None,
        first: Annotated[int, strawberry.argument(description="Page size, 0-100.")] = DEFAULT_PAGE,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the last card seen.")
        ] = None,
    ) -> Connection[Alert]:
        """A page of alerts."""
        query = await queries.alerts_visible(require_actor(info), _model_filter(filter))
        page = await paginate(query, queries.ORDER, first, decode_cursor(after))
        return to_connection(page, Alert.from_row)

    @strawberry.field(
        description=(
            "Red and yellow cards per department (an official figure): raised in the filter's "
            "period, and up now. `filter.active` is ignored for the counts up now."
        )
    )
    async def alert_counts(
        self,
        info: Info,
        filter: Annotated[  # noqa: A002
            AlertFilter | None, strawberry.argument(description="Hall, department and period.")
        ] = None,
    ) -> list[DepartmentAlertCount]:
        """Counts per department."""
        counts = await queries.department_counts(require_actor(info), _model_filter(filter))
        return [DepartmentAlertCount.of(c) for c in counts]

    @strawberry.field(description="A hall's warning threshold and escalation ladder.")
    async def alert_policy(
        self,
        info: Info,
        hall_id: Annotated[relay.GlobalID, strawberry.argument(description="The hall.")],
    ) -> AlertPolicy:
        """The hall's policy."""
        hall = await hall_in_scope(require_actor(info), decode_id(hall_id, "Hall", "hallId"))
        policy = await policy_for(hall.id)
        return await AlertPolicy.of(policy)
