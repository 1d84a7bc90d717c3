"""The monitored-system state machine.

unknown -> online <-> pending (suspect) -> offline -> recovering -> online

The machine, not the entities, decides: it is fed one probe outcome at a time with
the clock, and answers with its new state, the transition it made (if any) and how
soon the next probe should run.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class SystemState(StrEnum):
    """What Provider Watch believes about a monitored system."""

    UNKNOWN = "unknown"
    ONLINE = "online"
    PENDING = "pending"
    OFFLINE = "offline"
    RECOVERING = "recovering"


class Outcome(StrEnum):
    """The result of one probe."""

    UP = "up"
    DOWN = "down"
    UNKNOWN = "unknown"  # the probe could not tell (e.g. rate limited): no evidence


class Transition(StrEnum):
    """A change the outside world hears about."""

    WENT_OFFLINE = "offline"
    CAME_ONLINE = "online"


@dataclass(frozen=True, kw_only=True, slots=True)
class Thresholds:
    """How much evidence moves the machine."""

    failures_before_offline: int
    successes_before_online: int

    def __post_init__(self) -> None:
        """Reject thresholds that would make the machine meaningless."""
        if self.failures_before_offline < 1 or self.successes_before_online < 1:
            raise ValueError("thresholds must be at least 1")


@dataclass(frozen=True, kw_only=True, slots=True)
class MachineState:
    """Everything the machine remembers; persisted across restarts."""

    state: SystemState = SystemState.UNKNOWN
    since: datetime | None = None  # when `state` was entered
    failures: int = 0  # consecutive failed probes
    successes: int = 0  # consecutive successful probes while offline/recovering
    outage_start: datetime | None = None  # first failed probe of the current outage
    last_online: datetime | None = None  # last successful probe
    reason: str | None = None  # why the last failed probe failed

    @property
    def is_suspect(self) -> bool:
        """True while the machine wants a fast re-check."""
        return self.state in (SystemState.PENDING, SystemState.RECOVERING)


@dataclass(frozen=True, kw_only=True, slots=True)
class Step:
    """The answer to one probe outcome."""

    state: MachineState
    transition: Transition | None = None
    outage_start: datetime | None = None  # set with CAME_ONLINE: when the outage began
    outage_duration: float | None = None  # seconds, set with CAME_ONLINE


def _enter(current: MachineState, new: SystemState, now: datetime) -> MachineState:
    if current.state == new:
        return current
    return replace(current, state=new, since=now)


def advance(
    current: MachineState,
    outcome: Outcome,
    now: datetime,
    thresholds: Thresholds,
    reason: str | None = None,
    failed_since: datetime | None = None,
) -> Step:
    """Feed one probe outcome to the machine.

    failed_since: for sources that report a failure only once it has lasted (a grace
    time, a missed heartbeat), when the failure really began; the outage starts then.
    """
    if outcome is Outcome.UNKNOWN:
        return Step(state=current)
    if outcome is Outcome.UP:
        return _on_success(current, now, thresholds)
    return _on_failure(current, now, thresholds, reason, failed_since)


def _on_success(current: MachineState, now: datetime, thresholds: Thresholds) -> Step:
    if (
        current.state is SystemState.ONLINE
        and current.failures == 0
        and current.successes == 0
        and current.reason is None
        and current.outage_start is None
    ):
        # the steady state, most checks: only "last seen" moves (one new state, made
        # directly: dataclasses.replace costs more than the rest of the step)
        return Step(
            state=MachineState(
                state=current.state, since=current.since, last_online=now
            )
        )
    seen = replace(current, last_online=now, failures=0, reason=None)
    if current.state in (SystemState.OFFLINE, SystemState.RECOVERING):
        successes = current.successes + 1
        if successes < thresholds.successes_before_online:
            return Step(
                state=replace(
                    _enter(seen, SystemState.RECOVERING, now), successes=successes
                )
            )
        start = current.outage_start
        # never negative, even when the clock was set back during the outage
        duration = max((now - start).total_seconds(), 0) if start is not None else None
        online = replace(
            _enter(seen, SystemState.ONLINE, now), successes=0, outage_start=None
        )
        return Step(
            state=online,
            transition=Transition.CAME_ONLINE,
            outage_start=start,
            outage_duration=duration,
        )
    # unknown / online / pending: one success is enough, a blip is forgotten.
    return Step(
        state=replace(
            _enter(seen, SystemState.ONLINE, now), successes=0, outage_start=None
        )
    )


def _on_failure(
    current: MachineState,
    now: datetime,
    thresholds: Thresholds,
    reason: str | None,
    failed_since: datetime | None,
) -> Step:
    failed = replace(current, reason=reason, successes=0)
    if current.state in (SystemState.OFFLINE, SystemState.RECOVERING):
        # Still (or again) down: the same outage, announced once.
        return Step(state=_enter(failed, SystemState.OFFLINE, now))
    failures = current.failures + 1
    outage_start = current.outage_start or min(failed_since or now, now)
    failed = replace(failed, failures=failures, outage_start=outage_start)
    if failures < thresholds.failures_before_offline:
        return Step(state=_enter(failed, SystemState.PENDING, now))
    return Step(
        state=_enter(failed, SystemState.OFFLINE, now),
        transition=Transition.WENT_OFFLINE,
    )


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time with a zone; anything else (naive, garbage) is None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _count(value: object) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def machine_to_dict(state: MachineState) -> dict[str, object]:
    """Serialize a machine state to JSON-friendly values."""
    return {
        "state": state.state.value,
        "since": state.since.isoformat() if state.since else None,
        "failures": state.failures,
        "successes": state.successes,
        "outage_start": state.outage_start.isoformat() if state.outage_start else None,
        "last_online": state.last_online.isoformat() if state.last_online else None,
        "reason": state.reason,
    }


def machine_from_dict(data: Mapping[str, object]) -> MachineState:
    """Read a machine state back; anything malformed falls back to a safe default."""
    try:
        state = SystemState(str(data.get("state")))
    except ValueError:
        state = SystemState.UNKNOWN
    reason = data.get("reason")
    outage_start = parse_time(data.get("outage_start"))
    if state in (SystemState.OFFLINE, SystemState.RECOVERING) and outage_start is None:
        # An outage without a start cannot be reported truthfully: re-detect it.
        state = SystemState.UNKNOWN
    return MachineState(
        state=state,
        since=parse_time(data.get("since")),
        failures=_count(data.get("failures")),
        successes=_count(data.get("successes")),
        outage_start=outage_start,
        last_online=parse_time(data.get("last_online")),
        reason=reason if isinstance(reason, str) else None,
    )
