"""Use cases of accounts: log in, create accounts, bootstrap the admin."""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.accounts.errors import InvalidCredentials
from models.accounts.passwords import (
    hash_password_off_loop,
    needs_rehash,
    verify_password_off_loop,
)
from models.accounts.rules import UserDraft, check_password, check_user
from models.accounts.tables import Role, User
from models.catalogue.errors import DuplicateCode
from models.catalogue.queries import hall_in_scope
from models.catalogue.tables import Department
from models.common.actor import Actor
from models.common.errors import Forbidden, InvalidInput

ADMIN_USERNAME = "admin"


async def authenticate(username: str, password: str, now: datetime) -> User:
    """The active user with these credentials; InvalidCredentials otherwise (same for both)."""
    user = await User.get_or_none(username=username.strip().lower())
    valid = await verify_password_off_loop(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active:
        raise InvalidCredentials
    user.last_login_at = now
    fields = ["last_login_at"]
    if needs_rehash(user.password_hash):
        user.password_hash = await hash_password_off_loop(password)
        fields.append("password_hash")
    await user.save(update_fields=fields)
    return user


async def create_user(actor: Actor, draft: UserDraft, now: datetime) -> User:
    """Create an account inside the actor's scope; only admins may, and never above themselves."""
    if not actor.is_admin:
        raise Forbidden("只有管理员可以创建账号")
    if draft.hall_id is not None:
        await hall_in_scope(actor, draft.hall_id)
    elif not actor.city_wide:
        raise Forbidden("只有全市管理员可以创建全市范围的账号")
    username = draft.username.strip().lower()
    check_user(UserDraft(**{**draft.__dict__, "username": username}))
    if draft.department_id is not None:
        department = await Department.get_or_none(id=draft.department_id, hall_id=draft.hall_id)
        if department is None:
            raise InvalidInput.single("department_id", "NOT_IN_HALL", "所选部门不属于该大厅")
    async with in_transaction():
        if await User.exists(username=username):
            raise DuplicateCode("用户名", username, field="username")
        try:
            return await User.create(
                username=username,
                display_name=draft.display_name.strip(),
                password_hash=await hash_password_off_loop(draft.password),
                role=draft.role,
                hall_id=draft.hall_id,
                department_id=draft.department_id,
                mobile=draft.mobile,
                created_at=now,
            )
        except IntegrityError as exc:
            raise DuplicateCode("用户名", username, field="username") from exc


async def ensure_admin(password: str, now: datetime) -> User:
    """Create the city-wide `admin` account, or reset its password (revoking old tokens)."""
    check_password(password, ADMIN_USERNAME, field="HALL_ADMIN_PASSWORD").raise_if_any()
    async with in_transaction():
        user = await User.filter(username=ADMIN_USERNAME).select_for_update().get_or_none()
        if user is None:
            return await User.create(
                username=ADMIN_USERNAME,
                display_name="系统管理员",
                password_hash=await hash_password_off_loop(password),
                role=Role.ADMIN,
                created_at=now,
            )
        if not await verify_password_off_loop(user.password_hash, password):
            user.password_hash = await hash_password_off_loop(password)
            user.token_version += 1
        user.is_active = True
        user.role = Role.ADMIN
        user.hall_id = None
        await user.save()
        return user
