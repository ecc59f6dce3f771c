"""Authentication and role checks for resolvers; failures go to the top-level `errors`."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.permission import BasePermission

from models.common.actor import Actor
from schema.context import Info

UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"


class NotAuthenticated(GraphQLError):
    """No valid token came with the request."""

    def __init__(self) -> None:
        super().__init__("请先登录", extensions={"code": UNAUTHENTICATED})


class AccessDenied(GraphQLError):
    """The token's role or scope does not allow this."""

    def __init__(self, message: str = "无权执行此操作") -> None:
        super().__init__(message, extensions={"code": FORBIDDEN})


def require_actor(info: Info) -> Actor:
    """The authenticated actor, or a top-level UNAUTHENTICATED error."""
    actor = info.context.actor
    if actor is None:
        raise NotAuthenticated
    return actor


class IsAuthenticated(BasePermission):
    """Lets through any request with a valid token."""

    message = "请先登录"
    error_extensions = {"code": UNAUTHENTICATED}  # noqa: RUF012  (strawberry's own attribute)

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        """Whether the context carries an actor."""
        return info.context.actor is not None
