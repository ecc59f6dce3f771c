"""Reads of accounts: the actor behind a token, users in key order."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise import connections
from tortoise.queryset import QuerySet

from models.accounts.tables import Role, User
from models.catalogue.tables import Hall
from models.common.actor import Actor

ACTOR_SQL = (
    'SELECT u.*, h.path AS "_hall_path" FROM app_user u LEFT JOIN hall h ON h.id = u.hall_id'
    " WHERE u.id = $1 AND u.is_active AND u.token_version = $2"
)


async def actor_for(user_id: int, token_version: int) -> tuple[Actor, User] | None:
    """The actor of an active user whose tokens of this version are still valid."""
    # Every authenticated request runs this: one prepared statement with the hall joined,
    # instead of two ORM queries (building them cost more CPU than running them).
    rows = await connections.get("default").execute_query_dict(ACTOR_SQL, [user_id, token_version])
    if not rows:
        return None
    row = dict(rows[0])
    hall_path = row.pop("_hall_path")
    user = User._init_from_db(**row)
    return _actor(user, hall_path), user


async def actor_of(user: User) -> Actor:
    """The actor of a user, with its hall path for scope checks."""
    hall_path = None
    if user.hall_id is not None:
        hall_path = (await Hall.get(id=user.hall_id)).path
    return _actor(user, hall_path)


def _actor(user: User, hall_path: str | None) -> Actor:
    hall_id: int | None = user.hall_id
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
