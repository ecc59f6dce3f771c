"""Shapes errors for clients: stable codes, input errors kept, unexpected failures masked."""

from __future__ import annotations

from collections.abc import Iterator

import structlog
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from models.common.errors import DomainError, Forbidden, InvalidInput, NotFound
from schema.errors import field_path

log = structlog.get_logger(__name__)

INTERNAL = "INTERNAL_SERVER_ERROR"
BAD_USER_INPUT = "BAD_USER_INPUT"


def shape(error: GraphQLError) -> GraphQLError:
    """A client-safe version of one error."""
    original = error.original_error
    if original is None or (isinstance(original, GraphQLError) and original.extensions):
        if original is None and not (error.extensions or {}).get("code"):
            # Parser and validation errors from graphql-core: keep the message, add a code.
            error.extensions = {**(error.extensions or {}), "code": "GRAPHQL_VALIDATION_FAILED"}
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
            result.errors = [shape(e) for e in result.errors]
