"""POST and GET /graphql in one pass, answering exactly as the full middleware stack does.

The full stack (Starlette's error and exception middleware, the security headers, CORS, metrics,
the router, then strawberry's HTTP view) wraps `send` once per layer and builds a request
adapter, parsed content types and a response per layer on every request. Here one handler does
the same work in order: the gate, document ids, board snapshots, the context with the session
cache, `schema.execute` with strawberry's arguments and refusal reasons, strawberry's result
shape encoded with orjson, then CORS, the security headers and the request metrics. What it does
not answer itself (the GraphiQL page, a body that is not a JSON object) goes to strawberry's own
view with the body already read; everything else on the app (WebSocket, OPTIONS preflight, other
methods and routes) never comes here.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable
from typing import Any, Literal, cast

import orjson
from cross_web import HTTPException
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Message, Receive, Scope, Send
from strawberry import Schema
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import process_result
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from api.graphql_view import HallGraphQL
from api.http_gate import NOT_JSON, gate, json_body, strawberry_refusal
from api.http_protocol import send_messages, whole_sender
from api.metrics import observe
from api.plain_posts import plain_operation, plain_post, read_body, replay
from api.security_headers import SecurityHeaders
from api.trusted_documents import lift_http
from schema.direct import DirectExecution

PATH = "/graphql"
METHODS: tuple[Literal["POST"], Literal["GET"]] = ("POST", "GET")
JSON = "application/json"
JSON_TYPE = (b"content-type", JSON.encode())
# What `LeanGraphQL._answer` sends: status, header pairs, body.
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


@functools.lru_cache(maxsize=64)
def _mime_type(content_type: str) -> str:
    """The mime type of a Content-Type header value (strawberry's parser; clients repeat a few)."""
    return parse_content_type(content_type)[0]


async def _discard(_: Message) -> None:
    """Nowhere to send: the CORS rules only edit the message they are given."""


class LeanGraphQL:
    """The handler of POST and GET /graphql; `handles` says which requests are its own."""

    def __init__(self, view: HallGraphQL, *, cors: CORSMiddleware, security: SecurityHeaders):
        self.view = view
        self.cors = cors
        self.security = security
        self.allowed: dict[str, set[OperationType]] = {
            method: OperationType.from_http(method) for method in METHODS
        }
        if not view.allow_queries_via_get:
            self.allowed["GET"] = self.allowed["GET"] - {OperationType.QUERY}
        # Documents known valid skip strawberry's extension runner (schema.direct).
        self.direct = DirectExecution(cast("Schema", view.schema))
        # What a plain POST's answer carries after its body's own two headers: the CORS rules'
        # Vary without an Origin, then the security headers.
        self.plain_headers = [(b"vary", b"Origin"), *security.added([], graphql=True)]
        self.plain_runs = 0  # requests answered as plain POSTs

    @staticmethod
    def handles(scope: Scope) -> bool:
        """HTTP POST or GET of exactly /graphql (behind no root path)."""
        return (
            scope["type"] == "http"
            and scope["path"] == PATH
            and scope["method"] in METHODS
            and not scope.get("root_path")
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one request; an unexpected error gets Starlette's plain 500 and propagates."""
        started = time.perf_counter()
        if scope["method"] == "POST":
            authorization = plain_post(scope["headers"])
            if authorization is not None:
                body, messages = await read_body(receive, self.view.max_body_bytes)
                data = None if body is None else plain_operation(body)
                if data is not None:
                    self.plain_runs += 1
                    plain = self._plain(scope, receive, data, authorization)
                    await self._answer(scope, receive, send, plain, started)
                    return
                receive = replay(messages, receive)
        await self._answer(scope, receive, send, self._full(scope, receive), started)

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, answer: Awaitable[Answer], started: float
    ) -> None:
        """Send the answer and count it; an unexpected error gets Starlette's plain 500."""
        status = 500  # what the metrics record when nothing was answered
        answering = False
        try:
            try:
                status, headers, body = await answer
                answering = True
                # In one piece where the server takes it so (api/http_protocol), else as two messages.
                whole = whole_sender(send) or functools.partial(send_messages, send)
                await whole(status, headers, body)
            finally:
                observe(scope["method"], PATH, status, time.perf_counter() - started)
        except Exception:
            if not answering:
                await PlainTextResponse("Internal Server Error", status_code=500)(
                    scope, receive, send
                )
            raise

    async def _full(self, scope: Scope, receive: Receive) -> Answer:
        """Any request of the lean path, through Starlette's request and response objects."""
        response = await self.respond(Request(scope, receive))
        raw = await self._cors(scope, list(response.raw_headers))
        return response.status_code, self.security.added(raw, graphql=True), bytes(response.body)

    async def _plain(
        self, scope: Scope, receive: Receive, data: dict[str, Any], authorization: str
    ) -> Answer:
        """A plain POST (api/plain_posts), answered as `_full` would, without its objects."""
        view = self.view
        request = Request(scope, receive)
        sub_response = await view.get_sub_response(request)
        context = await view.context_for(request, sub_response, authorization)
        try:
            result = await self._result("POST", data, context)
        except HTTPException as exc:
            refusal = strawberry_refusal(exc.status_code, exc.reason)
            status, body, raw = refusal.status_code, bytes(refusal.body), refusal.raw_headers
        else:
            body = orjson.dumps(process_result(result))
            status = sub_response.status_code or 200
            raw = [(b"content-length", str(len(body)).encode()), JSON_TYPE]
            raw.extend(sub_response.raw_headers)
        if len(raw) == 2 and raw[1] is JSON_TYPE:  # the body's own two headers and no others
            return status, [*raw, *self.plain_headers], body
        return status, self.security.added(await self._cors(scope, list(raw)), graphql=True), body

    async def _cors(
        self, scope: Scope, raw: list[tuple[bytes, bytes]]
    ) -> list[tuple[bytes, bytes]]:
        """The headers as Starlette's CORS middleware leaves them."""
        request_headers = Headers(scope=scope)
        if "origin" not in request_headers and all(name != b"vary" for name, _ in raw):
            raw.append((b"vary", b"Origin"))  # what the middleware adds without an Origin
            return raw
        message: Message = {"type": "http.response.start", "headers": raw}
        await self.cors.send(message, _discard, request_headers)  # edits the message in place
        headers: list[tuple[bytes, bytes]] = message["headers"]
        return headers

    async def respond(self, request: Request) -> Response:
        """What HallGraphQL's HTTP path answers: gate, ids, snapshots, then execution."""
        view = self.view
        response = await gate(request, allow_get=view.dev, max_body_bytes=view.max_body_bytes)
        if response is None:
            response = lift_http(request)  # a document sent by id: its registered text
        if response is not None:
            return response
        try:
            if request.method == "POST":
                return await view.board_snapshots.serve(request, self.execute)
            return await self.execute(request)
        except HTTPException as exc:
            return strawberry_refusal(exc.status_code, exc.reason)

    async def execute(self, request: Request) -> Response:
        """strawberry's `run` for one JSON operation: same checks, reasons, call and result."""
        view = self.view
        if request.method == "GET" and view.should_render_graphql_ide(
            view.request_adapter_class(request)
        ):
            return await GraphQL.run(view, request)
        sub_response = await view.get_sub_response(request)
        context = await view.get_context(request, response=sub_response)
        data = await self._operation(request)
        if data is None:
            return await GraphQL.run(view, request)  # strawberry's own answer to the odd body
        result = await self._result(request.method, data, context)
        response = Response(orjson.dumps(process_result(result)), media_type=JSON)
        response.raw_headers.extend(sub_response.raw_headers)
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        return response

    async def _result(self, method: str, data: dict[str, Any], context: Any) -> ExecutionResult:
        """The operation's result: the direct path for known documents, else strawberry's."""
        allowed = self.allowed[method]
        result = await self.direct.execute(
            data["query"],
            data["variables"],
            context,
            operation_name=data["operationName"],
            allowed=allowed,
            operation_extensions=data["extensions"],
        )
        try:
            if result is None:  # not a known document: strawberry's own execution
                result = await self.view.schema.execute(
                    data["query"],
                    root_value=None,
                    variable_values=data["variables"],
                    context_value=context,
                    operation_name=data["operationName"],
                    allowed_operation_types=allowed,
                    operation_extensions=data["extensions"],
                )
        except CannotGetOperationTypeError as e:
            raise HTTPException(400, e.as_http_error_reason()) from e
        except InvalidOperationTypeError as e:
            raise HTTPException(400, e.as_http_error_reason(method)) from e
        except MissingQueryError as e:
            raise HTTPException(400, "No GraphQL query found in the request") from e
        if not isinstance(result, ExecutionResult):  # pragma: no cover  (no incremental delivery)
            raise TypeError(f"unexpected result {type(result).__name__}")
        return result

    async def _operation(self, request: Request) -> dict[str, Any] | None:
        """The request's query, variables, operationName and extensions, checked as strawberry does.

        None for a decoded body that is not an object (strawberry answers those itself).
        """
        view = self.view
        content_type = _mime_type(request.headers.get("content-type") or "")
        data: Any
        if request.method == "GET":
            data = view.parse_query_params(request.query_params)
        elif JSON in content_type:
            data = await json_body(request)
            if data is NOT_JSON:  # strawberry's parser: its 400, or what only `json` reads (NaN)
                data = view.parse_json(await request.body())
        else:
            raise HTTPException(400, "Unsupported content type")
        if not isinstance(data, dict):
            return None
        operation = {
            name: data.get(name) for name in ("query", "variables", "operationName", "extensions")
        }
        if not isinstance(operation["query"], str | None):
            raise HTTPException(
                400, "The GraphQL operation's `query` must be a string or null, if provided."
            )
        if not isinstance(operation["variables"], dict | None):
            raise HTTPException(
                400, "The GraphQL operation's `variables` must be an object or null, if provided."
            )
        if not isinstance(operation["extensions"], dict | None):
            raise HTTPException(
                400,
                "The GraphQL operation's `extensions` must be an object or null, if provided.",
            )
        return operation
