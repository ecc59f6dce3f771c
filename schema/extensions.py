"""Shapes errors for clients: stable codes, input errors kept, unexpected failures masked."""

from __future__ import annotations

import re
from collections.abc import Iterator

import structlog
from graphql import GraphQLError, GraphQLSyntaxError, VariableDefinitionNode
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import SchemaExtension
from tortoise.exceptions import ValidationError

from models.common.errors import DomainError, Forbidden, InvalidInput, NotFound
from schema.errors import field_path
from schema.limits.guard import policy_of, syntax_error
from schema.limits.policy import VALIDATION_FAILED

log = structlog.get_logger(__name__)

INTERNAL = "INTERNAL_SERVER_ERROR"
BAD_USER_INPUT = "BAD_USER_INPUT"


# graphql-core's hints at names the schema has ("Did you mean 'cases'?"), dropped in production.
SUGGESTION = re.compile(r"\s*Did you mean .*$", re.DOTALL)


def _without_suggestion(error: GraphQLError) -> GraphQLError:
    message = SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return GraphQLError(message, nodes=error.nodes, path=error.path, extensions=error.extensions)


def _refused_input(error: GraphQLError) -> GraphQLError | None:
    """BAD_USER_INPUT for a value graphql-core or strawberry could not coerce, else None."""
    if error.path is None and error.nodes and isinstance(error.nodes[0], VariableDefinitionNode):
        # graphql-core refusing a variable's value (missing, wrong type, a scalar that does not
        # parse): the client's input, whatever exception the coercion wrapped.
        reason = "INVALID_VARIABLE"
    elif isinstance(error.original_error, StrawberryInputCoercionError):
        # A value strawberry could not turn into the argument's type (e.g. a malformed ID).
        reason = "INVALID_VALUE"
    elif isinstance(error.original_error, ValidationError):
        # tortoise refusing a value for a column before any SQL runs: a lookup by a text longer
        # than the column (hall(code:), authLogin's username...). Such a row cannot exist.
        log.info(
            "value refused by a model field",
            path=error.path,
            reason=str(error.original_error)[:200],
        )
        return GraphQLError(
            "输入的值超出字段允许的长度或格式",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": BAD_USER_INPUT, "reason": "INVALID_VALUE"},
        )
    else:
        return None
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        path=error.path,
        extensions={"code": BAD_USER_INPUT, "reason": reason},
    )


def shape(error: GraphQLError) -> GraphQLError:
    """A client-safe version of one error."""
    original = error.original_error
    if isinstance(error, GraphQLSyntaxError):
        return syntax_error(error)
    refused_input = _refused_input(error)
    if refused_input is not None:
        return refused_input
    if original is None or (isinstance(original, GraphQLError) and original.extensions):
        if original is None and not (error.extensions or {}).get("code"):
            # Validation errors from graphql-core: keep the message, add a code.
            return GraphQLError(
                error.message,
                nodes=error.nodes,
                path=error.path,
                extensions={**(error.extensions or {}), "code": VALIDATION_FAILED},
            )
        return error
    if isinstance(original, DomainError):
        code = BAD_USER_INPUT if isinstance(original, InvalidInput) else original.code
        if isinstance(original, Forbidden):
            code = "FORBIDDEN"
        extensions: dict[str, object] = {"code": code, "reason": original.code}
        if isinstance(original, InvalidInput):
            extensions["field"] = field_path(original.violations[0].field)[1:]
        if isinstance(original, NotFound):
            extensions["code"] = "NOT_FOUND"
        retry_after = getattr(original, "retry_after", None)
        if isinstance(retry_after, int):
            extensions["retryAfter"] = retry_after
        return GraphQLError(
            original.message, nodes=error.nodes, path=error.path, extensions=extensions
        )
    log.error("unexpected error", path=error.path, exc_info=original)
    return GraphQLError(
        "服务器内部错误", nodes=error.nodes, path=error.path, extensions={"code": INTERNAL}
    )


class ShapeErrors(SchemaExtension):
    """Applies `shape` to every error of a result."""

    def on_operation(self) -> Iterator[None]:
        """Rewrite the result's errors after execution."""
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            shaped = [shape(e) for e in result.errors]
            if not policy_of(self.execution_context.context).suggestions:
                shaped = [_without_suggestion(e) for e in shaped]
            result.errors = shaped
