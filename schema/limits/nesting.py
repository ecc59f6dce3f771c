"""Depth, alias and field counts of a document with its fragments expanded, each fragment measured once.

A fragment spread twice counts twice (fragments nested in fragments multiply), but is walked
only once: a chain of fragments each spreading the next twice costs linear time here, where a
naive expansion is exponential.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from schema.limits.policy import QUERY_TOO_DEEP, TOO_MANY_ALIASES, TOO_MANY_FIELDS

INTROSPECTION = frozenset({"__schema", "__type"})
# Counts saturate here: a fragment bomb's true count would not fit a JSON number.
CAP = 10**9


@dataclass(frozen=True)
class Measure:
    """Deepest field nesting (a root field is 1), aliases and fields after expansion."""

    depth: int
    aliases: int
    fields: int


@dataclass
class _Walk:
    fragments: dict[str, FragmentDefinitionNode]
    done: dict[str, Measure] = field(default_factory=dict)
    open: set[str] = field(default_factory=set)

    def selection_set(self, node: SelectionSetNode | None) -> Measure:
        if node is None:
            return Measure(0, 0, 0)
        depth = aliases = fields = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                inner = self.selection_set(selection.selection_set)
                # Introspection (in development; off in production) is not held to the depth
                # limit, as strawberry's limiter did not: GraphiQL's query nests 14 levels.
                introspection = selection.name.value in INTROSPECTION
                depth = max(depth, 1 if introspection else 1 + inner.depth)
                aliases += inner.aliases + (1 if selection.alias else 0)
                fields += inner.fields + 1
                continue
            if isinstance(selection, InlineFragmentNode):
                inner = self.selection_set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                inner = self.fragment(selection.name.value)
            else:
                continue
            depth, aliases, fields = (
                max(depth, inner.depth),
                aliases + inner.aliases,
                fields + inner.fields,
            )
        return Measure(depth, min(aliases, CAP), min(fields, CAP))

    def fragment(self, name: str) -> Measure:
        known = self.done.get(name)
        if known is not None:
            return known
        definition = self.fragments.get(name)
        if definition is None or name in self.open:
            return Measure(0, 0, 0)  # unknown or circular: the spec rules report those
        self.open.add(name)
        measured = self.selection_set(definition.selection_set)
        self.open.discard(name)
        self.done[name] = measured
        return measured


def measure(document: DocumentNode) -> Measure:
    """The deepest operation, and the aliases and fields of all operations, fragments expanded."""
    walk = _Walk(
        {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    )
    depth = aliases = fields = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            measured = walk.selection_set(definition.selection_set)
            depth = max(depth, measured.depth)
            aliases, fields = aliases + measured.aliases, fields + measured.fields
    return Measure(depth, min(aliases, CAP), min(fields, CAP))


def nesting_errors(
    document: DocumentNode, max_depth: int, max_aliases: int, max_fields: int
) -> list[GraphQLError]:
    """Errors for a document nested too deep below its root fields, or with too many aliases or fields."""
    measured = measure(document)
    errors = []
    depth = measured.depth - 1  # root fields are level 0, as strawberry's depth limiter counts
    if depth > max_depth:
        errors.append(
            GraphQLError(
                f"查询嵌套过深：{depth} 层，上限 {max_depth} 层",
                extensions={"code": QUERY_TOO_DEEP, "limit": max_depth, "actual": depth},
            )
        )
    if measured.aliases > max_aliases:
        errors.append(
            GraphQLError(
                f"别名过多：展开片段后 {measured.aliases} 个，上限 {max_aliases} 个",
                extensions={
                    "code": TOO_MANY_ALIASES,
                    "limit": max_aliases,
                    "actual": measured.aliases,
                },
            )
        )
    if measured.fields > max_fields:
        errors.append(
            GraphQLError(
                f"字段过多：展开片段后 {measured.fields} 个，上限 {max_fields} 个",
                extensions={
                    "code": TOO_MANY_FIELDS,
                    "limit": max_fields,
                    "actual": measured.fields,
                },
            )
        )
    return errors
