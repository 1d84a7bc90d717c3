"""Judging a set of watched Home Assistant entities (no HA imports).

Typically the entities of the provider's own integration: when they go unavailable,
stop reporting, or a connectivity sensor turns off for longer than a grace time, the
system is offline.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .text import format_duration

UNAVAILABLE_STATES = frozenset({"unavailable", "unknown"})


@dataclass(frozen=True, kw_only=True)
class Observation:
    """One watched entity as seen now."""

    name: str
    state: str | None  # None: the entity does not exist (any more)
    last_changed: datetime
    last_reported: datetime
    connectivity: bool = False  # a connectivity binary sensor: "off" means offline


@dataclass(frozen=True, kw_only=True)
class EntitiesVerdict:
    """The verdict over all watched entities."""

    online: bool
    reason: str | None = None
    next_check: datetime | None = None  # when the verdict may change without events


def _problem(
    obs: Observation, now: datetime, grace: timedelta, max_silence: timedelta | None
) -> tuple[str | None, datetime | None]:
    """(reason if this entity counts as failed now, when to look again)."""
    next_check: datetime | None = None
    if (
        obs.state is None
        or obs.state in UNAVAILABLE_STATES
        or (obs.connectivity and obs.state == "off")
    ):
        since = now - obs.last_changed
        if since >= grace:
            if obs.state is None:
                what = "missing"
            elif obs.state == "off":
                what = "disconnected"
            else:
                what = obs.state
            return (
                f"{obs.name} {what} for {format_duration(since.total_seconds())}",
                None,
            )
        next_check = obs.last_changed + grace
    if max_silence is not None and obs.state is not None:
        silent = now - obs.last_reported
        if silent >= max_silence:
            quiet = format_duration(silent.total_seconds())
            return f"{obs.name} has not reported for {quiet}", None
        due = obs.last_reported + max_silence
        next_check = min(next_check, due) if next_check else due
    return None, next_check


def judge(
    observations: Sequence[Observation],
    now: datetime,
    *,
    grace: timedelta,
    max_silence: timedelta | None,
    require_all: bool,
) -> EntitiesVerdict:
    """Offline when any (or, with require_all, every) watched entity has failed."""
    reasons: list[str] = []
    checks: list[datetime] = []
    for obs in observations:
        reason, next_check = _problem(obs, now, grace, max_silence)
        if reason:
            reasons.append(reason)
        if next_check:
            checks.append(next_check)
    failed = (
        len(reasons) == len(observations) if require_all else bool(reasons)
    ) and bool(observations)
    return EntitiesVerdict(
        online=not failed,
        reason="; ".join(reasons) if failed else None,
        next_check=min(checks) if checks else None,
    )
