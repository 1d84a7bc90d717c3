"""The HTML report's charts: their geometry from hand-built histories.

No Home Assistant: logic/report_svg.py. A 30-day UTC window is 720 units wide, one
unit an hour, so every position below is a number of hours.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from custom_components.provider_watch.logic import report_style as style
from custom_components.provider_watch.logic.figures import Interval, Window, days
from custom_components.provider_watch.logic.outages import OutageRecord
from custom_components.provider_watch.logic.report_svg import (
    DEFS,
    FILL,
    LOW_HEIGHT,
    MIN_SPAN,
    STRIP_WIDTH,
    Level,
    band,
    day_bars,
    level_of,
    strip_svg,
    timeline,
    timeline_svg,
)
from testkit.report_sample import BERLIN, OUTAGES, local, sample_input

H = 3600.0
APRIL = days(date(2026, 4, 1), date(2026, 4, 30), UTC)  # 30 days, 720 h, no DST
AFTER = datetime(2026, 5, 2, tzinfo=UTC)


def at(day: int, hour: float) -> datetime:
    """A time in April 2026 (UTC)."""
    return datetime(2026, 4, day, tzinfo=UTC) + timedelta(hours=hour)


def outage(
    number: int, start: datetime, end: datetime | None, **kw: object
) -> OutageRecord:
    return OutageRecord(
        id=f"o-{number}",
        system_id=kw.pop("system_id", "s"),  # type: ignore[arg-type]
        system="S",
        provider="P",
        start=start,
        end=end,
        cause=kw.pop("cause", "provider_cloud"),  # type: ignore[arg-type]
    )


# --- the uptime strip --------------------------------------------------------------


def test_strip_bars_have_known_positions_heights_and_levels() -> None:
    intervals = [
        Interval(start=at(3, 6), end=at(3, 12)),  # 6 h: a quarter of the day
        Interval(start=at(10, 8), end=at(10, 8.25)),  # 15 min: 1.04 %
        Interval(start=at(12, 1), end=at(12, 1.1)),  # 6 min: 0.42 %
        Interval(start=at(20, 23), end=at(21, 1)),  # across midnight: 1 h + 1 h
    ]
    bars = day_bars(intervals, APRIL, UTC, added=None, now=AFTER)
    assert len(bars) == 30
    pitch = STRIP_WIDTH / 30  # 24 units a day
    assert [bar.x for bar in bars] == [i * pitch for i in range(30)]
    assert [bar.width for bar in bars] == pytest.approx([19.2] * 30)
    assert {(bar.y, bar.height) for bar in bars} == {(0.0, 32.0)}
    third = bars[2]
    assert (third.day, third.x, third.observed, third.downtime) == (
        date(2026, 4, 3),
        48.0,
        24 * H,
        6 * H,
    )
    assert third.share == 0.25
    assert third.level is Level.SEVERE
    assert bars[9].level is Level.MAJOR  # 15 min: 1.04 % of the day
    assert bars[11].level is Level.MINOR  # 6 min: 0.42 %
    assert (bars[19].downtime, bars[20].downtime) == (H, H)
    assert bars[19].level is bars[20].level is Level.MAJOR  # 4.17 %
    quiet = [i for i, bar in enumerate(bars) if bar.level is Level.UP]
    assert quiet == [i for i in range(30) if i not in {2, 9, 11, 19, 20}]
    assert sum(bar.downtime for bar in bars) == 6 * H + 15 * 60 + 6 * 60 + 2 * H


def test_days_before_monitoring_and_after_now_are_short_grey_bars() -> None:
    added = at(25, 12)  # monitored from noon on the 25th
    now = at(28, 18)
    bars = day_bars(
        [Interval(start=at(2, 0), end=at(26, 6))],  # began before monitoring
        APRIL,
        UTC,
        added=added,
        now=now,
    )
    assert [bar.level for bar in bars[:24]] == [Level.UNMONITORED] * 24
    assert {(bar.y, bar.height) for bar in bars[:24]} == {(32 - LOW_HEIGHT, LOW_HEIGHT)}
    assert (bars[24].observed, bars[24].downtime) == (12 * H, 12 * H)
    assert (bars[25].observed, bars[25].downtime) == (24 * H, 6 * H)
    assert bars[27].observed == 18 * H  # up to now
    assert [bar.level for bar in bars[28:]] == [Level.UNMONITORED] * 2
    assert bars[28].share is None


def test_local_days_follow_the_zone_and_dst() -> None:
    october = sample_input().window  # Berlin: the 25th has 25 hours
    bars = day_bars([], october, BERLIN, added=None, now=local(11, 2, 9, 0))
    assert len(bars) == 31
    assert bars[24].day == date(2026, 10, 25)
    assert bars[24].observed == 25 * H
    hub = next(s for s in sample_input().systems if s.id == "system_leak_hub")
    hub_bars = day_bars(
        [part for o in OUTAGES if o.system_id == hub.id for part in o.intervals],
        october,
        BERLIN,
        added=hub.added,
        now=local(11, 2, 9, 0),
    )
    # the outage from 31 October 23:30: 30 min of the last day; 25 min on the 20th
    assert (hub_bars[30].downtime, hub_bars[19].downtime) == (30 * 60, 25 * 60)
    assert sum(bar.downtime for bar in hub_bars) == 55 * 60  # the figures' 55 min


@pytest.mark.parametrize(
    ("share", "level"),
    [
        (None, Level.UNMONITORED),
        (0.0, Level.UP),
        (0.0099, Level.MINOR),
        (0.01, Level.MAJOR),
        (0.0999, Level.MAJOR),
        (0.10, Level.SEVERE),
        (1.0, Level.SEVERE),
    ],
)
def test_levels(share: float | None, level: Level) -> None:
    assert level_of(share) is level


def test_strip_markup() -> None:
    bars = day_bars(
        [Interval(start=at(3, 6), end=at(3, 12))], APRIL, UTC, added=None, now=AFTER
    )
    svg = strip_svg(bars, [f"day {i} <&>" for i in range(30)], 'Panel "A"')
    assert svg.startswith(
        '<svg viewBox="0 0 720 32" role="img" aria-label="Panel &quot;A&quot;">'
    )
    assert (
        '<rect x="48" y="0" width="19.2" height="32" fill="url(#pw-severe)">'
        "<title>day 2 &lt;&amp;&gt;</title></rect>"
    ) in svg
    assert f'<rect x="0" y="0" width="19.2" height="32" fill="{style.UP}">' in svg
    assert svg.count("<rect") == 30
    for level in Level:
        if FILL[level].startswith("url(#"):
            assert f'id="{FILL[level][5:-1]}"' in DEFS  # every pattern is defined


# --- the timeline ------------------------------------------------------------------


def test_timeline_positions_are_hours_in_a_30_day_window() -> None:
    records = [
        outage(1, at(3, 6), at(3, 12)),  # day 3, 06:00 to 12:00
        outage(2, at(1, 0) - timedelta(hours=5), at(1, 2)),  # began before
        outage(3, at(30, 23.5), at(30, 23.5) + timedelta(seconds=45)),  # 45 s
        outage(4, at(29, 22), None),  # ongoing: up to now
        outage(5, at(1, 0) - timedelta(days=2), at(1, 0) - timedelta(days=1)),
    ]
    now = at(30, 10)
    spans = timeline(records, APRIL, now)
    assert [(s.record.id, s.x, s.width) for s in spans] == [
        ("o-1", 54.0, 6.0),  # 2 * 24 + 6 units from the start, 6 units wide
        ("o-2", 0.0, 2.0),  # cut at the period's start
        ("o-4", 694.0, 12.0),  # 28 * 24 + 22, up to now (30 April 10:00)
    ]  # o-3 begins after now; o-5 ended before the period
    assert [s.drawn for s in spans] == [6.0, 2.0, 12.0]
    short = timeline([records[2]], APRIL, AFTER)[0]
    assert short.width == pytest.approx(45 / 3600)
    assert short.drawn == MIN_SPAN
    svg = timeline_svg([short], ["o-3"], band(APRIL, None, AFTER), "t")
    # drawn wide enough to be seen, and kept inside the period
    assert f'<rect x="{720 - MIN_SPAN:g}" y="1" width="1.5" height="16"' in svg


def test_monitored_band() -> None:
    assert band(APRIL, at(25, 12), AFTER) == (588.0, 132.0)
    assert band(APRIL, None, at(16, 0)) == (0.0, 360.0)
    assert band(APRIL, at(1, 0) - timedelta(days=9), AFTER) == (0.0, 720.0)
    empty = Window(start=at(2, 0), end=at(2, 0))
    assert band(empty, None, AFTER) == (0.0, 0.0)


def test_timeline_markup_colours_by_cause() -> None:
    records = [
        outage(1, at(3, 6), at(3, 12), cause="internet"),
        outage(2, at(5, 0), at(5, 1), cause="made up"),
    ]
    spans = timeline(records, APRIL, AFTER)
    svg = timeline_svg(spans, ["one", "two"], band(APRIL, at(2, 0), AFTER), "t")
    internet, unknown = (style.CAUSE_COLOURS[c] for c in ("internet", "unknown"))
    assert f'<rect x="54" y="1" width="6" height="16" fill="{internet}">' in svg
    assert f'<rect x="96" y="1" width="1.5" height="16" fill="{unknown}">' in svg
    assert f'<rect x="24" y="5" height="8" width="696" fill="{style.BAND}"/>' in svg
