"""Per-request DataLoaders, so that lists never run one query per row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping
from functools import cached_property
from typing import Any, TypeVar, cast

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
from models.cases.tables import Case, CasePause, CaseSubtask
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
    """A fresh set of loaders for one request (or one subscription event), each made on first use."""

    @cached_property
    def views(self) -> dict[tuple[Callable[[Any], Any], Hashable], Any]:
        """Rows already converted to their GraphQL type, by converter and key (see now_or_later)."""
        return {}

    @cached_property
    def hall(self) -> DataLoader[int, Hall | None]:
        """Loads by key in one query per batch (halls_by_ids)."""
        return DataLoader(load_fn=halls_by_ids)

    @cached_property
    def department(self) -> DataLoader[int, Department | None]:
        """Loads by key in one query per batch (departments_by_ids)."""
        return DataLoader(load_fn=departments_by_ids)

    @cached_property
    def user(self) -> DataLoader[int, User | None]:
        """Loads by key in one query per batch (users_by_ids)."""
        return DataLoader(load_fn=users_by_ids)

    @cached_property
    def window(self) -> DataLoader[int, Window | None]:
        """Loads by key in one query per batch (windows_by_ids)."""
        return DataLoader(load_fn=windows_by_ids)

    @cached_property
    def window_lanes(self) -> DataLoader[int, list[Lane]]:
        """Loads by key in one query per batch (lanes_by_window_ids)."""
        return DataLoader(load_fn=lanes_by_window_ids)

    @cached_property
    def lane_items(self) -> DataLoader[int, list[ServiceItem]]:
        """Loads by key in one query per batch (items_by_lane_ids)."""
        return DataLoader(load_fn=items_by_lane_ids)

    @cached_property
    def item_versions(self) -> DataLoader[int, list[ServiceItemVersion]]:
        """Loads by key in one query per batch (versions_by_item_ids)."""
        return DataLoader(load_fn=versions_by_item_ids)

    @cached_property
    def item(self) -> DataLoader[int, ServiceItem | None]:
        """Loads by key in one query per batch (items_by_ids)."""
        return DataLoader(load_fn=items_by_ids)

    @cached_property
    def item_version(self) -> DataLoader[int, ServiceItemVersion | None]:
        """Loads by key in one query per batch (item_versions_by_ids)."""
        return DataLoader(load_fn=item_versions_by_ids)

    @cached_property
    def case(self) -> DataLoader[int, Case | None]:
        """Loads by key in one query per batch (cases_by_ids)."""
        return DataLoader(load_fn=cases_by_ids)

    @cached_property
    def case_events(self) -> DataLoader[int, list[Mapping[str, Any]]]:
        """Loads records by key in one query per batch (events_by_case_ids)."""
        return DataLoader(load_fn=events_by_case_ids)

    @cached_property
    def case_subtasks(self) -> DataLoader[int, list[CaseSubtask]]:
        """Loads by key in one query per batch (subtasks_by_case_ids)."""
        return DataLoader(load_fn=subtasks_by_case_ids)

    @cached_property
    def case_pauses(self) -> DataLoader[int, list[CasePause]]:
        """Loads by key in one query per batch (pauses_by_case_ids)."""
        return DataLoader(load_fn=pauses_by_case_ids)

    @cached_property
    def evaluation(self) -> DataLoader[int, Evaluation | None]:
        """Loads by key in one query per batch (evaluations_by_ids)."""
        return DataLoader(load_fn=evaluations_by_ids)

    @cached_property
    def rectification(self) -> DataLoader[int, Rectification | None]:
        """Loads by key in one query per batch (rectifications_by_ids)."""
        return DataLoader(load_fn=rectifications_by_ids)

    @cached_property
    def evaluation_rectification(self) -> DataLoader[int, Rectification | None]:
        """Loads by key in one query per batch (rectifications_by_evaluation)."""
        return DataLoader(load_fn=rectifications_by_evaluation)

    @cached_property
    def evaluation_appeal(self) -> DataLoader[int, EvaluationAppeal | None]:
        """Loads by key in one query per batch (appeals_by_evaluation)."""
        return DataLoader(load_fn=appeals_by_evaluation)

    @cached_property
    def rectification_history(self) -> DataLoader[int, list[RectificationEvent]]:
        """Loads by key in one query per batch (history_by_rectification)."""
        return DataLoader(load_fn=history_by_rectification)


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R")


def now_or_later(
    loader: DataLoader[K, V],
    key: K,
    convert: Callable[[V], R],
    views: dict[tuple[Callable[[Any], Any], Hashable], Any] | None = None,
) -> R | Awaitable[R]:
    """The converted value at once when the loader already holds it, else an awaitable of it.

    A list resolver that loads its page's related rows in one batch (`load_many`) lets every
    row's field resolve without a coroutine, a task and an await each (graphql-core awaits the
    result only when it is awaitable): on a 50-row page that is most of the execution time.
    With `views` (the request's `Loaders.views`), a row is converted once however many list rows
    share it (fifty cases of a few items); the converted types are immutable data.
    """
    try:
        return loaded_now(loader, key, convert, views)
    except LookupError:
        return _later(loader, key, convert)


def loaded_now(
    loader: DataLoader[K, V],
    key: K,
    convert: Callable[[V], R],
    views: dict[tuple[Callable[[Any], Any], Hashable], Any] | None = None,
) -> R:
    """The converted value when the loader already holds it (see `now_or_later`), else
    LookupError; nothing is loaded."""
    if views is not None:
        seen = views.get((convert, key))
        if seen is not None:
            return cast("R", seen)
    future = loader.cache_map.get(key)
    if (
        future is not None
        and future.done()
        and not future.cancelled()
        and future.exception() is None
    ):
        converted = convert(future.result())
        if views is not None:
            views[(convert, key)] = converted
        return converted
    raise LookupError(key)


async def _later(loader: DataLoader[K, V], key: K, convert: Callable[[V], R]) -> R:
    return convert(await loader.load(key))
