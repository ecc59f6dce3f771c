"""Security headers on every HTTP response, whatever route (or error) produced it."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
# Data responses may load nothing; pages (the board, the rating page, GraphiQL in dev) run
# their own scripts but may not be framed.
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"
PAGE_POLICY = "frame-ancestors 'none'; object-src 'none'; base-uri 'none'"
HSTS = "max-age=31536000; includeSubDomains"


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


class SecurityHeaders:
    """ASGI middleware: adds the headers to each response start; HSTS only when asked (prod)."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts
        # The headers each kind of response gets, encoded once (every request adds them).
        extra = {"strict-transport-security": HSTS} if hsts else {}
        self._page = _raw(COMMON | {"content-security-policy": PAGE_POLICY} | extra)
        self._data = _raw(COMMON | {"content-security-policy": DATA_POLICY} | extra)
        self._graphql = _raw(
            COMMON | {"content-security-policy": DATA_POLICY, "cache-control": "no-store"} | extra
        )
        self._graphql_page = _raw(
            COMMON | {"content-security-policy": PAGE_POLICY, "cache-control": "no-store"} | extra
        )

    def added(self, raw: list[tuple[bytes, bytes]], *, graphql: bool) -> list[tuple[bytes, bytes]]:
        """`raw` response headers with the ones this response lacks appended."""
        present = {name.lower() for name, _ in raw}
        page = any(
            name.lower() == b"content-type" and value.startswith(b"text/html")
            for name, value in raw
        )
        if graphql:
            wanted = self._graphql_page if page else self._graphql
        else:
            wanted = self._page if page else self._data
        raw.extend(header for header in wanted if header[0] not in present)
        return raw

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass through, adding headers to HTTP responses."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        graphql = str(scope.get("path", "")).startswith("/graphql")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw: list[tuple[bytes, bytes]] = list(message.get("headers", ()))
                message["headers"] = self.added(raw, graphql=graphql)
            await send(message)

        await self.app(scope, receive, send_with_headers)
