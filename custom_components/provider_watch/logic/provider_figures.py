"""The figures a provider's sensors show, from its outage history. Pure: no HA.

For each system: uptime over the last day, week and 30 days, and the outage going
on; for the provider as a whole: the last 30 days (down while any of its systems is
down), this billing month's downtime against the fee, and whether the provider told
the owner about this month's outages.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from .cost import Contract, Cost, billing_month, cost_of
from .figures import Figures, Window, last
from .history_index import HistoryIndex
from .outages import NoticeCounts, notice_counts
from .rollups import Rollup, rollup_figures, with_rollups
from .timeline import MICRO, Union, to_us

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
MONTH = timedelta(days=30)
UNION_HORIZON = MONTH + DAY  # how far back the provider's union is kept


@dataclass(frozen=True, kw_only=True, slots=True)
class SystemFigures:
    """The figures a system's sensors show."""

    day: Figures
    week: Figures
    month: Figures
    current_outage: float  # seconds, 0 when online
    # this billing month: the system's part of the provider's cost and answers
    billing: Figures = field(default_factory=Figures)
    billing_month: datetime | None = None  # when that billing month began
    notices: NoticeCounts = field(default_factory=NoticeCounts)


@dataclass(frozen=True, kw_only=True, slots=True)
class ProviderFigures:
    """The figures of every system of a provider, and of the provider as a whole."""

    systems: Mapping[str, SystemFigures]
    month: Figures  # the provider: down while any of its systems is down
    # this billing month (the local calendar month): downtime against the fee,
    # and whether the provider told the owner about its outages
    contract: Contract = field(default_factory=Contract)
    billing: Cost | None = None
    notices: NoticeCounts = field(default_factory=NoticeCounts)


def window_figures(
    index: HistoryIndex, system_id: str, window: Window, now: datetime
) -> Figures:
    """A system's figures over a window, from its time line and its summaries.

    The same figures logic/figures.figures computes from the system's intervals,
    at the cost of two binary searches.
    """
    seen = window.clipped(index.added(system_id), now)
    if seen.seconds <= 0:
        return Figures()
    span = index.timeline(system_id).query(
        to_us(seen.start), to_us(seen.end), to_us(now)
    )
    result = Figures(
        observed=seen.seconds,
        downtime=span.downtime,
        outages=span.count,
        longest=span.longest,
    )
    if rollups := index.rollups(system_id):
        return with_rollups(result, rollup_figures(rollups, seen))
    return result


def current_outage(index: HistoryIndex, system_id: str, now: datetime) -> float:
    """Seconds the system has been offline this time (0 when online)."""
    record = index.last(system_id)
    if record is None or not record.open:
        return 0.0
    return max(0.0, (now - record.stretch_start(-1)).total_seconds())


def sync_union(
    union: Union,
    index: HistoryIndex,
    members: frozenset[str],
    now: datetime,
    changes: tuple[dict[str, int], dict[str, int]],
) -> None:
    """Bring a provider's union (down while any system is down) up to date.

    Only what changed (`changes`: HistoryIndex.take_changes) is merged again; the
    union is built anew when the systems change or a summary took times offline it
    holds.
    """
    touched, trimmed = changes
    horizon = to_us(now - UNION_HORIZON)
    timelines = [index.timeline(s) for s in sorted(members)]
    if members != union.members or any(
        until > union.horizon for s, until in trimmed.items() if s in members
    ):
        union.rebuild(members, timelines, horizon)
        return
    if horizon - union.horizon > DAY // MICRO:
        union.timeline.drop_until(horizon)  # a day on: forget what no window sees
        union.horizon = horizon
    since = [when for s, when in touched.items() if s in members]
    if since:
        union.update(min(since), timelines)


def _recent(index: HistoryIndex, system_id: str, since: datetime) -> list[Rollup]:
    """A system's summaries of months that ended after `since` (newest kept)."""
    found = []
    for rollup in reversed(index.rollups(system_id)):
        if rollup.end <= since:
            break
        found.append(rollup)
    return found


def _system(
    index: HistoryIndex, system_id: str, now: datetime, month: Window
) -> SystemFigures:
    """A system's figures at `now`, with its part of the billing month."""
    notices = notice_counts(index.overlapping(system_id, month.start, now))
    for rollup in _recent(index, system_id, month.start):
        if rollup.share(Window(start=month.start, end=now)) > 0:
            notices = NoticeCounts(
                told=notices.told + rollup.told,
                not_told=notices.not_told + rollup.not_told,
                unanswered=notices.unanswered + rollup.unanswered,
            )
    return SystemFigures(
        day=window_figures(index, system_id, last(DAY, now), now),
        week=window_figures(index, system_id, last(WEEK, now), now),
        month=window_figures(index, system_id, last(MONTH, now), now),
        current_outage=current_outage(index, system_id, now),
        billing=window_figures(index, system_id, month, now),
        billing_month=month.start,
        notices=notices,
    )


def provider_figures(
    index: HistoryIndex,
    union: Union,
    system_ids: Iterable[str],
    now: datetime,
    *,
    contract: Contract | None = None,
    zone: tzinfo = UTC,
    previous: ProviderFigures | None = None,
) -> ProviderFigures:
    """The sensors' figures at `now` (the billing month is local to `zone`).

    Looks at each system's time line and newest records only: the cost does not
    grow with the history. With `previous` (the figures a moment ago), a system
    whose outages and notes did not change since keeps its figures (the periodic
    refresh moves every window on); the provider's union is always brought up to
    date.
    """
    system_ids = list(system_ids)
    contract = contract or Contract()
    touched, trimmed, noted = index.take_changes()
    sync_union(union, index, frozenset(system_ids), now, (touched, trimmed))
    changed = touched.keys() | trimmed.keys() | noted
    month = billing_month(now, zone)
    systems = {}
    for system_id in system_ids:
        kept = previous.systems.get(system_id) if previous is not None else None
        systems[system_id] = (
            kept
            if kept is not None
            and system_id not in changed
            and kept.billing_month == month.start
            else _system(index, system_id, now, month)
        )
    billing = cost_of(
        [systems[s].billing for s in system_ids],
        month,
        fee=contract.monthly_fee,
        zone=zone,
        now=now,
    )
    added = [a for s in system_ids if (a := index.added(s)) is not None]
    seen = last(MONTH, now).clipped(min(added) if added else None, now)
    together = Figures()
    if seen.seconds > 0:
        span = union.timeline.query(to_us(seen.start), to_us(seen.end), to_us(now))
        together = with_rollups(
            Figures(
                observed=seen.seconds,
                downtime=span.downtime,
                outages=span.count,
                longest=span.longest,
            ),
            rollup_figures(
                [r for s in system_ids for r in _recent(index, s, seen.start)], seen
            ),
        )
    return ProviderFigures(
        systems=systems,
        month=together,
        contract=contract,
        billing=billing,
        notices=NoticeCounts(
            told=sum(systems[s].notices.told for s in system_ids),
            not_told=sum(systems[s].notices.not_told for s in system_ids),
            unanswered=sum(systems[s].notices.unanswered for s in system_ids),
        ),
    )
