"""The SDL is the frontend team's documentation: every type, field, argument and value says what it is."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
)

from schema.schema import schema

BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


def _missing() -> list[str]:
    missing: list[str] = []
    for name, kind in schema._schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        if not kind.description:
            missing.append(name)
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in kind.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                missing += [
                    f"{name}.{field_name}({arg})" for arg, value in field.args.items()
                    if not value.description
                ]  # fmt: skip
        elif isinstance(kind, GraphQLInputObjectType):
            missing += [f"{name}.{f}" for f, value in kind.fields.items() if not value.description]
        elif isinstance(kind, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, value in kind.values.items() if not value.description]
        elif isinstance(kind, GraphQLUnionType) and not kind.description:
            missing.append(name)
    return missing


def test_every_type_field_argument_and_value_is_described() -> None:
    assert _missing() == []
