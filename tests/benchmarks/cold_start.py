"""Cold start of `hall serve` with embedded servers: process start to /readyz answering 200.

Run: .venv/bin/python -m tests.benchmarks.cold_start [--runs 5]
Each run uses a new data folder: the first start includes initdb and migrations, the second
reuses the data. Prints every run and the medians.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_once(data_dir: Path) -> float:
    """Seconds from spawning `hall serve` to a 200 from /readyz; stops it afterwards."""
    port = _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    env |= {"HALL_DATA_DIR": str(data_dir), "HALL_PORT": str(port), "HALL_LOG_LEVEL": "WARNING"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError("hall serve exited before it was ready")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    first, second = [], []
    for run in range(runs):
        with tempfile.TemporaryDirectory(prefix="hall-cold-") as tmp:
            data = Path(tmp) / "data"
            first.append(start_once(data))
            second.append(start_once(data))
        print(f"run {run + 1}: first start {first[-1]:.2f} s, second start {second[-1]:.2f} s")
    print(
        f"median of {runs}: first start {statistics.median(first):.2f} s, "
        f"second start {statistics.median(second):.2f} s"
    )


if __name__ == "__main__":
    main()
