"""What alerting and self-heal need from each other, and nothing more.

The two integration-wide managers meet only through these two protocols; hub.py
creates both and hands each the other. Neither imports the other's module.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol

from .alerting.phones import Phone


class AlertingForSelfHeal(Protocol):
    """What self-heal asks of the alerts."""

    def in_maintenance(self, system_id: str) -> bool:
        """Whether alerts for a system are held for maintenance."""

    def is_snoozed(self, system_id: str, now: datetime) -> bool:
        """Whether an open alert of this system is snoozed at `now`."""

    def reconsider(self) -> None:
        """Self-heal's verdict changed: run the alert policy again soon."""

    def text(self, key: str, **placeholders: str) -> str:
        """A translated message template, filled in."""

    async def async_deliver(self, phone: Phone, data: dict[str, Any]) -> None:
        """Send a push (retried like any alert when the relay refuses it)."""


class SelfHealForAlerting(Protocol):
    """What the alerts ask of self-heal."""

    def holds(self, system_id: str) -> bool:
        """Whether a system's offline alert is held while self-heal is trying."""

    def tried_text(self, system_ids: Iterable[str], texts: Callable[..., str]) -> str:
        """What self-heal tried for these systems' outages, for the offline alert."""
