"""The plan cache: per (schema, operation node, fragment nodes), bounded, least recently used out.

Keys are the identities of the parsed nodes, which the parse cache and the trusted documents
reuse across requests; an entry keeps its nodes alive, so an identity cannot be reused while
its entry exists. Two texts that differ only in layout are different documents (their errors'
locations differ), and so are different entries.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable

from graphql import GraphQLSchema, OperationDefinitionNode
from graphql.execution.collect_fields import FragmentDetails

from schema.compiled.plans import ObjectPlan, conditions_of

# Plans kept per operation, one per outcome of its @skip/@include variables.
MAX_OUTCOMES = 16


class OperationPlans:
    """The plans of one operation, keyed by the values of the variables its conditions read."""

    __slots__ = ("conditions", "fragments", "operation", "plans", "schema")

    def __init__(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDetails],
    ) -> None:
        self.schema = schema  # held so that the identities in the key stay taken
        self.operation = operation
        self.fragments = tuple(fragments.values())
        self.conditions = conditions_of(operation, fragments)
        self.plans: dict[tuple[Hashable, ...], ObjectPlan | None] = {}

    def plan(
        self,
        variables: dict[str, object],
        build: Callable[[], ObjectPlan | None],
    ) -> ObjectPlan | None:
        """The plan for these variables' condition outcome (built on first use), or None."""
        names = self.conditions
        if names is None:
            return None
        outcome = tuple(_hashable(variables.get(name)) for name in names)
        if outcome in self.plans:
            return self.plans[outcome]
        plan = build()
        if len(self.plans) < MAX_OUTCOMES:
            self.plans[outcome] = plan
        return plan

    def built(self, variables: dict[str, object]) -> ObjectPlan | None:
        """The plan already built for these variables' condition outcome, else None."""
        names = self.conditions
        if names is None:
            return None
        return self.plans.get(tuple(_hashable(variables.get(name)) for name in names))


def _hashable(value: object) -> Hashable:
    return value if isinstance(value, bool | None) else repr(value)


class PlanCache:
    """Operation plans, the least recently used dropped beyond `size`."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[int, ...], OperationPlans] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def operation(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDetails],
    ) -> OperationPlans:
        """The entry of an operation, created when first seen."""
        key = (id(schema), id(operation), *(id(f.definition) for f in fragments.values()))
        entries = self._entries
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = OperationPlans(schema, operation, fragments)
            if len(entries) > self.size:
                entries.popitem(last=False)
        else:
            entries.move_to_end(key)
        return entry

    def entries(self) -> list[OperationPlans]:
        """The cached operations, least recently used first."""
        return list(self._entries.values())

    def clear(self) -> None:
        """Forget every plan."""
        self._entries.clear()
