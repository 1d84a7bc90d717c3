"""Sources: turn the outside world into a small, typed probe result.

Sources know wire formats and nothing about entities or alerts.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from ..logic.state import Outcome


@dataclass(frozen=True, kw_only=True, slots=True)
class ProbeResult:
    """What one probe saw."""

    outcome: Outcome
    latency_ms: float | None = None
    reason: str | None = None  # human-readable, e.g. "HTTP 503"
    # the provider's side (its API) could not be reached or failed, as opposed to a
    # clear answer that the device is offline
    unreachable: bool = False
    auth_failed: bool = False  # the provider rejected our credentials (401/403)
    retry_after: float | None = None  # seconds the provider asked us to wait (429)
    failed_since: datetime | None = None  # a failure reported late: when it began

    @classmethod
    def up(cls, latency_ms: float | None) -> ProbeResult:
        """A successful probe."""
        return cls(outcome=Outcome.UP, latency_ms=latency_ms)

    @classmethod
    def down(
        cls,
        reason: str,
        latency_ms: float | None = None,
        failed_since: datetime | None = None,
    ) -> ProbeResult:
        """A failed probe, with the reason a person can read."""
        return cls(
            outcome=Outcome.DOWN,
            reason=reason,
            latency_ms=latency_ms,
            failed_since=failed_since,
        )

    @classmethod
    def unknown(cls, reason: str) -> ProbeResult:
        """A probe that could not tell either way."""
        return cls(outcome=Outcome.UNKNOWN, reason=reason)


# One check of a polled system (built from its settings by its kind in kinds/).
type Probe = Callable[[], Awaitable[ProbeResult]]


def format_seconds(seconds: float) -> str:
    """Format a timeout for a reason text: 10 -> '10 s', 2.5 -> '2.5 s'."""
    return f"{seconds:g} s"


def timeout_reason(seconds: float) -> str:
    """The reason text for a probe that timed out."""
    return f"timeout after {format_seconds(seconds)}"


def os_error_reason(err: OSError) -> str:
    """A short reason for a socket-level failure."""
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    if isinstance(err, ConnectionResetError):
        return "connection reset"
    text = err.strerror or str(err) or type(err).__name__
    return text[0].lower() + text[1:] if text else type(err).__name__
