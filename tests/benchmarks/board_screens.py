"""A lean board screen for the benchmarks: graphql-transport-ws on a raw asyncio socket.

Thousands of screens in one client process cost little CPU this way, so the client does not
distort what the server is measured to do. Each screen subscribes to hallBoard with the board
page's document (so it lands in the same group as real screens) and notes every event's seq and
arrival time (time.monotonic(), which is one clock for every process on a Linux machine).
"""

from __future__ import annotations

import asyncio
import base64
import os
import time
from collections.abc import Callable
from typing import cast

import orjson

BOARD = "subscription($h: ID!, $a: Int){ hallBoard(hallId: $h, afterSeq: $a){ seq kind data } }"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def client_frame(payload: bytes, opcode: int = TEXT) -> bytes:
    """One final, masked client frame."""
    size = len(payload)
    if size < 126:
        header = bytes([0x80 | opcode, 0x80 | size])
    elif size < 1 << 16:
        header = bytes([0x80 | opcode, 0x80 | 126]) + size.to_bytes(2, "big")
    else:
        header = bytes([0x80 | opcode, 0x80 | 127]) + size.to_bytes(8, "big")
    mask = os.urandom(4)
    key = (mask * (size // 4 + 1))[:size]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(size, "big")
    return header + mask + masked


class Screen(asyncio.Protocol):
    """One screen: upgrade, connection_init with the token, hallBoard after `after`, then events."""

    def __init__(
        self,
        address: tuple[str, int],
        token: str,
        hall_id: str,
        after: int | None = None,
        on_event: Callable[[Screen, int, float], None] | None = None,
    ) -> None:
        loop = asyncio.get_running_loop()
        self.address = address
        self.token = token
        self.hall_id = hall_id
        self.after = after
        self.on_event = on_event
        self.ready: asyncio.Future[None] = loop.create_future()
        self.lost: asyncio.Future[None] = loop.create_future()
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.upgraded = False
        self.seqs: list[int] = []
        self.arrivals: dict[int, float] = {}
        self.errors: list[str] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Send the upgrade request."""
        self.transport = cast("asyncio.Transport", transport)  # uvloop's is not a subclass
        host, port = self.address
        key = base64.b64encode(os.urandom(16)).decode()
        self.transport.write(
            f"GET /graphql HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n".encode()
        )

    def data_received(self, data: bytes) -> None:
        """Parse the upgrade answer, then frames."""
        now = time.monotonic()
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101 " not in bytes(buffer[:16]):
                self._fail(bytes(buffer[:end]).decode(errors="replace"))
                return
            del buffer[: end + 4]
            self.upgraded = True
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {self.token}"}}
            self.send(init)
        while len(buffer) >= 2:
            opcode, size, start = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
            if size == 126:
                size, start = int.from_bytes(buffer[2:4], "big"), 4
            elif size == 127:
                size, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + size:
                return
            payload = bytes(buffer[start : start + size])
            del buffer[: start + size]
            if opcode == TEXT:
                self._message(orjson.loads(payload), now)
            elif opcode == PING:
                self._write(client_frame(payload, PONG))
            elif opcode == CLOSE:
                self.errors.append(f"closed by the server {payload[:2].hex()} {payload[2:]!r}")
                self.abort()
                return

    def _message(self, message: dict[str, object], now: float) -> None:
        kind = message.get("type")
        if kind == "connection_ack":
            variables = {"h": self.hall_id, "a": self.after}
            self.send(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": BOARD, "variables": variables},
                }
            )
            if not self.ready.done():
                self.ready.set_result(None)
        elif kind == "next":
            payload: dict[str, dict[str, dict[str, int]]] = message["payload"]  # type: ignore[assignment]
            data = payload.get("data")
            if not data or "errors" in payload:
                self.errors.append(f"error: {payload}")
                return
            seq = data["hallBoard"]["seq"]
            self.seqs.append(seq)
            self.arrivals[seq] = now
            if self.on_event is not None:
                self.on_event(self, seq, now)
        elif kind in {"error", "complete"}:
            self.errors.append(f"{kind}: {message}")
        elif kind == "ping":
            self.send({"type": "pong"})

    def send(self, message: object) -> None:
        """Send one JSON text message."""
        self._write(client_frame(orjson.dumps(message)))

    def _write(self, frame: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(frame)

    def close(self) -> None:
        """Close cleanly (a close frame, then the socket)."""
        self._write(client_frame((1000).to_bytes(2, "big"), CLOSE))
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        """Drop the connection at once, as a network failure would."""
        if self.transport is not None:
            self.transport.abort()

    def _fail(self, reason: str) -> None:
        self.errors.append(reason)
        self.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        """Note the end of the connection."""
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(self.errors[-1] if self.errors else "lost"))
        if not self.lost.done():
            self.lost.set_result(None)


async def connect(screen: Screen, seconds: float = 60) -> Screen:
    """Open a screen and wait until it is subscribed."""
    loop = asyncio.get_running_loop()
    await loop.create_connection(lambda: screen, *screen.address)
    await asyncio.wait_for(asyncio.shield(screen.ready), seconds)
    return screen
