"""graphql-core's `execute` for known documents, with what `Executor.build` finds kept per operation.

`execute` checks the schema, walks the document for the operation and its fragments, coerces
the variables and calls the executor's constructor with its defaults, on every request. For a
document already parsed and validated, the operation and its fragments never change: they are
found once per document and operation name (the same walk as `build`), and each request only
coerces its variables (the same `get_variable_values` call, remembered for the same operation
and the same variables' JSON: coerced values are only read) and constructs the executor with
the same arguments. Documents whose walk reports anything (no such operation, several operations
and no name, a fragment with a bad variable signature) are left to graphql-core's `execute`,
which reports it. A query whose plan (already built by an earlier request) resolves nothing,
only `__typename` at the root, is answered from the plan without an executor.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable
from typing import Any, NamedTuple

import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    default_field_resolver,
    default_type_resolver,
    execute,
)
from graphql.execution.collect_fields import FragmentDetails
from graphql.execution.execute import UNEXPECTED_MULTIPLE_PAYLOADS  # type: ignore[attr-defined]
from graphql.execution.get_variable_signature import get_variable_signature
from graphql.execution.values import VariableValues, get_variable_values
from graphql.pyutils import AwaitableOrValue

from schema.compiled.cache import PlanCache

MAX_COERCION_ERRORS = 50  # graphql-core's default
MAX_REMEMBERED_VARIABLES = 1_000  # bytes of JSON: longer variables are coerced every time


class Parts(NamedTuple):
    """What `Executor.build` finds in a document for one operation name."""

    operation: OperationDefinitionNode
    fragment_definitions: dict[str, FragmentDefinitionNode]
    fragments: dict[str, FragmentDetails]
    # A query whose root selects only `__typename` or fields a directive may leave out: its
    # plan may resolve nothing (the plan says).
    typename_only: bool


def _typename_only(operation: OperationDefinitionNode) -> bool:
    return operation.operation is OperationType.QUERY and all(
        isinstance(selection, FieldNode)
        and (selection.name.value == "__typename" or bool(selection.directives))
        for selection in operation.selection_set.selections
    )


def find_parts(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> Parts | None:
    """The operation and fragments as `Executor.build` finds them; None where it reports errors."""
    operation: OperationDefinitionNode | None = None
    fragment_definitions: dict[str, FragmentDefinitionNode] = {}
    fragments: dict[str, FragmentDetails] = {}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            if operation_name is None:
                if operation:
                    return None
                operation = definition
            elif definition.name and definition.name.value == operation_name:
                operation = definition
        elif isinstance(definition, FragmentDefinitionNode):
            fragment_definitions[definition.name.value] = definition
            signatures = None
            if definition.variable_definitions:
                signatures = {}
                for variable in definition.variable_definitions:
                    signature = get_variable_signature(schema, variable)
                    if isinstance(signature, GraphQLError):
                        return None
                    signatures[signature.name] = signature
            fragments[definition.name.value] = FragmentDetails(definition, signatures)
    if operation is None:
        return None
    return Parts(operation, fragment_definitions, fragments, _typename_only(operation))


class PreparedOperations:
    """`execute(schema, document, ...)` as strawberry calls it, with each operation's parts kept."""

    def __init__(self, schema: GraphQLSchema, executor_class: type[Any], size: int = 512) -> None:
        self.schema = schema
        self.executor_class = executor_class
        self.size = size
        self._parts: OrderedDict[tuple[int, str | None], tuple[DocumentNode, Parts | None]] = (
            OrderedDict()
        )
        self._variables: OrderedDict[
            tuple[int, bytes], tuple[OperationDefinitionNode, VariableValues]
        ] = OrderedDict()
        # graphql-core's `execute` refuses schemas with @defer or @stream: so does this.
        self.enabled = not (schema.get_directive("defer") or schema.get_directive("stream"))

    def parts(self, document: DocumentNode, operation_name: str | None) -> Parts | None:
        """The document's parts for the operation name, found on first use (LRU, bounded)."""
        key = (id(document), operation_name)
        found = self._parts.get(key)
        if found is not None and found[0] is document:
            self._parts.move_to_end(key)
            return found[1]
        parts = find_parts(self.schema, document, operation_name)
        self._parts[key] = (document, parts)  # the document kept alive with its id
        if len(self._parts) > self.size:
            self._parts.popitem(last=False)
        return parts

    def execute(
        self,
        document: DocumentNode,
        *,
        variable_values: dict[str, Any] | None,
        operation_name: str | None,
        context_value: Any,
        is_awaitable: Any,
        operation_extensions: dict[str, Any] | None,
    ) -> AwaitableOrValue[ExecutionResult]:
        """What `graphql.execute` answers for these arguments (no root value, no middleware)."""
        parts = self.parts(document, operation_name) if self.enabled else None
        if parts is None:
            return execute(
                self.schema,
                document,
                root_value=None,
                variable_values=variable_values,
                operation_name=operation_name,
                context_value=context_value,
                is_awaitable=is_awaitable,
                executor_class=self.executor_class,
                operation_extensions=operation_extensions,
            )
        coerced = self._coerced(parts.operation, variable_values)
        if isinstance(coerced, list):
            return ExecutionResult(None, errors=coerced)
        constant = self._constant(parts, coerced.coerced)
        if constant is not None:
            return ExecutionResult(constant, None)
        executor = self.executor_class(
            self.schema,
            parts.fragment_definitions,
            parts.fragments,
            None,
            context_value,
            parts.operation,
            coerced,
            default_field_resolver,
            default_type_resolver,
            default_field_resolver,
            False,  # no early execution
            None,  # no middleware
            is_awaitable,
            None,
            hide_suggestions=False,
            abort_signal=None,
            hooks=None,
            operation_extensions=operation_extensions,
        )
        result = executor.execute_operation()
        if isinstance(result, ExecutionResult):
            return result
        if is_awaitable(result):
            return _single(result)
        raise GraphQLError(UNEXPECTED_MULTIPLE_PAYLOADS)

    def _coerced(
        self, operation: OperationDefinitionNode, raw: dict[str, Any] | None
    ) -> VariableValues | list[GraphQLError]:
        """`get_variable_values` for the operation; the same raw values give the values coerced
        the first time (clients send the same few variables again and again)."""
        definitions = operation.variable_definitions
        key = None
        if definitions and raw:
            try:
                encoded = orjson.dumps(raw)
            except TypeError:
                encoded = b""
            if 0 < len(encoded) <= MAX_REMEMBERED_VARIABLES:
                key = (id(operation), encoded)
                found = self._variables.get(key)
                if found is not None and found[0] is operation:
                    self._variables.move_to_end(key)
                    return found[1]
        coerced = get_variable_values(
            self.schema,
            definitions or (),
            raw or {},
            max_errors=MAX_COERCION_ERRORS,
            hide_suggestions=False,
        )
        if key is not None and not isinstance(coerced, list):
            self._variables[key] = (operation, coerced)  # the operation kept alive with its id
            if len(self._variables) > self.size:
                self._variables.popitem(last=False)
        return coerced

    def _constant(self, parts: Parts, variables: dict[str, Any]) -> dict[str, Any] | None:
        """The data of a query whose plan, already built, resolves nothing (only `__typename`
        at the root): what the executor would answer, without one."""
        plans: PlanCache | None = getattr(self.executor_class, "plans", None)
        if plans is None or not parts.typename_only:
            return None
        plan = plans.operation(self.schema, parts.operation, parts.fragments).built(variables)
        if plan is None or any(field.constant is None for field in plan.fields):
            return None
        return {field.response_name: field.constant for field in plan.fields}


async def _single(result: Awaitable[Any]) -> ExecutionResult:
    """The awaited result, which must be a single one (as `execute` checks)."""
    awaited = await result
    if isinstance(awaited, ExecutionResult):
        return awaited
    raise GraphQLError(UNEXPECTED_MULTIPLE_PAYLOADS)
