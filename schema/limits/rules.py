"""The validation a document passes before it runs: nesting limits, then the spec rules."""

from __future__ import annotations

from collections.abc import Sequence

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    StringValueNode,
    specified_rules,
    validate,
)
from graphql.validation import ASTValidationRule, ValidationRule
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from schema.limits.nesting import nesting_errors
from schema.limits.policy import BAD_USER_INPUT, INTROSPECTION_DISABLED, QueryPolicy

NUL_CHARACTER = "NUL_CHARACTER"
NUL = "\x00"

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


def nul_character(node: StringValueNode | None = None, variable: str | None = None) -> GraphQLError:
    """The refusal of a text holding U+0000, which PostgreSQL cannot store or compare."""
    extensions: dict[str, object] = {"code": BAD_USER_INPUT, "reason": NUL_CHARACTER}
    if variable is not None:
        extensions["variable"] = variable
    return GraphQLError("文本不能包含空字符（U+0000）", node, extensions=extensions)


class NoNulCharacters(ValidationRule):
    """Refuses string literals holding U+0000 (variables are checked by `nul_variable`)."""

    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        """Report a literal with a NUL character."""
        if NUL in node.value:
            self.report_error(nul_character(node))


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def nul_variable(variables: dict[str, object] | None) -> GraphQLError | None:
    """The refusal of the first variable whose value holds U+0000 anywhere, else None."""
    for name, value in (variables or {}).items():
        if _holds_nul(value):
            return nul_character(variable=name)
    return None


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
    all_rules = (*rules, *STRAWBERRY_RULES, NoNulCharacters)
    if not policy.introspection:
        all_rules = (*all_rules, NoIntrospection)
    return validate(schema, document, all_rules, hide_suggestions=not policy.suggestions)
