"""A small collector of input violations, so that every broken rule is reported at once."""

from __future__ import annotations

import re

from models.common.errors import InvalidInput, Violation

Path = tuple[str | int, ...]


class Checks:
    """Collects violations; `raise_if_any()` turns them into one InvalidInput."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []

    def fail(self, field: str | Path, code: str, message: str) -> None:
        """Record one violation."""
        path = (field,) if isinstance(field, str) else field
        self.violations.append(Violation(path, code, message))

    def text(
        self,
        field: str | Path,
        value: str,
        label: str,
        *,
        min_len: int = 1,
        max_len: int,
        pattern: str | None = None,
        pattern_hint: str = "",
    ) -> None:
        """Check a text's length and, optionally, its shape."""
        stripped = value.strip()
        if len(stripped) < min_len:
            if not stripped:
                self.fail(field, "REQUIRED", f"{label}不能为空")
            else:
                self.fail(field, "TOO_SHORT", f"{label}至少{min_len}个字符")
        elif len(value) > max_len:
            self.fail(field, "TOO_LONG", f"{label}不能超过{max_len}个字符")
        elif pattern is not None and not re.fullmatch(pattern, value):
            self.fail(field, "INVALID_FORMAT", f"{label}格式不正确：{pattern_hint}")

    def int_range(self, field: str | Path, value: int, label: str, low: int, high: int) -> bool:
        """Check that an integer lies in [low, high]; returns whether it does."""
        if not low <= value <= high:
            self.fail(field, "OUT_OF_RANGE", f"{label}应在{low}到{high}之间")
            return False
        return True

    def raise_if_any(self) -> None:
        """Raise InvalidInput with every violation collected so far."""
        if self.violations:
            raise InvalidInput(list(self.violations))
