"""What a system's coordinator holds for the entities and for diagnostics."""

from dataclasses import dataclass
from datetime import datetime

from ..logic.cause import Cause
from ..logic.state import MachineState, SystemState


@dataclass(frozen=True, kw_only=True)
class ProbeLog:
    """One probe result, as diagnostics show it."""

    time: datetime
    outcome: str  # an Outcome value, or "auth_failed"
    latency_ms: float | None
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class SystemSnapshot:
    """What the entities show for one system."""

    machine: MachineState
    latency_ms: float | None = None
    cause: Cause | None = None  # set while offline (or while credentials fail)
    unreachable: bool = False  # the last failure was the provider's side not answering

    @property
    def offline(self) -> bool:
        """Confirmed offline, including while recovering."""
        return self.machine.state in (SystemState.OFFLINE, SystemState.RECOVERING)


def only_seen(before: MachineState, after: MachineState) -> bool:
    """Whether a step changed nothing but when the system was last seen."""
    return (
        before.state is after.state
        and before.since == after.since
        and before.failures == after.failures
        and before.successes == after.successes
        and before.outage_start == after.outage_start
        and before.reason == after.reason
    )
