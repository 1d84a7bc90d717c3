"""What a system's coordinator holds for the entities and for diagnostics."""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from ..logic.cause import Cause
from ..logic.state import MachineState, Outcome, Step, SystemState
from ..sources import ProbeResult


class ProbeLog(NamedTuple):
    """One probe result, as diagnostics show it (a tuple: one is made per check)."""

    time: datetime
    outcome: str  # an Outcome value, or "auth_failed"
    latency_ms: float | None
    reason: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
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


def quiet_snapshot(
    before: SystemSnapshot, result: ProbeResult, step: Step
) -> SystemSnapshot | None:
    """What a system shows after a check that moved nothing but "last seen".

    None when the check moved anything else: the state machine, the reachability
    of the provider's side, the credentials, the pace (Retry-After); or could not
    tell (worth a log line). Such a check needs no cause, history, alert or entity
    work: most checks of a system that stays online.
    """
    if (
        result.outcome is Outcome.UNKNOWN
        or result.auth_failed
        or result.retry_after
        or step.transition is not None
        or result.unreachable != before.unreachable
        or not only_seen(before.machine, step.state)
    ):
        return None
    return SystemSnapshot(
        machine=step.state,
        latency_ms=result.latency_ms,
        cause=before.cause,
        unreachable=before.unreachable,
    )
