"""Abuse over HTTP against a real `hall serve` in prod mode: batches, sizes, GET, probes, budget."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models.accounts.tables import Role, User
from tests import factories as f
from tests.conftest import Servers

LOGIN = "mutation($i: AuthLoginInput!){ authLogin(input: $i){ __typename } }"


@pytest.fixture
def server_env() -> dict[str, str]:
    """A small budget: 120 points a minute, at most 100 per operation."""
    return {"HALL_COST_BUDGET": "120", "HALL_MAX_QUERY_COST": "100"}


async def _post(base: str, body: Any, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        return await client.post("/graphql", json=body, **kwargs)


def _code(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


async def test_batches_are_refused_and_run_nothing(committed: Servers, server: str) -> None:
    await f.user("clerk1", Role.CLERK, of=await f.hall("JN"))
    login = {"query": LOGIN, "variables": {"i": {"username": "clerk1", "password": f.PASSWORD}}}
    for batch in ([login], [login, login], [login] * 200):
        response = await _post(server, batch)
        assert response.status_code == 400
        assert _code(response) == "BATCHING_NOT_SUPPORTED"
    assert (await User.get(username="clerk1")).last_login_at is None
    single = await _post(server, login)
    assert single.json()["data"]["authLogin"]["__typename"] == "AuthLoginSuccess"


async def test_oversize_bodies_bad_json_and_get_are_refused_with_codes(server: str) -> None:
    padding = "#" * 120_000
    response = await _post(server, {"query": f"{padding}\n{{ __typename }}"})
    assert (response.status_code, _code(response)) == (413, "REQUEST_TOO_LARGE")
    async with httpx.AsyncClient(base_url=server, timeout=10) as client:
        bad = await client.post(
            "/graphql", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert (bad.status_code, _code(bad)) == (400, "BAD_REQUEST")
        for headers in ({}, {"accept": "text/html"}):
            got = await client.get("/graphql", params={"query": "{ __typename }"}, headers=headers)
            assert (got.status_code, _code(got)) == (405, "METHOD_NOT_ALLOWED")
            assert got.headers["allow"] == "POST"
            assert "graphiql" not in got.text.lower()


async def test_probes_get_stable_codes_and_no_hints_in_prod(server: str) -> None:
    probes = {
        "{ __schema { types { name } } }": "INTROSPECTION_DISABLED",
        '{ __type(name: "Case") { fields { name } } }': "INTROSPECTION_DISABLED",
        "{ hals { code } }": "GRAPHQL_VALIDATION_FAILED",
        "{ halls { " + "parent { " * 13 + "code" + " }" * 15: "QUERY_TOO_DEEP",
        "{ " + " ".join(f"a{n}: __typename" for n in range(31)) + " }": "TOO_MANY_ALIASES",
        "{ " + "__typename " * 2001 + "}": "TOO_MANY_TOKENS",
        "{ cases(first: 1000) { totalCount } }": "BAD_USER_INPUT",
        "{ halls { code }": "GRAPHQL_PARSE_FAILED",
    }
    for query, code in probes.items():
        response = await _post(server, {"query": query})
        body = response.json()
        assert body["data"] is None, query
        assert _code(response) == code, (query, body)
        assert "Did you mean" not in response.text
    typename = await _post(server, {"query": "{ __typename }"})
    assert typename.json()["data"] == {"__typename": "Query"}


async def test_the_budget_reports_its_cost_and_throttles_with_retry_after(server: str) -> None:
    costly = "{ a: halls { code } b: halls { code } c: halls { code } d: halls { code } e: halls { code } }"
    nested = "halls { parent { parent { code } } }"
    too_costly = "{ " + " ".join(f"h{n}: {nested}" for n in range(6)) + " }"
    refused = await _post(server, {"query": too_costly})
    assert _code(refused) == "QUERY_TOO_COMPLEX"
    assert refused.json()["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": 100,
        "actual": 6 * (1 + 10 * 2),  # a list of 10 assumed, each with two parents
    }
    seen: list[int] = []
    for _ in range(40):
        response = await _post(server, {"query": costly})
        if response.status_code == 429:
            break
        cost = response.json()["extensions"]["cost"]
        assert cost["requested"] == 5
        assert cost["budget"] == 120
        seen.append(cost["remaining"])
    else:
        pytest.fail("never throttled")
    assert seen == sorted(seen, reverse=True)
    body = response.json()
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "THROTTLED"
    assert 1 <= error["extensions"]["retryAfter"] <= 60
    assert response.headers["retry-after"] == str(error["extensions"]["retryAfter"])
    assert body["extensions"]["cost"]["remaining"] < 5
