"""Error types of the schema and the one place where domain exceptions become them."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

import strawberry

from models.cases.errors import CaseStateError as CaseStateFailure
from models.common.errors import (
    Conflict,
    DomainError,
    Forbidden,
    IllegalState,
    InvalidInput,
    NotFound,
    Violation,
)
from schema.naming import camel
from schema.permissions import AccessDenied
from schema.types.cases import CaseStatus


@strawberry.interface(
    description="A business error a client can act on; select `code` and `message`."
)
class UserError:
    """Every error type in a mutation result implements this."""

    code: str = strawberry.field(description="Stable English code, e.g. DUPLICATE or OUT_OF_RANGE.")
    message: str = strawberry.field(description="Human-readable message in Chinese (zh-CN).")


@strawberry.type(description="One input field that breaks a rule.")
class FieldViolation:
    """A broken rule on one field."""

    field: list[str] = strawberry.field(
        description='Path to the field from the mutation\'s arguments, e.g. ["input", "promisedLimit"].'
    )
    code: str = strawberry.field(description="Stable code of the rule, e.g. REQUIRED, TOO_LONG.")
    message: str = strawberry.field(description="Chinese message naming the field and its rule.")


@strawberry.type(description="The input breaks one or more rules; nothing was stored.")
class InputError(UserError):
    """Validation failure with every violated field."""

    field: list[str] = strawberry.field(description="Path of the first violated field.")
    violations: list[FieldViolation] = strawberry.field(
        description="Every violated field, in input order."
    )


@strawberry.type(description="The object does not exist, or is outside what you may see.")
class NotFoundError(UserError):
    """A referenced object was not found."""


@strawberry.type(description="The change clashes with existing data, e.g. a duplicate code.")
class ConflictError(UserError):
    """Conflict with stored data."""

    field: list[str] = strawberry.field(
        description="Path of the field that clashes; empty when the clash is not one field's."
    )


@strawberry.type(description="The object's current state does not allow this action.")
class StateError(UserError):
    """Illegal state transition."""

    current_state: str = strawberry.field(description="The state the object is in now.")


@strawberry.type(description="The case's current state does not allow this action.")
class CaseStateError(UserError):
    """Illegal case transition, with the state the case is in."""

    current_state: str = strawberry.field(
        description="The case's status now, as text (same field as StateError.currentState)."
    )
    status: CaseStatus = strawberry.field(description="The case's status now, typed.")


@strawberry.type(description="Wrong username or password, or a disabled account.")
class InvalidCredentialsError(UserError):
    """Login failed (never says which part was wrong)."""


def field_path(path: tuple[str | int, ...]) -> list[str]:
    """A domain field path (snake_case) as the client sees it, rooted at `input`."""
    return ["input", *(camel(p) if isinstance(p, str) else str(p) for p in path)]


def _violation(v: Violation) -> FieldViolation:
    return FieldViolation(field=field_path(v.field), code=v.code, message=v.message)


def to_user_error(exc: DomainError) -> UserError:
    """The schema error type for a domain exception; Forbidden becomes a top-level error."""
    if isinstance(exc, Forbidden):
        raise AccessDenied(exc.message) from exc
    if isinstance(exc, InvalidInput):
        violations = [_violation(v) for v in exc.violations]
        first = violations[0]
        return InputError(
            code=first.code, message=first.message, field=first.field, violations=violations
        )
    if isinstance(exc, NotFound):
        return NotFoundError(code=exc.code, message=exc.message)
    if isinstance(exc, Conflict):
        path = field_path((exc.field,)) if exc.field else []
        return ConflictError(code=exc.code, message=exc.message, field=path)
    if isinstance(exc, CaseStateFailure):
        return CaseStateError(
            code=exc.code,
            message=exc.message,
            current_state=exc.current_state,
            status=CaseStatus(exc.current_state),
        )
    if isinstance(exc, IllegalState):
        return StateError(code=exc.code, message=exc.message, current_state=exc.current_state)
    if exc.code == "INVALID_CREDENTIALS":
        return InvalidCredentialsError(code=exc.code, message=exc.message)
    raise exc


P = ParamSpec("P")
R = TypeVar("R")


def returns_errors(resolver: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Wrap a mutation resolver so that domain exceptions come back as union members."""

    @functools.wraps(resolver)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await resolver(*args, **kwargs)
        except DomainError as exc:
            error: Any = to_user_error(exc)
            return error  # type: ignore[no-any-return]

    return wrapper
