"""API key rules: format, keyed hash, and what a draft may ask for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.apikeys.rules import KeyDraft, check_key, key_hash, make_key, matches, parse_prefix
from models.common.errors import InvalidInput

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
KNOWN = {"queueBoard", "serviceItems", "halls"}


def test_a_new_key_parses_and_only_its_hash_is_kept() -> None:
    key = make_key("pepper")
    assert parse_prefix(key.text) == key.prefix
    assert key.text not in key.secret_hash
    assert matches("pepper", key.text, key.secret_hash)
    assert not matches("other-pepper", key.text, key.secret_hash)
    assert not matches(
        "pepper", key.text[:-1] + ("A" if key.text[-1] != "A" else "B"), key.secret_hash
    )
    assert key_hash("pepper", key.text) == key.secret_hash
    assert make_key("pepper").text != key.text


@pytest.mark.parametrize("text", ["", "hk_", "hk_zz_" + "a" * 43, "Bearer hk_x", "eyJhbGciOi.x.y"])
def test_things_that_are_not_keys(text: str) -> None:
    assert parse_prefix(text) is None


def _draft(**changes: object) -> KeyDraft:
    base: dict[str, object] = {
        "name": "公交公司候车屏",
        "scopes": ("queueBoard",),
        "per_minute": 60,
        "expires_at": NOW + timedelta(days=90),
    }
    return KeyDraft(**{**base, **changes})  # type: ignore[arg-type]


def test_a_good_draft_passes() -> None:
    check_key(_draft(), KNOWN, NOW)


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"name": " "}, "name", "REQUIRED"),
        ({"scopes": ()}, "scopes", "REQUIRED"),
        ({"scopes": ("caseUnmask",)}, "scopes", "UNKNOWN_SCOPE"),
        ({"scopes": ("queueBoard", "__schema")}, "scopes", "UNKNOWN_SCOPE"),
        ({"per_minute": 0}, "per_minute", "OUT_OF_RANGE"),
        ({"per_minute": 100_000}, "per_minute", "OUT_OF_RANGE"),
        ({"expires_at": NOW}, "expires_at", "OUT_OF_RANGE"),
        ({"expires_at": NOW + timedelta(days=400)}, "expires_at", "OUT_OF_RANGE"),
    ],
)
def test_bad_drafts_name_their_field(changes: dict[str, object], field: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_key(_draft(**changes), KNOWN, NOW)
    assert (refused.value.violations[0].field, refused.value.violations[0].code) == ((field,), code)
