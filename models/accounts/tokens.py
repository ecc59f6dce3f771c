"""Token versions: a user's tokens die together when the version moves (logout, password change)."""

from __future__ import annotations

from collections.abc import Sequence

from models.accounts.tables import User


async def token_versions(ids: Sequence[int]) -> dict[int, int]:
    """The current token version of each active user among `ids` (inactive ones are absent)."""
    rows = await User.filter(id__in=list(ids), is_active=True).values_list("id", "token_version")
    return {int(user_id): int(version) for user_id, version in rows}
