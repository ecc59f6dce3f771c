"""The assembled schema."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry import relay
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types

from schema.alert_subscriptions import AlertSubscription
from schema.extensions import ShapeErrors
from schema.mutations.alerts import AlertMutation
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
from schema.queries.accounts import AccountsQuery
from schema.queries.alerts import AlertQuery
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


# Parsed and validated documents are kept (LRU, bounded): clients send the same few documents.
DOCUMENT_CACHE_SIZE = 256
# The limit rules are built once: the validation cache keys on the rule classes, and the
# limiter extensions would make new classes for every request.
LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=12).validation_rules,
    *MaxAliasesLimiter(max_alias_count=30).validation_rules,
]


class QueryLimits(AddValidationRules):
    """Depth and alias limits as validation rules (one set of rule classes for the process)."""

    def __init__(self) -> None:
        super().__init__(LIMIT_RULES)


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


def build_schema() -> strawberry.Schema:
    """The schema with its limits and error shaping."""
    return _describe_roots(
        strawberry.Schema(
            query=Query,
            mutation=Mutation,
            subscription=Subscription,
            types=[
                *(Hall, Department, ServiceItem, Lane, Window, User, Case, Ticket, Alert),
                *(Evaluation, Rectification, EvaluationAppeal, FollowUp, WorkOrder),
            ],
            extensions=[
                partial(MaxTokensLimiter, max_token_count=4000),
                QueryLimits,
                partial(ParserCache, maxsize=DOCUMENT_CACHE_SIZE),
                partial(ValidationCache, maxsize=DOCUMENT_CACHE_SIZE),
                ShapeErrors,
            ],
        )
    )


schema = build_schema()
