"""Hot fields resolved by graphql-core directly, without strawberry's per-field wrapper.

A case list of 50 rows with their item and window resolves 250 fields that have resolvers (the
three global ids and the two relations per row). For each, strawberry builds an Info, parses
arguments and runs the field-extension chain: about half the list's execution time. The fields
here take no arguments, have no permission classes or field extensions, and return exactly what
their strawberry resolvers return (an id: the text its GlobalID serializes to), so graphql-core
may call a plain function instead. The statistics table's root field takes arguments: its plain
resolver converts them by the same per-field plan strawberry's wrapper uses (schema.arguments);
so do the case reads' root fields (`case`, `cases`), which call their resolver functions with the
Info and arguments strawberry's wrapper would pass, without its layers. Schema extensions still
apply (they are graphql-core middleware, wrapped around whatever resolver a field has). The
compiled executor (schema.compiled) reads the marks set here: an attribute read is done inline,
and a resolver that ignores its info is called without one.
"""

from __future__ import annotations

from binascii import b2a_base64
from collections.abc import Callable
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLField, GraphQLObjectType, GraphQLResolveInfo
from strawberry.types.field import StrawberryField

from schema.arguments import CONVERTERS
from schema.loaders import loaded_now, now_or_later
from schema.queries.statistics import plain_resolver
from schema.types.cases import events_of, service_item_of, window_of

# Types whose `id` is their row's integer id (relay.NodeID[int], no resolve_id override).
HOT_IDS = ("Case", "ServiceItem", "Window")
# Root fields whose resolver function is called without strawberry's resolver wrapper.
HOT_ROOTS = ("case", "cases")
# Types whose plain data fields read their attribute directly (a case list's rows and a case's events).
HOT_DATA = ("CaseConnection", "CaseEdge", "Case", "Applicant", "CaseEvent", "ServiceItem", "Window")


# The resolvers strawberry built for the fields given plain ones below, by type and field name
# (tests compare the two).
REPLACED: dict[tuple[str, str], Any] = {}


def _global_id(type_name: str) -> Callable[[Any, GraphQLResolveInfo[Any]], str]:
    prefix = f"{type_name}:"

    def resolve(source: Any, _info: GraphQLResolveInfo[Any]) -> str:
        # The text a GlobalID serializes to (strawberry's to_base64; the ID scalar passes text
        # through): no frozen dataclass built and turned into text again for every row.
        # (base64.b64encode without its argument checks: the text's bytes are bytes.)
        return b2a_base64(f"{prefix}{source.id}".encode(), newline=False).decode()

    resolve.ignores_info = True  # type: ignore[attr-defined]  # (schema.compiled passes None)
    resolve.returns_now = True  # type: ignore[attr-defined]  # (and may call it twice)
    return resolve


def _attribute(python_name: str) -> Callable[[Any, GraphQLResolveInfo[Any]], Any]:
    def resolve(source: Any, _info: GraphQLResolveInfo[Any]) -> Any:
        return getattr(source, python_name)

    resolve._is_default = True  # type: ignore[attr-defined]  # (as strawberry marks its own)
    resolve.reads_attribute = python_name  # type: ignore[attr-defined]  # (schema.compiled reads it)
    return resolve


def _plain_data(field: GraphQLField) -> StrawberryField | None:
    """The strawberry field behind a GraphQL field when it is plain data (no resolver etc.)."""
    definition = (field.extensions or {}).get("strawberry-definition")
    if (
        isinstance(definition, StrawberryField)
        and definition.base_resolver is None
        and not definition.permission_classes
        and not definition.extensions
        and getattr(field.resolve, "__name__", "") == "_get_basic_result"
    ):
        return definition
    return None


def _case_item(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
    listed = getattr(source, "listed_item", None)  # (read with a list's page: Case.listed)
    if listed is not None:
        return listed
    loaders = info.context.loaders
    return now_or_later(loaders.item, source.item_id, service_item_of, loaders.views)


def _case_window(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
    if source.window_id is None:
        return None
    listed = getattr(source, "listed_window", None)
    if listed is not None:
        return listed
    loaders = info.context.loaders
    return now_or_later(loaders.window, source.window_id, window_of, loaders.views)


def _peek_case_item(source: Any, context: Any) -> Any:
    """The case's item view when the request already holds it, else LookupError."""
    listed = getattr(source, "listed_item", None)
    if listed is not None:
        return listed
    loaders = context.loaders
    return loaded_now(loaders.item, source.item_id, service_item_of, loaders.views)


def _peek_case_window(source: Any, context: Any) -> Any:
    """The case's window view (or None) when the request already holds it, else LookupError."""
    if source.window_id is None:
        return None
    listed = getattr(source, "listed_window", None)
    if listed is not None:
        return listed
    loaders = context.loaders
    return loaded_now(loaders.window, source.window_id, window_of, loaders.views)


def _case_events(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
    # At once when the request already holds them (`case(number)` reads them with the case).
    return now_or_later(info.context.loaders.case_events, source.row_id, partial(events_of, source))


def _peek_case_events(source: Any, context: Any) -> Any:
    """The case's event views when the request already holds its events, else LookupError."""
    return loaded_now(context.loaders.case_events, source.row_id, partial(events_of, source))


_case_item.peek_with_context = _peek_case_item  # type: ignore[attr-defined]
_case_window.peek_with_context = _peek_case_window  # type: ignore[attr-defined]
_case_events.peek_with_context = _peek_case_events  # type: ignore[attr-defined]


def _direct(schema: strawberry.Schema, field: GraphQLField) -> Callable[..., Any]:
    """The root field's resolver function called as strawberry's resolver wrapper calls it.

    The wrapper builds the Info, converts the arguments, runs the field extensions and
    permission classes (the fields here have none: checked) and awaits the result, through
    several layers of calls per request; this does the same in one coroutine: the Info as
    strawberry builds it, the arguments by the converters strawberry's wrapper uses
    (schema.arguments), any error raised where the wrapper's coroutine raises it.
    """
    definition = (field.extensions or {}).get("strawberry-definition")
    resolver = definition.base_resolver if isinstance(definition, StrawberryField) else None
    assert isinstance(definition, StrawberryField)  # noqa: S101  (a fixed schema)
    assert resolver is not None  # noqa: S101
    assert resolver.is_async  # noqa: S101
    assert not definition.permission_classes  # noqa: S101
    assert not definition.extensions  # noqa: S101
    assert resolver.self_parameter is not None  # noqa: S101
    assert resolver.root_parameter is None  # noqa: S101
    assert resolver.parent_parameter is None  # noqa: S101
    info_parameter = resolver.info_parameter
    assert info_parameter is not None  # noqa: S101
    assert info_parameter.name == "info"  # noqa: S101
    function = resolver.wrapped_func
    assert not isinstance(function, classmethod | staticmethod)  # noqa: S101  (a plain method)
    arguments = definition.arguments
    info_class = schema.config.info_class
    registry = schema.schema_converter.scalar_registry
    config = schema.config

    async def resolve(source: Any, info: GraphQLResolveInfo[Any], **values: Any) -> Any:
        kwargs = CONVERTERS.convert(values, arguments, registry, config)
        return await function(source, info=info_class(_raw_info=info, _field=definition), **kwargs)

    return resolve


def install(schema: strawberry.Schema) -> strawberry.Schema:
    """Point the hot fields of the built schema at their plain resolvers."""
    types = schema._schema.type_map
    if schema.config.default_resolver is getattr:
        for name in HOT_DATA:
            object_type = types[name]
            assert isinstance(object_type, GraphQLObjectType)  # noqa: S101  (a fixed schema)
            for field in object_type.fields.values():
                definition = _plain_data(field)
                if definition is not None:
                    field.resolve = _attribute(definition.python_name)
    for name in HOT_IDS:
        object_type = types[name]
        assert isinstance(object_type, GraphQLObjectType)  # noqa: S101  (a fixed schema)
        object_type.fields["id"].resolve = _global_id(name)
    case = types["Case"]
    assert isinstance(case, GraphQLObjectType)  # noqa: S101
    case.fields["item"].resolve = _case_item
    case.fields["window"].resolve = _case_window
    case.fields["events"].resolve = _case_events
    query = types["Query"]
    assert isinstance(query, GraphQLObjectType)  # noqa: S101
    for name in HOT_ROOTS:
        REPLACED[query.name, name] = query.fields[name].resolve
        query.fields[name].resolve = _direct(schema, query.fields[name])
    _install_statistics(schema)
    return schema


def _install_statistics(schema: strawberry.Schema) -> None:
    """The statistics table's root field without strawberry's per-field wrapper, when its
    arguments convert by plan (see schema.queries.statistics.plain_resolver)."""
    query = schema._schema.query_type
    assert query is not None  # noqa: S101  (a fixed schema)
    field = query.fields["statistics"]
    resolve = plain_resolver(field, schema.schema_converter.scalar_registry, schema.config)
    if resolve is not None:
        REPLACED[query.name, "statistics"] = field.resolve
        field.resolve = resolve
