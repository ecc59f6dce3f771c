"""The assembled schema."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry import relay
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.tools import merge_types

from schema.extensions import ShapeErrors
from schema.mutations.auth import AuthMutation
from schema.mutations.case_intake import CaseIntakeMutation
from schema.mutations.cases import CaseMutation
from schema.mutations.halls import HallMutation
from schema.mutations.items import ItemMutation
from schema.mutations.users import UserMutation
from schema.mutations.windows import WindowMutation
from schema.queries.accounts import AccountsQuery
from schema.queries.cases import CaseQuery
from schema.queries.catalogue import CatalogueQuery
from schema.subscriptions import Subscription
from schema.types.accounts import User
from schema.types.cases import Case
from schema.types.catalogue import Department, Hall, Lane, ServiceItem, Window


@strawberry.type
class NodeQuery:
    """Global object lookup."""

    node: relay.Node | None = relay.node(
        description="Any object by its global ID; null when unknown or outside your scope."
    )


Query = merge_types("Query", (NodeQuery, AccountsQuery, CatalogueQuery, CaseQuery))
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
    ),
)


def build_schema() -> strawberry.Schema:
    """The schema with its limits and error shaping."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Hall, Department, ServiceItem, Lane, Window, User, Case],
        extensions=[
            partial(QueryDepthLimiter, max_depth=12),
            partial(MaxAliasesLimiter, max_alias_count=30),
            partial(MaxTokensLimiter, max_token_count=4000),
            ShapeErrors,
        ],
    )


schema = build_schema()
