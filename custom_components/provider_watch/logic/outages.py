"""An outage record: what the history keeps about one outage. Pure: no Home Assistant.

A record's stored form (an entry of "outages" in the history file, see
history_file.py for the file around it) is

    {"id", "system_id", "system", "provider", "start", "end", "duration", "cause",
     "detected": {"at", "kind", "reason"},
     "alert_sent",
     "acknowledged": {"at", "by"},
     "provider_notice": {"told", "answered_at", "by", "via", "notes",
                         "asked_at", "asked_alerts"}}

An outage self-heal acted on also has "self_heal": {"healed", "reason", "tried":
[{"at", "action", "entity_id"}]} (see SelfHealMark); older readers ignore it, so it
needs no version of its own. Pushes the relay refused are kept as "push_failures".

A flapping outage (a system that came back and dropped again soon, see flapping.py)
is one record with "flaps": how many times it came back and dropped again, and
"gaps": the times it was back online inside the record, as offsets from "start" in
tenths of a second, delta-encoded in one string ("up0,down0,up1,down1,…": each
number is the tenths since the previous one). Both are there only when it flapped;
"duration" is the time offline (the record's span less its gaps).
"""

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from .cause import Cause
from .figures import Interval
from .gaps import TENTH, TENTH_US, decode_gaps, encode_gaps, tenths
from .state import parse_time
from .timeline import OPEN, Stretch, to_us

MAX_ASKED_ALERTS = 5  # the alerts whose recovery asked about one outage, newest kept
# the stored "provider_notice" of an outage nobody was asked about
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


def as_text(value: object) -> str | None:
    """A stored text, or None when it is not one."""
    return value if isinstance(value, str) else None


def _section(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


MAX_SELF_HEAL_TRIES = 10  # per outage (at most 3 are ever made)


@dataclass(kw_only=True, slots=True)
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
            reason=as_text(data.get("reason")),
        )


MAX_PUSH_FAILURES = 20  # per outage: the latest are kept


@dataclass(kw_only=True, slots=True)
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
    # a flapping outage: when it was back online inside the record, as offsets from
    # start in tenths of a second, [up0, down0, up1, down1, ...] (see the module)
    gaps: list[int] = field(default_factory=list)

    @property
    def flaps(self) -> int:
        """How many times the system came back and dropped again in this outage."""
        return len(self.gaps) // 2

    def reopen(self, start: datetime) -> None:
        """The system dropped again at `start`: this outage goes on (a flap)."""
        end = self.end or self.start
        back = max(tenths(end - self.start), self.gaps[-1] if self.gaps else 0)
        self.gaps += [back, max(back, tenths(start - self.start))]
        self.end = None

    @property
    def online_inside(self) -> float:
        """Seconds the system was back online between the record's start and end."""
        gaps = self.gaps
        return sum(gaps[i + 1] - gaps[i] for i in range(0, len(gaps), 2)) / 10

    def stretch_start(self, index: int) -> datetime:
        """When the record's stretch `index` (negative: from the end) went offline."""
        index %= self.flaps + 1
        if index == 0:
            return self.start
        return self.start + self.gaps[2 * index - 1] * TENTH

    def stretches(self, since: int | None = None) -> list[Stretch]:
        """The times offline, in microseconds (see timeline.py); OPEN while open.

        With `since`: only those that end at or after it (found by bisection, so
        that a change to a long flapping outage costs its last times offline).
        """
        start = to_us(self.start)
        end = OPEN if self.end is None else to_us(self.end)
        gaps = self.gaps
        if not gaps:
            return [(start, max(start, end))]
        first = 0
        if since is not None and since > start:
            # gaps[2k] is where stretch k ends, gaps[2k - 1] where it began
            first = (bisect_left(gaps, -(-(since - start) // TENTH_US)) + 1) // 2
        edges = [
            start if first == 0 else start + gaps[2 * first - 1] * TENTH_US,
            *(start + g * TENTH_US for g in gaps[2 * first :]),
            end,
        ]
        return [
            (edges[i], max(edges[i], edges[i + 1])) for i in range(0, len(edges), 2)
        ]

    @property
    def intervals(self) -> list[Interval]:
        """The times offline on the time line (one, unless the outage flapped)."""
        if not self.gaps:
            return [Interval(start=self.start, end=self.end)]
        edges = [self.start, *(self.start + g * TENTH for g in self.gaps)]
        return [
            Interval(
                start=edges[i],
                end=edges[i + 1] if i + 1 < len(edges) else self.end,
            )
            for i in range(0, len(edges), 2)
        ]

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
        """Seconds offline from start to end (None while open)."""
        if self.end is None:
            return None
        return self.duration_at(self.end)

    def duration_at(self, now: datetime) -> float:
        """Seconds offline, in all, or so far (a flapping outage's gaps left out)."""
        span = ((self.end or now) - self.start).total_seconds()
        return max(0.0, span - self.online_inside) if self.gaps else span

    @property
    def noticed_after(self) -> float | None:
        """Seconds from the start of the outage to its detection."""
        if self.detected_at is None:
            return None
        return max(0.0, (self.detected_at - self.start).total_seconds())

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
            | (
                {"flaps": self.flaps, "gaps": encode_gaps(self.gaps)}
                if self.gaps
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
        gaps: list[int] = []
        if "flaps" in data or "gaps" in data:
            read = decode_gaps(data.get("gaps"), data.get("flaps"))
            span = None if end is None else tenths(end - start)
            if read is None or (span is not None and read[-1] > span + 1):
                return None
            gaps = read
        detected = _section(data, "detected")
        acknowledged = _section(data, "acknowledged")
        notice = _section(data, "provider_notice")
        told = notice.get("told")
        asked = notice.get("asked_alerts")
        return cls(
            id=record_id,
            system_id=system_id,
            system=as_text(data.get("system")) or system_id,
            provider=as_text(data.get("provider")) or "",
            start=start,
            end=end,
            cause=as_text(data.get("cause")),
            detected_at=parse_time(detected.get("at")),
            detected_kind=as_text(detected.get("kind")),
            detected_reason=as_text(detected.get("reason")),
            alert_sent=parse_time(data.get("alert_sent")),
            acknowledged_at=parse_time(acknowledged.get("at")),
            acknowledged_by=as_text(acknowledged.get("by")),
            provider_told=told if isinstance(told, bool) else None,
            answered_at=parse_time(notice.get("answered_at")),
            answered_by=as_text(notice.get("by")),
            answered_via=as_text(notice.get("via")),
            notice_note=as_text(notice.get("notes")),
            asked_at=parse_time(notice.get("asked_at")),
            asked_alerts=[a for a in asked if isinstance(a, str)]
            if isinstance(asked, list)
            else [],
            push_failures=_push_failures(data.get("push_failures")),
            self_heal=SelfHealMark.from_dict(data.get("self_heal")),
            gaps=gaps,
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


@dataclass(frozen=True, kw_only=True, slots=True)
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
