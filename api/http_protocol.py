"""uvicorn's httptools protocol, sending each response's head and body in one write.

uvicorn writes a response's status line and headers when the app sends `http.response.start`
and the body when it sends `http.response.body`: two socket writes, two trips through the
kernel's TCP stack, for every small JSON answer. Here the connection's transport holds what is
written until the end of the current turn of the event loop (the app sends both messages in the
same turn), then sends it in one write. Order is kept; `close` and `write_eof` send what is held
first; `abort` drops it, as it drops the transport's own buffer. A WebSocket upgraded from the
connection keeps the same transport, so its frames are joined the same way.

`whole_sender(send)` gives the app, for uvicorn's own `send` on this protocol, an awaitable
`whole(status, headers, body)` that sends a complete response with a Content-Length as uvicorn's
two messages would (the same head, checks, keep-alive, access log and completion), built in one
piece and written in one call; header lines checked once are remembered. Anything it does not
take (no or a wrong Content-Length, a Transfer-Encoding or Connection header, a HEAD request, an
answer already started) it sends as the two messages, so uvicorn's own checks and errors apply.
(Nothing of it is kept in the request's scope: the scope would then hold the cycle that holds
the scope, a reference cycle per request left to the garbage collector.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any

from uvicorn.protocols.http.httptools_impl import (
    HEADER_RE,
    HEADER_VALUE_RE,
    STATUS_LINE,
    HttpToolsProtocol,
    RequestResponseCycle,
)
from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

# A whole answer's call: status, header pairs, body.
Whole = Callable[[int, list[tuple[bytes, bytes]], bytes], Awaitable[None]]
# Header names whose meaning uvicorn's send acts on; a response with one takes the two messages.
ACTED_ON = frozenset((b"transfer-encoding", b"connection"))
LINES_KEPT = 4096  # checked header lines remembered (Content-Length and Date values vary)


class JoinedWrites(asyncio.Transport):
    """A transport that joins the writes of one event-loop turn into one write of `inner`."""

    def __init__(self, inner: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.inner = inner
        self.loop = loop
        self.held: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Hold `data`; what is held goes out at the end of this turn of the loop."""
        if not data:
            return
        if not self.held:
            self.loop.call_soon(self.flush)
        self.held.append(bytes(data))

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        """Hold each piece, in order."""
        for data in list_of_data:
            self.write(data)

    def flush(self) -> None:
        """Send what is held, in one write."""
        if not self.held:
            return
        held, self.held = self.held, []
        if self.inner.is_closing():
            return  # closed meanwhile (`abort`): nothing more goes out, as with the transport
        self.inner.write(held[0] if len(held) == 1 else b"".join(held))

    def close(self) -> None:
        """Send what is held, then close."""
        self.flush()
        self.inner.close()

    def write_eof(self) -> None:
        """Send what is held, then half-close."""
        self.flush()
        self.inner.write_eof()

    def abort(self) -> None:
        """Drop what is held and close at once."""
        self.held = []
        self.inner.abort()

    def can_write_eof(self) -> bool:
        """As the transport."""
        return self.inner.can_write_eof()

    def is_closing(self) -> bool:
        """As the transport."""
        return self.inner.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """As the transport."""
        return self.inner.get_extra_info(name, default)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        """As the transport."""
        self.inner.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        """As the transport."""
        return self.inner.get_protocol()

    def is_reading(self) -> bool:
        """As the transport."""
        return self.inner.is_reading()

    def pause_reading(self) -> None:
        """As the transport."""
        self.inner.pause_reading()

    def resume_reading(self) -> None:
        """As the transport."""
        self.inner.resume_reading()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        """As the transport."""
        self.inner.set_write_buffer_limits(high, low)

    def get_write_buffer_size(self) -> int:
        """The transport's buffer and what is held."""
        return self.inner.get_write_buffer_size() + sum(len(data) for data in self.held)

    def get_write_buffer_limits(self) -> tuple[int, int]:
        """As the transport."""
        return self.inner.get_write_buffer_limits()


class JoinedWritesProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a transport that joins each turn's writes."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Wrap the connection's transport."""
        super().connection_made(JoinedWrites(transport, self.loop))


def whole_sender(send: object) -> Whole | None:
    """The whole-answer call for uvicorn's `send` on this module's transport, else None."""
    cycle = getattr(send, "__self__", None)
    if type(cycle) is RequestResponseCycle and type(cycle.transport) is JoinedWrites:
        return partial(send_whole, cycle)
    return None


async def send_messages(
    send: Callable[[Any], Awaitable[None]],
    status: int,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
) -> None:
    """A whole answer as ASGI's two messages (for any server's `send`)."""
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


_lines: dict[tuple[bytes, bytes], bytes | None] = {}


def _line(name: bytes, value: bytes) -> bytes | None:
    """A header's line as uvicorn writes it; None for a name it acts on; ValueError if bad."""
    line = _lines.get((name, value), b"")
    if line != b"":
        return line
    if HEADER_RE.search(name) or HEADER_VALUE_RE.search(value):
        raise ValueError("invalid header")
    lower = name.lower()
    line = None if lower in ACTED_ON else b"%s: %s\r\n" % (lower, value)
    if len(_lines) >= LINES_KEPT:
        _lines.clear()
    _lines[(name, value)] = line
    return line


def _head(
    cycle: RequestResponseCycle, headers: list[tuple[bytes, bytes]], length: int
) -> bytes | None:
    """The header lines (uvicorn's defaults first) when the whole path may send them, else None."""
    lines = []
    sized = False
    try:
        for name, value in (*cycle.default_headers, *headers):
            line = _line(name, value)
            if line is None:
                return None
            if name.lower() == b"content-length":
                if sized or value != b"%d" % length:
                    return None
                sized = True
            lines.append(line)
    except ValueError:
        return None  # uvicorn's own send raises its error
    return b"".join(lines) if sized else None


async def send_whole(
    cycle: RequestResponseCycle, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    """Send a complete response as uvicorn's start and body messages would, in one write."""
    head = None
    if not cycle.response_started and cycle.scope["method"] != "HEAD":
        head = _head(cycle, headers, len(body))
    if head is None:
        await send_messages(cycle.send, status, headers, body)
        return
    if cycle.flow.write_paused and not cycle.disconnected:
        await cycle.flow.drain()
    if cycle.disconnected:
        return
    cycle.response_started = True
    cycle.waiting_for_100_continue = False
    if cycle.access_log:
        scope = cycle.scope
        cycle.access_logger.info(
            '%s - "%s %s HTTP/%s" %d',
            get_client_addr(scope),
            scope["method"],
            get_path_with_query_string(scope),
            scope["http_version"],
            status,
        )
    closing = b"" if cycle.keep_alive else b"connection: close\r\n"
    data = b"".join((STATUS_LINE[status], head, closing, b"\r\n", body))
    cycle.transport.write(data)
    cycle.response_complete = True
    cycle.message_event.set()
    if not cycle.keep_alive:
        cycle.transport.close()
    cycle.on_response()
