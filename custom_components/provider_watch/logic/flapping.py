"""When a new outage is the same outage again: flapping. Pure: no Home Assistant.

A system flaps when it keeps coming back and dropping again. The rule, exactly:

- a drop *follows* an outage record when it began after that record ended, at most
  FLAP_WINDOW later (a system back for less than 10 minutes was not really back;
  one that "drops" the very moment it came back is a record put right, not a flap),
  with the record's cause (an outage of the home's internet right after one of the
  provider's cloud is another story);
- a run of FLAP_THRESHOLD (3, as the alerts count a flapper) or more drops, each
  following the one before, is one record: at the third drop the second record is
  folded into the first, which re-opens; every further drop of the run re-opens it
  again (one more flap, see OutageRecord.gaps). One or two quick drops stay records
  of their own;
- a record holds at most MAX_FLAPS flaps: a system that flaps for days gets a
  record about every MAX_FLAPS flaps (each a run of its own), so that the oldest can
  be summarised (rollups.py).

The downtime stays what it was: the record keeps when the system was back inside
it, so the figures and the report sum the real times offline.
"""

from datetime import datetime, timedelta
from enum import Enum, auto

from .gaps import tenths
from .outages import (
    MAX_ASKED_ALERTS,
    MAX_PUSH_FAILURES,
    MAX_SELF_HEAL_TRIES,
    OutageRecord,
    SelfHealMark,
)

FLAP_WINDOW = timedelta(minutes=10)
FLAP_THRESHOLD = 3  # drops in a run that make it one record
MAX_FLAPS = 1000


class Fold(Enum):
    """What a new drop does to a system's newest records."""

    NEW = auto()  # a record of its own
    REOPEN = auto()  # the newest record goes on (one more flap)
    MERGE = auto()  # the third drop of a run: the newest record folds into the one
    # before, which goes on


def follows(previous: OutageRecord, start: datetime, cause: str | None) -> bool:
    """Whether a drop at `start` with `cause` follows `previous` (see the module)."""
    return (
        previous.end is not None
        and previous.end < start <= previous.end + FLAP_WINDOW
        and previous.cause == cause
    )


def fold(
    before: OutageRecord | None,
    previous: OutageRecord | None,
    start: datetime,
    cause: str | None,
) -> Fold:
    """What a drop does, given a system's two newest records (see the module)."""
    if previous is None or not follows(previous, start, cause):
        return Fold.NEW
    if previous.flaps:  # a run already: it goes on while it has room
        return Fold.REOPEN if previous.flaps < MAX_FLAPS else Fold.NEW
    if before is None or not follows(before, previous.start, previous.cause):
        return Fold.NEW  # the run's second drop
    # the run's third drop; a record that is full leaves the run to `previous`
    return Fold.MERGE if before.flaps + 2 <= MAX_FLAPS else Fold.REOPEN


def merge(first: OutageRecord, then: OutageRecord) -> None:
    """Fold the record `then` into the closed record `first`.

    For files written before flapping outages were folded. `first` keeps its id and
    detection; what alerts, phones and self-heal noted on either is kept (the first
    answer and acknowledgement, every alert that asked, the latest push failures).
    """
    offset = tenths(then.start - first.start)
    first.reopen(then.start)
    first.gaps = [*first.gaps, *(offset + g for g in then.gaps)]
    first.end = then.end
    first.alert_sent = first.alert_sent or then.alert_sent
    if first.acknowledged_at is None:
        first.acknowledged_at = then.acknowledged_at
        first.acknowledged_by = then.acknowledged_by
    if first.provider_told is None and then.provider_told is not None:
        first.provider_told = then.provider_told
        first.answered_at = then.answered_at
        first.answered_by = then.answered_by
        first.answered_via = then.answered_via
        first.notice_note = then.notice_note
    first.asked_at = first.asked_at or then.asked_at
    asked = [*first.asked_alerts, *(a for a in then.asked_alerts)]
    first.asked_alerts = list(dict.fromkeys(asked))[-MAX_ASKED_ALERTS:]
    first.push_failures = [*first.push_failures, *then.push_failures][
        -MAX_PUSH_FAILURES:
    ]
    if then.self_heal is not None:
        mark = first.self_heal or SelfHealMark()
        mark.tried = [*mark.tried, *then.self_heal.tried][-MAX_SELF_HEAL_TRIES:]
        mark.healed = then.self_heal.healed
        mark.reason = then.self_heal.reason
        first.self_heal = mark


def fold_all(records: list[OutageRecord]) -> list[OutageRecord]:
    """Records (oldest first) with each system's flapping runs folded.

    As `fold` would have done as they happened.
    """
    newest: dict[str, list[OutageRecord]] = {}
    kept: list[OutageRecord] = []
    for record in records:
        mine = newest.setdefault(record.system_id, [])
        before, previous = (
            (mine[-2] if len(mine) > 1 else None),
            (mine[-1] if mine else None),
        )
        match fold(before, previous, record.start, record.cause):
            case Fold.REOPEN if previous is not None:
                merge(previous, record)
            case Fold.MERGE if before is not None and previous is not None:
                merge(before, previous)
                merge(before, record)
                mine.pop()
                kept.remove(previous)
            case _:
                mine.append(record)
                kept.append(record)
    return kept
