"""Resolver arguments converted by a converter built once per field, not per request.

strawberry turns the argument values graphql-core coerced into Python values (input
dataclasses, GlobalIDs) with `convert_arguments`, which for every request and every value
looks up the argument's GraphQL name, its resolved type, whether that type is a leaf, an
optional, a list, an enum or an input, and each input field's name and type again: about a
tenth of a small mutation's CPU. The types do not change once the schema is built, so this
module builds, per argument list, one converter that makes the same checks in the same order
(`strawberry.types.arguments.convert_argument`) with the look-ups done. Types it does not cover
(`Maybe`, inputs with their own `from_input`, anything unknown) keep strawberry's conversion.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any

from strawberry.relay.types import GlobalID, GlobalIDValueError, InvalidGlobalIDError
from strawberry.schema import schema_converter
from strawberry.schema.config import StrawberryConfig
from strawberry.types.arguments import (
    StrawberryArgument,
    _is_leaf_type,
    _is_optional_leaf_type,
    convert_arguments,
)
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryOptional,
    StrawberryType,
    has_object_definition,
)
from strawberry.types.enum import has_enum_definition
from strawberry.types.lazy_type import LazyType
from strawberry.types.unset import UNSET

Convert = Callable[[Any], Any]
Registry = Mapping[object, Any]


class Unsupported(Exception):
    """A type this module leaves to strawberry's own conversion."""


def _global_id(value: Any) -> GlobalID:
    try:
        return GlobalID.from_id(value)
    except GlobalIDValueError as error:
        raise InvalidGlobalIDError(f'Value cannot represent a GlobalID: "{value}".') from error


def _same(value: Any) -> Any:
    return value


def _nullable(convert: Convert) -> Convert:
    """None and UNSET pass as they are (convert_argument's checks after Optional)."""

    def convert_value(value: Any) -> Any:
        if value is None:
            return None
        if value is UNSET:
            return UNSET
        return convert(value)

    return convert_value


def converter(
    type_: StrawberryType | type, registry: Registry, config: StrawberryConfig
) -> Convert:
    """The conversion convert_argument applies to values of `type_`; Unsupported if not covered."""
    if isinstance(type_, StrawberryMaybe):
        raise Unsupported("Maybe")
    if isinstance(type_, StrawberryOptional):
        return converter(type_.of_type, registry, config)  # the inner checks None and UNSET
    return _nullable(_base(type_, registry, config))


def _base(type_: StrawberryType | type, registry: Registry, config: StrawberryConfig) -> Convert:
    if isinstance(type_, StrawberryList):
        item = type_.of_type
        if _is_leaf_type(item, registry, skip_classes=(GlobalID,)) or _is_optional_leaf_type(
            item, registry, skip_classes=(GlobalID,)
        ):
            return list  # copied: graphql-core shares defaults between requests
        convert_item = converter(item, registry, config)
        return lambda values: [convert_item(x) for x in values]
    if _is_leaf_type(type_, registry):
        return _global_id if type_ is GlobalID else _same
    if isinstance(type_, LazyType):
        return converter(type_.resolve_type(), registry, config)
    if has_enum_definition(type_):
        return _base(type_.__strawberry_definition__, registry, config)
    if has_object_definition(type_):
        return _input(type_, registry, config)
    raise Unsupported(repr(type_))


def _input(type_: type, registry: Registry, config: StrawberryConfig) -> Convert:
    definition = type_.__strawberry_definition__  # type: ignore[attr-defined]
    if definition.from_input is not None:
        raise Unsupported("from_input")
    implicit: dict[str, None] = {}
    if definition.is_input:
        implicit = {
            field.python_name: None
            for field in definition.fields
            if field.default_value is MISSING and field.default_factory is MISSING
        }
    fields = tuple(
        (
            config.name_converter.from_field(field),
            field.python_name,
            converter(field.resolve_type(type_definition=definition), registry, config),
        )
        for field in definition.fields
    )

    def convert_input(value: Mapping[str, Any]) -> Any:
        kwargs: dict[str, Any] = dict(implicit)
        for graphql_name, python_name, convert in fields:
            if graphql_name in value:
                kwargs[python_name] = convert(value[graphql_name])
        return type_(**kwargs)

    return convert_input


ArgumentsPlan = tuple[tuple[str, str, Convert], ...]


class ArgumentConverters:
    """`convert_arguments` with a plan per argument list (its identity), built on first use."""

    def __init__(self) -> None:
        # id(arguments) -> (the list itself, kept so that the id stays taken; its plan or None).
        self._plans: dict[int, tuple[list[StrawberryArgument], ArgumentsPlan | None]] = {}

    def plan(
        self, arguments: list[StrawberryArgument], registry: Registry, config: StrawberryConfig
    ) -> ArgumentsPlan | None:
        """The converters of an argument list, or None when one of its types is not covered."""
        known = self._plans.get(id(arguments))
        if known is not None and known[0] is arguments:
            return known[1]
        plan: ArgumentsPlan | None
        try:
            plan = tuple(
                (
                    config.name_converter.from_argument(argument),
                    argument.python_name,
                    converter(argument.type, registry, config),
                )
                for argument in arguments
                if argument.python_name
            )
            if len(plan) != len(arguments):
                plan = None
        except Unsupported:
            plan = None
        self._plans[id(arguments)] = (arguments, plan)
        return plan

    def convert(
        self,
        value: dict[str, Any],
        arguments: list[StrawberryArgument],
        scalar_registry: Registry,
        config: StrawberryConfig,
        info: Any = None,
    ) -> dict[str, Any]:
        """What strawberry's `convert_arguments` returns for these values."""
        if not arguments:
            return {}
        plan = self.plan(arguments, scalar_registry, config)
        if plan is None:
            return convert_arguments(value, arguments, scalar_registry, config, info)
        kwargs = {}
        for name, python_name, convert in plan:
            if name in value:
                kwargs[python_name] = convert(value[name])
        return kwargs


CONVERTERS = ArgumentConverters()


def install() -> None:
    """Resolvers' arguments go through CONVERTERS (strawberry's resolver wrapper calls this name)."""
    setattr(schema_converter, "convert_arguments", CONVERTERS.convert)  # noqa: B010
