"""Business failures of the catalogue, each with a stable code."""

from __future__ import annotations

from models.common.errors import Conflict, IllegalState


class DuplicateCode(Conflict):
    """Another object already uses this code, prefix or number."""

    def __init__(self, what: str, value: str, *, field: str) -> None:
        super().__init__(f"{what}“{value}”已存在", code="DUPLICATE", field=field)


class WindowStateError(IllegalState):
    """The window's state does not allow the requested change."""

    def __init__(self, message: str, *, current_state: str) -> None:
        super().__init__(message, code="ILLEGAL_WINDOW_STATE", current_state=current_state)


class ClerkBusyError(Conflict):
    """The clerk already staffs another open window."""

    def __init__(self, window_number: str) -> None:
        super().__init__(
            f"您已在{window_number}号窗口上岗，请先关闭该窗口", code="CLERK_AT_OTHER_WINDOW"
        )


class ItemStatusError(IllegalState):
    """The item is already in the requested listed/delisted state."""

    def __init__(self, message: str, *, current_state: str) -> None:
        super().__init__(message, code="ILLEGAL_ITEM_STATE", current_state=current_state)
