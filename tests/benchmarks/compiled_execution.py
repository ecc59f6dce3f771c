"""Execution alone, graphql-core's executor against plans (schema.compiled), in one process.

Run: .venv/bin/python -m tests.benchmarks.compiled_execution
     [--database-url postgresql://postgres@127.0.0.1:5432/speed_x] [--runs 300] [--rounds 5]
     [--only typename,board,open_cases,case,statistics_rollup]

It reads the hall that `tests.benchmarks.postgraphile --keep DIR` loaded (the database named by
--database-url, its fixture read from the database itself: the PGL hall, its first department,
an open case) and executes each scenario's document of that benchmark through the served
schema (`schema.execute`: parse cache, Guard, error shaping, as a request does), as its seeded
SUPERVISOR, with a fresh context per request, `--runs` times in a row: once on strawberry's
default executor and once on the compiled one, alternating, `--rounds` of each. No HTTP: this is
the schema's own cost. Prints the median CPU and wall milliseconds per request of each and the
ratio compiled / graphql-core. PostgreSQL's CPU is not in the figures (another process), the
client side of asyncpg and tortoise is (the same for both).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from strawberry.relay import to_base64
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from tortoise import Tortoise

from models.accounts.queries import actor_of
from models.accounts.tables import User
from models.cases.tables import Case
from models.catalogue.tables import Department, Hall
from models.common.actor import Actor
from models.db import tortoise_config
from schema.compiled import CompiledExecutor
from schema.context import Context
from schema.schema import schema
from tests.benchmarks.postgraphile import HALL, OURS, STATS_MONTH, USERNAME

EXECUTORS = {"graphql-core": StrawberryGraphQLCoreExecutionContext, "compiled": CompiledExecutor}


async def variables_of() -> dict[str, dict[str, Any]]:
    """Each scenario's variables, from the loaded hall."""
    hall = await Hall.get(code=HALL)
    department = await Department.filter(hall_id=hall.id).order_by("id").first()
    assert department is not None
    # The case the side-by-side benchmark asks for: the department's first open case it added
    # (with its events); the generated history's cases have none.
    case = (
        await Case.filter(department_id=department.id, number__startswith=f"{HALL}-OPEN-")
        .order_by("id")
        .first()
    )
    assert case is not None
    dept = to_base64("Department", department.id)
    month = {"departmentId": dept, "from": STATS_MONTH[0].isoformat()}
    return {
        "typename": {},
        "board": {"hallId": to_base64("Hall", hall.id)},
        "open_cases": {"departmentId": dept},
        "case": {"number": case.number},
        "statistics": {"f": {**month, "to": STATS_MONTH[1].isoformat()}},
        "statistics_rollup": {"f": {**month, "to": STATS_MONTH[1].isoformat()}},
    }


async def timed(
    text: str, variables: dict[str, Any], actor: Actor, runs: int
) -> tuple[float, float]:
    """(CPU ms, wall ms) per request over `runs` requests in a row."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(runs):
        result = await schema.execute(text, variables or None, context_value=Context(actor=actor))
        if result.errors:
            raise RuntimeError(result.errors[0].formatted)
    return (
        1000 * (time.process_time() - cpu) / runs,
        1000 * (time.perf_counter() - wall) / runs,
    )


async def bench(url: str, runs: int, rounds: int, only: list[str]) -> None:
    """Alternate the executors per scenario and print medians and ratios."""
    await Tortoise.init(config=tortoise_config(url, pool_size=4), _enable_global_fallback=True)
    try:
        actor = await actor_of(await User.get(username=USERNAME))
        variables = await variables_of()
        print(f"{'scenario':<18} {'executor':<13} {'cpu ms/req':>10} {'wall ms/req':>11} ratio")
        for name in only:
            text = OURS[name]
            samples: dict[str, list[tuple[float, float]]] = {k: [] for k in EXECUTORS}
            for executor in EXECUTORS.values():  # warm: plans, parse cache, loaders
                schema.execution_context_class = executor
                await timed(text, variables[name], actor, max(runs // 10, 5))
            for _ in range(rounds):
                for kind, executor in EXECUTORS.items():
                    schema.execution_context_class = executor
                    samples[kind].append(await timed(text, variables[name], actor, runs))
            base = statistics.median(c for c, _ in samples["graphql-core"])
            for kind, got in samples.items():
                cpu = statistics.median(c for c, _ in got)
                wall = statistics.median(w for _, w in got)
                print(f"{name:<18} {kind:<13} {cpu:>10.3f} {wall:>11.3f} {cpu / base:.2f}x")
    finally:
        schema.execution_context_class = CompiledExecutor
        await Tortoise.close_connections()


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/speed_x")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="typename,board,open_cases,case,statistics_rollup")
    args = parser.parse_args()
    url = args.database_url.replace("postgresql://", "postgres://", 1)
    asyncio.run(bench(url, args.runs, args.rounds, args.only.split(",")))


if __name__ == "__main__":
    main()
