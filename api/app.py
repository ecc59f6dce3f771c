"""The ASGI application factory."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

import redis.asyncio as aioredis
import structlog
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from tortoise import connections
from tortoise.contrib.starlette import RegisterTortoise

from api import trusted_documents
from api.alert_feed import PostgresAlertFeed
from api.auth import Tokens
from api.board_log import RedisEventLog
from api.board_page import board_page
from api.case_feed import PostgresCaseFeed
from api.cost_budget import RedisCostBudget
from api.embedded import EmbeddedServers
from api.exports import statistics_export
from api.graphql_view import HallGraphQL
from api.jobs import ArqJobQueue
from api.lean_graphql import LeanGraphQL
from api.limits import RedisRateLimiter
from api.logs import configure_logging
from api.metrics import MetricsMiddleware, metrics
from api.rating_page import rating_page
from api.read_changes import ReadChanges
from api.screen_socket import SocketLimits
from api.security_headers import SecurityHeaders
from api.settings import Environment, Settings, load_settings
from api.socket_sessions import SocketSessions
from api.work_order_exports import work_order_export
from api.work_order_feed import PostgresWorkOrderFeed
from models.db import tortoise_config
from models.evaluations import links
from schema.limits.policy import QueryPolicy
from schema.schema import schema

log = structlog.get_logger(__name__)


async def healthz(_: Request) -> JSONResponse:
    """The process is up."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """PostgreSQL and Redis both answer; 503 naming what does not."""
    checks: dict[str, str] = {}
    try:
        await connections.get("default").execute_query("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        redis: aioredis.Redis = request.app.state.redis
        await redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"error: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", **checks}, status_code=200 if ready else 503
    )


def create_app(settings: Settings | None = None) -> HallApp:
    """Build the app; with no server URLs configured it starts the embedded ones."""
    settings = settings or load_settings()
    configure_logging(settings.log_level, json=settings.json_logs)
    embedded = EmbeddedServers(settings.data_dir)
    if settings.embedded:
        embedded.start(postgres=settings.database_url is None, redis=settings.redis_url is None)
    database_url = settings.database_url or embedded.database_url
    redis_url = settings.redis_url or embedded.redis_url
    assert database_url  # noqa: S101  (set by one branch or the other)
    assert redis_url  # noqa: S101

    links.configure(settings.signing_key, settings.public_address)
    tokens = Tokens(key=settings.signing_key, ttl=timedelta(minutes=settings.token_ttl_minutes))
    graphql = HallGraphQL(
        schema,
        tokens,
        dev=settings.env is Environment.DEV,
        grouping=settings.board_grouping,
        socket_limits=SocketLimits(settings.ws_send_queue, settings.ws_send_stall_seconds),
        policy=QueryPolicy(
            max_cost=settings.max_query_cost,
            introspection=settings.introspection_allowed,
            suggestions=settings.env is not Environment.PROD,
            trusted_documents_only=settings.trusted_documents_only,
        ),
        allowed_origins=settings.origins,
        max_body_bytes=settings.max_body_bytes,
        sessions=SocketSessions(recheck_seconds=settings.ws_recheck_seconds),
        init_timeout_seconds=settings.ws_init_timeout_seconds,
        max_subscriptions=settings.ws_max_subscriptions,
    )
    # Registered documents: parsed and validated once, here, against the live schema.
    trusted_documents.install(schema._schema, graphql.policy)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.redis = aioredis.Redis.from_url(
            redis_url, socket_connect_timeout=2, socket_timeout=2
        )
        case_feed = PostgresCaseFeed(database_url)
        graphql.limiter = RedisRateLimiter(app.state.redis)
        graphql.budget = RedisCostBudget(
            app.state.redis, settings.cost_budget, settings.cost_window_seconds
        )
        graphql.case_feed = case_feed
        work_order_feed = PostgresWorkOrderFeed(database_url)
        graphql.work_order_feed = work_order_feed
        board_log = RedisEventLog(app.state.redis)
        graphql.board_log = board_log
        read_changes = ReadChanges(database_url, enabled=settings.read_cache)
        alert_feed = PostgresAlertFeed(database_url, board_log)
        graphql.alert_feed = alert_feed
        jobs = await ArqJobQueue.connect(redis_url)
        graphql.jobs = jobs
        try:
            async with RegisterTortoise(
                app, config=tortoise_config(database_url, pool_size=settings.db_pool_size)
            ):
                await alert_feed.start()
                await read_changes.start()
                graphql.read_changes = read_changes
                await graphql.sessions.start(app.state.redis)
                # Start-up objects (schema, models, modules) live as long as the process: keep
                # them out of full collections, which otherwise pause every live screen.
                gc.freeze()
                log.info("api ready", env=settings.env.value)
                yield
        finally:
            await graphql.sessions.close()
            await jobs.close()
            await alert_feed.close()
            await read_changes.close()
            await board_log.close()
            await case_feed.close()
            await work_order_feed.close()
            await app.state.redis.aclose()
            embedded.stop()

    return assemble(settings, graphql, tokens, lifespan)


def assemble(
    settings: Settings,
    graphql: HallGraphQL,
    tokens: Tokens,
    lifespan: Callable[[Starlette], AbstractAsyncContextManager[None]] | None = None,
) -> HallApp:
    """The routes, the middleware stack and the lean GraphQL path around one view."""
    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        Route("/board/{hall_code}", board_page),
        Route("/exports/statistics.{format}", statistics_export(tokens)),
        Route("/exports/work-orders.{format}", work_order_export(tokens)),
        Route("/rate/{case_number}", rating_page),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
    ]
    security: dict[str, Any] = {"hsts": settings.env is Environment.PROD}
    # Cross-origin browser calls only from the configured origins (none: same origin only).
    cors: dict[str, Any] = {
        "allow_origins": settings.origins,
        "allow_methods": ["GET", "POST", "OPTIONS"],
        "allow_headers": ["Authorization", "Content-Type"],
        "expose_headers": ["Retry-After"],
        "max_age": 600,
    }
    middleware = [
        Middleware(SecurityHeaders, **security),
        Middleware(CORSMiddleware, **cors),
        Middleware(MetricsMiddleware),
    ]
    app = HallApp(routes=routes, middleware=middleware, lifespan=lifespan)
    # The same rules, applied by the lean path to the responses it builds itself.
    app.lean = LeanGraphQL(
        graphql,
        cors=CORSMiddleware(app.router, **cors),
        security=SecurityHeaders(app.router, **security),
    )
    return app


class HallApp(Starlette):
    """The service's app: POST and GET /graphql take the lean path, the rest the full stack."""

    lean: LeanGraphQL | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hand a request to the lean path when it is one of its own."""
        if self.lean is not None and self.lean.handles(scope):
            scope["app"] = self
            await self.lean(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def stack(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Any request through the full middleware stack and router (the lean path's reference)."""
        await super().__call__(scope, receive, send)
