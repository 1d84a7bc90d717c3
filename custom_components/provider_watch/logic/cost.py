"""What the provider was paid, and what it delivered. Pure: no Home Assistant.

Definitions (docs/evidence.md repeats them for the sensors and the report):

- billing month: the calendar month in Home Assistant's time zone, from local
  midnight on the 1st to local midnight on the 1st of the next month (October in
  Europe/Berlin has 745 hours). There is no "billing day": a fee is a monthly price,
  and the calendar month is what the figures and the report use too.
- downtime: per system, the time inside its outages within the period, exactly as
  the uptime figures count it (logic/figures.py: overlapping records merged, an
  outage that spans the period's edge counted only inside it, an ongoing outage up
  to now, nothing before the system was first monitored), then added up over the
  systems. Two systems offline during the same hour count two hours: the fee pays
  for every system, every hour. The history records no maintenance windows (the
  maintenance switch only holds alerts), so, as in the uptime figures, time offline
  during maintenance counts.
- monitored time: each system's observed time in the period, added up (that is
  systems * elapsed time when every system was monitored all along).
- offline share: downtime / monitored time.
- paid: the part of the monthly fee that covers the elapsed part of the period: for
  each calendar month the period touches, fee * (its elapsed part / its length). A
  whole month is the fee; the first 10 days of a 30-day month are a third of it.
- value of the downtime: paid * offline share, i.e. what the offline time was worth
  at the fee's rate. Over a whole month it is fee * offline share; during the month
  it only grows with outage minutes (it never shrinks as the month goes on).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from .figures import Figures, Interval, Window, calendar_month, figures


@dataclass(frozen=True, kw_only=True, slots=True)
class Contract:
    """What the owner pays the provider (the provider's options)."""

    monthly_fee: float | None = None
    currency: str | None = None  # ISO 4217
    renews: date | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Timeline:
    """One system: when it was first monitored, and its outages."""

    added: datetime | None
    intervals: Sequence[Interval]


@dataclass(frozen=True, kw_only=True, slots=True)
class Cost:
    """A period's downtime against what was paid for it."""

    window: Window  # the period, up to now
    systems: int
    downtime: float = 0.0  # seconds, added up over the systems
    monitored: float = 0.0  # seconds, added up over the systems
    paid: float | None = None  # None: no fee given

    @property
    def offline_share(self) -> float | None:
        """Downtime / monitored time (0 to 1); None while nothing was monitored."""
        if self.monitored <= 0:
            return None
        return self.downtime / self.monitored

    @property
    def value(self) -> float | None:
        """The downtime's worth at the fee's rate; None without a fee (or share)."""
        share = self.offline_share
        if self.paid is None or share is None:
            return None
        return self.paid * share


def billing_month(now: datetime, zone: tzinfo) -> Window:
    """The local calendar month `now` is in."""
    today = now.astimezone(zone).date()
    return calendar_month(today.year, today.month, zone)


def months(window: Window, zone: tzinfo) -> list[Window]:
    """The local calendar months a window touches, in order."""
    if window.seconds <= 0:
        return []
    month = billing_month(window.start, zone)
    found = [month]
    while month.end < window.end:
        month = billing_month(month.end, zone)
        found.append(month)
    return found


def paid_for(window: Window, fee: float, zone: tzinfo, now: datetime) -> float:
    """The part of a monthly fee that pays for the window up to now."""
    elapsed = window.clipped(None, now)
    total = 0.0
    for month in months(elapsed, zone):
        part = Window(
            start=max(month.start, elapsed.start), end=min(month.end, elapsed.end)
        )
        total += fee * part.seconds / month.seconds
    return total


def cost(
    timelines: Iterable[Timeline],
    window: Window,
    *,
    fee: float | None,
    zone: tzinfo,
    now: datetime,
) -> Cost:
    """The downtime of these systems in a window, and what was paid for it."""
    return cost_of(
        [figures(t.intervals, window, added=t.added, now=now) for t in timelines],
        window,
        fee=fee,
        zone=zone,
        now=now,
    )


def cost_of(
    per_system: Iterable[Figures],
    window: Window,
    *,
    fee: float | None,
    zone: tzinfo,
    now: datetime,
) -> Cost:
    """The cost of a window from each system's figures over it."""
    downtime = monitored = 0.0
    count = 0
    for result in per_system:
        count += 1
        downtime += result.downtime
        monitored += result.observed
    return Cost(
        window=window.clipped(None, now),
        systems=count,
        downtime=downtime,
        monitored=monitored,
        paid=None if fee is None else paid_for(window, fee, zone, now),
    )
