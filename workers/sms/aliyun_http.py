"""Keep-alive HTTP for the Alibaba Cloud SDK: one connection pool per provider, not one per call.

The SDK's async transport (darabonba's `DaraCore.async_do_action`) opens a new aiohttp session
and a new connection for every call and, over HTTPS, builds a new TLS context from the whole CA
bundle each time (about 30 ms of CPU per text on this kind of machine), and it takes no client or
session from outside. The SDK reaches that transport through the name `DaraCore` in
`alibabacloud_tea_openapi.client`: `install()` points that name at a subclass whose
`async_do_action` sends through the pool of the provider making the call (a context variable set
around the SDK call) and otherwise runs the SDK's own, unchanged. Requests that this transport does
not handle (proxies, client certificates, custom CAs, a minimum TLS version, streamed bodies) also
go the SDK's way. Errors are raised as the SDK's transport raises them (an OSError becomes its
RetryError), so that the SDK and the provider classify them as before.
"""

from __future__ import annotations

import asyncio
import os
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import aiohttp
import alibabacloud_tea_openapi.client as openapi_client
import certifi
from darabonba.core import DaraCore  # type: ignore[import-untyped]
from darabonba.exceptions import RetryError  # type: ignore[import-untyped]
from darabonba.response import DaraResponse  # type: ignore[import-untyped]

# darabonba's defaults, in milliseconds, for a request whose runtime names none.
DEFAULT_CONNECT_TIMEOUT_MS = 5000
DEFAULT_READ_TIMEOUT_MS = 10000
# Runtime options that only the SDK's own transport honours.
DELEGATED_OPTIONS = ("ca", "cert", "tlsMinVersion", "httpProxy", "httpsProxy", "socks5Proxy")

_current: ContextVar[PooledHttp | None] = ContextVar("aliyun_pooled_http", default=None)


class PooledHttp:
    """An aiohttp session (keep-alive connections, one TLS context) for one event loop."""

    def __init__(self, connections: int = 100, keepalive_seconds: float = 15.0) -> None:
        self.connections = connections
        self.keepalive_seconds = keepalive_seconds
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tls: ssl.SSLContext | None = None

    @contextmanager
    def active(self) -> Iterator[None]:
        """SDK calls made inside the block (in this task) go through this pool."""
        token = _current.set(self)
        try:
            yield
        finally:
            _current.reset(token)

    def handles(self, request: Any, options: dict[str, Any]) -> bool:
        """Whether a request is one this transport sends as the SDK would."""
        if any(options.get(name) for name in DELEGATED_OPTIONS):
            return False
        proxy_vars = (
            ("HTTPS_PROXY", "https_proxy") if _https(request) else ("HTTP_PROXY", "http_proxy")
        )
        if any(os.environ.get(name) for name in proxy_vars):
            return False
        return request.body is None or isinstance(request.body, str | bytes)

    def _session_here(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            connector = aiohttp.TCPConnector(
                limit=self.connections,
                limit_per_host=self.connections,
                keepalive_timeout=self.keepalive_seconds,
            )
            self._session = aiohttp.ClientSession(connector=connector)
            self._loop = loop
        return self._session

    def _tls_context(self) -> ssl.SSLContext:
        # What the SDK builds per call (certifi's CA bundle), built once.
        if self._tls is None:
            self._tls = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=certifi.where())
        return self._tls

    async def send(self, request: Any, options: dict[str, Any]) -> Any:
        """Send a signed SDK request; returns the SDK's response object."""
        timeout = options.get("timeout")
        connect = int(options.get("connectTimeout") or timeout or DEFAULT_CONNECT_TIMEOUT_MS)
        read = int(options.get("readTimeout") or timeout or DEFAULT_READ_TIMEOUT_MS)
        tls: ssl.SSLContext | bool = (
            self._tls_context() if _https(request) and not options.get("ignoreSSL") else False
        )
        body = request.body.encode() if isinstance(request.body, str) else request.body or b""
        try:
            async with self._session_here().request(
                request.method,
                DaraCore.compose_url(request),
                data=body,
                headers=request.headers,
                ssl=tls,
                timeout=aiohttp.ClientTimeout(sock_read=read / 1000, sock_connect=connect / 1000),
            ) as response:
                result = DaraResponse()
                result.body = await response.read()
                result.headers = {k.lower(): v for k, v in response.headers.items()}
                result.status_code = response.status
                result.status_message = response.reason
                result.response = response
        except OSError as exc:  # what the SDK's transport turns into a RetryError
            raise RetryError(str(exc)) from exc
        return result

    async def aclose(self) -> None:
        """Close the pooled connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


def _https(request: Any) -> bool:
    return str(request.protocol).upper() == "HTTPS"


class _RoutedDaraCore(DaraCore):  # type: ignore[misc]
    """The SDK's core, sending through the calling provider's pool when it set one."""

    @staticmethod
    async def async_do_action(request: Any, runtime_option: dict[str, Any] | None = None) -> Any:
        http = _current.get()
        options = runtime_option or {}
        if http is None or not http.handles(request, options):
            return await DaraCore.async_do_action(request, runtime_option)
        return await http.send(request, options)


def install() -> None:
    """Route the SDK's calls through `_RoutedDaraCore` (idempotent)."""
    if openapi_client.DaraCore is DaraCore:
        openapi_client.DaraCore = _RoutedDaraCore
    elif openapi_client.DaraCore is not _RoutedDaraCore:
        raise RuntimeError("alibabacloud_tea_openapi.client.DaraCore is not the SDK's DaraCore")
