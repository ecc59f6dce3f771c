"""The log provider (development): texts go to the log, nothing leaves the machine."""

from __future__ import annotations

from datetime import date

import structlog

from models.notifications.providers import OutgoingText

log = structlog.get_logger(__name__)


class LogProvider:
    """Logs each text; remembers keys in this process so that reconciliation works here."""

    name = "log"

    def __init__(self) -> None:
        self.sent: dict[str, str] = {}

    async def send(self, text: OutgoingText) -> str:
        """Log the text (the phone masked)."""
        log.info(
            "sms", key=text.key, phone=f"{text.phone[:3]}****{text.phone[-4:]}", text=text.text
        )
        self.sent[text.key] = f"log-{text.key}"
        return self.sent[text.key]

    async def find(self, key: str, phone: str, sent_on: date) -> str | None:
        """Whether this process logged the key."""
        return self.sent.get(key)

    async def aclose(self) -> None:
        """Nothing to release."""
