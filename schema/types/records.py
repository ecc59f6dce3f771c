"""GraphQL views over driver records: each field converted from the record when first read.

A list of fifty cases that shows five fields of each, with their items' and windows' names,
would otherwise build every field of every object (applicants masked, JSON parsed, enums made,
tortoise models instantiated) and drop most of it. A view holds its record and converts a field
on first read, then keeps it; graphql-core and the compiled executor read fields as attributes,
so they see no difference. Records come from the driver and never change afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

import orjson

# Reads one field's value from a record.
Read = Callable[[Mapping[str, Any]], Any]


def column(name: str) -> Read:
    """The column's value as the driver returns it."""

    def read(row: Mapping[str, Any]) -> Any:
        return row[name]

    return read


def enum_column(kind: Callable[[Any], Any], name: str) -> Read:
    """The column's text as an enum member (None stays None)."""

    # The members by value, as Enum.__call__ finds them first (a dict read instead of a call
    # through the enum machinery); any other value still goes through `kind`.
    members: Mapping[Any, Any] = getattr(kind, "_value2member_map_", {})

    def read(row: Mapping[str, Any]) -> Any:
        value = row[name]
        if value is None:
            return None
        member = members.get(value)
        return kind(value) if member is None else member

    return read


def json_column(name: str) -> Read:
    """A JSON column, parsed (the driver returns JSON as text; a model holds it parsed)."""

    def read(row: Mapping[str, Any]) -> Any:
        value = row[name]
        return orjson.loads(value) if isinstance(value, str | bytes) else value

    return read


def columns_of(
    field_columns: Mapping[str, tuple[str, ...]], names: Iterable[str], *also: str
) -> set[str] | None:
    """The columns the fields `names` read (by GraphQL name, from `field_columns`) with `also`;
    None when a name is not in `field_columns` (a view must then have every column)."""
    needed = set(also)
    for name in names:
        columns = field_columns.get(name)
        if columns is None:
            return None
        needed.update(columns)
    return needed


class RecordView:
    """Mixin before a strawberry type: the type's data fields read lazily from a record.

    `FIELDS` maps every data field of the type to its reader (a test checks it covers them).
    """

    FIELDS: ClassVar[Mapping[str, Read]]
    # Not a strawberry.cast() object (strawberry asks each object it type-checks).
    __as_strawberry_type__ = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Give each field a lazy attribute on the view class (the type has no value for it)."""
        super().__init_subclass__(**kwargs)
        for name, read in cls.__dict__.get("FIELDS", {}).items():
            # A name the class already answers (a default value) stays as the type has it.
            if not hasattr(cls, name):
                setattr(cls, name, _Lazy(name, read))

    def __init__(self, row: Mapping[str, Any]) -> None:
        # No dataclass __init__: the fields come from the record, when read.
        self.__dict__["_record"] = row


class _Lazy:
    """A view's field: converted from the record on first read, then kept in the instance.

    A non-data descriptor, so the kept value (in the instance's __dict__) wins afterwards. It
    is found by the ordinary attribute look-up (a __getattr__ fallback ran only after that
    look-up had failed and raised): a list of fifty cases reads about 450 fields, each a third
    as dear.
    """

    __slots__ = ("name", "read")

    def __init__(self, name: str, read: Read) -> None:
        self.name = name
        self.read = read

    def __get__(self, view: Any, owner: type | None = None) -> Any:
        if view is None:
            return self
        kept = view.__dict__
        value = self.read(kept["_record"])
        kept[self.name] = value
        return value
