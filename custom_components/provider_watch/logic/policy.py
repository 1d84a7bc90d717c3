"""The alert policy: who hears what, when (no Home Assistant imports).

Input: the systems that are offline now (with their cause), the settings of their
providers, and the alert records kept so far. Output: the notices to send and the
records to keep. Outages are grouped by root cause so that one internet outage is
one alert, not N; a system alerted on its own stays in its own alert until it
recovers; a child whose parent recovers while it stays down is alerted on its own.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
import secrets

from .cause import Cause

INTERNET_KEY = "internet"
FLAP_WINDOW = timedelta(hours=2)
FLAP_THRESHOLD = 3  # offline transitions within the window that make a flapper
DIGEST_INTERVAL = timedelta(hours=1)


class NoticeKind(StrEnum):
    """What a notice tells the phone."""

    OFFLINE = "offline"
    REPEAT = "repeat"
    ESCALATION = "escalation"
    RECOVERY = "recovery"
    DIGEST = "digest"  # a flapping system: one summary instead of a pair per flap
    # more systems joined an internet / provider-cloud alert already sent: its
    # notification is replaced (quietly) with the systems it is about now
    UPDATE = "update"
    CLEAR = "clear"  # remove the notification without a sound (after a digest)


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    """A provider's alert settings."""

    repeat: tuple[int, ...] = (30, 120)  # minutes; the last value repeats
    escalate_after: int | None = None  # minutes unacknowledged before escalation
    critical: bool = False
    quiet_start: time | None = None
    quiet_end: time | None = None
    critical_ignores_quiet: bool = True
    # an alert spanning providers: held only while these are held too
    also: tuple[Settings, ...] = ()

    def in_quiet_hours(self, local_now: time) -> bool:
        """True inside the quiet window (which may span midnight)."""
        if self.quiet_start is None or self.quiet_end is None:
            return False
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= local_now < self.quiet_end
        return local_now >= self.quiet_start or local_now < self.quiet_end

    def held(self, local_now: time) -> bool:
        """Whether a new or repeated alert must wait for the end of quiet hours."""
        if self.critical and self.critical_ignores_quiet:
            return False
        return self.in_quiet_hours(local_now) and all(
            other.held(local_now) for other in self.also
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class Offline:
    """A system that is offline now."""

    system_id: str
    provider_id: str
    cause: Cause
    since: datetime
    flapping: bool = False

    @property
    def key(self) -> str:
        """The alert this outage belongs to, by its root cause."""
        if self.flapping:
            return f"flap:{self.system_id}"
        if self.cause is Cause.INTERNET:
            return INTERNET_KEY
        if self.cause is Cause.PROVIDER_CLOUD:
            return f"cloud:{self.provider_id}"
        return f"system:{self.system_id}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Record:
    """One alert: its systems, what was sent, acknowledged or snoozed."""

    key: str
    alert_id: str
    opened: datetime
    systems: frozenset[str] = frozenset()
    providers: frozenset[str] = frozenset()
    sent: datetime | None = None  # when the first offline alert went out
    last_sent: datetime | None = None
    repeats: int = 0
    escalated: datetime | None = None
    acked: datetime | None = None
    acked_by: str | None = None
    snoozed_until: datetime | None = None

    @property
    def is_parent(self) -> bool:
        """An internet or provider-cloud alert standing for several systems."""
        return self.key == INTERNET_KEY or self.key.startswith("cloud:")

    @property
    def is_digest(self) -> bool:
        """A flapping system's digest."""
        return self.key.startswith("flap:")


@dataclass(frozen=True, kw_only=True, slots=True)
class AlertNotice:
    """Something to tell the phones."""

    kind: NoticeKind
    record: Record
    escalation: bool = False  # for the escalation tier's phones
    # an update while the alert is acknowledged, snoozed or in quiet hours changes
    # the persistent notification only
    phones: bool = True


@dataclass(kw_only=True, slots=True)
class Plan:
    """The outcome of one policy pass."""

    records: dict[str, Record] = field(default_factory=dict)
    notices: list[AlertNotice] = field(default_factory=list)
    next_check: datetime | None = None

    def wake_at(self, when: datetime | None) -> None:
        """Ask to be run again at `when` (the earliest wins)."""
        if when is not None and (self.next_check is None or when < self.next_check):
            self.next_check = when


def new_alert_id() -> str:
    """A short correlation id for action buttons (iOS does not echo the tag)."""
    return secrets.token_hex(6)


def is_flapping(transitions: Iterable[datetime], now: datetime) -> bool:
    """Offline often enough lately to be summarised, not announced each time."""
    return sum(1 for t in transitions if now - t <= FLAP_WINDOW) >= FLAP_THRESHOLD


def repeat_due(record: Record, settings: Settings) -> datetime | None:
    """When the next repeat is due (None: never)."""
    if record.last_sent is None or not settings.repeat:
        return None
    index = min(record.repeats, len(settings.repeat) - 1)
    return record.last_sent + timedelta(minutes=settings.repeat[index])


def plan(  # noqa: PLR0912
    records: Mapping[str, Record],
    offline: Sequence[Offline],
    settings: Mapping[str, Settings],
    now: datetime,
    local_now: time,
    *,
    unseen: frozenset[str] = frozenset(),
    gone: frozenset[str] = frozenset(),
) -> Plan:
    """Decide the notices for now, and the records to keep.

    unseen: systems whose state cannot be seen right now (their provider is
    reloading, or they are in maintenance): their alerts stay as they are, silent.
    gone: systems that were removed: they leave their alerts without a recovery.
    """
    result = Plan()
    down = {o.system_id: o for o in offline}
    kept: dict[str, Record] = {}

    # 1. Existing alerts keep their systems while those stay down. A system leaves a
    #    parent (internet / provider cloud) alert when its cause is no longer that
    #    parent: it is then alerted on its own below.
    homeless: list[Offline] = []
    resting: set[str] = set()
    for key, record in records.items():
        members: set[str] = set()
        removed = False
        for system_id in record.systems:
            outage = down.get(system_id)
            if outage is None:
                if system_id in unseen:
                    members.add(system_id)
                removed = removed or system_id in gone
                continue
            if record.is_parent and outage.key != key and not outage.flapping:
                homeless.append(outage)
                continue
            members.add(system_id)
        if members:
            kept[key] = replace(record, systems=frozenset(members))
        elif (
            record.is_digest
            and record.last_sent
            and now < (quiet_until := record.last_sent + DIGEST_INTERVAL)
        ):
            # a flapper that is up right now: keep its digest, so that the next
            # flap within the hour sends nothing new
            kept[key] = record
            resting.add(key)
            result.wake_at(quiet_until)
        elif record.sent is not None and not record.is_digest and not removed:
            result.notices.append(AlertNotice(kind=NoticeKind.RECOVERY, record=record))
        elif record.sent is not None:
            result.notices.append(AlertNotice(kind=NoticeKind.CLEAR, record=record))

    # 2. Outages without an alert join (or open) the alert of their root cause.
    assigned = {s for record in kept.values() for s in record.systems}
    joining = [o for o in offline if o.system_id not in assigned] + homeless
    grown = _join(kept, joining, now)

    # 3. Send, repeat, escalate — unless acknowledged, snoozed or in quiet hours.
    for key, record in kept.items():
        policy = _merged(settings, record.providers)
        current = record
        if key in resting or current.systems <= unseen:  # nothing to send now
            result.records[key] = current
            continue
        current = _first(current, policy, now, local_now, result)
        told = len(result.notices)
        if (
            current.sent is not None
            and current.acked is None
            and current.snoozed_until is None
        ):
            current = _follow_up(current, policy, now, local_now, result)
        if key in grown:
            _update(current, policy, local_now, result, told)
        result.records[key] = current
    return result


HELD_RECHECK = timedelta(minutes=5)  # how often held alerts look at the clock again


def _first(
    record: Record, policy: Settings, now: datetime, local_now: time, result: Plan
) -> Record:
    """Send a new alert, unless it is snoozed or held for quiet hours."""
    if record.snoozed_until is not None and record.snoozed_until <= now:
        record = replace(record, snoozed_until=None)
    if record.snoozed_until is not None:
        result.wake_at(record.snoozed_until)
    elif record.sent is None:
        if policy.held(local_now):
            result.wake_at(now + HELD_RECHECK)  # look again after quiet hours
        else:
            kind = NoticeKind.DIGEST if record.is_digest else NoticeKind.OFFLINE
            record = replace(record, sent=now, last_sent=now)
            result.notices.append(AlertNotice(kind=kind, record=record))
    return record


def _update(
    record: Record, policy: Settings, local_now: time, result: Plan, told: int
) -> None:
    """Systems joined a sent alert: it is told anew, unless a reminder just was.

    told: how many notices the pass had before this alert's.
    """
    if any(n.kind is NoticeKind.REPEAT for n in result.notices[told:]):
        return  # the reminder names them all
    result.notices.append(
        AlertNotice(
            kind=NoticeKind.UPDATE,
            record=record,
            phones=record.acked is None
            and record.snoozed_until is None
            and not policy.held(local_now),
        )
    )


def _join(kept: dict[str, Record], joining: list[Offline], now: datetime) -> set[str]:
    """Outages join (or open) the alert of their root cause.

    Returns the keys of the alerts already sent that systems joined.
    """
    grown: set[str] = set()
    for outage in joining:
        record = kept.get(outage.key) or Record(
            key=outage.key, alert_id=new_alert_id(), opened=now
        )
        if record.sent is not None:
            grown.add(outage.key)
        kept[outage.key] = replace(
            record,
            systems=record.systems | {outage.system_id},
            providers=record.providers | {outage.provider_id},
        )
    return grown


def _follow_up(
    record: Record, policy: Settings, now: datetime, local_now: time, result: Plan
) -> Record:
    """Repeat (or re-send a digest) and escalate an unacknowledged alert."""
    held = policy.held(local_now)
    due: datetime | None = (
        (record.last_sent or now) + DIGEST_INTERVAL
        if record.is_digest
        else repeat_due(record, policy)
    )
    if due is not None and due <= now:
        if held:
            due = now + HELD_RECHECK
        else:
            kind = NoticeKind.DIGEST if record.is_digest else NoticeKind.REPEAT
            record = replace(record, last_sent=now, repeats=record.repeats + 1)
            result.notices.append(AlertNotice(kind=kind, record=record))
            due = (
                (record.last_sent or now) + DIGEST_INTERVAL
                if record.is_digest
                else repeat_due(record, policy)
            )
    result.wake_at(due)
    if policy.escalate_after is not None and record.escalated is None and record.sent:
        escalate_at = record.sent + timedelta(minutes=policy.escalate_after)
        if escalate_at > now:
            result.wake_at(escalate_at)
        elif held:
            result.wake_at(now + HELD_RECHECK)
        else:
            record = replace(record, escalated=now)
            result.notices.append(
                AlertNotice(kind=NoticeKind.ESCALATION, record=record, escalation=True)
            )
    return record


def _merged(settings: Mapping[str, Settings], providers: Iterable[str]) -> Settings:
    """One policy for an alert that spans providers: the most urgent wins.

    Critical if any is, the earliest escalation, the shortest reminder schedule,
    and held for quiet hours only while every provider is quiet.
    """
    chosen = [settings[p] for p in sorted(providers) if p in settings]
    if not chosen:
        return Settings()
    if len(chosen) == 1:
        return chosen[0]
    escalations = [s.escalate_after for s in chosen if s.escalate_after is not None]
    schedules = [s.repeat for s in chosen if s.repeat]
    return replace(
        chosen[0],
        repeat=min(schedules, key=lambda r: (r[0], r)) if schedules else (),
        critical=any(s.critical for s in chosen),
        escalate_after=min(escalations) if escalations else None,
        also=tuple(chosen[1:]),
    )


def acknowledge(record: Record, now: datetime, by: str | None) -> Record:
    """Stop repeats and escalation for this alert (monitoring continues)."""
    return replace(record, acked=now, acked_by=by)


def snooze(record: Record, until: datetime) -> Record:
    """Mute this alert until `until`."""
    return replace(record, snoozed_until=until)
