"""Schema fuzzing: queries and mutations generated from the schema, sent to a real server.

Every answer must be a well-formed GraphQL response with a stable code on each error, and none
may be a 500 or a masked INTERNAL_SERVER_ERROR (the server runs in prod mode, so an unexpected
exception shows as that code). The default run is short; `HALL_FUZZ_EXAMPLES=2000` runs longer.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import hypothesis.strategies as st
import pytest
import redis.asyncio as aioredis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis_graphql import Mode, mutations, nodes, queries

from api.auth import Tokens
from models.accounts.tables import Role
from schema.schema import schema
from tests import factories as f
from tests.conftest import Servers

EXAMPLES = int(os.environ.get("HALL_FUZZ_EXAMPLES", "40"))
TIMEOUT = max(120, EXAMPLES)  # seconds; a loaded machine answers some examples slowly
KEY = secrets.token_urlsafe(40)
ROLES = ("director", "supervisor", "clerk1", "screen", "op1", None)
# Ending the fuzzing accounts' own tokens would only turn later examples into UNAUTHENTICATED.
SKIPPED_MUTATIONS = {"authLogout", "authPasswordChange"}
SCALARS = {
    "Date": st.dates().map(nodes.String),
    "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda d: nodes.String(d.isoformat())),
    "Decimal": st.decimals(allow_nan=False, allow_infinity=False, places=2).map(nodes.String),
    "JSON": st.one_of(st.text(max_size=20).map(nodes.String), st.integers().map(nodes.Int)),
}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    phases=(Phase.generate, Phase.shrink),
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def server_env() -> dict[str, str]:
    """No worker; a budget the fuzzing cannot exhaust; a known key to sign the tokens with."""
    return {"HALL_RUN_WORKER": "0", "HALL_COST_BUDGET": "1000000000", "HALL_SECRET_KEY": KEY}


@pytest.fixture
async def world(committed: Servers) -> AsyncIterator[dict[str | None, str]]:
    """A hall with a department, an item, a lane, a window and an account of each role.

    Yields each role's token. Afterwards the suite's Redis is emptied: the fuzzing's failed
    logins and spent budget (per client address) would otherwise throttle later tests.
    """
    hall = await f.hall("JN")
    await f.always_open(hall)
    dept = await f.department(hall, "SC", "市市场监管局")
    await f.item(dept, "SC-001")
    await f.lane(hall, "A")
    await f.window(hall, "1")
    roles = {
        "director": Role.ADMIN,
        "supervisor": Role.SUPERVISOR,
        "clerk1": Role.CLERK,
        "screen": Role.MONITOR,
        "op1": Role.HOTLINE,
    }
    tokens = Tokens(key=KEY, ttl=timedelta(hours=2))
    issued: dict[str | None, str] = {}
    for username, role in roles.items():
        user, _ = await f.user(
            username, role, of=hall, department_id=dept.id if role is Role.CLERK else None
        )
        issued[username] = tokens.issue(user, datetime.now(UTC))[0]
    yield issued
    redis = aioredis.Redis.from_url(committed.redis_url)
    await redis.flushdb()
    await redis.aclose()


def _error_problem(error: dict[str, Any]) -> str | None:
    code = (error.get("extensions") or {}).get("code")
    if not isinstance(error.get("message"), str) or not isinstance(code, str):
        return f"an error without a message or a code: {error}"
    if code == "INTERNAL_SERVER_ERROR":
        return f"INTERNAL_SERVER_ERROR at {error.get('path')}"
    return None


def problem_of(response: httpx.Response) -> str | None:
    """What is wrong with a response, or None for a well-formed GraphQL answer."""
    if response.status_code >= 500:
        return f"HTTP {response.status_code}"
    if not response.headers.get("content-type", "").startswith("application/json"):
        return f"content-type {response.headers.get('content-type')}"
    body = response.json()
    if not isinstance(body, dict) or not body.keys() <= {"data", "errors", "extensions"}:
        return f"not a GraphQL response: {str(body)[:200]}"
    if "data" not in body and not body.get("errors"):
        return "neither data nor errors"
    problems = (_error_problem(error) for error in body.get("errors") or [])
    return next((p for p in problems if p is not None), None)


def _fuzz(
    server: str, tokens: dict[str | None, str], log: Path, documents: st.SearchStrategy[str]
) -> None:
    with httpx.Client(base_url=server, timeout=60) as client:

        @FUZZ
        @given(document=documents, role=st.sampled_from(ROLES))
        def check(document: str, role: str | None) -> None:
            headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
            response = client.post("/graphql", json={"query": document}, headers=headers)
            problem = problem_of(response)
            if problem is not None:
                tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
                pytest.fail(f"{problem}\nas {role}:\n{document}\n{response.text[:500]}\n{tail}")

        check()


@pytest.mark.slow
@pytest.mark.timeout(TIMEOUT)
def test_generated_queries_never_fail_internally(
    world: dict[str | None, str], server: str, tmp_path: Path
) -> None:
    documents = queries(schema._schema, custom_scalars=SCALARS)
    _fuzz(server, world, tmp_path / "serve.log", documents)


@pytest.mark.slow
@pytest.mark.timeout(TIMEOUT)
def test_generated_mutations_never_fail_internally(
    world: dict[str | None, str], server: str, tmp_path: Path
) -> None:
    mutation = schema._schema.mutation_type
    assert mutation is not None
    fields = sorted(set(mutation.fields) - SKIPPED_MUTATIONS)
    documents = mutations(schema._schema, fields=fields, custom_scalars=SCALARS)
    _fuzz(server, world, tmp_path / "serve.log", documents)


@pytest.mark.slow
@pytest.mark.timeout(TIMEOUT)
def test_documents_with_one_violation_are_refused_cleanly(
    world: dict[str | None, str], server: str, tmp_path: Path
) -> None:
    mutation = schema._schema.mutation_type
    assert mutation is not None
    fields = sorted(set(mutation.fields) - SKIPPED_MUTATIONS)
    documents = st.one_of(
        queries(schema._schema, custom_scalars=SCALARS, mode=Mode.NEGATIVE),
        mutations(schema._schema, fields=fields, custom_scalars=SCALARS, mode=Mode.NEGATIVE),
    )
    _fuzz(server, world, tmp_path / "serve.log", documents)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, {"data": {"a": 1}}, None),
        (400, {"data": None, "errors": [{"message": "m", "extensions": {"code": "X"}}]}, None),
        (500, {"data": None}, "HTTP 500"),
        (200, {"rows": []}, "not a GraphQL response"),
        (200, {"errors": [{"message": "m"}]}, "without a message or a code"),
        (
            200,
            {
                "data": None,
                "errors": [{"message": "m", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}],
            },
            "INTERNAL_SERVER_ERROR",
        ),
    ],
)
def test_the_checker_tells_bad_answers(
    status: int, body: dict[str, Any], expected: str | None
) -> None:
    problem = problem_of(httpx.Response(status, json=body))
    assert (problem is None) if expected is None else (expected in str(problem))
