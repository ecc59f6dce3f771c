"""The statistics and rankings queries: the figures halls publish, and the best windows and staff."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Annotated, Any

import strawberry
from graphql import GraphQLField, GraphQLResolveInfo
from strawberry import relay
from strawberry.schema.config import StrawberryConfig
from strawberry.types.field import StrawberryField

from models.statistics import queries, rankings
from models.statistics.rules import GroupBy, Source
from schema.arguments import CONVERTERS, Registry
from schema.context import Info
from schema.permissions import NotAuthenticated, require_actor
from schema.relay import decode_optional_id, selected_names_of
from schema.types.rankings import FORMULA_TEXT, Ranking, RankingKind
from schema.types.statistics import (
    StatisticsGroupBy,
    StatisticsSource,
    StatisticsTable,
    counters_of_figures,
)


@strawberry.input(
    description="Which figures: a hall (with its subtree), narrowing keys and a period."
)
class StatisticsFilter:
    """Filter of a statistics table."""

    hall_id: relay.GlobalID | None = strawberry.field(
        default=None,
        description="The hall; a city hall covers its whole subtree. Default: your own hall.",
    )
    department_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only this department."
    )
    window_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only this window."
    )
    staff_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only this staff member (a User id)."
    )
    item_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only this service item."
    )
    from_: date = strawberry.field(name="from", description="First day (hall-local), inclusive.")
    to: date = strawberry.field(
        description="Last day (hall-local), inclusive; at most ten years after `from`."
    )


def request_of(
    given: StatisticsFilter,
    group_by: list[StatisticsGroupBy] | None,
    source: StatisticsSource | None = None,
    counters: tuple[frozenset[str] | None, frozenset[str] | None] = (None, None),
) -> queries.StatRequest:
    """The model's request from the GraphQL filter; `counters`: this period's and last year's
    counters the caller reads (None: all)."""
    return queries.StatRequest(
        start=given.from_,
        end=given.to,
        hall_id=decode_optional_id(given.hall_id, "Hall", ("filter", "hall_id")),
        department_id=decode_optional_id(
            given.department_id, "Department", ("filter", "department_id")
        ),
        window_id=decode_optional_id(given.window_id, "Window", ("filter", "window_id")),
        staff_id=decode_optional_id(given.staff_id, "User", ("filter", "staff_id")),
        item_id=decode_optional_id(given.item_id, "ServiceItem", ("filter", "item_id")),
        group_by=tuple(GroupBy[d.name] for d in group_by or ()),
        source=Source[source.name] if source else None,
        current_counters=counters[0],
        previous_counters=counters[1],
    )


@lru_cache(maxsize=256)
def _counters_asked(names: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The counters the selected figures need: this period's, and last year's."""
    growth = frozenset({"accepted"}) if "acceptedGrowth" in names else frozenset()
    figures = counters_of_figures(names)
    return figures | growth, (figures if "previousYear" in names else frozenset()) | growth


MAX_SELECTIONS = 256
# The counters asked by a field's selection, by the identity of its syntax nodes (the nodes
# themselves kept with the answer: an id is only checked while its node is alive).
_selections: dict[tuple[int, ...], tuple[tuple[object, ...], tuple[frozenset[str], frozenset[str]]]]
_selections = {}


def _counters_selected(raw: GraphQLResolveInfo[Any]) -> tuple[frozenset[str], frozenset[str]]:
    """The counters the selected figures need, for each period (a raw total then reads only
    those: no cards when no card figure is asked, last year's accepted cases alone for the
    growth); found once per document (its parsed syntax is cached and reused)."""
    nodes = tuple(raw.field_nodes)
    key = tuple(map(id, nodes))
    found = _selections.get(key)
    if found is not None and all(a is b for a, b in zip(found[0], nodes, strict=True)):
        return found[1]
    counters = _counters_asked(frozenset(selected_names_of(raw)))
    if len(_selections) >= MAX_SELECTIONS:
        _selections.clear()
    _selections[key] = (nodes, counters)
    return counters


async def _table(
    raw: GraphQLResolveInfo[Any],
    given: StatisticsFilter,
    group_by: list[StatisticsGroupBy] | None = None,
    source: StatisticsSource | None = None,
) -> StatisticsTable:
    """The `statistics` field's table (for strawberry's resolver and the plain one alike)."""
    request = request_of(given, group_by, source, _counters_selected(raw))
    actor = raw.context.actor
    if actor is None:
        raise NotAuthenticated
    return StatisticsTable.of(await queries.statistics(actor, request))


def plain_resolver(field: GraphQLField, registry: Registry, config: StrawberryConfig) -> Any:
    """The `statistics` field resolved without strawberry's per-field wrapper (its info, its
    argument parsing, its extension chain): the arguments converted as strawberry converts
    them, then the same call. None when the field has something the wrapper must run."""
    definition = (field.extensions or {}).get("strawberry-definition")
    if (
        not isinstance(definition, StrawberryField)
        or definition.permission_classes
        or definition.extensions
    ):
        return None
    plan = CONVERTERS.plan(definition.arguments, registry, config)
    if plan is None:
        return None

    def resolve(_root: object, info: GraphQLResolveInfo[Any], **kwargs: Any) -> Any:
        given = {python: convert(kwargs[name]) for name, python, convert in plan if name in kwargs}
        return _table(info, given.pop("filter"), **given)

    return resolve


@strawberry.type
class StatisticsQuery:
    """Statistics and ranking reads."""

    @strawberry.field(
        description=(
            "The published figures (DOMAIN.md Statistics) of a period, grouped, with the same "
            "dates a year earlier. Access: ADMIN and SUPERVISOR their hall subtree; CHIEF_REP "
            "their department; CLERK only their own figures; MONITOR and APP hall-level "
            "figures, never per staff. Anything else is FORBIDDEN."
        )
    )
    async def statistics(
        self,
        info: Info,
        filter: Annotated[  # noqa: A002  (the contract's argument name)
            StatisticsFilter, strawberry.argument(description="Hall, keys and period.")
        ],
        group_by: Annotated[
            list[StatisticsGroupBy] | None,
            strawberry.argument(
                description=(
                    "How rows are keyed: one or two groupings, at most one of them a date "
                    "(e.g. [DEPARTMENT, MONTH]); none: the total only."
                )
            ),
        ] = None,
        source: Annotated[
            StatisticsSource | None,
            strawberry.argument(
                description="Force a source (RAW to check the rollups); default: rollups when a grain covers the question."
            ),
        ] = None,
    ) -> StatisticsTable:
        """A statistics table."""
        return await _table(info._raw_info, filter, group_by, source)

    @strawberry.field(
        description=(
            "红旗窗口 (windows) or 服务之星 (staff) of a period in a hall's subtree. "
            + FORMULA_TEXT
            + " Staff rankings are for staff accounts only (FORBIDDEN to MONITOR and APP)."
        )
    )
    async def rankings(  # noqa: PLR0917  (the query's arguments)
        self,
        info: Info,
        hall_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="The hall (its subtree counts); default: your own."),
        ],
        period: Annotated[
            str, strawberry.argument(description="A quarter (2021-Q1) or a month (2021-03).")
        ],
        kind: Annotated[RankingKind, strawberry.argument(description="Windows or staff.")],
        top: Annotated[int, strawberry.argument(description="How many places, 1-100.")] = 5,
        min_ratings: Annotated[
            int, strawberry.argument(description="Counted ratings a candidate needs to rank.")
        ] = 10,
    ) -> Ranking:
        """A ranking."""
        ranking = await rankings.rankings(
            require_actor(info),
            decode_optional_id(hall_id, "Hall", "hallId"),
            period,
            rankings.RankingKind[kind.name],
            top=top,
            min_ratings=min_ratings,
        )
        return Ranking.of(ranking)
