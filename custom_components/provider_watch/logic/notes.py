"""What alerts, phones and self-heal note on outages: one type per note, one function.

The outage history has a single way in for these notes (OutageHistory.note). Each
note says which outages it is about and what it sets; `apply` finds them and sets
it, and returns how many outages it changed. Plain Python, no Home Assistant.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from .outages import MAX_PUSH_FAILURES, AnswerVia, OutageRecord, SelfHealMark


@dataclass(frozen=True, kw_only=True, slots=True)
class AlertSent:
    """An offline alert about these systems was sent (the first one counts)."""

    systems: frozenset[str]
    when: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class PushFailed:
    """A push about these systems' open outages did not get through."""

    systems: frozenset[str]
    when: datetime
    phone: str
    error: str
    final: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class Acknowledged:
    """Someone acknowledged the alert about these systems (the first one counts).

    Marks each system's open outage or, once it has ended, its latest outage that
    was alerted and not yet acknowledged.
    """

    systems: frozenset[str]
    when: datetime
    by: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Asked:
    """A recovery notification asks whether the provider told the owner.

    Marks the outages of these systems that were going on while the alert was open
    (ended at `since` or later), so that the answer finds them.
    """

    systems: frozenset[str]
    alert_id: str
    since: datetime
    when: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class Answered:
    """Whether the provider told the owner.

    Either the answer on a recovery notification (every outage its `alert_id`
    asked about) or, through the service, about one outage (`outage_id`). A later
    answer replaces an earlier one.
    """

    told: bool
    when: datetime
    by: str | None
    alert_id: str | None = None
    outage_id: str | None = None
    note: str | None = None

    @property
    def via(self) -> AnswerVia:
        """A phone answers by alert, the service by outage id."""
        return AnswerVia.SERVICE if self.outage_id is not None else AnswerVia.PHONE


@dataclass(frozen=True, kw_only=True, slots=True)
class SelfHealed:
    """What self-heal did about an outage (open or just closed).

    tried: one attempt ({"at", "action", "entity_id"}), added to its list;
    healed / reason: how it ended.
    """

    outage_id: str
    tried: Mapping[str, str] | None = None
    healed: bool | None = None
    reason: str | None = None


type OutageNote = AlertSent | PushFailed | Acknowledged | Asked | Answered | SelfHealed


class Records(Protocol):
    """The outage records, as the history indexes them (history_index.py)."""

    def records(self, system_id: str) -> Sequence[OutageRecord]:
        """A system's records, oldest first."""
        ...

    def find(self, outage_id: str) -> OutageRecord | None:
        """A record by its id."""
        ...

    def all(self) -> Sequence[OutageRecord]:
        """Every record, oldest first."""
        ...


def _set_self_heal(record: OutageRecord, note: SelfHealed) -> None:
    mark = record.self_heal or SelfHealMark()
    if note.tried is not None:
        mark.tried.append(dict(note.tried))
    if note.healed is not None:
        mark.healed = note.healed
    if note.reason is not None:
        mark.reason = note.reason
    record.self_heal = mark


def _open_or_latest_alerted(
    system_id: str, outages: Records, open_outages: Mapping[str, OutageRecord]
) -> OutageRecord | None:
    return open_outages.get(system_id) or next(
        (r for r in reversed(outages.records(system_id)) if r.alert_sent is not None),
        None,
    )


def _going_on(
    system_id: str, outages: Records, since: datetime, when: datetime
) -> list[OutageRecord]:
    """A system's records going on at some time from `since` to `when`."""
    found = []
    for record in reversed(outages.records(system_id)):  # newest first
        if record.end is not None and record.end < since:
            break  # (a system's records follow each other)
        if record.start <= when:
            found.append(record)
    return found[::-1]


def _found(record: OutageRecord | None) -> list[OutageRecord]:
    return [] if record is None else [record]


def targets(
    note: OutageNote, outages: Records, open_outages: Mapping[str, OutageRecord]
) -> Iterable[OutageRecord]:
    """The outages a note is about (before filtering those it no longer changes).

    Only the systems' newest records are looked at, except for a phone's answer
    (the outages its alert asked about, anywhere in the history).
    """
    match note:
        case AlertSent() | PushFailed():
            return [open_outages[s] for s in note.systems if s in open_outages]
        case Acknowledged():
            return [
                record
                for s in note.systems
                if (record := _open_or_latest_alerted(s, outages, open_outages))
            ]
        case Asked():
            return [
                r
                for s in sorted(note.systems)
                for r in _going_on(s, outages, note.since, note.when)
            ]
        case Answered() if note.outage_id is not None:
            return _found(outages.find(note.outage_id))
        case Answered():
            return [r for r in outages.all() if note.alert_id in r.asked_alerts]
        case SelfHealed():
            return _found(outages.find(note.outage_id))


def _changes(note: OutageNote, record: OutageRecord) -> bool:
    """Set what the note says on one outage; False when it leaves it as it was."""
    match note:
        case AlertSent():
            if record.alert_sent is not None:
                return False
            record.alert_sent = note.when
        case PushFailed():
            failure = {
                "at": note.when.isoformat(),
                "phone": note.phone,
                "error": note.error,
                "final": "yes" if note.final else "no",
            }
            record.push_failures = [*record.push_failures, failure][-MAX_PUSH_FAILURES:]
        case Acknowledged():
            if record.acknowledged_at is not None:
                return False
            record.acknowledged_at = note.when
            record.acknowledged_by = note.by
        case Asked():
            record.ask(note.alert_id, note.when)
        case Answered():
            record.answer(
                told=note.told, when=note.when, by=note.by, via=note.via, note=note.note
            )
        case SelfHealed():
            _set_self_heal(record, note)
    return True


def apply(
    note: OutageNote, outages: Records, open_outages: Mapping[str, OutageRecord]
) -> list[OutageRecord]:
    """Put a note on the outages it is about; returns those it changed."""
    return [
        record
        for record in targets(note, outages, open_outages)
        if _changes(note, record)
    ]
