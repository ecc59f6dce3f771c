"""What an operation would cost, computed from the document and variables before it runs.

Every object a field returns costs 1; scalars cost nothing. A connection's children are
multiplied by its page size (`first`, or the argument's default), any other list's children by
the policy's assumed list size, and nested lists multiply. Each mutation field adds a fixed
cost; introspection fields cost 1. Fragments are costed once per request and scaled, so fragment bombs cost linear time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)

from schema.limits.nesting import CAP
from schema.limits.policy import BAD_USER_INPUT, PAGE_OUT_OF_RANGE, QueryPolicy

Composite = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


class PageTooLarge(Exception):
    """A connection was asked for a page outside 0..the policy's page size.

    Refused before execution with the same error the paging rule gives (BAD_USER_INPUT,
    reason OUT_OF_RANGE, field ["first"]), so clients see one contract either way.
    """

    def __init__(self, field_name: str, size: int, limit: int) -> None:
        super().__init__(field_name)
        self.error = GraphQLError(
            f"每页条数应在0到{limit}之间",
            extensions={
                "code": BAD_USER_INPUT,
                "reason": PAGE_OUT_OF_RANGE,
                "field": ["first"],
                "limit": limit,
                "actual": size,
            },
        )


@dataclass
class _Costing:
    schema: GraphQLSchema
    policy: QueryPolicy
    variables: dict[str, Any]
    defaults: dict[str, Any]
    fragments: dict[str, FragmentDefinitionNode]
    done: dict[str, int] = field(default_factory=dict)
    open: set[str] = field(default_factory=set)

    def selection_set(self, parent: Composite, node: SelectionSetNode | None) -> int:
        if node is None:
            return 0
        total = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                if isinstance(inner, Composite):
                    total += self.selection_set(inner, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
        return min(total, CAP)

    def fragment(self, name: str) -> int:
        if name in self.done:
            return self.done[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.open:
            return 0
        self.open.add(name)
        parent = self.schema.get_type(definition.type_condition.name.value)
        cost = (
            self.selection_set(parent, definition.selection_set)
            if isinstance(parent, Composite)
            else 0
        )
        self.open.discard(name)
        self.done[name] = cost
        return cost

    def field(self, parent: Composite, node: FieldNode) -> int:
        if node.name.value in ("__schema", "__type"):
            return 1  # introspection reads the schema in memory; depth and fields bound it
        definition = _field_definition(parent, node.name.value)
        if definition is None:
            return 0
        named = get_named_type(definition.type)
        if not isinstance(named, Composite):
            return 0
        size = self.page_size(node, definition)
        if size is None:
            size = self._list_size(parent, definition)
        return min(1 + size * self.selection_set(named, node.selection_set), CAP)

    def page_size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        """The `first` a connection field is asked for; None for other fields."""
        argument = definition.args.get("first")
        if argument is None:
            return None
        value: Any = argument.default_value
        for given in node.arguments or ():
            if given.name.value != "first":
                continue
            if isinstance(given.value, IntValueNode):
                value = int(given.value.value)
            elif isinstance(given.value, VariableNode):
                name = given.value.name.value
                value = self.variables.get(name, self.defaults.get(name, value))
        if not isinstance(value, int) or isinstance(value, bool):
            return self.policy.max_page
        if not 0 <= value <= self.policy.max_page:
            raise PageTooLarge(node.name.value, value, self.policy.max_page)
        return value

    def _list_size(self, parent: Composite, definition: GraphQLField) -> int:
        if not _is_list(definition.type):
            return 1
        if parent.name.endswith("Connection"):
            return 1  # a connection's edges and nodes: its page size counted already
        return self.policy.list_size


def _is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _field_definition(parent: Composite, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLUnionType):
        return None
    found: GraphQLField | None = parent.fields.get(name)
    return found


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    policy: QueryPolicy,
) -> int:
    """The operation's cost; raises PageTooLarge for an oversize page. A valid document only."""
    operation = _operation(document, operation_name)
    if operation is None:
        return 0  # execution reports the missing or ambiguous operation; nothing runs
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    if root is None:
        return 0
    defaults = {
        d.variable.name.value: int(d.default_value.value)
        for d in operation.variable_definitions or ()
        if isinstance(d.default_value, IntValueNode)
    }
    costing = _Costing(
        schema,
        policy,
        variables if isinstance(variables, dict) else {},
        defaults,
        {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)},
    )
    cost = costing.selection_set(root, operation.selection_set)
    if operation.operation is OperationType.MUTATION:
        fields = sum(1 for s in operation.selection_set.selections if isinstance(s, FieldNode))
        cost += policy.mutation_cost * max(fields, 1)
    return min(cost, CAP)
