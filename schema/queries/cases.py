"""Queries of cases: lists, one case, and the public progress lookup."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import partial
from typing import Annotated, Any

import strawberry
from strawberry import relay

from models.cases import progress, queries
from models.cases.case_list import first_case_page
from models.common.actor import Actor
from models.common.pages import Page, paginate_records
from schema.context import Info
from schema.permissions import require_actor
from schema.relay import (
    CURSOR_FIELDS,
    DEFAULT_PAGE,
    Connection,
    decode_cursor,
    decode_optional_id,
    names_at,
    selected_names,
    to_connection,
)
from schema.types.cases import AlertLevel, Case, CaseOrder, CaseStatus, case_columns
from schema.types.catalogue import (
    SERVICE_ITEM_FIELD_COLUMNS,
    WINDOW_FIELD_COLUMNS,
    ServiceItem,
    Window,
)
from schema.types.records import columns_of


@strawberry.input(description="Narrows a case list; every given condition must hold.")
class CaseFilter:
    """Filter for cases."""

    hall_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Received at this hall."
    )
    department_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Handled by this department."
    )
    statuses: list[CaseStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    open_only: bool = strawberry.field(
        default=False, description="Only open cases (ACCEPTED, IN_REVIEW, SUSPENDED)."
    )
    alert_level: AlertLevel | None = strawberry.field(
        default=None, description="Only this warning level."
    )
    due_before: date | None = strawberry.field(
        default=None, description="Due on or before this date."
    )
    due_after: date | None = strawberry.field(
        default=None, description="Due on or after this date."
    )
    applicant_phone: str | None = strawberry.field(
        default=None, description="The applicant's full mobile number (exact match)."
    )
    number: str | None = strawberry.field(default=None, description="Exact case number.")
    negative_reported: bool | None = strawberry.field(
        default=None,
        description="true: only cases reported to the investment-project liaison (否定报备 list).",
    )


@strawberry.type(description="What an applicant may see of a case: nothing personal.")
class CaseProgress:
    """Public progress of a case (办件查询)."""

    number: str = strawberry.field(description="The case number.")
    item_name: str = strawberry.field(description="The service item.")
    status: CaseStatus = strawberry.field(description="Where the case stands.")
    stage: str = strawberry.field(description="The stage in words, e.g. 审查中.")
    received_on: date = strawberry.field(description="Date the application was handed in.")
    due_on: date | None = strawberry.field(description="Due date, when the clock runs.")
    due_provisional: bool = strawberry.field(
        description="The due date may still move (next year's official calendar is not out yet)."
    )
    collect_at: str | None = strawberry.field(
        description="Where to collect the result once it is ready: hall name and address."
    )
    missing_materials: list[str] = strawberry.field(
        description="Materials still to hand in, when a correction was requested."
    )


@strawberry.type
class CaseQuery:
    """Case reads."""

    @strawberry.field(
        description="Cases you may see (receiving or handling side), filtered, sorted and paged."
    )
    async def cases(
        self,
        info: Info,
        filter: Annotated[  # noqa: A002  (the contract's argument name)
            CaseFilter | None, strawberry.argument(description="Conditions the cases must meet.")
        ] = None,
        order: Annotated[
            CaseOrder, strawberry.argument(description="Sort order; DUE_SOONEST suits open lists.")
        ] = CaseOrder.NEWEST,
        first: Annotated[int, strawberry.argument(description="Page size, 0-100.")] = DEFAULT_PAGE,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the last case seen.")
        ] = None,
    ) -> Connection[Case]:
        """A page of cases."""
        actor = require_actor(info)
        given = filter or CaseFilter()
        model_filter = queries.CaseFilter(
            hall_id=decode_optional_id(given.hall_id, "Hall", ("filter", "hall_id")),
            department_id=decode_optional_id(
                given.department_id, "Department", ("filter", "department_id")
            ),
            statuses=tuple(given.statuses or ()),
            open_only=given.open_only,
            alert_level=given.alert_level,
            due_before=given.due_before,
            due_after=given.due_after,
            applicant_phone=given.applicant_phone,
            number=given.number,
            negative_reported=given.negative_reported,
        )
        selected = selected_names(info)
        # What each case of the page shows: its columns and its item's and window's are read.
        shown = _names_of_nodes(info)
        order_columns = [f.lstrip("-") for f in queries.ORDER_FIELDS[order]]
        columns = case_columns(shown, *order_columns)
        page = await _case_page(
            actor, model_filter, order, first, after, "totalCount" in selected, columns
        )
        items, windows = await _listed_relations(info, page, shown)
        return to_connection(
            page,
            partial(Case.listed, items=items, windows=windows),
            cursors_shown=not CURSOR_FIELDS.isdisjoint(selected),
        )

    @strawberry.field(
        name="case", description="A case by number; null when unknown or outside your scope."
    )
    async def case_(
        self,
        info: Info,
        number: Annotated[str, strawberry.argument(description="The case number.")],
    ) -> Case | None:
        """One case; its events read in the same statement when selected."""
        actor = require_actor(info)
        if "events" not in selected_names(info):
            row = await queries.case_by_number(actor, number)
            return Case.from_record(row) if row else None
        found = await queries.case_and_events_by_number(actor, number)
        if found is None:
            return None
        row, events = found
        info.context.loaders.case_events.prime(row["id"], list(events))
        return Case.from_record(row)

    @strawberry.field(
        description=(
            "Public progress lookup (办件查询): the case number and the last four digits of the "
            "applicant's phone. Null when either is wrong. Rate-limited per client and per number "
            "(THROTTLED with extensions.retryAfter)."
        )
    )
    async def case_progress(
        self,
        info: Info,
        number: Annotated[str, strawberry.argument(description="The case number.")],
        verification: Annotated[
            str,
            strawberry.argument(description="Last four digits of the applicant's mobile phone."),
        ],
    ) -> CaseProgress | None:
        """Progress of a case for its applicant."""
        limiter = info.context.limiter
        if limiter is None:
            raise RuntimeError("caseProgress needs a rate limiter")
        found = await progress.lookup(
            limiter, client=info.context.client_address, number=number, verification=verification
        )
        if found is None:
            return None
        return CaseProgress(
            number=found.number,
            item_name=found.item_name,
            status=found.status,
            stage=found.stage,
            received_on=found.received_on,
            due_on=found.due_on,
            due_provisional=found.due_provisional,
            collect_at=found.collect_at,
            missing_materials=list(found.missing_materials),
        )


def _names_of_nodes(info: Info, *below: str) -> set[str]:
    """The field names a connection's selection shows on its nodes (or `below` them), through
    `edges { node }` and `nodes` alike."""
    return names_at(info, ("edges", "node", *below)) | names_at(info, ("nodes", *below))


def _columns(field_columns: Mapping[str, tuple[str, ...]], names: set[str]) -> list[str] | None:
    """The columns the fields `names` of a view read, with the id; None for the whole row."""
    needed = columns_of(field_columns, names, "id")
    return None if needed is None else sorted(needed)


async def _listed_relations(
    info: Info, page: Page[Mapping[str, Any]], shown: set[str]
) -> tuple[dict[int, ServiceItem], dict[int, Window]]:
    """Views of the page's items and windows the list shows, read in one statement, of the
    columns their selected fields read (records, by id).

    Each case of the page answers its `item` and `window` from them without awaiting (see
    `Case.listed`); other fields of the request do not see these partial views. (Joining them
    into the page's own statement was slower: PostgreSQL hashed whole tables and the rows came
    once per case.)
    """
    item_ids = sorted({r["item_id"] for r in page.rows}) if "item" in shown else []
    window_ids = (
        sorted({r["window_id"] for r in page.rows if r["window_id"] is not None})
        if "window" in shown
        else []
    )
    if not item_ids and not window_ids:
        return {}, {}
    items, windows = await queries.items_and_windows_by_ids(
        item_ids,
        window_ids,
        _columns(SERVICE_ITEM_FIELD_COLUMNS, _names_of_nodes(info, "item")),
        _columns(WINDOW_FIELD_COLUMNS, _names_of_nodes(info, "window")),
    )
    return (
        {key: ServiceItem.from_record(row) for key, row in items.items()},
        {key: Window.from_record(row) for key, row in windows.items()},
    )


async def _case_page(  # noqa: PLR0917  (the list's arguments)
    actor: Actor,
    model_filter: queries.CaseFilter,
    order: CaseOrder,
    first: int,
    after: str | None,
    count: bool,
    columns: Sequence[str],
) -> Page[Mapping[str, Any]]:
    """A page of case records of the columns: the first from fixed SQL, later ones through the
    ORM."""
    if after is None:
        return await first_case_page(actor, model_filter, order, first, columns, count=count)
    query = await queries.cases_visible(actor, model_filter)
    if order is CaseOrder.DUE_SOONEST:
        query = query.filter(due_on__isnull=False)
    # Records of the columns the type reads: no model instances for a hot list.
    return await paginate_records(
        query, queries.ORDER_FIELDS[order], first, decode_cursor(after), columns, count=count,
    )  # fmt: skip
