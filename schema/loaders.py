"""Per-request DataLoaders, so that lists never run one query per row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from strawberry.dataloader import DataLoader

from models.accounts.queries import users_by_ids
from models.accounts.tables import User
from models.cases.queries import (
    cases_by_ids,
    events_by_case_ids,
    item_versions_by_ids,
    items_by_ids,
    pauses_by_case_ids,
    subtasks_by_case_ids,
)
from models.cases.tables import Case, CaseEvent, CasePause, CaseSubtask
from models.catalogue.queries import (
    departments_by_ids,
    halls_by_ids,
    items_by_lane_ids,
    lanes_by_window_ids,
    versions_by_item_ids,
    windows_by_ids,
)
from models.catalogue.tables import (
    Department,
    Hall,
    Lane,
    ServiceItem,
    ServiceItemVersion,
    Window,
)
from models.evaluations.queries import (
    appeals_by_evaluation,
    evaluations_by_ids,
    history_by_rectification,
    rectifications_by_evaluation,
    rectifications_by_ids,
)
from models.evaluations.tables import (
    Evaluation,
    EvaluationAppeal,
    Rectification,
    RectificationEvent,
)


class Loaders:
    """A fresh set of loaders for one request (or one subscription event)."""

    def __init__(self) -> None:
        self.hall: DataLoader[int, Hall | None] = DataLoader(load_fn=halls_by_ids)
        self.department: DataLoader[int, Department | None] = DataLoader(load_fn=departments_by_ids)
        self.user: DataLoader[int, User | None] = DataLoader(load_fn=users_by_ids)
        self.window: DataLoader[int, Window | None] = DataLoader(load_fn=windows_by_ids)
        self.window_lanes: DataLoader[int, list[Lane]] = DataLoader(load_fn=lanes_by_window_ids)
        self.lane_items: DataLoader[int, list[ServiceItem]] = DataLoader(load_fn=items_by_lane_ids)
        self.item_versions: DataLoader[int, list[ServiceItemVersion]] = DataLoader(
            load_fn=versions_by_item_ids
        )
        self.item: DataLoader[int, ServiceItem | None] = DataLoader(load_fn=items_by_ids)
        self.item_version: DataLoader[int, ServiceItemVersion | None] = DataLoader(
            load_fn=item_versions_by_ids
        )
        self.case: DataLoader[int, Case | None] = DataLoader(load_fn=cases_by_ids)
        self.case_events: DataLoader[int, list[CaseEvent]] = DataLoader(load_fn=events_by_case_ids)
        self.case_subtasks: DataLoader[int, list[CaseSubtask]] = DataLoader(
            load_fn=subtasks_by_case_ids
        )
        self.case_pauses: DataLoader[int, list[CasePause]] = DataLoader(load_fn=pauses_by_case_ids)
        self.evaluation: DataLoader[int, Evaluation | None] = DataLoader(load_fn=evaluations_by_ids)
        self.rectification: DataLoader[int, Rectification | None] = DataLoader(
            load_fn=rectifications_by_ids
        )
        self.evaluation_rectification: DataLoader[int, Rectification | None] = DataLoader(
            load_fn=rectifications_by_evaluation
        )
        self.evaluation_appeal: DataLoader[int, EvaluationAppeal | None] = DataLoader(
            load_fn=appeals_by_evaluation
        )
        self.rectification_history: DataLoader[int, list[RectificationEvent]] = DataLoader(
            load_fn=history_by_rectification
        )


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R")


def now_or_later(loader: DataLoader[K, V], key: K, convert: Callable[[V], R]) -> R | Awaitable[R]:
    """The converted value at once when the loader already holds it, else an awaitable of it.

    A list resolver that loads its page's related rows in one batch (`load_many`) lets every
    row's field resolve without a coroutine, a task and an await each (graphql-core awaits the
    result only when it is awaitable): on a 50-row page that is most of the execution time.
    """
    future = loader.cache_map.get(key)
    if (
        future is not None
        and future.done()
        and not future.cancelled()
        and future.exception() is None
    ):
        return convert(future.result())
    return _later(loader, key, convert)


async def _later(loader: DataLoader[K, V], key: K, convert: Callable[[V], R]) -> R:
    return convert(await loader.load(key))
