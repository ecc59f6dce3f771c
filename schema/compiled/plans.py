"""Plans: per field of an operation, what graphql-core's executor would look up, found once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLAbstractType,
    GraphQLError,
    GraphQLField,
    GraphQLFieldResolver,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    OperationDefinitionNode,
    VariableNode,
    Visitor,
    get_argument_values,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    visit,
)
from graphql.execution.collect_fields import (
    FieldDetailsList,
    FragmentDetails,
    GroupedFieldSet,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import VariableValues
from graphql.language import FieldNode
from graphql.type.introspection import TypeNameMetaFieldDef
from strawberry.types.field import StrawberryField

from schema.compiled import completers
from schema.compiled.specialised import specialise

if TYPE_CHECKING:
    from schema.compiled.completers import Complete
    from schema.compiled.specialised import Specialised

# What resolvers may declare about themselves (set by schema.hot_fields):
# the resolver returns `getattr(source, <name>)` and nothing else;
READS_ATTRIBUTE = "reads_attribute"
# the resolver never reads its `info` argument.
IGNORES_INFO = "ignores_info"
# the resolver is synchronous and reads nothing but its source: calling it again gives the same
# value with no other effect (the specialised path may call it before the generic one does);
RETURNS_NOW = "returns_now"
# `resolver.peek_with_context(source, context)`: the resolver's value when it is at hand without
# waiting (read from the request's context, no other effect), else LookupError.
PEEKS_WITH_CONTEXT = "peek_with_context"
# strawberry's resolver of a plain data field, which calls `get_result(info=None)`: the
# attribute when strawberry's default resolver is getattr.
STRAWBERRY_BASIC_FIELD = "_get_basic_result"


class FieldPlan:
    """One response key of an object: its field, resolver, arguments and completer."""

    __slots__ = (
        "attribute",
        "complete",
        "constant",
        "details",
        "field_def",
        "field_name",
        "info_free",
        "info_head",
        "leaf",
        "leaf_sync",
        "nodes",
        "object_plan",
        "parent_type",
        "resolve",
        "response_name",
        "return_type",
        "static_args",
    )

    def __init__(
        self,
        response_name: str,
        parent_type: GraphQLObjectType,
        field_def: GraphQLField,
        details: FieldDetailsList,
        static_args: dict[str, Any] | None,
    ) -> None:
        self.response_name = response_name
        self.parent_type = parent_type
        self.field_def = field_def
        self.details = details
        self.nodes: list[FieldNode] = [d.node for d in details]
        self.field_name = self.nodes[0].name.value
        self.return_type: GraphQLOutputType = field_def.type
        self.resolve: GraphQLFieldResolver | None = field_def.resolve
        self.static_args = static_args
        # (field_name, field_nodes, return_type, parent_type): the info's fields before `path`.
        self.info_head = (self.field_name, self.nodes, self.return_type, parent_type)
        # `__typename` resolves to the parent's name whatever the source.
        self.constant: str | None = parent_type.name if field_def is TypeNameMetaFieldDef else None
        self.attribute: str | None = None
        self.info_free = False
        self.complete: Complete = completers.unplanned
        # For a leaf resolved without an info: its completion in one call (value -> completed),
        # run with no path (built only for an error), and whether it is never awaitable.
        self.leaf: Callable[[Any], Any] | None = None
        self.leaf_sync = False
        # The sub-selection's plan when the return type is an object type (through lists and
        # non-nulls); none for leaves and abstract types.
        self.object_plan: ObjectPlan | None = None

    def without_info(self) -> None:
        """Mark the field as resolvable without building an info, when its resolver allows."""
        if self.static_args != {} or not _leaf_chain(self.return_type):
            return
        resolve = self.resolve
        self.attribute = self._attribute_read()
        if self.attribute is None:
            # strawberry's basic resolver of a field with no plain attribute takes info=None.
            self.info_free = _is_basic(resolve) or getattr(resolve, IGNORES_INFO, False)
        if self.attribute is not None or (self.info_free and resolve is not None):
            self.leaf = completers.leaf_value(self.return_type, self)
            self.leaf_sync = completers.synchronous_leaf(self.return_type)

    def reader(self) -> tuple[str, Any] | None:
        """How the specialised path reads the field: ("attribute", name), ("call", resolver)
        or ("peek", peek_with_context); None when only the generic path may resolve it."""
        if self.static_args != {}:
            return None
        attribute = self._attribute_read()
        if attribute is not None:
            return ("attribute", attribute)
        resolve = self.resolve
        if getattr(resolve, IGNORES_INFO, False) and getattr(resolve, RETURNS_NOW, False):
            return ("call", resolve)
        peek = getattr(resolve, PEEKS_WITH_CONTEXT, None)
        return ("peek", peek) if callable(peek) else None

    def _attribute_read(self) -> str | None:
        """The attribute the field's resolver returns and nothing else, or None."""
        attribute = getattr(self.resolve, READS_ATTRIBUTE, None)
        if isinstance(attribute, str):
            return attribute
        return _basic_attribute(self.field_def) if _is_basic(self.resolve) else None


def _is_basic(resolve: Any) -> bool:
    """Whether the resolver is strawberry's resolver of a plain data field."""
    return getattr(resolve, "__name__", "") == STRAWBERRY_BASIC_FIELD


class ObjectPlan:
    """The fields to execute on one object type, in response order."""

    __slots__ = ("fields", "is_type_of", "object_type", "specialised", "type_name")

    def __init__(self, object_type: GraphQLObjectType, fields: tuple[FieldPlan, ...]) -> None:
        self.object_type = object_type
        self.type_name = object_type.name
        self.fields = fields
        self.is_type_of = object_type.is_type_of
        # (executor, source) -> the completed fields, or MISS for the generic path to run;
        # None when some field needs the generic path (see schema.compiled.specialised).
        self.specialised: Specialised | None = None


def _basic_attribute(field_def: GraphQLField) -> str | None:
    """The attribute strawberry's basic-field resolver reads (`getattr(source, python_name)`)."""
    definition = (field_def.extensions or {}).get("strawberry-definition")
    if (
        isinstance(definition, StrawberryField)
        and definition.base_resolver is None
        and definition.default_resolver is getattr
    ):
        return definition.python_name
    return None


def _leaf_chain(return_type: GraphQLOutputType) -> bool:
    """Whether the type is a leaf, possibly non-null: completing it never reads the info."""
    if isinstance(return_type, GraphQLNonNull):
        return_type = return_type.of_type
    return is_leaf_type(return_type)


def _uses_variables(node: FieldNode) -> bool:
    """Whether any argument value of the field node references a variable."""
    found = False

    class FindVariable(Visitor):
        def enter_variable(self, *_: Any) -> None:
            nonlocal found
            found = True

    for argument in node.arguments or ():
        visit(argument, FindVariable())
    return found


class Planner:
    """Builds the plan of one operation for one outcome of its @skip/@include conditions."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDetails],
        variable_values: VariableValues,
        operation: OperationDefinitionNode,
        hide_suggestions: bool,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variable_values = variable_values
        self.operation = operation
        self.hide_suggestions = hide_suggestions

    def root(self, root_type: GraphQLObjectType) -> ObjectPlan:
        """The plan of the operation's root selection."""
        grouped, defer_usages, _ = collect_fields(
            self.schema,
            self.fragments,
            self.variable_values,
            root_type,
            self.operation,
            self.hide_suggestions,
        )
        if defer_usages:
            raise Unplannable("@defer")
        return self.object_plan(root_type, grouped)

    def sub_plan(self, object_type: GraphQLObjectType, details: FieldDetailsList) -> ObjectPlan:
        """The plan of a field's sub-selection on one object type."""
        grouped, defer_usages, _ = collect_subfields(
            self.schema,
            self.fragments,
            self.variable_values,
            self.operation,
            object_type,
            details,
            self.hide_suggestions,
        )
        if defer_usages:
            raise Unplannable("@defer")
        return self.object_plan(object_type, grouped)

    def object_plan(self, parent_type: GraphQLObjectType, grouped: GroupedFieldSet) -> ObjectPlan:
        """Plans for the grouped fields of one object type."""
        fields: list[FieldPlan] = []
        for response_name, details in grouped.items():
            if any(d.fragment_variable_values is not None for d in details):
                raise Unplannable("fragment arguments")
            node = details[0].node
            field_def = self.schema.get_field(parent_type, node.name.value)
            if field_def is None:
                continue
            plan = FieldPlan(
                response_name, parent_type, field_def, details, self._static_args(field_def, node)
            )
            plan.complete = self.completer(plan.return_type, plan)
            plan.without_info()
            fields.append(plan)
        object_plan = ObjectPlan(parent_type, tuple(fields))
        object_plan.specialised = specialise(object_plan)
        return object_plan

    def _static_args(self, field_def: GraphQLField, node: FieldNode) -> dict[str, Any] | None:
        """The field's argument values when they use no variable and coerce, else None."""
        if not (field_def.args or node.arguments):
            return {}
        if _uses_variables(node):
            return None
        try:
            return get_argument_values(
                field_def, node, self.variable_values, None, self.hide_suggestions
            )
        except GraphQLError:
            return None  # raised again per request, where graphql-core raises it

    def completer(self, return_type: GraphQLOutputType, field: FieldPlan) -> Complete:
        """The completer of a return-type chain (graphql-core's complete_value, unrolled)."""
        if is_non_null_type(return_type):
            assert isinstance(return_type, GraphQLNonNull)  # noqa: S101  (narrowing)
            return completers.non_null(self.completer(return_type.of_type, field), field)
        if is_list_type(return_type):
            assert isinstance(return_type, GraphQLList)  # noqa: S101
            item_type = return_type.of_type
            return completers.list_of(self.completer(item_type, field), item_type, field)
        if is_leaf_type(return_type):
            assert isinstance(return_type, GraphQLLeafType)  # noqa: S101
            return completers.leaf(return_type)
        if is_abstract_type(return_type):
            assert isinstance(return_type, GraphQLAbstractType)  # noqa: S101
            by_type = {
                possible.name: completers.object_of(self.sub_plan(possible, field.details), field)
                for possible in self.schema.get_possible_types(return_type)
            }
            return completers.abstract(return_type, by_type, field)
        if is_object_type(return_type):
            assert isinstance(return_type, GraphQLObjectType)  # noqa: S101
            field.object_plan = self.sub_plan(return_type, field.details)
            return completers.object_of(field.object_plan, field)
        raise Unplannable(f"output type {return_type}")  # pragma: no cover  (not in the spec)


class Unplannable(Exception):
    """The operation uses something plans do not cover; graphql-core runs it."""


def conditions_of(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDetails]
) -> tuple[str, ...] | None:
    """The variables @skip/@include read, or None when a directive needs graphql-core."""
    names: list[str] = []
    unsupported = False

    class Directives(Visitor):
        def enter_directive(self, node: Any, *_: Any) -> None:
            nonlocal unsupported
            name = node.name.value
            if name not in {"skip", "include"}:
                unsupported = True  # @defer, @stream, or anything a later graphql-core adds
                return
            for argument in node.arguments or ():
                value = argument.value
                if isinstance(value, VariableNode) and value.name.value not in names:
                    names.append(value.name.value)

        def enter_fragment_spread(self, node: Any, *_: Any) -> None:
            nonlocal unsupported
            if getattr(node, "arguments", None):
                unsupported = True

    for definition in (operation, *(f.definition for f in fragments.values())):
        visit(definition, Directives())
    if any(f.variable_signatures for f in fragments.values()):
        unsupported = True
    return None if unsupported else tuple(names)
