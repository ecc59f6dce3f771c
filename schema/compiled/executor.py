"""The executor strawberry runs: a cached plan for queries and mutations, graphql-core otherwise."""

from __future__ import annotations

from typing import Any, ClassVar

from graphql import ExecutionResult, GraphQLError, OperationType
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.compiled.cache import PlanCache
from schema.compiled.plans import FieldPlan, ObjectPlan, Planner
from schema.compiled.running import execute_fields, execute_fields_serially
from schema.read_cache import TableChanges

PLANNED_OPERATIONS = (OperationType.QUERY, OperationType.MUTATION)


def _passes_through(middleware: Any) -> bool:
    """Whether a middleware manager leaves resolvers as they are (no extension has `resolve`)."""
    return middleware is None or middleware.get_field_resolver(_passes_through) is _passes_through


class CompiledExecutor(StrawberryGraphQLCoreExecutionContext):
    """Runs a plan built once per operation; subscriptions, @defer, aborts and hooks fall back."""

    plans: ClassVar[PlanCache] = PlanCache()

    _info_class: type[tuple[Any, ...]]
    _info_tail: tuple[Any, ...]

    def execute_operation(self, serially: bool | None = None) -> AwaitableOrValue[Any]:
        """Execute the operation; a mutation, once run (or failed), tells the context's read
        changes that what was kept before it is not to be reused (schema.read_cache)."""
        if self.operation.operation != OperationType.MUTATION:
            return self._execute(serially)
        try:
            outcome = self._execute(serially)
        except BaseException:
            self._changed_here()
            raise
        if self.is_awaitable(outcome):
            return self._changed_after(outcome)
        self._changed_here()
        return outcome

    async def _changed_after(self, outcome: Any) -> Any:
        try:
            return await outcome
        finally:
            self._changed_here()

    def _changed_here(self) -> None:
        changes: TableChanges | None = getattr(self.context_value, "read_changes", None)
        if changes is not None:
            changes.changed_here()

    def _execute(self, serially: bool | None) -> AwaitableOrValue[Any]:
        """Execute the operation's plan, or graphql-core's executor when there is none."""
        plan = self._plan()
        if plan is None or not self._prepare_info(plan):
            return super().execute_operation(serially)
        if serially is None:
            serially = self.operation.operation == OperationType.MUTATION
        run = execute_fields_serially if serially else execute_fields
        try:
            result = run(self, plan, self.root_value, None)
            if self.is_awaitable(result):
                return self._await_data(result)
            data = result
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.finish(self.build_response(None))
        return self.finish(self.build_response(data))

    def build_response(self, data: dict[str, Any] | None) -> Any:
        """graphql-core's response; a complete one lets go of what ties the executor in a loop.

        The executor holds the helpers it hands resolver infos (and the infos' shared tail),
        and the helpers hold the executor's bound methods: a reference cycle per request that
        kept the request's context, loaders and rows for the garbage collector. Nothing asks
        the executor for them once the response is built; infos keep their own references.
        """
        response = super().build_response(data)
        if isinstance(response, ExecutionResult):
            self.__dict__.pop("async_helpers", None)
            self.__dict__.pop("_info_tail", None)
        return response

    async def _await_data(self, result: Any) -> Any:
        try:
            data = await result
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.build_response(None)
        except Exception:
            await self.cancel_incremental_work()
            self.run_async_work_finished_hook()
            raise
        return self.build_response(data)

    def _plan(self) -> ObjectPlan | None:
        """The cached plan of this operation, built on first use; None when not plannable."""
        operation = self.operation
        if (
            operation.operation not in PLANNED_OPERATIONS
            or self.abort_signal is not None
            or self.hooks is not None
            or not _passes_through(self.middleware_manager)
        ):
            return None
        entry = self.plans.operation(self.schema, operation, self.fragments)
        return entry.plan(self.variable_values.coerced, self._build_plan)

    def _build_plan(self) -> ObjectPlan | None:
        root_type = self.schema.get_root_type(self.operation.operation)
        if root_type is None:
            return None
        planner = Planner(
            self.schema, self.fragments, self.variable_values, self.operation, self.hide_suggestions
        )
        try:
            return planner.root(root_type)
        except (Exception, RecursionError):
            return None  # graphql-core runs it (and reports whatever made planning fail)

    def _prepare_info(self, plan: ObjectPlan) -> bool:
        """Learn the layout of this executor's resolve info from one built the usual way."""
        field = next((f for f in plan.fields if f.constant is None), None)
        if field is None:
            return True
        path = Path(None, field.response_name, plan.type_name)
        sample = self.build_resolve_info(field.field_def, field.nodes, field.parent_type, path)
        if not isinstance(sample, tuple) or sample[:5] != (*field.info_head, path):
            return False
        self._info_class = type(sample)
        self._info_tail = sample[5:]
        return True

    def resolve_info(self, field: FieldPlan, path: Path) -> Any:
        """The info graphql-core would pass to the field's resolver at this path."""
        return tuple.__new__(self._info_class, (*field.info_head, path, *self._info_tail))
