"""The indexed time lines give the figures figures.figures gives, at any change."""

from datetime import UTC, datetime, timedelta
import random

from custom_components.provider_watch.logic.figures import (
    Interval,
    Window,
    figures,
    merged,
)
from custom_components.provider_watch.logic.timeline import (
    OPEN,
    Timeline,
    Union,
    from_us,
    to_us,
    union,
)

T0 = datetime(2027, 3, 1, tzinfo=UTC)


def stretch(interval: Interval) -> tuple[int, int]:
    return (
        to_us(interval.start),
        OPEN if interval.end is None else to_us(interval.end),
    )


def random_intervals(rng: random.Random, count: int) -> list[Interval]:
    """Outages of one system: mostly apart, some touching, the last maybe open."""
    at = T0
    found = []
    for n in range(count):
        at += timedelta(seconds=rng.choice([0, 0.5, 30, 61, 3600, 7 * 3600]))
        length = timedelta(seconds=rng.choice([0, 5, 30, 90, 5400]))
        end = None if n == count - 1 and rng.random() < 0.5 else at + length
        found.append(Interval(start=at, end=end))
        at += length
    return found


def check(timeline: Timeline, intervals: list[Interval], now: datetime) -> None:
    for start, end in (
        (T0 - timedelta(days=1), now + timedelta(days=1)),
        (T0 + timedelta(hours=1), T0 + timedelta(hours=5)),
        (now - timedelta(days=1), now),
        (now - timedelta(minutes=3), now + timedelta(hours=1)),
        (T0 + timedelta(seconds=30), T0 + timedelta(seconds=61)),
    ):
        expected = figures(intervals, Window(start=start, end=end), added=None, now=now)
        got = timeline.query(to_us(start), to_us(end), to_us(now))
        assert abs(got.downtime - expected.downtime) < 1e-6, (start, end)
        assert got.count == expected.outages, (start, end)
        assert abs(got.longest - expected.longest) < 1e-6, (start, end)


def test_queries_match_the_figures() -> None:
    rng = random.Random(15)  # noqa: S311
    for _ in range(200):
        intervals = random_intervals(rng, rng.randint(0, 25))
        now = (intervals[-1].end or intervals[-1].start) if intervals else T0
        now += timedelta(seconds=rng.choice([0, 10, 86400]))
        timeline = Timeline(sorted(stretch(i) for i in intervals))
        assert len(timeline) == len(merged(intervals, now + timedelta(days=9999)))
        check(timeline, intervals, now)


def test_changes_at_the_end_match_a_rebuild() -> None:
    """Truncating from a change and appending again equals building anew."""
    rng = random.Random(16)  # noqa: S311
    for _ in range(200):
        intervals = random_intervals(rng, rng.randint(1, 25))
        timeline = Timeline(sorted(stretch(i) for i in intervals))
        # the last outage ends (or goes on), a new one may begin
        last = intervals[-1]
        changed = Interval(start=last.start, end=last.start + timedelta(seconds=42))
        intervals[-1] = changed
        if rng.random() < 0.5:
            intervals.append(Interval(start=changed.end + timedelta(seconds=30)))
        cut = timeline.truncate_from(to_us(last.start))
        timeline.extend(sorted(s for i in intervals if (s := stretch(i))[1] >= cut))
        rebuilt = Timeline(sorted(stretch(i) for i in intervals))
        assert timeline.stretches() == rebuilt.stretches()
        now = T0 + timedelta(days=30)
        check(timeline, intervals, now)


def test_union_follows_its_members() -> None:
    """Down while any member is down, kept up to date from each change."""
    rng = random.Random(17)  # noqa: S311
    members = {name: random_intervals(rng, 15) for name in ("a", "b", "c")}
    timelines = {
        name: Timeline(sorted(stretch(i) for i in intervals))
        for name, intervals in members.items()
    }
    together = Union()
    together.rebuild(frozenset(timelines), timelines.values(), horizon=0)
    everything = [i for intervals in members.values() for i in intervals]
    now = T0 + timedelta(days=60)
    check(together.timeline, everything, now)
    # b's last outage ends and a new one begins: only that part is merged again
    last = members["b"][-1]
    members["b"][-1] = Interval(start=last.start, end=last.start + timedelta(hours=2))
    members["b"].append(Interval(start=last.start + timedelta(hours=3)))
    timeline = timelines["b"]
    cut = timeline.truncate_from(to_us(last.start))
    timeline.extend(sorted(s for i in members["b"] if (s := stretch(i))[1] >= cut))
    together.update(cut, timelines.values())
    everything = [i for intervals in members.values() for i in intervals]
    check(together.timeline, everything, now)
    assert (
        together.timeline.stretches() == Timeline(union(timelines.values())).stretches()
    )


def test_open_stretch_and_forgetting_the_oldest() -> None:
    timeline = Timeline([(0, 10), (20, 30), (40, OPEN)])
    assert timeline.open_since() == 40
    now = 100
    assert timeline.query(0, 1000, now).downtime * 1_000_000 == 10 + 10 + 60
    assert timeline.drop_until(10)  # the first one goes
    assert timeline.stretches() == [(20, 30), (40, OPEN)]
    assert timeline.query(0, 1000, now).count == 2
    touching = Timeline([(0, 10), (10, 20)])  # touching: one stretch
    assert touching.stretches() == [(0, 20)]
    # what went was merged into a stretch that stays: build it again
    assert not touching.drop_until(10)
    assert touching.stretches() == [(0, 20)]
    assert from_us(to_us(T0)) == T0
