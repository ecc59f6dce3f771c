"""laneCreate, windowCreate, windowOpen, windowPause, windowClose."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from models.catalogue import actions
from models.catalogue.rules import LaneDraft, WindowDraft
from models.catalogue.tables import Window as WindowRow
from models.queue.board import BoardEvent, BoardEventKind
from schema.context import Info
from schema.errors import ConflictError, InputError, NotFoundError, StateError, returns_errors
from schema.permissions import require_actor
from schema.relay import decode_id, decode_ids, decode_optional_id
from schema.types.catalogue import Lane, Window, WindowKind


@strawberry.input(description="A new lane (号段).")
class LaneCreateInput:
    """laneCreate input."""

    hall_id: relay.GlobalID = strawberry.field(description="The hall.")
    prefix: str = strawberry.field(description="One capital letter, unique within the hall.")
    name: str = strawberry.field(description="What the lane is for.")
    range_start: int = strawberry.field(default=1, description="First number of a day, 1-9999.")
    range_end: int = strawberry.field(default=999, description="Last number of a day, 1-9999.")
    daily_cap: int = strawberry.field(
        default=500, description="Most tickets a day; fits the range."
    )
    average_service_minutes: int = strawberry.field(
        default=10, description="For wait estimates, 1-480."
    )
    item_ids: list[relay.GlobalID] = strawberry.field(
        default_factory=list, description="Service items of the same hall it serves."
    )


@strawberry.type(description="The lane was created.")
class LaneCreateSuccess:
    """laneCreate success."""

    lane: Lane = strawberry.field(description="The new lane.")


LaneCreateResult = Annotated[
    LaneCreateSuccess | InputError | ConflictError | NotFoundError,
    strawberry.union("LaneCreateResult", description="Result of laneCreate."),
]


@strawberry.input(description="A new window.")
class WindowCreateInput:
    """windowCreate input."""

    hall_id: relay.GlobalID = strawberry.field(description="The hall.")
    number: str = strawberry.field(
        description="Number shown above the counter, unique in the hall."
    )
    name: str = strawberry.field(description="The window's name.")
    kind: WindowKind = strawberry.field(
        description="GENERAL serves all lanes; DEDICATED its lanes."
    )
    department_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Department of a dedicated window."
    )
    lane_ids: list[relay.GlobalID] = strawberry.field(
        default_factory=list,
        description="Lanes served: none for GENERAL, at least one for DEDICATED.",
    )


@strawberry.type(description="The window was created (closed).")
class WindowCreateSuccess:
    """windowCreate success."""

    window: Window = strawberry.field(description="The new window.")


WindowCreateResult = Annotated[
    WindowCreateSuccess | InputError | ConflictError | NotFoundError,
    strawberry.union("WindowCreateResult", description="Result of windowCreate."),
]


@strawberry.input(description="Open a window: staff a closed one or resume a paused one.")
class WindowOpenInput:
    """windowOpen input."""

    window_id: relay.GlobalID = strawberry.field(description="The window.")


@strawberry.input(description="Pause an open window.")
class WindowPauseInput:
    """windowPause input."""

    window_id: relay.GlobalID = strawberry.field(description="The window.")
    reason: str = strawberry.field(
        default="", description="Why, e.g. 午休; at most 200 characters."
    )


@strawberry.input(description="Close an open or paused window.")
class WindowCloseInput:
    """windowClose input."""

    window_id: relay.GlobalID = strawberry.field(description="The window.")
    reason: str = strawberry.field(default="", description="Why; at most 200 characters.")


@strawberry.type(description="The window after its state changed.")
class WindowStatePayload:
    """Success of windowOpen, windowPause and windowClose."""

    window: Window = strawberry.field(description="The window.")


WindowStateResult = Annotated[
    WindowStatePayload | InputError | NotFoundError | StateError | ConflictError,
    strawberry.union("WindowStateResult", description="Result of a window state change."),
]


async def _announce(info: Info, window: WindowRow, kind: BoardEventKind) -> None:
    """Tell the hall's screens that a window changed state (after the change committed)."""
    log = info.context.board_log
    if log is not None:
        data = {"window_id": window.id, "window_number": window.number, "state": window.state.value}
        await log.append([BoardEvent(window.hall_id, kind, data)])


@strawberry.type
class WindowMutation:
    """Lanes and windows."""

    @strawberry.mutation(description="Create a lane (ADMIN).")
    @returns_errors
    async def lane_create(self, info: Info, input: LaneCreateInput) -> LaneCreateResult:  # noqa: A002
        """Create a lane."""
        actor = require_actor(info)
        draft = LaneDraft(
            hall_id=decode_id(input.hall_id, "Hall", "hall_id"),
            prefix=input.prefix,
            name=input.name,
            range_start=input.range_start,
            range_end=input.range_end,
            daily_cap=input.daily_cap,
            average_service_minutes=input.average_service_minutes,
            item_ids=decode_ids(input.item_ids, "ServiceItem", "item_ids"),
        )
        lane = await actions.create_lane(actor, draft, info.context.now)
        return LaneCreateSuccess(lane=Lane.from_row(lane))

    @strawberry.mutation(description="Create a window (ADMIN); it starts CLOSED.")
    @returns_errors
    async def window_create(self, info: Info, input: WindowCreateInput) -> WindowCreateResult:  # noqa: A002
        """Create a window."""
        actor = require_actor(info)
        draft = WindowDraft(
            hall_id=decode_id(input.hall_id, "Hall", "hall_id"),
            number=input.number,
            name=input.name,
            kind=input.kind,
            department_id=decode_optional_id(input.department_id, "Department", "department_id"),
            lane_ids=decode_ids(input.lane_ids, "Lane", "lane_ids"),
        )
        window = await actions.create_window(actor, draft, info.context.now)
        return WindowCreateSuccess(window=Window.from_row(window))

    @strawberry.mutation(
        description="Open a window: a clerk staffs a closed window (one at a time) or resumes a paused one."
    )
    @returns_errors
    async def window_open(self, info: Info, input: WindowOpenInput) -> WindowStateResult:  # noqa: A002
        """Open a window."""
        actor = require_actor(info)
        window_id = decode_id(input.window_id, "Window", "window_id")
        window = await actions.open_window(actor, window_id, info.context.now)
        await _announce(info, window, BoardEventKind.WINDOW_OPENED)
        return WindowStatePayload(window=Window.from_row(window))

    @strawberry.mutation(
        description="Pause an open window (its clerk, a chief representative or an admin)."
    )
    @returns_errors
    async def window_pause(self, info: Info, input: WindowPauseInput) -> WindowStateResult:  # noqa: A002
        """Pause a window."""
        actor = require_actor(info)
        window_id = decode_id(input.window_id, "Window", "window_id")
        window = await actions.pause_window(actor, window_id, input.reason, info.context.now)
        await _announce(info, window, BoardEventKind.WINDOW_PAUSED)
        return WindowStatePayload(window=Window.from_row(window))

    @strawberry.mutation(description="Close a window; it no longer has a clerk.")
    @returns_errors
    async def window_close(self, info: Info, input: WindowCloseInput) -> WindowStateResult:  # noqa: A002
        """Close a window."""
        actor = require_actor(info)
        window_id = decode_id(input.window_id, "Window", "window_id")
        window = await actions.close_window(actor, window_id, input.reason, info.context.now)
        await _announce(info, window, BoardEventKind.WINDOW_CLOSED)
        return WindowStatePayload(window=Window.from_row(window))
