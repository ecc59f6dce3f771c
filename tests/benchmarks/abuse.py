"""Latency of refusing hostile requests through a real server.

Run: .venv/bin/python -m tests.benchmarks.abuse [--rounds 2]
Starts `hall serve` (prod mode) on embedded servers in a temporary folder (or on the servers
named by --database-url / --redis-url), then posts every document of the abuse corpus, plus
batches, oversize bodies and GET queries, one at a time over one keep-alive connection. Round 1
meets every document for the first time (nothing cached); later rounds repeat them. Prints p50,
p99 and max per round the server's CPU time per request (which other load on the machine does not inflate), and
fails if any request was not refused with one of its codes.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import orjson
import psutil

from tests.abuse.corpus import corpus
from tests.api.test_service_process import _wait_ready, free_port

Request = tuple[str, str, Any, frozenset[str]]
JSON = {"content-type": "application/json"}


def _requests() -> list[Request]:
    """(name, method, body, codes) for every hostile request."""
    requests: list[Request] = [
        (h.name, "POST", {"query": h.query, "variables": h.variables}, h.codes) for h in corpus()
    ]
    login = {
        "query": 'mutation { authLogin(input: {username: "x", password: "y"}) { __typename } }'
    }
    for size in (1, 2, 10, 100, 1000):
        requests.append(
            (f"batch-{size}", "POST", [login] * size, frozenset({"BATCHING_NOT_SUPPORTED"}))
        )
    for size in (100_001, 500_000, 2_000_000):
        body = {"query": "#" * size + "\n{ __typename }"}
        requests.append((f"oversize-{size}", "POST", body, frozenset({"REQUEST_TOO_LARGE"})))
    for index in range(10):
        requests.append(
            (
                f"get-{index}",
                "GET",
                {"query": "{ __typename }" + " " * index},
                frozenset({"METHOD_NOT_ALLOWED"}),
            )
        )
    return requests


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the server and its children so far."""
    root = psutil.Process(pid)
    total = 0.0
    for process in (root, *root.children(recursive=True)):
        times = process.cpu_times()
        total += times.user + times.system
    return total


def drive(base: str, rounds: int, server_pid: int) -> None:
    """Send every request `rounds` times; print the figures of each round."""
    requests = _requests()
    failures: list[str] = []
    # TCP_NODELAY as browsers and proxies set it: without it a body sent after its headers waits
    # out the peer's delayed ACK (~40 ms), which times the client's socket, not the server.
    transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    with httpx.Client(base_url=base, timeout=30, transport=transport) as client:
        client.post("/graphql", json={"query": "{ __typename }"})  # open the connection
        for round_number in range(1, rounds + 1):
            times: list[float] = []
            named: list[tuple[float, str]] = []
            codes: Counter[str] = Counter()
            cpu_before = _cpu_seconds(server_pid)
            for name, method, body, expected in requests:
                # Bodies are encoded before the clock starts: the client's own work is not timed.
                encoded = orjson.dumps(body)
                started = time.perf_counter()
                if method == "GET":
                    response = client.get("/graphql", params=body)
                else:
                    response = client.post("/graphql", content=encoded, headers=JSON)
                times.append(time.perf_counter() - started)
                named.append((times[-1], name))
                found = {e["extensions"]["code"] for e in response.json().get("errors", [])}
                codes.update(found)
                if not found or not found <= expected:
                    failures.append(f"{name}: {response.status_code} {response.text[:200]}")
            cpu = _cpu_seconds(server_pid) - cpu_before
            print(
                f"round {round_number}: {len(times)} hostile requests refused  "
                f"p50 {statistics.median(times) * 1000:.1f} ms  "
                f"p99 {_percentile(times, 0.99) * 1000:.1f} ms  max {max(times) * 1000:.1f} ms  "
                f"server CPU {cpu / len(times) * 1000:.1f} ms per request"
            )
            slowest = sorted(named, reverse=True)[:5]
            print("  slowest:", ", ".join(f"{name} {took * 1000:.0f} ms" for took, name in slowest))
        print("codes:", ", ".join(f"{code} {count}" for code, count in codes.most_common()))
    if failures:
        print(f"{len(failures)} not refused as expected:", *failures[:20], sep="\n  ")
        raise SystemExit(1)


def main() -> None:
    """Start the service, drive it, stop it."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hall-bench-") as tmp:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
        env |= {
            "HALL_DATA_DIR": str(Path(tmp) / "data"),
            "HALL_PORT": str(port),
            "HALL_ENV": "prod",
            "HALL_LOG_LEVEL": "WARNING",
            "HALL_RUN_WORKER": "false",
            "HALL_SECRET_KEY": secrets.token_urlsafe(40),
        }
        if args.database_url:
            env["HALL_DATABASE_URL"] = args.database_url
        if args.redis_url:
            env["HALL_REDIS_URL"] = args.redis_url
        log_path = Path(tmp) / "serve.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "serve"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base, proc, log_path)
            print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            drive(base, args.rounds, proc.pid)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(30)


if __name__ == "__main__":
    main()
