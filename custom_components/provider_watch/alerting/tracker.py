"""What the alerts remember of each system between two passes of the policy.

The pure policy sees each offline system as an Offline; to say it, the alert manager
remembers per system what it last saw (so that only a change runs the policy), when
it went offline lately (flapping), when its outage began (a recovery reports the
whole outage, and the state machine forgets the start once back online), and since
when it is leaving an internet / provider-cloud alert (it stays in it for a grace
time, while it may still be seen back).
"""

from collections import defaultdict
from collections.abc import Container
from datetime import datetime, timedelta

from ..logic.cause import Cause
from ..logic.policy import FLAP_WINDOW, Offline, is_flapping
from ..logic.state import SystemState
from ..monitoring.coordinator import SystemCoordinator

# not checked yet since set up: neither down nor back as far as alerts go
UNCONFIRMED = frozenset({SystemState.UNKNOWN, SystemState.PENDING})


def settle_time(system: SystemCoordinator) -> timedelta:
    """How long a system that is back takes to be seen back.

    Its next check, then the successful checks that confirm it (each may take its
    timeout).
    """
    timing = system.timing
    confirm = timing.retry_interval + timing.timeout
    return timedelta(
        seconds=timing.poll_interval
        + timing.thresholds.successes_before_online * confirm
    )


def unconfirmed(system: SystemCoordinator) -> bool:
    """Not checked since set up: neither down nor back as far as alerts go."""
    return system.machine.state in UNCONFIRMED


class SystemTracker:
    """Per system: what was last seen, its flaps, its outage start, its leaving."""

    def __init__(self) -> None:
        """Nothing seen yet."""
        # (offline, cause, unconfirmed) as last seen
        self._seen: dict[str, tuple[bool, Cause | None, bool]] = {}
        self._went_offline: dict[str, list[datetime]] = defaultdict(list)
        self._starts: dict[str, datetime] = {}
        # since when a system of an internet / provider-cloud alert whose cause
        # changed while it is still down is leaving that alert
        self._leaving: dict[str, datetime] = {}

    def systems(self) -> set[str]:
        """Every system something is remembered of."""
        return {*self._seen, *self._went_offline, *self._starts, *self._leaving}

    def keep(self, systems: Container[str]) -> None:
        """Forget every system but these (the systems that exist)."""
        for memory in (self._seen, self._went_offline, self._starts, self._leaving):
            for system_id in [s for s in memory if s not in systems]:
                del memory[system_id]

    def observe(self, system: SystemCoordinator, now: datetime) -> bool:
        """A system's update: whether it changed as far as the alerts go."""
        seen = (system.data.offline, system.data.cause, unconfirmed(system))
        if seen[0] and (start := system.machine.outage_start) is not None:
            self._starts[system.system_id] = start
        before = self._seen.get(system.system_id)
        if seen == before:
            return False
        self._seen[system.system_id] = seen
        if seen[0] and (before is None or not before[0]):
            self._went_offline[system.system_id].append(now)
        return True

    def outage_start(
        self, system_id: str, system: SystemCoordinator | None = None
    ) -> datetime | None:
        """When the system's current (or last) outage began, if known."""
        current = system.machine.outage_start if system is not None else None
        return current or self._starts.get(system_id)

    def flaps(self, system_id: str) -> int:
        """How often the system went offline lately (as of the last pass)."""
        return len(self._went_offline.get(system_id, []))

    def online(self, system_id: str) -> None:
        """The system is online: it is no longer leaving any alert."""
        self._leaving.pop(system_id, None)

    def offline(
        self,
        entry_id: str,
        system: SystemCoordinator,
        now: datetime,
        parent: Cause | None,
    ) -> tuple[Offline, datetime | None]:
        """The outage as the policy sees it; and when to look again, if needed.

        parent: the cause of the internet / provider-cloud alert it is in, if any.
        """
        went = self._went_offline[system.system_id]
        went[:] = [t for t in went if now - t <= FLAP_WINDOW]
        cause = system.data.cause
        until: datetime | None = None
        if parent is not None and cause is not parent:
            # Its internet / cloud alert is over, or it was re-judged without a new
            # check (e.g. the internet just came back): it stays in that alert
            # until it has had the time to be seen back online. Only a system that
            # is still down then gets an alert of its own.
            left = self._leaving.setdefault(system.system_id, now)
            if now < (end := left + settle_time(system)):
                cause, until = parent, end
        else:
            self._leaving.pop(system.system_id, None)
        return Offline(
            system_id=system.system_id,
            provider_id=entry_id,
            # auth and undetermined outages are the system's until known better
            cause=cause
            if cause in (Cause.INTERNET, Cause.PROVIDER_CLOUD)
            else Cause.SYSTEM,
            since=system.machine.outage_start or now,
            flapping=is_flapping(went, now),
        ), until
