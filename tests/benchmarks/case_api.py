"""Accepting and completing cases through the HTTP API with concurrent clients.

Run: .venv/bin/python -m tests.benchmarks.case_api [--clients 20] [--cases-per-client 25]
It starts `hall serve --demo` on embedded servers in a temporary folder (or on the servers named
by --database-url / --redis-url), logs the clients in (receiving clerks; the director decides),
then every client accepts a case and completes it, over and over. Prints median and p99 latency
of caseAccept and caseComplete, and the throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from tests.api.test_service_process import _wait_ready, free_port

PASSWORD = "hall-demo-2026"
ACCEPT = """
mutation($i: CaseAcceptInput!) { caseAccept(input: $i) {
  __typename ... on CasePayload { case { number dueOn } } ... on UserError { code message } } }
"""
COMPLETE = """
mutation($i: CaseCompleteInput!) { caseComplete(input: $i) {
  __typename ... on CasePayload { case { number status timeliness } } ... on UserError { code } } }
"""
APPLICANT = {
    "kind": "PERSON",
    "name": "张三",
    "idNumber": "11010519491231002X",
    "phone": "13912345678",
}


async def _post(
    client: httpx.AsyncClient, token: str | None, query: str, variables: dict[str, Any]
) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    return body["data"]


async def _login(client: httpx.AsyncClient, username: str) -> str:
    query = "mutation($i: AuthLoginInput!){authLogin(input:$i){... on AuthLoginSuccess{token}}}"
    data = await _post(client, None, query, {"i": {"username": username, "password": PASSWORD}})
    return str(data["authLogin"]["token"])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def drive(base: str, clients: int, per_client: int) -> None:
    """Log in, warm up, then run the clients and print the figures."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as setup:
        director = await _login(setup, "director")
        found = await _post(
            setup,
            director,
            '{ hall(code: "370100") { id } serviceItems(first: 1, filter: {kind: PROMISED}) { nodes { code } } }',
            {},
        )
        hall_id = found["hall"]["id"]
        item_code = found["serviceItems"]["nodes"][0]["code"]
        clerks = [await _login(setup, f"clerk{n % 5 + 1:02d}") for n in range(clients)]
    accept_times: list[float] = []
    complete_times: list[float] = []

    async def one_client(token: str) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            for _ in range(per_client):
                intake = {"itemCode": item_code, "hallId": hall_id, "applicant": APPLICANT}
                started = time.perf_counter()
                accepted = await _post(client, token, ACCEPT, {"i": {"intake": intake}})
                accept_times.append(time.perf_counter() - started)
                number = accepted["caseAccept"]["case"]["number"]
                started = time.perf_counter()
                done = await _post(
                    client, director, COMPLETE, {"i": {"number": number, "outcome": "APPROVED"}}
                )
                complete_times.append(time.perf_counter() - started)
                assert done["caseComplete"]["__typename"] == "CasePayload", done

    await one_client(clerks[0])  # warm-up: connections, caches, prepared statements
    accept_times.clear()
    complete_times.clear()
    started = time.perf_counter()
    await asyncio.gather(*(one_client(token) for token in clerks))
    elapsed = time.perf_counter() - started
    total = len(accept_times)
    for name, times in (("caseAccept", accept_times), ("caseComplete", complete_times)):
        print(
            f"{name:13s} n={len(times)}  median {statistics.median(times) * 1000:.1f} ms  "
            f"p99 {_percentile(times, 0.99) * 1000:.1f} ms"
        )
    print(f"{clients} clients: {total} cases accepted and completed in {elapsed:.1f} s "
          f"({total / elapsed:.0f} cases/s, {2 * total / elapsed:.0f} mutations/s)")  # fmt: skip


def main() -> None:
    """Start the service, drive it, stop it."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--cases-per-client", type=int, default=25)
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
            "HALL_SECRET_KEY": secrets.token_urlsafe(40),
        }
        if args.database_url:
            env["HALL_DATABASE_URL"] = args.database_url
        if args.redis_url:
            env["HALL_REDIS_URL"] = args.redis_url
        log_path = Path(tmp) / "serve.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "serve", "--demo"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base, proc, log_path)
            asyncio.run(drive(base, args.clients, args.cases_per_client))
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(30)


if __name__ == "__main__":
    main()
