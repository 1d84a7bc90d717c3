"""The outage history's records and file layout. Pure: no Home Assistant.

Layout of version 2 (the `data` of the Store file):

    {"systems": {"<system id>": {"name": "Alarm panel", "added": "<iso>"}},
     "outages": [{"id", "system_id", "system", "provider", "start", "end",
                  "duration", "cause",
                  "detected": {"at", "kind", "reason"},
                  "alert_sent",
                  "acknowledged": {"at", "by"},
                  "provider_notice": {"told", "answered_at", "by", "via", "notes",
                                      "asked_at", "asked_alerts"}}]}

An outage self-heal acted on also has "self_heal": {"healed", "reason", "tried":
[{"at", "action", "entity_id"}]} (see SelfHealMark); older readers ignore it, so it
needs no version of its own.

Minor version 2 added "provider_notice" ("did the provider tell you?": asked by the
recovery notification, answered there or with a service action); minor version 1
files get an empty one.

Version 1 (before causes and detection were recorded) was

    {"created": "<iso>",
     "outages": [{"system_id", "system", "provider", "start", "end", "reason"}]}
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .cause import Cause
from .figures import Interval
from .state import parse_time

HISTORY_VERSION = 2
HISTORY_MINOR_VERSION = 2  # 2.2: the provider-notice section
RETENTION = timedelta(days=400)
MAX_ASKED_ALERTS = 5  # the alerts whose recovery asked about one outage, newest kept
EMPTY_NOTICE: Mapping[str, Any] = {
    "told": None,
    "answered_at": None,
    "by": None,
    "via": None,
    "notes": None,  # "notes", like the provider's: removed from diagnostics
    "asked_at": None,
    "asked_alerts": [],
}


class Notice(StrEnum):
    """Whether the provider told the owner about an outage."""

    TOLD = "told"
    NOT_TOLD = "not_told"  # answered "no": only Provider Watch found it
    UNANSWERED = "unanswered"
    NOT_ASKED = "not_asked"  # the home's internet, not answered: not the provider's


class AnswerVia(StrEnum):
    """Where an answer came from."""

    PHONE = "phone"  # the recovery notification's buttons
    SERVICE = "service"  # provider_watch.record_provider_notice


def iso(value: datetime | None) -> str | None:
    """The ISO 8601 form of a time, or None."""
    return value.isoformat() if value is not None else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _section(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


MAX_SELF_HEAL_TRIES = 10  # per outage (at most 3 are ever made)


@dataclass(kw_only=True)
class SelfHealMark:
    """What self-heal did about an outage (stored as "self_heal", only if it ran).

    {"healed": true | false | null (still trying), "reason": why it stopped,
     "tried": [{"at": "<iso>", "action": "power_cycle", "entity_id": "switch.…"}]}
    """

    tried: list[dict[str, str]] = field(default_factory=list)
    healed: bool | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "healed": self.healed,
            "reason": self.reason,
            "tried": [dict(t) for t in self.tried],
        }

    @classmethod
    def from_dict(cls, data: object) -> SelfHealMark | None:
        """Read it back; None when absent or not readable."""
        if not isinstance(data, Mapping):
            return None
        healed = data.get("healed")
        tried = data.get("tried")
        return cls(
            tried=[
                {str(k): str(v) for k, v in item.items() if isinstance(v, str)}
                for item in tried[-MAX_SELF_HEAL_TRIES:]
                if isinstance(item, Mapping)
            ]
            if isinstance(tried, list)
            else [],
            healed=healed if isinstance(healed, bool) else None,
            reason=_text(data.get("reason")),
        )


MAX_PUSH_FAILURES = 20  # per outage: the latest are kept


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
    # "did the provider tell you?" (None: not answered)
    provider_told: bool | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None  # a user id
    answered_via: str | None = None  # an AnswerVia value
    notice_note: str | None = None
    asked_at: datetime | None = None  # when a recovery notification first asked
    asked_alerts: list[str] = field(default_factory=list)  # alert ids that asked
    # pushes the relay refused: {"at", "phone", "error", "final" ("yes"/"no")}
    push_failures: list[dict[str, str]] = field(default_factory=list)
    self_heal: SelfHealMark | None = None  # what self-heal did (None: it did not run)

    @property
    def self_healed(self) -> bool:
        """The outage ended after self-heal, before anyone was alerted."""
        return self.self_heal is not None and self.self_heal.healed is True

    @property
    def notice(self) -> Notice:
        """Told, not told, not answered (or not the provider's to tell)."""
        if self.provider_told is not None:
            return Notice.TOLD if self.provider_told else Notice.NOT_TOLD
        if self.cause == Cause.INTERNET.value:
            return Notice.NOT_ASKED
        return Notice.UNANSWERED

    def answer(
        self,
        *,
        told: bool,
        when: datetime,
        by: str | None,
        via: AnswerVia,
        note: str | None = None,
    ) -> None:
        """Record whether the provider told the owner (a later answer replaces it)."""
        self.provider_told = told
        self.answered_at = when
        self.answered_by = by
        self.answered_via = via.value
        if note is not None:
            self.notice_note = note.strip() or None

    def ask(self, alert_id: str, when: datetime) -> None:
        """A recovery notification asked about this outage."""
        if self.asked_at is None:
            self.asked_at = when
        if alert_id not in self.asked_alerts:
            self.asked_alerts = [*self.asked_alerts, alert_id][-MAX_ASKED_ALERTS:]

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
        return (
            {
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
                "provider_notice": {
                    "told": self.provider_told,
                    "answered_at": iso(self.answered_at),
                    "by": self.answered_by,
                    "via": self.answered_via,
                    "notes": self.notice_note,  # removed from diagnostics
                    "asked_at": iso(self.asked_at),
                    "asked_alerts": list(self.asked_alerts),
                },
            }
            | ({"self_heal": self.self_heal.to_dict()} if self.self_heal else {})
            | (
                {"push_failures": [dict(f) for f in self.push_failures]}
                if self.push_failures
                else {}
            )
        )

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
        notice = _section(data, "provider_notice")
        told = notice.get("told")
        asked = notice.get("asked_alerts")
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
            provider_told=told if isinstance(told, bool) else None,
            answered_at=parse_time(notice.get("answered_at")),
            answered_by=_text(notice.get("by")),
            answered_via=_text(notice.get("via")),
            notice_note=_text(notice.get("notes")),
            asked_at=parse_time(notice.get("asked_at")),
            asked_alerts=[a for a in asked if isinstance(a, str)]
            if isinstance(asked, list)
            else [],
            push_failures=_push_failures(data.get("push_failures")),
            self_heal=SelfHealMark.from_dict(data.get("self_heal")),
        )


def _push_failures(data: object) -> list[dict[str, str]]:
    """Stored push failures; anything malformed is left out."""
    if not isinstance(data, list):
        return []
    return [
        {str(k): str(v) for k, v in item.items() if isinstance(v, str)}
        for item in data[-MAX_PUSH_FAILURES:]
        if isinstance(item, Mapping)
    ]


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


@dataclass(frozen=True, kw_only=True)
class NoticeCounts:
    """How many outages the provider told the owner about, and how many not.

    Outages caused by the home's internet are counted only when answered: they are
    not the provider's to tell, so the recovery does not ask about them.
    """

    told: int = 0
    not_told: int = 0  # answered "no": found only by Provider Watch
    unanswered: int = 0


def notice_counts(records: Iterable[OutageRecord]) -> NoticeCounts:
    """Count the answers of these outages (see NoticeCounts)."""
    notices = [record.notice for record in records]
    return NoticeCounts(
        told=notices.count(Notice.TOLD),
        not_told=notices.count(Notice.NOT_TOLD),
        unanswered=notices.count(Notice.UNANSWERED),
    )


def prune(records: Iterable[OutageRecord], now: datetime) -> list[OutageRecord]:
    """Drop outages that ended more than RETENTION ago (open ones always stay)."""
    cutoff = now - RETENTION
    return [r for r in records if r.end is None or r.end >= cutoff]
