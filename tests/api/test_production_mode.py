"""Production mode over HTTP: security headers everywhere, CORS for configured origins only."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from api.auth import Tokens
from api.graphql_view import HallGraphQL
from api.security_headers import DATA_POLICY, HSTS
from schema.schema import schema

ALLOWED = "https://hall.example.cn"


@pytest.fixture
def server_env() -> dict[str, str]:
    """One allowed origin."""
    return {"HALL_ALLOWED_ORIGINS": ALLOWED}


def _has_security_headers(response: httpx.Response, policy: str | None = DATA_POLICY) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    if policy is not None:
        assert headers["content-security-policy"] == policy
    assert headers["strict-transport-security"] == HSTS


def test_every_response_carries_the_security_headers(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as client:
        for response in (
            client.get("/healthz"),
            client.get("/readyz"),
            client.get("/metrics"),
            client.get("/no-such-page"),
            client.post("/graphql", json={"query": "{ __typename }"}),
            client.post("/graphql", json=[{"query": "{ __typename }"}]),
            client.get("/graphql", params={"query": "{ __typename }"}),
            client.put("/graphql"),
        ):
            _has_security_headers(response)
        _has_security_headers(client.get("/board/370100"), None)  # the page's own policy kept
        graphql = client.post("/graphql", json={"query": "{ __typename }"})
        assert graphql.headers["cache-control"] == "no-store"


def test_cors_answers_the_configured_origin_only(server: str) -> None:
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }
    with httpx.Client(base_url=server, timeout=10) as client:
        allowed = client.options("/graphql", headers={"origin": ALLOWED, **preflight})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == ALLOWED
        assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
        refused = client.options(
            "/graphql", headers={"origin": "https://evil.example", **preflight}
        )
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers
        _has_security_headers(refused)
        post = client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in post.headers
        ok = client.post("/graphql", json={"query": "{ __typename }"}, headers={"origin": ALLOWED})
        assert ok.headers["access-control-allow-origin"] == ALLOWED


def test_prod_hides_graphiql_and_get_while_dev_shows_them() -> None:
    tokens = Tokens(key="k" * 40, ttl=timedelta(hours=1))

    async def get(dev: bool) -> list[httpx.Response]:
        view = HallGraphQL(schema, tokens, dev=dev)
        transport = httpx.ASGITransport(app=view)
        async with httpx.AsyncClient(transport=transport, base_url="http://hall") as client:
            return [
                await client.get("/", headers={"accept": "text/html"}),
                await client.get("/", params={"query": "{ __typename }"}),
            ]

    import asyncio  # noqa: PLC0415

    page, query = asyncio.run(get(dev=True))
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert query.json()["data"] == {"__typename": "Query"}
    page, query = asyncio.run(get(dev=False))
    assert (page.status_code, query.status_code) == (405, 405)
    assert page.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
