"""Each response's head and body leave in one write; order, close and abort keep their meaning."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.types import Message, Receive, Scope, Send

from api.http_protocol import JoinedWrites, JoinedWritesProtocol, whole_sender
from tests.garbage import cyclic_garbage

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


@contextlib.asynccontextmanager
async def _serving(app: Any, **config: Any) -> AsyncIterator[uvicorn.Server]:
    """uvicorn with the joined-writes protocol serving `app` on a free port (config.port)."""
    config = {"port": _free_port(), "log_config": None, "lifespan": "off", **config}
    served = uvicorn.Server(uvicorn.Config(app, http=JoinedWritesProtocol, **config))
    task = asyncio.create_task(served.serve())
    for _ in range(200):
        if served.started:
            break
        await asyncio.sleep(0.01)
    try:
        yield served
    finally:
        served.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, uvicorn.Server]]:
    """uvicorn with the joined-writes protocol on a free port."""
    async with _serving(_app) as served:
        yield f"http://127.0.0.1:{served.config.port}", served


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


# --- whole answers: one call, the same bytes as uvicorn's two messages ------------------------

WHOLE_HEADERS = [(b"content-type", b"application/json"), (b"X-Answer", b"whole")]


async def _answering_app(scope: Scope, receive: Receive, send: Send) -> None:
    """/whole/<case> answers through `whole_sender`, /two/<case> with the two messages."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    case = scope["path"].rsplit("/", 1)[1]
    body = BODY
    length = [(b"content-length", b"%d" % len(body))]
    headers = {
        "plain": length + WHOLE_HEADERS,
        "unsized": list(WHOLE_HEADERS),  # uvicorn chunks it
        "wrong-length": [(b"content-length", b"%d" % (len(body) + 5)), *WHOLE_HEADERS],
        "bad-value": [*length, (b"x-answer", b"a\nb")],
        "connection": [*length, (b"connection", b"close")],
    }[case]
    if scope["path"].startswith("/whole/"):
        whole = whole_sender(send)
        assert whole is not None, "uvicorn's send on the joined-writes protocol"
        await whole(201, headers, body)
    else:
        await send({"type": "http.response.start", "status": 201, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
async def answering() -> AsyncIterator[int]:
    """uvicorn with the joined-writes protocol and the answering app; yields its port."""
    async with _serving(_answering_app) as served:
        yield served.config.port


async def _exchange(port: int, request: bytes, *, times: int = 1) -> tuple[bytes, bool]:
    """Send `request` `times` over one connection; all bytes read and whether the server closed."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request * times)
    await writer.drain()
    data = b""
    closed = False
    while True:
        try:
            chunk = await asyncio.wait_for(reader.read(65536), 0.5)
        except TimeoutError:
            break
        if not chunk:
            closed = True
            break
        data += chunk
    writer.close()
    return data, closed


def _dateless(data: bytes) -> bytes:
    """The response bytes without the Date lines (they may differ by a second)."""
    return b"\r\n".join(line for line in data.split(b"\r\n") if not line.startswith(b"date: "))


def _request(path: str, *, method: str = "GET", version: str = "1.1", extra: str = "") -> bytes:
    return f"{method} {path} HTTP/{version}\r\nHost: x\r\n{extra}\r\n".encode()


@pytest.mark.parametrize(
    ("case", "method", "version", "extra"),
    [
        ("plain", "GET", "1.1", ""),
        ("plain", "GET", "1.1", "Connection: close\r\n"),
        ("plain", "GET", "1.0", ""),
        ("plain", "HEAD", "1.1", ""),
        ("unsized", "GET", "1.1", ""),
        ("wrong-length", "GET", "1.1", ""),
        ("bad-value", "GET", "1.1", ""),
        ("connection", "GET", "1.1", ""),
    ],
)
async def test_a_whole_answer_is_byte_for_byte_what_the_two_messages_send(
    answering: int, case: str, method: str, version: str, extra: str
) -> None:
    times = 1 if extra or version == "1.0" else 2  # keep-alive: a second request on the socket
    whole, whole_closed = await _exchange(
        answering, _request(f"/whole/{case}", method=method, version=version, extra=extra),
        times=times,
    )  # fmt: skip
    two, two_closed = await _exchange(
        answering, _request(f"/two/{case}", method=method, version=version, extra=extra),
        times=times,
    )  # fmt: skip
    assert _dateless(whole) == _dateless(two)
    assert whole_closed == two_closed
    if case == "plain" and method == "GET":
        assert whole.startswith(b"HTTP/1.1 201 Created\r\n")
        assert b"\r\nx-answer: whole\r\n" in whole  # names lowercased, as uvicorn writes them
        assert whole.count(BODY) == times
        assert (b"connection: close\r\n" in whole) == (times == 1)
        assert whole_closed == (times == 1)


async def test_a_whole_answer_is_one_write_logged_as_uvicorn_logs_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with _serving(_answering_app, access_log=True) as served:
        port = served.config.port
        with caplog.at_level("INFO", logger="uvicorn.access"):
            data, _ = await _exchange(port, _request("/whole/plain?x=1"))
            await _exchange(port, _request("/two/plain?x=1"))
    assert data.endswith(BODY)
    logged = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert len(logged) == 2
    assert logged[0].endswith('"GET /whole/plain?x=1 HTTP/1.1" 201')
    assert logged[1].endswith('"GET /two/plain?x=1 HTTP/1.1" 201')


async def test_only_uvicorns_send_on_the_joined_writes_protocol_gets_a_whole_sender() -> None:
    async def send(message: Message) -> None:
        raise AssertionError("not called")

    assert whole_sender(send) is None
    assert whole_sender(Recording().write) is None  # a bound method of something else


async def test_whole_answers_on_a_kept_alive_connection_leave_no_reference_cycles() -> None:
    # The cycle, its scope and the whole-answer call go with their last reference: a reference
    # cycle per request, left to the garbage collector, cost a tenth of the throughput.
    request = _request("/whole/plain")
    async with _serving(_answering_app) as served:
        reader, writer = await asyncio.open_connection("127.0.0.1", served.config.port)

        async def ask() -> bytes:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            return head + await reader.readexactly(len(BODY))

        for _ in range(3):
            await ask()
        with cyclic_garbage() as garbage:
            answers = [await ask() for _ in range(20)]
        writer.close()
    assert all(answer.endswith(BODY) for answer in answers)
    assert garbage == []
