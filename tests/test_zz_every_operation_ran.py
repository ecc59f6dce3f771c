"""Every registered operation of frontend-contract/operations ran in some test of this session.

It runs last (pytest orders files by name) and only in a whole-suite run: with a selection (-k,
a file, a deselection) most operations never run, so tests/conftest.py deselects it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.operations import EXECUTED, all_operation_names

TESTS = Path(__file__).resolve().parent


def whole_suite(config: pytest.Config) -> bool:
    """Whether this run is the default one: every test path, no selection."""
    option = config.option
    if (
        option.keyword
        or option.markexpr
        or getattr(option, "deselect", None)
        or getattr(option, "lf", False)
    ):
        return False
    paths = {Path(arg.split("::")[0]).resolve() for arg in config.args}
    return paths <= {TESTS, TESTS.parent}


def test_every_registered_operation_was_executed() -> None:
    missing = sorted(set(all_operation_names()) - EXECUTED)
    assert not missing, f"registered operations no test executes: {missing}"
