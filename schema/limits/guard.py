"""The extension that checks a document before execution: tokens, nesting, spec rules, cost, budget.

It owns the validation step (so the limits run before graphql-core's own rules, which are not
all linear) and caches it per document. A refused document runs no resolver.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    parse,
)
from starlette.responses import Response
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from models.apikeys.actions import Grant
from models.common.limits import RateLimiter
from schema.limits.budget import CostBudget
from schema.limits.cost import PageTooLarge, operation_cost
from schema.limits.policy import (
    DEFAULT_POLICY,
    MAX_TOKENS,
    PARSE_FAILED,
    QUERY_TOO_COMPLEX,
    THROTTLED,
    TOO_MANY_TOKENS,
    QueryPolicy,
)
from schema.limits.rules import NoIntrospection, document_errors, nul_variable
from schema.limits.scopes import scope_errors
from schema.limits.tokens import more_tokens_than
from schema.trusted import Registry, trusted_only

__all__ = [
    "COSTS",
    "VALID",
    "Guard",
    "NoIntrospection",
    "caller_of",
    "free_text_refusal",
    "policy_of",
    "spend_budget",
    "syntax_error",
    "throttled",
    "too_many_tokens",
]


class ValidDocuments:
    """Documents that passed validation under a policy, by query text (LRU, bounded).

    Only valid documents are kept: clients repeat the same few, while hostile ones are mostly
    unique, and keeping their syntax trees would grow the heap that every full garbage
    collection walks (measured: collections of 100-500 ms once hostile trees filled a cache).
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._documents: OrderedDict[tuple[str, QueryPolicy], DocumentNode] = OrderedDict()

    def get(self, query: str, policy: QueryPolicy) -> DocumentNode | None:
        """The document, if known valid."""
        document = self._documents.get((query, policy))
        if document is not None:
            self._documents.move_to_end((query, policy))
        return document

    def put(self, query: str, policy: QueryPolicy, document: DocumentNode) -> None:
        """Remember a valid document."""
        self._documents[(query, policy)] = document
        if len(self._documents) > self.size:
            self._documents.popitem(last=False)


VALID = ValidDocuments()


CostKey = tuple[GraphQLSchema, str, str | None, QueryPolicy, bytes]


class KnownCosts:
    """Costs of valid documents by query text, operation, policy and variables (LRU, bounded).

    A cost depends on nothing else, and clients send the same few documents with the same page
    sizes; only short variables are used as a key.
    """

    MAX_VARIABLES_BYTES = 1_000

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._costs: OrderedDict[CostKey, int] = OrderedDict()

    @classmethod
    def key(
        cls,
        schema: GraphQLSchema,
        query: object,
        operation: str | None,
        policy: QueryPolicy,
        variables: object,
    ) -> CostKey | None:
        """The cache key, or None when the request is not worth remembering."""
        if not isinstance(query, str):
            return None
        try:
            encoded = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
        except TypeError:
            return None
        if len(encoded) > cls.MAX_VARIABLES_BYTES:
            return None
        return schema, query, operation, policy, encoded

    def get(self, key: CostKey) -> int | None:
        """The remembered cost."""
        cost = self._costs.get(key)
        if cost is not None:
            self._costs.move_to_end(key)
        return cost

    def put(self, key: CostKey, cost: int) -> None:
        """Remember a cost."""
        self._costs[key] = cost
        if len(self._costs) > self.size:
            self._costs.popitem(last=False)


COSTS = KnownCosts()


def too_many_tokens() -> GraphQLError:
    """The error for a document past the token limit."""
    return GraphQLError(
        f"查询过长：超过 {MAX_TOKENS} 个词法单元",
        extensions={"code": TOO_MANY_TOKENS, "limit": MAX_TOKENS},
    )


def syntax_error(error: GraphQLSyntaxError) -> GraphQLError:
    """A syntax error with its stable code: TOO_MANY_TOKENS or GRAPHQL_PARSE_FAILED."""
    if "more than" in error.message and "tokens" in error.message:
        return too_many_tokens()
    return GraphQLError(
        error.message,
        source=error.source,
        positions=error.positions,
        extensions={"code": PARSE_FAILED},
    )


def policy_of(context: Any) -> QueryPolicy:
    """The policy the request's context carries (development defaults without one)."""
    policy = getattr(context, "policy", None)
    return policy if isinstance(policy, QueryPolicy) else DEFAULT_POLICY


def caller_of(context: Any) -> str:
    """Whose budget a request spends: the API key, the account, else the client address."""
    grant = getattr(context, "api_key", None)
    if grant is not None:
        return f"key:{grant.key_id}"
    actor = getattr(context, "actor", None)
    if actor is not None:
        return f"user:{actor.user_id}"
    return f"address:{getattr(context, 'client_address', 'unknown')}"


def throttled(context: Any, message: str, retry_after: int) -> GraphQLError:
    """THROTTLED, with HTTP 429 and Retry-After when the request came over HTTP."""
    response = getattr(context, "response", None)
    if isinstance(response, Response):
        response.status_code = 429
        response.headers["Retry-After"] = str(retry_after)
    return GraphQLError(message, extensions={"code": THROTTLED, "retryAfter": retry_after})


async def spend_budget(context: Any, cost: int, report: dict[str, int]) -> list[GraphQLError]:
    """Spend a request's cost from its caller's budget; `report` gains the budget's state.

    Nothing to spend from without a budget; THROTTLED when the budget would be overdrawn.
    """
    budget: CostBudget | None = getattr(context, "budget", None)
    if budget is None:
        return []
    spent = await budget.spend(caller_of(context), max(cost, 1))
    report |= {"budget": spent.limit, "remaining": spent.remaining, "resetIn": spent.reset_in}
    if spent.allowed:
        return []
    return [throttled(context, f"查询配额已用完，请 {spent.reset_in} 秒后再试", spent.reset_in)]


def free_text_refusal(context: Any, policy: QueryPolicy) -> GraphQLError | None:
    """TRUSTED_DOCUMENTS_ONLY when the server or the caller's API key takes registered ones only."""
    if policy.trusted_documents_only:
        return trusted_only("SERVER")
    grant = getattr(context, "api_key", None)
    if grant is not None and grant.trusted_documents_only:
        return trusted_only("API_KEY")
    return None


class Guard(SchemaExtension):
    """Nesting limits, then the spec rules, then cost and budget; `extensions.cost` on results."""

    def __init__(self) -> None:
        super().__init__()
        self.cost: dict[str, int] | None = None
        self.syntax_error: GraphQLError | None = None
        self.known_valid = False
        self.subscription = False
        self.refusal: GraphQLError | None = None

    def on_operation(self) -> Iterator[None]:
        """Report a syntax error found by on_parse in place of strawberry's stand-in."""
        yield
        result = self.execution_context.result
        if self.syntax_error is not None and result is not None:
            result.errors = [self.syntax_error]

    def on_parse(self) -> Iterator[None]:
        """Registered documents as parsed at start-up, others through a bounded cache.

        On a syntax error strawberry's own parse stops at once. Free text where only registered
        documents are accepted is refused (in on_validate, before validation and cost).
        """
        # An error raised from this hook would bypass error shaping; instead strawberry's parse
        # is made to fail at the first token (no second pass over a long document), and
        # on_operation puts the real error back.
        context = self.execution_context
        if isinstance(context.query, str) and context.graphql_document is None:
            policy = policy_of(context.context)
            registered = Registry.documents.by_text.get(context.query)
            if registered is not None and Registry.documents.is_valid(
                registered, context.schema._schema, policy
            ):
                context.graphql_document = registered.document
                self.known_valid = True
                yield
                return
            # Refused in on_validate once parsed (over WebSocket a syntax error closes the socket).
            self.refusal = free_text_refusal(context.context, policy)
            known = VALID.get(context.query, policy)
            self.known_valid = known is not None
            if known is None and more_tokens_than(context.query, MAX_TOKENS):
                self.syntax_error = self.refusal or too_many_tokens()
                context.parse_options["max_tokens"] = 0
                yield
                return
            try:
                context.graphql_document = known or parse(context.query, max_tokens=MAX_TOKENS)
            except GraphQLSyntaxError as exc:
                self.syntax_error = self.refusal or syntax_error(exc)
                context.parse_options["max_tokens"] = 0
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        """Set the document's errors, so that strawberry's own validation does not run."""
        context = self.execution_context
        assert context.graphql_document is not None  # noqa: S101  (parsed before validation)
        if self.refusal is not None:
            context.pre_execution_errors = [self.refusal]
            yield
            return
        policy = policy_of(context.context)
        errors = [] if self.known_valid else self._validate(policy)
        if not errors:
            refused = nul_variable(context.variables)
            errors = [refused] if refused is not None else await self._check_cost(policy)
        context.pre_execution_errors = errors
        yield

    def _validate(self, policy: QueryPolicy) -> list[GraphQLError]:
        """The nesting limits, then the spec rules; a valid document is remembered."""
        context = self.execution_context
        document = context.graphql_document
        assert document is not None  # noqa: S101
        errors = document_errors(context.schema._schema, document, policy, context.validation_rules)
        if not errors and isinstance(context.query, str):
            VALID.put(context.query, policy, document)
        return errors

    async def _check_cost(self, policy: QueryPolicy) -> list[GraphQLError]:
        context = self.execution_context
        assert context.graphql_document is not None  # noqa: S101
        key = COSTS.key(
            context.schema._schema, context.query, context.operation_name, policy, context.variables
        )
        cost = None if key is None else COSTS.get(key)
        if cost is None:
            try:
                cost = operation_cost(
                    context.schema._schema,
                    context.graphql_document,
                    context.operation_name,
                    context.variables,
                    policy,
                )
            except PageTooLarge as exc:
                return [exc.error]
            if key is not None:
                COSTS.put(key, cost)
        report = self.cost = {"requested": cost, "limit": policy.max_cost}
        self.subscription = context.operation_type is OperationType.SUBSCRIPTION
        if cost > policy.max_cost:
            return [
                GraphQLError(
                    f"查询代价 {cost} 超过单次上限 {policy.max_cost}，请减少每页条数或嵌套列表",
                    extensions={
                        "code": QUERY_TOO_COMPLEX,
                        "limit": policy.max_cost,
                        "actual": cost,
                    },
                )
            ]
        grant = getattr(context.context, "api_key", None)
        if grant is not None:
            refused = await self._check_key(grant)
            if refused:
                return refused
        return await spend_budget(context.context, cost, report)

    async def _check_key(self, grant: Grant) -> list[GraphQLError]:
        """An API key's scopes, then its requests per minute."""
        context = self.execution_context
        assert context.graphql_document is not None  # noqa: S101
        refused = scope_errors(context.graphql_document, context.operation_name, grant.scopes)
        if refused:
            return refused
        limiter: RateLimiter | None = getattr(context.context, "limiter", None)
        if limiter is None:
            return []
        decision = await limiter.hit(f"apikey:{grant.key_id}", grant.per_minute, 60)
        if decision.allowed:
            return []
        message = (
            f"该API密钥每分钟最多 {grant.per_minute} 次请求，请 {decision.retry_after} 秒后再试"
        )
        return [self._throttled(message, decision.retry_after)]

    def _throttled(self, message: str, retry_after: int) -> GraphQLError:
        return throttled(self.execution_context.context, message, retry_after)

    def get_results(self) -> dict[str, Any]:
        """`extensions.cost` once the cost is known; never on subscription events.

        A subscription is charged once, when it starts. Its events carry no cost: the budget
        left is the caller's own, and grouped board events are one frame for many sockets.
        """
        if self.cost is None or self.subscription:
            return {}
        return {"cost": self.cost}
