"""Model enums exposed to GraphQL with a description on every value."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

import strawberry

E = TypeVar("E", bound=type[Enum])


def described_enum(cls: E, *, name: str, description: str, values: dict[str, str]) -> E:
    """Expose a model enum under `name`, describing each value (all must be described)."""
    missing = {member.name for member in cls} - set(values)
    if missing:
        raise ValueError(f"{name}: values without a description: {sorted(missing)}")
    wrapped = strawberry.enum(cls, name=name, description=description)
    definition = getattr(wrapped, "__strawberry_definition__")  # noqa: B009  (set by strawberry)
    for value in definition.values:
        value.description = values[value.name]
    return wrapped
