"""Repeated reads over HTTP: reused per caller until a table they read changes, never stale
after the caller's own mutation, never shared, never free of the budget."""

from __future__ import annotations

import asyncio
from datetime import date
from importlib import import_module
from typing import Any

import httpx
import pytest
from strawberry.relay import to_base64
from tortoise import connections
from tortoise.transactions import in_transaction

from models.accounts.tables import Role
from models.cases.tables import Case
from schema.read_cache import WATCHED, document_tables
from schema.schema import schema
from tests import factories as f
from tests.conftest import Servers

LOGIN = "mutation($i: AuthLoginInput!){authLogin(input:$i){... on AuthLoginSuccess{token}}}"
LIST = (
    "query($d: ID!){cases(filter: {departmentId: $d, openOnly: true}, order: DUE_SOONEST,"
    " first: 10){edges{node{number dueOn item{code} window{number}}}}}"
)
ONE = "query($n: String!){case(number: $n){number dueOn events{seq kind}}}"
DAY = date(2026, 12, 31)
WAIT_SECONDS = 5.0


@pytest.fixture
async def desk(committed: Servers) -> dict[str, Any]:
    made = await f.case_desk()
    await f.user("chief1", Role.SUPERVISOR, of=made.hall)
    return {"department": to_base64("Department", made.department.id), "number": made.case.number}


async def _post(
    client: httpx.AsyncClient, query: str, variables: Any, token: str = ""
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code in {200, 429}
    body: dict[str, Any] = response.json()
    return body


async def _login(client: httpx.AsyncClient, username: str) -> str:
    body = await _post(client, LOGIN, {"i": {"username": username, "password": f.PASSWORD}})
    return str(body["data"]["authLogin"]["token"])


async def _silently(number: str, due: date) -> None:
    """Change a case with triggers off: a write that announces nothing (only a cache hides it)."""
    async with in_transaction() as conn:
        await conn.execute_script("SET LOCAL session_replication_role = replica")
        await conn.execute_query('UPDATE "case" SET due_on = $1 WHERE number = $2', [due, number])


async def _kept(client: httpx.AsyncClient, query: str, variables: Any, token: str) -> Any:
    """Ask three times (the first run validates, the second is kept, the third reused)."""
    for _ in range(3):
        answer = await _post(client, query, variables, token)
    return answer


def _due(body: dict[str, Any]) -> str:
    return str(body["data"]["cases"]["edges"][0]["node"]["dueOn"])


async def _until(check: Any) -> Any:
    """Poll an async check until it answers something true (notifications are asynchronous)."""
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while True:
        found = await check()
        if found or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.05)


async def test_a_list_is_reused_until_a_table_it_reads_changes(
    server: str, desk: dict[str, Any]
) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=30) as client:
        clerk = await _login(client, "clerk1")
        variables = {"d": desk["department"]}
        first = await _post(client, LIST, variables, clerk)
        for _ in range(2):  # the first run validates, the second is kept, the third reused
            assert (await _post(client, LIST, variables, clerk))["data"] == first["data"]

        # A write that notifies nobody is not seen: the answer was reused ...
        await _silently(desk["number"], DAY)
        assert _due(await _post(client, LIST, variables, clerk)) == _due(first)

        # ... a committed write to a table it reads is, once its notification has arrived.
        await Case.filter(number=desk["number"]).update(decision_note="x")

        async def fresh() -> bool:
            return _due(await _post(client, LIST, variables, clerk)) == DAY.isoformat()

        assert await _until(fresh)


async def test_a_callers_own_mutation_is_seen_at_once(server: str, desk: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=30) as client:
        clerk = await _login(client, "clerk1")
        variables = {"n": desk["number"]}
        kept = await _kept(client, ONE, variables, clerk)
        await _silently(desk["number"], DAY)
        assert (await _post(client, ONE, variables, clerk))["data"] == kept["data"]
        # Any mutation answered by this process: what was kept before it is not reused.
        await _login(client, "chief1")
        after = await _post(client, ONE, variables, clerk)
        assert after["data"]["case"]["dueOn"] == DAY.isoformat()


async def test_callers_never_share_answers(server: str, desk: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=30) as client:
        clerk, outsider = await _login(client, "clerk1"), await _login(client, "qdclerk")
        variables = {"n": desk["number"]}
        for _ in range(3):
            seen = await _post(client, ONE, variables, clerk)
            assert seen["data"]["case"]["number"] == desk["number"]
        for _ in range(3):  # another hall's clerk gets null, as without the cache
            assert (await _post(client, ONE, variables, outsider))["data"] == {"case": None}
        assert (await _post(client, ONE, variables, ""))["errors"][0]["extensions"]["code"] == (
            "UNAUTHENTICATED"
        )


async def test_losing_the_listen_connection_stops_reuse(server: str, desk: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=30) as client:
        clerk = await _login(client, "clerk1")
        variables = {"n": desk["number"]}
        kept = await _kept(client, ONE, variables, clerk)
        db = connections.get("default")
        _, killed = await db.execute_query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE query LIKE 'LISTEN %read_change%' AND pid <> pg_backend_pid()"
        )
        assert killed, "the server listens on read_change"
        await _silently(desk["number"], DAY)
        # Changes may have been missed while it was gone: nothing kept before is reused.
        after = await _post(client, ONE, variables, clerk)
        assert after["data"]["case"]["dueOn"] == DAY.isoformat() != kept["data"]["case"]["dueOn"]

        async def listening() -> bool:
            _, rows = await db.execute_query(
                "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'LISTEN %read_change%'"
            )
            return bool(rows)

        assert await _until(listening), "it listens again by itself"


class TestBudget:
    """Hits spend the caller's budget as executions do."""

    @pytest.fixture
    def server_env(self) -> dict[str, str]:
        return {"HALL_COST_BUDGET": "40", "HALL_MAX_QUERY_COST": "40"}

    async def test_hits_are_throttled_like_executions(
        self, server: str, desk: dict[str, Any]
    ) -> None:
        async with httpx.AsyncClient(base_url=server, timeout=30) as client:
            clerk = await _login(client, "clerk1")
            variables = {"n": desk["number"]}
            first = await _post(client, ONE, variables, clerk)
            cost = first["extensions"]["cost"]["requested"]
            answers = [first]
            answers += [await _post(client, ONE, variables, clerk) for _ in range(40 // cost + 3)]
        codes = [a["errors"][0]["extensions"]["code"] for a in answers if "errors" in a]
        assert codes, "the budget ran out"
        assert set(codes) == {"THROTTLED"}
        served = [a for a in answers if "errors" not in a]
        assert len(served) * cost <= 40, "each hit spent its cost"


class TestDisabled:
    """HALL_READ_CACHE=0: every read executes."""

    @pytest.fixture
    def server_env(self) -> dict[str, str]:
        return {"HALL_READ_CACHE": "0"}

    async def test_every_read_executes(self, server: str, desk: dict[str, Any]) -> None:
        async with httpx.AsyncClient(base_url=server, timeout=30) as client:
            clerk = await _login(client, "clerk1")
            variables = {"n": desk["number"]}
            await _kept(client, ONE, variables, clerk)
            await _silently(desk["number"], DAY)
            after = await _post(client, ONE, variables, clerk)
            assert after["data"]["case"]["dueOn"] == DAY.isoformat()


# --- which documents may be kept, and what they read -----------------------------------------


def _tables(query: str) -> tuple[str, ...] | None:
    from graphql import parse  # noqa: PLC0415

    return document_tables(schema._schema, parse(query))


def test_a_case_list_reads_cases_scopes_and_the_catalogue_it_shows() -> None:
    assert _tables(LIST) == (
        "case",
        "department",
        "hall",
        "service_item",
        "service_item_version",
        "window",
    )


def test_a_case_with_events_reads_its_events() -> None:
    assert _tables(ONE) == ("case", "case_event", "department", "hall")
    assert "ticket" in (_tables('query{case(number: "1"){ticketNumber}}') or ())


@pytest.mark.parametrize(
    "query",
    [
        'query{case(number: "1"){number} me{id}}',  # a root field not listed
        'mutation{authLogin(input: {username: "a", password: "b"}){__typename}}',
        "query{__schema{types{name}}}",
        'query{node(id: "x"){id}}',
        'query A{case(number: "1"){number}} query B{case(number: "2"){number}}',
        'query{case(number: "1"){... on Node{id}}}',
    ],
)
def test_other_documents_are_never_kept(query: str) -> None:
    assert _tables(query) is None


def test_every_table_read_announces_its_writes() -> None:
    migration = import_module("models.migrations.0018_read_change_notices")
    assert set(migration.TABLES) == WATCHED


async def test_the_triggers_are_installed(orm: Servers) -> None:
    _, rows = await connections.get("default").execute_query(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE t.tgname = 'read_change_notice'"
    )
    assert {r["relname"] for r in rows} == WATCHED
