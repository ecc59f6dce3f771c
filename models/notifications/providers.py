"""The SMS provider port: one interface for every provider, with classified failures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol


class ErrorClass(StrEnum):
    """How a provider failure is handled."""

    THROTTLED = "THROTTLED"  # the provider's own rate limit: wait and try again
    INVALID_NUMBER = "INVALID_NUMBER"  # never deliverable: fail at once
    RETRYABLE = "RETRYABLE"  # a passing fault: back off and try again
    FATAL = "FATAL"  # configuration or account problems: fail and tell operators


@dataclass(frozen=True)
class OutgoingText:
    """One text as handed to a provider; `key` travels in the provider's correlation field."""

    key: str
    phone: str
    text: str
    template: str = ""
    params: dict[str, str] = field(default_factory=dict)


class ProviderError(Exception):
    """The provider refused the text, for a classified reason."""

    def __init__(self, error_class: ErrorClass, code: str, message: str = "") -> None:
        super().__init__(f"{error_class.value} {code} {message}".strip())
        self.error_class = error_class
        self.code = code


class UncertainSend(Exception):
    """The call failed in a way that leaves open whether the provider took the text (timeout)."""


class SmsProvider(Protocol):
    """Sends texts and answers whether a text with a given key went out."""

    name: str

    async def send(self, text: OutgoingText) -> str:
        """Send; returns the provider's reference, or raises ProviderError / UncertainSend."""
        ...

    async def find(self, key: str, phone: str, sent_on: date) -> str | None:
        """The provider's reference of an earlier send with this key, if it took it."""
        ...

    async def aclose(self) -> None:
        """Release connections and threads (the worker's shutdown)."""
        ...
