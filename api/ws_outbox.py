"""A WebSocket's send queue: frames go out in order and no sender ever waits on a slow socket."""

from __future__ import annotations

import asyncio
import types
from collections import deque
from collections.abc import Callable, Coroutine, Generator
from typing import Any


@types.coroutine
def _finish(send: Coroutine[Any, Any, None], waiting_on: Any) -> Generator[Any, Any, None]:
    """Drive, inside a task, a send that was started outside one and is waiting on a future."""
    value = waiting_on
    while True:
        try:
            sent = yield value
        except BaseException as exc:
            try:
                value = send.throw(exc)
            except StopIteration:
                return
        else:
            try:
                value = send.send(sent)
            except StopIteration:
                return


class Outbox:
    """Text frames waiting for one socket, written in order.

    Shared producers (a subscription group) `offer` frames and never wait. When the socket is
    idle the frame is written at once, inside the producer's step: a send to a socket whose
    buffer has room completes without suspending, so thousands of sockets cost no task switches
    and no per-event futures (which would otherwise pile up for the garbage collector). A send
    that must wait, and every frame behind it, is finished by the socket's own writer task. A
    socket whose queue is full, or whose current send has been stuck for `stall_seconds`, is
    dropped instead. The connection's own messages `put` and wait for room, keeping half the
    queue for the groups.
    """

    def __init__(
        self,
        send: Callable[[str], Coroutine[Any, Any, None]],
        on_slow: Callable[[], None],
        *,
        limit: int,
        stall_seconds: float,
    ) -> None:
        self._send = send
        self._on_slow = on_slow
        self.limit = limit
        self.stall_seconds = stall_seconds
        self.closed = False
        self._frames: deque[str] = deque()
        self._loop = asyncio.get_running_loop()
        self._wakeup: asyncio.Future[None] | None = None
        self._room: asyncio.Future[None] | None = None
        self._unfinished: tuple[Coroutine[Any, Any, None], Any] | None = None
        self._busy_since = 0.0
        self._writer = self._loop.create_task(self._write())

    def offer(self, frame: str, now: float) -> bool:
        """Send or queue a frame without waiting; False when the socket is closed or too slow."""
        if self.closed:
            return False
        if not self._busy_since and not self._frames:
            return self._send_now(frame, now)
        if len(self._frames) >= self.limit or now - self._busy_since > self.stall_seconds:
            self.close()
            self._on_slow()
            return False
        self._frames.append(frame)
        return True

    async def put(self, frame: str) -> None:
        """Queue one of the connection's own frames, waiting while the queue is half full."""
        while len(self._frames) >= max(self.limit // 2, 1) and not self.closed:
            if self._room is None or self._room.done():
                self._room = self._loop.create_future()
            await self._room
        if not self.closed:
            if not self._busy_since:
                self._busy_since = self._loop.time()
            self._frames.append(frame)
            self._wake()

    def close(self) -> None:
        """Stop writing; frames still queued are discarded."""
        self.closed = True
        self._frames.clear()
        if self._unfinished is not None:
            self._unfinished[0].close()
            self._unfinished = None
        self._writer.cancel()
        self._make_room()

    def _send_now(self, frame: str, now: float) -> bool:
        send = self._send(frame)
        try:
            waiting_on = send.send(None)
        except StopIteration:
            return True
        except Exception:
            self._gone()
            return False
        # The socket's buffer is full: the writer task finishes this send, then the queue.
        self._unfinished = (send, waiting_on)
        self._busy_since = now
        self._wake()
        return True

    def _wake(self) -> None:
        wakeup = self._wakeup
        if wakeup is not None and not wakeup.done():
            wakeup.set_result(None)

    def _make_room(self) -> None:
        room = self._room
        if room is not None and not room.done():
            room.set_result(None)

    def _gone(self) -> None:
        """The socket went away; its reader sees the disconnect and ends the connection."""
        self.closed = True
        self._frames.clear()
        self._make_room()

    async def _write(self) -> None:
        frames = self._frames
        try:
            while True:
                if self._unfinished is not None:
                    send, waiting_on = self._unfinished
                    self._unfinished = None
                    await _finish(send, waiting_on)
                while frames:
                    frame = frames.popleft()
                    self._busy_since = self._loop.time()
                    await self._send(frame)
                    if self._room is not None and len(frames) < max(self.limit // 2, 1):
                        self._make_room()
                self._busy_since = 0.0
                self._wakeup = self._loop.create_future()
                await self._wakeup
                self._wakeup = None
        except Exception:
            self._gone()
