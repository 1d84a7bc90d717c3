"""The HTML report's charts: an uptime strip and an outage timeline per system.

Pure: no Home Assistant. The geometry (which bar, how tall, what colour; where an
outage sits on the time line) is computed here from the same outages and the same
rules as the figures (logic/figures.py: overlapping outages merged, nothing before
the system was first monitored or after now), then drawn as inline SVG.

- The strip has one bar per local day of the period, STRIP_WIDTH units wide in all
  (a 30-day period: 24 units a day, 1 unit an hour). A bar's level is the share of
  the day's monitored time that was offline: none; under 1 %; 1 % to under 10 %;
  10 % or more. The three levels with downtime are also patterned (dots, hatching,
  cross-hatching), so they differ without colour; a day nobody monitored is a short
  grey bar.
- The timeline runs from the period's start (x 0) to its end (x STRIP_WIDTH) on the
  UTC time line; each outage is a box from its start to its end (an ongoing one to
  now), cut at the period's edges, drawn at least MIN_SPAN wide.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from html import escape

from .figures import Interval, Window, local_midnight, merged
from .outages import OutageRecord
from .report_style import (
    BAND,
    CAUSE_COLOURS,
    MAJOR,
    MINOR,
    RULE,
    SEVERE,
    UNMONITORED,
    UP,
)
from .report_words import local_days

STRIP_WIDTH = 720.0
STRIP_HEIGHT = 32.0
LOW_HEIGHT = 8.0  # a day nobody monitored
GAP = 0.2  # the part of a day's room left blank between bars
TIMELINE_HEIGHT = 18.0
MIN_SPAN = 1.5  # a 45 s outage in a 30-day period is still seen
MINOR_BELOW = 0.01  # share of a day offline
SEVERE_FROM = 0.10
WHITE = "#ffffff"


class Level(StrEnum):
    """How much of a day was offline."""

    UP = "up"
    MINOR = "minor"
    MAJOR = "major"
    SEVERE = "severe"
    UNMONITORED = "unmonitored"


def level_of(share: float | None) -> Level:
    """The level of a day from its share offline (None: not monitored)."""
    if share is None:
        return Level.UNMONITORED
    if share <= 0:
        return Level.UP
    if share < MINOR_BELOW:
        return Level.MINOR
    if share < SEVERE_FROM:
        return Level.MAJOR
    return Level.SEVERE


FILL = {
    Level.UP: UP,
    Level.MINOR: "url(#pw-minor)",
    Level.MAJOR: "url(#pw-major)",
    Level.SEVERE: "url(#pw-severe)",
    Level.UNMONITORED: UNMONITORED,
}

# The patterns, once per document (an HTML page shares its ids between its SVGs).
DEFS = (
    '<svg class="defs" width="0" height="0" aria-hidden="true" '
    'style="position:absolute">'
    '<pattern id="pw-minor" width="4" height="4" patternUnits="userSpaceOnUse">'
    f'<rect width="4" height="4" fill="{MINOR}"/>'
    f'<circle cx="2" cy="2" r="1" fill="{WHITE}"/></pattern>'
    '<pattern id="pw-major" width="4" height="4" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)">'
    f'<rect width="4" height="4" fill="{MAJOR}"/>'
    f'<rect width="1.2" height="4" fill="{WHITE}"/></pattern>'
    '<pattern id="pw-severe" width="4" height="4" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)">'
    f'<rect width="4" height="4" fill="{SEVERE}"/>'
    f'<path d="M0 2H4M2 0V4" stroke="{WHITE}" stroke-width="0.8"/></pattern>'
    "</svg>"
)


@dataclass(frozen=True, kw_only=True, slots=True)
class DayBar:
    """One day of the uptime strip."""

    day: date
    observed: float  # seconds of the day the system was monitored
    downtime: float  # seconds of those it was offline
    x: float
    width: float
    y: float
    height: float

    @property
    def share(self) -> float | None:
        """The part of the monitored time offline (None: not monitored)."""
        return self.downtime / self.observed if self.observed > 0 else None

    @property
    def level(self) -> Level:
        """How it is drawn."""
        return level_of(self.share)


def day_windows(window: Window, zone: tzinfo) -> list[tuple[date, Window]]:
    """The local days of a window, each cut to the window."""
    first, last = local_days(window, zone)
    found = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        start = max(local_midnight(day, zone), window.start)
        end = min(local_midnight(day + timedelta(days=1), zone), window.end)
        found.append((day, Window(start=start, end=max(start, end))))
    return found


def day_bars(
    intervals: Iterable[Interval],
    window: Window,
    zone: tzinfo,
    *,
    added: datetime | None,
    now: datetime,
    width: float = STRIP_WIDTH,
    height: float = STRIP_HEIGHT,
) -> list[DayBar]:
    """The strip of one system: one bar per local day of the window."""
    seen = window.clipped(added, now)
    spans = [
        (max(start, seen.start), min(end, seen.end))
        for start, end in merged(intervals, now)
        if end > seen.start and start < seen.end
    ]
    days = day_windows(window, zone)
    pitch = width / len(days)
    bars = []
    first = 0  # the first span that may reach into the day
    for index, (day, part) in enumerate(days):
        start, end = max(part.start, seen.start), min(part.end, seen.end)
        observed = max(0.0, (end - start).total_seconds())
        downtime = 0.0
        if observed > 0:
            while first < len(spans) and spans[first][1] <= start:
                first += 1
            for span_start, span_end in spans[first:]:
                if span_start >= end:
                    break
                downtime += (
                    min(span_end, end) - max(span_start, start)
                ).total_seconds()
        tall = height if observed > 0 else LOW_HEIGHT
        bars.append(
            DayBar(
                day=day,
                observed=observed,
                downtime=downtime,
                x=index * pitch,
                width=pitch * (1 - GAP),
                y=height - tall,
                height=tall,
            )
        )
    return bars


@dataclass(frozen=True, kw_only=True, slots=True)
class Span:
    """One outage on a system's timeline."""

    record: OutageRecord
    x: float  # where it starts
    width: float  # exactly as long as it lasted inside the period

    @property
    def drawn(self) -> float:
        """The width drawn: never too narrow to see."""
        return max(self.width, MIN_SPAN)


def position(moment: datetime, window: Window, width: float = STRIP_WIDTH) -> float:
    """Where a moment is on a timeline of the window (clamped to its ends)."""
    if window.seconds <= 0:
        return 0.0
    offset = (moment - window.start).total_seconds() / window.seconds
    return min(max(offset, 0.0), 1.0) * width


def timeline(
    records: Iterable[OutageRecord],
    window: Window,
    now: datetime,
    width: float = STRIP_WIDTH,
) -> list[Span]:
    """The outages of one system on the window's time line."""
    spans = []
    for record in records:
        start = position(record.start, window, width)
        end = position(min(record.end or now, now), window, width)
        if end > start:
            spans.append(Span(record=record, x=start, width=end - start))
    return spans


def band(
    window: Window, added: datetime | None, now: datetime, width: float = STRIP_WIDTH
) -> tuple[float, float]:
    """(x, width) of the monitored part of a timeline."""
    seen = window.clipped(added, now)
    start = position(seen.start, window, width)
    return start, position(seen.end, window, width) - start


def num(value: float) -> str:
    """A coordinate, short: 48, 19.2, 0.13."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def strip_svg(bars: Sequence[DayBar], titles: Sequence[str], label: str) -> str:
    """The uptime strip; titles[i] says bar i's figures (shown on hover)."""
    rects = "".join(
        f'<rect x="{num(bar.x)}" y="{num(bar.y)}" width="{num(bar.width)}" '
        f'height="{num(bar.height)}" fill="{FILL[bar.level]}">'
        f"<title>{escape(title)}</title></rect>"
        for bar, title in zip(bars, titles, strict=True)
    )
    return (
        f'<svg viewBox="0 0 {num(STRIP_WIDTH)} {num(STRIP_HEIGHT)}" role="img" '
        f'aria-label="{escape(label)}">{rects}</svg>'
    )


def timeline_svg(
    spans: Sequence[Span],
    titles: Sequence[str],
    monitored: tuple[float, float],
    label: str,
) -> str:
    """The outage timeline; titles[i] says outage i's times (shown on hover)."""
    middle = TIMELINE_HEIGHT / 2
    axis = f'<rect x="0" y="{num(middle - 0.5)}" width="{num(STRIP_WIDTH)}" height="1"'
    seen = f'<rect x="{num(monitored[0])}" y="{num(middle - 4)}" height="8"'
    parts = [
        f'{axis} fill="{RULE}"/>',
        f'{seen} width="{num(monitored[1])}" fill="{BAND}"/>',
    ]
    for span, title in zip(spans, titles, strict=True):
        x = min(span.x, STRIP_WIDTH - span.drawn)
        cause = span.record.cause or "unknown"
        colour = CAUSE_COLOURS.get(cause, CAUSE_COLOURS["unknown"])
        parts.append(
            f'<rect x="{num(x)}" y="1" width="{num(span.drawn)}" '
            f'height="{num(TIMELINE_HEIGHT - 2)}" fill="{colour}">'
            f"<title>{escape(title)}</title></rect>"
        )
    return (
        f'<svg viewBox="0 0 {num(STRIP_WIDTH)} {num(TIMELINE_HEIGHT)}" role="img" '
        f'aria-label="{escape(label)}">{"".join(parts)}</svg>'
    )


def swatch(fill: str) -> str:
    """A legend's sample of a fill."""
    return (
        '<svg viewBox="0 0 10 10" aria-hidden="true">'
        f'<rect width="10" height="10" fill="{fill}"/></svg>'
    )
