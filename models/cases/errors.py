"""Exceptions of cases, one per business failure."""

from __future__ import annotations

from models.common.errors import DomainError, IllegalState, NotFound


class CaseStateError(IllegalState):
    """The case's current state does not allow the action."""

    def __init__(self, message: str, *, current_state: str, code: str = "CASE_STATE") -> None:
        super().__init__(message, code=code, current_state=current_state)


class CaseNotFound(NotFound):
    """No such case in the actor's scope."""

    def __init__(self, number: str) -> None:
        super().__init__("办件", number)


class SubtaskNotFound(NotFound):
    """The case has no sub-task for that department."""

    def __init__(self, number: str, department_id: int) -> None:
        super().__init__("并联审批子任务", f"{number}/{department_id}")


class ProgressLookupThrottled(DomainError):
    """Too many progress lookups from one client or for one case number."""

    code = "THROTTLED"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"查询过于频繁，请{retry_after}秒后再试")
        self.retry_after = retry_after
