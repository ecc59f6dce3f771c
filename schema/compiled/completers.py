"""Completers: graphql-core's complete_value unrolled per return-type chain, built once per plan.

Each mirrors the branch of graphql-core's executor it replaces (the same checks in the same
order, the same messages, the same error handling per list item) without the per-value type
dispatch and sub-selection look-ups.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLError,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    specified_scalar_types,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.executor import collect_iterator_awaitables, invalid_return_type_error
from graphql.pyutils import Path, Undefined, gather_with_cancel, inspect, is_iterable

from schema.compiled.running import execute_fields

if TYPE_CHECKING:
    from schema.compiled.executor import CompiledExecutor
    from schema.compiled.plans import FieldPlan, ObjectPlan

# The field's Info, or None for a field resolved without one (a leaf, which no
# completer asks about its info).
Info = Any
# (executor, resolved value, the field's info, path) -> completed value or an awaitable of it.
Complete = Callable[["CompiledExecutor", Any, Info, Path], Any]


def unplanned(_ex: CompiledExecutor, _result: Any, _info: Info, _path: Path) -> Any:
    """The completer of a field whose plan is still being built (never run)."""
    raise RuntimeError("field plan without a completer")  # pragma: no cover


def non_null(inner: Complete, field: FieldPlan) -> Complete:
    """Complete with the inner type; null is an error."""
    message = f"Cannot return null for non-nullable field {field.parent_type}.{field.field_name}."

    def complete_non_null(ex: CompiledExecutor, result: Any, info: Info, path: Path) -> Any:
        if isinstance(result, Exception):
            raise result
        completed = inner(ex, result, info, path)
        if completed is None:
            raise TypeError(message)
        return completed

    return complete_non_null


def _nullable_leaf(leaf_type: GraphQLLeafType) -> Callable[[Any], Any]:
    """A scalar or enum value coerced for output (None stays None; an exception is raised)."""
    coerce = leaf_type.coerce_output_value

    def complete_nullable_leaf(result: Any) -> Any:
        if isinstance(result, Exception):
            raise result
        if result is None or result is Undefined:
            return None
        coerced = coerce(result)
        if coerced is Undefined or coerced is None:
            raise _null_coercion(leaf_type, result, coerced)
        return coerced

    return complete_nullable_leaf


def leaf(return_type: GraphQLLeafType) -> Complete:
    """Coerce a scalar or enum value for output."""
    coerce_leaf = _nullable_leaf(return_type)

    def complete_leaf(_ex: CompiledExecutor, result: Any, _info: Info, _path: Path) -> Any:
        return coerce_leaf(result)

    return complete_leaf


def leaf_value(return_type: GraphQLOutputType, field: FieldPlan) -> Callable[[Any], Any]:
    """`non_null(leaf)` or `leaf` in one call, for a field resolved without an info or a path.

    The same checks, in the same order, with the same messages; a field's path is only needed
    for an error, which the caller builds then.
    """
    non_null = isinstance(return_type, GraphQLNonNull)
    leaf_type = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
    assert isinstance(leaf_type, GraphQLLeafType)  # noqa: S101  (a leaf chain's plan)
    coerce_leaf = _nullable_leaf(leaf_type)
    if not non_null:
        return coerce_leaf
    message = f"Cannot return null for non-nullable field {field.parent_type}.{field.field_name}."

    def complete_non_null_leaf(result: Any) -> Any:
        # An exception is not None: coerce_leaf raises it, as the non-null completer would.
        if result is None or result is Undefined:
            raise TypeError(message)
        return coerce_leaf(result)

    return complete_non_null_leaf


def _null_coercion(leaf_type: GraphQLLeafType, result: Any, coerced: Any) -> TypeError:
    """graphql-core's error for an output coercion that gave no value."""
    return TypeError(
        f"Expected `{inspect(leaf_type)}.coerce_output_value("
        f"{inspect(result)})` to return non-nullable value, returned:"
        f" {inspect(coerced)}"
    )


def synchronous_leaf(return_type: GraphQLOutputType) -> bool:
    """Whether completing the leaf (possibly non-null) never gives an awaitable.

    graphql-core awaits a completed value that is awaitable; the output coercion of an enum or
    of a scalar of the specification never returns one, another scalar's might.
    """
    if isinstance(return_type, GraphQLNonNull):
        return_type = return_type.of_type
    if isinstance(return_type, GraphQLEnumType):
        return True
    name = getattr(return_type, "name", None)
    return name is not None and specified_scalar_types.get(name) is return_type


def object_of(plan: ObjectPlan, field: FieldPlan) -> Complete:
    """Check `is_type_of` (when the type has one) and execute the planned sub-selection."""
    is_type_of = plan.is_type_of
    object_type = plan.object_type
    details = field.details

    async def after_type_check(
        ex: CompiledExecutor, matches: Awaitable[bool], result: Any, path: Path
    ) -> Any:
        if not await matches:
            raise invalid_return_type_error(object_type, result, details)
        completed = execute_fields(ex, plan, result, path)
        if ex.is_awaitable(completed):
            return await completed
        return completed  # pragma: no cover  (graphql-core's shape)

    def complete_object(ex: CompiledExecutor, result: Any, info: Info, path: Path) -> Any:
        if isinstance(result, Exception):
            raise result
        if result is None or result is Undefined:
            return None
        if is_type_of is not None:
            matches = is_type_of(result, info)
            if matches is not True:  # (True: the usual answer, neither awaitable nor false)
                if ex.is_awaitable(matches):
                    return after_type_check(ex, matches, result, path)
                if not matches:
                    raise invalid_return_type_error(object_type, result, details)
        return execute_fields(ex, plan, result, path)

    return complete_object


def abstract(
    return_type: GraphQLAbstractType, by_type: dict[str, Complete], field: FieldPlan
) -> Complete:
    """Resolve the runtime object type, then complete with that type's plan."""
    details = field.details

    def pick(ex: CompiledExecutor, runtime_type: Any, info: Info, result: Any) -> Complete:
        complete = by_type.get(runtime_type) if isinstance(runtime_type, str) else None
        if complete is None:
            valid = ex.ensure_valid_runtime_type(runtime_type, return_type, details, info, result)
            complete = by_type[valid.name]
        return complete

    def complete_abstract(ex: CompiledExecutor, result: Any, info: Info, path: Path) -> Any:
        if isinstance(result, Exception):
            raise result
        if result is None or result is Undefined:
            return None
        runtime_type = (return_type.resolve_type or ex.type_resolver)(result, info, return_type)
        if ex.is_awaitable(runtime_type):

            async def await_runtime_type() -> Any:
                complete = pick(ex, await runtime_type, info, result)
                value = complete(ex, result, info, path)
                if ex.is_awaitable(value):
                    return await value
                return value  # pragma: no cover

            return await_runtime_type()
        return pick(ex, runtime_type, info, result)(ex, result, info, path)

    return complete_abstract


def list_of(item_complete: Complete, item_type: GraphQLOutputType, field: FieldPlan) -> Complete:
    """Complete each item; an item's error nulls that item unless its type is non-null."""
    list_type = GraphQLList(item_type)
    details = field.details
    not_iterable = (
        "Expected Iterable, but did not find one for field"
        f" '{field.parent_type}.{field.field_name}'."
    )
    items = _Items(item_complete, item_type, details)

    def complete_list(ex: CompiledExecutor, result: Any, info: Info, path: Path) -> Any:
        if isinstance(result, Exception):
            raise result
        if result is None or result is Undefined:
            return None
        if ex.is_async_iterable(result):
            return ex.complete_list_value(list_type, details, info, path, result, None)
        if not is_iterable(result):
            raise GraphQLError(not_iterable)
        return items.complete(ex, result, info, path)

    return complete_list


class _Items:
    """The items of a list (graphql-core's complete_iterable_value, without @stream)."""

    __slots__ = ("details", "item_complete", "item_type")

    def __init__(
        self, item_complete: Complete, item_type: GraphQLOutputType, details: FieldDetailsList
    ) -> None:
        self.item_complete = item_complete
        self.item_type = item_type
        self.details = details

    def complete(self, ex: CompiledExecutor, result: Any, info: Info, path: Path) -> Any:
        """The completed items, or an awaitable of them when some item is awaited."""
        is_awaitable = ex.is_awaitable
        item_complete = self.item_complete
        completed_results: list[Any] = []
        append = completed_results.append
        awaitable_indices: list[int] = []
        iterator = iter(result)
        index = 0
        try:
            for item in iterator:
                item_path = path.add_key(index, None)
                if is_awaitable(item):
                    append(self.awaitable_item(ex, item, info, item_path))
                    awaitable_indices.append(index)
                else:
                    try:
                        completed = item_complete(ex, item, info, item_path)
                        if is_awaitable(completed):
                            append(self.await_completed(ex, completed, item_path))
                            awaitable_indices.append(index)
                        else:
                            append(completed)
                    except Exception as raw_error:
                        ex.handle_field_error(raw_error, self.item_type, self.details, item_path)
                        append(None)
                index += 1
        except Exception:
            pending = [completed_results[i] for i in awaitable_indices]
            pending.extend(collect_iterator_awaitables(iterator, is_awaitable))
            if pending:
                ex.settle_in_background(pending)
            raise
        if not awaitable_indices:
            return completed_results
        return _gathered_items(completed_results, awaitable_indices)

    async def awaitable_item(
        self, ex: CompiledExecutor, item: Any, info: Info, item_path: Path
    ) -> Any:
        """Complete an item that was itself awaitable."""
        try:
            completed = self.item_complete(ex, await item, info, item_path)
            if ex.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            ex.handle_field_error(raw_error, self.item_type, self.details, item_path)
            return None
        return completed

    async def await_completed(self, ex: CompiledExecutor, completed: Any, item_path: Path) -> Any:
        """Await an item's completion (an object with awaited fields)."""
        try:
            return await completed
        except Exception as raw_error:
            ex.handle_field_error(raw_error, self.item_type, self.details, item_path)
            return None


async def _gathered_items(completed_results: list[Any], awaitable_indices: list[int]) -> list[Any]:
    if len(awaitable_indices) == 1:
        index = awaitable_indices[0]
        completed_results[index] = await completed_results[index]
    else:
        awaited = await gather_with_cancel(*(completed_results[i] for i in awaitable_indices))
        for index, value in zip(awaitable_indices, awaited, strict=True):
            completed_results[index] = value
    return completed_results
