"""The validation a document passes before it runs: nesting limits, then the spec rules."""

from __future__ import annotations

from collections.abc import Sequence

from graphql import DocumentNode, FieldNode, GraphQLError, GraphQLSchema, specified_rules, validate
from graphql.validation import ASTValidationRule, ValidationRule
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from schema.limits.nesting import nesting_errors
from schema.limits.policy import INTROSPECTION_DISABLED, QueryPolicy

# strawberry adds these to the spec rules in its own validation step, which the guard replaces.
STRAWBERRY_RULES = (MaybeNullValidationRule, OneOfInputValidationRule)


class NoIntrospection(ValidationRule):
    """Refuses __schema and __type (used when introspection is off); __typename stays."""

    def enter_field(self, node: FieldNode, *_: object) -> None:
        """Report an introspection field."""
        if node.name.value in ("__schema", "__type"):
            self.report_error(
                GraphQLError(
                    "已关闭内省（introspection）查询",
                    node,
                    extensions={"code": INTROSPECTION_DISABLED},
                )
            )


def document_errors(
    schema: GraphQLSchema,
    document: DocumentNode,
    policy: QueryPolicy,
    rules: Sequence[type[ASTValidationRule]] = specified_rules,
) -> list[GraphQLError]:
    """The nesting limits' errors, else the spec rules' (none: the document is valid)."""
    errors = nesting_errors(document, policy.max_depth, policy.max_aliases, policy.max_fields)
    if errors:
        return errors
    all_rules = (*rules, *STRAWBERRY_RULES)
    if not policy.introspection:
        all_rules = (*all_rules, NoIntrospection)
    return validate(schema, document, all_rules, hide_suggestions=not policy.suggestions)
