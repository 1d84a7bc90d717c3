"""Monthly summaries of the outages a system's bound no longer keeps. Pure: no HA.

The history keeps at most MAX_RECORDS outage records and MAX_FLAPS_KEPT flaps per
system (see tracking.py). Beyond that its oldest closed records are not dropped but
summarised, per system and local calendar month, as a `Rollup`: how many outages
and times offline, their downtime, the longest time offline, their causes and
whether the provider told the owner. The figures and the report count them:

- a window that holds all of a summary's outages (from its first to its last time
  offline) counts them exactly;
- a window that holds part of it counts the part pro rata (the times offline inside
  a summary are no longer known); the provider's "down while any system is down"
  counts a summary as if it overlapped nothing.

Stored form (the history file's "rollups" list):

    {"system_id", "month": "2026-03", "start", "end" (the month, local),
     "first", "last", "outages", "offline", "flaps", "downtime", "longest",
     "causes": {"<cause>": n}, "told", "not_told", "unanswered"}
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from .cause import Cause
from .cost import billing_month
from .figures import Figures, Window
from .outages import Notice, OutageRecord, as_text, iso
from .state import parse_time
from .timeline import US, from_us, to_us

MAX_RECORDS = 500  # outage records kept per system
MAX_FLAPS_KEPT = 50_000  # flaps kept per system (about a month of a flapping system)


@dataclass(kw_only=True, slots=True)
class Rollup:
    """A month of one system's outages, summarised (see the module)."""

    system_id: str
    month: str  # "YYYY-MM", local when it was summarised
    start: datetime  # the month
    end: datetime
    first: datetime  # the first and the last time offline summarised
    last: datetime
    outages: int = 0  # records that began in the month
    offline: int = 0  # times offline that began in the month (what figures count)
    flaps: int = 0
    downtime: float = 0.0  # seconds offline inside the month
    longest: float = 0.0  # the longest time offline inside the month
    causes: dict[str, int] = field(default_factory=dict)  # records by cause
    told: int = 0
    not_told: int = 0
    unanswered: int = 0

    def share(self, window: Window) -> float:
        """How much of the summary lies inside a window (0 to 1)."""
        start, end = max(self.first, window.start), min(self.last, window.end)
        if self.last <= self.first:
            return 1.0 if window.start <= self.first < window.end else 0.0
        return max(0.0, (end - start) / (self.last - self.first))

    def figures(self, window: Window) -> Figures:
        """What the window shows of it: all of it, or its share pro rata."""
        share = self.share(window)
        if share <= 0:
            return Figures()
        inside = (
            min(self.last, window.end) - max(self.first, window.start)
        ).total_seconds()
        return Figures(
            downtime=self.downtime * share,
            outages=round(self.offline * share) if share < 1 else self.offline,
            longest=self.longest if share >= 1 else min(self.longest, inside),
        )

    def to_dict(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "system_id": self.system_id,
            "month": self.month,
            "start": iso(self.start),
            "end": iso(self.end),
            "first": iso(self.first),
            "last": iso(self.last),
            "outages": self.outages,
            "offline": self.offline,
            "flaps": self.flaps,
            "downtime": self.downtime,
            "longest": self.longest,
            "causes": dict(self.causes),
            "told": self.told,
            "not_told": self.not_told,
            "unanswered": self.unanswered,
        }

    @classmethod
    def from_dict(cls, data: object) -> Rollup | None:
        """Read a stored summary; None when it is not readable."""
        if not isinstance(data, Mapping):
            return None
        times = [
            t
            for k in ("start", "end", "first", "last")
            if (t := parse_time(data.get(k))) is not None
        ]
        system_id, month = data.get("system_id"), as_text(data.get("month"))
        numbers = [
            n
            for k in ("outages", "offline", "flaps", "told", "not_told", "unanswered")
            if isinstance(n := data.get(k), int) and n >= 0
        ]
        seconds = [
            float(s)
            for k in ("downtime", "longest")
            if isinstance(s := data.get(k), int | float) and s >= 0
        ]
        causes = data.get("causes")
        if (
            not isinstance(system_id, str)
            or month is None
            or len(times) < 4
            or len(numbers) < 6
            or len(seconds) < 2
            or not isinstance(causes, Mapping)
        ):
            return None
        start, end, first, last = times
        return cls(
            system_id=system_id,
            month=month,
            start=start,
            end=end,
            first=first,
            last=last,
            outages=numbers[0],
            offline=numbers[1],
            flaps=numbers[2],
            downtime=seconds[0],
            longest=seconds[1],
            causes={
                str(k): v for k, v in causes.items() if isinstance(v, int) and v >= 0
            },
            told=numbers[3],
            not_told=numbers[4],
            unanswered=numbers[5],
        )


def _month_of(when: datetime, zone: tzinfo) -> tuple[str, Window]:
    window = billing_month(when, zone)
    return window.start.astimezone(zone).strftime("%Y-%m"), window


def summarise(
    records: Iterable[OutageRecord], rollups: list[Rollup], zone: tzinfo
) -> None:
    """Add closed records to a system's monthly summaries (changed in place).

    Each time offline is split at the local month's end, so a month's downtime is
    exactly the downtime inside it; a record counts (outages, flaps, causes,
    answers) in the month it began.
    """
    by_month = {r.month: r for r in rollups}

    def rollup_for(system_id: str, when: datetime) -> Rollup:
        month, window = _month_of(when, zone)
        found = by_month.get(month)
        if found is None:
            found = Rollup(
                system_id=system_id,
                month=month,
                start=window.start,
                end=window.end,
                first=when,
                last=when,
            )
            by_month[month] = found
            rollups.append(found)
        return found

    for record in records:
        first = rollup_for(record.system_id, record.start)
        first.outages += 1
        first.flaps += record.flaps
        cause = record.cause if record.cause in set(Cause) else Cause.UNKNOWN.value
        first.causes = dict(Counter(first.causes) + Counter({cause: 1}))
        match record.notice:
            case Notice.TOLD:
                first.told += 1
            case Notice.NOT_TOLD:
                first.not_told += 1
            case Notice.UNANSWERED:
                first.unanswered += 1
            case _:
                pass
        for stretch_start, end_us in record.stretches():
            at = stretch_start
            while end_us > at:  # a part per month
                start = from_us(at)
                rollup = rollup_for(record.system_id, start)
                part_end = min(end_us, to_us(rollup.end))
                seconds = (part_end - at) / US
                rollup.offline += 1 if at == stretch_start else 0
                rollup.downtime += seconds
                rollup.longest = max(rollup.longest, seconds)
                rollup.first = min(rollup.first, start)
                rollup.last = max(rollup.last, from_us(part_end))
                at = part_end
    rollups.sort(key=lambda r: r.start)


def rollup_figures(rollups: Iterable[Rollup], window: Window) -> Figures:
    """What a window shows of some summaries (observed time not included)."""
    downtime = longest = 0.0
    outages = 0
    for rollup in rollups:
        part = rollup.figures(window)
        downtime += part.downtime
        outages += part.outages
        longest = max(longest, part.longest)
    return Figures(downtime=downtime, outages=outages, longest=longest)


def with_rollups(result: Figures, summary: Figures) -> Figures:
    """Figures of kept records plus what summaries add (downtime at most observed)."""
    if summary.downtime <= 0 and summary.outages == 0:
        return result
    return Figures(
        observed=result.observed,
        downtime=min(result.observed, result.downtime + summary.downtime),
        outages=result.outages + summary.outages,
        longest=max(result.longest, summary.longest),
    )
