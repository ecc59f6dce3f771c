"""Reads of accounts: the actor behind a token, users in key order."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.queryset import QuerySet

from models.accounts.tables import Role, User
from models.catalogue.tables import Hall
from models.common.actor import Actor


async def actor_for(user_id: int, token_version: int) -> tuple[Actor, User] | None:
    """The actor of an active user whose tokens of this version are still valid."""
    user = await User.get_or_none(id=user_id, is_active=True, token_version=token_version)
    if user is None:
        return None
    return await actor_of(user), user


async def actor_of(user: User) -> Actor:
    """The actor of a user, with its hall path for scope checks."""
    hall_path = None
    hall_id: int | None = user.hall_id
    if hall_id is not None:
        hall_path = (await Hall.get(id=hall_id)).path
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        hall_id=hall_id,
        hall_path=hall_path,
        department_id=user.department_id,
    )


def users_visible(actor: Actor, hall_id: int | None = None) -> QuerySet[User]:
    """Accounts an actor may list: admins and supervisors see their scope, others only themselves."""
    if actor.role not in (Role.ADMIN, Role.SUPERVISOR):
        return User.filter(id=actor.user_id)
    query = User.all()
    if actor.hall_path is not None:
        query = query.filter(hall__path__startswith=actor.hall_path)
    return query.filter(hall_id=hall_id) if hall_id is not None else query


async def users_by_ids(ids: Sequence[int]) -> list[User | None]:
    """Users in key order (for loaders)."""
    found = {u.id: u for u in await User.filter(id__in=list(ids))}
    return [found.get(i) for i in ids]
