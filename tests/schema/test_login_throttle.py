"""Password guessing is throttled per username and per address; logout and password change
revoke tokens. Refused attempts change nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from models.accounts.login import ADDRESS_FAILURES, USER_FAILURES, WINDOW_SECONDS
from models.accounts.passwords import verify_password
from models.accounts.tables import Role, User
from models.common.limits import RedisRateLimiter
from tests import factories as f
from tests.operations import TOKENS, run

NEW_PASSWORD = "a-new-password-42"


async def _login(limiter: RedisRateLimiter, username: str, password: str) -> dict[str, Any]:
    return await run(
        "Login",
        {"input": {"username": username, "password": password}},
        now=datetime.now(UTC),
        limiter=limiter,
    )


async def test_a_username_is_locked_after_its_failures_even_for_the_right_password(
    db: object, limiter: RedisRateLimiter
) -> None:
    await f.user("clerk1", Role.CLERK, of=await f.hall("JN"))
    for _ in range(USER_FAILURES):
        failed = await _login(limiter, "clerk1", "wrong-password-1")
        assert failed["data"]["authLogin"]["code"] == "INVALID_CREDENTIALS"
    locked = await _login(limiter, "CLERK1", f.PASSWORD)
    assert locked["data"] is None
    error = locked["errors"][0]
    assert error["extensions"]["code"] == "THROTTLED"
    assert 1 <= error["extensions"]["retryAfter"] <= WINDOW_SECONDS
    assert (await User.get(username="clerk1")).last_login_at is None
    other, _ = await f.user("clerk2", Role.CLERK, of=await f.hall("QD"))
    fine = await _login(limiter, "clerk2", f.PASSWORD)
    assert fine["data"]["authLogin"]["__typename"] == "AuthLoginSuccess"
    assert (await User.get(id=other.id)).last_login_at is not None


async def test_an_address_is_locked_after_its_failures_across_usernames(
    db: object, limiter: RedisRateLimiter
) -> None:
    hall = await f.hall("JN")
    await f.user("clerk1", Role.CLERK, of=hall)
    # Existing accounts keep the test fast (an unknown name costs a full-strength hash check).
    victims = ADDRESS_FAILURES // USER_FAILURES
    for n in range(victims):
        await f.user(f"victim{n}", Role.CLERK, of=hall)
    for n in range(ADDRESS_FAILURES):
        failed = await _login(limiter, f"victim{n % victims}", "wrong-password-1")
        assert failed["data"]["authLogin"]["code"] == "INVALID_CREDENTIALS"
    locked = await _login(limiter, "clerk1", f.PASSWORD)
    assert locked["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert (await User.get(username="clerk1")).last_login_at is None


async def test_logout_revokes_every_token_of_the_account(db: object) -> None:
    user, actor = await f.user("clerk1", Role.CLERK, of=await f.hall("JN"))
    first, _ = TOKENS.issue(user, datetime.now(UTC))
    second, _ = TOKENS.issue(user, datetime.now(UTC))
    result = await run("Logout", actor=actor, user=user)
    assert result["data"]["authLogout"]["loggedOutAt"]
    assert await TOKENS.actor(f"Bearer {first}") is None
    assert await TOKENS.actor(f"Bearer {second}") is None
    assert (await User.get(id=user.id)).token_version == user.token_version + 1


async def test_logout_needs_a_login_and_changes_nothing_without(db: object) -> None:
    user, _ = await f.user("clerk1", Role.CLERK, of=await f.hall("JN"))
    result = await run("Logout")
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await User.get(id=user.id)).token_version == user.token_version


async def test_password_change_revokes_old_tokens_and_gives_a_new_one(
    db: object, limiter: RedisRateLimiter
) -> None:
    user, actor = await f.user("clerk1", Role.CLERK, of=await f.hall("JN"))
    old, _ = TOKENS.issue(user, datetime.now(UTC))
    changed = await run(
        "PasswordChange",
        {"input": {"currentPassword": f.PASSWORD, "newPassword": NEW_PASSWORD}},
        actor=actor,
        user=user,
        limiter=limiter,
        now=datetime.now(UTC),
    )
    success = changed["data"]["authPasswordChange"]
    assert success["__typename"] == "AuthPasswordChangeSuccess"
    assert await TOKENS.actor(f"Bearer {old}") is None
    assert await TOKENS.actor(f"Bearer {success['token']}") is not None
    refused = await _login(limiter, "clerk1", f.PASSWORD)
    assert refused["data"]["authLogin"]["code"] == "INVALID_CREDENTIALS"
    ok = await _login(limiter, "clerk1", NEW_PASSWORD)
    assert ok["data"]["authLogin"]["__typename"] == "AuthLoginSuccess"


@pytest.mark.parametrize(
    "case",
    [
        ("wrong-password-1", NEW_PASSWORD, "InvalidCredentialsError", "INVALID_CREDENTIALS"),
        (f.PASSWORD, "short", "InputError", "TOO_SHORT"),
        (f.PASSWORD, "clerk1", "InputError", "TOO_SHORT"),
        (f.PASSWORD, "aaaaaaaaaaaaaa", "InputError", "TOO_WEAK"),
    ],
)
async def test_a_refused_password_change_changes_nothing(
    db: object, limiter: RedisRateLimiter, case: tuple[str, str, str, str]
) -> None:
    current, new, typename, code = case
    user, actor = await f.user("clerk1", Role.CLERK, of=await f.hall("JN"))
    token, _ = TOKENS.issue(user, datetime.now(UTC))
    result = await run(
        "PasswordChange",
        {"input": {"currentPassword": current, "newPassword": new}},
        actor=actor,
        user=user,
        limiter=limiter,
    )
    payload = result["data"]["authPasswordChange"]
    assert (payload["__typename"], payload["code"]) == (typename, code)
    if typename == "InputError":
        assert payload["field"] == ["input", "newPassword"]
    row = await User.get(id=user.id)
    assert row.token_version == user.token_version
    assert verify_password(row.password_hash, f.PASSWORD)
    assert await TOKENS.actor(f"Bearer {token}") is not None


async def test_wrong_current_passwords_count_as_failed_logins(
    db: object, limiter: RedisRateLimiter
) -> None:
    user, actor = await f.user("clerk1", Role.CLERK, of=await f.hall("JN"))
    for _ in range(USER_FAILURES):
        await run(
            "PasswordChange",
            {"input": {"currentPassword": "wrong-password-1", "newPassword": NEW_PASSWORD}},
            actor=actor,
            user=user,
            limiter=limiter,
        )
    locked = await run(
        "PasswordChange",
        {"input": {"currentPassword": f.PASSWORD, "newPassword": NEW_PASSWORD}},
        actor=actor,
        user=user,
        limiter=limiter,
    )
    assert locked["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert verify_password((await User.get(id=user.id)).password_hash, f.PASSWORD)
