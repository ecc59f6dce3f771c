"""`hall stats rebuild|check` and `hall generate`: the figures' maintenance and test-data commands."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Annotated

import typer
from rich.console import Console

console = Console()
stats_app = typer.Typer(help="The published figures.", no_args_is_help=True)


async def _rebuild(database_url: str) -> dict[str, int]:
    from api.database import orm  # noqa: PLC0415
    from models.statistics.rebuild import rebuild_rollups  # noqa: PLC0415

    async with orm(database_url):
        return await rebuild_rollups()


@stats_app.command("rebuild")
def rebuild() -> None:
    """Rebuild the per-day rollups from the raw tables (writers wait meanwhile)."""
    from api.cli import _servers, _settings  # noqa: PLC0415
    from api.database import apply_migrations  # noqa: PLC0415

    settings = _settings()
    with _servers(settings) as (database_url, _):
        asyncio.run(apply_migrations(database_url))
        started = time.perf_counter()
        written = asyncio.run(_rebuild(database_url))
    for table, rows in written.items():
        console.print(f"{table}: {rows:,} rows")
    console.print(f"[green]rollups rebuilt in {time.perf_counter() - started:.1f} s[/]")


async def _differences(database_url: str) -> list[str]:
    from api.database import orm  # noqa: PLC0415
    from models.statistics.rebuild import rollup_differences  # noqa: PLC0415

    async with orm(database_url):
        return await rollup_differences()


@stats_app.command("check")
def check() -> None:
    """Compare the rollups with the raw tables; exit 1 listing the rows that differ."""
    from api.cli import _servers, _settings  # noqa: PLC0415

    settings = _settings()
    with _servers(settings) as (database_url, _):
        found = asyncio.run(_differences(database_url))
    for line in found[:50]:
        console.print(line)
    if found:
        console.print(f"[red]{len(found)} rollup rows differ from the raw tables[/]")
        raise typer.Exit(1)
    console.print("[green]rollups equal the raw tables[/]")


async def _generate(database_url: str, code: str, name: str, shape: object, seed: int) -> object:
    from api.database import orm  # noqa: PLC0415
    from models.statistics.generator import Shape, generate  # noqa: PLC0415

    assert isinstance(shape, Shape)  # noqa: S101  (built by the command below)
    async with orm(database_url):
        return await generate(code, name, shape, seed)


def generate(  # noqa: PLR0917  (typer options)
    preset: Annotated[
        str, typer.Option(help="Distribution: real-hall (DOMAIN.md's published year) or typical.")
    ] = "real-hall",
    hall: Annotated[
        str, typer.Option(help="Hall code (created with its catalogue when missing).")
    ] = "GEN",
    name: Annotated[str, typer.Option(help="Hall name when created.")] = "生成数据政务服务中心",
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed writes the same data.")
    ] = 2021,
    year: Annotated[int | None, typer.Option(help="Target year (default: the preset's).")] = None,
    cases: Annotated[
        int | None, typer.Option(help="Cases of the target year (kinds and early in proportion).")
    ] = None,
    history: Annotated[
        int, typer.Option(help="More cases spread over the years before the previous one.")
    ] = 0,
    tickets: Annotated[float | None, typer.Option(help="Tickets per case (0-1).")] = None,
    rated: Annotated[float | None, typer.Option(help="Share of cases rated (0-1).")] = None,
    departments: Annotated[int | None, typer.Option(help="Departments of a new hall.")] = None,
    windows: Annotated[
        int | None, typer.Option(help="Windows (one clerk each) of a new hall.")
    ] = None,
    items: Annotated[int | None, typer.Option(help="Service items of a new hall.")] = None,
) -> None:
    """Write a realistic year of cases, tickets, ratings and cards for a hall with COPY."""
    from api.cli import _servers, _settings  # noqa: PLC0415
    from api.database import apply_migrations  # noqa: PLC0415
    from models.statistics.generator import PRESETS  # noqa: PLC0415

    if preset not in PRESETS:
        console.print(f"[red]unknown preset {preset}; one of {', '.join(PRESETS)}[/]")
        raise typer.Exit(2)
    shape = PRESETS[preset]
    if cases is not None:
        shape = shape.scaled(cases)
    changes: dict[str, object] = {"history": history}
    if year is not None:
        changes["year"] = year
    if tickets is not None:
        changes["tickets"] = tickets
    for field, value in (
        ("rated", rated),
        ("departments", departments),
        ("windows", windows),
        ("items", items),
    ):
        if value is not None:
            changes[field] = value
    shape = dataclasses.replace(shape, **changes)  # type: ignore[arg-type]
    settings = _settings()
    with _servers(settings) as (database_url, _):
        asyncio.run(apply_migrations(database_url))
        started = time.perf_counter()
        result = asyncio.run(_generate(database_url, hall, name, shape, seed))
    console.print(f"{result}")
    console.print(f"[green]generated in {time.perf_counter() - started:.1f} s[/]")
