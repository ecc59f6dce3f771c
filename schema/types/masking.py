"""Masking of personal data for display."""

from __future__ import annotations


def mask_mobile(mobile: str) -> str:
    """138****1234."""
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) >= 7 else "*" * len(mobile)
