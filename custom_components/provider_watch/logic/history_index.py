"""The outage history in memory, indexed by system. Pure: no Home Assistant.

Every question the sensors ask and every change an outage makes touches one system's
newest records and time line, never the whole history: records are kept per system
(oldest first), each system's times offline as a `Timeline` (timeline.py), and the
file's rows (one stored dict per record) are kept ready, so that writing the history
only copies a list of references before the executor serialises it.
"""

from collections.abc import Iterable, Iterator
from datetime import datetime
import heapq
from itertools import islice
from typing import Any

from .figures import Interval
from .flapping import merge
from .history_file import HistoryData, SystemInfo
from .outages import OutageRecord, iso
from .rollups import Rollup
from .timeline import Timeline, to_us


class HistoryIndex:
    """Records by system and by id, time lines, summaries and the file's rows."""

    def __init__(self, data: HistoryData | None = None) -> None:
        """Index the data read from the file (or start empty)."""
        data = data or HistoryData()
        self.systems: dict[str, SystemInfo] = data.systems
        self._records: dict[str, list[OutageRecord]] = {}
        self._by_id: dict[str, OutageRecord] = {}
        self._timelines: dict[str, Timeline] = {}
        self._rollups: dict[str, list[Rollup]] = {}
        self._flaps: dict[str, int] = {}
        self._rows: dict[str, dict[str, Any]] = {}
        self._dirty: set[str] = set()
        # since take_changes: systems whose time line changed, and from when (µs),
        # and systems whose oldest times offline went, and until when
        self._touched: dict[str, int] = {}
        self._trimmed: dict[str, int] = {}
        self._noted: set[str] = set()  # systems whose records' notes changed
        for record in sorted(data.outages, key=lambda r: r.start):
            self._records.setdefault(record.system_id, []).append(record)
            self._by_id[record.id] = record
            self._rows[record.id] = record.to_dict()
        for rollup in data.rollups:
            self._rollups.setdefault(rollup.system_id, []).append(rollup)
        for system_id in self._records:
            self.rebuild(system_id)

    # --- reading -------------------------------------------------------------------

    def __len__(self) -> int:
        """How many records."""
        return len(self._by_id)

    def system_ids(self) -> list[str]:
        """Every system with records or summaries."""
        return list(self._records.keys() | self._rollups.keys())

    def records(self, system_id: str) -> list[OutageRecord]:
        """A system's records, oldest first (the index's own list: do not change)."""
        return self._records.get(system_id, [])

    def last(self, system_id: str) -> OutageRecord | None:
        """A system's newest record."""
        records = self._records.get(system_id)
        return records[-1] if records else None

    def all(self) -> list[OutageRecord]:
        """Every record, oldest first."""
        return list(heapq.merge(*self._records.values(), key=lambda r: r.start))

    def find(self, outage_id: str) -> OutageRecord | None:
        """A record by its id."""
        return self._by_id.get(outage_id)

    def timeline(self, system_id: str) -> Timeline:
        """A system's times offline."""
        return self._timelines.get(system_id) or Timeline()

    def rollups(self, system_id: str) -> list[Rollup]:
        """A system's monthly summaries, oldest first (the index's own list)."""
        return self._rollups.get(system_id, [])

    def rollups_to_change(self, system_id: str) -> list[Rollup]:
        """A system's monthly summaries, to add to (rollups.summarise)."""
        return self._rollups.setdefault(system_id, [])

    def all_rollups(self) -> list[Rollup]:
        """Every summary, oldest first."""
        return sorted(
            (r for rollups in self._rollups.values() for r in rollups),
            key=lambda r: (r.start, r.system_id),
        )

    def flaps(self, system_id: str) -> int:
        """How many flaps a system's records hold."""
        return self._flaps.get(system_id, 0)

    def added(self, system_id: str) -> datetime | None:
        """When a system was first monitored."""
        info = self.systems.get(system_id)
        return info.added if info else None

    def latest(self, count: int) -> list[OutageRecord]:
        """The newest records, newest first."""
        newest = (reversed(records[-count:]) for records in self._records.values())
        merged = heapq.merge(*newest, key=lambda r: r.start, reverse=True)
        return list(islice(merged, count))

    def overlapping(
        self, system_id: str, start: datetime, end: datetime
    ) -> Iterator[OutageRecord]:
        """A system's records that overlap [start, end), newest first.

        A system's records follow each other, so the walk stops at the first one
        that ended before `start`.
        """
        for record in reversed(self._records.get(system_id, [])):
            if record.end is not None and record.end <= start:
                return
            if record.start < end:
                yield record

    def between(
        self, start: datetime, end: datetime, system_ids: Iterable[str] | None = None
    ) -> list[OutageRecord]:
        """Records that overlap [start, end), oldest first."""
        ids = self._records.keys() if system_ids is None else system_ids
        found = [r for s in ids for r in self.overlapping(s, start, end)]
        return sorted(found, key=lambda r: r.start)

    def intervals(self, system_id: str) -> list[Interval]:
        """A system's times offline (every record's, oldest first)."""
        return [i for r in self._records.get(system_id, []) for i in r.intervals]

    # --- changing ------------------------------------------------------------------

    def add(self, record: OutageRecord) -> None:
        """A new record (usually the system's newest)."""
        records = self._records.setdefault(record.system_id, [])
        self._by_id[record.id] = record
        self._flaps[record.system_id] = self.flaps(record.system_id) + record.flaps
        if records and record.start < records[-1].start:
            records.append(record)
            records.sort(key=lambda r: r.start)
            self.rebuild(record.system_id)
        else:
            records.append(record)
            self.changed(record)

    def changed(self, record: OutageRecord, *, flapped: bool = False) -> None:
        """A record changed: its row, and its system's time line from its end on."""
        self._dirty.add(record.id)
        if flapped:
            self._flaps[record.system_id] = self.flaps(record.system_id) + 1
        # the last two stretches are the only ones a change can touch
        since = to_us(record.stretch_start(-2))
        timeline = self._timelines.setdefault(record.system_id, Timeline())
        cut = timeline.truncate_from(since)
        fresh: list[tuple[int, int]] = []
        for other in reversed(self._records.get(record.system_id, [])):
            if other.end is not None and to_us(other.end) < cut:
                break
            fresh += [s for s in other.stretches(cut) if s[1] >= cut]
        timeline.extend(sorted(fresh))
        self._touch(record.system_id, cut)

    def fold_last(self, system_id: str) -> None:
        """Fold a system's newest (closed) record into the one before it."""
        records = self._records[system_id]
        previous = records.pop()
        merge(records[-1], previous)
        self._flaps[system_id] = self.flaps(system_id) + 1
        self._by_id.pop(previous.id, None)
        self._dirty.update((previous.id, records[-1].id))

    def noted(self, records: Iterable[OutageRecord]) -> None:
        """Records whose notes changed (not their times): their rows only."""
        for record in records:
            self._dirty.add(record.id)
            self._noted.add(record.system_id)

    def remove_oldest(self, system_id: str, count: int) -> list[OutageRecord]:
        """Drop a system's oldest records (pruned or summarised); returns them."""
        records = self._records.get(system_id, [])
        gone, self._records[system_id] = records[:count], records[count:]
        if not gone:
            return gone
        for record in gone:
            self._by_id.pop(record.id, None)
            self._dirty.add(record.id)
            self._flaps[system_id] = self.flaps(system_id) - record.flaps
        until = max(to_us(r.end) if r.end else to_us(r.start) for r in gone)
        timeline = self._timelines.get(system_id)
        if timeline is None or not timeline.drop_until(until):
            self.rebuild(system_id)
        self._trimmed[system_id] = max(until, self._trimmed.get(system_id, until))
        return gone

    def drop_rollups(self, cutoff: datetime) -> bool:
        """Forget summaries of months that ended before `cutoff`; True if any."""
        dropped = False
        for system_id, rollups in self._rollups.items():
            kept = [r for r in rollups if r.end >= cutoff]
            dropped |= len(kept) != len(rollups)
            self._rollups[system_id] = kept
        return dropped

    def rebuild(self, system_id: str) -> None:
        """Build a system's time line again from its records."""
        records = self._records.get(system_id, [])
        self._flaps[system_id] = sum(r.flaps for r in records)
        self._timelines[system_id] = Timeline(
            sorted(s for r in records for s in r.stretches())
        )
        self._touch(system_id, 0)

    def _touch(self, system_id: str, since: int) -> None:
        self._touched[system_id] = min(since, self._touched.get(system_id, since))

    def take_changes(self) -> tuple[dict[str, int], dict[str, int], set[str]]:
        """What changed since the last call.

        The systems whose time line changed and from when, those whose oldest
        times offline went and until when (µs), and those whose notes changed.
        """
        touched, self._touched = self._touched, {}
        trimmed, self._trimmed = self._trimmed, {}
        noted, self._noted = self._noted, set()
        return touched, trimmed, noted

    # --- the file ------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The stored form (version 2.3), of objects nothing changes afterwards.

        Safe to serialise in another thread: the rows are new dicts, replaced (never
        changed) when a record changes.
        """
        for record_id in self._dirty:
            record = self._by_id.get(record_id)
            if record is None:
                self._rows.pop(record_id, None)
            else:
                self._rows[record_id] = record.to_dict()
        self._dirty.clear()
        rollups = self.all_rollups()
        return {
            "systems": {
                system_id: {"name": info.name, "added": iso(info.added)}
                for system_id, info in self.systems.items()
            },
            "outages": list(self._rows.values()),
        } | ({"rollups": [r.to_dict() for r in rollups]} if rollups else {})

    def to_data(self) -> HistoryData:
        """Everything, as the file's data."""
        return HistoryData(
            systems=self.systems, outages=self.all(), rollups=self.all_rollups()
        )
