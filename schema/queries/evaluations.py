"""Queries of the ratings desk: ratings, rectifications, appeals, call-back tasks and policy."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry import relay

from models.catalogue.queries import hall_in_scope
from models.common.pages import paginate
from models.evaluations import queries
from models.evaluations.policy import policy_for
from models.evaluations.tables import (
    AppealStatus as AppealStatusValue,
)
from models.evaluations.tables import (
    EvaluationChannel as ChannelValue,
)
from models.evaluations.tables import (
    FollowUpKind as FollowUpKindValue,
)
from models.evaluations.tables import (
    FollowUpStatus as FollowUpStatusValue,
)
from models.evaluations.tables import (
    RectificationStatus as RectificationStatusValue,
)
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
from schema.types.evaluations import (
    AppealStatus,
    Evaluation,
    EvaluationAppeal,
    EvaluationChannel,
    EvaluationPolicy,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    Rectification,
    RectificationStatus,
)

PageSize = Annotated[int, strawberry.argument(description="Page size, 0-100.")]
After = Annotated[str | None, strawberry.argument(description="Cursor of the last row seen.")]


@strawberry.input(description="Narrows the ratings list; every given condition must hold.")
class EvaluationFilter:
    """Filter for ratings."""

    hall_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Given at this hall."
    )
    department_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Rating this department."
    )
    window_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Rating this window."
    )
    staff_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Rating this staff member (a User)."
    )
    channel: EvaluationChannel | None = strawberry.field(
        default=None, description="From this channel."
    )
    bad: bool | None = strawberry.field(default=None, description="true: bad ratings only.")
    counted: bool | None = strawberry.field(
        default=None, description="false: ratings removed from the figures by an upheld appeal."
    )
    rated_from: date | None = strawberry.field(default=None, description="Given on or after.")
    rated_to: date | None = strawberry.field(default=None, description="Given on or before.")


@strawberry.input(description="Narrows the rectifications list.")
class RectificationFilter:
    """Filter for rectifications."""

    hall_id: relay.GlobalID | None = strawberry.field(default=None, description="Of this hall.")
    department_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Owed by this department."
    )
    status: RectificationStatus | None = strawberry.field(
        default=None, description="In this state."
    )
    overdue_on: date | None = strawberry.field(
        default=None, description="Still running and past due on this date."
    )


@strawberry.input(description="Narrows the appeals list.")
class AppealFilter:
    """Filter for appeals."""

    hall_id: relay.GlobalID | None = strawberry.field(default=None, description="Of this hall.")
    status: AppealStatus | None = strawberry.field(default=None, description="In this state.")


@strawberry.input(description="Narrows the call-back list.")
class FollowUpFilter:
    """Filter for call-back tasks."""

    hall_id: relay.GlobalID | None = strawberry.field(default=None, description="Of this hall.")
    kind: FollowUpKind | None = strawberry.field(default=None, description="Of this kind.")
    status: FollowUpStatus | None = strawberry.field(default=None, description="In this state.")


def _hall(value: relay.GlobalID | None) -> int | None:
    return decode_optional_id(value, "Hall", ("filter", "hall_id"))


@strawberry.type
class EvaluationQuery:
    """Rating reads."""

    @strawberry.field(
        description=(
            "Ratings, newest first. Staff only: administrators and supervisors see their halls; "
            "chief representatives their department's; clerks the ratings of their own service."
        )
    )
    async def evaluations(
        self,
        info: Info,
        filter: Annotated[  # noqa: A002  (the contract's argument name)
            EvaluationFilter | None, strawberry.argument(description="Conditions to meet.")
        ] = None,
        first: PageSize = DEFAULT_PAGE,
        after: After = None,
    ) -> Connection[Evaluation]:
        """A page of ratings."""
        given = filter or EvaluationFilter()
        model = queries.EvaluationFilter(
            hall_id=_hall(given.hall_id),
            department_id=decode_optional_id(
                given.department_id, "Department", ("filter", "department_id")
            ),
            window_id=decode_optional_id(given.window_id, "Window", ("filter", "window_id")),
            staff_id=decode_optional_id(given.staff_id, "User", ("filter", "staff_id")),
            channel=ChannelValue(given.channel.name) if given.channel else None,
            bad=given.bad,
            counted=given.counted,
            rated_from=given.rated_from,
            rated_to=given.rated_to,
        )
        query = await queries.evaluations_visible(require_actor(info), model)
        page = await paginate(query, queries.EVALUATION_ORDER, first, decode_cursor(after))
        return to_connection(page, Evaluation.from_row)

    @strawberry.field(
        description="Rectifications of bad ratings, nearest deadline first (department staff: theirs)."
    )
    async def rectifications(
        self,
        info: Info,
        filter: Annotated[  # noqa: A002
            RectificationFilter | None, strawberry.argument(description="Conditions to meet.")
        ] = None,
        first: PageSize = DEFAULT_PAGE,
        after: After = None,
    ) -> Connection[Rectification]:
        """A page of rectifications."""
        given = filter or RectificationFilter()
        model = queries.RectificationFilter(
            hall_id=_hall(given.hall_id),
            department_id=decode_optional_id(
                given.department_id, "Department", ("filter", "department_id")
            ),
            status=RectificationStatusValue(given.status.name) if given.status else None,
            overdue_on=given.overdue_on,
        )
        query = await queries.rectifications_visible(require_actor(info), model)
        page = await paginate(query, queries.RECTIFICATION_ORDER, first, decode_cursor(after))
        return to_connection(page, Rectification.from_row)

    @strawberry.field(description="Appeals against ratings, newest first.")
    async def evaluation_appeals(
        self,
        info: Info,
        filter: Annotated[  # noqa: A002
            AppealFilter | None, strawberry.argument(description="Conditions to meet.")
        ] = None,
        first: PageSize = DEFAULT_PAGE,
        after: After = None,
    ) -> Connection[EvaluationAppeal]:
        """A page of appeals."""
        given = filter or AppealFilter()
        model = queries.AppealFilter(
            hall_id=_hall(given.hall_id),
            status=AppealStatusValue(given.status.name) if given.status else None,
        )
        query = await queries.appeals_visible(require_actor(info), model)
        page = await paginate(query, queries.APPEAL_ORDER, first, decode_cursor(after))
        return to_connection(page, EvaluationAppeal.from_row)

    @strawberry.field(
        description="Call-back tasks, earliest due first (administrators and supervisors)."
    )
    async def follow_ups(
        self,
        info: Info,
        filter: Annotated[  # noqa: A002
            FollowUpFilter | None, strawberry.argument(description="Conditions to meet.")
        ] = None,
        first: PageSize = DEFAULT_PAGE,
        after: After = None,
    ) -> Connection[FollowUp]:
        """A page of call-back tasks."""
        given = filter or FollowUpFilter()
        model = queries.FollowUpFilter(
            hall_id=_hall(given.hall_id),
            kind=FollowUpKindValue(given.kind.name) if given.kind else None,
            status=FollowUpStatusValue(given.status.name) if given.status else None,
        )
        query = await queries.follow_ups_visible(require_actor(info), model)
        page = await paginate(query, queries.FOLLOW_UP_ORDER, first, decode_cursor(after))
        return to_connection(page, FollowUp.from_row)

    @strawberry.field(description="A hall's evaluation policy in force (version 0: the defaults).")
    async def evaluation_policy(
        self,
        info: Info,
        hall_id: Annotated[relay.GlobalID, strawberry.argument(description="The hall.")],
    ) -> EvaluationPolicy:
        """The policy in force."""
        hall = await hall_in_scope(require_actor(info), decode_id(hall_id, "Hall", "hallId"))
        return EvaluationPolicy.of(await policy_for(hall.id))
