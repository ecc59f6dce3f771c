"""Prometheus metrics: HTTP traffic and the live-board fan-out."""

from __future__ import annotations

import functools
import time

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("hall_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "hall_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

BOARD_GROUP_EXECUTIONS = Counter(
    "hall_board_group_executions_total",
    "Board events executed and encoded by a subscription group (once per event and group)",
)
BOARD_GROUPS = Gauge("hall_board_groups", "Live groups of identical hallBoard subscriptions")
BOARD_GROUP_MEMBERS = Gauge("hall_board_group_members", "Subscriptions served by a group")
WS_SLOW_DROPS = Counter("hall_ws_slow_drops_total", "WebSockets dropped for not keeping up")


class MetricsMiddleware:
    """Counts requests and times them by route template (never by raw path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Record one HTTP request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            observe(scope.get("method", ""), template, status, time.perf_counter() - started)


def observe(method: str, template: str, status: int, seconds: float) -> None:
    """Count one request and its latency under its method, route template and status."""
    count, latency = _series(method, template, status)
    count.inc()
    latency.observe(seconds)


@functools.lru_cache(maxsize=1024)
def _series(method: str, template: str, status: int) -> tuple[Counter, Histogram]:
    """The labelled children of one method, route template and status (looked up once)."""
    return REQUESTS.labels(method, template, str(status)), LATENCY.labels(method, template)


async def metrics(_: Request) -> Response:
    """The Prometheus text exposition."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
