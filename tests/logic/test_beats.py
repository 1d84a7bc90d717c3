"""The heartbeat filter: one verdict per spacing, failure reports confirmed."""

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.provider_watch.logic.beats import (
    BeatFilter,
    Decision,
    Verdict,
    min_spacing,
)

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
SPACING = timedelta(seconds=30)
OK = Verdict(failed=False)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("period", "spacing"),
    [(10, 1), (300, 30), (600, 60), (3600, 60), (7 * 86_400, 60), (1, 1)],
)
def test_min_spacing_is_a_tenth_of_the_period_within_limits(
    period: float, spacing: float
) -> None:
    assert min_spacing(timedelta(seconds=period)) == timedelta(seconds=spacing)


def test_good_beats_count_once_per_spacing() -> None:
    beats = BeatFilter(SPACING)
    verdicts = [beats.beat(at(t / 10), failed=False).verdict for t in range(1000)]
    counted = [t / 10 for t, v in enumerate(verdicts) if v is not None]
    assert counted == [0, 30, 60, 90]
    assert all(v in (None, OK) for v in verdicts)


def test_a_failure_report_waits_for_a_second_one() -> None:
    beats = BeatFilter(SPACING)
    assert beats.beat(at(0), failed=False) == Decision(verdict=OK)
    assert beats.beat(at(100), failed=True) == Decision(new_report=True)
    assert beats.report_pending == at(100)
    assert beats.beat(at(129), failed=True) == Decision()  # the same report
    decision = beats.beat(at(130), failed=True)
    assert decision.verdict == Verdict(failed=True, reported=True, since=at(100))
    assert beats.report_pending is None
    # offline now: further reports keep it so at once (once per spacing)
    again = Verdict(failed=True, reported=True)
    assert beats.beat(at(140), failed=True) == Decision()
    assert beats.beat(at(160), failed=True) == Decision(verdict=again)


def test_a_good_beat_forgets_the_report() -> None:
    beats = BeatFilter(SPACING)
    beats.beat(at(0), failed=False)
    beats.beat(at(100), failed=True)
    assert beats.beat(at(110), failed=False) == Decision(verdict=OK)
    assert beats.report_pending is None
    assert beats.beat(at(140), failed=True) == Decision(new_report=True)  # anew
    assert beats.beat(at(160), failed=True) == Decision()


def test_alternating_beats_never_confirm() -> None:
    beats = BeatFilter(SPACING)
    verdicts = [
        beats.beat(at(t / 100), failed=t % 2 == 1).verdict for t in range(100_000)
    ]
    assert not any(v is not None and v.failed for v in verdicts)
    assert sum(v is not None for v in verdicts) == 1000 // 30 + 1


def test_silence_confirms_a_report() -> None:
    beats = BeatFilter(SPACING)
    beats.beat(at(0), failed=False)
    beats.beat(at(100), failed=True)
    verdict = beats.missed(at(460), due=at(400))
    assert verdict == Verdict(failed=True, reported=True, since=at(100))
    assert beats.report_pending is None


def test_silence_without_a_report() -> None:
    beats = BeatFilter(SPACING)
    beats.beat(at(0), failed=False)
    assert beats.missed(at(360), due=at(300)) == Verdict(failed=True, since=at(300))
    # offline: a good beat right after counts at once, a report keeps it offline
    assert beats.beat(at(365), failed=True).verdict is None  # within the spacing
    assert beats.beat(at(400), failed=False) == Decision(verdict=OK)


def test_a_different_verdict_is_held_until_the_spacing_passed() -> None:
    beats = BeatFilter(SPACING)
    beats.beat(at(0), failed=False)
    beats.beat(at(100), failed=True)
    beats.beat(at(130), failed=True)  # confirmed, counted at 130
    assert beats.beat(at(131), failed=False) == Decision(wake_at=at(160))
    assert beats.due(at(160)) == Decision(verdict=OK)
    assert beats.due(at(190)) == Decision()  # nothing held any more


def test_the_latest_verdict_wins() -> None:
    beats = BeatFilter(SPACING)
    beats.beat(at(0), failed=False)
    beats.beat(at(100), failed=True)
    beats.beat(at(130), failed=True)  # offline, counted at 130
    beats.beat(at(131), failed=False)  # held
    assert beats.beat(at(132), failed=True) == Decision()  # offline still: dropped
    assert beats.due(at(160)) == Decision()


def test_the_clock_going_back_opens_the_gate() -> None:
    beats = BeatFilter(SPACING)
    beats.beat(at(3600), failed=False)
    assert beats.beat(at(10), failed=False) == Decision(verdict=OK)
    beats.beat(at(100), failed=True)
    assert beats.beat(at(50), failed=True) == Decision(new_report=True)
    assert beats.report_pending == at(50)
