"""The project's own checks: lint, types, import layers and the schema snapshot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False, timeout=600)


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "check", "."),
        ("ruff", "format", "--check", "."),
        ("lint-imports",),
        ("mypy",),
    ],
    ids=["ruff", "ruff-format", "import-linter", "mypy"],
)
def test_check_passes(command: tuple[str, ...]) -> None:
    result = _run(str(BIN / command[0]), *command[1:])
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_snapshot_is_current() -> None:
    result = _run(sys.executable, "-m", "api.cli", "schema", "export", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_registered_operation_validates() -> None:
    from graphql import parse, validate  # noqa: PLC0415

    from schema.schema import schema  # noqa: PLC0415
    from tests.operations import all_operation_names, document  # noqa: PLC0415

    names = all_operation_names()
    assert len(names) >= 15
    for name in names:
        errors = validate(schema._schema, parse(document(name)))
        assert not errors, (name, errors)
