"""API key rules: the key's format, its keyed hash, and what a key may ask for. Pure."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from models.common.checks import Checks

KEY_PATTERN = re.compile(r"hk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
MAX_LIFETIME = timedelta(days=366)
SCOPE_PATTERN = r"[a-z][A-Za-z0-9]*"


@dataclass(frozen=True)
class NewKey:
    """A freshly made key: the text shown once, its lookup prefix and its stored hash."""

    text: str
    prefix: str
    secret_hash: str


def key_hash(pepper: str, text: str) -> str:
    """HMAC-SHA256 of the whole key under the server's pepper (hex)."""
    return hmac.new(pepper.encode(), text.encode(), hashlib.sha256).hexdigest()


def make_key(pepper: str) -> NewKey:
    """A new random key: `hk_<12 hex>_<43 url-safe characters>` (256 random bits)."""
    prefix = secrets.token_hex(6)
    text = f"hk_{prefix}_{secrets.token_urlsafe(32)}"
    return NewKey(text=text, prefix=prefix, secret_hash=key_hash(pepper, text))


def parse_prefix(text: str) -> str | None:
    """The lookup prefix of something shaped like a key, else None."""
    match = KEY_PATTERN.fullmatch(text)
    return match.group(1) if match else None


def matches(pepper: str, text: str, secret_hash: str) -> bool:
    """Whether the key hashes to the stored hash (constant-time comparison)."""
    return hmac.compare_digest(key_hash(pepper, text), secret_hash)


@dataclass(frozen=True)
class KeyDraft:
    """What an administrator asks for."""

    name: str
    scopes: tuple[str, ...]
    per_minute: int
    expires_at: datetime
    trusted_documents_only: bool = False


def check_key(draft: KeyDraft, known_scopes: Iterable[str], now: datetime) -> None:
    """Validate a key draft: a name, known scopes, a sane rate and a near enough expiry."""
    checks = Checks()
    checks.text("name", draft.name, "名称", min_len=1, max_len=64)
    known = set(known_scopes)
    if not draft.scopes:
        checks.fail("scopes", "REQUIRED", "至少授予一个查询字段")
    unknown = [s for s in draft.scopes if not re.fullmatch(SCOPE_PATTERN, s) or s not in known]
    if unknown:
        checks.fail("scopes", "UNKNOWN_SCOPE", f"未知的查询字段：{', '.join(unknown[:5])}")
    if not 1 <= draft.per_minute <= 6000:
        checks.fail("per_minute", "OUT_OF_RANGE", "每分钟请求数应在1到6000之间")
    if draft.expires_at <= now or draft.expires_at > now + MAX_LIFETIME:
        checks.fail("expires_at", "OUT_OF_RANGE", "有效期应在未来一年之内")
    checks.raise_if_any()
