"""The hall event log on real Redis: gap-free seq under concurrency, replay, trimming, following."""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from api import board_log
from api.board_log import RedisEventLog
from models.queue.board import BoardEvent, BoardEventKind, ResumeTooOld
from tests.conftest import Servers


@pytest.fixture
async def log(servers: Servers) -> AsyncIterator[RedisEventLog]:
    client = aioredis.Redis.from_url(servers.redis_url)
    events = RedisEventLog(client)
    yield events
    await events.close()
    await client.aclose()


def hall() -> int:
    return secrets.randbelow(10**9) + 10**6


def called(hall_id: int, n: int) -> BoardEvent:
    return BoardEvent(hall_id, BoardEventKind.TICKET_CALLED, {"number": f"A{n:03d}"})


async def test_concurrent_appends_get_gap_free_seqs(servers: Servers) -> None:
    hall_id = hall()
    clients = [aioredis.Redis.from_url(servers.redis_url) for _ in range(4)]
    logs = [RedisEventLog(c) for c in clients]
    batches = await asyncio.gather(*(logs[n % 4].append([called(hall_id, n)]) for n in range(200)))
    seqs = sorted(s for batch in batches for s in batch)
    assert seqs == list(range(1, 201))
    stored = await logs[0].since(hall_id, 0)
    assert [e.seq for e in stored] == list(range(1, 201))
    for client in clients:
        await client.aclose()


async def test_replay_then_live_without_duplicates(log: RedisEventLog) -> None:
    hall_id = hall()
    await log.append([called(hall_id, n) for n in range(1, 4)])
    seen: list[int] = []

    async def screen() -> None:
        async for event in log.follow(hall_id, after_seq=1):
            seen.append(event.seq)
            if event.seq == 6:
                return

    task = asyncio.create_task(screen())
    await asyncio.sleep(0.3)
    await log.append([called(hall_id, n) for n in range(4, 7)])
    await asyncio.wait_for(task, 10)
    assert seen == [2, 3, 4, 5, 6]


async def test_trimmed_history_asks_for_a_resync(
    log: RedisEventLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(board_log, "STREAM_LENGTH", 1)
    hall_id = hall()
    for n in range(300):
        await log.append([called(hall_id, n)])
    with pytest.raises(ResumeTooOld):
        await log.since(hall_id, 1)
    assert await log.since(hall_id, 300) == []


async def test_catching_up_while_events_arrive_never_asks_for_a_resync(
    log: RedisEventLog, servers: Servers
) -> None:
    hall_id = hall()
    writer_client = aioredis.Redis.from_url(servers.redis_url)
    writer = RedisEventLog(writer_client)

    async def produce() -> None:
        for n in range(300):
            await writer.append([called(hall_id, n)])

    producing = asyncio.create_task(produce())
    checks = 0
    while not producing.done():
        # Up to date a moment ago; new events land between the reads inside since().
        last = await log.last_seq(hall_id)
        seqs = [event.seq for event in await log.since(hall_id, last)]
        assert seqs == list(range(last + 1, last + 1 + len(seqs)))
        checks += 1
    await producing
    await writer_client.aclose()
    assert checks > 10


async def evalsha_calls(client: aioredis.Redis) -> int:
    stats = await client.info("commandstats")
    return int(stats.get("cmdstat_evalsha", {}).get("calls", 0))


async def test_appends_arriving_together_share_one_call_in_arrival_order(
    log: RedisEventLog,
) -> None:
    halls = [hall(), hall()]
    before = await evalsha_calls(log.redis)
    given = await asyncio.gather(
        *(log.append([called(halls[n % 2], n), called(halls[n % 2], n + 1000)]) for n in range(40))
    )
    assert await evalsha_calls(log.redis) - before < 10  # batched, not one call per append
    for hall_id in halls:
        mine = [seqs for n, seqs in enumerate(given) if halls[n % 2] == hall_id]
        # Each caller's events are consecutive, and callers are served in arrival order.
        assert [s for seqs in mine for s in seqs] == list(range(1, 41))
        stored = await log.since(hall_id, 0)
        numbers = [event.data["number"] for event in stored]
        expected = [n for n in range(40) if halls[n % 2] == hall_id]
        assert numbers == [f"A{m:03d}" for n in expected for m in (n, n + 1000)]


async def test_a_broken_stream_fails_only_its_own_appends_in_a_batch(
    log: RedisEventLog,
) -> None:
    good, broken = hall(), hall()
    await log.redis.set(f"hall:{broken}:board", "not a stream")
    results = await asyncio.gather(
        log.append([called(good, 1)]),
        log.append([called(broken, 1)]),
        log.append([called(good, 2)]),
        return_exceptions=True,
    )
    assert results[0] == [1]
    assert isinstance(results[1], aioredis.ResponseError)
    assert "WRONGTYPE" in str(results[1])
    assert results[2] == [2]
    await log.redis.delete(f"hall:{broken}:board")
    # The sender is not stuck: the next append goes through.
    assert await log.append([called(broken, 2)]) == [2]


async def test_unreachable_redis_fails_every_append_of_the_batch_without_hanging() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket is closed
    client = aioredis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
    events = RedisEventLog(client)
    for _ in range(2):  # a failed batch leaves no sender behind that later appends wait for
        results = await asyncio.wait_for(
            asyncio.gather(
                *(events.append([called(hall(), n)]) for n in range(3)), return_exceptions=True
            ),
            10,
        )
        assert all(isinstance(r, aioredis.ConnectionError) for r in results), results
    await events.close()
    await client.aclose()
