"""Masking of personal data for display, and the mark that registers a personal-data field."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from graphql import GraphQLObjectType

# The key of a field's strawberry metadata that marks it as personal data.
PERSONAL_DATA = "personal_data"


class PersonalData(StrEnum):
    """What kind of personal information a field carries (DOMAIN.md Privacy)."""

    NAME = "NAME"
    ID_NUMBER = "ID_NUMBER"
    PHONE = "PHONE"


class Exposure(StrEnum):
    """How a personal-data field shows its value."""

    MASKED = "MASKED"
    RAW = "RAW"  # only on the logged unmasking's result type


def personal(kind: PersonalData, exposure: Exposure = Exposure.MASKED) -> dict[str, Any]:
    """The metadata marking a field as personal data (`strawberry.field(metadata=...)`)."""
    return {PERSONAL_DATA: (kind, exposure)}


def personal_fields(schema: Any) -> dict[str, tuple[PersonalData, Exposure]]:
    """Every field of a strawberry schema marked personal, as `Type.fieldName`."""
    found: dict[str, tuple[PersonalData, Exposure]] = {}
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType):
            continue
        for name, field in graphql_type.fields.items():
            definition = (field.extensions or {}).get("strawberry-definition")
            mark = getattr(definition, "metadata", None) or {}
            if PERSONAL_DATA in mark:
                found[f"{graphql_type.name}.{name}"] = mark[PERSONAL_DATA]
    return found


def mask_mobile(mobile: str) -> str:
    """138****1234."""
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) >= 7 else "*" * len(mobile)


def mask_id_number(number: str) -> str:
    """110101********1234 (resident ID) or 9111********123X (credit code): head and tail kept."""
    if len(number) < 10:
        return "*" * len(number)
    head = 6
    return f"{number[:head]}{'*' * (len(number) - head - 4)}{number[-4:]}"


def mask_name(name: str, *, person: bool = True) -> str:
    """张** for a person; an organisation keeps its first and last two characters."""
    if person or len(name) <= 4:
        return name[:1] + "*" * max(len(name) - 1, 1)
    return name[:2] + "*" * (len(name) - 4) + name[-2:]
