"""The GraphQL endpoint: typed context, bearer auth over HTTP and in connection_init, orjson."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, cast

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry import Schema
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from api.auth import Session, Tokens
from api.board_groups import BoardGroups
from api.board_snapshot import BoardSnapshots
from api.http_gate import gate, strawberry_refusal
from api.screen_socket import ScreenSocketHandler, SocketLimits
from api.session_cache import SessionCache
from api.session_socket import SessionSocketHandler
from api.socket_sessions import SocketSessions
from api.trusted_documents import lift_http
from models.common.limits import RateLimiter
from models.queue.board import EventLog
from schema.context import AlertFeed, CaseFeed, Context, JobQueue
from schema.limits.budget import CostBudget
from schema.limits.policy import DEFAULT_POLICY, QueryPolicy
from schema.read_cache import TableChanges


class HallGraphQL(GraphQL[Context, None]):
    """strawberry's ASGI view with our context, auth and encoding, and grouped hallBoard fan-out."""

    def __init__(
        self,
        schema: Schema,
        tokens: Tokens,
        *,
        dev: bool,
        grouping: bool = True,
        socket_limits: SocketLimits | None = None,
        policy: QueryPolicy = DEFAULT_POLICY,
        allowed_origins: list[str] | None = None,
        max_body_bytes: int = 100_000,
        sessions: SocketSessions | None = None,
        init_timeout_seconds: float = 10.0,
        max_subscriptions: int = 20,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if dev else None,
            allow_queries_via_get=dev,
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            connection_init_wait_timeout=timedelta(seconds=init_timeout_seconds),
            max_subscriptions_per_connection=max_subscriptions,
            allowed_origins=allowed_origins or (),
        )
        # Authenticated sockets, closed when their token expires or is revoked.
        self.sessions = sessions or SocketSessions()
        self.graphql_transport_ws_handler_class = SessionSocketHandler
        self.dev = dev
        self.policy = policy
        self.max_body_bytes = max_body_bytes
        self.budget: CostBudget | None = None
        self.tokens = tokens
        # HTTP requests reuse recently verified sessions; revocations reach the cache at once.
        self.session_cache = SessionCache(tokens)
        self.sessions.revocation_listeners.append(self.session_cache.revoked)
        self.sessions.loss_listeners.append(self.session_cache.forget_all)
        self.limiter: RateLimiter | None = None
        self.case_feed: CaseFeed | None = None
        self.work_order_feed: CaseFeed | None = None
        self.board_log: EventLog | None = None
        self.read_changes: TableChanges | None = None
        self.alert_feed: AlertFeed | None = None
        self.jobs: JobQueue | None = None
        self.socket_limits = socket_limits or SocketLimits()
        self.board_groups = BoardGroups(self.encode_json)
        self.board_snapshots = BoardSnapshots(self)
        if grouping:
            # Identical hallBoard subscriptions share one execution per event (api/board_groups).
            self.graphql_transport_ws_handler_class = ScreenSocketHandler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """HTTP requests pass the gate (method, size, batching) first; refusals carry codes."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        response: Response | None = await gate(
            request, allow_get=self.dev, max_body_bytes=self.max_body_bytes
        )
        if response is None:
            response = lift_http(request)  # a document sent by id: its registered text
        if response is None:
            try:
                response = cast("Response", await self.run(request))
            except HTTPException as exc:
                response = strawberry_refusal(exc.status_code, exc.reason)
        await response(scope, receive, send)

    async def run(  # type: ignore[override]
        self, request: Request | WebSocket, context: Any = UNSET, root_value: Any = UNSET
    ) -> Response | WebSocket:
        """A board-only POST may be answered from its encoded snapshot (api/board_snapshot)."""
        if isinstance(request, Request) and request.method == "POST" and context is UNSET:
            return await self.board_snapshots.serve(request, super().run)
        return await super().run(request, context, root_value)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        """What resolvers may set a status or headers on: no status, no headers (strawberry's,
        without building and then deleting a content-length)."""
        sub_response = Response.__new__(Response)
        sub_response.status_code = None  # type: ignore[assignment]
        sub_response.background = None
        sub_response.body = b""
        sub_response.raw_headers = []
        return sub_response

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        """A fresh context; HTTP requests authenticate from their header."""
        authorization = None
        if isinstance(request, Request):
            authorization = request.headers.get("authorization")
        return await self.context_for(request, response, authorization)

    async def context_for(
        self,
        request: Request | WebSocket,
        response: Response | WebSocket,
        authorization: str | None,
    ) -> Context:
        """A fresh context, signed in with the session of `authorization` when it has one."""
        context = Context(
            tokens=self.tokens,
            request=request,
            response=response,
            limiter=self.limiter,
            case_feed=self.case_feed,
            work_order_feed=self.work_order_feed,
            board_log=self.board_log,
            read_changes=self.read_changes,
            alert_feed=self.alert_feed,
            jobs=self.jobs,
            policy=self.policy,
            budget=self.budget,
            revocations=self.sessions,
        )
        session = await self.session_cache.session(authorization)
        if session is not None:
            self._sign_in(context, session)
        return context

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Accept a WebSocket only with a valid token in the connection_init payload."""
        params: Any = context.connection_params or {}
        authorization = params.get("authorization") if isinstance(params, dict) else None
        if not isinstance(authorization, str) or not await self._authenticate(
            context, authorization
        ):
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "message": "请先登录"})
        unset: UnsetType = UNSET
        return unset

    async def _authenticate(self, context: Context, authorization: str | None) -> bool:
        session = await self.tokens.session(authorization)
        if session is None:
            return False
        self._sign_in(context, session)
        return True

    @staticmethod
    def _sign_in(context: Context, session: Session) -> None:
        context.actor, context.user = session.actor, session.user
        context.token_expires_at = session.expires_at
        context.api_key = session.api_key

    def decode_json(self, data: str | bytes) -> object:
        """Request bodies and messages through orjson; what only `json` accepts (NaN) still parses."""
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            return json.loads(data)

    def encode_json(self, data: object) -> str:
        """Responses are encoded with orjson, as text: WebSocket messages must be text frames."""
        return orjson.dumps(data).decode()
