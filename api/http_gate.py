"""What POST/GET /graphql refuses before strawberry sees it, as GraphQL-shaped JSON with stable codes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
BATCHING_NOT_SUPPORTED = "BATCHING_NOT_SUPPORTED"
BAD_REQUEST = "BAD_REQUEST"
NOT_FOUND = "NOT_FOUND"


def refusal(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A response carrying one top-level error with a stable code."""
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers,
    )


def strawberry_refusal(status: int, reason: str) -> JSONResponse:
    """strawberry's own HTTP refusals (bad JSON, no query, wrong method), with codes."""
    code = {405: METHOD_NOT_ALLOWED, 404: NOT_FOUND, 413: REQUEST_TOO_LARGE}.get(
        status, BAD_REQUEST
    )
    return refusal(status, code, reason)


async def read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None once it passes `limit` bytes (read no further)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def gate(request: Request, *, allow_get: bool, max_body_bytes: int) -> JSONResponse | None:
    """A refusal for a request strawberry must not run, else None (the body is read and kept)."""
    if request.method == "GET" and not allow_get:
        return refusal(
            405,
            METHOD_NOT_ALLOWED,
            "GET /graphql 只用于 WebSocket 订阅；查询请用 POST",
            headers={"Allow": "POST"},
        )
    if request.method != "POST":
        return None
    body = await read_body(request, max_body_bytes)
    if body is None:
        return refusal(413, REQUEST_TOO_LARGE, f"请求体超过 {max_body_bytes} 字节")
    if body.lstrip()[:1] == b"[":
        return refusal(400, BATCHING_NOT_SUPPORTED, "不支持批量请求：每个请求只发送一个操作")
    request._body = body  # starlette's Request.body() returns what was read here
    return None
