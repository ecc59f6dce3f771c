"""What an API key may ask for: the root fields named in its scopes, nothing else."""

from __future__ import annotations

from collections.abc import Iterable

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

FORBIDDEN = "FORBIDDEN"
OUT_OF_SCOPE = "OUT_OF_SCOPE"


def root_field_names(schema: GraphQLSchema) -> set[str]:
    """Every root field a scope may name (queries, mutations, subscriptions)."""
    roots = (schema.query_type, schema.mutation_type, schema.subscription_type)
    return {name for root in roots if root is not None for name in root.fields}


def _root_fields(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], seen: set[str]
) -> Iterable[FieldNode]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _root_fields(fragment.selection_set, fragments, seen)


def scope_errors(
    document: DocumentNode, operation_name: str | None, scopes: frozenset[str]
) -> list[GraphQLError]:
    """An error naming each root field of the operation outside the key's scopes."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        and (operation_name is None or (d.name is not None and d.name.value == operation_name))
    ]
    denied: list[str] = []
    for operation in operations:
        for field in _root_fields(operation.selection_set, fragments, set()):
            name = field.name.value
            if name != "__typename" and name not in scopes and name not in denied:
                denied.append(name)
    if not denied:
        return []
    return [
        GraphQLError(
            f"该API密钥无权访问：{', '.join(denied)}",
            extensions={"code": FORBIDDEN, "reason": OUT_OF_SCOPE, "fields": denied},
        )
    ]
