"""The breaking-change check of the frontend contract.

Compares `frontend-contract/released/schema.graphql` (the last released snapshot) with
`frontend-contract/schema.graphql` using graphql-core's change finder, and fails when

- a breaking change is not recorded under `## Unreleased` → `### Breaking` in
  `frontend-contract/CHANGELOG.md`, or
- a field, argument, input field or enum value deprecated in the schema is not listed under a
  `### Deprecated` heading of any release (deprecations stay listed until the removal is).

An entry is a list item that starts with one or more schema coordinates in backticks:

    - `Query.halls`: removed, use `Query.hallList`.
    - `Hall.region`, `Hall.level`: ...

Coordinates follow the GraphQL schema-coordinate form: `Type`, `Type.field`, `Enum.VALUE`,
`Input.field`, `Type.field(arg:)`, `@directive`, `@directive(arg:)`. Dangerous changes (an enum
value or union member added, a default changed) are reported but do not fail.

Run `.venv/bin/python -m tests.contract.breaking` for the report; the test suite runs the same
check (tests/test_contract.py).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from graphql import (
    BreakingChangeType,
    DangerousChangeType,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)
from graphql.utilities import find_schema_changes

CONTRACT = Path(__file__).resolve().parents[2] / "frontend-contract"
RELEASED = CONTRACT / "released" / "schema.graphql"
CURRENT = CONTRACT / "schema.graphql"
CHANGELOG = CONTRACT / "CHANGELOG.md"

UNRELEASED = "unreleased"
BREAKING = "breaking"
DEPRECATED = "deprecated"

_NAME = r"[_A-Za-z][_0-9A-Za-z]*"
_COORDINATE = rf"@?{_NAME}(?:\.{_NAME})?(?:\({_NAME}:\))?"
# Where each kind of breaking change names what it breaks (graphql-core 3.3's descriptions).
_SUBJECT: dict[BreakingChangeType, re.Pattern[str]] = {
    kind: re.compile(pattern)
    for kind, pattern in {
        BreakingChangeType.TYPE_REMOVED: rf"^(?:Standard scalar )?(?P<c>{_NAME}) was removed",
        BreakingChangeType.TYPE_CHANGED_KIND: rf"^(?P<c>{_NAME}) changed from",
        BreakingChangeType.TYPE_REMOVED_FROM_UNION: rf"was removed from union type (?P<c>{_NAME})\.",
        BreakingChangeType.VALUE_REMOVED_FROM_ENUM: rf"^Enum value (?P<c>{_NAME}\.{_NAME}) was removed",
        BreakingChangeType.REQUIRED_INPUT_FIELD_ADDED: rf"^A required field (?P<c>{_NAME}\.{_NAME}) was added",
        BreakingChangeType.IMPLEMENTED_INTERFACE_REMOVED: rf"^(?P<c>{_NAME}) no longer implements",
        BreakingChangeType.FIELD_REMOVED: rf"^Field (?P<c>{_NAME}\.{_NAME}) was removed",
        BreakingChangeType.FIELD_CHANGED_KIND: rf"^Field (?P<c>{_NAME}\.{_NAME}) changed type",
        BreakingChangeType.REQUIRED_ARG_ADDED: rf"^A required argument (?P<c>{_COORDINATE}) was added",
        BreakingChangeType.ARG_REMOVED: rf"^Argument (?P<c>{_COORDINATE}) was removed",
        BreakingChangeType.ARG_CHANGED_KIND: rf"^Argument (?P<c>{_COORDINATE}) has changed type",
        BreakingChangeType.DIRECTIVE_REMOVED: rf"^Directive (?P<c>@{_NAME}) was removed",
        BreakingChangeType.DIRECTIVE_ARG_REMOVED: rf"^Argument (?P<c>{_COORDINATE}) was removed",
        BreakingChangeType.REQUIRED_DIRECTIVE_ARG_ADDED: rf"^A required argument (?P<c>{_COORDINATE}) was added",
        BreakingChangeType.DIRECTIVE_REPEATABLE_REMOVED: rf"from (?P<c>@{_NAME})\.",
        BreakingChangeType.DIRECTIVE_LOCATION_REMOVED: rf"was removed from (?P<c>@{_NAME})\.",
    }.items()
}
_ENTRY = re.compile(r"^\s*[-*+]\s+((?:`[^`]+`\s*,?\s*)+)")
_BACKTICKED = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Change:
    """One schema change between the released snapshot and the current schema."""

    coordinate: str
    kind: str
    description: str

    def __str__(self) -> str:
        return f"`{self.coordinate}` ({self.kind}): {self.description}"


@dataclass
class Report:
    """What the check found; `problems` make it fail."""

    breaking: list[Change] = field(default_factory=list)
    dangerous: list[str] = field(default_factory=list)
    deprecated: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [
            f"{len(self.breaking)} breaking change(s), {len(self.dangerous)} dangerous change(s) "
            f"since the released snapshot; {len(self.deprecated)} deprecated element(s)."
        ]
        lines += [f"dangerous (reported, does not fail): {d}" for d in self.dangerous]
        lines += self.problems
        return "\n".join(lines)


def subject(kind: BreakingChangeType, description: str) -> str:
    """The schema coordinate a breaking change is about (the whole description if unknown)."""
    pattern = _SUBJECT.get(kind)
    match = pattern.search(description) if pattern else None
    return match.group("c") if match else description


def _heading(text: str) -> str:
    """`[Unreleased]` or `Unreleased` → `unreleased`; `Breaking changes` → `breaking changes`."""
    return text.strip().strip("[]").strip().lower()


def changelog_entries(changelog: str) -> dict[tuple[str, str], set[str]]:
    """The coordinates listed per (release heading, section heading), lower-cased headings.

    `## Unreleased` / `## 2026-10-01 …` are releases; `### Breaking` (or `Breaking changes`),
    `### Deprecated` (or `Deprecations`), … are sections. Only list items that start with
    backticked coordinates count; fenced code blocks are skipped.
    """
    entries: dict[tuple[str, str], set[str]] = {}
    release = section = ""
    fenced = False
    for line in changelog.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            continue
        if line.startswith("## "):
            release, section = _heading(line[3:]), ""
        elif line.startswith("### "):
            heading = _heading(line[4:])
            section = (
                BREAKING
                if heading.startswith(BREAKING)
                else DEPRECATED
                if heading.startswith("deprecat")
                else heading
            )
        elif release and section and (match := _ENTRY.match(line)):
            entries.setdefault((release, section), set()).update(
                _BACKTICKED.findall(match.group(1))
            )
    return entries


def deprecated_elements(schema: GraphQLSchema) -> list[str]:
    """Coordinates of every deprecated field, argument, input field and enum value."""
    found: list[str] = []
    for name, named in sorted(schema.type_map.items()):
        if name.startswith("__"):
            continue
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, object_field in named.fields.items():
                if object_field.deprecation_reason is not None:
                    found.append(f"{name}.{field_name}")
                found += [
                    f"{name}.{field_name}({arg_name}:)"
                    for arg_name, arg in object_field.args.items()
                    if arg.deprecation_reason is not None
                ]
        elif isinstance(named, GraphQLInputObjectType):
            found += [
                f"{name}.{field_name}"
                for field_name, input_field in named.fields.items()
                if input_field.deprecation_reason is not None
            ]
        elif isinstance(named, GraphQLEnumType):
            found += [
                f"{name}.{value_name}"
                for value_name, value in named.values.items()
                if value.deprecation_reason is not None
            ]
    return found


def check(released_sdl: str, current_sdl: str, changelog: str) -> Report:
    """Checks `current_sdl` against `released_sdl` and what `changelog` records."""
    released, current = build_schema(released_sdl), build_schema(current_sdl)
    report = Report()
    for change in find_schema_changes(released, current):
        if isinstance(change.type, BreakingChangeType):
            report.breaking.append(
                Change(
                    subject(change.type, change.description), change.type.name, change.description
                )
            )
        elif isinstance(change.type, DangerousChangeType):
            report.dangerous.append(f"{change.type.name}: {change.description}")
    report.deprecated = deprecated_elements(current)

    entries = changelog_entries(changelog)
    recorded_breaking = entries.get((UNRELEASED, BREAKING), set())
    recorded_deprecated = set().union(
        *(coordinates for (_, section), coordinates in entries.items() if section == DEPRECATED)
    )
    report.problems += [
        f"breaking change not recorded under `## Unreleased` / `### Breaking` in CHANGELOG.md: {c}"
        for c in report.breaking
        if c.coordinate not in recorded_breaking
    ]
    report.problems += [
        f"deprecated `{coordinate}` is not listed under a `### Deprecated` heading in CHANGELOG.md"
        for coordinate in report.deprecated
        if coordinate not in recorded_deprecated
    ]
    return report


def check_files(
    released: Path = RELEASED, current: Path = CURRENT, changelog: Path = CHANGELOG
) -> Report:
    """The check over the committed files."""
    return check(
        released.read_text(encoding="utf-8"),
        current.read_text(encoding="utf-8"),
        changelog.read_text(encoding="utf-8"),
    )


def main() -> int:
    report = check_files()
    sys.stdout.write(report.text() + "\n")
    return 1 if report.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
