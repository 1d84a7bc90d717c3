"""Uptime figures over hand-built histories with known answers."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.provider_watch.logic.figures import (
    Figures,
    Interval,
    Window,
    calendar_month,
    combined_timeline,
    current_outage,
    days,
    figures,
    last,
    merged,
    previous_month,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=365)
H = 3600.0
BERLIN = ZoneInfo("Europe/Berlin")


def ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def outage(start_hours_ago: float, end_hours_ago: float | None) -> Interval:
    return Interval(
        start=ago(start_hours_ago),
        end=None if end_hours_ago is None else ago(end_hours_ago),
    )


def day_window() -> Window:
    return last(timedelta(hours=24), NOW)


def test_no_outages_is_100_percent() -> None:
    result = figures([], last(timedelta(days=30), NOW), added=LONG_AGO, now=NOW)
    assert result == Figures(observed=30 * 24 * H, downtime=0, outages=0, longest=0)
    assert result.uptime == 100.0


def test_one_outage_inside_the_window() -> None:
    result = figures([outage(10, 9)], day_window(), added=LONG_AGO, now=NOW)
    assert result.downtime == H
    assert result.outages == 1
    assert result.longest == H
    assert result.uptime == pytest.approx(100 * 23 / 24)


def test_outage_spanning_the_window_start_counts_its_part_inside() -> None:
    # 25 h ago to 23 h ago: one hour of it is inside the last 24 h
    result = figures([outage(25, 23)], day_window(), added=LONG_AGO, now=NOW)
    assert result.outages == 1
    assert result.downtime == H
    assert result.longest == H
    assert result.uptime == pytest.approx(100 * 23 / 24)


def test_outage_that_ended_at_the_window_start_is_not_in_it() -> None:
    result = figures(
        [outage(30, 24), outage(1, 0.5)], day_window(), added=LONG_AGO, now=NOW
    )
    assert result.outages == 1
    assert result.downtime == 0.5 * H


def test_system_added_mid_window_counts_only_from_then() -> None:
    added = ago(12)
    quiet = figures([], day_window(), added=added, now=NOW)
    assert quiet.observed == 12 * H
    assert quiet.uptime == 100.0
    result = figures([outage(6, 3)], day_window(), added=added, now=NOW)
    assert result.uptime == pytest.approx(75.0)
    # the 30-day window says the same: the time before it was added is not counted
    month = figures([outage(6, 3)], last(timedelta(days=30), NOW), added=added, now=NOW)
    assert month.uptime == pytest.approx(75.0)


def test_outage_from_before_the_system_was_added_is_clipped() -> None:
    result = figures([outage(14, 10)], day_window(), added=ago(12), now=NOW)
    assert result.downtime == 2 * H
    assert result.uptime == pytest.approx(100 * 10 / 12)


def test_just_added_has_no_uptime_yet() -> None:
    result = figures([], day_window(), added=NOW, now=NOW)
    assert result == Figures()
    assert result.uptime is None


def test_window_in_the_future_has_nothing_observed() -> None:
    window = Window(start=NOW + timedelta(days=1), end=NOW + timedelta(days=2))
    assert figures([], window, added=LONG_AGO, now=NOW).uptime is None
    assert Window(start=NOW, end=ago(1)).seconds == 0


def test_ongoing_outage() -> None:
    ongoing = [outage(30, 29), outage(2, None)]
    result = figures(ongoing, day_window(), added=LONG_AGO, now=NOW)
    assert result.downtime == 2 * H
    assert result.outages == 1
    assert result.uptime == pytest.approx(100 * 22 / 24)
    assert current_outage(ongoing, NOW) == 2 * H
    assert current_outage([outage(3, 2)], NOW) == 0
    assert current_outage([], NOW) == 0


def test_ongoing_outage_in_a_past_window_ends_with_the_window() -> None:
    # a report for yesterday, while the outage that began yesterday goes on
    window = Window(start=ago(48), end=ago(24))
    result = figures([outage(30, None)], window, added=LONG_AGO, now=NOW)
    assert result.downtime == 6 * H
    assert result.longest == 6 * H


def test_window_without_a_start_of_monitoring_counts_all_of_it() -> None:
    result = figures([outage(2, 1)], day_window(), added=None, now=NOW)
    assert result.observed == 24 * H
    assert result.downtime == H


def test_overlapping_outages_are_merged() -> None:
    # two systems of a provider: 10-8 h ago and 9-7 h ago are one 3 h stretch
    added, intervals = combined_timeline(
        [
            (ago(100), [outage(10, 8)]),
            (ago(50), [outage(9, 7), outage(3, 2)]),
            (None, []),
        ]
    )
    assert added == ago(100)
    result = figures(intervals, day_window(), added=added, now=NOW)
    assert result.outages == 2
    assert result.downtime == 4 * H
    assert result.longest == 3 * H
    assert combined_timeline([(None, [])]) == (None, [])


def test_merged_drops_empty_and_joins_touching_intervals() -> None:
    spans = merged([outage(5, 4), outage(4, 3), outage(2, 2), outage(1, None)], now=NOW)
    assert spans == [(ago(5), ago(3)), (ago(1), NOW)]


def test_last_window() -> None:
    window = last(timedelta(days=7), NOW)
    assert window.end == NOW
    assert window.seconds == 7 * 24 * H


# --- local calendar periods and DST (Europe/Berlin) ------------------------------


def test_october_in_berlin_has_745_hours() -> None:
    october = calendar_month(2026, 10, BERLIN)
    assert october.start == datetime(2026, 9, 30, 22, 0, tzinfo=UTC)  # 00:00 CEST
    assert october.end == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)  # 00:00 CET
    assert october.seconds == 745 * H


def test_march_in_berlin_has_743_hours() -> None:
    assert calendar_month(2026, 3, BERLIN).seconds == 743 * H


def test_december_ends_with_the_new_year() -> None:
    december = calendar_month(2026, 12, BERLIN)
    assert december.end == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert december.seconds == 31 * 24 * H


def test_outage_across_the_dst_change_lasts_real_hours() -> None:
    """01:30 CEST to 02:20 CET on 25 October is 1 h 50 min, not 50 min."""
    start = datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN)  # fold 0: CEST
    end = datetime(2026, 10, 25, 2, 20, fold=1, tzinfo=BERLIN)  # fold 1: CET
    assert (end - start) == timedelta(minutes=50)  # naive wall-clock arithmetic
    interval = Interval(start=start.astimezone(UTC), end=end.astimezone(UTC))
    october = calendar_month(2026, 10, BERLIN)
    result = figures([interval], october, added=LONG_AGO - timedelta(days=60), now=NOW)
    assert result.downtime == 110 * 60
    assert result.uptime == pytest.approx(100 * (745 * 60 - 110) / (745 * 60))
    # the day of the change has 25 hours
    assert days(date(2026, 10, 25), date(2026, 10, 25), BERLIN).seconds == 25 * H


def test_custom_days_are_local_and_inclusive() -> None:
    window = days(date(2026, 10, 1), date(2026, 10, 15), BERLIN)
    assert window.start == datetime(2026, 9, 30, 22, 0, tzinfo=UTC)
    assert window.end == datetime(2026, 10, 15, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 11, 26, 12, 0, tzinfo=UTC), (2026, 10)),
        (datetime(2026, 1, 5, 12, 0, tzinfo=UTC), (2025, 12)),
        # 23:30 UTC on 31 October is already 1 November in Berlin
        (datetime(2026, 10, 31, 23, 30, tzinfo=UTC), (2026, 10)),
    ],
)
def test_previous_month(now: datetime, expected: tuple[int, int]) -> None:
    assert previous_month(now, BERLIN) == expected
