"""Uptime figures from outage intervals. Pure: no Home Assistant.

Every time is an aware datetime and every sum is taken on the UTC time line, so a
DST change never adds or removes an hour of downtime. Only the report's calendar
periods are local: a month is from local midnight on its first day to local midnight
on the first day of the next month (in Europe/Berlin, October has 745 hours).

Definitions (docs/evidence.md repeats them for the sensors and the report):

- observed: the part of the window after the system was added (and not after
  "now"); time before a system was monitored counts neither as up nor as down.
- downtime: the observed time inside any outage (overlapping records are merged).
- outages: outages that overlap the observed window, including one that began before
  the window and one still going on.
- longest: the longest outage's part inside the window.
- uptime: 100 * (observed - downtime) / observed; None while nothing was observed.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo


@dataclass(frozen=True, kw_only=True, slots=True)
class Interval:
    """One outage on the time line."""

    start: datetime
    end: datetime | None = None  # None: still offline


@dataclass(frozen=True, kw_only=True, slots=True)
class Window:
    """A span of time figures are computed over: [start, end)."""

    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        """The window's length (0 when it is empty or reversed)."""
        return max(0.0, (self.end - self.start).total_seconds())

    def clipped(self, observed_from: datetime | None, now: datetime) -> Window:
        """The part of the window after observed_from and not after now."""
        start = self.start if observed_from is None else max(self.start, observed_from)
        end = min(self.end, now)
        return Window(start=start, end=max(start, end))


@dataclass(frozen=True, kw_only=True, slots=True)
class Figures:
    """What a window shows about a system (or a provider)."""

    observed: float = 0.0  # seconds
    downtime: float = 0.0  # seconds
    outages: int = 0
    longest: float = 0.0  # seconds

    @property
    def uptime(self) -> float | None:
        """Uptime in percent of the observed time; None when nothing was observed."""
        if self.observed <= 0:
            return None
        return 100.0 * (self.observed - self.downtime) / self.observed


def merged(
    intervals: Iterable[Interval], now: datetime
) -> list[tuple[datetime, datetime]]:
    """The intervals as disjoint (start, end) pairs; an ongoing one ends at now.

    Outages that overlap or touch become one (several systems down together count
    once at the provider level).
    """
    spans = sorted(
        (i.start, now if i.end is None else i.end)
        for i in intervals
        if (now if i.end is None else i.end) > i.start
    )
    result: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def figures(
    intervals: Iterable[Interval],
    window: Window,
    *,
    added: datetime | None,
    now: datetime,
) -> Figures:
    """The figures of one timeline over a window (see the module's definitions)."""
    seen = window.clipped(added, now)
    if seen.seconds <= 0:
        return Figures()
    downtime = 0.0
    outages = 0
    longest = 0.0
    for start, end in merged(intervals, now):
        inside = (min(end, seen.end) - max(start, seen.start)).total_seconds()
        if inside <= 0:  # ended before the window, or began after it
            continue
        outages += 1
        downtime += max(0.0, inside)
        longest = max(longest, inside)
    return Figures(
        observed=seen.seconds, downtime=downtime, outages=outages, longest=longest
    )


def current_outage(intervals: Iterable[Interval], now: datetime) -> float:
    """Seconds the ongoing outage has lasted so far (0 when online)."""
    return max(
        (
            (now - i.start).total_seconds()
            for i in intervals
            if i.end is None and i.start <= now
        ),
        default=0.0,
    )


def last(duration: timedelta, now: datetime) -> Window:
    """The window of the last `duration` up to now."""
    return Window(start=now - duration, end=now)


def local_midnight(day: date, zone: tzinfo) -> datetime:
    """The start of a local calendar day, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def days(first: date, last_day: date, zone: tzinfo) -> Window:
    """Whole local days, first to last inclusive."""
    return Window(
        start=local_midnight(first, zone),
        end=local_midnight(last_day + timedelta(days=1), zone),
    )


def calendar_month(year: int, month: int, zone: tzinfo) -> Window:
    """A local calendar month."""
    following = date(year + month // 12, month % 12 + 1, 1)
    return Window(
        start=local_midnight(date(year, month, 1), zone),
        end=local_midnight(following, zone),
    )


def previous_month(now: datetime, zone: tzinfo) -> tuple[int, int]:
    """(year, month) of the last complete local month."""
    today = now.astimezone(zone).date()
    first = today.replace(day=1) - timedelta(days=1)
    return first.year, first.month


def combined_timeline(
    timelines: Sequence[tuple[datetime | None, Sequence[Interval]]],
) -> tuple[datetime | None, list[Interval]]:
    """Several systems as one provider timeline: down while any system is down.

    Returns the earliest time a system was added and every outage; `figures` merges
    the overlaps, so the provider's figures count wall-clock time, and outages that
    happen together count once.
    """
    added = [a for a, _ in timelines if a is not None]
    return (
        min(added) if added else None,
        [interval for _, intervals in timelines for interval in intervals],
    )
