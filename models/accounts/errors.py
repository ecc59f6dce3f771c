"""Business failures of accounts."""

from __future__ import annotations

from models.common.errors import DomainError


class InvalidCredentials(DomainError):
    """Wrong username or password, or a disabled account (never says which)."""

    code = "INVALID_CREDENTIALS"

    def __init__(self) -> None:
        super().__init__("用户名或密码错误")


class LoginThrottled(DomainError):
    """Too many failed logins for this username or from this address; wait and retry."""

    code = "THROTTLED"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"登录失败次数过多，请{retry_after}秒后再试")
        self.retry_after = retry_after
