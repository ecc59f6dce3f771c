"""Token versions: a user's tokens die together when the version moves (logout, password change)."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models.accounts.errors import InvalidCredentials
from models.accounts.passwords import hash_password_off_loop, verify_password_off_loop
from models.accounts.rules import check_password
from models.accounts.tables import User
from models.common.actor import Actor


async def token_versions(ids: Sequence[int]) -> dict[int, int]:
    """The current token version of each active user among `ids` (inactive ones are absent)."""
    rows = await User.filter(id__in=list(ids), is_active=True).values_list("id", "token_version")
    return {int(user_id): int(version) for user_id, version in rows}


async def revoke_tokens(actor: Actor) -> int:
    """End every token of the actor's account (logout): the new token version."""
    async with in_transaction():
        await User.filter(id=actor.user_id).update(token_version=F("token_version") + 1)
        user = await User.get(id=actor.user_id)
    return user.token_version


async def change_password(actor: Actor, current: str, new: str) -> User:
    """Set a new password after checking the current one; every older token stops working."""
    async with in_transaction():
        user = await User.filter(id=actor.user_id, is_active=True).select_for_update().first()
        if user is None or not await verify_password_off_loop(user.password_hash, current):
            raise InvalidCredentials
        check_password(new, user.username, field="new_password").raise_if_any()
        user.password_hash = await hash_password_off_loop(new)
        user.token_version += 1
        await user.save(update_fields=["password_hash", "token_version"])
    return user
