"""Each response's head and body leave in one write; order, close and abort keep their meaning."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from api.http_protocol import JoinedWrites, JoinedWritesProtocol

BODY = b'{"data":{"__typename":"Query"}}'


class Recording(asyncio.Transport):
    """A transport that keeps what is written to it (the far side of the wrapper under test)."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Keep one write."""
        assert not self.closed, "written after close"
        self.writes.append(bytes(data))

    def close(self) -> None:
        """Closed."""
        self.closed = True

    def abort(self) -> None:
        """Aborted."""
        self.closed = self.aborted = True

    def is_closing(self) -> bool:
        """Whether closed."""
        return self.closed

    def get_write_buffer_size(self) -> int:
        """Nothing buffered."""
        return 0


async def test_writes_of_one_turn_leave_as_one_in_order() -> None:
    inner = Recording()
    joined = JoinedWrites(inner, asyncio.get_running_loop())
    joined.write(b"HTTP/1.1 200 OK\r\n\r\n")
    joined.writelines([b"a", b"", b"b"])
    assert inner.writes == []
    assert joined.get_write_buffer_size() == len(b"HTTP/1.1 200 OK\r\n\r\nab")
    await asyncio.sleep(0)
    assert inner.writes == [b"HTTP/1.1 200 OK\r\n\r\nab"]
    joined.write(b"next")
    await asyncio.sleep(0)
    assert inner.writes == [b"HTTP/1.1 200 OK\r\n\r\nab", b"next"]


async def test_close_sends_what_is_held_first_and_abort_drops_it() -> None:
    loop = asyncio.get_running_loop()
    inner = Recording()
    joined = JoinedWrites(inner, loop)
    joined.write(b"last words")
    joined.close()
    assert inner.writes == [b"last words"]
    assert inner.closed
    assert joined.is_closing()
    await asyncio.sleep(0)  # the scheduled flush finds nothing more to send
    assert inner.writes == [b"last words"]

    inner = Recording()
    joined = JoinedWrites(inner, loop)
    joined.write(b"never sent")
    joined.abort()
    await asyncio.sleep(0)
    assert inner.writes == []
    assert inner.aborted


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    answer = BODY if body else b"x" * 300_000  # a large answer: several writes of the socket
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(answer))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": answer})


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, uvicorn.Server]]:
    """uvicorn with the joined-writes protocol on a free port."""
    port = _free_port()
    config = uvicorn.Config(
        _app, port=port, http=JoinedWritesProtocol, log_config=None, lifespan="off"
    )
    served = uvicorn.Server(config)
    task = asyncio.create_task(served.serve())
    for _ in range(200):
        if served.started:
            break
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}", served
    served.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)


async def test_a_real_server_answers_keep_alive_requests_through_it(
    server: tuple[str, uvicorn.Server],
) -> None:
    url, served = server
    async with httpx.AsyncClient(base_url=url) as client:
        answers = [await client.post("/graphql", content=b"{}") for _ in range(5)]
        large = await client.get("/")
        connections = list(served.server_state.connections)
    assert len(connections) == 1  # one kept-alive connection served them all
    assert isinstance(connections[0], JoinedWritesProtocol)
    assert isinstance(connections[0].transport, JoinedWrites)
    assert [a.content for a in answers] == [BODY] * 5
    assert all(a.headers["content-length"] == str(len(BODY)) for a in answers)
    assert large.content == b"x" * 300_000
