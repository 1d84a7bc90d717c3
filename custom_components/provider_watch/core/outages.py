"""The outage history's records and file layout. Pure: no Home Assistant.

Layout of version 2 (the `data` of the Store file):

    {"systems": {"<system id>": {"name": "Alarm panel", "added": "<iso>"}},
     "outages": [{"id", "system_id", "system", "provider", "start", "end",
                  "duration", "cause",
                  "detected": {"at", "kind", "reason"},
                  "alert_sent",
                  "acknowledged": {"at", "by"}}]}

Version 1 (before causes and detection were recorded) was

    {"created": "<iso>",
     "outages": [{"system_id", "system", "provider", "start", "end", "reason"}]}
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .figures import Interval
from .state import parse_time

HISTORY_VERSION = 2
RETENTION = timedelta(days=400)


def iso(value: datetime | None) -> str | None:
    """The ISO 8601 form of a time, or None."""
    return value.isoformat() if value is not None else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _section(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


@dataclass(kw_only=True)
class OutageRecord:
    """One outage of one system, open (no end) or closed."""

    id: str
    system_id: str
    system: str  # the system's name when the outage happened
    provider: str  # the provider's name when the outage happened
    start: datetime
    end: datetime | None = None
    cause: str | None = None  # a Cause value; updated while the outage is open
    detected_at: datetime | None = None  # when the outage was declared
    detected_kind: str | None = None  # how the system is checked (a SystemKind)
    detected_reason: str | None = None  # what the failing check said
    alert_sent: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None

    @property
    def open(self) -> bool:
        """Still going on."""
        return self.end is None

    @property
    def duration(self) -> float | None:
        """Seconds from start to end (None while open)."""
        if self.end is None:
            return None
        return (self.end - self.start).total_seconds()

    def duration_at(self, now: datetime) -> float:
        """Seconds it lasted, or has lasted so far."""
        return ((self.end or now) - self.start).total_seconds()

    @property
    def noticed_after(self) -> float | None:
        """Seconds from the start of the outage to its detection."""
        if self.detected_at is None:
            return None
        return max(0.0, (self.detected_at - self.start).total_seconds())

    @property
    def interval(self) -> Interval:
        """The outage on the time line."""
        return Interval(start=self.start, end=self.end)

    def to_dict(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "id": self.id,
            "system_id": self.system_id,
            "system": self.system,
            "provider": self.provider,
            "start": iso(self.start),
            "end": iso(self.end),
            "duration": self.duration,
            "cause": self.cause,
            "detected": {
                "at": iso(self.detected_at),
                "kind": self.detected_kind,
                "reason": self.detected_reason,
            },
            "alert_sent": iso(self.alert_sent),
            "acknowledged": {
                "at": iso(self.acknowledged_at),
                "by": self.acknowledged_by,
            },
        }

    @classmethod
    def from_dict(cls, data: object) -> OutageRecord | None:
        """Read a stored record; None when it is not a readable record."""
        if not isinstance(data, Mapping):
            return None
        start = parse_time(data.get("start"))
        end = parse_time(data.get("end"))
        record_id, system_id = data.get("id"), data.get("system_id")
        if (
            start is None
            or not isinstance(record_id, str)
            or not isinstance(system_id, str)
            or (data.get("end") is not None and end is None)
            or (end is not None and end < start)
        ):
            return None
        detected = _section(data, "detected")
        acknowledged = _section(data, "acknowledged")
        return cls(
            id=record_id,
            system_id=system_id,
            system=_text(data.get("system")) or system_id,
            provider=_text(data.get("provider")) or "",
            start=start,
            end=end,
            cause=_text(data.get("cause")),
            detected_at=parse_time(detected.get("at")),
            detected_kind=_text(detected.get("kind")),
            detected_reason=_text(detected.get("reason")),
            alert_sent=parse_time(data.get("alert_sent")),
            acknowledged_at=parse_time(acknowledged.get("at")),
            acknowledged_by=_text(acknowledged.get("by")),
        )


@dataclass(kw_only=True)
class SystemInfo:
    """A system the history has seen: its name and when it was first monitored."""

    name: str
    added: datetime


@dataclass(kw_only=True)
class HistoryData:
    """Everything the history file holds."""

    systems: dict[str, SystemInfo] = field(default_factory=dict)
    outages: list[OutageRecord] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The stored form (version 2)."""
        return {
            "systems": {
                system_id: {"name": info.name, "added": iso(info.added)}
                for system_id, info in self.systems.items()
            },
            "outages": [record.to_dict() for record in self.outages],
        }


def parse_history(data: object) -> tuple[HistoryData, int]:
    """Read a version-2 layout: the history and how many records were unreadable.

    Raises TypeError when the layout itself is not a history.
    """
    if not isinstance(data, Mapping):
        raise TypeError("the history is not an object")
    raw_systems = data.get("systems", {})
    raw_outages = data.get("outages", [])
    if not isinstance(raw_systems, Mapping) or not isinstance(raw_outages, list):
        raise TypeError("the history has no systems and outages")
    history = HistoryData()
    dropped = 0
    for system_id, raw in raw_systems.items():
        added = parse_time(raw.get("added")) if isinstance(raw, Mapping) else None
        if added is None or not isinstance(raw, Mapping):
            dropped += 1
            continue
        name = _text(raw.get("name")) or str(system_id)
        history.systems[str(system_id)] = SystemInfo(name=name, added=added)
    for raw in raw_outages:
        record = OutageRecord.from_dict(raw)
        if record is None:
            dropped += 1
        else:
            history.outages.append(record)
    history.outages.sort(key=lambda record: record.start)
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
        name = _text(raw.get("system")) or system_id
        end = parse_time(raw.get("end"))
        outages.append(
            {
                "id": f"v1-{index}-{system_id}",
                "system_id": system_id,
                "system": name,
                "provider": _text(raw.get("provider")) or "",
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


def prune(records: Iterable[OutageRecord], now: datetime) -> list[OutageRecord]:
    """Drop outages that ended more than RETENTION ago (open ones always stay)."""
    cutoff = now - RETENTION
    return [r for r in records if r.end is None or r.end >= cutoff]
