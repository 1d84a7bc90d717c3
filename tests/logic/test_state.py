"""The state machine, table-driven, without Home Assistant."""

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.provider_watch.logic.state import (
    MachineState,
    Outcome,
    SystemState,
    Thresholds,
    Transition,
    advance,
    machine_from_dict,
    machine_to_dict,
)

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
UP, DOWN, UNK = Outcome.UP, Outcome.DOWN, Outcome.UNKNOWN
S = SystemState
OFF, ON = Transition.WENT_OFFLINE, Transition.CAME_ONLINE


def run(
    outcomes: list[Outcome], fails: int = 3, succ: int = 2
) -> list[tuple[SystemState, Transition | None]]:
    """Feed outcomes 10 s apart; return (state, transition) after each."""
    thresholds = Thresholds(failures_before_offline=fails, successes_before_online=succ)
    machine = MachineState()
    seen = []
    for index, outcome in enumerate(outcomes):
        step = advance(
            machine, outcome, T0 + timedelta(seconds=10 * index), thresholds, "boom"
        )
        machine = step.state
        seen.append((machine.state, step.transition))
    return seen


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        # first success: online, no announcement
        ([UP], [(S.ONLINE, None)]),
        # unknown outcomes are no evidence at all
        ([UNK, UNK], [(S.UNKNOWN, None), (S.UNKNOWN, None)]),
        # a blip shorter than the threshold is forgotten
        (
            [UP, DOWN, DOWN, UP],
            [(S.ONLINE, None), (S.PENDING, None), (S.PENDING, None), (S.ONLINE, None)],
        ),
        # the third consecutive failure declares offline, once
        (
            [UP, DOWN, DOWN, DOWN, DOWN],
            [
                (S.ONLINE, None),
                (S.PENDING, None),
                (S.PENDING, None),
                (S.OFFLINE, OFF),
                (S.OFFLINE, None),
            ],
        ),
        # recovery needs two successes; a failure in between stays the same outage
        (
            [DOWN, DOWN, DOWN, UP, DOWN, UP, UP],
            [
                (S.PENDING, None),
                (S.PENDING, None),
                (S.OFFLINE, OFF),
                (S.RECOVERING, None),
                (S.OFFLINE, None),
                (S.RECOVERING, None),
                (S.ONLINE, ON),
            ],
        ),
        # unknown outcomes neither advance nor reset the counters
        (
            [UP, DOWN, UNK, DOWN, UNK, DOWN],
            [
                (S.ONLINE, None),
                (S.PENDING, None),
                (S.PENDING, None),
                (S.PENDING, None),
                (S.PENDING, None),
                (S.OFFLINE, OFF),
            ],
        ),
    ],
)
def test_transitions(
    outcomes: list[Outcome], expected: list[tuple[SystemState, Transition | None]]
) -> None:
    assert run(outcomes) == expected


@pytest.mark.parametrize(
    ("fails", "succ", "outcomes", "expected_last"),
    [
        (1, 1, [UP, DOWN], (S.OFFLINE, OFF)),
        (1, 1, [DOWN, UP], (S.ONLINE, ON)),
        (5, 1, [DOWN] * 4, (S.PENDING, None)),
        (5, 1, [DOWN] * 5, (S.OFFLINE, OFF)),
        (1, 3, [DOWN, UP, UP], (S.RECOVERING, None)),
        (1, 3, [DOWN, UP, UP, UP], (S.ONLINE, ON)),
    ],
)
def test_thresholds(
    fails: int,
    succ: int,
    outcomes: list[Outcome],
    expected_last: tuple[SystemState, Transition | None],
) -> None:
    assert run(outcomes, fails, succ)[-1] == expected_last


def test_every_state_and_outcome_is_handled() -> None:
    """No (state, outcome) pair raises or produces an impossible transition."""
    thresholds = Thresholds(failures_before_offline=2, successes_before_online=2)
    for state in SystemState:
        start = MachineState(
            state=state, outage_start=T0 if state in (S.OFFLINE, S.RECOVERING) else None
        )
        for outcome in Outcome:
            step = advance(start, outcome, T0 + timedelta(minutes=1), thresholds)
            if step.transition is OFF:
                assert step.state.state is S.OFFLINE
                assert state in (S.UNKNOWN, S.ONLINE, S.PENDING)
            if step.transition is ON:
                assert step.state.state is S.ONLINE
                assert state in (S.OFFLINE, S.RECOVERING)


def test_outage_start_is_first_failure_and_duration_is_measured() -> None:
    thresholds = Thresholds(failures_before_offline=2, successes_before_online=1)
    machine = MachineState()
    machine = advance(machine, UP, T0, thresholds).state
    machine = advance(
        machine, DOWN, T0 + timedelta(seconds=30), thresholds, "HTTP 503"
    ).state
    step = advance(machine, DOWN, T0 + timedelta(seconds=35), thresholds, "HTTP 503")
    assert step.transition is OFF
    assert step.state.outage_start == T0 + timedelta(seconds=30)
    assert step.state.since == T0 + timedelta(seconds=35)
    assert step.state.reason == "HTTP 503"
    assert step.state.last_online == T0
    back = advance(step.state, UP, T0 + timedelta(minutes=10, seconds=30), thresholds)
    assert back.transition is ON
    assert back.outage_start == T0 + timedelta(seconds=30)
    assert back.outage_duration == 600
    assert back.state.outage_start is None
    assert back.state.reason is None
    assert back.state.last_online == T0 + timedelta(minutes=10, seconds=30)


def test_suspect_states_ask_for_fast_recheck() -> None:
    assert MachineState(state=S.PENDING).is_suspect
    assert MachineState(state=S.RECOVERING).is_suspect
    assert not MachineState(state=S.OFFLINE).is_suspect
    assert not MachineState(state=S.ONLINE).is_suspect


def test_thresholds_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Thresholds(failures_before_offline=0, successes_before_online=1)


def test_round_trip_and_bad_data() -> None:
    machine = MachineState(
        state=S.OFFLINE,
        since=T0,
        failures=3,
        outage_start=T0 - timedelta(minutes=1),
        last_online=T0 - timedelta(minutes=2),
        reason="connection refused",
    )
    assert machine_from_dict(machine_to_dict(machine)) == machine
    assert machine_from_dict({}) == MachineState()
    garbage = machine_from_dict(
        {"state": "exploded", "since": "yesterday", "failures": -3, "reason": 7}
    )
    assert garbage == MachineState()
    # an outage with no start is re-detected rather than reported with a made-up start
    assert machine_from_dict({"state": "offline"}).state is S.UNKNOWN
    # naive timestamps are not trusted
    assert machine_from_dict({"since": "2026-11-01T12:00:00"}).since is None
