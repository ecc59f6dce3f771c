"""The frontend contract: breaking changes against the released schema, and the generated types."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from graphql import BreakingChangeType

from tests.contract import breaking as checker
from tests.contract.breaking import check, check_files, subject

CONTRACT = checker.CONTRACT
NODE_MODULES = CONTRACT / "node_modules"
STAMP = NODE_MODULES / ".hall-install-stamp"
REGENERATE = (
    ".venv/bin/python -m api.cli schema export && "
    "(cd frontend-contract && npm ci && npm run codegen)"
)


# The committed files -------------------------------------------------------------------------


def test_schema_has_no_unrecorded_breaking_change_or_deprecation() -> None:
    report = check_files()
    assert not report.problems, (
        report.text() + "\nRecord them in frontend-contract/CHANGELOG.md (see its head)."
    )


# The checker itself, on small schemas --------------------------------------------------------

RELEASED = """
type Query {
  hall(code: String!, level: Int): Hall
  halls: [Hall!]!
}
type Hall {
  code: String!
  name: String!
  region: String
  level: Level!
}
enum Level { CITY DISTRICT STREET }
"""

CHANGELOG_HEAD = """# Changelog

```markdown
### Breaking
- `Query.halls`: an example in a code block records nothing.
```
"""


def _changelog(breaking: str = "None.", deprecated: str = "None.", released: str = "") -> str:
    return (
        f"{CHANGELOG_HEAD}\n## Unreleased\n\n### Breaking\n\n{breaking}\n\n"
        f"### Deprecated\n\n{deprecated}\n\n## 2026-01-01\n\n{released}\n"
    )


def test_the_released_schema_unchanged_passes() -> None:
    report = check(RELEASED, RELEASED, _changelog())
    assert (report.breaking, report.dangerous, report.problems) == ([], [], [])


def test_a_removed_field_is_caught() -> None:
    current = RELEASED.replace("  halls: [Hall!]!\n", "")
    report = check(RELEASED, current, _changelog())
    assert [c.coordinate for c in report.breaking] == ["Query.halls"]
    assert len(report.problems) == 1
    assert "`Query.halls` (FIELD_REMOVED)" in report.problems[0]


def test_the_same_removal_recorded_passes() -> None:
    current = RELEASED.replace("  halls: [Hall!]!\n", "")
    recorded = _changelog(breaking="- `Query.halls`: removed; use `Query.hall` by code.")
    assert check(RELEASED, current, recorded).problems == []
    keep_a_changelog = "## [Unreleased]\n\n### Breaking changes\n\n* `Query.halls`: removed.\n"
    assert check(RELEASED, current, keep_a_changelog).problems == []


def test_a_removal_recorded_only_in_an_earlier_release_or_an_example_is_caught() -> None:
    current = RELEASED.replace("  halls: [Hall!]!\n", "")
    in_earlier = _changelog(released="### Breaking\n\n- `Query.halls`: removed.")
    assert len(check(RELEASED, current, in_earlier).problems) == 1
    mentioned_later = _changelog(breaking="- Removed `Query.halls`.")
    assert len(check(RELEASED, current, mentioned_later).problems) == 1


def test_each_kind_of_breaking_change_is_named_by_its_coordinate() -> None:
    current = """
    type Query {
      hall(code: String!, strict: Boolean!): Hall
      halls: [Hall!]!
    }
    type Hall {
      code: String!
      name: Int!
      region: String
      level: Level!
    }
    enum Level { CITY DISTRICT }
    """
    report = check(RELEASED, current, _changelog())
    assert sorted(c.coordinate for c in report.breaking) == [
        "Hall.name",
        "Level.STREET",
        "Query.hall(level:)",
        "Query.hall(strict:)",
    ]
    recorded = _changelog(
        breaking="- `Hall.name`, `Level.STREET`: changed.\n"
        "- `Query.hall(level:)`, `Query.hall(strict:)`: changed."
    )
    assert check(RELEASED, current, recorded).problems == []


def test_every_breaking_change_kind_has_a_subject_pattern() -> None:
    for kind in BreakingChangeType:
        assert kind in checker._SUBJECT, kind
    assert subject(BreakingChangeType.TYPE_REMOVED, "Hall was removed.") == "Hall"
    assert (
        subject(BreakingChangeType.TYPE_REMOVED_FROM_UNION, "A was removed from union type U.")
        == "U"
    )
    assert subject(BreakingChangeType.DIRECTIVE_REMOVED, "Directive @live was removed.") == "@live"


def test_an_unrecorded_deprecation_is_caught() -> None:
    current = RELEASED.replace(
        "region: String", 'region: String @deprecated(reason: "Use regionCode.")'
    ).replace("STREET }", 'STREET @deprecated(reason: "Merged into DISTRICT.") }')
    report = check(RELEASED, current, _changelog())
    assert report.breaking == []
    assert report.deprecated == ["Hall.region", "Level.STREET"]
    assert len(report.problems) == 2
    assert "`Hall.region`" in report.problems[0]
    assert "`Level.STREET`" in report.problems[1]

    listed = _changelog(deprecated="- `Hall.region`: use `Hall.regionCode`.")
    assert [p for p in check(RELEASED, current, listed).problems if "Hall.region" in p] == []
    listed_earlier = _changelog(
        deprecated="- `Hall.region`: use `Hall.regionCode`.",
        released="### Deprecated\n\n- `Level.STREET`: merged into `Level.DISTRICT`.",
    )
    assert check(RELEASED, current, listed_earlier).problems == []


def test_deprecated_arguments_and_input_fields_are_named() -> None:
    sdl = """
    type Query { hall(code: String, id: ID @deprecated(reason: "Use code.")): String }
    input HallInput { name: String, title: String @deprecated(reason: "Use name.") }
    type Mutation { hallCreate(input: HallInput): String }
    """
    report = check(sdl, sdl, _changelog())
    assert report.deprecated == ["HallInput.title", "Query.hall(id:)"]


def test_dangerous_changes_are_reported_without_failing() -> None:
    current = RELEASED.replace("STREET }", "STREET VILLAGE }")
    report = check(RELEASED, current, _changelog())
    assert report.problems == []
    assert report.dangerous == ["VALUE_ADDED_TO_ENUM: Enum value Level.VILLAGE was added."]


# The generated TypeScript --------------------------------------------------------------------


def _install_key(npm: str) -> str:
    """What node_modules was installed from: the lockfile, package.json and the Node version."""
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((CONTRACT / name).read_bytes())
    for tool in ("node", npm):
        version = subprocess.run(
            [tool, "--version"], capture_output=True, text=True, check=True, timeout=60
        )
        digest.update(version.stdout.encode())
    return digest.hexdigest()


@contextmanager
def _exclusive() -> Iterator[None]:
    """One npm install or check of this folder at a time (two suites may run at once)."""
    key = hashlib.sha256(str(CONTRACT).encode()).hexdigest()[:16]
    lock_path = Path(tempfile.gettempdir()) / f"hall-frontend-contract-{key}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _npm(npm: str, *args: str, timeout: float) -> None:
    env = {
        **os.environ,
        "npm_config_audit": "false",
        "npm_config_fund": "false",
        "npm_config_update_notifier": "false",
    }
    result = subprocess.run(
        [npm, *args],
        cwd=CONTRACT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`npm {' '.join(args)}` in frontend-contract/ failed ({result.returncode}):\n"
            f"{result.stdout[-6000:]}{result.stderr[-6000:]}\n"
            f"After a change of schema.graphql or operations/, regenerate with:\n  {REGENERATE}",
            pytrace=False,
        )


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_generated_types_are_current() -> None:
    """generated/ is what codegen makes of schema.graphql and operations/, and it compiles.

    Installs the pinned packages with `npm ci` when node_modules is missing or was installed
    from another lockfile (about 45 s with an empty npm cache, 20 s with a warm one), then runs
    `npm run check`: codegen into a temporary folder compared with generated/, and
    `tsc --noEmit` over generated/ and example/.
    """
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.fail(
            "node and npm are not on PATH: the frontend-contract check (generated TypeScript "
            "types) needs Node.js 20+ with npm. Install them (e.g. `apt-get install nodejs npm`) "
            "and run the suite again.",
            pytrace=False,
        )
    with _exclusive():
        key = _install_key(npm)
        if not STAMP.is_file() or STAMP.read_text(encoding="utf-8").strip() != key:
            _npm(npm, "ci", "--prefer-offline", "--no-progress", timeout=600)
            STAMP.write_text(key + "\n", encoding="utf-8")
        _npm(npm, "run", "check", timeout=300)
