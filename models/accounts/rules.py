"""Pure rules of accounts: what a role needs, and which accounts an admin may create."""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.accounts.tables import Role
from models.common.checks import Checks

MIN_PASSWORD_LENGTH = 10
HALL_BOUND_ROLES = frozenset({Role.CHIEF_REP, Role.CLERK, Role.MONITOR, Role.HOTLINE})
DEPARTMENT_ROLES = frozenset({Role.CHIEF_REP})
MOBILE_PATTERN = r"1[3-9]\d{9}"


@dataclass(frozen=True)
class UserDraft:
    """What it takes to create an account."""

    username: str
    display_name: str
    password: str
    role: Role
    hall_id: int | None = None
    department_id: int | None = None
    mobile: str = ""


def check_password(password: str, username: str, field: str = "password") -> Checks:
    """Collect violations of the password policy."""
    checks = Checks()
    if len(password) < MIN_PASSWORD_LENGTH:
        checks.fail(field, "TOO_SHORT", f"密码至少{MIN_PASSWORD_LENGTH}个字符")
    elif len(password) > 256:
        checks.fail(field, "TOO_LONG", "密码不能超过256个字符")
    elif password.lower() == username.lower() or len(set(password)) < 4:
        checks.fail(field, "TOO_WEAK", "密码过于简单，不能与用户名相同或只含少数几个字符")
    return checks


def check_user(draft: UserDraft) -> None:
    """Validate an account draft: names, password policy, and the scope its role needs."""
    checks = check_password(draft.password, draft.username)
    checks.text(
        "username",
        draft.username,
        "用户名",
        min_len=3,
        max_len=64,
        pattern=r"[a-z0-9][a-z0-9_.-]*",
        pattern_hint="只能包含小写字母、数字、下划线、点和连字符",
    )
    checks.text("display_name", draft.display_name, "姓名", max_len=64)
    if draft.mobile and not re.fullmatch(MOBILE_PATTERN, draft.mobile):
        checks.fail("mobile", "INVALID_FORMAT", "手机号码格式不正确，应为11位中国大陆手机号")
    if draft.role in HALL_BOUND_ROLES and draft.hall_id is None:
        checks.fail("hall_id", "REQUIRED", "该角色必须归属一个大厅")
    if draft.role in DEPARTMENT_ROLES and draft.department_id is None:
        checks.fail("department_id", "REQUIRED", "首席代表必须归属一个部门")
    if draft.department_id is not None and draft.hall_id is None:
        checks.fail("hall_id", "REQUIRED", "指定部门时须同时指定大厅")
    checks.raise_if_any()
