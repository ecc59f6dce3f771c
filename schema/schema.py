"""The assembled schema."""

from __future__ import annotations

from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.extensions import MaxTokensLimiter
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema import arguments, hot_fields
from schema.alert_subscriptions import AlertSubscription
from schema.compiled import CompiledExecutor
from schema.extensions import ShapeErrors, is_refused_input
from schema.limits.guard import Guard
from schema.limits.policy import MAX_TOKENS
from schema.mutations.alerts import AlertMutation
from schema.mutations.api_keys import ApiKeyMutation
from schema.mutations.auth import AuthMutation
from schema.mutations.calendar import CalendarMutation
from schema.mutations.case_intake import CaseIntakeMutation
from schema.mutations.cases import CaseMutation
from schema.mutations.evaluations import EvaluationMutation
from schema.mutations.halls import HallMutation
from schema.mutations.items import ItemMutation
from schema.mutations.notifications import NotificationMutation
from schema.mutations.queue import QueueMutation
from schema.mutations.users import UserMutation
from schema.mutations.windows import WindowMutation
from schema.mutations.workorders import WorkOrderMutation
from schema.queries.access_log import AccessLogQuery
from schema.queries.accounts import AccountsQuery
from schema.queries.alerts import AlertQuery
from schema.queries.api_keys import ApiKeyQuery
from schema.queries.calendar import CalendarQuery
from schema.queries.cases import CaseQuery
from schema.queries.catalogue import CatalogueQuery
from schema.queries.evaluations import EvaluationQuery
from schema.queries.notifications import NotificationQuery
from schema.queries.queue import QueueQuery
from schema.queries.statistics import StatisticsQuery
from schema.queries.workorders import WorkOrderQuery
from schema.subscriptions import Subscription as BoardSubscription
from schema.types.accounts import User
from schema.types.alerts import Alert
from schema.types.cases import Case
from schema.types.catalogue import Department, Hall, Lane, ServiceItem, Window
from schema.types.evaluations import Evaluation, EvaluationAppeal, FollowUp, Rectification
from schema.types.queue import Ticket
from schema.types.workorders import WorkOrder
from schema.workorder_subscriptions import WorkOrderSubscription


@strawberry.type
class NodeQuery:
    """Global object lookup."""

    node: relay.Node | None = relay.node(
        description="Any object by its global ID; null when unknown or outside your scope."
    )


Query = merge_types(
    "Query",
    (
        NodeQuery,
        AccountsQuery,
        AccessLogQuery,
        ApiKeyQuery,
        CatalogueQuery,
        CaseQuery,
        QueueQuery,
        CalendarQuery,
        AlertQuery,
        NotificationQuery,
        EvaluationQuery,
        WorkOrderQuery,
        StatisticsQuery,
    ),
)
Subscription = merge_types(
    "Subscription", (BoardSubscription, AlertSubscription, WorkOrderSubscription)
)
Mutation = merge_types(
    "Mutation",
    (
        AuthMutation,
        ApiKeyMutation,
        HallMutation,
        ItemMutation,
        WindowMutation,
        UserMutation,
        CaseIntakeMutation,
        CaseMutation,
        QueueMutation,
        CalendarMutation,
        AlertMutation,
        NotificationMutation,
        EvaluationMutation,
        WorkOrderMutation,
    ),
)


ROOT_DESCRIPTIONS = {
    "query": "Reads. Lists are Relay connections; personal data is masked unless a field says otherwise.",
    "mutation": (
        "Changes. Each takes one `input` and returns a union of its success type and the "
        "business errors it can meet (all implement UserError)."
    ),
    "subscription": "Live events over graphql-transport-ws; resumable ones take `afterSeq`.",
}
INPUT_ARGUMENT = "What the change needs; each field is described on the input type."


def _describe_roots(built: strawberry.Schema) -> strawberry.Schema:
    """Descriptions for the merged root types and every mutation's `input` argument."""
    roots = {
        "query": built._schema.query_type,
        "mutation": built._schema.mutation_type,
        "subscription": built._schema.subscription_type,
    }
    for name, root in roots.items():
        if root is not None and not root.description:
            root.description = ROOT_DESCRIPTIONS[name]
    mutation = built._schema.mutation_type
    for field in mutation.fields.values() if mutation else ():
        argument = field.args.get("input")
        if argument is not None and not argument.description:
            argument.description = INPUT_ARGUMENT
    return built


class HallSchema(strawberry.Schema):
    """strawberry's schema, logging only errors that come from code, not refused documents."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Refused documents (syntax, validation, limits, variables) are the client's: not logged.

        A variable's error quotes its value, which may be personal data.
        """
        raised = [e for e in errors if e.original_error is not None and not is_refused_input(e)]
        if raised:
            super().process_errors(raised, execution_context)


def build_schema() -> strawberry.Schema:
    """The schema with its limits (token count, then schema.limits.guard) and error shaping.

    Queries and mutations run as cached plans (schema.compiled), the rest on graphql-core.
    """
    return _describe_roots(
        HallSchema(
            execution_context_class=CompiledExecutor,
            query=Query,
            mutation=Mutation,
            subscription=Subscription,
            types=[
                *(Hall, Department, ServiceItem, Lane, Window, User, Case, Ticket, Alert),
                *(Evaluation, Rectification, EvaluationAppeal, FollowUp, WorkOrder),
            ],
            extensions=[
                # The token limit for strawberry's own parse; Guard parses (cached) and validates.
                partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
                Guard,
                ShapeErrors,
            ],
        )
    )


# The hot fields of case lists resolve without strawberry's per-field wrapper (schema/hot_fields).
schema = hot_fields.install(build_schema())
# Resolver arguments are converted by converters built once per field (schema/arguments).
arguments.install()
