"""Known documents run without strawberry's per-request machinery, with the same effects.

`Schema.execute` builds, for every request, an execution context, fresh instances of the
schema's extensions (MaxTokensLimiter, Guard, ShapeErrors), an extension runner with four
nested context managers of hooks, and a middleware manager, before graphql-core's executor runs
the operation's cached plan. For a document Guard already knows valid under the request's
policy, whose cost is already known, the hooks reduce to a few steps, done here in the same
order: the NUL check of the variables, the cost limit, the budget spend (THROTTLED, HTTP 429),
execution, error logging (`Schema.process_errors`), error shaping (ShapeErrors), and the
`extensions.cost` report.

A signed-in caller's query whose fields schema.read_cache lists is answered, after the budget
spend, from the read cache when nothing it reads has changed since the same caller's identical
request; a mutation run in this process makes it forget what it kept (schema.compiled.executor).

`execute` answers None, having changed nothing, for whatever else could happen (a document not
known valid, free text where only registered documents are accepted, an API key with its
scopes and rate limit, an operation name or type strawberry refuses, a subscription, a NUL
in a variable, a cost not known yet or over the limit): strawberry's `Schema.execute` then
runs the request as before.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable
from functools import partial
from typing import Any, NamedTuple, cast

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, execute
from graphql import ExecutionResult as CoreResult
from graphql import OperationType as CoreOperationType
from strawberry import Schema
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import MaxTokensLimiter
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from schema.compiled.prepared import PreparedOperations
from schema.extensions import ShapeErrors, shaped
from schema.limits.guard import (
    COSTS,
    VALID,
    Guard,
    free_text_refusal,
    policy_of,
    spend_budget,
)
from schema.limits.policy import QueryPolicy
from schema.limits.rules import nul_variable
from schema.read_cache import ReadCache, TableChanges, variables_key
from schema.trusted import Registry

# strawberry's operation type of each of graphql-core's.
OPERATION_TYPES = {kind: OperationType(kind.value) for kind in CoreOperationType}
# The extensions whose per-request effects `execute` performs itself.
KNOWN_EXTENSIONS = (MaxTokensLimiter, Guard, ShapeErrors)


def _extension_class(extension: object) -> object:
    return extension.func if isinstance(extension, partial) else extension


def _first_operation_name(document: DocumentNode) -> str | None:
    """The name strawberry gives a request without operationName: its first operation's."""
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            return definition.name.value if definition.name else None
    return None


class DirectExecution:
    """Runs requests for known documents as `Schema.execute` would, without its runner."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        # Only a schema whose extensions are exactly those this module stands in for.
        self.enabled = (
            not schema.directives
            and tuple(_extension_class(e) for e in schema.extensions) == KNOWN_EXTENSIONS
        )
        # graphql-core's `execute` with each known operation's parts found once.
        self.prepared = PreparedOperations(schema._schema, schema.execution_context_class)
        self.enabled = self.enabled and schema._get_execute_function() is execute
        self.runs = 0  # requests answered here
        self.read_cache = ReadCache()  # repeated reads (schema.read_cache)

    async def execute(
        self,
        query: object,
        variables: dict[str, Any] | None,
        context: Any,
        *,
        operation_name: str | None,
        allowed: Iterable[OperationType],
        operation_extensions: dict[str, Any] | None,
    ) -> ExecutionResult | None:
        """The result `Schema.execute` would give, or None when it must run the request itself."""
        if (
            not self.enabled
            or not isinstance(query, str)
            or getattr(context, "api_key", None) is not None  # scopes, rate: Guard's own path
        ):
            return None
        policy = policy_of(context)
        document = self._known(query, context, policy)
        if document is None:
            return None
        name = operation_name if operation_name is not None else _first_operation_name(document)
        parts = self.prepared.parts(document, name)  # None: graphql-core would report something
        if parts is None:
            return None
        operation_type = OPERATION_TYPES[parts.operation.operation]
        if (
            operation_type not in allowed
            or operation_type is OperationType.SUBSCRIPTION
            or nul_variable(variables) is not None
        ):
            return None
        key = COSTS.key(self.schema._schema, query, name, policy, variables)
        cost = None if key is None else COSTS.get(key)
        if cost is None or cost > policy.max_cost:
            return None
        self.runs += 1
        request = _Request(query, variables, context, name, operation_type)
        return await self._run(request, document, cost, policy, operation_extensions)

    async def _run(
        self,
        request: _Request,
        document: DocumentNode,
        cost: int,
        policy: QueryPolicy,
        operation_extensions: dict[str, Any] | None,
    ) -> ExecutionResult:
        """Spend the budget, then answer from the read cache or execute (what Guard's
        on_validate and strawberry do next)."""
        report = {"requested": cost, "limit": policy.max_cost}
        extensions: dict[str, Any] = {"cost": report}
        errors = await spend_budget(request.context, cost, report)
        if errors:
            return self._result(request, None, errors, extensions)
        kept = self._kept(request, document, policy)
        if kept is not None:
            cached = self.read_cache.get(kept.key, kept.generations)
            if cached is not None:
                return self._result(request, cast("dict[str, Any]", cached), None, extensions)
        try:
            outcome = self.prepared.execute(
                document,
                variable_values=request.variables,
                operation_name=request.operation_name,
                context_value=request.context,
                is_awaitable=optimized_is_awaitable,
                operation_extensions=operation_extensions,
            )
            result = outcome if isinstance(outcome, CoreResult) else await outcome
        except Exception as exc:  # strawberry answers these with the exception's message
            error = (
                exc if isinstance(exc, GraphQLError) else GraphQLError(str(exc), original_error=exc)
            )
            return self._result(request, None, [error], extensions)
        data = result.data
        if kept is not None and data is not None and not result.errors:
            fragment = self.read_cache.put(kept.key, kept.generations, data, kept.built)
            data = cast("dict[str, Any]", fragment)
        return self._result(request, data, result.errors, extensions)

    def _kept(self, request: _Request, document: DocumentNode, policy: QueryPolicy) -> _Kept | None:
        """Where a signed-in caller's cacheable query is kept, and what it reads now."""
        changes: TableChanges | None = getattr(request.context, "read_changes", None)
        actor = getattr(request.context, "actor", None)
        if changes is None or actor is None or request.kind is not OperationType.QUERY:
            return None
        schema = self.schema._schema
        tables = self.read_cache.tables(schema, request.query, request.operation_name, document)
        if not tables:  # nothing to keep, or only __typename (answered without a table anyway)
            return None
        generations = changes.generations(tables)  # before execution: what it reads is newer
        if generations is None:
            return None
        key = (
            request.query,
            request.operation_name,
            variables_key(request.variables),
            actor,
            policy,
        )
        return _Kept(key, generations, time.monotonic())

    def _known(self, query: str, context: Any, policy: QueryPolicy) -> DocumentNode | None:
        """The parsed document when Guard knows it valid under the policy and accepts its text."""
        registered = Registry.documents.by_text.get(query)
        if registered is not None and Registry.documents.is_valid(
            registered, self.schema._schema, policy
        ):
            return registered.document
        if free_text_refusal(context, policy) is not None:
            return None
        return VALID.get(query, policy)

    def _result(
        self,
        request: _Request,
        data: dict[str, Any] | None,
        errors: list[GraphQLError] | None,
        extensions: dict[str, Any],
    ) -> ExecutionResult:
        """Errors logged as the schema logs them, then shaped for the client."""
        if errors:
            execution_context = ExecutionContext(
                query=request.query,
                schema=self.schema,
                allowed_operations=(),
                context=request.context,
                variables=request.variables,
                provided_operation_name=request.operation_name,
            )
            self.schema._process_errors(errors, execution_context)
            errors = shaped(errors, request.context)
        return ExecutionResult(data=data, errors=errors, extensions=extensions)


class _Kept(NamedTuple):
    key: Hashable
    generations: tuple[int, ...]
    built: float


class _Request(NamedTuple):
    query: str
    variables: dict[str, Any] | None
    context: Any
    operation_name: str | None
    kind: OperationType
