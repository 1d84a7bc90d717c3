"""What the steps of the systems' state machines mean for the outage records.

Pure: no Home Assistant. The tracker holds the history's data and, for each
system, the outage going on; history/store.py keeps it on disk and tells the
listeners. An outage opens when a system goes offline and closes when it comes
back; a history that lost track of an outage (set aside, or older than the machine
state) is repaired from the machine state.
"""

from collections.abc import Callable
from datetime import datetime
from enum import Flag, auto

from .cause import Cause
from .history_file import HistoryData, SystemInfo, prune
from .notes import OutageNote, apply as apply_note
from .outages import OutageRecord
from .state import MachineState, Step, SystemState, Transition

OUTAGE_STATES = (SystemState.OFFLINE, SystemState.RECOVERING)

type NewId = Callable[[float], str]  # an id for a record starting at this timestamp


class Change(Flag):
    """How a step changed the history, and so how soon it must be written."""

    NONE = 0
    SOON = auto()  # an open outage's cause: written after a short delay
    NOW = auto()  # an outage opened or closed, a system added or renamed


class OutageTracker:
    """The history's data, and the outage of each system that is going on."""

    def __init__(self, provider: str, new_id: NewId) -> None:
        """An empty history of `provider`'s systems; load() puts data in."""
        self.provider = provider
        self._new_id = new_id
        self.data = HistoryData()
        self._open: dict[str, OutageRecord] = {}

    def load(self, data: HistoryData, now: datetime) -> None:
        """Take the data read from the file (pruned), and find the open outages."""
        self.data = data
        self.prune(now)
        for record in self.data.outages:  # oldest first
            if record.open:
                if (earlier := self._open.get(record.system_id)) is not None:
                    # two open outages of one system: the first ended when the
                    # second began
                    self._close(earlier, record.start)
                self._open[record.system_id] = record

    def prune(self, now: datetime) -> None:
        """Drop the outages that are past retention (open ones always stay)."""
        self.data.outages = prune(self.data.outages, now)

    def open_outage(self, system_id: str) -> OutageRecord | None:
        """The outage of a system that is going on, if any."""
        return self._open.get(system_id)

    def track(
        self,
        system_id: str,
        name: str,
        kind: str,
        step: Step,
        cause: Cause | None,
        now: datetime,
    ) -> Change:
        """Apply a step of a system's state machine (see Change)."""
        machine = step.state
        seen = self._see_system(system_id, name, machine, now)
        current = self._open.get(system_id)
        if step.transition is Transition.WENT_OFFLINE:
            start = machine.outage_start or now
            if current is not None and current.start != start:
                self._close(current, min(start, now))
                current = None
            if current is None:  # (the same outage stays in its record)
                self._open_record(system_id, name, start, cause, kind, machine, now)
            return Change.NOW
        if step.transition is Transition.CAME_ONLINE:
            if current is not None:
                self._close(current, now)
            elif step.outage_start is not None:  # the history lost the open record
                self.data.outages.append(
                    self._record(system_id, name, step.outage_start, cause)
                )
                self._close(self.data.outages[-1], now)
            return Change.NOW
        if machine.state in OUTAGE_STATES and current is None:
            # offline since before a history existed (or was set aside): the
            # outage's start is known from the machine, how it was detected is not
            start = machine.outage_start or now
            self.data.outages.append(self._record(system_id, name, start, cause))
            self._open[system_id] = self.data.outages[-1]
            return Change.NOW
        if machine.state is SystemState.ONLINE and current is not None:
            # online again while the history still had the outage open
            since = machine.since
            self._close(current, since if since and since >= current.start else now)
            return Change.NOW
        change = Change.NOW if seen else Change.NONE
        if self.update_cause(system_id, cause):
            change |= Change.SOON
        return change

    def update_cause(self, system_id: str, cause: Cause | None) -> bool:
        """The cause of an open outage was re-judged; True when it changed."""
        current = self._open.get(system_id)
        if cause is not None and current is not None and current.cause != cause:
            current.cause = cause.value
            return True
        return False

    def retain(self, system_ids: set[str], now: datetime) -> bool:
        """Close the open outages of systems that were removed (records stay).

        True when one was closed.
        """
        closed = False
        for system_id, record in list(self._open.items()):
            if system_id not in system_ids:
                self._close(record, now)
                closed = True
        return closed

    def note(self, note: OutageNote) -> int:
        """Apply a note of alerts, phones or self-heal; how many outages changed."""
        return apply_note(note, self.data.outages, self._open)

    def _see_system(
        self, system_id: str, name: str, machine: MachineState, now: datetime
    ) -> bool:
        info = self.data.systems.get(system_id)
        if info is None:
            # first seen now, or when the outage it is in began
            added = min(now, machine.outage_start or now)
            self.data.systems[system_id] = SystemInfo(name=name, added=added)
            return True
        if info.name != name:
            info.name = name
            return True
        return False

    def _record(
        self, system_id: str, name: str, start: datetime, cause: Cause | None
    ) -> OutageRecord:
        return OutageRecord(
            id=self._new_id(start.timestamp()),
            system_id=system_id,
            system=name,
            provider=self.provider,
            start=start,
            cause=cause.value if cause else None,
        )

    def _open_record(
        self,
        system_id: str,
        name: str,
        start: datetime,
        cause: Cause | None,
        kind: str,
        machine: MachineState,
        now: datetime,
    ) -> None:
        record = self._record(system_id, name, start, cause)
        record.detected_at = now
        record.detected_kind = kind
        record.detected_reason = machine.reason
        self.data.outages.append(record)
        self._open[system_id] = record

    def _close(self, record: OutageRecord, end: datetime) -> None:
        record.end = max(end, record.start)
        self._open.pop(record.system_id, None)
