"""Business failures of API keys."""

from __future__ import annotations

from models.common.errors import InvalidInput


def not_an_app_account() -> InvalidInput:
    """Keys speak for APP accounts only."""
    return InvalidInput.single("user_id", "NOT_AN_APP", "API密钥只能属于第三方应用（APP）账号")


def hall_outside_account() -> InvalidInput:
    """A key's hall must lie inside its account's scope."""
    return InvalidInput.single("hall_id", "OUTSIDE_SCOPE", "密钥的大厅必须在该应用账号的范围内")
