"""The outage history's file: its layout, versions, migrations and retention.

Pure: no Home Assistant. The records themselves are outages.py's OutageRecord.

Layout of version 2 (the `data` of the Store file):

    {"systems": {"<system id>": {"name": "Alarm panel", "added": "<iso>"}},
     "outages": [<OutageRecord.to_dict()>, ...]}

Minor version 2 added "provider_notice" ("did the provider tell you?": asked by the
recovery notification, answered there or with a service action); minor version 1
files get an empty one.

Minor version 3 folds a flapping system's outages into one record ("flaps" and
"gaps", see outages.py and flapping.py) and adds "rollups": the monthly summaries of
the records a system's bound no longer keeps (rollups.py; the key is there only when
there are some). Older files have their flapping runs folded when they are read.

Version 1 (before causes and detection were recorded) was

    {"created": "<iso>",
     "outages": [{"system_id", "system", "provider", "start", "end", "reason"}]}
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .figures import Interval
from .flapping import fold_all
from .outages import EMPTY_NOTICE, OutageRecord, as_text, iso
from .rollups import Rollup
from .state import parse_time

HISTORY_VERSION = 2
HISTORY_MINOR_VERSION = 3  # 2.2: the provider-notice section; 2.3: flaps, rollups
RETENTION = timedelta(days=400)


@dataclass(kw_only=True, slots=True)
class SystemInfo:
    """A system the history has seen: its name and when it was first monitored."""

    name: str
    added: datetime


@dataclass(kw_only=True, slots=True)
class HistoryData:
    """Everything the history file holds."""

    systems: dict[str, SystemInfo] = field(default_factory=dict)
    outages: list[OutageRecord] = field(default_factory=list)
    rollups: list[Rollup] = field(default_factory=list)

    def latest(self, count: int) -> list[OutageRecord]:
        """The newest outages, newest first."""
        return sorted(self.outages, key=lambda r: r.start, reverse=True)[:count]

    def between(
        self, start: datetime, end: datetime, system_ids: Iterable[str] | None = None
    ) -> list[OutageRecord]:
        """Outages that overlap [start, end), oldest first."""
        wanted = None if system_ids is None else set(system_ids)
        return [
            r
            for r in self.outages
            if r.start < end
            and (r.end is None or r.end > start)
            and (wanted is None or r.system_id in wanted)
        ]

    def intervals(self, system_id: str) -> list[Interval]:
        """A system's times offline on the time line."""
        return [
            interval
            for r in self.outages
            if r.system_id == system_id
            for interval in r.intervals
        ]

    def find(self, outage_id: str) -> OutageRecord | None:
        """An outage by its id."""
        return next((r for r in self.outages if r.id == outage_id), None)

    def added(self, system_id: str) -> datetime | None:
        """When a system was first monitored."""
        info = self.systems.get(system_id)
        return info.added if info else None

    def to_dict(self) -> dict[str, Any]:
        """The stored form (version 2.3)."""
        return {
            "systems": {
                system_id: {"name": info.name, "added": iso(info.added)}
                for system_id, info in self.systems.items()
            },
            "outages": [record.to_dict() for record in self.outages],
        } | ({"rollups": [r.to_dict() for r in self.rollups]} if self.rollups else {})


def parse_history(data: object) -> tuple[HistoryData, int]:
    """Read a version-2 layout: the history and how many records were unreadable.

    Raises TypeError when the layout itself is not a history.
    """
    if not isinstance(data, Mapping):
        raise TypeError("the history is not an object")
    raw_systems = data.get("systems", {})
    raw_outages = data.get("outages", [])
    raw_rollups = data.get("rollups", [])
    if (
        not isinstance(raw_systems, Mapping)
        or not isinstance(raw_outages, list)
        or not isinstance(raw_rollups, list)
    ):
        raise TypeError("the history has no systems and outages")
    history = HistoryData()
    dropped = 0
    for system_id, raw in raw_systems.items():
        added = parse_time(raw.get("added")) if isinstance(raw, Mapping) else None
        if added is None or not isinstance(raw, Mapping):
            dropped += 1
            continue
        name = as_text(raw.get("name")) or str(system_id)
        history.systems[str(system_id)] = SystemInfo(name=name, added=added)
    for raw in raw_outages:
        record = OutageRecord.from_dict(raw)
        if record is None:
            dropped += 1
        else:
            history.outages.append(record)
    history.outages.sort(key=lambda record: record.start)
    for raw in raw_rollups:
        rollup = Rollup.from_dict(raw)
        if rollup is None:
            dropped += 1
        else:
            history.rollups.append(rollup)
    return history, dropped


def migrate_v1(data: object) -> dict[str, Any]:
    """Version 1 -> 2: ids, no cause ("unknown" later), detection and alerts unknown.

    A system's "added" time becomes the file's creation time, or its first outage
    if that was earlier. Entries that are not readable v1 outages are kept as they
    are, so that loading sets them aside rather than losing them.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("outages"), list):
        raise TypeError("not a version-1 history")
    created = parse_time(data.get("created"))
    systems: dict[str, tuple[str, datetime]] = {}  # id -> (name, added)
    outages: list[Any] = []
    for index, raw in enumerate(data["outages"]):
        start = parse_time(raw.get("start")) if isinstance(raw, Mapping) else None
        if start is None or not isinstance(raw, Mapping):
            outages.append(raw)
            continue
        system_id = str(raw.get("system_id"))
        name = as_text(raw.get("system")) or system_id
        end = parse_time(raw.get("end"))
        outages.append(
            {
                "id": f"v1-{index}-{system_id}",
                "system_id": system_id,
                "system": name,
                "provider": as_text(raw.get("provider")) or "",
                "start": iso(start),
                "end": iso(end),
                "duration": (end - start).total_seconds() if end else None,
                "cause": None,
                "detected": {"at": None, "kind": None, "reason": raw.get("reason")},
                "alert_sent": None,
                "acknowledged": {"at": None, "by": None},
            }
        )
        earliest = min(start, created) if created is not None else start
        if system_id not in systems or earliest < systems[system_id][1]:
            systems[system_id] = (name, earliest)
    return {
        "systems": {
            system_id: {"name": name, "added": iso(added)}
            for system_id, (name, added) in systems.items()
        },
        "outages": outages,
    }


def migrate_v2_1(data: Any) -> Any:
    """Version 2.1 -> 2.2: every outage gets an empty provider-notice section.

    Anything that is not a version-2 layout is returned as it is, so that loading
    sets it aside (as it would have without the migration).
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("outages"), list):
        return data
    return {
        **data,
        "outages": [
            {**raw, "provider_notice": dict(EMPTY_NOTICE)}
            if isinstance(raw, Mapping) and "provider_notice" not in raw
            else raw
            for raw in data["outages"]
        ],
    }


def migrate_v2_2(data: Any) -> Any:
    """Version 2.2 -> 2.3: each system's flapping runs folded into one record.

    A run is what flapping.py folds as it happens: records of one system, each
    beginning at most FLAP_WINDOW after the one before ended, with the same cause.
    Entries that are not readable records are kept as they are (loading sets them
    aside); anything that is not a version-2 layout is returned as it is.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("outages"), list):
        return data
    readable: list[OutageRecord] = []
    unreadable: list[Any] = []
    for raw in data["outages"]:
        record = OutageRecord.from_dict(raw)
        if record is None:
            unreadable.append(raw)
        else:
            readable.append(record)
    readable.sort(key=lambda record: record.start)
    folded = fold_all(readable)
    if len(folded) == len(readable):
        return data
    return {**data, "outages": [r.to_dict() for r in folded] + unreadable}


def prune(records: Iterable[OutageRecord], now: datetime) -> list[OutageRecord]:
    """Drop outages that ended more than RETENTION ago (open ones always stay)."""
    cutoff = now - RETENTION
    return [r for r in records if r.end is None or r.end >= cutoff]
