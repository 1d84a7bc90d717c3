"""The figures a provider's sensors show, from its outage history. Pure: no HA.

For each system: uptime over the last day, week and 30 days, and the outage going
on; for the provider as a whole: the last 30 days (down while any of its systems is
down), this billing month's downtime against the fee, and whether the provider told
the owner about this month's outages.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from .cost import Contract, Cost, Timeline, billing_month, cost
from .figures import (
    Figures,
    Interval,
    combined_timeline,
    current_outage,
    figures,
    last,
)
from .history_file import HistoryData
from .outages import NoticeCounts, notice_counts

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
MONTH = timedelta(days=30)


@dataclass(frozen=True, kw_only=True)
class SystemFigures:
    """The figures a system's sensors show."""

    day: Figures
    week: Figures
    month: Figures
    current_outage: float  # seconds, 0 when online


@dataclass(frozen=True, kw_only=True)
class ProviderFigures:
    """The figures of every system of a provider, and of the provider as a whole."""

    systems: Mapping[str, SystemFigures]
    month: Figures  # the provider: down while any of its systems is down
    # this billing month (the local calendar month): downtime against the fee,
    # and whether the provider told the owner about its outages
    contract: Contract = field(default_factory=Contract)
    billing: Cost | None = None
    notices: NoticeCounts = field(default_factory=NoticeCounts)


def provider_figures(
    history: HistoryData,
    system_ids: Iterable[str],
    now: datetime,
    *,
    contract: Contract | None = None,
    zone: tzinfo = UTC,
) -> ProviderFigures:
    """The sensors' figures at `now` (the billing month is local to `zone`)."""
    system_ids = list(system_ids)
    contract = contract or Contract()
    systems: dict[str, SystemFigures] = {}
    timelines: list[tuple[datetime | None, list[Interval]]] = []
    for system_id in system_ids:
        intervals = history.intervals(system_id)
        added = history.added(system_id)
        timelines.append((added, intervals))
        systems[system_id] = SystemFigures(
            day=figures(intervals, last(DAY, now), added=added, now=now),
            week=figures(intervals, last(WEEK, now), added=added, now=now),
            month=figures(intervals, last(MONTH, now), added=added, now=now),
            current_outage=current_outage(intervals, now),
        )
    month = billing_month(now, zone)
    billing = cost(
        [Timeline(added=a, intervals=i) for a, i in timelines],
        month,
        fee=contract.monthly_fee,
        zone=zone,
        now=now,
    )
    added, intervals = combined_timeline(timelines)
    return ProviderFigures(
        systems=systems,
        month=figures(intervals, last(MONTH, now), added=added, now=now),
        contract=contract,
        billing=billing,
        notices=notice_counts(history.between(month.start, now, system_ids)),
    )
