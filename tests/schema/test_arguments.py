"""Argument converters built per field give exactly what strawberry's conversion gives."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
)
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from schema.arguments import CONVERTERS
from schema.schema import schema

HALL_ID = "SGFsbDox"  # Hall:1


def _fields_with_arguments() -> list[tuple[str, StrawberryField]]:
    found = []
    for type_name, graphql_type in schema._schema.type_map.items():
        if not isinstance(graphql_type, GraphQLObjectType) or type_name.startswith("__"):
            continue
        for name, field in graphql_type.fields.items():
            definition = (field.extensions or {}).get("strawberry-definition")
            if field.args and isinstance(definition, StrawberryField) and definition.arguments:
                found.append((f"{type_name}.{name}", definition))
    return found


FIELDS = _fields_with_arguments()


def _value(type_: GraphQLInputType, variant: str, depth: int = 0) -> Any:
    """A coerced value of the type: every field given ("full"), nulls where allowed ("nulls"),
    optional fields left out ("sparse"), or a malformed global id ("bad id")."""
    if isinstance(type_, GraphQLNonNull) or variant == "nulls":
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else None
        return (
            None
            if inner is None
            else _value(inner, "full" if variant == "nulls" else variant, depth)
        )
    if isinstance(type_, GraphQLList):
        return [_value(type_.of_type, variant, depth), _value(type_.of_type, variant, depth)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values.values())).value
    if isinstance(type_, GraphQLInputObjectType):
        fields = {}
        for name, field in type_.fields.items():
            required = isinstance(field.type, GraphQLNonNull)
            if variant == "sparse" and not required:
                continue
            fields[name] = _value(field.type, variant if depth < 4 else "nulls", depth + 1)
        return fields
    assert isinstance(type_, GraphQLScalarType)
    return _scalar(type_, variant)


def _scalar(type_: GraphQLScalarType, variant: str) -> Any:
    if type_.name == "ID":
        return "nonsense" if variant == "bad id" else HALL_ID
    return {"String": "文本", "Int": 3, "Float": 1.5, "Boolean": True}.get(type_.name, "2026-01-02")


def _outcome(convert: Any, values: dict[str, Any], field: StrawberryField) -> Any:
    config = schema.config
    registry = schema.schema_converter.scalar_registry
    try:
        return convert(values, field.arguments, registry, config)
    except Exception as exc:
        return type(exc), str(exc)


def test_the_schema_has_fields_with_input_arguments() -> None:
    assert len(FIELDS) > 50
    names = [name for name, _ in FIELDS]
    assert "Mutation.ticketCallNext" in names
    registry, config = schema.schema_converter.scalar_registry, schema.config
    planned = [name for name, f in FIELDS if CONVERTERS.plan(f.arguments, registry, config)]
    assert "Mutation.ticketCallNext" in planned
    assert len(planned) == len(FIELDS)  # no Maybe or from_input in this schema


@pytest.mark.parametrize("variant", ["full", "nulls", "sparse", "bad id"])
@pytest.mark.parametrize(("name", "field"), FIELDS, ids=[name for name, _ in FIELDS])
def test_every_field_converts_as_strawberry_does(
    name: str, field: StrawberryField, variant: str
) -> None:
    graphql_type, field_name = name.split(".")
    object_type = schema._schema.type_map[graphql_type]
    assert isinstance(object_type, GraphQLObjectType)
    graphql_field = object_type.fields[field_name]
    values = {arg: _value(a.type, variant) for arg, a in graphql_field.args.items()}
    expected = _outcome(convert_arguments, values, field)
    assert _outcome(CONVERTERS.convert, values, field) == expected
    assert _outcome(CONVERTERS.convert, values, field) == expected  # and from its plan
