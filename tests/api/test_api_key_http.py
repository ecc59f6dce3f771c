"""An API key over HTTP against a real server: its scopes, its budget key, revocation."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from api.auth import Tokens
from models.accounts.tables import Role
from models.apikeys.actions import create_key, revoke_key
from models.apikeys.rules import KeyDraft
from tests import factories as f
from tests.conftest import Servers

KEY = secrets.token_urlsafe(40)


@pytest.fixture
def server_env() -> dict[str, str]:
    """A known signing key (the API keys' pepper derives from it)."""
    return {"HALL_SECRET_KEY": KEY}


@pytest.fixture
async def key(committed: Servers) -> dict[str, Any]:
    """An APP account's key for `halls` only."""
    hall = await f.hall("JN")
    _, admin = await f.user("jnadmin", Role.ADMIN, of=hall)
    app, _ = await f.user("busapp", Role.APP, of=hall)
    now = datetime.now(UTC)
    draft = KeyDraft("候车屏", ("halls",), 60, now + timedelta(days=1))
    row, text = await create_key(
        admin,
        app.id,
        None,
        draft,
        known_scopes={"halls"},
        pepper=Tokens(key=KEY, ttl=timedelta(hours=1)).api_key_pepper,
        now=now,
    )
    return {"admin": admin, "prefix": row.prefix, "text": text, "id": row.id}


async def _post(base: str, text: str, query: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        return await client.post(
            "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {text}"}
        )


async def test_a_key_reads_its_scope_only_until_revoked(key: dict[str, Any], server: str) -> None:
    ok = await _post(server, key["text"], "{ halls { code } }")
    assert ok.json()["data"] == {"halls": [{"code": "JN"}]}
    assert ok.json()["extensions"]["cost"]["budget"] == 50_000
    refused = await _post(server, key["text"], "{ me { username } }")
    error = refused.json()["errors"][0]
    assert (error["extensions"]["code"], error["extensions"]["reason"]) == (
        "FORBIDDEN",
        "OUT_OF_SCOPE",
    )
    assert refused.json()["data"] is None
    await revoke_key(key["admin"], key["prefix"], datetime.now(UTC))
    gone = await _post(server, key["text"], "{ halls { code } }")
    assert gone.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
