"""Settings are validated at start-up with a message naming the variable."""

from __future__ import annotations

import subprocess
import sys

import pytest

from api.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("HALL_PORT", "70000", "HALL_PORT"),
        ("HALL_DATABASE_URL", "mysql://x", "HALL_DATABASE_URL: Value error, must be a postgres://"),
        ("HALL_REDIS_URL", "http://x", "HALL_REDIS_URL"),
        ("HALL_TIMEZONE", "Mars/Base", "HALL_TIMEZONE"),
        ("HALL_ENV", "staging", "HALL_ENV"),
        ("HALL_ACCESS_LOG", "sometimes", "HALL_ACCESS_LOG"),
    ],
)
def test_bad_values_are_named(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as exc:
        load_settings()
    assert expected in str(exc.value)


def test_the_access_log_is_off_unless_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HALL_ACCESS_LOG", raising=False)
    assert load_settings().access_log is False
    monkeypatch.setenv("HALL_ACCESS_LOG", "true")
    assert load_settings().access_log is True


def test_prod_requires_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HALL_ENV", "prod")
    monkeypatch.delenv("HALL_SECRET_KEY", raising=False)
    with pytest.raises(SettingsError) as exc:
        load_settings()
    assert "HALL_SECRET_KEY" in str(exc.value)


def test_cli_reports_a_bad_value_and_exits_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "migrate"],
        capture_output=True,
        text=True,
        env={"HALL_PORT": "not-a-number", "PATH": ""},
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert "HALL_PORT" in result.stderr
