"""The `hall` command: serve, worker, migrate, demo, user create, schema export, jobs run."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from api.embedded import EmbeddedServers
from api.logs import configure_logging
from api.settings import Settings, SettingsError, load_settings
from api.stats_cli import generate, stats_app
from models.evaluations import links

if TYPE_CHECKING:
    from models.notifications.delivery import DeliveryPolicy
    from workers.sms.config import SmsConfig

app = typer.Typer(help="Government service hall backend.", no_args_is_help=True)
user_app = typer.Typer(help="Manage accounts.", no_args_is_help=True)
schema_app = typer.Typer(help="The GraphQL schema snapshot.", no_args_is_help=True)
jobs_app = typer.Typer(help="Periodic jobs.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(schema_app, name="schema")
app.add_typer(jobs_app, name="jobs")
app.add_typer(stats_app, name="stats")
app.command()(generate)
console = Console(stderr=True)

SNAPSHOT = Path("frontend-contract/schema.graphql")
DOCUMENTS = Path("frontend-contract/trusted-documents.json")


def _settings() -> Settings:
    try:
        settings = load_settings()
    except SettingsError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    configure_logging(settings.log_level, json=settings.json_logs)
    links.configure(settings.signing_key, settings.public_address)
    return settings


@contextlib.contextmanager
def _servers(settings: Settings) -> Iterator[tuple[str, str]]:
    """The database and Redis URLs: configured ones, or embedded servers held for the block."""
    embedded = EmbeddedServers(settings.data_dir)
    if settings.embedded:
        embedded.start(postgres=settings.database_url is None, redis=settings.redis_url is None)
    try:
        database_url = settings.database_url or embedded.database_url
        redis_url = settings.redis_url or embedded.redis_url
        assert database_url  # noqa: S101  (set by one branch or the other)
        assert redis_url  # noqa: S101
        yield database_url, redis_url
    finally:
        embedded.stop()


ATTACHED_WORKER = [sys.executable, "-m", "api.cli", "worker", "--attached"]
MAX_RESTART_BACKOFF = 5.0


class WorkerSupervisor:
    """Runs an arq worker as a child process and restarts it when it dies (Redis gone, say)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        """Start the worker and watch it."""
        self.thread.start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(ATTACHED_WORKER, env=self.env, start_new_session=True)  # noqa: S603  (our own command)

    def _run(self) -> None:
        backoff = 1.0
        while not self.stopping.is_set():
            started = time.monotonic()
            self.proc = self._spawn()
            while self.proc.poll() is None and not self.stopping.is_set():
                time.sleep(0.2)
            if self.stopping.is_set():
                return
            # Quick restarts while Redis or PostgreSQL is away, so the worker is back soon after.
            lived = time.monotonic() - started
            backoff = 1.0 if lived > 60 else min(backoff * 2, MAX_RESTART_BACKOFF)
            console.print(
                f"[yellow]worker exited ({self.proc.returncode}); restarting in {backoff:.0f}s[/]"
            )
            self.stopping.wait(backoff)

    def stop(self) -> None:
        """Stop the worker: SIGTERM, then SIGKILL after 10 s."""
        self.stopping.set()
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.thread.join(timeout=2)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default HALL_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default HALL_PORT).")] = None,
    demo: Annotated[bool, typer.Option(help="Load the demo hall first (idempotent).")] = False,
    workers: Annotated[
        int | None, typer.Option(min=1, max=64, help="API processes (default HALL_API_WORKERS).")
    ] = None,
) -> None:
    """Run the API and a worker; with no URLs configured, embedded PostgreSQL and Redis."""
    import uvicorn  # noqa: PLC0415  (only this command needs it)

    from api.database import prepare_database  # noqa: PLC0415

    settings = _settings()
    started = time.perf_counter()
    with _servers(settings) as (database_url, redis_url):
        admin = settings.admin_password.get_secret_value() if settings.admin_password else None
        asyncio.run(prepare_database(database_url, admin))
        if demo:
            asyncio.run(_load_demo(database_url))
        os.environ["HALL_DATABASE_URL"] = database_url
        os.environ["HALL_REDIS_URL"] = redis_url
        os.environ["HALL_SECRET_KEY"] = settings.signing_key
        os.environ["HALL_PUBLIC_URL"] = settings.public_url or settings.public_address
        supervisor = WorkerSupervisor(dict(os.environ)) if settings.run_worker else None
        if supervisor:
            supervisor.start()
        console.print(
            f"[green]hall ready in {time.perf_counter() - started:.2f}s[/] on "
            f"http://{host or settings.host}:{port or settings.port}/graphql "
            f"({'embedded' if settings.embedded else 'external'} servers)"
        )
        # uvicorn re-raises SIGTERM after its shutdown; exit through `finally` instead of dying.
        signal.signal(signal.SIGTERM, _exit_on_signal)
        try:
            uvicorn.run(
                "api.app:create_app",
                factory=True,
                host=host or settings.host,
                port=port or settings.port,
                workers=workers or settings.api_workers,
                log_config=None,
                access_log=settings.access_log,
                # httptools, each response's head and body sent in one write (api/http_protocol).
                http="api.http_protocol:JoinedWritesProtocol",
                server_header=False,  # no "server: uvicorn": nothing to tell a scanner
                ws="websockets-sansio",
                ws_per_message_deflate=False,
                # A WebSocket message may be no larger than a POST body (else close 1009).
                ws_max_size=settings.max_body_bytes,
                lifespan="on",
            )
        finally:
            if supervisor:
                supervisor.stop()


def _sms_config(settings: Settings) -> SmsConfig:
    from workers.sms.config import SmsConfig  # noqa: PLC0415

    return SmsConfig(
        provider=settings.sms_provider,
        endpoint=settings.sms_endpoint,
        access_key_id=settings.sms_access_key_id,
        access_key_secret=settings.sms_access_key_secret.get_secret_value()
        if settings.sms_access_key_secret
        else "",
        sign_name=settings.sms_sign_name,
        protocol=settings.sms_protocol,
        app_id=settings.sms_app_id,
        region=settings.sms_region,
        templates=settings.sms_templates,
        template_params=settings.sms_template_params,
    )


def _delivery_policy(settings: Settings) -> DeliveryPolicy:
    from datetime import time as clock_time  # noqa: PLC0415

    from models.notifications.delivery import DeliveryPolicy  # noqa: PLC0415

    quiet_start, quiet_end = (
        clock_time.fromisoformat(part) for part in settings.sms_quiet_hours.split("-")
    )
    return DeliveryPolicy(
        per_minute=settings.sms_per_minute,
        per_hour=settings.sms_per_hour,
        per_day=settings.sms_per_day,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        timezone=settings.timezone,
        stuck_seconds=settings.sms_stuck_seconds,
    )


@app.command()
def worker(
    attached: Annotated[
        bool, typer.Option(help="Run the arq worker in this process, without a supervisor.")
    ] = False,
    check: Annotated[
        bool, typer.Option(help="Exit 0 when a worker reported healthy within the last minute.")
    ] = False,
) -> None:
    """Run an arq worker, restarted whenever it dies (a Redis restart, an outage)."""
    from workers.settings import worker_settings  # noqa: PLC0415

    settings = _settings()
    if check:
        raise SystemExit(asyncio.run(_worker_health(settings)))
    if attached:
        import uvloop  # noqa: PLC0415  (comes with uvicorn[standard])
        from arq.worker import run_worker  # noqa: PLC0415

        # The worker spends its time in the event loop (Redis, PostgreSQL, provider calls).
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        with _servers(settings) as (database_url, redis_url):
            run_worker(
                worker_settings(
                    database_url, redis_url, _sms_config(settings), _delivery_policy(settings)
                )
            )
        return
    with _servers(settings) as (database_url, redis_url):
        env = dict(os.environ) | {"HALL_DATABASE_URL": database_url, "HALL_REDIS_URL": redis_url}
        supervisor = WorkerSupervisor(env)
        signal.signal(signal.SIGTERM, _exit_on_signal)
        supervisor.start()
        try:
            while True:
                time.sleep(3600)
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            supervisor.stop()


async def _worker_health(settings: Settings) -> int:
    """0 when the worker's health-check key is fresh in Redis, else 1."""
    from arq.connections import create_pool  # noqa: PLC0415

    from workers.jobs import QUEUE_NAME  # noqa: PLC0415
    from workers.settings import redis_settings  # noqa: PLC0415

    if not settings.redis_url:
        console.print("[red]HALL_REDIS_URL is not set: no worker to check[/]")
        return 1
    redis = await create_pool(redis_settings(settings.redis_url, retries=0))
    try:
        value = await redis.get(f"{QUEUE_NAME}:health-check")
    finally:
        await redis.aclose()
    if value is None:
        console.print("[red]no worker reported in the last minute[/]")
        return 1
    console.print(f"[green]worker healthy[/]: {value.decode()}")
    return 0


@app.command()
def migrate() -> None:
    """Apply the database migrations (and bootstrap the admin if HALL_ADMIN_PASSWORD is set)."""
    from api.database import prepare_database  # noqa: PLC0415

    settings = _settings()
    with _servers(settings) as (database_url, _):
        admin = settings.admin_password.get_secret_value() if settings.admin_password else None
        asyncio.run(prepare_database(database_url, admin))
    console.print("[green]migrations applied[/]")


async def _load_demo(database_url: str) -> str:
    from api.database import orm  # noqa: PLC0415
    from models.demo.load import load_demo  # noqa: PLC0415

    async with orm(database_url):
        return await load_demo(datetime.now(UTC))


@app.command()
def demo() -> None:
    """Load a realistic demo city hall (idempotent)."""
    from api.database import apply_migrations  # noqa: PLC0415

    settings = _settings()
    with _servers(settings) as (database_url, _):
        asyncio.run(apply_migrations(database_url))
        console.print(asyncio.run(_load_demo(database_url)))


@user_app.command("create")
def user_create(  # noqa: PLR0917  (typer options)
    username: Annotated[str, typer.Option(help="Login name.")],
    role: Annotated[str, typer.Option(help="ADMIN, SUPERVISOR, CHIEF_REP, CLERK, MONITOR or APP.")],
    display_name: Annotated[str, typer.Option(help="Real name.")] = "",
    hall: Annotated[str | None, typer.Option(help="Hall code; omit for city-wide.")] = None,
    department: Annotated[str | None, typer.Option(help="Department code in that hall.")] = None,
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="HALL_NEW_USER_PASSWORD",
            help="Password (prompted).",
        ),
    ] = "",
) -> None:
    """Create an account from the command line."""
    from api.database import apply_migrations, orm  # noqa: PLC0415
    from models.accounts.actions import create_user  # noqa: PLC0415
    from models.accounts.rules import UserDraft  # noqa: PLC0415
    from models.accounts.tables import Role  # noqa: PLC0415
    from models.catalogue.tables import Department, Hall  # noqa: PLC0415
    from models.common.actor import SYSTEM_ACTOR  # noqa: PLC0415
    from models.common.errors import DomainError, InvalidInput  # noqa: PLC0415

    settings = _settings()
    try:
        role_value = Role(role.upper())
    except ValueError:
        console.print(f"[red]--role: must be one of {', '.join(r.value for r in Role)}[/]")
        raise typer.Exit(2) from None

    async def run(database_url: str) -> str:
        await apply_migrations(database_url)
        async with orm(database_url):
            hall_id = department_id = None
            if hall:
                hall_row = await Hall.get_or_none(code=hall)
                if hall_row is None:
                    raise InvalidInput.single("hall", "NOT_FOUND", f"大厅不存在：{hall}")
                hall_id = hall_row.id
                if department:
                    dept = await Department.get_or_none(hall_id=hall_id, code=department)
                    if dept is None:
                        raise InvalidInput.single(
                            "department", "NOT_FOUND", f"部门不存在：{department}"
                        )
                    department_id = dept.id
            draft = UserDraft(
                username=username,
                display_name=display_name or username,
                password=password,
                role=role_value,
                hall_id=hall_id,
                department_id=department_id,
            )
            user = await create_user(SYSTEM_ACTOR, draft, datetime.now(UTC))
            return f"created {user.username} ({user.role.value})"

    with _servers(settings) as (database_url, _):
        try:
            console.print(f"[green]{asyncio.run(run(database_url))}[/]")
        except InvalidInput as exc:
            for v in exc.violations:
                console.print(f"[red]{'.'.join(map(str, v.field))}: {v.message} ({v.code})[/]")
            raise typer.Exit(1) from None
        except DomainError as exc:
            console.print(f"[red]{exc.message} ({exc.code})[/]")
            raise typer.Exit(1) from None


@schema_app.command("export")
def schema_export(
    check: Annotated[bool, typer.Option("--check", help="Fail if the snapshot differs.")] = False,
    path: Annotated[Path, typer.Option(help="Snapshot file.")] = SNAPSHOT,
) -> None:
    """Write the SDL snapshot, or with --check fail when it is out of date."""
    from schema.schema import schema  # noqa: PLC0415

    sdl = schema.as_str() + "\n"
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != sdl:
            console.print(f"[red]{path} is out of date: run `hall schema export`[/]")
            raise typer.Exit(1)
        console.print(f"[green]{path} is up to date[/]")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sdl, encoding="utf-8")
    console.print(f"wrote {path}")


@schema_app.command("documents")
def schema_documents(
    check: Annotated[bool, typer.Option("--check", help="Fail if the manifest differs.")] = False,
    path: Annotated[Path, typer.Option(help="Manifest file.")] = DOCUMENTS,
) -> None:
    """Write the trusted-documents manifest (ids of the registered operations), or --check it."""
    from api.trusted_documents import manifest_text, registry  # noqa: PLC0415

    text = manifest_text(registry())
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            console.print(f"[red]{path} is out of date: run `hall schema documents`[/]")
            raise typer.Exit(1)
        console.print(f"[green]{path} is up to date[/]")
        return
    path.write_text(text, encoding="utf-8")
    console.print(f"wrote {path}")


@jobs_app.command("run")
def jobs_run(name: Annotated[str, typer.Argument(help="Job name, e.g. heartbeat.")]) -> None:
    """Run a periodic job now, in this process."""
    import redis.asyncio as aioredis  # noqa: PLC0415

    from api.database import orm  # noqa: PLC0415
    from workers.jobs import PERIODIC_JOBS  # noqa: PLC0415

    job = PERIODIC_JOBS.get(name)
    if job is None:
        console.print(f"[red]unknown job {name!r}; known: {', '.join(sorted(PERIODIC_JOBS))}[/]")
        raise typer.Exit(2)
    settings = _settings()

    async def run(database_url: str, redis_url: str) -> object:
        redis = aioredis.Redis.from_url(redis_url)
        try:
            async with orm(database_url):
                return await job({"redis": redis, "job_id": f"manual:{name}"})
        finally:
            await redis.aclose()

    with _servers(settings) as urls:
        console.print(f"[green]{name}: {asyncio.run(run(*urls))}[/]")


def main() -> None:
    """Entry point of the `hall` script."""
    app()


if __name__ == "__main__":
    main()
