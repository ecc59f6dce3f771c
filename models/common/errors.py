"""The base of every business exception; each carries a stable code and a Chinese message."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """A business failure a client can act on; mapped to a GraphQL error type in one place."""

    code: str = "DOMAIN_ERROR"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


@dataclass(frozen=True)
class Violation:
    """One broken input rule: the field (snake_case path), a stable code and a message."""

    field: tuple[str | int, ...]
    code: str
    message: str


class InvalidInput(DomainError):
    """One or more input fields break their rules; nothing was stored."""

    code = "INVALID_INPUT"

    def __init__(self, violations: list[Violation]) -> None:
        if not violations:
            raise ValueError("InvalidInput needs at least one violation")
        first = violations[0]
        super().__init__(first.message, code=first.code)
        self.violations = violations

    @classmethod
    def single(cls, field: str | tuple[str | int, ...], code: str, message: str) -> InvalidInput:
        """One violation on one field."""
        path = (field,) if isinstance(field, str) else field
        return cls([Violation(path, code, message)])


class NotFound(DomainError):
    """The object does not exist or is outside what the actor may see."""

    code = "NOT_FOUND"

    def __init__(self, what: str, key: str) -> None:
        super().__init__(f"未找到{what}：{key}")
        self.what = what
        self.key = key


class Conflict(DomainError):
    """The change clashes with existing data (a duplicate code, say)."""

    code = "CONFLICT"

    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


class IllegalState(DomainError):
    """The object's current state does not allow this action."""

    code = "ILLEGAL_STATE"

    def __init__(self, message: str, *, code: str, current_state: str) -> None:
        super().__init__(message, code=code)
        self.current_state = current_state


class Forbidden(DomainError):
    """The actor's role or hall scope does not allow this action."""

    code = "FORBIDDEN"

    def __init__(self, message: str = "无权执行此操作") -> None:
        super().__init__(message)
