"""Third-party API keys: created by administrators for APP accounts, shown once, stored hashed;
scoped to root fields, bound to a hall, rate-limited, expiring, revocable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from strawberry.relay import to_base64

from api.auth import Session
from models.accounts.tables import Role
from models.apikeys.tables import ApiKey
from models.common.limits import RedisRateLimiter
from schema.context import Context
from schema.limits.guard import caller_of
from schema.schema import schema
from tests import factories as f
from tests.conftest import ResolverCalls, Servers
from tests.operations import TOKENS, run

NOW = datetime.now(UTC)


@pytest.fixture
async def world(db: Servers) -> dict[str, Any]:
    """A hall with an administrator, an APP account and a clerk; another hall's APP account."""
    hall = await f.hall("JN")
    _, admin = await f.user("jnadmin", Role.ADMIN, of=hall)
    _, supervisor = await f.user("jnsuper", Role.SUPERVISOR, of=hall)
    app, _ = await f.user("busapp", Role.APP, of=hall)
    clerk, _ = await f.user("clerk1", Role.CLERK, of=hall)
    foreign, _ = await f.user("qdapp", Role.APP, of=await f.hall("QD"))
    return {"hall": hall, "admin": admin, "supervisor": supervisor, "app": app, "clerk": clerk,
            "foreign": foreign}  # fmt: skip


def _input(user: Any, **changes: Any) -> dict[str, Any]:
    return {
        "userId": to_base64("User", user.id),
        "name": "公交候车屏",
        "scopes": ["queueBoard", "halls"],
        "perMinute": 60,
        "expiresAt": (NOW + timedelta(days=30)).isoformat(),
    } | changes


async def _create(world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    result = await run(
        "ApiKeyCreate", {"input": _input(world["app"], **changes)}, actor=world["admin"], now=NOW
    )
    return dict(result["data"]["apiKeyCreate"])


async def _session(secret: str) -> Session | None:
    return await TOKENS.session(f"Bearer {secret}")


async def test_a_key_is_shown_once_stored_hashed_and_speaks_for_its_app(
    world: dict[str, Any],
) -> None:
    created = await _create(world)
    assert created["__typename"] == "ApiKeyCreateSuccess"
    secret = created["secret"]
    assert secret.startswith(f"hk_{created['apiKey']['prefix']}_")
    row = await ApiKey.get(prefix=created["apiKey"]["prefix"])
    assert secret not in row.secret_hash
    assert row.scopes == ["queueBoard", "halls"]
    session = await _session(secret)
    assert session is not None
    assert session.actor.role is Role.APP
    assert session.actor.user_id == world["app"].id
    assert session.api_key is not None
    assert caller_of(Context(actor=session.actor, api_key=session.api_key)) == f"key:{row.id}"
    listed = await run("ApiKeys", actor=world["admin"])
    assert [k["prefix"] for k in listed["data"]["apiKeys"]] == [row.prefix]
    assert "secret" not in str(listed)
    assert await _session(secret[:-2] + "zz") is None


@pytest.mark.parametrize(
    ("who", "changes", "expected"),
    [
        ("supervisor", {}, "FORBIDDEN"),
        ("admin", {"scopes": ["caseUnmask2"]}, "UNKNOWN_SCOPE"),
        ("admin", {"perMinute": 0}, "OUT_OF_RANGE"),
        ("admin", {"expiresAt": (NOW - timedelta(days=1)).isoformat()}, "OUT_OF_RANGE"),
        ("admin", {"user": "clerk"}, "NOT_AN_APP"),
        ("admin", {"user": "foreign"}, "NOT_FOUND"),
    ],
)
async def test_refused_creations_store_nothing(
    world: dict[str, Any], who: str, changes: dict[str, Any], expected: str
) -> None:
    user = world[changes.pop("user", "app")]
    result = await run(
        "ApiKeyCreate", {"input": _input(user, **changes)}, actor=world[who], now=NOW
    )
    payload = result["data"]["apiKeyCreate"] if result["data"] else None
    code = payload["code"] if payload else result["errors"][0]["extensions"]["code"]
    assert code == expected
    assert await ApiKey.all().count() == 0


async def test_revoked_and_expired_keys_stop_working(world: dict[str, Any]) -> None:
    revoked = await _create(world)
    expired = await _create(world, name="过期")
    done = await run(
        "ApiKeyRevoke", {"input": {"prefix": revoked["apiKey"]["prefix"]}}, actor=world["admin"]
    )
    assert done["data"]["apiKeyRevoke"]["apiKey"]["revokedAt"]
    assert await _session(revoked["secret"]) is None
    await ApiKey.filter(prefix=expired["apiKey"]["prefix"]).update(
        expires_at=NOW - timedelta(seconds=1)
    )
    assert await _session(expired["secret"]) is None
    unknown = await run("ApiKeyRevoke", {"input": {"prefix": "nope"}}, actor=world["admin"])
    assert unknown["data"]["apiKeyRevoke"]["code"] == "NOT_FOUND"
    clerk = await run(
        "ApiKeyRevoke",
        {"input": {"prefix": expired["apiKey"]["prefix"]}},
        actor=world["supervisor"],
    )
    assert clerk["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_scopes_are_enforced_before_any_resolver(
    world: dict[str, Any], resolver_calls: type[ResolverCalls], limiter: RedisRateLimiter
) -> None:
    created = await _create(world, scopes=["halls"])
    session = await _session(created["secret"])
    assert session is not None
    resolver_calls.calls = 0  # creating the key resolved fields of its own
    context = Context(
        actor=session.actor, user=session.user, api_key=session.api_key, limiter=limiter
    )
    for query in (
        "{ me { username } }",
        "{ halls { code } me { username } }",
        "{ ... on Query { me { username } } }",
        "{ ...F } fragment F on Query { me { username } }",
        "mutation { authLogout { loggedOutAt } }",
    ):
        result = await schema.execute(query, context_value=context)
        assert result.data is None, query
        error = (result.errors or [])[0]
        assert (error.extensions or {})["code"] == "FORBIDDEN", query
        assert (error.extensions or {})["reason"] == "OUT_OF_SCOPE"
    assert ResolverCalls.calls == 0
    allowed = await schema.execute("{ __typename halls { code } }", context_value=context)
    assert allowed.errors is None
    assert allowed.data == {"__typename": "Query", "halls": [{"code": "JN"}]}


async def test_a_key_is_held_to_its_rate(world: dict[str, Any], limiter: RedisRateLimiter) -> None:
    created = await _create(world, perMinute=2, scopes=["halls"])
    session = await _session(created["secret"])
    assert session is not None
    context = Context(
        actor=session.actor, user=session.user, api_key=session.api_key, limiter=limiter
    )
    results = [await schema.execute("{ halls { code } }", context_value=context) for _ in range(3)]
    assert [r.errors is None for r in results] == [True, True, False]
    error = (results[2].errors or [])[0]
    assert (error.extensions or {})["code"] == "THROTTLED"
    assert 1 <= (error.extensions or {})["retryAfter"] <= 60


async def test_a_hall_bound_key_sees_only_its_hall(world: dict[str, Any]) -> None:
    sub = await f.hall("JNLX", parent=world["hall"])
    created = await _create(world, hallId=to_base64("Hall", sub.id), scopes=["halls"])
    session = await _session(created["secret"])
    assert session is not None
    assert session.actor.hall_path == sub.path
    context = Context(actor=session.actor, user=session.user, api_key=session.api_key)
    seen = await schema.execute("{ halls { code } }", context_value=context)
    assert seen.data == {"halls": [{"code": "JNLX"}]}
    outside = await _create(world, hallId=to_base64("Hall", (await f.hall("QD2")).id))
    assert outside["code"] == "NOT_FOUND"
