"""Self-heal: what to do about an offline system, and when (no Home Assistant).

When a system is confirmed offline and a remediation is set for it (power-cycle a
smart plug, press a button, run a script), the glue (self_heal/system.py) asks `decide`
what to do next, every time something changes and at the times it is told to:

    offline ──wait──► attempt 1 ──re-check window──► (backoff) attempt 2 … ──► give up

Attempt k is made `delay * 2^(k-1)` after the previous phase ended (the outage was
confirmed, or the previous attempt's re-check window closed). While a remediation
is pending the offline alert is held, never longer than `max_hold`; anything that
stands in the way (the global switch off, maintenance, a snoozed alert, a cause
that no plug can fix, the target entity missing, unavailable or switched off by a
person, the daily cap) gives up at once, so the alert goes out right away.

The limits are the target entity's, not the system's: systems that share a plug
share its attempts. An attempt on the target that is under way, or whose re-check
window is still open, is joined by every other system it serves (one power-cycle,
noted on each outage, each alert held through its window); no new attempt starts on
the target before that window closes, nor while the target is still being turned
on again; and the daily cap counts the target's attempts.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from .cause import Cause

MAX_ATTEMPTS = 3
MAX_DAILY = 24
DEFAULT_OFF_TIME = 10  # seconds a switch stays off during a power-cycle
DEFAULT_DELAY = 120  # seconds after the outage is confirmed before the first try
DEFAULT_ATTEMPTS = 1
DEFAULT_DAILY_MAX = 3
DEFAULT_RECHECK = 300  # seconds the system is given to come back after an attempt
# A switch that refuses turn_on after a power-cycle is asked again: 5 tries, 40 s
# after the first failure and twice as long after each next (the last at 10 min).
TURN_ON_TRIES = 5
TURN_ON_RETRY = 40


class Action(StrEnum):
    """What is done to the target entity (by its domain)."""

    POWER_CYCLE = "power_cycle"  # switch: off, wait, on
    PRESS = "press"  # button
    RUN = "run"  # script


ACTION_BY_DOMAIN = {
    "switch": Action.POWER_CYCLE,
    "button": Action.PRESS,
    "script": Action.RUN,
}
# The service call that makes an attempt (a power-cycle's turn_on comes later).
SERVICE_BY_ACTION = {
    Action.POWER_CYCLE: ("switch", "turn_off"),
    Action.PRESS: ("button", "press"),
    Action.RUN: ("script", "turn_on"),
}
# Causes that no plug, button or script at home can fix.
CAUSES_NO_PLUG_FIXES = (Cause.PROVIDER_CLOUD, Cause.AUTH)


class HealNotify(StrEnum):
    """What the owner hears when self-heal worked."""

    QUIET = "quiet"  # a low-priority push
    NONE = "none"


class Reason(StrEnum):
    """Why self-heal did not run, or stopped."""

    DISABLED = "disabled"  # the global Self-heal switch is off
    MAINTENANCE = "maintenance"
    SNOOZED = "snoozed"  # the system's alert is snoozed
    CAUSE = "cause"  # the provider's cloud or rejected credentials: no plug helps
    MISSING = "missing"  # the target entity does not exist
    UNAVAILABLE = "unavailable"  # the target entity is unavailable
    TURNED_OFF = "turned_off"  # the switch was turned off, not by Provider Watch
    TURNED_OFF_BY_PERSON = "turned_off_by_person"  # … by a person
    DAILY_CAP = "daily_cap"  # enough attempts for today
    INTERRUPTED = "interrupted"  # a person changed the switch during a power-cycle
    FAILED = "failed"  # the action itself failed (the service call raised)
    STILL_OFFLINE = "still_offline"  # every attempt made, the system still down


# What stands in the way, most telling first (one reason is given).
BLOCKS = (
    Reason.DISABLED,
    Reason.MAINTENANCE,
    Reason.SNOOZED,
    Reason.CAUSE,
    Reason.MISSING,
    Reason.UNAVAILABLE,
    Reason.TURNED_OFF_BY_PERSON,
    Reason.TURNED_OFF,
)
# Reasons worth a line in the offline alert (the others explain themselves: the
# owner turned self-heal off, or the alert is held or muted anyway).
TOLD_REASONS = frozenset(
    {
        Reason.MISSING,
        Reason.UNAVAILABLE,
        Reason.TURNED_OFF,
        Reason.TURNED_OFF_BY_PERSON,
        Reason.DAILY_CAP,
        Reason.INTERRUPTED,
        Reason.FAILED,
    }
)
# Reasons that mean the target entity itself is the problem (a repair issue).
TARGET_PROBLEMS = frozenset({Reason.MISSING, Reason.UNAVAILABLE})


@dataclass(frozen=True, kw_only=True, slots=True)
class HealSettings:
    """A system's self-heal settings."""

    action: Action
    off_time: float = DEFAULT_OFF_TIME
    delay: float = DEFAULT_DELAY
    attempts: int = DEFAULT_ATTEMPTS
    daily_max: int = DEFAULT_DAILY_MAX
    recheck: float = DEFAULT_RECHECK
    notify: HealNotify = HealNotify.QUIET

    def __post_init__(self) -> None:
        """Reject settings that would never act or never end."""
        if not 1 <= self.attempts <= MAX_ATTEMPTS or self.daily_max < 1:
            raise ValueError("attempts must be 1 to 3, the daily maximum at least 1")
        if min(self.off_time, self.delay, self.recheck) < 0:
            raise ValueError("times cannot be negative")

    def backoff(self, attempt: int) -> timedelta:
        """How long before attempt `attempt` (1-based): delay * 2^(attempt-1)."""
        return timedelta(seconds=self.delay * 2 ** (attempt - 1))

    @property
    def action_time(self) -> timedelta:
        """How long one attempt takes (a power-cycle keeps the switch off)."""
        seconds = self.off_time if self.action is Action.POWER_CYCLE else 0
        return timedelta(seconds=seconds)

    @property
    def max_hold(self) -> timedelta:
        """The longest an offline alert is held: every wait, attempt and window."""
        window = self.action_time + timedelta(seconds=self.recheck)
        return sum(
            (self.backoff(k) + window for k in range(1, self.attempts + 1)),
            timedelta(),
        )


def turn_on_retry(failed: int) -> float | None:
    """Seconds before the next turn_on after `failed` refusals (None: give up)."""
    if failed >= TURN_ON_TRIES:
        return None
    return float(TURN_ON_RETRY * 2 ** (failed - 1))


class Verdict(StrEnum):
    """What to do next."""

    WAIT = "wait"  # nothing yet: look again at `at`
    ACT = "act"  # make an attempt now
    JOIN = "join"  # another system's attempt on the same target counts for this one
    GIVE_UP = "give_up"  # stop; the held alert goes out


@dataclass(frozen=True, kw_only=True, slots=True)
class TargetAttempt:
    """The latest attempt on the target entity, whichever system made it."""

    started: datetime
    window_end: datetime | None = None  # None: under way (the switch is still off)

    def open(self, now: datetime) -> bool:
        """Under way, or its re-check window has not closed yet."""
        return self.window_end is None or now < self.window_end


@dataclass(frozen=True, kw_only=True, slots=True)
class Situation:
    """What is known about the outage and the world right now."""

    offline_since: datetime  # when the outage was confirmed
    attempts: tuple[datetime, ...] = ()  # when each attempt of this outage began
    last_done: datetime | None = None  # when the latest attempt finished
    attempts_today: int = 0  # attempts on the target entity on today's local date
    blocks: frozenset[Reason] = frozenset()  # what stands in the way now
    target: TargetAttempt | None = None  # the latest attempt on the target entity
    target_busy: bool = False  # the target is still being turned on again


@dataclass(frozen=True, kw_only=True, slots=True)
class Decision:
    """The answer: wait, act or give up — and whether the alert stays held."""

    verdict: Verdict
    at: datetime | None = None  # WAIT: when to look again
    attempt: int = 0  # ACT, JOIN: which attempt (1-based)
    reason: Reason | None = None  # GIVE_UP: why

    @property
    def hold(self) -> bool:
        """The offline alert is held while self-heal may still fix the system."""
        return self.verdict is not Verdict.GIVE_UP


def _give_up(reason: Reason) -> Decision:
    return Decision(verdict=Verdict.GIVE_UP, reason=reason)


def _wait(until: datetime) -> Decision:
    return Decision(verdict=Verdict.WAIT, at=until)


def decide(settings: HealSettings, situation: Situation, now: datetime) -> Decision:
    """What to do next about an offline system."""
    for reason in BLOCKS:
        if reason in situation.blocks:
            return _give_up(reason)
    made = len(situation.attempts)
    deadline = situation.offline_since + settings.max_hold
    if made and now >= deadline:
        return _give_up(Reason.STILL_OFFLINE)
    target = situation.target
    shared = target if target is not None and target.open(now) else None
    if (
        shared is not None
        and shared.started not in situation.attempts
        and made < settings.attempts
    ):
        # the target is being (or was just) tried for another system: one
        # power-cycle, its window for this system too (the cap is not touched)
        return Decision(verdict=Verdict.JOIN, attempt=made + 1)
    window_end: datetime | None = None
    if made:
        done = situation.last_done or situation.attempts[-1]
        window_end = done + timedelta(seconds=settings.recheck)
    last = made >= settings.attempts
    if last or situation.attempts_today >= settings.daily_max:
        # no more attempts (for this outage, or today): the last one may still
        # work within its window; then the alert
        if window_end is not None and now < window_end:
            return _wait(min(window_end, deadline))
        return _give_up(Reason.STILL_OFFLINE if last else Reason.DAILY_CAP)
    start = window_end or situation.offline_since
    due = start + settings.backoff(made + 1)
    if now < due:
        return _wait(due)
    if now > deadline:  # far too late to start (the clock jumped): no hold left
        return _give_up(Reason.STILL_OFFLINE)
    if shared is not None or situation.target_busy:
        # one attempt on the target at a time, and its window is the target's (a
        # target still being turned on again: told when it is free)
        if now >= deadline:
            return _give_up(Reason.STILL_OFFLINE)
        until = shared.window_end if shared is not None else None
        return _wait(min(until or deadline, deadline))
    return Decision(verdict=Verdict.ACT, attempt=made + 1)


def attempts_by_target(
    attempts: Mapping[str, object], target_of: Mapping[str, str]
) -> dict[str, list[str]]:
    """Attempts stored per system (version 1), counted for each system's target.

    Keys that are entity ids already are kept; systems without a target (removed
    since, or self-heal turned off) are dropped. The times stay as stored.
    """
    moved: dict[str, list[str]] = {}
    for key, times in attempts.items():
        target = key if "." in key else target_of.get(key)
        if target is None or not isinstance(times, list):
            continue
        kept = moved.setdefault(target, [])
        kept.extend(t for t in times if isinstance(t, str) and t not in kept)
    return {target: sorted(times) for target, times in moved.items() if times}


def attempts_on_day(times: Iterable[datetime], now: datetime, zone: tzinfo) -> int:
    """How many of these attempts fell on now's calendar day in `zone`."""
    today = now.astimezone(zone).date()
    return sum(1 for t in times if t.astimezone(zone).date() == today)


@dataclass(kw_only=True, slots=True)
class HealSummary:
    """What self-heal did about one outage: for the alert text and the history."""

    action: Action
    entity_id: str
    entity_name: str
    attempts: list[datetime] = field(default_factory=list)
    reason: Reason | None = None  # why it stopped (None: still pending, or healed)
    healed: bool = False

    @property
    def told(self) -> bool:
        """Whether the offline alert should say something about self-heal."""
        return bool(self.attempts) or self.reason in TOLD_REASONS
