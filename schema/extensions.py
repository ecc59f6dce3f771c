"""Shapes errors for clients: stable codes, input errors kept, unexpected failures masked."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

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


# graphql-core echoes the offending input in validation and coercion messages ("String cannot
# represent a non string value: 13912345678", "..., found: {'idNumber': ...}"); that input may
# be an ID number or a phone, so the value is cut and the rule kept.
ECHOED_VALUES = (
    (re.compile(r",? found:? .*$", re.DOTALL | re.IGNORECASE), "."),
    (re.compile(r"(cannot represent [^:]*?): .*$", re.DOTALL), r"\1."),
    (re.compile(r"Value '.*?' does not exist", re.DOTALL), "Value does not exist"),
)


def without_values(message: str) -> str:
    """A validation or coercion message without the input value it quotes."""
    for pattern, replacement in ECHOED_VALUES:
        message = pattern.sub(replacement, message)
    return message


# A tortoise field refusing a value before any SQL runs: a lookup by a text longer than the
# column (hall(code:), authLogin's username...), so no such row exists. Its message quotes the
# value, which may be personal data: neither logged nor returned.
TOO_LONG_OR_MALFORMED = "输入的值超出字段允许的长度或格式"


def _input_refusal(error: GraphQLError) -> tuple[str, str] | None:
    """(reason, client-safe message) when a value the client sent did not fit, else None."""
    if error.path is None and error.nodes and isinstance(error.nodes[0], VariableDefinitionNode):
        # graphql-core refusing a variable's value (missing, wrong type, a scalar that does not
        # parse): the client's input, whatever exception the coercion wrapped.
        return "INVALID_VARIABLE", without_values(error.message)
    if isinstance(error.original_error, StrawberryInputCoercionError):
        # A value strawberry could not turn into the argument's type (e.g. a malformed ID).
        return "INVALID_VALUE", without_values(error.message)
    if isinstance(error.original_error, ValidationError):
        return "INVALID_VALUE", TOO_LONG_OR_MALFORMED
    return None


def is_refused_input(error: GraphQLError) -> bool:
    """A value the client sent did not fit (a variable, an argument, a column): not logged."""
    return _input_refusal(error) is not None


def shape(error: GraphQLError) -> GraphQLError:
    """A client-safe version of one error."""
    original = error.original_error
    if isinstance(error, GraphQLSyntaxError):
        return syntax_error(error)
    refusal = _input_refusal(error)
    if refusal is not None:
        reason, message = refusal
        if isinstance(original, ValidationError):
            log.info("value refused by a model field", path=error.path)
        return GraphQLError(
            message,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": BAD_USER_INPUT, "reason": reason},
        )
    if original is None and not (error.extensions or {}).get("code"):
        # Validation errors from graphql-core: the rule without the value, a code.
        return GraphQLError(
            without_values(error.message),
            nodes=error.nodes,
            path=error.path,
            extensions={**(error.extensions or {}), "code": VALIDATION_FAILED},
        )
    if original is None or (isinstance(original, GraphQLError) and original.extensions):
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


def shaped(errors: list[GraphQLError], context: Any) -> list[GraphQLError]:
    """`shape` applied to each error; suggestions dropped unless the context's policy keeps them."""
    result = [shape(e) for e in errors]
    if not policy_of(context).suggestions:
        result = [_without_suggestion(e) for e in result]
    return result


class ShapeErrors(SchemaExtension):
    """Applies `shape` to every error of a result, and of every result a subscription yields."""

    def _shaped(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return shaped(errors, self.execution_context.context)

    def on_operation(self) -> Iterator[None]:
        """Rewrite the result's errors after execution."""
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = self._shaped(result.errors)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """Rewrite the errors of each streamed result before it is sent (subscriptions)."""
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._shaped(list(errors))
        yield
