"""Calendar reads."""

from __future__ import annotations

from typing import Annotated

import strawberry

from models.calendar.queries import year_view
from models.calendar.tables import NATIONAL
from models.common.errors import InvalidInput
from schema.context import Info
from schema.permissions import require_actor
from schema.types.calendar import WorkingCalendar


@strawberry.type
class CalendarQuery:
    """Calendar reads."""

    @strawberry.field(
        description="A year's working days for a region (CN = national), with its source and provisional flag."
    )
    async def working_calendar(
        self,
        info: Info,
        year: Annotated[int, strawberry.argument(description="The year, 2000-2100.")],
        region: Annotated[
            str, strawberry.argument(description="CN, or a 6-digit division code.")
        ] = NATIONAL,
    ) -> WorkingCalendar:
        """One calendar year."""
        require_actor(info)
        if not 2000 <= year <= 2100:
            raise InvalidInput.single("year", "OUT_OF_RANGE", "年份应在2000到2100之间")
        return WorkingCalendar.of(await year_view(region.strip() or NATIONAL, year))
