"""Running a plan: graphql-core's execute_fields / execute_field with the look-ups done."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import get_argument_values
from graphql.pyutils import Path, async_reduce, gather_with_cancel

from schema.compiled.specialised import MISS

if TYPE_CHECKING:
    from schema.compiled.executor import CompiledExecutor
    from schema.compiled.plans import FieldPlan, ObjectPlan


def execute_fields(  # noqa: PLR0912  (the per-field loop, inlined: the hot path)
    ex: CompiledExecutor, plan: ObjectPlan, source: Any, path: Path | None
) -> Any:
    """Execute an object's fields: resolvers called in order, their awaitables gathered."""
    specialised = plan.specialised
    if specialised is not None:
        completed = specialised(ex, source)
        if completed is not MISS:
            return completed
    results: dict[str, Any] = {}
    is_awaitable = ex.is_awaitable
    awaitable_fields: list[str] = []
    type_name = plan.type_name
    try:
        for field in plan.fields:
            name = field.response_name
            leaf = field.leaf
            if leaf is not None:
                # A leaf resolved without an info (most fields): resolved and completed here,
                # its path built only for an error or an awaited value.
                try:
                    attribute = field.attribute
                    if attribute is not None:
                        value = getattr(source, attribute)
                    else:
                        value = field.resolve(source, None)  # type: ignore[misc]
                        if is_awaitable(value):
                            results[name] = _complete_awaitable(
                                ex, field, None, Path(path, name, type_name), value
                            )
                            awaitable_fields.append(name)
                            continue
                    value = leaf(value)
                except Exception as raw_error:
                    ex.handle_field_error(
                        raw_error, field.return_type, field.details, Path(path, name, type_name)
                    )
                    value = None
                else:
                    if not field.leaf_sync and is_awaitable(value):
                        value = _await_completed(ex, field, value, Path(path, name, type_name))
                        awaitable_fields.append(name)
                results[name] = value
                continue
            constant = field.constant
            if constant is not None:
                results[name] = constant
                continue
            result = execute_field(ex, field, source, Path(path, name, type_name))
            results[name] = result
            if is_awaitable(result):
                awaitable_fields.append(name)
    except Exception:
        if awaitable_fields:
            ex.settle_in_background([results[f] for f in awaitable_fields])
        raise
    if not awaitable_fields:
        return results
    return _gathered_fields(results, awaitable_fields)


async def _gathered_fields(results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
    if len(awaitable_fields) == 1:
        field = awaitable_fields[0]
        results[field] = await results[field]
    else:
        awaited = await gather_with_cancel(*(results[f] for f in awaitable_fields))
        results.update(zip(awaitable_fields, awaited, strict=True))
    return results


def execute_fields_serially(
    ex: CompiledExecutor, plan: ObjectPlan, source: Any, path: Path | None
) -> Any:
    """Execute an object's fields one after the other (a mutation's root fields)."""
    is_awaitable = ex.is_awaitable
    type_name = plan.type_name

    def reducer(results: dict[str, Any], field: FieldPlan) -> Any:
        name = field.response_name
        if field.constant is not None:
            results[name] = field.constant
            return results
        result = execute_field(ex, field, source, Path(path, name, type_name))
        if is_awaitable(result):

            async def set_result() -> dict[str, Any]:
                results[name] = await result
                return results

            return set_result()
        results[name] = result
        return results

    return async_reduce(reducer, plan.fields, {})


def execute_field(ex: CompiledExecutor, field: FieldPlan, source: Any, path: Path) -> Any:
    """Resolve one field on its source and complete the value, handling its errors."""
    info: Any = None
    try:
        attribute = field.attribute
        if attribute is not None:
            result = getattr(source, attribute)
        else:
            if not field.info_free:
                info = ex.resolve_info(field, path)
            args = field.static_args
            if args is None:
                args = get_argument_values(
                    field.field_def,
                    field.nodes[0],
                    ex.variable_values,
                    None,
                    ex.hide_suggestions,
                )
            resolve = field.resolve or ex.field_resolver
            result = resolve(source, info, **args) if args else resolve(source, info)
            if ex.is_awaitable(result):
                return _complete_awaitable(ex, field, info, path, result)
        completed = field.complete(ex, result, info, path)
        if ex.is_awaitable(completed):
            return _await_completed(ex, field, completed, path)
    except Exception as raw_error:
        ex.handle_field_error(raw_error, field.return_type, field.details, path)
        return None
    return completed


async def _complete_awaitable(
    ex: CompiledExecutor, field: FieldPlan, info: Any, path: Path, result: Any
) -> Any:
    try:
        completed = field.complete(ex, await result, info, path)
        if ex.is_awaitable(completed):
            completed = await completed
    except Exception as raw_error:
        ex.handle_field_error(raw_error, field.return_type, field.details, path)
        completed = None
    return completed


async def _await_completed(
    ex: CompiledExecutor, field: FieldPlan, completed: Any, path: Path
) -> Any:
    try:
        return await completed
    except Exception as raw_error:
        ex.handle_field_error(raw_error, field.return_type, field.details, path)
        return None
