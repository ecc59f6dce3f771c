"""Registered documents by id against the same document as text: what skipping parse and
validation saves per request, through the whole HTTP view (in process, no network).

  .venv/bin/python -m tests.benchmarks.trusted_documents \
      --database-url postgres://postgres@127.0.0.1:5432/trusted [--rounds 15] [--per-round 40]

Per operation (CaseDetail on a real case, QueueBoard of a hall), four ways of sending it,
alternated round by round (A/B/C/D, then B/C/D/A, ...) so that machine noise hits each alike:

- id: `{"documentId": "sha256:..."}`, the registered document (no parse, no validation);
- text: the registered text itself (found in the registry by text: the same path, minus the id);
- cached: an unregistered variant of the text (a trailing comment), after its first request
  in the guard's LRU of valid documents (no parse, no validation, as before this change);
- cold: a new unregistered variant every request (parse and validation every time).

Prints each variant's wall-clock median and p90 in microseconds, the median CPU time of this
process per request (less sensitive to a loaded machine than wall-clock time; the database's own
work is not in it), and the ratios of the medians to `id`.
The database must exist; it is migrated and a hall is added (idempotent per run: a fresh
hall code each run).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from graphql import parse
from strawberry.relay import to_base64

from api.database import apply_migrations, orm
from api.graphql_view import HallGraphQL
from api.trusted_documents import install
from models.accounts.tables import Role
from models.cases import intake
from models.cases.rules import Applicant
from models.cases.tables import ApplicantKind
from schema.limits.policy import DEFAULT_POLICY
from schema.limits.rules import document_errors
from schema.schema import schema
from tests import factories as f
from tests.operations import TOKENS

APPLICANT = Applicant(ApplicantKind.PERSON, "张三", "11010519491231002X", "13912345678")
VARIANTS = ("id", "text", "cached", "cold")


async def _world() -> tuple[str, dict[str, dict[str, Any]]]:
    """A hall with a case; the director's token and each operation's variables."""
    code = "B" + secrets.token_hex(3).upper()
    hall = await f.hall(code)
    dept = await f.department(hall, "SC", "市市场监管局")
    await f.item(dept, f"{code}-001")
    await f.lane(hall, "A")
    await f.window(hall, "1")
    user, admin = await f.user(f"dir{code.lower()}", Role.ADMIN, of=hall)
    now = datetime.now(UTC)
    case = await intake.accept(
        admin,
        intake.Intake(item_code=f"{code}-001", hall_id=hall.id, applicant=APPLICANT),
        now,
        accepted_at=now - timedelta(days=2),
        remark="基准",
    )
    token = TOKENS.issue(user, now)[0]
    variables = {
        "CaseDetail": {"number": case.number},
        "QueueBoard": {"hallId": to_base64("Hall", hall.id)},
    }
    return token, variables


def _body(variant: str, entry: Any, variables: dict[str, Any], n: int) -> dict[str, Any]:
    if variant == "id":
        return {"documentId": entry.id, "variables": variables}
    if variant == "text":
        return {"query": entry.text, "variables": variables}
    if variant == "cached":
        return {"query": entry.text + "\n# variant", "variables": variables}
    return {"query": f"{entry.text}\n# {n}", "variables": variables}


def _parse_and_validate(text: str, runs: int = 200) -> float:
    """The median CPU time of what a registered document skips: parsing and validating it."""
    times = []
    for _ in range(runs):
        started = time.process_time()
        errors = document_errors(schema._schema, parse(text), DEFAULT_POLICY)
        times.append(time.process_time() - started)
        assert not errors
    return statistics.median(times)


async def _run(args: argparse.Namespace) -> None:
    await apply_migrations(args.database_url)
    registry = install(schema._schema, DEFAULT_POLICY)
    by_name = {e.name: e for e in registry.by_id.values()}
    async with orm(args.database_url):
        token, per_operation = await _world()
        view = HallGraphQL(schema, TOKENS, dev=False)
        transport = httpx.ASGITransport(app=view)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://hall") as client:
            for name, variables in per_operation.items():
                entry = by_name[name]
                timings: dict[str, list[float]] = {v: [] for v in VARIANTS}
                cpu: dict[str, list[float]] = {v: [] for v in VARIANTS}
                counter = 0
                for variant in VARIANTS:  # warm-up: connections, caches, the cached variant
                    for _ in range(5):
                        counter += 1
                        body = _body(variant, entry, variables, counter)
                        answer = await client.post("/", json=body, headers=headers)
                        assert answer.json().get("errors") is None, answer.text
                for round_no in range(args.rounds):
                    shift = round_no % len(VARIANTS)
                    for variant in VARIANTS[shift:] + VARIANTS[:shift]:
                        for _ in range(args.per_round):
                            counter += 1
                            body = _body(variant, entry, variables, counter)
                            started, cpu_started = time.perf_counter(), time.process_time()
                            answer = await client.post("/", json=body, headers=headers)
                            timings[variant].append(time.perf_counter() - started)
                            cpu[variant].append(time.process_time() - cpu_started)
                            assert answer.status_code == 200
                base = statistics.median(timings["id"])
                cpu_base = statistics.median(cpu["id"])
                skipped = _parse_and_validate(entry.text)
                print(
                    f"{name} ({len(entry.text)} characters), {args.rounds} rounds x "
                    f"{args.per_round}; parse + validate alone: CPU median {skipped * 1e6:.0f} us"
                )
                for variant in VARIANTS:
                    values = sorted(timings[variant])
                    median = statistics.median(values)
                    p90 = values[int(len(values) * 0.9)]
                    cpu_median = statistics.median(cpu[variant])
                    print(
                        f"  {variant:7} median {median * 1e6:8.0f} us  p90 {p90 * 1e6:8.0f} us"
                        f"  median / id {median / base:5.2f}"
                        f"  | CPU median {cpu_median * 1e6:7.0f} us  / id {cpu_median / cpu_base:5.2f}"
                    )
    print(f"load average {os.getloadavg()}")


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=40)
    asyncio.run(_run(parser.parse_args()))


if __name__ == "__main__":
    main()
