"""The lean /graphql path answers every request exactly as the full middleware stack does."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
import redis.asyncio as aioredis
from prometheus_client import REGISTRY
from starlette.types import Message
from strawberry.relay import to_base64

from api import trusted_documents
from api.app import HallApp, assemble
from api.auth import Tokens
from api.board_log import RedisEventLog
from api.board_snapshot import SNAPSHOT_HEADER
from api.cost_budget import RedisCostBudget
from api.graphql_view import HallGraphQL
from api.limits import RedisRateLimiter
from api.settings import Environment, Settings
from api.trusted_documents import registry
from models.accounts.tables import Role, User
from models.queue import calling
from schema.limits.policy import QueryPolicy
from schema.schema import schema
from tests import factories as f
from tests.conftest import Servers
from tests.garbage import cyclic_garbage

ALLOWED = "https://hall.example.cn"
TOKENS = Tokens(key="lean-" * 10, ttl=timedelta(hours=1))
BOARD = "query($hall: ID!){queueBoard(hallId: $hall){seq lanes{lane{prefix name} waiting}}}"
HALLS = "{ halls { code name openingHours { __typename } } }"
ME = "{ me { username role } }"


@dataclass
class Call:
    """One request of the corpus."""

    method: str = "POST"
    json: Any = None
    content: bytes | None = None
    params: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    token: str | None = None
    chunks: list[bytes] | None = None  # a body sent in pieces


@dataclass
class Pair:
    """Two identically built apps: one answers through the lean path, one through the stack."""

    lean: HallApp
    stack: HallApp
    views: tuple[HallGraphQL, HallGraphQL]


def _app(redis: aioredis.Redis, *, dev: bool, budget: int) -> tuple[HallApp, HallGraphQL]:
    settings = Settings(
        env=Environment.DEV if dev else Environment.PROD,
        secret_key="s" * 40,
        allowed_origins=ALLOWED,
        database_url="postgres://unused/unused",
        redis_url="redis://unused",
    )
    view = HallGraphQL(
        schema,
        TOKENS,
        dev=dev,
        policy=QueryPolicy(max_cost=400, introspection=dev, suggestions=dev),
        allowed_origins=settings.origins,
        max_body_bytes=2_000,
    )
    view.limiter = RedisRateLimiter(redis, prefix=f"test:{secrets.token_hex(4)}:")
    view.budget = RedisCostBudget(redis, budget, 60)
    view.board_log = RedisEventLog(redis)
    return assemble(settings, view, TOKENS), view


@pytest.fixture
async def redis(orm: Servers) -> AsyncIterator[aioredis.Redis]:
    """The suite's Redis."""
    client = aioredis.Redis.from_url(orm.redis_url)
    yield client
    await client.aclose()


def _pair(redis: aioredis.Redis, *, dev: bool = False, budget: int = 400) -> Pair:
    lean, lean_view = _app(redis, dev=dev, budget=budget)
    stack, stack_view = _app(redis, dev=dev, budget=budget)
    return Pair(lean, stack, (lean_view, stack_view))


def _requests(method: str, status: int) -> float:
    labels = {"method": method, "route": "/graphql", "status": str(status)}
    return REGISTRY.get_sample_value("hall_http_requests_total", labels) or 0.0


async def _send(app: Any, call: Call) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    headers = dict(call.headers)
    if call.token:
        headers["authorization"] = f"Bearer {call.token}"
    async with httpx.AsyncClient(transport=transport, base_url="http://hall") as client:
        return await client.request(
            call.method,
            "/graphql",
            json=call.json,
            content=call.content if call.chunks is None else _pieces(call.chunks),
            params=call.params,
            headers=headers,
        )


async def _pieces(chunks: list[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def _both(
    pair: Pair, call: Call, *, fresh: bool = True
) -> tuple[httpx.Response, httpx.Response]:
    """The call answered by each app (each with a fresh budget unless told); metrics agree."""
    budget = secrets.token_hex(4)
    answers = []
    for app, view, route in (
        (pair.lean, pair.views[0], pair.lean),
        (pair.stack, pair.views[1], pair.stack.stack),
    ):
        assert isinstance(view.budget, RedisCostBudget)
        if fresh:
            view.budget.prefix = f"test:lean:{budget}:{app is pair.lean}:"
        before = {status: _requests(call.method, status) for status in (200, 400, 429, 500)}
        response = await _send(route, call)
        after = {status: _requests(call.method, status) for status in (200, 400, 429, 500)}
        counted = {status for status in after if after[status] != before[status]}
        assert counted <= {response.status_code}, (call, counted)
        answers.append((response, counted))
    (lean, lean_counted), (stack, stack_counted) = answers
    assert lean_counted == stack_counted, call
    return lean, stack


def _same(lean: httpx.Response, stack: httpx.Response, call: Call) -> None:
    assert lean.status_code == stack.status_code, (call, lean.text, stack.text)
    assert lean.headers.raw == stack.headers.raw, call
    assert lean.content == stack.content, call


@pytest.fixture
async def people(committed: Servers) -> dict[str, Any]:
    """A hall with a lane, a monitor, a clerk and a disabled account's old token."""
    hall = await f.hall("JN")
    await f.always_open(hall)
    await f.lane(hall, "A")
    monitor, _ = await f.user("screen", Role.MONITOR, of=hall)
    clerk, _ = await f.user("clerk", Role.CLERK, of=hall)
    now = datetime.now(UTC)
    return {
        "hall": to_base64("Hall", hall.id),
        "monitor": TOKENS.issue(monitor, now)[0],
        "clerk": TOKENS.issue(clerk, now)[0],
    }


def _corpus(people: dict[str, Any]) -> list[Call]:
    entry = next(iter(registry().by_id.values()))
    board = {"query": BOARD, "variables": {"hall": people["hall"]}}
    return [
        # Good requests, anonymous and signed in, with and without an Origin.
        Call(json={"query": "{ __typename }"}),
        Call(json={"query": HALLS}, token=people["clerk"]),
        Call(json={"query": ME}, token=people["clerk"]),
        Call(json={"query": ME}),
        Call(json={"query": ME}, token="not-a-token"),
        Call(json={"query": ME}, token=people["clerk"] + "x"),
        Call(json={"query": "{ __typename }"}, headers={"origin": ALLOWED}),
        Call(
            chunks=[b'{"query": "{ __type', b'name }"}'],
            headers={"content-type": "application/json"},
        ),
        Call(
            chunks=[b'{"query": "' + b"#" * 1_990, b'"}'],
            headers={"content-type": "application/json"},
        ),
        Call(json={"query": "{ __typename }"}, headers={"origin": "https://evil.example"}),
        Call(json={"query": ME, "operationName": None, "variables": None, "extensions": None}),
        Call(
            json={"query": "query A{__typename} query B{__typename}", "operationName": "B"},
            headers={"content-type": "application/json; charset=utf-8"},
        ),
        # Board snapshots: built by the first request, served by the second.
        Call(json=board, token=people["monitor"]),
        Call(json=board, token=people["monitor"]),
        Call(json=board),
        # Refused by the gate, or by strawberry's checks.
        Call(json=[{"query": "{ __typename }"}]),
        Call(json={"query": "#" * 3_000 + "{ __typename }"}),
        Call(json={"query": "{ " + "__typename " * 2001 + "}"}),
        Call(method="GET", params={"query": "{ __typename }"}),
        Call(content=b"{not json", headers={"content-type": "application/json"}),
        Call(content=b'{"query": "{ __typename }"}', headers={"content-type": "text/plain"}),
        Call(content=b'{"query": "{ __typename }"}'),
        Call(json={"query": 1}),
        Call(json={"query": "{ __typename }", "variables": []}),
        Call(json={"query": "{ __typename }", "extensions": "x"}),
        Call(json={}),
        Call(json={"query": "query A{__typename} query B{__typename}"}),
        Call(json={"query": "query A{__typename}", "operationName": "C"}),
        Call(json={"query": "{ halls { code }"}),
        Call(json={"query": "{ hals { code } }"}),
        Call(json={"query": "{ __schema { types { name } } }"}),
        Call(json={"query": "mutation { authLogout }"}, token=people["clerk"]),
        Call(json={"query": "subscription { __typename }"}),
        # A body that is not an object: strawberry's own (unexpected) error, as a plain 500.
        Call(content=b"1", headers={"content-type": "application/json"}),
        Call(content=b'"x"', headers={"content-type": "application/json"}),
        # Documents sent by id.
        Call(json={"documentId": entry.id, "variables": {}}, token=people["clerk"]),
        Call(json={"documentId": "sha256:" + "0" * 64}),
        Call(json={"documentId": "nonsense"}),
        Call(json={"documentId": entry.id, "query": "{ __typename }"}),
        Call(json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}}),
    ]


async def test_the_lean_path_answers_as_the_stack_does(
    redis: aioredis.Redis, people: dict[str, Any]
) -> None:
    pair = _pair(redis)
    statuses = set()
    for call in _corpus(people):
        lean, stack = await _both(pair, call)
        _same(lean, stack, call)
        statuses.add(lean.status_code)
    assert statuses >= {200, 400, 405, 413, 500}
    assert pair.views[0].board_snapshots.hits == pair.views[1].board_snapshots.hits == 1
    board = {"query": BOARD, "variables": {"hall": people["hall"]}}
    lean, stack = await _both(pair, Call(json=board, token=people["monitor"]))
    assert lean.headers[SNAPSHOT_HEADER] == stack.headers[SNAPSHOT_HEADER] == "hit"


async def test_plain_posts_skip_the_request_objects_and_the_rest_do_not(
    redis: aioredis.Redis, people: dict[str, Any]
) -> None:
    pair = _pair(redis)
    assert pair.lean.lean is not None
    lean = pair.lean.lean
    entry = next(iter(registry().by_id.values()))
    board = {"query": BOARD, "variables": {"hall": people["hall"]}}
    json = {"content-type": "application/json"}
    calls = [
        (Call(json={"query": "{ __typename }"}), True),
        (Call(json={"query": ME}, token=people["clerk"]), True),
        (Call(json={"query": ME}, token="not-a-token"), True),
        (Call(json={"query": HALLS, "operationName": None, "variables": {}}), True),
        (Call(chunks=[b'{"query": "{ me ', b'{ username } }"}'], headers=json), True),
        (Call(json={"query": "{ __typename }", "variables": {"a": "\u0000"}}), True),
        (Call(json={"query": "{ hals { code } }"}), True),
        (Call(json={"query": "{ __typename }"}, headers={"origin": ALLOWED}), False),
        (
            Call(content=b'{"query": "{ __typename }"}', headers={"content-type": "text/plain"}),
            False,
        ),
        (Call(content=b' {"query": "{ __typename }"}', headers=json), False),
        (Call(content=b"{not json", headers=json), False),
        (Call(json=[{"query": "{ __typename }"}]), False),
        (Call(json={"query": "{ __typename }", "variables": []}), False),
        (Call(json={"query": "{ __typename }", "operationName": 1}), False),
        (Call(json={"query": "{ " + "__typename " * 2001 + "}"}), False),
        (Call(chunks=[b'{"query": "' + b"#" * 1_990, b'"}'], headers=json), False),
        (Call(json={"documentId": entry.id, "variables": {}}, token=people["clerk"]), False),
        (Call(json=board, token=people["monitor"]), False),
    ]
    for call, plain in calls:
        before = lean.plain_runs
        answers = await _both(pair, call)
        _same(*answers, call)
        assert lean.plain_runs == before + plain, call


async def test_throttled_requests_carry_retry_after_on_both_paths(
    redis: aioredis.Redis, people: dict[str, Any]
) -> None:
    pair = _pair(redis, budget=1)
    assert pair.lean.lean is not None
    direct = pair.lean.lean.direct
    call = Call(json={"query": HALLS}, token=people["clerk"])
    _same(*await _both(pair, call), call)
    runs = direct.runs
    lean, stack = await _both(pair, call, fresh=False)
    _same(lean, stack, call)
    assert lean.status_code == 429, lean.text
    assert direct.runs == runs + 1  # a known document: refused by the direct path
    assert "retry-after" in lean.headers
    for origin in (ALLOWED, "https://evil.example"):
        call = Call(json={"query": HALLS}, token=people["clerk"], headers={"origin": origin})
        _same(*await _both(pair, call, fresh=False), call)


async def test_get_in_development_answers_as_the_stack_does(
    redis: aioredis.Redis, people: dict[str, Any]
) -> None:
    pair = _pair(redis, dev=True)
    for call in (
        Call(method="GET", params={"query": "{ __typename }"}),
        Call(method="GET", params={"query": ME}, token=people["clerk"]),
        Call(method="GET", params={"query": "{ __typename }", "variables": "{}"}),
        Call(method="GET", params={"query": "{ __typename }", "variables": "{bad"}),
        Call(method="GET", params={"query": "mutation { authLogout }"}),
        Call(method="GET", headers={"accept": "text/html"}),
        Call(method="GET"),
        Call(json={"query": "{ __schema { queryType { name } } }"}),
    ):
        lean, stack = await _both(pair, call)
        _same(lean, stack, call)


async def test_other_requests_keep_the_full_stack(redis: aioredis.Redis) -> None:
    pair = _pair(redis)
    preflight = {
        "origin": ALLOWED,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }
    for call in (Call(method="OPTIONS", headers=preflight), Call(method="PUT"), Call("HEAD")):
        assert not pair.lean.lean or not pair.lean.lean.handles(
            {"type": "http", "path": "/graphql", "method": call.method}
        )
        lean, stack = await _both(pair, call)
        _same(lean, stack, call)


CALL_NEXT = (
    "mutation($i: TicketCallNextInput!){ticketCallNext(input:$i){__typename"
    " ... on TicketPayload{ticket{id}} ... on UserError{code message}}}"
)
HALL = "query($code: String!){ hall(code: $code) { name } }"
NAMED = "query A{__typename} query B{__typename}"
CASES = "query($n: Int!){ a: cases(first: $n) { nodes { events { __typename } } } b: cases(first: $n) { nodes { events { __typename } } } }"


@pytest.fixture
async def windows(people: dict[str, Any]) -> dict[str, Any]:
    """The people, with a hall whose one window is open (no tickets) and one is not."""
    hall = await f.hall("QN")
    await f.lane(hall, "B")
    [(caller, open_id)] = await f.open_windows(hall, 1, clerk_prefix="caller")
    closed = await f.window(hall, "9")
    user = await User.get(id=caller.user_id)
    return people | {
        "caller": TOKENS.issue(user, datetime.now(UTC))[0],
        "open": to_base64("Window", open_id),
        "closed": to_base64("Window", closed.id),
    }


def _known_corpus(people: dict[str, Any]) -> list[tuple[Call, bool]]:
    """Requests, and whether the lean path answers each directly once its document is known."""

    def call_next(window: str, token: str, **extra: Any) -> Call:
        variables = {"i": {"windowId": window} | extra}
        return Call(json={"query": CALL_NEXT, "variables": variables}, token=token)

    def cases(n: int) -> Call:
        return Call(json={"query": CASES, "variables": {"n": n}}, token=people["clerk"])

    served = {"outcome": "SERVED"}
    entry = next(iter(registry().by_id.values()))
    board = next(e for e in registry().by_id.values() if "queueBoard" in e.text)
    return [
        (Call(json={"query": "{ __typename }"}), True),
        (Call(json={"query": HALLS}, token=people["clerk"]), True),
        (Call(json={"query": ME}, token=people["clerk"]), True),
        (Call(json={"query": ME}), True),
        (Call(json={"query": ME}, token="not-a-token"), True),
        (Call(json={"query": "{ __typename }"}, headers={"origin": ALLOWED}), True),
        (Call(json={"query": NAMED}), True),  # strawberry runs the first operation
        (Call(json={"query": NAMED, "operationName": "B"}), True),
        (Call(json={"query": NAMED, "operationName": "C"}), False),  # strawberry's 400
        # Registered documents, sent by id.
        (Call(json={"documentId": entry.id, "variables": {}}, token=people["clerk"]), True),
        (Call(json={"documentId": board.id, "variables": {"hallId": people["hall"]}}), True),
        # Variables: good, missing, of the wrong type, too long for the column, with NUL.
        (Call(json={"query": HALL, "variables": {"code": "JN"}}), True),
        (Call(json={"query": HALL, "variables": {}}), True),
        (Call(json={"query": HALL, "variables": {"code": 13912345678}}), True),
        (Call(json={"query": HALL, "variables": {"code": "J" * 500}}), True),
        (Call(json={"query": HALL, "variables": {"code": "J\u0000N"}}), False),
        # Mutations: business errors in the result, refusals at the top level.
        (call_next(people["open"], people["caller"]), True),
        (call_next(people["open"], people["caller"], finishCurrent=served), True),
        (call_next(people["closed"], people["caller"]), True),
        (call_next(people["open"], people["monitor"]), True),
        (call_next(people["open"], people["clerk"]), True),
        (call_next("V2luZG93OjA=", people["caller"]), True),
        (call_next("not-an-id", people["caller"]), True),
        (call_next(people["open"], ""), True),
        (Call(json={"query": "mutation { authLogout { __typename } }"}), True),
        # Costs: within the limit, past it, a page past the maximum (the last two refused by
        # strawberry's own path, which computes them).
        (cases(1), True),
        (cases(100), False),
        (cases(5000), False),
    ]


async def test_known_documents_answer_directly_as_the_stack_does(
    redis: aioredis.Redis, windows: dict[str, Any]
) -> None:
    pair = _pair(redis)
    trusted_documents.install(schema._schema, pair.views[0].policy)
    assert pair.lean.lean is not None
    direct = pair.lean.lean.direct
    corpus = _known_corpus(windows)
    for call, _ in corpus:  # validated and costed once: the documents become known
        lean, stack = await _both(pair, call)
        _same(lean, stack, call)
    for call, expected in corpus:
        runs = direct.runs
        lean, stack = await _both(pair, call)
        _same(lean, stack, call)
        assert (direct.runs > runs) is expected, (call, lean.text)


async def test_unexpected_failures_are_masked_and_logged_alike(
    redis: aioredis.Redis,
    windows: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    pair = _pair(redis)
    assert pair.lean.lean is not None
    direct = pair.lean.lean.direct
    variables = {"i": {"windowId": windows["open"], "finishCurrent": {"outcome": "SERVED"}}}
    call = Call(json={"query": CALL_NEXT, "variables": variables}, token=windows["caller"])
    _same(*await _both(pair, call), call)  # the document becomes known

    async def broken(*_: object) -> None:
        raise RuntimeError("connection string postgres://secret")

    monkeypatch.setattr(calling, "finish_and_claim", broken)
    runs = direct.runs
    with caplog.at_level(logging.ERROR, logger="strawberry.execution"):
        lean, stack = await _both(pair, call)
    _same(lean, stack, call)
    assert direct.runs == runs + 1
    assert "secret" not in lean.text
    assert lean.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    logged = [r for r in caplog.records if r.name == "strawberry.execution"]
    assert len(logged) == 2  # once per path, with the original exception
    assert all("secret" in str(r.exc_info[1]) for r in logged if r.exc_info)


async def test_answered_requests_leave_no_reference_cycles(
    redis: aioredis.Redis, people: dict[str, Any]
) -> None:
    # A cycle per request is left to the garbage collector, whose work for it cost a tenth of
    # the throughput of the cheapest requests: each request's objects go with their last reference.
    pair = _pair(redis, budget=100_000)
    assert isinstance(pair.views[0].budget, RedisCostBudget)
    pair.views[0].budget.prefix = f"test:lean:{secrets.token_hex(4)}:"  # unspent by other tests
    trusted_documents.install(schema._schema, pair.views[0].policy)
    bearer = f"Bearer {people['clerk']}".encode()
    board = {"query": BOARD, "variables": {"hall": people["hall"]}}

    async def ask(document: dict[str, Any], token: bytes | None) -> list[Message]:
        sent: list[Message] = []
        body = orjson.dumps(document)
        headers = [(b"content-type", b"application/json")]
        headers += [(b"authorization", token)] if token else []
        scope = {
            "type": "http", "method": "POST", "path": "/graphql", "root_path": "",
            "headers": headers, "query_string": b"", "http_version": "1.1", "scheme": "http",
            "server": ("hall", 80), "client": ("127.0.0.1", 5000),
        }  # fmt: skip

        async def receive() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        await pair.lean(scope, receive, send)
        return sent

    requests: list[tuple[dict[str, Any], bytes | None]] = [
        ({"query": "{ __typename }"}, None),
        ({"query": HALLS}, bearer),
        ({"query": ME}, bearer),
        (board, None),
    ]
    for document, token in requests * 3:  # documents known, sessions and snapshots kept
        await ask(document, token)
    with cyclic_garbage() as garbage:
        answers = [await ask(document, token) for document, token in requests * 5]
    assert [answer[0]["status"] for answer in answers] == [200] * len(answers)
    assert garbage == []
