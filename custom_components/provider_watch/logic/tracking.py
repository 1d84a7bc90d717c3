"""What the steps of the systems' state machines mean for the outage records.

Pure: no Home Assistant. The tracker holds the history (history_index.py) and, for
each system, the outage going on; history/store.py keeps it on disk and tells the
listeners. An outage opens when a system goes offline and closes when it comes
back; a new outage soon after the last one re-opens it instead (a flap, see
flapping.py); a history that lost track of an outage (set aside, or older than the
machine state) is repaired from the machine state.

What the history keeps per system is bounded (rollups.py): beyond MAX_RECORDS
records or MAX_FLAPS_KEPT flaps the oldest closed records are summarised by month,
and records that ended more than RETENTION ago go (with their summaries).
"""

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from enum import Flag, auto

from .cause import Cause
from .flapping import Fold, fold
from .gaps import TENTH
from .history_file import RETENTION, HistoryData, SystemInfo
from .history_index import HistoryIndex
from .notes import OutageNote, apply as apply_note
from .outages import OutageRecord
from .rollups import MAX_FLAPS_KEPT, MAX_RECORDS, summarise
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
        self.index = HistoryIndex()
        self._open: dict[str, OutageRecord] = {}

    def load(self, data: HistoryData, now: datetime, zone: tzinfo = UTC) -> None:
        """Take the data read from the file (pruned), and find the open outages."""
        self.index = HistoryIndex(data)
        self._open = {}
        for system_id in self.index.system_ids():
            for record in self.index.records(system_id):  # oldest first
                if record.open:
                    if (earlier := self._open.get(system_id)) is not None:
                        # two open outages of one system: the first ended when the
                        # second began
                        self._close(earlier, record.start)
                    self._open[system_id] = record
        self.prune(now, zone)

    def prune(self, now: datetime, zone: tzinfo = UTC) -> bool:
        """Keep each system within its bound; True when something went.

        Records that ended more than RETENTION ago go, and so do summaries of months
        that ended before then; beyond MAX_RECORDS records or MAX_FLAPS_KEPT flaps
        the oldest closed records (never a system's newest) are summarised by month.
        Costs a look at each system's oldest record when there is nothing to do.
        """
        cutoff = now - RETENTION
        changed = self.index.drop_rollups(cutoff)
        for system_id in self.index.system_ids():
            records = self.index.records(system_id)
            old = 0
            while (
                old < len(records)
                and (end := records[old].end) is not None
                and end < cutoff
            ):
                old += 1
            if old:
                self.index.remove_oldest(system_id, old)
                changed = True
            records = self.index.records(system_id)
            flaps = self.index.flaps(system_id)
            count = 0
            while (
                (len(records) - count > MAX_RECORDS or flaps > MAX_FLAPS_KEPT)
                and count < len(records) - 1
                and not records[count].open
            ):
                flaps -= records[count].flaps
                count += 1
            if count:
                gone = self.index.remove_oldest(system_id, count)
                summarise(gone, self.index.rollups_to_change(system_id), zone)
                changed = True
        return changed

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
            # (a flapping outage keeps when it dropped again to a tenth of a second)
            same = (
                current is not None and abs(current.stretch_start(-1) - start) < TENTH
            )
            if current is not None and not same:
                self._close(current, min(start, now))
            elif (flapping := self._flap(system_id, start, cause)) is not None:
                self._open[system_id] = flapping  # the same outage goes on
                return Change.NOW
            if not same:  # (the same outage stays in its record)
                self._open_record(system_id, name, start, cause, kind, machine, now)
            return Change.NOW
        if step.transition is Transition.CAME_ONLINE:
            if current is not None:
                self._close(current, now)
            elif step.outage_start is not None:  # the history lost the open record
                record = self._record(system_id, name, step.outage_start, cause)
                record.end = max(now, record.start)
                self.index.add(record)
            return Change.NOW
        if machine.state in OUTAGE_STATES and current is None:
            # offline since before a history existed (or was set aside): the
            # outage's start is known from the machine, how it was detected is not
            start = machine.outage_start or now
            record = self._record(system_id, name, start, cause)
            self.index.add(record)
            self._open[system_id] = record
            return Change.NOW
        if machine.state is SystemState.ONLINE and current is not None:
            # online again while the history still had the outage open
            since = machine.since
            going_on = current.stretch_start(-1)
            self._close(current, since if since and since >= going_on else now)
            return Change.NOW
        change = Change.NOW if seen else Change.NONE
        if self.update_cause(system_id, cause):
            change |= Change.SOON
        return change

    def _flap(
        self, system_id: str, start: datetime, cause: Cause | None
    ) -> OutageRecord | None:
        """Fold a drop into the system's newest records if it flaps (flapping.py).

        Returns the record that goes on, or None (a record of its own).
        """
        records = self.index.records(system_id)
        before = records[-2] if len(records) > 1 else None
        previous = records[-1] if records else None
        match fold(before, previous, start, cause.value if cause else None):
            case Fold.REOPEN if previous is not None:
                previous.reopen(start)
                self.index.changed(previous, flapped=True)
                return previous
            case Fold.MERGE if before is not None:
                self.index.fold_last(system_id)
                before.reopen(start)
                self.index.changed(before, flapped=True)
                return before
            case _:
                return None

    def update_cause(self, system_id: str, cause: Cause | None) -> bool:
        """The cause of an open outage was re-judged; True when it changed."""
        current = self._open.get(system_id)
        if cause is not None and current is not None and current.cause != cause:
            current.cause = cause.value
            self.index.noted([current])
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
        changed = apply_note(note, self.index, self._open)
        self.index.noted(changed)
        return len(changed)

    def _see_system(
        self, system_id: str, name: str, machine: MachineState, now: datetime
    ) -> bool:
        info = self.index.systems.get(system_id)
        if info is None:
            # first seen now, or when the outage it is in began
            added = min(now, machine.outage_start or now)
            self.index.systems[system_id] = SystemInfo(name=name, added=added)
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
        self.index.add(record)
        self._open[system_id] = record

    def _close(self, record: OutageRecord, end: datetime) -> None:
        record.end = max(end, record.stretch_start(-1))
        self._open.pop(record.system_id, None)
        self.index.changed(record)
