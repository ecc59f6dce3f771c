"""Encoded queueBoard snapshots: one execution per hall, event seq, day and role, then bytes.

A hall board is read by every screen, kiosk and clerk of the hall, again and again, and changes
only when the hall's event log moves. So a POST /graphql whose document is exactly one
`queueBoard` selection is answered from the bytes of an earlier identical request when

- the same document and variables were executed before for the same role and scope (masking is
  the role's: a MONITOR's snapshot is never served to a SUPERVISOR or the other way round);
- the caller still sees the hall (checked on every request; the token through the view's
  session cache, api/session_cache, which forgets revoked sessions at once);
- the hall's event log is still at the seq read before that execution, and it is still the
  same business day (every board change appends an event; the seq is read from Redis on every
  request, so a client sees its own change at once, from any process);
- the snapshot is younger than MAX_AGE (catalogue edits such as a renamed window write no
  board event);
- the caller's cost budget accepts the document's cost (spent as on any other request).

Anything else (another document, errors, a refused spend, no token) goes through strawberry as
usual, and the first execution of a document is a normal one: parsing, validation, limits and
permissions all ran on it before its bytes are reused. Concurrent misses of one key wait for a
single execution.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    VariableNode,
    parse,
)
from starlette.requests import Request
from starlette.responses import Response
from strawberry.relay import from_base64

from api.http_gate import json_body
from models.catalogue.tables import Hall
from models.common.actor import Actor

MAX_TOKENS = 4000  # a board document is far shorter; longer ones take the normal path
MAX_AGE = 10.0  # seconds; bounds staleness from changes that write no board event (a rebuild
# costs tens of milliseconds on the event loop: at thousands of reads a second, rebuilding every
# couple of seconds showed in the p99)
MAX_ENTRIES = 512
JSON = "application/json"
SNAPSHOT_HEADER = "x-board-snapshot"  # "hit" on responses served from a snapshot


@dataclass(frozen=True)
class BoardDocument:
    """A document that selects `queueBoard` and nothing else at the root."""

    variable: str | None  # the hallId variable's name, or None for a literal
    literal: str | None


@dataclass(frozen=True)
class Snapshot:
    """The encoded `data` of one execution and what it is valid for."""

    seq: int
    day: date
    timezone: str
    hall_path: str
    data: bytes
    cost: int
    built: float


@lru_cache(maxsize=256)
def board_document(query: str) -> BoardDocument | None:  # noqa: PLR0911  (one exit per shape refused)
    """The document's hallId argument when it is a board-only query, else None."""
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return None
    # One operation; fragments may follow (they can only shape queueBoard's own selection).
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or not all(
        isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
        for d in document.definitions
    ):
        return None
    operation = operations[0]
    if operation.operation is not OperationType.QUERY or operation.directives:
        return None
    selections = operation.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return None
    field = selections[0]
    arguments = field.arguments or ()
    if field.name.value != "queueBoard" or field.directives or len(arguments) != 1:
        return None
    argument = arguments[0]
    if argument.name.value != "hallId":
        return None
    if isinstance(argument.value, VariableNode):
        return BoardDocument(variable=argument.value.name.value, literal=None)
    if isinstance(argument.value, StringValueNode):
        return BoardDocument(variable=None, literal=argument.value.value)
    return None


def _hall_pk(document: BoardDocument, variables: Any) -> int | None:
    raw = document.literal
    if document.variable is not None:
        raw = variables.get(document.variable) if isinstance(variables, dict) else None
    if not isinstance(raw, str):
        return None
    try:
        type_name, pk = from_base64(raw)
    except Exception:
        return None
    return int(pk) if type_name == "Hall" and pk.isdigit() else None


class BoardSnapshots:
    """The per-process snapshot store and the request path that uses it."""

    def __init__(self, view: Any, *, max_age: float = MAX_AGE) -> None:
        # The GraphQL view: its tokens, board_log and (when configured) cost budget and policy.
        self.view = view
        self.max_age = max_age
        self.entries: OrderedDict[tuple[Any, ...], Snapshot] = OrderedDict()
        self.building: dict[tuple[Any, ...], asyncio.Future[None]] = {}
        self.hits = 0
        self.misses = 0

    async def serve(
        self, request: Request, run: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """The response to a POST /graphql: from a snapshot when one applies, else from `run`."""
        found = await self._lookup(request)
        if found is None:
            return await run(request)
        key, hall_pk, actor = found
        for _ in range(2):
            response = await self._hit(key, actor, hall_pk)
            if response is not None:
                return response
            waiting = self.building.get(key)
            if waiting is None:
                break
            await waiting  # another request is building this snapshot
        return await self._build(key, hall_pk, request, run)

    async def _lookup(  # noqa: PLR0911  (one exit per reason to take the normal path)
        self, request: Request
    ) -> tuple[tuple[Any, ...], int, Actor] | None:
        if request.method != "POST" or self.view.board_log is None:
            return None
        body = await json_body(request)
        if not isinstance(body, dict):
            return None
        query, variables = body.get("query"), body.get("variables")
        if not isinstance(query, str) or (
            variables is not None and not isinstance(variables, dict)
        ):
            return None
        document = board_document(query)
        if document is None:
            return None
        hall_pk = _hall_pk(document, variables)
        if hall_pk is None:
            return None
        actor = await self._actor(request.headers.get("authorization"))
        if actor is None:
            return None
        variables_key = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
        key = (
            query, variables_key, body.get("operationName"), hall_pk, actor.role, actor.hall_path
        )  # fmt: skip
        return key, hall_pk, actor

    async def _actor(self, authorization: str | None) -> Actor | None:
        """The caller, through the view's session cache (revoked sessions are forgotten at once)."""
        session = await self.view.session_cache.session(authorization)
        return None if session is None else session.actor

    async def _hit(self, key: tuple[Any, ...], actor: Actor, hall_pk: int) -> Response | None:
        entry = self.entries.get(key)
        if entry is None or time.monotonic() - entry.built > self.max_age:
            return None
        if not actor.sees(entry.hall_path):
            return None
        if datetime.now(UTC).astimezone(ZoneInfo(entry.timezone)).date() != entry.day:
            return None
        if await self.view.board_log.last_seq(hall_pk) != entry.seq:
            return None
        budget = getattr(self.view, "budget", None)
        spent = None
        if budget is not None:
            # Spent as the normal path would (same caller key, the document's cost).
            spent = await budget.spend(f"user:{actor.user_id}", max(entry.cost, 1))
            if not spent.allowed:
                return None  # the normal path reports THROTTLED with its status and header
        self.hits += 1
        self.entries.move_to_end(key)
        cost: dict[str, int] = {"requested": entry.cost}
        policy = getattr(self.view, "policy", None)
        if policy is not None:
            cost["limit"] = policy.max_cost
        if spent is not None:
            cost |= {"budget": spent.limit, "remaining": spent.remaining, "resetIn": spent.reset_in}
        body = b'{"data":' + entry.data + b',"extensions":{"cost":' + orjson.dumps(cost) + b"}}"
        return Response(body, media_type=JSON, headers={SNAPSHOT_HEADER: "hit"})

    async def _build(
        self,
        key: tuple[Any, ...],
        hall_pk: int,
        request: Request,
        run: Callable[[Request], Awaitable[Response]],
    ) -> Response:
        self.misses += 1
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.building[key] = done
        try:
            # The seq first: whatever the execution reads is at least as new as this seq.
            seq = await self.view.board_log.last_seq(hall_pk)
            hall = await Hall.get_or_none(id=hall_pk).only("id", "path", "timezone")
            started = time.monotonic()
            response = await run(request)
            if hall is not None and response.status_code == 200:
                self._store(key, seq, hall, bytes(response.body), started)
            return response
        finally:
            del self.building[key]
            done.set_result(None)

    def _store(self, key: tuple[Any, ...], seq: int, hall: Hall, body: bytes, built: float) -> None:
        result = orjson.loads(body)
        if not isinstance(result, dict) or result.get("errors") or not result.get("data"):
            return
        cost = ((result.get("extensions") or {}).get("cost") or {}).get("requested", 1)
        self.entries[key] = Snapshot(
            seq=seq,
            day=datetime.now(UTC).astimezone(ZoneInfo(hall.timezone)).date(),
            timezone=hall.timezone,
            hall_path=hall.path,
            data=orjson.dumps(result["data"]),
            cost=int(cost),
            built=built,
        )
        self.entries.move_to_end(key)
        while len(self.entries) > MAX_ENTRIES:
            self.entries.popitem(last=False)
