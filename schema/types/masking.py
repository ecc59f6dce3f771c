"""Masking of personal data for display."""

from __future__ import annotations


def mask_mobile(mobile: str) -> str:
    """138****1234."""
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) >= 7 else "*" * len(mobile)


def mask_id_number(number: str) -> str:
    """110101********1234 (resident ID) or 9111********123X (credit code): head and tail kept."""
    if len(number) < 10:
        return "*" * len(number)
    head = 6
    return f"{number[:head]}{'*' * (len(number) - head - 4)}{number[-4:]}"


def mask_name(name: str, *, person: bool = True) -> str:
    """张** for a person; an organisation keeps its first and last two characters."""
    if person or len(name) <= 4:
        return name[:1] + "*" * max(len(name) - 1, 1)
    return name[:2] + "*" * (len(name) - 4) + name[-2:]
