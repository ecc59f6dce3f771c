"""uvicorn's httptools protocol, sending each response's head and body in one write.

uvicorn writes a response's status line and headers when the app sends `http.response.start`
and the body when it sends `http.response.body`: two socket writes, two trips through the
kernel's TCP stack, for every small JSON answer. Here the connection's transport holds what is
written until the end of the current turn of the event loop (the app sends both messages in the
same turn), then sends it in one write. Order is kept; `close` and `write_eof` send what is held
first; `abort` drops it, as it drops the transport's own buffer. A WebSocket upgraded from the
connection keeps the same transport, so its frames are joined the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


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
