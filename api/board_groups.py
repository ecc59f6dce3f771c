"""Groups of identical hallBoard subscriptions: each event is executed and encoded once per group.

The screens of a hall subscribe with the same document. A group runs that subscription once,
with its first member's context, and hands the same text frame to every member's send queue.
Only subscriptions whose results cannot differ are grouped: hallBoard with the same document,
variables (apart from `afterSeq`), operation name, role and hall scope.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
import structlog
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, VariableNode
from graphql import parse as parse_document
from strawberry.types.execution import ExecutionResult

from api.board_log import RedisEventLog
from api.metrics import BOARD_GROUP_EXECUTIONS, BOARD_GROUP_MEMBERS, BOARD_GROUPS
from api.ws_outbox import Outbox
from models.common.actor import Actor
from models.queue.board import BoardEvent, LoggedEvent

log = structlog.get_logger(__name__)
# The largest document looked at; bigger ones run per subscriber (the schema limits them anyway).
MAX_TOKENS = 4000


@dataclass(frozen=True)
class GroupKey:
    """What makes two hallBoard subscriptions' results identical."""

    query: str
    operation_name: str | None
    variables: str
    role: str
    hall_path: str | None


@lru_cache(maxsize=256)
def board_operation(query: str, operation_name: str | None) -> tuple[bool, str | None]:
    """Whether the operation is a plain hallBoard subscription, and the name of its afterSeq variable."""
    try:
        document = parse_document(query, no_location=True, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return False, None
    operations = [
        node
        for node in document.definitions
        if isinstance(node, OperationDefinitionNode)
        and (
            operation_name is None or (node.name is not None and node.name.value == operation_name)
        )
    ]
    if len(operations) != 1 or operations[0].operation is not OperationType.SUBSCRIPTION:
        return False, None
    selections = operations[0].selection_set.selections
    field = selections[0] if len(selections) == 1 else None
    if not isinstance(field, FieldNode) or field.name.value != "hallBoard" or field.directives:
        return False, None
    after = next((arg.value for arg in field.arguments or () if arg.name.value == "afterSeq"), None)
    return True, after.name.value if isinstance(after, VariableNode) else None


def group_key(
    query: str, variables: dict[str, object] | None, operation_name: str | None, actor: Actor | None
) -> GroupKey | None:
    """The group a subscription belongs to; None when its results could differ from others'."""
    if actor is None or not isinstance(query, str):
        return None
    grouped, after_variable = board_operation(query, operation_name)
    if not grouped:
        return None
    shared = {name: value for name, value in (variables or {}).items() if name != after_variable}
    try:
        canonical = orjson.dumps(shared, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return None
    return GroupKey(query, operation_name, canonical, actor.role.value, actor.hall_path)


class SeqTap:
    """The event log as a group's own subscription sees it: live from the group's start seq."""

    def __init__(self, log: RedisEventLog, start_seq: int) -> None:
        self.log = log
        self.seq = start_seq

    async def append(self, events: list[BoardEvent]) -> list[int]:
        """Append in order (delegated)."""
        return await self.log.append(events)

    async def last_seq(self, hall_id: int) -> int:
        """The hall's latest seq (delegated)."""
        return await self.log.last_seq(hall_id)

    async def follow(self, hall_id: int, after_seq: int | None) -> AsyncIterator[LoggedEvent]:
        """Events after the group's start (the member's `after_seq` was handled by the member)."""
        async for event in self.log.follow(hall_id, self.seq):
            self.seq = event.seq
            yield event


class Member:
    """One grouped subscription: its socket's queue, its frame prefix and the last seq it has."""

    __slots__ = ("done", "last_seq", "outbox", "prefix")

    def __init__(self, outbox: Outbox, operation_id: object, last_seq: int) -> None:
        self.outbox = outbox
        self.prefix = f'{{"id":{orjson.dumps(operation_id).decode()},"type":"next","payload":'
        self.last_seq = last_seq
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()


# Starts the group's subscription with the given log: strawberry's `schema.stream(...)`.
StreamStarter = Callable[[SeqTap], Awaitable[AsyncGenerator[Any, None]]]


class BoardGroup:
    """Runs one subscription for all its members and writes each result to every one of them."""

    def __init__(
        self, groups: BoardGroups, key: GroupKey, tap: SeqTap, start: StreamStarter
    ) -> None:
        self.groups = groups
        self.key = key
        self.tap = tap
        self.position = tap.seq
        self.members: set[Member] = set()
        self._loop = asyncio.get_running_loop()
        self.task = self._loop.create_task(self._run(start))

    def join(self, outbox: Outbox, operation_id: object, last_seq: int) -> Member:
        """Add a subscription that has every event up to `last_seq` (>= the group's position)."""
        member = Member(outbox, operation_id, last_seq)
        self.members.add(member)
        BOARD_GROUP_MEMBERS.inc()
        return member

    def leave(self, member: Member) -> None:
        """Remove a subscription; the last one out stops the group's subscription."""
        if member not in self.members:
            return
        self.members.discard(member)
        BOARD_GROUP_MEMBERS.dec()
        if not self.members:
            self.groups.forget(self)
            self.task.cancel()

    async def _run(self, start: StreamStarter) -> None:
        BOARD_GROUPS.inc()
        try:
            stream = await start(self.tap)
            async with contextlib.aclosing(stream):
                async for result in stream:
                    if isinstance(result, ExecutionResult):
                        self._deliver(result)
        except Exception:
            log.exception("board group failed", key=self.key.variables)
        finally:
            BOARD_GROUPS.dec()
            self._end()

    def _deliver(self, result: ExecutionResult) -> None:
        """Encode a result once and queue the same frame for every member that lacks it."""
        payload: dict[str, object] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        body = self.groups.encode(payload)
        BOARD_GROUP_EXECUTIONS.inc()
        seq = self.tap.seq
        # A result without a new event (an error ending the stream) goes to everyone.
        fresh = seq > self.position
        frames: dict[str, str] = {}
        now = self._loop.time()
        for member in tuple(self.members):
            if fresh:
                if seq <= member.last_seq:
                    continue
                member.last_seq = seq
            frame = frames.get(member.prefix)
            if frame is None:
                frame = frames[member.prefix] = f"{member.prefix}{body}}}"
            member.outbox.offer(frame, now)
        self.position = max(self.position, seq)

    def _end(self) -> None:
        self.groups.forget(self)
        for member in self.members:
            if not member.done.done():
                member.done.set_result(None)
        BOARD_GROUP_MEMBERS.dec(len(self.members))
        self.members.clear()


class BoardGroups:
    """This process's live groups, by key."""

    def __init__(self, encode: Callable[[object], str]) -> None:
        self.encode = encode
        self._groups: dict[GroupKey, BoardGroup] = {}

    def get(self, key: GroupKey) -> BoardGroup | None:
        """The live group for a key, if any."""
        return self._groups.get(key)

    def start(self, key: GroupKey, tap: SeqTap, start: StreamStarter) -> BoardGroup:
        """A new group whose subscription starts after `tap.seq`."""
        group = BoardGroup(self, key, tap, start)
        self._groups[key] = group
        return group

    def forget(self, group: BoardGroup) -> None:
        """Drop a group that is ending from the registry."""
        if self._groups.get(group.key) is group:
            del self._groups[group.key]

    def __len__(self) -> int:
        """How many groups are live."""
        return len(self._groups)
