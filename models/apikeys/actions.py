"""Use cases of API keys: administrators create and revoke them; requests are authorised by them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from models.accounts.queries import actor_of
from models.accounts.tables import Role, User
from models.apikeys.errors import hall_outside_account, not_an_app_account
from models.apikeys.rules import KeyDraft, check_key, make_key, matches, parse_prefix
from models.apikeys.tables import ApiKey
from models.catalogue.queries import hall_in_scope
from models.catalogue.tables import Hall
from models.common.actor import Actor
from models.common.errors import Forbidden, NotFound


def _sees_account(actor: Actor, account: Actor) -> bool:
    """An administrator sees accounts inside their scope; city-wide accounts only city-wide."""
    return actor.city_wide or (account.hall_path is not None and actor.sees(account.hall_path))


async def create_key(
    actor: Actor,
    user_id: int,
    hall_id: int | None,
    draft: KeyDraft,
    *,
    known_scopes: Iterable[str],
    pepper: str,
    now: datetime,
) -> tuple[ApiKey, str]:
    """A new key for an APP account in the administrator's scope, and its text (shown once)."""
    if not actor.is_admin:
        raise Forbidden("只有管理员可以创建API密钥")
    check_key(draft, known_scopes, now)
    user = await User.get_or_none(id=user_id, is_active=True)
    if user is None or not _sees_account(actor, await actor_of(user)):
        raise NotFound("账号", str(user_id))
    if user.role is not Role.APP:
        raise not_an_app_account()
    account = await actor_of(user)
    if hall_id is not None:
        hall = await hall_in_scope(actor, hall_id)
        if not account.sees(hall.path):
            raise hall_outside_account()
    new = make_key(pepper)
    async with in_transaction():
        row = await ApiKey.create(
            user_id=user.id,
            name=draft.name.strip(),
            prefix=new.prefix,
            secret_hash=new.secret_hash,
            scopes=list(draft.scopes),
            hall_id=hall_id,
            per_minute=draft.per_minute,
            expires_at=draft.expires_at,
            trusted_documents_only=draft.trusted_documents_only,
            created_by_id=actor.user_id,
            created_at=now,
        )
    return row, new.text


async def revoke_key(actor: Actor, prefix: str, now: datetime) -> ApiKey:
    """Revoke a key at once (idempotent); it stops working on its next request."""
    if not actor.is_admin:
        raise Forbidden("只有管理员可以吊销API密钥")
    async with in_transaction():
        row = await ApiKey.filter(prefix=prefix).select_for_update().first()
        if row is None or not _sees_account(actor, await actor_of(await User.get(id=row.user_id))):
            raise NotFound("API密钥", prefix)
        if row.revoked_at is None:
            row.revoked_at = now
            await row.save(update_fields=["revoked_at"])
    return row


@dataclass(frozen=True)
class Grant:
    """What a valid key allows: its account's actor narrowed to the key's hall, scopes, rate."""

    key_id: int
    prefix: str
    actor: Actor
    user: User
    scopes: frozenset[str]
    per_minute: int
    expires_at: datetime
    trusted_documents_only: bool = False


async def grant_for(text: str, pepper: str, now: datetime) -> Grant | None:
    """The grant of a valid, unexpired, unrevoked key of an active APP account, else None."""
    prefix = parse_prefix(text)
    if prefix is None:
        return None
    row = await ApiKey.get_or_none(prefix=prefix, revoked_at=None)
    if row is None or not matches(pepper, text, row.secret_hash) or row.expires_at <= now:
        return None
    user = await User.get_or_none(id=row.user_id, is_active=True, role=Role.APP)
    if user is None:
        return None
    actor = await actor_of(user)
    if row.hall_id is not None:
        hall = await Hall.get(id=row.hall_id)
        actor = Actor(
            user_id=actor.user_id,
            username=actor.username,
            role=actor.role,
            hall_id=hall.id,
            hall_path=hall.path,
            department_id=actor.department_id,
        )
    return Grant(
        key_id=row.id,
        prefix=row.prefix,
        actor=actor,
        user=user,
        scopes=frozenset(row.scopes),
        per_minute=row.per_minute,
        expires_at=row.expires_at,
        trusted_documents_only=row.trusted_documents_only,
    )


async def keys_visible(actor: Actor) -> list[ApiKey]:
    """Keys of the APP accounts an administrator sees, newest first."""
    if not actor.is_admin:
        raise Forbidden("只有管理员可以查看API密钥")
    rows = await ApiKey.all().order_by("-created_at", "-id").prefetch_related("user")
    visible = []
    for row in rows:
        if _sees_account(actor, await actor_of(row.user)):
            visible.append(row)
    return visible
