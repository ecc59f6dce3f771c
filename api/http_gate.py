"""What POST/GET /graphql refuses before strawberry sees it, as GraphQL-shaped JSON with stable codes.

Token floods are refused here too, with the schema's own TOO_MANY_TOKENS error: other readers of
the body (the board snapshots) would otherwise parse them first.
"""

from __future__ import annotations

import functools
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse

from schema.limits.guard import too_many_tokens
from schema.limits.policy import MAX_TOKENS
from schema.limits.tokens import more_tokens_than

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


# The scope key of the decoded body, and its value for a body that is not JSON.
JSON_KEY = "hall.json"
NOT_JSON = object()


def _decoded(request: Request, body: bytes) -> Any:
    """The body decoded by orjson, kept in the request's scope for the steps after the gate."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        data = NOT_JSON  # strawberry reports it
    request.scope[JSON_KEY] = data
    return data


async def json_body(request: Request) -> Any:
    """The body decoded once per request (by the gate, or here when it did not read it)."""
    if JSON_KEY not in request.scope:
        return _decoded(request, await request.body())
    return request.scope[JSON_KEY]


def _token_flood(data: Any) -> JSONResponse | None:
    """A token flood refused here, before anything parses it (the schema would refuse it too)."""
    query = data.get("query") if isinstance(data, dict) else None
    if not isinstance(query, str) or not floods(query):
        return None
    error = too_many_tokens()
    return JSONResponse({"data": None, "errors": [error.formatted]})


REMEMBERED_QUERY_CHARS = 8_000  # clients repeat the same few short documents


def floods(query: str) -> bool:
    """Whether the document has too many tokens; short documents' answers are remembered."""
    if len(query) > REMEMBERED_QUERY_CHARS:
        return more_tokens_than(query, MAX_TOKENS)
    return _short_flood(query)


@functools.lru_cache(maxsize=256)
def _short_flood(query: str) -> bool:
    return more_tokens_than(query, MAX_TOKENS)


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
    flood = _token_flood(_decoded(request, body))
    if flood is not None:
        return flood
    request._body = body  # starlette's Request.body() returns what was read here
    return None
