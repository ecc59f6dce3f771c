"""Business failures of accounts."""

from __future__ import annotations

from models.common.errors import DomainError


class InvalidCredentials(DomainError):
    """Wrong username or password, or a disabled account (never says which)."""

    code = "INVALID_CREDENTIALS"

    def __init__(self) -> None:
        super().__init__("用户名或密码错误")
