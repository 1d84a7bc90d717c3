"""Self-heal decisions, without Home Assistant: wait, act or give up, and why."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.provider_watch.logic.cause import Cause
from custom_components.provider_watch.logic.self_heal import (
    ACTION_BY_DOMAIN,
    BLOCKS,
    CAUSES_NO_PLUG_FIXES,
    SERVICE_BY_ACTION,
    Action,
    Decision,
    HealSettings,
    HealSummary,
    Reason,
    Situation,
    TargetAttempt,
    Verdict,
    attempts_by_target,
    attempts_on_day,
    decide,
    turn_on_retry,
)

T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)  # the outage is confirmed
CYCLE = HealSettings(action=Action.POWER_CYCLE)  # 120 s wait, 1 attempt, 300 s window
THREE = HealSettings(
    action=Action.POWER_CYCLE, delay=60, attempts=3, off_time=10, recheck=120
)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def situation(
    *attempts: float, done: float | None = None, **kwargs: object
) -> Situation:
    return Situation(
        offline_since=T0,
        attempts=tuple(at(a) for a in attempts),
        last_done=at(done) if done is not None else None,
        **kwargs,  # type: ignore[arg-type]
    )


def test_defaults() -> None:
    assert (CYCLE.off_time, CYCLE.delay, CYCLE.attempts) == (10, 120, 1)
    assert (CYCLE.daily_max, CYCLE.recheck, CYCLE.notify) == (3, 300, "quiet")
    # 120 s wait + 10 s off + 300 s window
    assert CYCLE.max_hold == timedelta(seconds=430)
    press = HealSettings(action=Action.PRESS)
    assert press.action_time == timedelta(0)
    assert press.max_hold == timedelta(seconds=420)


def test_backoff_doubles() -> None:
    assert [THREE.backoff(k) for k in (1, 2, 3)] == [
        timedelta(seconds=60),
        timedelta(seconds=120),
        timedelta(seconds=240),
    ]
    # (60 + 120 + 240) waits + 3 x (10 s off + 120 s window)
    assert THREE.max_hold == timedelta(seconds=420 + 390)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"attempts": 0},
        {"attempts": 4},
        {"daily_max": 0},
        {"delay": -1},
        {"recheck": -5},
    ],
)
def test_settings_that_make_no_sense_are_refused(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=r"must be|negative"):
        HealSettings(action=Action.RUN, **kwargs)  # type: ignore[arg-type]


def test_one_attempt_wait_act_window_give_up() -> None:
    # confirmed offline: wait for the delay, the alert held
    first = decide(CYCLE, situation(), T0)
    assert first == Decision(verdict=Verdict.WAIT, at=at(120))
    assert first.hold
    assert decide(CYCLE, situation(), at(119)).verdict is Verdict.WAIT
    # the wait is over: the first attempt
    assert decide(CYCLE, situation(), at(120)) == Decision(
        verdict=Verdict.ACT, attempt=1
    )
    # the switch was off for 10 s: the system has 300 s to come back
    waiting = decide(CYCLE, situation(120, done=130), at(130))
    assert waiting == Decision(verdict=Verdict.WAIT, at=at(430))
    assert waiting.hold
    # still offline: give up, the alert goes out
    gave_up = decide(CYCLE, situation(120, done=130), at(430))
    assert gave_up == Decision(verdict=Verdict.GIVE_UP, reason=Reason.STILL_OFFLINE)
    assert not gave_up.hold


def test_attempts_back_off_after_each_window() -> None:
    assert decide(THREE, situation(), T0).at == at(60)
    assert decide(THREE, situation(), at(60)).attempt == 1
    # attempt 1 done at 70: window to 190, then 2 x 60 s before attempt 2
    assert decide(THREE, situation(60, done=70), at(70)).at == at(310)
    assert decide(THREE, situation(60, done=70), at(190)).at == at(310)
    assert decide(THREE, situation(60, done=70), at(310)).attempt == 2
    # attempt 2 done at 320: window to 440, then 4 x 60 s
    two = situation(60, 310, done=320)
    assert decide(THREE, two, at(440)).at == at(680)
    assert decide(THREE, two, at(680)).attempt == 3
    three = situation(60, 310, 680, done=690)
    assert decide(THREE, three, at(690)).at == at(810)  # = the longest hold
    assert decide(THREE, three, at(810)).reason is Reason.STILL_OFFLINE


def test_never_held_longer_than_the_longest_hold() -> None:
    # a slow attempt (its action ran late): the window is cut at the deadline
    late = situation(400, done=420)
    assert decide(CYCLE, late, at(421)) == Decision(verdict=Verdict.WAIT, at=at(430))
    assert decide(CYCLE, late, at(430)).reason is Reason.STILL_OFFLINE
    # the clock jumped past the whole hold before anything was tried
    assert decide(CYCLE, situation(), at(431)).reason is Reason.STILL_OFFLINE
    # a window without a known end counts from the attempt's start
    assert decide(CYCLE, situation(120), at(200)).at == at(420)


@pytest.mark.parametrize("reason", BLOCKS)
def test_anything_in_the_way_gives_up_at_once(reason: Reason) -> None:
    for when, attempts in ((0.0, ()), (200.0, (120.0,))):
        decision = decide(
            THREE, situation(*attempts, blocks=frozenset({reason})), at(when)
        )
        assert decision == Decision(verdict=Verdict.GIVE_UP, reason=reason)
        assert not decision.hold


def test_the_most_telling_block_is_given() -> None:
    blocks = frozenset({Reason.UNAVAILABLE, Reason.MAINTENANCE, Reason.TURNED_OFF})
    assert decide(CYCLE, situation(blocks=blocks), T0).reason is Reason.MAINTENANCE


def test_daily_cap() -> None:
    # reached before the outage: alerted at once
    capped = situation(attempts_today=3)
    assert decide(CYCLE, capped, T0) == Decision(
        verdict=Verdict.GIVE_UP, reason=Reason.DAILY_CAP
    )
    # reached by this outage's first attempt: its window still counts
    after_one = situation(60, done=70, attempts_today=3)
    assert decide(THREE, after_one, at(100)).at == at(190)
    assert decide(THREE, after_one, at(190)).reason is Reason.DAILY_CAP
    # below the cap: go on
    assert decide(THREE, situation(60, done=70, attempts_today=2), at(310)).attempt == 2


def test_attempts_on_the_local_calendar_day() -> None:
    zone = ZoneInfo("Europe/Berlin")
    now = datetime(2026, 11, 2, 22, 30, tzinfo=UTC)  # 23:30 in Berlin
    times = [
        datetime(2026, 11, 1, 22, 59, tzinfo=UTC),  # 23:59 the day before
        datetime(2026, 11, 1, 23, 1, tzinfo=UTC),  # 00:01 today
        datetime(2026, 11, 2, 22, 0, tzinfo=UTC),  # 23:00 today
        datetime(2026, 11, 2, 23, 1, tzinfo=UTC),  # 00:01 tomorrow (a clock jump)
    ]
    assert attempts_on_day(times, now, zone) == 2
    assert attempts_on_day(times, now, UTC) == 2  # 11-02 22:00 and 23:01
    assert attempts_on_day([], now, zone) == 0


def test_summary_says_something_only_when_useful() -> None:
    summary = HealSummary(
        action=Action.POWER_CYCLE, entity_id="switch.hub_plug", entity_name="Hub plug"
    )
    assert not summary.told  # pending, nothing tried
    summary.reason = Reason.DISABLED
    assert not summary.told  # the owner turned self-heal off: nothing to say
    summary.reason = Reason.TURNED_OFF_BY_PERSON
    assert summary.told
    summary.reason = Reason.STILL_OFFLINE
    summary.attempts.append(T0)
    assert summary.told


def test_each_action_calls_a_service_of_its_own_domain() -> None:
    assert {domain: action for action, (domain, _) in SERVICE_BY_ACTION.items()} == (
        ACTION_BY_DOMAIN
    )
    assert SERVICE_BY_ACTION[Action.POWER_CYCLE] == ("switch", "turn_off")


def test_only_a_fault_at_home_is_worth_an_attempt() -> None:
    assert set(CAUSES_NO_PLUG_FIXES) == {Cause.PROVIDER_CLOUD, Cause.AUTH}


# --- the limits are the target's: systems that share a plug -------------------------


def shared(started: float, window_end: float | None = None) -> TargetAttempt:
    """The latest attempt on the target (another system's, unless in `attempts`)."""
    return TargetAttempt(
        started=at(started),
        window_end=at(window_end) if window_end is not None else None,
    )


def test_another_systems_attempt_on_the_target_is_joined() -> None:
    join = Decision(verdict=Verdict.JOIN, attempt=1)
    # under way: joined at once, long before this system's own wait is over
    assert decide(CYCLE, situation(target=shared(-30)), at(0)) == join
    # over, its window still open: joined (the window counts for this one too)
    assert decide(CYCLE, situation(target=shared(-30, 200)), at(100)) == join
    # the plug's cap was reached by that very attempt: still joined, nothing new
    capped = situation(target=shared(-30, 200), attempts_today=3)
    assert decide(CYCLE, capped, at(100)) == join
    # its window closed: this system goes its own way
    assert decide(CYCLE, situation(target=shared(-400, -10)), at(0)).at == at(120)
    # joined already: the window it shares is waited out as its own
    joined = situation(-30, done=-20, target=shared(-30, 280))
    assert decide(CYCLE, joined, at(0)) == Decision(verdict=Verdict.WAIT, at=at(280))
    # every attempt of this outage made: not joined
    done = situation(60, done=70, target=shared(200, 510))
    assert decide(CYCLE, done, at(250)) == Decision(verdict=Verdict.WAIT, at=at(370))


def test_one_attempt_on_the_target_at_a_time() -> None:
    # this system's window is over, the target's (a longer one) is not
    mine = situation(60, done=70, target=shared(60, 400))
    assert decide(THREE, mine, at(310)) == Decision(verdict=Verdict.WAIT, at=at(400))
    assert decide(THREE, mine, at(400)).verdict is Verdict.ACT
    # the switch is still being turned on again: wait until told (the deadline)
    busy = situation(target_busy=True)
    assert decide(CYCLE, busy, at(120)) == Decision(verdict=Verdict.WAIT, at=at(430))
    assert decide(CYCLE, busy, at(430)).reason is Reason.STILL_OFFLINE
    # a target window past the deadline: held no longer than the deadline
    late = situation(60, done=70, target=shared(60, 900))
    assert decide(THREE, late, at(700)) == Decision(verdict=Verdict.WAIT, at=at(810))
    assert decide(THREE, late, at(810)).reason is Reason.STILL_OFFLINE
    assert shared(0).open(at(5))
    assert not shared(0, 10).open(at(10))


def test_attempts_stored_per_system_are_moved_to_their_target() -> None:
    moved = attempts_by_target(
        {
            "panel": ["2026-11-02T10:00:00+00:00"],
            "lock": ["2026-11-02T10:00:30+00:00", "2026-11-02T10:00:00+00:00"],
            "router": ["2026-11-02T09:00:00+00:00", 5],
            "gone": ["2026-11-02T10:00:00+00:00"],
            "switch.kept": ["2026-11-02T08:00:00+00:00"],
            "broken": "not a list",
        },
        {
            "panel": "switch.hub_plug",
            "lock": "switch.hub_plug",
            "router": "button.reset",
            "broken": "switch.hub_plug",
        },
    )
    assert moved == {
        "switch.hub_plug": ["2026-11-02T10:00:00+00:00", "2026-11-02T10:00:30+00:00"],
        "button.reset": ["2026-11-02T09:00:00+00:00"],
        "switch.kept": ["2026-11-02T08:00:00+00:00"],
    }


def test_a_switch_that_will_not_turn_on_is_asked_five_times_in_ten_minutes() -> None:
    waits = [turn_on_retry(failed) for failed in range(1, 6)]
    assert waits == [40, 80, 160, 320, None]
    assert sum(w for w in waits if w is not None) == 600
