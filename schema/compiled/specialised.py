"""Specialised functions: an object plan's fields completed by code generated for that plan.

The generic loop (schema.compiled.running) decides per field and per value what to do: read an
attribute or call a resolver, build a path, check for awaitables, dispatch to a completer. For a
plan whose fields are all read synchronously without an info (attributes, resolvers that
declare they return at once, values peeked from the request's loaders), the decisions are
known when the plan is built, so a function written for the plan makes them once: it reads the
fields directly and inlines the leaves' output coercions and the sub-objects' functions.

The function only handles the usual case and never has an effect of its own: on anything else
(an exception, a null in a non-null position, an awaitable, a value its fast checks do not
recognise) it returns MISS before anything is recorded, and the generic path completes the
object from the start, with its errors, paths and null propagation. Reading a field again is
harmless for the readers allowed here (see the marks in schema.compiled.plans).
"""

from __future__ import annotations

import datetime
import enum
import itertools
from collections.abc import Callable
from decimal import Decimal
from keyword import iskeyword
from typing import TYPE_CHECKING, Any
from uuid import UUID

from graphql import (
    GraphQLEnumType,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    specified_scalar_types,
)
from graphql.pyutils import Undefined

if TYPE_CHECKING:
    from schema.compiled.executor import CompiledExecutor
    from schema.compiled.plans import FieldPlan, ObjectPlan

# (executor, source) -> the object's completed fields, or MISS.
Specialised = Callable[["CompiledExecutor", Any], Any]


class _Miss:
    """The specialised function's answer when the generic path must complete the object."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISS"


MISS: Any = _Miss()

# Completed leaf values that are never awaitable (what graphql-core would await).
PLAIN = frozenset({str, int, float, bool, list, dict})
# Values that are never awaitable nor exceptions: a custom scalar's coercion of one is only
# checked for its result.
INERT = frozenset(
    {str, int, float, bool, datetime.date, datetime.datetime, datetime.time, Decimal, UUID}
)
# Specified scalars whose output coercion returns a value of this exact type unchanged.
_UNCHANGED = {"String": str, "ID": str, "Boolean": bool}
# strawberry's `is_type_of`, which never reads its info argument.
_STRAWBERRY_IS_TYPE_OF = "strawberry.schema.schema_converter"

_numbers = itertools.count()


def specialise(plan: ObjectPlan) -> Specialised | None:
    """The plan's specialised function, or None when some field needs the generic path."""
    return _Writer(plan).function()


def _indented(lines: list[str]) -> list[str]:
    return [f"    {line}" for line in lines]


class _Writer:
    """Writes one plan's function: source text plus the objects it names."""

    def __init__(self, plan: ObjectPlan) -> None:
        self.plan = plan
        self.names: dict[str, Any] = {
            "MISS": MISS,
            "PLAIN": PLAIN,
            "INERT": INERT,
            "Undefined": Undefined,
        }

    def name(self, value: Any, hint: str) -> str:
        """A global name in the generated module for a value the function uses."""
        name = f"{hint}{len(self.names)}"
        self.names[name] = value
        return name

    def function(self) -> Specialised | None:
        """Compile the plan's function (None when a field cannot be specialised)."""
        body: list[str] = []
        entries: list[str] = []
        for index, field in enumerate(self.plan.fields):
            key = repr(field.response_name)
            if field.constant is not None:
                entries.append(f"{key}: {self.name(field.constant, 'c')}")
                continue
            var = f"v{index}"
            read = self.read(field)
            lines = self.complete(field.return_type, field, var, 0)
            if read is None or lines is None:
                return None
            body.append(f"{var} = {read}")
            body.extend(lines)
            entries.append(f"{key}: {var}")
        function_name = f"complete_{self.plan.type_name}"
        source = "\n".join(
            [
                f"def {function_name}(ex, s):",
                "    try:",
                *_indented(_indented(body or ["pass"])),
                "    except Exception:",
                "        return MISS",
                f"    return {{{', '.join(entries)}}}",
            ]
        )
        filename = f"<specialised {self.plan.type_name} {next(_numbers)}>"
        exec(compile(source, filename, "exec"), self.names)  # noqa: S102  (our own text)
        function: Specialised = self.names[function_name]
        function.__doc__ = source  # (shown when debugging; the text is not kept elsewhere)
        return function

    def read(self, field: FieldPlan) -> str | None:
        """The expression reading the field's value from the source `s`."""
        reader = field.reader()
        if reader is None:
            return None
        kind, how = reader
        if kind == "attribute":
            if how.isidentifier() and not iskeyword(how) and not how.startswith("__"):
                return f"s.{how}"
            return f"getattr(s, {self.name(how, 'a')})"
        if kind == "call":
            return f"{self.name(how, 'r')}(s, None)"
        return f"{self.name(how, 'p')}(s, ex.context_value)"

    def complete(
        self, return_type: GraphQLOutputType, field: FieldPlan, var: str, depth: int
    ) -> list[str] | None:
        """Lines completing `var` in place for the type; `return MISS` on anything unusual."""
        if isinstance(return_type, GraphQLNonNull):
            inner = self.present(return_type.of_type, field, var, depth)
            return None if inner is None else [f"if {var} is None: return MISS", *inner]
        inner = self.present(return_type, field, var, depth)
        return None if inner is None else [f"if {var} is not None:", *_indented(inner)]

    def present(
        self, return_type: GraphQLOutputType, field: FieldPlan, var: str, depth: int
    ) -> list[str] | None:
        """Lines completing a `var` that is not None."""
        if isinstance(return_type, GraphQLList):
            item, items = f"i{depth}", f"l{depth}"
            lines = self.complete(return_type.of_type, field, item, depth + 1)
            if lines is None:
                return None
            return [
                f"if type({var}) is not list and type({var}) is not tuple: return MISS",
                f"{items} = []",
                f"for {item} in {var}:",
                *_indented([*lines, f"{items}.append({item})"]),
                f"{var} = {items}",
            ]
        if isinstance(return_type, GraphQLObjectType):
            return self.object(field, var)
        if isinstance(return_type, GraphQLLeafType):
            return self.leaf(return_type, var)
        return None  # an interface or a union: the generic path resolves the runtime type

    def object(self, field: FieldPlan, var: str) -> list[str] | None:
        """Lines checking the value's type and completing its sub-selection."""
        sub = field.object_plan
        if sub is None or sub.specialised is None:
            return None
        is_type_of = sub.is_type_of
        if is_type_of is None:
            check = f"if isinstance({var}, Exception) or ex.is_awaitable({var}): return MISS"
        elif getattr(is_type_of, "__module__", None) == _STRAWBERRY_IS_TYPE_OF:
            check = f"if {self.name(is_type_of, 't')}({var}, None) is not True: return MISS"
        else:
            return None  # it may read its info
        function = self.name(sub.specialised, "f")
        return [check, f"{var} = {function}(ex, {var})", f"if {var} is MISS: return MISS"]

    def leaf(self, leaf_type: GraphQLLeafType, var: str) -> list[str]:
        """Lines coercing a scalar or enum value for output."""
        coerce = self.name(leaf_type.coerce_output_value, "k")
        general = [
            f"if type({var}) not in INERT and (",
            f"    {var} is Undefined or isinstance({var}, Exception) or ex.is_awaitable({var})",
            "): return MISS",
            f"{var} = {coerce}({var})",
            f"if type({var}) not in PLAIN: return MISS",
        ]
        unchanged = _UNCHANGED.get(leaf_type.name)
        if unchanged is not None and specified_scalar_types.get(leaf_type.name) is leaf_type:
            return [f"if type({var}) is not {unchanged.__name__}:", *_indented(general)]
        names = _enum_names(leaf_type)
        if names is not None:
            kind, table = names
            return [
                f"if type({var}) is {self.name(kind, 'e')}: {var} = {self.name(table, 'n')}[{var}]",
                "else:",
                *_indented(general),
            ]
        return general


def _enum_names(leaf_type: GraphQLLeafType) -> tuple[type, dict[Any, str]] | None:
    """(Python enum, member -> output name) of a strawberry enum, by its own coercion."""
    wrapped = getattr(leaf_type, "wrapped_cls", None)
    if not (
        isinstance(leaf_type, GraphQLEnumType)
        and isinstance(wrapped, type)
        and issubclass(wrapped, enum.Enum)
    ):
        return None
    table: dict[Any, str] = {}
    for member in wrapped:
        try:
            name = leaf_type.coerce_output_value(member)
        except Exception:  # noqa: S112  (left to the general coercion)
            continue
        if type(name) is str:
            table[member] = name
    if len(table) != len(wrapped):
        return None
    return wrapped, table
