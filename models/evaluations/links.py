"""Keyed digests: the rating link's token and the rater's protected identity.

The key and the public address are given once at start-up (`configure`), by the API and the
worker alike, so a link made by one process is accepted by the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from urllib.parse import quote


@dataclass
class _Keys:
    secret: bytes = b""
    public_url: str = ""


_KEYS = _Keys()
TOKEN_LENGTH = 16


def configure(secret: str, public_url: str) -> None:
    """Set the signing key and the public address of the rating page."""
    _KEYS.secret = hashlib.sha256(b"evaluation:" + secret.encode()).digest()
    _KEYS.public_url = public_url.rstrip("/")


def _secret() -> bytes:
    """The key: as configured, else from HALL_SECRET_KEY (processes `hall serve` starts)."""
    if not _KEYS.secret:
        key = os.environ.get("HALL_SECRET_KEY")
        if not key:
            raise RuntimeError("evaluation keys are not configured")
        configure(key, os.environ.get("HALL_PUBLIC_URL", ""))
    return _KEYS.secret


def _mac(message: str) -> bytes:
    return hmac.new(_secret(), message.encode(), hashlib.sha256).digest()


def link_token(case_number: str) -> str:
    """The token of a case's rating link (short enough for a text)."""
    return base64.b32encode(_mac(f"link:{case_number}")).decode()[:TOKEN_LENGTH].lower()


def token_matches(case_number: str, token: str) -> bool:
    """Whether a token is the one made for this case (constant time)."""
    return hmac.compare_digest(link_token(case_number), token.strip().lower())


def rating_link(case_number: str) -> str:
    """The address texted to the applicant: the public page with number and token."""
    token = link_token(case_number)
    return f"{_KEYS.public_url}/rate/{quote(case_number)}?t={token}"


def rater_digest(identity: str) -> str:
    """A keyed hash of the rater's ID number or phone: repeat raters link, names never show."""
    return _mac(f"rater:{identity.strip().upper()}").hex()[:64] if identity else ""
