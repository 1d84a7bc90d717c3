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


@dataclass(frozen=True, kw_only=True, slots=True)
class Observation:
    """One watched entity as seen now."""

    name: str
    state: str | None  # None: the entity does not exist (any more)
    last_changed: datetime
    last_reported: datetime
    connectivity: bool = False  # a connectivity binary sensor: "off" means offline


@dataclass(frozen=True, kw_only=True, slots=True)
class EntitiesVerdict:
    """The verdict over all watched entities."""

    online: bool
    reason: str | None = None
    next_check: datetime | None = None  # when the verdict may change without events
    failed_since: datetime | None = None  # when the failure began (not when confirmed)


@dataclass(frozen=True, slots=True)
class _Problem:
    reason: str | None  # set when this entity counts as failed now
    since: datetime | None  # when its failure began
    next_check: datetime | None  # when to look again


def _problem(
    obs: Observation, now: datetime, grace: timedelta, max_silence: timedelta | None
) -> _Problem:
    """Whether this entity counts as failed now, since when, and when to look again."""
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
            return _Problem(
                f"{obs.name} {what} for {format_duration(since.total_seconds())}",
                obs.last_changed,
                None,
            )
        next_check = obs.last_changed + grace
    if max_silence is not None and obs.state is not None:
        silent = now - obs.last_reported
        if silent >= max_silence:
            quiet = format_duration(silent.total_seconds())
            return _Problem(
                f"{obs.name} has not reported for {quiet}", obs.last_reported, None
            )
        due = obs.last_reported + max_silence
        next_check = min(next_check, due) if next_check else due
    return _Problem(None, None, next_check)


def judge(
    observations: Sequence[Observation],
    now: datetime,
    *,
    grace: timedelta,
    max_silence: timedelta | None,
    require_all: bool,
) -> EntitiesVerdict:
    """Offline when any (or, with require_all, every) watched entity has failed."""
    problems = [_problem(obs, now, grace, max_silence) for obs in observations]
    failing = [p for p in problems if p.reason]
    checks = [p.next_check for p in problems if p.next_check]
    failed = (
        len(failing) == len(observations) if require_all else bool(failing)
    ) and bool(observations)
    starts = [p.since for p in failing if p.since]
    return EntitiesVerdict(
        online=not failed,
        reason="; ".join(p.reason for p in failing if p.reason) if failed else None,
        next_check=min(checks) if checks else None,
        # any: the first entity that failed; all: the last one to fail
        failed_since=(max(starts) if require_all else min(starts))
        if failed and starts
        else None,
    )
