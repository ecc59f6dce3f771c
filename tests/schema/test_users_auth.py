"""authLogin, me, userCreate and token handling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from strawberry.relay import to_base64

from models.accounts.actions import ensure_admin
from models.accounts.tables import Role, User
from models.common.limits import RedisRateLimiter
from tests import factories as f
from tests.operations import TOKENS, run


async def _login(limiter: RedisRateLimiter, username: str, password: str) -> dict[str, Any]:
    return await run(
        "Login",
        {"input": {"username": username, "password": password}},
        now=datetime.now(UTC),
        limiter=limiter,
    )


async def test_login_and_me(db: object, limiter: RedisRateLimiter) -> None:
    hall = await f.hall("JN")
    user, _ = await f.user("clerk1", Role.CLERK, of=hall)
    result = await _login(limiter, "Clerk1", f.PASSWORD)
    login = result["data"]["authLogin"]
    assert login["__typename"] == "AuthLoginSuccess"
    assert login["user"]["role"] == "CLERK"
    found = await TOKENS.actor(f"Bearer {login['token']}")
    assert found is not None
    actor, row = found
    me = await run("Me", actor=actor, user=row)
    assert me["data"]["me"]["mobile"] == "138****5678"
    assert me["data"]["me"]["hall"]["code"] == "JN"
    assert (await User.get(id=user.id)).last_login_at is not None


async def test_wrong_password_and_unknown_user_look_the_same(
    db: object, limiter: RedisRateLimiter
) -> None:
    await f.user("clerk1", Role.CLERK, of=await f.hall("JN"))
    wrong = await _login(limiter, "clerk1", "nope-nope-nope")
    unknown = await _login(limiter, "ghost", f.PASSWORD)
    assert wrong["data"]["authLogin"] == unknown["data"]["authLogin"]
    assert wrong["data"]["authLogin"]["code"] == "INVALID_CREDENTIALS"


async def test_disabled_account_cannot_log_in_and_its_tokens_die(
    db: object, limiter: RedisRateLimiter
) -> None:
    user, _ = await f.user("clerk1", Role.CLERK, of=await f.hall("JN"))
    token, _ = TOKENS.issue(user, f.NOW)
    user.is_active = False
    await user.save()
    result = await _login(limiter, "clerk1", f.PASSWORD)
    assert result["data"]["authLogin"]["code"] == "INVALID_CREDENTIALS"
    assert await TOKENS.actor(f"Bearer {token}") is None


async def test_tokens_expire_and_reject_tampering(db: object) -> None:
    user, _ = await f.user("clerk1", Role.CLERK, of=await f.hall("JN"))
    old, _ = TOKENS.issue(user, f.NOW - timedelta(days=2))
    assert await TOKENS.actor(f"Bearer {old}") is None
    fresh, _ = TOKENS.issue(user, datetime.now(UTC))
    assert await TOKENS.actor(f"Bearer {fresh}") is not None
    assert await TOKENS.actor(f"Bearer {fresh[:-2]}xx") is None
    assert await TOKENS.actor(f"Basic {fresh}") is None
    assert await TOKENS.actor(None) is None


async def test_admin_password_reset_revokes_old_tokens(
    db: object, limiter: RedisRateLimiter
) -> None:
    now = datetime.now(UTC)
    admin = await ensure_admin("first-password-1", now)
    token, _ = TOKENS.issue(admin, now)
    assert await TOKENS.actor(f"Bearer {token}") is not None
    await ensure_admin("second-password-2", now)
    assert await TOKENS.actor(f"Bearer {token}") is None
    ok = await _login(limiter, "admin", "second-password-2")
    assert ok["data"]["authLogin"]["__typename"] == "AuthLoginSuccess"


async def test_user_create_rules_and_scope(db: object) -> None:
    jn = await f.hall("JN")
    qd = await f.hall("QD")
    dept = await f.department(jn)
    _, admin = await f.user("jnadmin", Role.ADMIN, of=jn)
    base = {
        "username": "clerk9",
        "displayName": "李四",
        "password": "long-enough-pw",
        "role": "CLERK",
        "hallId": to_base64("Hall", jn.id),
    }
    ok = await run("UserCreate", {"input": {**base, "mobile": "13912345678"}}, actor=admin)
    assert ok["data"]["userCreate"]["user"]["mobile"] == "139****5678"
    bad = await run(
        "UserCreate",
        {"input": {**base, "username": "X Y", "password": "short", "mobile": "123"}},
        actor=admin,
    )
    codes = {v["field"][-1]: v["code"] for v in bad["data"]["userCreate"]["violations"]}
    assert codes == {
        "password": "TOO_SHORT",
        "username": "INVALID_FORMAT",
        "mobile": "INVALID_FORMAT",
    }
    rep = await run(
        "UserCreate", {"input": {**base, "username": "rep1", "role": "CHIEF_REP"}}, actor=admin
    )
    assert rep["data"]["userCreate"]["field"] == ["input", "departmentId"]
    dup = await run("UserCreate", {"input": base}, actor=admin)
    assert dup["data"]["userCreate"]["code"] == "DUPLICATE"
    foreign = await run(
        "UserCreate",
        {"input": {**base, "username": "spy", "hallId": to_base64("Hall", qd.id)}},
        actor=admin,
    )
    assert foreign["data"]["userCreate"]["__typename"] == "NotFoundError"
    city = await run(
        "UserCreate",
        {"input": {**base, "username": "boss", "role": "ADMIN", "hallId": None}},
        actor=admin,
    )
    assert city["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert sorted(str(u) for u in await User.all().values_list("username", flat=True)) == [
        "clerk9",
        "jnadmin",
    ]
    assert dept.id


async def test_clerk_cannot_create_accounts_or_list_others(db: object) -> None:
    jn = await f.hall("JN")
    _, clerk = await f.user("clerk1", Role.CLERK, of=jn)
    await f.user("clerk2", Role.CLERK, of=jn)
    result = await run(
        "UserCreate",
        {
            "input": {
                "username": "mine",
                "displayName": "我",
                "password": "long-enough-pw",
                "role": "ADMIN",
                "hallId": to_base64("Hall", jn.id),
            }
        },
        actor=clerk,
    )
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert not await User.exists(username="mine")
    listed = await run("Users", actor=clerk)
    assert [n["username"] for n in listed["data"]["users"]["nodes"]] == ["clerk1"]
